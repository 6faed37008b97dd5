//! Every known-answer vector in `tests/vectors/`, run natively through the rlib.

use std::path::PathBuf;

use hq_vault_core::conformance::{Native, Report, run_file};

#[test]
fn every_vector_passes_natively() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/vectors exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "expected every vector file, found {}", files.len());
    let mut report = Report::default();
    for f in &files {
        let name = f.file_name().unwrap().to_str().unwrap();
        report.merge(run_file(name, &std::fs::read_to_string(f).unwrap(), &mut Native));
    }
    assert!(report.failures.is_empty(), "{} failures:\n{}", report.failures.len(), report.failures.join("\n"));
    assert!(report.passed >= 600, "only {} cases ran", report.passed);
}
