//! `hq-vault`: the local daemon and CLI. One module per subcommand under `cli/`.
#![forbid(unsafe_code)]

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", without_error_numbers(&format!("{e:#}")));
            ExitCode::FAILURE
        }
    }
}

/// A message without the system's error numbers (` (os error 2)`): the words before them say it.
fn without_error_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(" (os error ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " (os error ".len()..];
        match after.find(')') {
            Some(close) if after[..close].bytes().all(|b| b.is_ascii_digit()) => rest = &after[close + 1..],
            _ => {
                out.push_str(" (os error ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn error_numbers_are_dropped_and_nothing_else() {
        assert_eq!(
            super::without_error_numbers("opening /x: No such file or directory (os error 2)"),
            "opening /x: No such file or directory"
        );
        assert_eq!(super::without_error_numbers("a (os error 28) b (os error x)"), "a b (os error x)");
    }
}
