//! `yuma localnet --config`: subnets declared in a file, here the Python package's tabular task
//! with three scikit-learn miners of known, different quality (gradient boosting, linear,
//! constant), next to the built-in task with two built-in models.

use std::time::Duration;

use serde_json::Value;

use crate::localnet::Localnet;

/// The config: commands with the interop venv's Python (it has scikit-learn) and absolute
/// paths.
fn config() -> String {
    let python = std::env::var("YUMA_PYTHON").expect("YUMA_PYTHON (run scripts/test)");
    let package = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../python");
    let run = |script: &str, args: &str| {
        format!(
            "PYTHONPATH={} {python} -u {} {args}",
            package.display(),
            package.join("examples").join(script).display()
        )
    };
    let miner = |name: &str| {
        format!(
            "[[subnet.miner]]\nname = \"{name}\"\nbackend_cmd = \"{}\"\n",
            run("sklearn_miner.py", &format!("--model {name}"))
        )
    };
    format!(
        "[[subnet]]\nname = \"sklearn\"\ntask_cmd = \"{}\"\n{}{}{}\n\
         [[subnet]]\nname = \"builtin\"\n\
         [[subnet.miner]]\nname = \"forest\"\nmodel = \"forest\"\n\
         [[subnet.miner]]\nname = \"mean\"\nmodel = \"mean\"\n",
        run("tabular_task.py", ""),
        miner("gbm"),
        miner("linear"),
        miner("constant")
    )
}

/// The share of its subnet's miner emission each miner earned, by miner name.
fn shares(subnet: &Value) -> Vec<(String, f64)> {
    let miners = subnet["miners"].as_array().expect("miners");
    let total: f64 = miners
        .iter()
        .map(|m| m["emission"].as_f64().unwrap_or(0.0))
        .sum();
    miners
        .iter()
        .map(|m| {
            let name = m["name"].as_str().expect("a name").to_owned();
            (name, m["emission"].as_f64().unwrap_or(0.0) / total.max(1.0))
        })
        .collect()
}

#[test]
#[ignore = "needs YUMA_PYTHON with scikit-learn (run scripts/test)"]
fn python_miners_on_a_python_task_earn_in_order_of_quality() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("localnet.toml");
    std::fs::write(&file, config()).expect("writes the config");
    let file = file.display().to_string();
    let net = Localnet::start(
        &dir.path().join("net"),
        &["--epochs", "6", "--config", &file],
    );
    let report = net.finish(Duration::from_secs(400));
    let subnets = report["subnets"].as_array().expect("every subnet");
    assert_eq!(subnets.len(), 2, "{report:#}");
    let python = &subnets[0];
    assert_eq!(python["name"], "sklearn");
    let rho = python["spearman"]
        .as_f64()
        .unwrap_or_else(|| panic!("{report:#}"));
    assert!(rho >= 0.9, "spearman {rho}: {report:#}");
    let shares = shares(python);
    let constant = shares.iter().find(|(n, _)| n == "sklearn-miner-constant");
    assert!(
        constant.is_some_and(|(_, s)| *s < 0.01),
        "{shares:?}: {report:#}"
    );
    let builtin = &subnets[1];
    assert_eq!(builtin["name"], "builtin");
    assert!(builtin["netuid"] != python["netuid"], "{report:#}");
    assert_eq!(builtin["miners"].as_array().map(Vec::len), Some(2));
}
