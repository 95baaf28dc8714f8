//! Command output on stdout: JSON documents for scripts, lines for people. Output is written
//! whole and flushed; a stdout closed early (`yuma ... | head`) ends the output quietly
//! instead of failing the command.

use std::io::{self, Write};

use serde::Serialize;

/// Prints `value` as one JSON document on its own line.
///
/// # Errors
/// When stdout fails for another reason than being closed, or `value` cannot be encoded.
pub fn json(value: &impl Serialize) -> io::Result<()> {
    let text = serde_json::to_string(value)?;
    line(&text)
}

/// Prints one line.
///
/// # Errors
/// When stdout fails for another reason than being closed.
pub fn line(text: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    quiet_when_closed(writeln!(stdout, "{text}").and_then(|()| stdout.flush()))
}

/// Prints `data` as it is (a response body, say).
///
/// # Errors
/// When stdout fails for another reason than being closed.
pub fn bytes(data: &[u8]) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    quiet_when_closed(stdout.write_all(data).and_then(|()| stdout.flush()))
}

/// Prints lines, stopping at the first that cannot be written.
///
/// # Errors
/// When stdout fails for another reason than being closed.
pub fn lines<S: AsRef<str>>(lines: impl IntoIterator<Item = S>) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    let written = lines
        .into_iter()
        .try_for_each(|l| writeln!(stdout, "{}", l.as_ref()))
        .and_then(|()| stdout.flush());
    quiet_when_closed(written)
}

/// A closed stdout is not an error: the reader has what it wanted.
fn quiet_when_closed(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
