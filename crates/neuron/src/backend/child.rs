//! A long-lived child process spoken to in JSON Lines: the part both sides of the external
//! protocol share (a miner's model, [`super::process`]; a validator's task, [`super::task`]).
//!
//! Each request is one line, a JSON object to which the child gets a fresh `"id"`; the child
//! answers each with one line carrying the same id and either the payload (`"answer"` from a
//! model, `"result"` from a task) or `"error"`, in any order, several in flight at once.
//! Anything the child writes to stderr goes to this process's log, line by line; a line on
//! stdout that is not JSON is logged and skipped. A child that exits (or writes a line over
//! [`MAX_ANSWER_BYTES`]) fails its open requests as unavailable and is started again after a
//! backoff that doubles from [`MIN_BACKOFF`] to [`MAX_BACKOFF`] and resets once a child has run
//! for [`HEALTHY`]; requests that arrive meanwhile fail at once.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Map, Value};
use tokio::io::{AsyncWriteExt as _, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::lines::{Lines, TooLong};
use super::{BackendError, MAX_ANSWER_BYTES};

/// First wait before a child that exited is started again.
pub(super) const MIN_BACKOFF: Duration = Duration::from_millis(200);
/// Longest wait between restarts.
pub(super) const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A child that ran this long resets the backoff.
pub(super) const HEALTHY: Duration = Duration::from_secs(30);
/// Requests waiting to be written to the child; past it the child is not keeping up.
const QUEUE: usize = 256;
/// Characters of stderr logged per line.
const MAX_LOG_LINE: usize = 4096;

type Reply = oneshot::Sender<Result<Value, BackendError>>;

struct Request {
    message: Map<String, Value>,
    reply: Reply,
}

/// A handle on the child (restarted as needed). The child is killed when every handle is
/// dropped.
#[derive(Debug, Clone)]
pub(super) struct ChildProcess {
    requests: mpsc::Sender<Request>,
    runtime: Handle,
}

impl ChildProcess {
    /// Runs `command` with `sh -c` now, and again whenever it exits.
    ///
    /// # Errors
    /// Outside a Tokio runtime.
    pub(super) fn spawn(command: &str) -> Result<Self, BackendError> {
        let runtime = Handle::try_current()
            .map_err(|e| BackendError::Unavailable(format!("no async runtime: {e}")))?;
        let (requests, queue) = mpsc::channel(QUEUE);
        runtime.spawn(supervise(command.to_owned(), queue));
        Ok(Self { requests, runtime })
    }

    /// Sends `message` (its `"id"` is set here) and waits up to `timeout` for the child's
    /// payload. Blocks: call it from a blocking thread.
    pub(super) fn call(
        &self,
        message: Map<String, Value>,
        timeout: Duration,
    ) -> Result<Value, BackendError> {
        let (reply, answer) = oneshot::channel();
        self.requests
            .try_send(Request { message, reply })
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => {
                    BackendError::Unavailable("the child process is not keeping up".into())
                }
                mpsc::error::TrySendError::Closed(_) => {
                    BackendError::Unavailable("the child process was stopped".into())
                }
            })?;
        match self.runtime.block_on(tokio::time::timeout(timeout, answer)) {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(BackendError::Unavailable(
                "the child process was stopped".into(),
            )),
            Err(_) => Err(BackendError::TimedOut(timeout)),
        }
    }
}

/// Starts the child, serves it until it exits, waits out the backoff, and again, until every
/// [`ChildProcess`] handle is dropped.
async fn supervise(command: String, mut queue: mpsc::Receiver<Request>) {
    let mut backoff = MIN_BACKOFF;
    loop {
        let started = Instant::now();
        let why = match start(&command) {
            Ok((child, _group)) => match serve(child, &mut queue).await {
                Ended::Exited(why) => why,
                Ended::Dropped => return,
            },
            Err(e) => format!("cannot start `{command}`: {e}"),
        };
        if started.elapsed() >= HEALTHY {
            backoff = MIN_BACKOFF;
        }
        tracing::warn!("child process `{command}`: {why}; restarting in {backoff:?}");
        let restart = tokio::time::sleep(backoff);
        tokio::pin!(restart);
        loop {
            tokio::select! {
                () = &mut restart => break,
                request = queue.recv() => match request {
                    Some(r) => {
                        let _ = r.reply.send(Err(BackendError::Unavailable(format!(
                            "the child process is restarting ({why})"
                        ))));
                    }
                    None => return,
                },
            }
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Starts `sh -c command` as the leader of a process group of its own.
fn start(command: &str) -> std::io::Result<(Child, Group)> {
    let mut builder = Command::new("sh");
    builder
        .arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    builder.process_group(0);
    let child = builder.spawn()?;
    let group = Group(child.id());
    Ok((child, group))
}

/// Kills the child's whole process group when dropped (when serving it ends, or the task
/// serving it is dropped at shutdown): `sh -c` keeps the program it runs as a child of its
/// own, which killing `sh` alone would leave running.
struct Group(Option<u32>);

impl Drop for Group {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(pid) = self.0.and_then(|p| libc::pid_t::try_from(p).ok()) {
            // SAFETY: kill has no memory effects; the group is the one this child leads.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
    }
}

/// How serving one child ended.
enum Ended {
    /// The child exited or broke the protocol (why).
    Exited(String),
    /// Every handle was dropped: stop.
    Dropped,
}

/// Relays requests to `child` and its answers back until it exits.
async fn serve(mut child: Child, queue: &mut mpsc::Receiver<Request>) -> Ended {
    let (Some(stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Ended::Exited("its pipes are missing".into());
    };
    tokio::spawn(log_stderr(stderr));
    let (lines_tx, lines_rx) = mpsc::channel::<Vec<u8>>(QUEUE);
    let writer = tokio::spawn(write_lines(stdin, lines_rx));
    let mut answers = Lines::new(BufReader::new(stdout), MAX_ANSWER_BYTES);
    let mut pending: HashMap<u64, Reply> = HashMap::new();
    let mut next_id = 0u64;
    let mut sweep = tokio::time::interval(Duration::from_secs(1));
    let ended = loop {
        tokio::select! {
            request = queue.recv() => {
                let Some(Request { mut message, reply }) = request else {
                    break Ended::Dropped;
                };
                next_id += 1;
                message.insert("id".into(), next_id.into());
                let mut bytes = serde_json::to_vec(&message).unwrap_or_default();
                bytes.push(b'\n');
                if lines_tx.try_send(bytes).is_err() {
                    let _ = reply.send(Err(BackendError::Unavailable(
                        "the child process is not reading its input".into(),
                    )));
                    continue;
                }
                pending.insert(next_id, reply);
            }
            line = answers.next() => match line {
                Ok(Ok(Some(line))) => deliver(&line, &mut pending),
                Ok(Ok(None)) => break Ended::Exited("it closed its output".into()),
                Ok(Err(TooLong)) => {
                    break Ended::Exited(format!("it wrote a line over {MAX_ANSWER_BYTES} bytes"));
                }
                Err(e) => break Ended::Exited(format!("reading its output: {e}")),
            },
            status = child.wait() => {
                break Ended::Exited(match status {
                    Ok(status) => format!("it exited ({status})"),
                    Err(e) => format!("waiting for it: {e}"),
                });
            }
            _ = sweep.tick() => pending.retain(|_, reply| !reply.is_closed()),
        }
    };
    writer.abort();
    let _ = child.start_kill();
    let why = match &ended {
        Ended::Exited(why) => why.clone(),
        Ended::Dropped => "it was stopped".into(),
    };
    for (_, reply) in pending {
        let _ = reply.send(Err(BackendError::Unavailable(format!(
            "the child process ended: {why}"
        ))));
    }
    let _ = child.wait().await;
    ended
}

/// Hands one line of the child's output to the request it answers.
fn deliver(line: &[u8], pending: &mut HashMap<u64, Reply>) {
    let Ok(message) = serde_json::from_slice::<Value>(line) else {
        tracing::warn!(
            "child process wrote a line that is not JSON (stdout is for answers; log to stderr): {}",
            String::from_utf8_lossy(&line[..line.len().min(200)])
        );
        return;
    };
    let Some(reply) = message
        .get("id")
        .and_then(Value::as_u64)
        .and_then(|id| pending.remove(&id))
    else {
        // Late (its request timed out) or unknown: nobody waits for it.
        return;
    };
    let payload = message.get("answer").or_else(|| message.get("result"));
    let result = match (payload, message.get("error")) {
        (Some(payload), None) => Ok(payload.clone()),
        (_, Some(error)) => Err(BackendError::Refused(
            error
                .as_str()
                .map_or_else(|| error.to_string(), str::to_owned),
        )),
        (None, None) => Err(BackendError::Unavailable(
            "the child process answered with neither a payload nor \"error\"".into(),
        )),
    };
    let _ = reply.send(result);
}

async fn write_lines(mut stdin: ChildStdin, mut lines: mpsc::Receiver<Vec<u8>>) {
    while let Some(line) = lines.recv().await {
        if stdin.write_all(&line).await.is_err() || stdin.flush().await.is_err() {
            return;
        }
    }
}

async fn log_stderr(stderr: tokio::process::ChildStderr) {
    let mut lines = Lines::new(BufReader::new(stderr), MAX_LOG_LINE);
    loop {
        match lines.next().await {
            Ok(Ok(Some(line))) => {
                tracing::info!(target: "yuma::child", "{}", String::from_utf8_lossy(&line));
            }
            Ok(Err(TooLong)) => {
                tracing::info!(target: "yuma::child", "(a line over {MAX_LOG_LINE} bytes)")
            }
            Ok(Ok(None)) | Err(_) => return,
        }
    }
}
