//! The neurons as child processes of the same `yuma` executable: started with their output in
//! a log file, watched for their ready line, restarted with a backoff when they die, and
//! stopped (SIGTERM, then SIGKILL after a grace period) and reaped on shutdown.
//!
//! Children run in their own process group, so a Ctrl-C in the terminal reaches only
//! localnet, which then stops them in order. On Linux each child also asks the kernel for a
//! SIGTERM when localnet dies (`PR_SET_PDEATHSIG`), so even a `kill -9` of localnet leaves no
//! neuron behind. That signal follows the thread that spawned the child: children are
//! spawned from the runtime's worker threads, which live until localnet stops them.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tokio::process::{Child, Command};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use yuma_cli::process::Ready;

/// How long a child has to exit after SIGTERM before it is killed.
const GRACE: Duration = Duration::from_secs(5);
/// First wait before restarting a child that died; doubled on each death up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// Longest wait before a restart.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A child that ran this long before dying restarts after [`FIRST_BACKOFF`] again.
const STABLE_RUN: Duration = Duration::from_secs(60);
/// How often the log is read while waiting for the ready line.
const TAIL_INTERVAL: Duration = Duration::from_millis(100);

/// One child to run.
#[derive(Clone, Debug)]
pub(super) struct Spec {
    /// Name in messages (the wallet name).
    pub(super) name: String,
    /// Arguments after the executable.
    pub(super) args: Vec<OsString>,
    /// Log file (stdout and stderr, appended).
    pub(super) log: PathBuf,
    /// The line prefix that says the child is up; the rest of the line is kept.
    pub(super) ready: Ready,
}

/// What is known of a child now.
#[derive(Clone, Debug, Default)]
pub(super) struct State {
    /// Process id while it runs.
    pub(super) pid: Option<u32>,
    /// The rest of its ready line, once printed by the current process.
    pub(super) ready: Option<String>,
    /// Times it was restarted.
    pub(super) restarts: u32,
}

/// The running children.
pub(super) struct Supervisor {
    specs: Vec<Spec>,
    states: Arc<Mutex<Vec<State>>>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Supervisor {
    /// Starts one supervising task per child.
    pub(super) fn start(exe: &Path, specs: Vec<Spec>) -> Self {
        let states = Arc::new(Mutex::new(vec![State::default(); specs.len()]));
        let (stop, stopped) = watch::channel(false);
        let tasks = specs
            .iter()
            .enumerate()
            .map(|(index, spec)| {
                tokio::spawn(supervise(
                    exe.to_path_buf(),
                    spec.clone(),
                    Slot {
                        states: states.clone(),
                        index,
                    },
                    stopped.clone(),
                ))
            })
            .collect();
        Self {
            specs,
            states,
            stop,
            tasks,
        }
    }

    /// The children's specs, in start order.
    pub(super) fn specs(&self) -> &[Spec] {
        &self.specs
    }

    /// A copy of every child's state, in start order.
    pub(super) fn states(&self) -> Vec<State> {
        self.states
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits until every child has printed its ready line.
    ///
    /// # Errors
    /// When `timeout` passes first: names the children that are not up and their logs.
    pub(super) async fn wait_ready(&self, timeout: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let states = self.states();
            if states.iter().all(|s| s.ready.is_some()) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let late: Vec<String> = self
                    .specs
                    .iter()
                    .zip(&states)
                    .filter(|(_, s)| s.ready.is_none())
                    .map(|(spec, _)| format!("{} (log: {})", spec.name, spec.log.display()))
                    .collect();
                anyhow::bail!("not up after {} s: {}", timeout.as_secs(), late.join(", "));
            }
            tokio::time::sleep(TAIL_INTERVAL).await;
        }
    }

    /// Stops every child (SIGTERM, SIGKILL after the grace period) and waits until all are
    /// reaped.
    pub(super) async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            // A supervising task never panics on its own; a failed join leaves nothing to do.
            let _ = task.await;
        }
    }
}

/// A child's entry in the shared states.
struct Slot {
    states: Arc<Mutex<Vec<State>>>,
    index: usize,
}

impl Slot {
    fn update(&self, f: impl FnOnce(&mut State)) {
        let mut states = self.states.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(state) = states.get_mut(self.index) {
            f(state);
        }
    }
}

/// Runs one child until `stop`, restarting it with a backoff whenever it exits.
async fn supervise(exe: PathBuf, spec: Spec, slot: Slot, mut stop: watch::Receiver<bool>) {
    let mut backoff = FIRST_BACKOFF;
    loop {
        if *stop.borrow() {
            return;
        }
        let started = Instant::now();
        let outcome = match spawn(&exe, &spec) {
            Ok((mut child, offset)) => {
                slot.update(|s| s.pid = child.id());
                let exited = tokio::select! {
                    status = run(&mut child, &spec, offset, &slot) => Some(status),
                    _ = stop.changed() => None,
                };
                slot.update(|s| {
                    s.pid = None;
                    s.ready = None;
                });
                match exited {
                    Some(status) => match status {
                        Ok(status) => format!("exited ({status})"),
                        Err(e) => format!("could not be waited for ({e})"),
                    },
                    None => {
                        terminate(&mut child).await;
                        return;
                    }
                }
            }
            Err(e) => format!("could not start ({e:#})"),
        };
        if started.elapsed() >= STABLE_RUN {
            backoff = FIRST_BACKOFF;
        }
        eprintln!(
            "yuma: {} {outcome}; restarting in {} s (log: {})",
            spec.name,
            backoff.as_secs(),
            spec.log.display()
        );
        slot.update(|s| s.restarts += 1);
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            _ = stop.changed() => return,
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Starts the child with its output appended to its log; returns it and the log offset its
/// output starts at.
fn spawn(exe: &Path, spec: &Spec) -> anyhow::Result<(Child, u64)> {
    let mut log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&spec.log)
        .with_context(|| format!("opening {}", spec.log.display()))?;
    let line: Vec<String> = spec
        .args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    writeln!(log, "---- yuma localnet starts: yuma {}", line.join(" "))
        .with_context(|| format!("writing {}", spec.log.display()))?;
    let offset = log
        .metadata()
        .with_context(|| format!("reading {}", spec.log.display()))?
        .len();
    let stdout = log
        .try_clone()
        .with_context(|| format!("sharing {}", spec.log.display()))?;
    let mut command = Command::new(exe);
    command
        .args(&spec.args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(log)
        .kill_on_drop(true);
    #[cfg(unix)]
    command.process_group(0);
    #[cfg(target_os = "linux")]
    // SAFETY: prctl is async-signal-safe and touches only the calling (child) process.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = command
        .spawn()
        .with_context(|| format!("starting {}", exe.display()))?;
    Ok((child, offset))
}

/// Waits for the child to exit, meanwhile reading its log for the ready line.
async fn run(
    child: &mut Child,
    spec: &Spec,
    offset: u64,
    slot: &Slot,
) -> std::io::Result<ExitStatus> {
    let mut tail = Tail::new(&spec.log, offset);
    let mut ready = false;
    loop {
        tokio::select! {
            status = child.wait() => return status,
            () = tokio::time::sleep(TAIL_INTERVAL), if !ready => {
                if let Some(rest) = tail.find(spec.ready.prefix()) {
                    ready = true;
                    slot.update(|s| s.ready = Some(rest));
                }
            }
        }
    }
}

/// Asks the child to stop, kills it after [`GRACE`], and reaps it.
async fn terminate(child: &mut Child) {
    #[cfg(unix)]
    if let Some(pid) = child.id().and_then(|p| libc::pid_t::try_from(p).ok()) {
        // SAFETY: kill has no memory effects; the pid is our own unreaped child.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
    }
    if tokio::time::timeout(GRACE, child.wait()).await.is_err() {
        // kill() sends SIGKILL and reaps.
        let _ = child.kill().await;
    }
}

/// Reads a growing file from an offset, a line at a time.
struct Tail {
    path: PathBuf,
    offset: u64,
    partial: String,
}

impl Tail {
    fn new(path: &Path, offset: u64) -> Self {
        Self {
            path: path.to_path_buf(),
            offset,
            partial: String::new(),
        }
    }

    /// The rest of the first new line starting with `prefix`, if one was written since the
    /// last call.
    fn find(&mut self, prefix: &str) -> Option<String> {
        let mut file = File::open(&self.path).ok()?;
        file.seek(SeekFrom::Start(self.offset)).ok()?;
        let mut bytes = Vec::new();
        let read = file.read_to_end(&mut bytes).ok()?;
        self.offset += read as u64;
        self.partial.push_str(&String::from_utf8_lossy(&bytes));
        let mut found = None;
        while let Some(end) = self.partial.find('\n') {
            let line: String = self.partial.drain(..=end).collect();
            if found.is_none() {
                found = line
                    .trim_end()
                    .strip_prefix(prefix)
                    .map(|rest| rest.trim().to_owned());
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_finds_the_ready_line_across_partial_writes() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("x.log");
        std::fs::write(&path, "old: ready http://old\n").expect("writes");
        let mut tail = Tail::new(&path, 22);
        let mut file = OpenOptions::new().append(true).open(&path).expect("opens");
        write!(file, "starting\nyuma: miner listening on http://1").expect("writes");
        assert_eq!(tail.find("yuma: miner listening on "), None);
        writeln!(file, "27.0.0.1:5\nmore").expect("writes");
        assert_eq!(
            tail.find("yuma: miner listening on ").as_deref(),
            Some("http://127.0.0.1:5")
        );
        assert_eq!(tail.find("yuma: miner listening on "), None);
    }

    #[tokio::test]
    async fn a_dying_child_is_restarted_and_stop_reaps_it() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let spec = Spec {
            name: "sh".into(),
            args: vec![
                "-c".into(),
                "echo 'yuma: miner listening on http://up'; exit 3".into(),
            ],
            log: dir.path().join("sh.log"),
            ready: Ready::Miner,
        };
        let supervisor = Supervisor::start(Path::new("/bin/sh"), vec![spec]);
        let deadline = Instant::now() + Duration::from_secs(20);
        while supervisor.states()[0].restarts == 0 {
            assert!(Instant::now() < deadline, "the child was not restarted");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        supervisor.stop().await;
        let log = std::fs::read_to_string(dir.path().join("sh.log")).expect("the log exists");
        assert!(log.contains("http://up"), "{log}");
    }
}
