//! Helpers to run the real `yuma` binary and check its exit code.

use std::process::{Command, Output};

/// Runs `yuma` with `args`.
pub(crate) fn yuma(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yuma"))
        .args(args)
        .output()
        .expect("running the yuma binary")
}

/// Runs `yuma`, asserts exit 0, and returns stdout.
pub(crate) fn yuma_ok(args: &[&str]) -> String {
    let out = yuma(args);
    assert!(
        out.status.success(),
        "yuma {args:?} failed with {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

/// Runs `yuma`, asserts exit `code`, and returns stderr.
pub(crate) fn yuma_err(args: &[&str], code: i32) -> String {
    let out = yuma(args);
    assert_eq!(
        out.status.code(),
        Some(code),
        "yuma {args:?}\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stderr).expect("stderr is UTF-8")
}
