//! `yuma sim`: scenario runs, JSON output and the `--all` report.

use crate::util::{yuma_err, yuma_ok};

const COPIER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../sim/scenarios/copier.toml");

#[test]
fn runs_a_scenario_file_with_overrides_as_json() {
    let out = yuma_ok(&[
        "sim",
        COPIER,
        "--json",
        "--epochs",
        "20",
        "--variant",
        "yuma3",
        "--reveal-delay",
        "2",
    ]);
    let report: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(report["variant"], "yuma3");
    assert_eq!(report["reveal_delay"], 2);
    assert_eq!(report["epochs"], 20);
    assert_eq!(report["agents"].as_array().map(Vec::len), Some(80));
    assert!(report["measures"]["copier_gain_ppm"].as_u64().is_some());
}

#[test]
fn prints_a_table_for_a_builtin_name() {
    let out = yuma_ok(&["sim", "cabal-30", "--epochs", "10"]);
    assert!(out.contains("cabal validator"), "{out}");
    assert!(out.contains("cabal miners get"), "{out}");
    assert!(out.contains("Spearman"), "{out}");
}

#[test]
fn writes_the_all_report_as_markdown() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("report.md");
    let path = file.to_str().expect("UTF-8 temp path");
    yuma_ok(&["sim", "--all", "--epochs", "8", "--out", path]);
    let text = std::fs::read_to_string(&file).expect("report written");
    assert!(text.starts_with("| scenario | variant |"), "{text}");
    assert!(text.contains("| copier | yuma3-liquid | 3 |"), "{text}");
    assert!(
        text.contains("| copier-drift | yuma3-liquid-anticopy | 3 |"),
        "{text}"
    );
}

#[test]
fn refuses_unknown_scenarios_and_variants() {
    let err = yuma_err(&["sim", "no-such-scenario"], 2);
    assert!(err.contains("no-such-scenario"), "{err}");
    let err = yuma_err(&["sim", "copier", "--variant", "yuma4"], 2);
    assert!(err.contains("yuma4"), "{err}");
}

#[test]
fn scores_by_shapley_value_on_request() {
    let out = yuma_ok(&["sim", "sybil-k4", "--scoring", "shapley", "--epochs", "6"]);
    assert!(out.contains("scoring shapley"), "{out}");
    assert!(out.contains("sybil gain = "), "{out}");
    let err = yuma_err(&["sim", "sybil-k4", "--scoring", "marginal"], 2);
    assert!(err.contains("marginal"), "{err}");
}
