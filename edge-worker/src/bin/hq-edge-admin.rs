//! `hq-edge-admin`: mint an admin credential for the Worker's lifecycle routes and print the KV
//! record to load. The credential is printed once; KV keeps only its reference.
//!
//! Example:
//!   cargo run -p hq-vault-edge --bin hq-edge-admin -- --company acme --role owner --name alice
//!   (then run the printed `npx wrangler kv key put …` line)
//!
//! Arguments are parsed by clap: an unknown flag, a stray argument or a missing `--company`/`--role`
//! is an error (exit status 2, usage on stderr) and nothing is minted.
#![forbid(unsafe_code)]

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use clap::{Parser, ValueEnum};
    use hq_vault_core::policy::is_company_id;
    use hq_vault_core::tokens::{TokenKind, mint, reference};
    use hq_vault_edge::model::{AdminCredential, Role, admin_key};

    /// Mint an admin credential for the Worker's lifecycle routes (printed once) and print the KV
    /// record that makes it valid.
    #[derive(Parser)]
    #[command(
        name = "hq-edge-admin",
        version,
        after_help = "Example:\n  hq-edge-admin --company acme --role owner --name alice\n  \
                      then run the printed `npx wrangler kv key put …` line (add --local for wrangler dev)"
    )]
    struct Args {
        /// The company the credential administers: 1-63 of a-z, 0-9, `_`, `-`.
        #[arg(long, value_name = "ID", value_parser = company_id)]
        company: String,
        /// What the credential may do on the company's lifecycle routes.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Who holds the credential, as shown in the record (no control characters).
        #[arg(long, default_value = "admin", value_parser = holder_name)]
        name: String,
        /// Print one JSON object {"token","kv_key","kv_value"} on stdout instead of the token and a
        /// shell line.
        #[arg(long)]
        json: bool,
    }

    /// `--role` values; each is a [`Role`] of the Worker's model.
    #[derive(Clone, Copy, ValueEnum)]
    enum RoleArg {
        Owner,
        Admin,
        Member,
    }

    impl From<RoleArg> for Role {
        fn from(r: RoleArg) -> Role {
            match r {
                RoleArg::Owner => Role::Owner,
                RoleArg::Admin => Role::Admin,
                RoleArg::Member => Role::Member,
            }
        }
    }

    fn company_id(s: &str) -> Result<String, String> {
        if is_company_id(s) { Ok(s.to_owned()) } else { Err("a company id is 1-63 of a-z, 0-9, `_`, `-`".into()) }
    }

    fn holder_name(s: &str) -> Result<String, String> {
        if s.is_empty() || s.chars().any(char::is_control) {
            Err("a name is non-empty and holds no control characters".into())
        } else {
            Ok(s.to_owned())
        }
    }

    pub fn main() -> std::process::ExitCode {
        let args = Args::parse();
        let token = mint(TokenKind::VaultToken);
        let key = admin_key(&reference(token.expose_secret()));
        let record = AdminCredential { company_id: args.company, role: args.role.into(), name: args.name };
        let value = serde_json::to_string(&record).expect("plain JSON");
        // Standard output that cannot be written is an error, never a panic: the credential exists
        // only once the KV record is loaded, so nothing is left behind.
        let print = |text: &str| {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            writeln!(out, "{text}").and_then(|()| out.flush()).is_ok()
        };
        let unwritten = || {
            eprintln!(
                "error: writing the credential to standard output failed: nothing was created (no KV record was loaded)"
            );
            std::process::ExitCode::FAILURE
        };
        if args.json {
            let line =
                serde_json::json!({"token": token.expose_secret(), "kv_key": key, "kv_value": value}).to_string();
            return if print(&line) { std::process::ExitCode::SUCCESS } else { unwritten() };
        }
        // Each argument quoted for a POSIX shell, so a name holding `'`, `"`, `$`, a backtick or a
        // space reaches KV exactly as given and never runs as code. Checked before the token is
        // printed, so a refused record prints no credential.
        let line = shlex::try_join(["npx", "wrangler", "kv", "key", "put", "--binding", "CONNECTIONS", &key, &value]);
        let Ok(line) = line else {
            eprintln!("error: the record holds a NUL byte and cannot be written as a shell line: use --json");
            return std::process::ExitCode::FAILURE;
        };
        if !print(token.expose_secret()) {
            return unwritten();
        }
        eprintln!("Admin credential printed above (shown once). Load its record into KV:");
        eprintln!("  {line}   # add --local for wrangler dev");
        std::process::ExitCode::SUCCESS
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
