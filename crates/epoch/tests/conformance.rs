//! Replays every conformance vector through both implementations and compares every expected
//! field exactly.
//!
//! The vectors are `tests/vectors/*.jsonl`; `tests/vectors/README.md` records where they come
//! from and their format.

use std::path::PathBuf;

use yuma_epoch::conformance::{self, Carry, Case};
use yuma_epoch::{Input, Output, Params};

fn vector_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors"))
}

fn load_cases() -> Vec<(String, Case)> {
    let dir = vector_dir();
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("conformance vectors not found at {} ({e})", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("reading the vector directory").path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .jsonl vectors in {}", dir.display());
    let mut cases = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("reading a vector file");
        let parsed =
            conformance::parse_jsonl(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let name = file
            .file_name()
            .expect("file name")
            .to_string_lossy()
            .into_owned();
        cases.extend(parsed.into_iter().map(|c| (name.clone(), c)));
    }
    cases
}

fn check(name: &str, epoch: fn(&Params, &Input) -> Result<Output, yuma_epoch::Error>) {
    let cases = load_cases();
    let mut failures = Vec::new();
    let mut steps = 0;
    for (file, case) in &cases {
        let outputs = conformance::replay(case, Carry::Expected, epoch)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        for (k, (step, got)) in case.steps.iter().zip(&outputs).enumerate() {
            let expected = step
                .expected
                .as_ref()
                .expect("every vector step has expected");
            steps += 1;
            for m in conformance::compare(&expected.output, got) {
                failures.push(format!(
                    "{file} {} step {k} {} uid {:?}: expected {} got {}",
                    case.id, m.field, m.uid, m.expected, m.got
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{name}: {} mismatches in {steps} steps:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(steps >= 100, "only {steps} steps found");
}

#[test]
fn reference_matches_every_vector() {
    check("reference", yuma_epoch::reference::run);
}

#[test]
fn fast_matches_every_vector() {
    check("fast", yuma_epoch::run);
}
