//! Runs the real `yuma` binary.

use std::process::Command;

/// Runs `yuma args`, expects exit 0, returns stdout.
pub(crate) fn yuma_ok(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_yuma"))
        .args(args)
        .output()
        .expect("runs the yuma binary");
    assert!(
        out.status.success(),
        "yuma {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

/// Runs `yuma args`, expects exit `code`, returns stderr.
pub(crate) fn yuma_err(args: &[&str], code: i32) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_yuma"))
        .args(args)
        .output()
        .expect("runs the yuma binary");
    assert_eq!(out.status.code(), Some(code), "yuma {args:?}");
    String::from_utf8(out.stderr).expect("stderr is UTF-8")
}
