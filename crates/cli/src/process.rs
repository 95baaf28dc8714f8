//! `yuma` processes started by `yuma` (localnet's children, the consensus benchmark's
//! validators) and by its integration tests: the ready line each service prints, free ports,
//! and a child whose stderr is read line by line.

use std::ffi::OsStr;
use std::io::{self, BufRead, BufReader};
use std::net::{Ipv4Addr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A service's ready line on stderr: this prefix, then its address or subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ready {
    /// `yuma node`: `yuma: rpc listening on http://ADDR`.
    Rpc,
    /// `yuma miner`: `yuma: miner listening on http://ADDR`.
    Miner,
    /// `yuma gateway`: `yuma: gateway listening on http://ADDR`.
    Gateway,
    /// `yuma validator`: `yuma: validator running on subnet N`.
    Validator,
}

impl Ready {
    /// The line's fixed start.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Rpc => "yuma: rpc listening on ",
            Self::Miner => "yuma: miner listening on ",
            Self::Gateway => "yuma: gateway listening on ",
            Self::Validator => "yuma: validator running on subnet ",
        }
    }

    /// Prints the ready line with `rest` (a URL, a subnet) on stderr.
    pub fn announce(self, rest: impl std::fmt::Display) {
        eprintln!("{}{rest}", self.prefix());
    }
}

/// `n` distinct free loopback ports (free when probed: another process may take one before
/// it is used, so callers bind them soon).
///
/// # Errors
/// When the system has no free port to give.
pub fn free_ports(n: usize) -> io::Result<Vec<u16>> {
    // Hold every probe until all are chosen, so no port is handed out twice.
    let listeners = (0..n)
        .map(|_| TcpListener::bind((Ipv4Addr::LOCALHOST, 0)))
        .collect::<io::Result<Vec<_>>>()?;
    listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()))
        .collect()
}

/// The first of `n` consecutive free loopback ports (chain specs number their validators'
/// ports from a base).
///
/// # Errors
/// When no run of `n` free ports turns up in 100 tries.
pub fn free_port_block(n: u16) -> io::Result<u16> {
    for _ in 0..100 {
        let base = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
            .local_addr()?
            .port();
        if base <= u16::MAX - n
            && (0..n).all(|i| TcpListener::bind((Ipv4Addr::LOCALHOST, base + i)).is_ok())
        {
            return Ok(base);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AddrNotAvailable,
        format!("no {n} consecutive free loopback ports"),
    ))
}

/// A running process whose stderr is read line by line on a thread; killed when dropped.
pub struct Process {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// Every stderr line read so far.
    pub seen: Vec<String>,
}

impl Process {
    /// Starts `exe args` with stdin and stdout discarded.
    ///
    /// # Errors
    /// When the program cannot start.
    pub fn start<S: AsRef<OsStr>>(exe: &Path, args: &[S]) -> io::Result<Self> {
        let mut command = Command::new(exe);
        command.args(args).stdout(Stdio::null());
        Self::spawn(command, None)
    }

    /// Starts `command` (its stdout as the caller set it), reading its stderr; with `echo`,
    /// each line is also printed on this process's stderr with that prefix.
    ///
    /// # Errors
    /// When the program cannot start.
    pub fn spawn(mut command: Command, echo: Option<&'static str>) -> io::Result<Self> {
        let mut child = command
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let stderr = child
            .stderr
            .take()
            .ok_or_else(|| io::Error::other("the child's stderr is not piped"))?;
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(prefix) = echo {
                    eprintln!("[{prefix}] {line}");
                }
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Self {
            child,
            lines,
            seen: Vec::new(),
        })
    }

    /// Waits for the `ready` line and returns what follows its prefix.
    ///
    /// # Errors
    /// When the line does not come `within` (or the process ends first).
    pub fn wait_ready(&mut self, ready: Ready, within: Duration) -> io::Result<String> {
        let line = self.wait_for_line(ready.prefix(), within)?;
        Ok(line
            .split_once(ready.prefix())
            .map_or(line.as_str(), |(_, rest)| rest)
            .to_string())
    }

    /// Waits for a stderr line containing `needle` and returns it.
    ///
    /// # Errors
    /// When no such line comes `within` (or the process ends first); the error lists the
    /// lines seen.
    pub fn wait_for_line(&mut self, needle: &str, within: Duration) -> io::Result<String> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return Ok(line);
                    }
                }
                Err(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!(
                            "no stderr line with {needle:?} within {within:?}; saw:\n{}",
                            self.seen.join("\n")
                        ),
                    ));
                }
            }
        }
    }

    /// Adds the stderr lines already read to `seen`, without waiting.
    pub fn drain(&mut self) {
        self.seen.extend(self.lines.try_iter());
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// The child, for signals and waiting.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Kills the process (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_ports_are_distinct_and_blocks_consecutive() {
        let mut unique = free_ports(5).expect("free ports");
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 5);
        let base = free_port_block(4).expect("a block");
        for i in 0..4 {
            TcpListener::bind((Ipv4Addr::LOCALHOST, base + i)).expect("the block is free");
        }
    }

    #[test]
    fn waits_for_the_ready_line_and_reports_what_it_saw() {
        let mut p = Process::start(
            Path::new("/bin/sh"),
            &[
                "-c",
                "echo starting >&2; echo 'yuma: miner listening on http://x:1' >&2; sleep 5",
            ],
        )
        .expect("sh starts");
        let url = p
            .wait_ready(Ready::Miner, Duration::from_secs(5))
            .expect("the ready line");
        assert_eq!(url, "http://x:1");
        assert!(p.running());
        let err = p
            .wait_for_line("never", Duration::from_millis(50))
            .expect_err("no such line");
        assert!(err.to_string().contains("starting"), "{err}");
        p.kill();
        assert!(!p.running());
    }
}
