//! How a failed command is shown and which exit code it gets.
//!
//! Commands return `anyhow::Error`. An error is a *refusal* (exit 1) when its chain contains a
//! [`Refused`]; everything else is a local or usage error (exit 2). A [`Hint`] anywhere in the
//! chain adds a `hint:` line naming the obvious next step.

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;

/// Exit code for a valid request that was refused or not found.
const EXIT_REFUSED: u8 = 1;
/// Exit code for usage and local errors (clap uses 2 too).
const EXIT_ERROR: u8 = 2;

/// Marks an error as a refusal of a well-formed request (bad signature, HTTP error, rejected tx).
#[derive(Debug)]
pub(crate) struct Refused(pub(crate) String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// A suggestion printed under the error, such as the command that fixes it.
#[derive(Debug)]
pub(crate) struct Hint {
    pub(crate) message: String,
    pub(crate) hint: String,
}

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Hint {}

/// The error's chain joined by `: `, each cause once: libraries' messages often name their
/// cause already (`"{}: {source}"`, also for logs and RPC answers), and printing that cause
/// again would repeat it.
fn chain_text(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let cause = cause.to_string();
        if text.ends_with(&cause) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    text
}

/// Prints the error chain once on stderr and returns the exit code it deserves.
pub(crate) fn report(error: &anyhow::Error) -> ExitCode {
    let mut stderr = io::stderr().lock();
    // A closed stderr leaves nothing to report to; the exit code still tells.
    let _ = writeln!(stderr, "yuma: {}", chain_text(error));
    // A marker may be the error itself or a context on it (`downcast_ref` sees contexts).
    let hint = error
        .downcast_ref::<Hint>()
        .or_else(|| error.chain().find_map(|e| e.downcast_ref::<Hint>()));
    if let Some(hint) = hint {
        let _ = writeln!(stderr, "hint: {}", hint.hint);
    }
    if error.downcast_ref::<Refused>().is_some() || error.chain().any(|e| e.is::<Refused>()) {
        ExitCode::from(EXIT_REFUSED)
    } else {
        ExitCode::from(EXIT_ERROR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("encrypted key file is truncated (6 bytes)")]
    struct Truncated;

    #[derive(Debug, thiserror::Error)]
    #[error("{path}: {source}")]
    struct InFile {
        path: &'static str,
        source: Truncated,
    }

    #[test]
    fn a_cause_named_by_its_error_is_printed_once() {
        let error = anyhow::Error::new(InFile {
            path: "/w/coldkey",
            source: Truncated,
        })
        .context("opening the wallet");
        assert_eq!(
            chain_text(&error),
            "opening the wallet: /w/coldkey: encrypted key file is truncated (6 bytes)"
        );
        let plain = anyhow::anyhow!("inner").context("outer");
        assert_eq!(chain_text(&plain), "outer: inner");
    }
}
