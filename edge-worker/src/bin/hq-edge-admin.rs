//! `hq-edge-admin`: mint an admin credential for the Worker's lifecycle routes and print the KV
//! record to load. The credential is printed once; KV keeps only its reference.
//!
//! Example:
//!   cargo run -p hq-vault-edge --bin hq-edge-admin -- --company acme --role owner --name alice
//!   (then run the printed `npx wrangler kv key put …` line)
#![forbid(unsafe_code)]

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use hq_vault_core::tokens::{TokenKind, mint, reference};
    use hq_vault_edge::model::{AdminCredential, Role, admin_key, valid_id};

    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let usage = "usage: hq-edge-admin --company ID --role owner|admin|member [--name NAME] [--json]";
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{usage}\n\nExample:\n  hq-edge-admin --company acme --role owner --name alice");
        return std::process::ExitCode::SUCCESS;
    }
    let (Some(company), Some(role)) = (get("--company"), get("--role")) else {
        eprintln!("{usage}");
        return std::process::ExitCode::FAILURE;
    };
    if !valid_id(&company) {
        eprintln!("error: a company id is 1-64 of a-z, 0-9, `_`, `-`");
        return std::process::ExitCode::FAILURE;
    }
    let role = match role.as_str() {
        "owner" => Role::Owner,
        "admin" => Role::Admin,
        "member" => Role::Member,
        _ => {
            eprintln!("error: --role is owner, admin or member");
            return std::process::ExitCode::FAILURE;
        }
    };
    let name = get("--name").unwrap_or_else(|| "admin".into());
    if name.is_empty() || name.chars().any(char::is_control) {
        eprintln!("error: --name is a non-empty name without control characters");
        return std::process::ExitCode::FAILURE;
    }
    let token = mint(TokenKind::VaultToken);
    let key = admin_key(&reference(token.expose_secret()));
    let value = serde_json::to_string(&AdminCredential { company_id: company, role, name }).expect("plain JSON");
    if args.iter().any(|a| a == "--json") {
        println!("{}", serde_json::json!({"token": token.expose_secret(), "kv_key": key, "kv_value": value}));
    } else {
        println!("{}", token.expose_secret());
        eprintln!("Admin credential printed above (shown once). Load its record into KV:");
        // Each argument quoted for a POSIX shell, so a name holding `'`, `"`, `$`, a backtick or a
        // space reaches KV exactly as given and never runs as code.
        let line = shlex::try_join(["npx", "wrangler", "kv", "key", "put", "--binding", "CONNECTIONS", &key, &value]);
        let Ok(line) = line else {
            eprintln!("error: the record holds a NUL byte and cannot be written as a shell line: use --json");
            return std::process::ExitCode::FAILURE;
        };
        eprintln!("  {line}   # add --local for wrangler dev");
    }
    std::process::ExitCode::SUCCESS
}

#[cfg(target_arch = "wasm32")]
fn main() {}
