//! Reading newline-terminated lines of bounded length, safely inside `select!`.

use tokio::io::{AsyncBufRead, AsyncBufReadExt as _};

/// A line longer than the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TooLong;

/// Lines from `reader`, each at most `max` bytes (without its newline).
pub(super) struct Lines<R> {
    reader: R,
    max: usize,
    /// The line read so far: kept across calls, so a `next` cancelled by `select!` loses
    /// nothing.
    partial: Vec<u8>,
    /// Whether the rest of an over-long line is being skipped.
    skipping: bool,
}

impl<R: AsyncBufRead + Unpin> Lines<R> {
    pub(super) fn new(reader: R, max: usize) -> Self {
        Self {
            reader,
            max,
            partial: Vec::new(),
            skipping: false,
        }
    }

    /// The next line without its newline; `Ok(None)` at the end of the input (a last line
    /// without a newline is returned first). A line over the limit is [`TooLong`] once, and
    /// reading goes on after it. Cancel-safe.
    pub(super) async fn next(&mut self) -> std::io::Result<Result<Option<Vec<u8>>, TooLong>> {
        loop {
            let available = self.reader.fill_buf().await?;
            if available.is_empty() {
                if self.partial.is_empty() {
                    return Ok(Ok(None));
                }
                return Ok(Ok(Some(std::mem::take(&mut self.partial))));
            }
            let (take, done) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            if self.skipping {
                self.reader.consume(take);
                self.skipping = !done;
                continue;
            }
            self.partial.extend_from_slice(&available[..take]);
            self.reader.consume(take);
            if done {
                self.partial.pop();
            }
            if self.partial.len() > self.max {
                self.partial.clear();
                self.skipping = !done;
                return Ok(Err(TooLong));
            }
            if done {
                return Ok(Ok(Some(std::mem::take(&mut self.partial))));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn splits_lines_and_refuses_long_ones() {
        let input: &[u8] = b"one\ntwo\nthis line is too long\nthree\nlast";
        let mut lines = Lines::new(input, 8);
        let mut got = Vec::new();
        loop {
            match lines.next().await.expect("reads") {
                Ok(Some(line)) => got.push(String::from_utf8(line).expect("utf-8")),
                Ok(None) => break,
                Err(TooLong) => got.push("<too long>".into()),
            }
        }
        assert_eq!(got, ["one", "two", "<too long>", "three", "last"]);
    }
}
