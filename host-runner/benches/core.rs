//! The same operations natively and through the component in wasmtime; prints a table.
//!
//! Run: `cargo bench -p hq-vault --bench core`. Not a test: nothing here passes or fails.

use std::hint::black_box;
use std::time::{Duration, Instant};

use hq_vault::host::CoreHost;
use hq_vault_core::{audit, crypto, patterns, tokens};

/// Median time per operation over `rounds` batches of `iters`.
fn time(rounds: usize, iters: usize, mut f: impl FnMut()) -> Duration {
    let mut samples = Vec::with_capacity(rounds);
    f();
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..iters {
            f();
        }
        samples.push(t.elapsed() / iters as u32);
    }
    samples.sort();
    samples[rounds / 2]
}

fn fmt(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns < 10_000 {
        format!("{ns} ns")
    } else if ns < 10_000_000 {
        format!("{:.1} µs", ns as f64 / 1e3)
    } else {
        format!("{:.1} ms", ns as f64 / 1e6)
    }
}

fn main() {
    let host = CoreHost::new(None).expect("component compiles");
    let mut inst = host.instance().expect("instance");
    let pats: Vec<String> = (0..64).map(|i| format!("area{i:02}/*")).collect();
    let minted = tokens::mint(tokens::TokenKind::ConnectionKey);
    let token = minted.expose_secret().to_owned();
    let (nkey, _) = crypto::MasterKey::create(b"pw", crypto::KdfParams::fresh(1, 64, 1)).unwrap();
    let (wkey, _) = inst.create_vault("pw", 1, 64, 1).unwrap().unwrap();
    let kib = vec![7u8; 1024];
    let mib = vec![7u8; 1024 * 1024];
    let sealed_kib_n = nkey.seal(&kib, b"a/b").unwrap();
    let sealed_kib_w = inst.seal(&wkey, &kib, b"a/b").unwrap().unwrap();
    let salt = [9u8; 16];

    let mut rows: Vec<(String, Duration, Duration)> = Vec::new();
    let mut row = |name: &str, n: Duration, w: Duration| rows.push((name.to_owned(), n, w));

    row(
        "no-argument call (tokens.token-length)",
        time(15, 50_000, || {
            black_box(black_box(tokens::TOKEN_LEN) as u32);
        }),
        time(15, 50_000, || {
            black_box(inst.token_length().unwrap());
        }),
    );
    row(
        "no-argument call returning 64 B (audit.genesis)",
        time(15, 20_000, || {
            black_box(audit::genesis());
        }),
        time(15, 20_000, || {
            black_box(inst.audit_genesis().unwrap());
        }),
    );
    row(
        "allows, 64 patterns (miss)",
        time(15, 5_000, || {
            black_box(patterns::allows(&pats, "zzz/key.md"));
        }),
        time(15, 5_000, || {
            black_box(inst.allows(&pats, "zzz/key.md").unwrap());
        }),
    );
    row(
        "token reference (SHA-256)",
        time(15, 20_000, || {
            black_box(tokens::reference(&token));
        }),
        time(15, 20_000, || {
            black_box(inst.reference(&token).unwrap());
        }),
    );
    row(
        "seal 1 KiB",
        time(15, 5_000, || {
            black_box(nkey.seal(&kib, b"a/b").unwrap());
        }),
        time(15, 5_000, || {
            black_box(inst.seal(&wkey, &kib, b"a/b").unwrap().unwrap());
        }),
    );
    row(
        "open 1 KiB",
        time(15, 5_000, || {
            black_box(nkey.open(&sealed_kib_n, b"a/b").unwrap());
        }),
        time(15, 5_000, || {
            black_box(inst.open(&wkey, &sealed_kib_w, b"a/b").unwrap().unwrap());
        }),
    );
    row(
        "seal 1 MiB",
        time(9, 10, || {
            black_box(nkey.seal(&mib, b"a/b").unwrap());
        }),
        time(9, 10, || {
            black_box(inst.seal(&wkey, &mib, b"a/b").unwrap().unwrap());
        }),
    );
    row(
        "Argon2id unlock (t=3, m=256 MiB, p=1)",
        time(3, 1, || {
            let mut out = [0u8; 32];
            crypto::argon2id(b"passphrase", &salt, &[], &[], 3, 262_144, 1, &mut out).unwrap();
            black_box(out);
        }),
        time(3, 1, || {
            black_box(inst.argon2id(b"passphrase", &salt, &[], &[], 3, 262_144, 1, 32).unwrap().unwrap());
        }),
    );

    // What each request's key-free work pays for its own short-lived instance.
    let fresh = time(9, 2_000, || {
        let mut i = host.instance().unwrap();
        black_box(i.token_length().unwrap());
    });

    println!("| operation | native | component (wasmtime) | ratio |");
    println!("|---|---:|---:|---:|");
    for (name, n, w) in rows {
        println!("| {name} | {} | {} | {:.2}× |", fmt(n), fmt(w), w.as_secs_f64() / n.as_secs_f64());
    }
    println!("| a fresh instance from the InstancePre (pooling allocator) and one call | — | {} | — |", fmt(fresh));
}
