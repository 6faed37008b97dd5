//! Env files: the secrets under a prefix as a file that env loaders read back exactly (the encoder
//! of `hq-vault env-file`; `hq-vault run` and the CLI get names from [`hq_vault_client::var_name`]).
//!
//! Each format either writes a value so that its loaders read back the very same bytes, or refuses
//! it with the variable's name; it never writes something a loader misreads.
//!
//! - [`Format::Export`]: `export NAME='…'` with `'` written `'\''`: POSIX shell, safe under `eval`
//!   for any byte but NUL (which no environment variable can hold).
//! - [`Format::Json`]: one object, `{"NAME": "value"}`; any UTF-8 text.
//! - [`Format::Dotenv`]: read by python-dotenv, npm `dotenv`, `@dotenvx/dotenvx` and
//!   `node --env-file`, whose quoting rules differ (see [`dotenv_value`]). The fuzz target
//!   `envfile` (fuzz/) also reads every accepted file back with the Rust crate `dotenvy`.
//!
//! Pure: no I/O, so the same code is fuzzed and tested outside the CLI.

use std::collections::BTreeMap;

use zeroize::Zeroizing;

/// The output format of an env file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Dotenv,
    Export,
    Json,
}

/// Single-quote for POSIX shells: `'` becomes `'\''`. Safe under `eval` for any byte but NUL.
pub fn shell_quote(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len() + 2);
    out.push(b'\'');
    for &b in v {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    out
}

/// A value as the right-hand side of a dotenv line, or why no dotenv loader-safe spelling exists.
///
/// The loaders disagree on quotes (checked against python-dotenv 1.2, npm dotenv 18, dotenvx 2.38
/// and Node 20's `--env-file`):
/// - single quotes are literal in all four, except that python-dotenv turns `\\` into `\` (and
///   reads `\'` as an escaped quote) and expands `${VAR}` even there;
/// - double quotes: python-dotenv decodes `\\ \" \' \a \b \f \n \r \t \v` and npm dotenv only
///   `\n \r`; Node ends the value at the first `"` whatever precedes it; dotenvx expands `$VAR`
///   and runs `$(command)`. All four decode `\n`;
/// - every one of them turns a carriage return into a newline or drops it.
///
/// So a value is written `'value'` verbatim (newlines included), or, when it holds `'`,
/// `"value"` with newlines as `\n`. Refused: a carriage return or `${` anywhere; `\\` or a final
/// `\`; and `'` together with `"`, `\` or `$`. Those values need `--format json` or `export`.
pub fn dotenv_value(value: &[u8]) -> Result<Zeroizing<String>, &'static str> {
    let Ok(v) = std::str::from_utf8(value) else {
        return Err("it is not UTF-8 text, which dotenv files are");
    };
    if v.contains('\r') {
        return Err("it holds a carriage return, which every dotenv loader turns into a newline or drops");
    }
    if v.contains("${") {
        return Err("it holds `${`, which python-dotenv expands as a variable even in single quotes");
    }
    if v.contains("\\\\") || v.ends_with('\\') {
        return Err("it holds `\\\\` or ends in `\\`, which python-dotenv reads as an escape");
    }
    if !v.contains('\'') {
        let mut out = Zeroizing::new(String::with_capacity(v.len() + 2));
        out.push('\'');
        out.push_str(v);
        out.push('\'');
        return Ok(out);
    }
    if v.contains(['"', '\\', '$']) {
        return Err(
            "it holds `'` together with `\"`, `\\` or `$`, which no one dotenv quoting carries for every loader",
        );
    }
    let mut out = Zeroizing::new(String::with_capacity(v.len() * 2 + 2));
    out.push('"');
    for c in v.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(out)
}

/// The file for `vars` in `format`, or every variable it cannot carry with the reason.
pub fn render(format: Format, vars: &BTreeMap<String, Zeroizing<Vec<u8>>>) -> Result<Zeroizing<Vec<u8>>, String> {
    // Sized once, so that growing never leaves a copy of a value behind.
    let room: usize = vars.iter().map(|(k, v)| k.len() + v.len() * 6 + 16).sum::<usize>() + 8;
    let mut out = Zeroizing::new(Vec::with_capacity(room));
    let mut refused = Vec::new();
    match format {
        Format::Export => {
            for (k, v) in vars {
                out.extend_from_slice(b"export ");
                out.extend_from_slice(k.as_bytes());
                out.push(b'=');
                out.extend_from_slice(&Zeroizing::new(shell_quote(v)));
                out.push(b'\n');
            }
        }
        Format::Dotenv => {
            for (k, v) in vars {
                match dotenv_value(v) {
                    Ok(q) => {
                        out.extend_from_slice(k.as_bytes());
                        out.push(b'=');
                        out.extend_from_slice(q.as_bytes());
                        out.push(b'\n');
                    }
                    Err(why) => refused.push(format!("  {k}: {why}")),
                }
            }
            if !refused.is_empty() {
                return Err(format!(
                    "dotenv cannot carry {} so that python-dotenv, dotenv, dotenvx and node --env-file all read {} back exactly:\n{}\nUse --format json or --format export for {}; nothing was written",
                    if refused.len() == 1 { "this value" } else { "these values" },
                    if refused.len() == 1 { "it" } else { "them" },
                    refused.join("\n"),
                    if refused.len() == 1 { "it" } else { "them" },
                ));
            }
        }
        Format::Json => {
            let mut texts = BTreeMap::new();
            for (k, v) in vars {
                match std::str::from_utf8(v) {
                    Ok(s) => {
                        texts.insert(k.as_str(), s);
                    }
                    Err(_) => refused.push(format!("  {k}: it is not UTF-8 text, which JSON strings are")),
                }
            }
            if !refused.is_empty() {
                return Err(format!(
                    "json cannot carry:\n{}\nUse --format export for these; nothing was written",
                    refused.join("\n")
                ));
            }
            serde_json::to_writer_pretty(&mut *out, &texts).map_err(|e| e.to_string())?;
            out.push(b'\n');
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quotes() {
        assert_eq!(shell_quote(b"it's"), b"'it'\\''s'");
    }

    #[test]
    fn dotenv_quoting_picks_what_every_loader_reads() {
        assert_eq!(dotenv_value(b"a b").unwrap().as_str(), "'a b'");
        assert_eq!(dotenv_value(b"$HOME \"q\" `x` #c a=b\nl2").unwrap().as_str(), "'$HOME \"q\" `x` #c a=b\nl2'");
        assert_eq!(dotenv_value(b"C:\\dir").unwrap().as_str(), "'C:\\dir'");
        assert_eq!(dotenv_value(b"it's\nok").unwrap().as_str(), "\"it's\\nok\"");
        for bad in [&b"a\rb"[..], b"${HOME}", b"a\\\\b", b"a\\", b"it's \"x\"", b"it's $x", b"it's \\x", b"\xff"] {
            assert!(dotenv_value(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn a_refusal_names_every_variable_and_never_a_value() {
        let mut vars = BTreeMap::new();
        vars.insert("OK".to_owned(), Zeroizing::new(b"fine".to_vec()));
        vars.insert("CR".to_owned(), Zeroizing::new(b"secret\rvalue".to_vec()));
        vars.insert("MIX".to_owned(), Zeroizing::new(b"it's \"secret\"".to_vec()));
        let err = render(Format::Dotenv, &vars).err().unwrap();
        assert!(err.contains("  CR: ") && err.contains("  MIX: ") && !err.contains("OK"), "{err}");
        assert!(err.contains("--format json") && !err.contains("secret"), "{err}");
        assert!(render(Format::Json, &vars).is_ok() && render(Format::Export, &vars).is_ok());
    }
}
