//! Replays the saved fuzz corpus (`fuzz/corpus/<target>/`, minimized by `scripts/fuzz`) and the
//! regression inputs (`fuzz/regressions/<target>/`, inputs that once crashed a target) through the
//! target functions, as ordinary tests on stable Rust: every input must pass every property again.

use std::path::{Path, PathBuf};

use hq_vault_fuzz_targets::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    files.sort();
    files
}

fn replay(target: &str) {
    let run = TARGETS.iter().find(|(name, _)| *name == target).expect("a known target").1;
    let corpus = inputs(&fuzz_dir().join("corpus").join(target));
    assert!(!corpus.is_empty(), "fuzz/corpus/{target}/ is empty: run scripts/fuzz");
    let regressions = inputs(&fuzz_dir().join("regressions").join(target));
    for file in corpus.iter().chain(&regressions) {
        let data = std::fs::read(file).unwrap();
        if std::panic::catch_unwind(|| run(&data)).is_err() {
            panic!("{} fails {target} again", file.display());
        }
    }
}

#[test]
fn every_target_has_a_replay_test() {
    let names: Vec<&str> = TARGETS.iter().map(|(n, _)| *n).collect();
    let source = include_str!("replay.rs");
    for n in &names {
        assert!(source.contains(&format!("fn {n}()")), "no replay test for {n}");
        let bin = fuzz_dir().join("fuzz_targets").join(format!("{n}.rs"));
        assert!(bin.is_file(), "no cargo-fuzz target {}", bin.display());
    }
}

#[test]
fn pattern_normalize() {
    replay("pattern_normalize");
}

#[test]
fn key_check() {
    replay("key_check");
}

#[test]
fn token_parse() {
    replay("token_parse");
}

#[test]
fn duration() {
    replay("duration");
}

#[test]
fn range() {
    replay("range");
}

#[test]
fn query() {
    replay("query");
}

#[test]
fn cursor() {
    replay("cursor");
}

#[test]
fn audit_verify() {
    replay("audit_verify");
}

#[test]
fn request_bodies() {
    replay("request_bodies");
}

#[test]
fn envfile() {
    replay("envfile");
}
