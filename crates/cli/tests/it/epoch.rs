//! `yuma epoch run|check` and `yuma bench epoch`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use std::process::Output;

use crate::util::{yuma, yuma_err, yuma_ok};

/// A two-step classic-bonds case: one validator (uid 0) weighting two miners.
const CASE: &str = r#"{"id":"two_steps","tags":["test"],"pipeline":"sparse","n":3,
"params":{"tempo":100,"activity_cutoff":1000,"kappa":32767,"bonds_penalty":65535,
"bonds_moving_average":900000,"max_allowed_validators":3,"liquid_alpha_enabled":false,
"alpha_low":45875,"alpha_high":58982,"alpha_sigmoid_steepness":1000,"yuma3_enabled":false,
"stake_threshold":0,"owner_uid":null,"rao_emission":1000000000},
"initial":{"validator_permit":[true,false,false],"bonds":[[],[],[]]},
"steps":[
 {"current_block":500,"last_mechanism_step_block":0,"stake":[1000,0,0],
  "last_update":[499,499,499],"block_at_registration":[0,0,0],
  "weights_set":[[0,[[1,65535],[2,21845]]]]},
 {"current_block":600,"last_mechanism_step_block":500,"stake":[1000,0,0],
  "last_update":[599,599,599],"block_at_registration":[0,0,0],"weights_set":[]}]}"#;

fn one_line(case: &str) -> String {
    case.replace('\n', "")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("writing a test file");
    path
}

/// The case with `expected` filled in from `yuma epoch run`.
fn case_with_expected(dir: &Path) -> Value {
    let input = write(dir, "in.jsonl", &format!("{}\n", one_line(CASE)));
    let out: Value = serde_json::from_str(yuma_ok(&["epoch", "run", path(&input)]).trim())
        .expect("run prints JSON");
    let mut case: Value = serde_json::from_str(CASE).expect("test case is JSON");
    for (step, got) in case["steps"]
        .as_array_mut()
        .expect("steps")
        .iter_mut()
        .zip(out["steps"].as_array().expect("steps"))
    {
        step["expected"] = got.clone();
    }
    case
}

/// Runs `yuma args` whatever its exit code.
fn run(args: &[&str]) -> Output {
    yuma().args(args).output().expect("the yuma binary runs")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

#[test]
fn run_prints_one_line_per_case() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(
        dir.path(),
        "cases.jsonl",
        &format!("{}\n\n{}\n", one_line(CASE), one_line(CASE)),
    );
    let stdout = yuma_ok(&["epoch", "run", path(&file)]);
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 2);
    let steps = lines[0]["steps"].as_array().expect("steps");
    assert_eq!(lines[0]["id"], "two_steps");
    assert_eq!(steps.len(), 2);
    // The validator earns all dividends; the miner with the larger weight the most incentive.
    assert_eq!(steps[0]["dividends"], serde_json::json!([65535, 0, 0]));
    assert_eq!(steps[0]["incentive"], serde_json::json!([0, 49151, 16383]));
    assert_eq!(
        steps[1]["bonds"][0],
        serde_json::json!([[1, 65535], [2, 65535]])
    );
    for field in [
        "active",
        "stake_weight",
        "validator_permit",
        "consensus",
        "validator_trust",
        "server_emission",
        "validator_emission",
        "emission",
    ] {
        assert_eq!(steps[1][field].as_array().map(Vec::len), Some(3), "{field}");
    }
    // A single .json case, with the reference implementation, gives the same line.
    let single = write(dir.path(), "case.json", CASE);
    let reference = yuma_ok(&["epoch", "run", "--reference", path(&single)]);
    assert_eq!(reference.lines().next(), stdout.lines().next());
}

#[test]
fn check_exits_0_when_every_step_matches() {
    let dir = tempfile::tempdir().expect("temp dir");
    let case = case_with_expected(dir.path());
    let file = write(dir.path(), "ok.jsonl", &format!("{case}\n"));
    let stdout = yuma_ok(&["epoch", "check", path(&file)]);
    assert_eq!(stdout.trim(), "1 cases, 2 steps checked: all match");
    let json: Value =
        serde_json::from_str(&yuma_ok(&["epoch", "check", "--json", path(&file)])).expect("JSON");
    assert_eq!(json["ok"], true);
    assert_eq!(json["steps"], 2);
}

#[test]
fn check_reports_each_mismatch_and_exits_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut case = case_with_expected(dir.path());
    case["steps"][1]["expected"]["incentive"][2] = Value::from(7);
    case["steps"][0]["expected"]["emission"][0] = Value::from(1);
    let file = write(dir.path(), "bad.jsonl", &format!("{case}\n"));
    let out = run(&["epoch", "check", path(&file)]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("case two_steps step 0 emission uid 0: expected 1, got "),
        "{stdout}"
    );
    assert!(
        stdout.contains("case two_steps step 1 incentive uid 2: expected 7, got 16383"),
        "{stdout}"
    );
    assert!(stdout.contains("2 mismatches"), "{stdout}");

    let out = run(&["epoch", "check", "--json", path(&file)]);
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(json["ok"], false);
    let first = &json["mismatches"][0];
    assert_eq!(
        (
            &first["case"],
            &first["step"],
            &first["field"],
            &first["uid"]
        ),
        (
            &Value::from("two_steps"),
            &Value::from(0),
            &Value::from("emission"),
            &Value::from(0)
        )
    );
}

#[test]
fn malformed_cases_name_the_line_and_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = one_line(CASE).replace(r#""stake":[1000,0,0],"#, "");
    let file = write(
        dir.path(),
        "broken.jsonl",
        &format!("{}\n{broken}\n", one_line(CASE)),
    );
    let stderr = yuma_err(&["epoch", "run", path(&file)], 2);
    assert!(stderr.contains("line 2"), "{stderr}");
    assert!(stderr.contains("missing field `stake`"), "{stderr}");

    let short = one_line(CASE).replace("[1000,0,0]", "[1000,0]");
    let file = write(dir.path(), "short.jsonl", &format!("{short}\n"));
    let stderr = yuma_err(&["epoch", "check", path(&file)], 2);
    assert!(
        stderr.contains("step 0: stake has 2 entries, expected n = 3"),
        "{stderr}"
    );

    let stderr = yuma_err(&["epoch", "run", "/nonexistent/cases.jsonl"], 2);
    assert!(
        stderr.contains("reading /nonexistent/cases.jsonl"),
        "{stderr}"
    );
}

#[test]
fn bench_epoch_reports_every_variant() {
    let stdout = yuma_ok(&[
        "bench",
        "epoch",
        "--runs",
        "1",
        "--max-uids",
        "256",
        "--json",
    ]);
    let json: Value = serde_json::from_str(&stdout).expect("one JSON document");
    let timings = json["timings"].as_array().expect("timings");
    // n = 256 with three variants, fast and reference.
    assert_eq!(timings.len(), 6);
    for t in timings {
        assert_eq!(t["validators"], 64);
        assert!(t["median_ns"].as_u64().is_some_and(|ns| ns > 0), "{t}");
    }
}

#[test]
fn a_refused_case_is_its_own_error_and_the_others_still_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Two uids of 2^63 - 1 rao each: a total stake past i64::MAX, which the epoch refuses.
    let huge = one_line(CASE).replace("two_steps", "huge_stake").replacen(
        "[1000,0,0]",
        "[9223372036854775807,9223372036854775807,0]",
        1,
    );
    let file = write(
        dir.path(),
        "mixed.jsonl",
        &format!("{huge}\n{}\n", one_line(CASE)),
    );
    let out = run(&["epoch", "run", path(&file)]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON lines"))
        .collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert_eq!(lines[0]["id"], "huge_stake");
    let error = lines[0]["error"]
        .as_str()
        .expect("an error for the refused case");
    assert!(error.contains("step 0: total stake"), "{error}");
    assert!(lines[0].get("steps").is_none());
    assert_eq!(lines[1]["id"], "two_steps");
    assert_eq!(lines[1]["steps"].as_array().map(Vec::len), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 of 2 cases"), "{stderr}");

    let out = run(&["epoch", "check", "--json", path(&file)]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value =
        serde_json::from_slice(&out.stdout).expect("check --json prints one document");
    assert_eq!(report["ok"], false);
    assert_eq!(report["errors"][0]["case"], "huge_stake");
    assert_eq!(report["cases"], 2);
}
