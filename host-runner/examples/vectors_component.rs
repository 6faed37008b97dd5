//! Write the component of the `vectors` world (the core and its known-answer entry points) to a
//! file, for the other hosts' vector runs (bindings/node, bindings/python): `cargo run -p hq-vault
//! --example vectors_component -- OUT.wasm`. The daemon never holds these bytes; it embeds the
//! `core` world only (`hq-vault component`).

fn main() -> std::process::ExitCode {
    let Some(out) = std::env::args_os().nth(1) else {
        eprintln!("usage: vectors_component OUT.wasm");
        return std::process::ExitCode::from(2);
    };
    let bytes = include_bytes!(env!("HQ_VAULT_VECTORS_COMPONENT"));
    if let Err(e) = std::fs::write(&out, bytes) {
        eprintln!("writing {}: {e}", std::path::Path::new(&out).display());
        return std::process::ExitCode::FAILURE;
    }
    eprintln!(
        "Wrote the hq:vault vectors component ({} bytes) to {}",
        bytes.len(),
        std::path::Path::new(&out).display()
    );
    std::process::ExitCode::SUCCESS
}
