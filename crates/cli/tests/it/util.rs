//! Helpers shared by the integration tests: run `yuma`, run the Python interop scripts.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// A `yuma` command with a clean environment for wallet flags.
pub(crate) fn yuma() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_yuma"));
    for var in [
        "YUMA_WALLET_PATH",
        "YUMA_WALLET_NAME",
        "YUMA_HOTKEY",
        "YUMA_WALLET_PASSWORD",
    ] {
        command.env_remove(var);
    }
    command
}

fn run(args: &[&str]) -> Output {
    yuma()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the yuma binary runs")
}

/// Runs `yuma args` and returns its stdout; fails the test unless it exits 0.
pub(crate) fn yuma_ok(args: &[&str]) -> String {
    let output = run(args);
    assert!(
        output.status.success(),
        "yuma {args:?} failed with {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("stdout is UTF-8")
}

/// Runs `yuma args` and returns its stderr; fails the test unless it exits with `code`.
pub(crate) fn yuma_err(args: &[&str], code: i32) -> String {
    let output = run(args);
    assert_eq!(
        output.status.code(),
        Some(code),
        "yuma {args:?}: stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stderr).expect("stderr is UTF-8")
}

/// The Python interpreter with `bittensor` and `bittensor-wallet` installed (`scripts/test`
/// sets `YUMA_PYTHON`).
pub(crate) fn python() -> Command {
    let python = std::env::var_os("YUMA_PYTHON").expect(
        "YUMA_PYTHON is not set: run the interop tests through scripts/test, or point it at a \
         Python with bittensor v11 and bittensor-wallet v4 installed",
    );
    Command::new(python)
}

/// Path of a script in `crates/cli/tests/interop/`.
pub(crate) fn interop_script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/interop")
        .join(name)
}

/// Runs an interop script with `input` as JSON on stdin and returns its JSON stdout.
pub(crate) fn run_python(script: &str, input: &serde_json::Value) -> serde_json::Value {
    let mut child = python()
        .arg(interop_script(script))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("YUMA_PYTHON starts");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.to_string().as_bytes())
        .expect("script reads its input");
    let output = child.wait_with_output().expect("script finishes");
    assert!(
        output.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("script prints JSON")
}
