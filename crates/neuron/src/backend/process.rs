//! A model run as a long-lived child process speaking JSON Lines on stdin/stdout.
//!
//! Each challenge goes to the child as one line, `{"id": N, "method": "solve", "challenge":
//! ..., "timeout_ms": T}`; the child answers with one line, `{"id": N, "answer": ...}` or
//! `{"id": N, "error": "why"}`, in any order, several in flight at once. Anything the child
//! writes to stderr goes to the miner's log, line by line. A child that exits (or writes a
//! line over [`MAX_ANSWER_BYTES`]) fails its open requests as unavailable and is started again
//! after a backoff that doubles from [`MIN_BACKOFF`] to [`MAX_BACKOFF`] and resets once a
//! child has run for [`HEALTHY`]; requests that arrive meanwhile fail at once.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncWriteExt as _, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::lines::{Lines, TooLong};
use super::{BackendError, MAX_ANSWER_BYTES};
use crate::task::{Failure, Solver};

/// First wait before a child that exited is started again.
pub const MIN_BACKOFF: Duration = Duration::from_millis(200);
/// Longest wait between restarts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A child that ran this long resets the backoff.
pub const HEALTHY: Duration = Duration::from_secs(30);
/// Requests waiting to be written to the child; past it the child is not keeping up.
const QUEUE: usize = 256;
/// Characters of stderr logged per line.
const MAX_LOG_LINE: usize = 4096;

type Reply = oneshot::Sender<Result<Value, BackendError>>;

struct Request {
    challenge: Value,
    reply: Reply,
}

/// Forwards challenges to a child process.
#[derive(Debug, Clone)]
pub struct ProcessBackend {
    requests: mpsc::Sender<Request>,
    timeout: Duration,
    runtime: Handle,
}

impl ProcessBackend {
    /// Runs `command` with `sh -c` (started at once, and again whenever it exits) and gives
    /// each challenge `timeout`. The child is killed when the backend is dropped.
    ///
    /// # Errors
    /// Outside a Tokio runtime.
    pub fn spawn(command: &str, timeout: Duration) -> Result<Self, BackendError> {
        let runtime = Handle::try_current()
            .map_err(|e| BackendError::Unavailable(format!("no async runtime: {e}")))?;
        let (requests, queue) = mpsc::channel(QUEUE);
        runtime.spawn(supervise(command.to_owned(), timeout, queue));
        Ok(Self {
            requests,
            timeout,
            runtime,
        })
    }
}

impl Solver for ProcessBackend {
    type Challenge = Value;
    type Answer = Value;
    type Error = BackendError;

    fn solve(&self, challenge: Value) -> Result<Value, BackendError> {
        let (reply, answer) = oneshot::channel();
        self.requests
            .try_send(Request { challenge, reply })
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => {
                    BackendError::Unavailable("the model process is not keeping up".into())
                }
                mpsc::error::TrySendError::Closed(_) => {
                    BackendError::Unavailable("the model process was stopped".into())
                }
            })?;
        match self
            .runtime
            .block_on(tokio::time::timeout(self.timeout, answer))
        {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(BackendError::Unavailable(
                "the model process was stopped".into(),
            )),
            Err(_) => Err(BackendError::TimedOut(self.timeout)),
        }
    }

    fn failure(&self, error: &BackendError) -> Failure {
        error.failure()
    }
}

/// Starts the child, serves it until it exits, waits out the backoff, and again, until every
/// [`ProcessBackend`] handle is dropped.
async fn supervise(command: String, timeout: Duration, mut queue: mpsc::Receiver<Request>) {
    let mut backoff = MIN_BACKOFF;
    loop {
        let started = Instant::now();
        let why = match start(&command) {
            Ok(child) => match serve(child, timeout, &mut queue).await {
                Ended::Exited(why) => why,
                Ended::Dropped => return,
            },
            Err(e) => format!("cannot start `{command}`: {e}"),
        };
        if started.elapsed() >= HEALTHY {
            backoff = MIN_BACKOFF;
        }
        tracing::warn!("model process: {why}; restarting in {backoff:?}");
        let restart = tokio::time::sleep(backoff);
        tokio::pin!(restart);
        loop {
            tokio::select! {
                () = &mut restart => break,
                request = queue.recv() => match request {
                    Some(r) => {
                        let _ = r.reply.send(Err(BackendError::Unavailable(format!(
                            "the model process is restarting ({why})"
                        ))));
                    }
                    None => return,
                },
            }
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

fn start(command: &str) -> std::io::Result<Child> {
    Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
}

/// How serving one child ended.
enum Ended {
    /// The child exited or broke the protocol (why).
    Exited(String),
    /// Every handle was dropped: stop.
    Dropped,
}

/// Relays requests to `child` and its answers back until it exits.
async fn serve(mut child: Child, timeout: Duration, queue: &mut mpsc::Receiver<Request>) -> Ended {
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
    let timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
    let mut sweep = tokio::time::interval(Duration::from_secs(1));
    let ended = loop {
        tokio::select! {
            request = queue.recv() => {
                let Some(Request { challenge, reply }) = request else {
                    break Ended::Dropped;
                };
                next_id += 1;
                let line = json!({
                    "id": next_id,
                    "method": "solve",
                    "challenge": challenge,
                    "timeout_ms": timeout_ms,
                });
                let mut bytes = serde_json::to_vec(&line).unwrap_or_default();
                bytes.push(b'\n');
                if lines_tx.try_send(bytes).is_err() {
                    let _ = reply.send(Err(BackendError::Unavailable(
                        "the model process is not reading its input".into(),
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
        Ended::Dropped => "the miner stopped".into(),
    };
    for (_, reply) in pending {
        let _ = reply.send(Err(BackendError::Unavailable(format!(
            "the model process ended: {why}"
        ))));
    }
    let _ = child.wait().await;
    ended
}

/// Hands one line of the child's output to the request it answers.
fn deliver(line: &[u8], pending: &mut HashMap<u64, Reply>) {
    let Ok(message) = serde_json::from_slice::<Value>(line) else {
        tracing::warn!(
            "model process wrote a line that is not JSON (stdout is for answers; log to stderr): {}",
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
    let result = match (message.get("answer"), message.get("error")) {
        (Some(answer), None) => Ok(answer.clone()),
        (_, Some(error)) => Err(BackendError::Refused(
            error
                .as_str()
                .map_or_else(|| error.to_string(), str::to_owned),
        )),
        (None, None) => Err(BackendError::Unavailable(
            "the model process answered with neither \"answer\" nor \"error\"".into(),
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
                tracing::info!(target: "yuma::model", "{}", String::from_utf8_lossy(&line));
            }
            Ok(Err(TooLong)) => {
                tracing::info!(target: "yuma::model", "(a line over {MAX_LOG_LINE} bytes)")
            }
            Ok(Ok(None)) | Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    /// A model in Python: doubles `x` on a thread per request (so answers come back out of
    /// order), after `sleep` seconds; refuses when asked; exits when told to crash. It starts
    /// by writing a line that is not JSON, which the backend must ignore.
    const MODEL: &str = r#"
import json, os, sys, threading, time
lock = threading.Lock()
def handle(req):
    c = req["challenge"]
    time.sleep(c.get("sleep", 0))
    if c.get("crash"):
        sys.stderr.write("crashing on purpose\n"); sys.stderr.flush(); os._exit(3)
    out = {"id": req["id"], "error": "no"} if c.get("refuse") else {"id": req["id"], "answer": {"y": 2 * c["x"]}}
    with lock:
        sys.stdout.write(json.dumps(out) + "\n"); sys.stdout.flush()
print("hello from the model", flush=True)
for line in sys.stdin:
    threading.Thread(target=handle, args=(json.loads(line),)).start()
"#;

    fn backend(timeout: Duration) -> ProcessBackend {
        let dir = std::env::temp_dir().join(format!("yuma-model-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp dir");
        let script = dir.join("model.py");
        std::fs::write(&script, MODEL).expect("writes the model");
        ProcessBackend::spawn(&format!("python3 -u {}", script.display()), timeout)
            .expect("inside a runtime")
    }

    async fn solve(backend: &ProcessBackend, challenge: Value) -> Result<Value, BackendError> {
        let backend = backend.clone();
        tokio::task::spawn_blocking(move || backend.solve(challenge))
            .await
            .expect("does not panic")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn answers_in_any_order_refusals_and_timeouts() {
        let model = backend(Duration::from_secs(1));
        let started = Instant::now();
        let (slow, fast) = tokio::join!(
            async {
                let r = solve(&model, json!({"x": 1, "sleep": 0.6})).await;
                (r, started.elapsed())
            },
            async {
                let r = solve(&model, json!({"x": 2})).await;
                (r, started.elapsed())
            },
        );
        assert_eq!(slow.0, Ok(json!({"y": 2})));
        assert_eq!(fast.0, Ok(json!({"y": 4})));
        assert!(fast.1 < slow.1, "the fast answer waited for the slow one");
        assert_eq!(
            solve(&model, json!({"x": 3, "refuse": true})).await,
            Err(BackendError::Refused("no".into()))
        );
        assert_eq!(
            solve(&model, json!({"x": 3, "sleep": 3})).await,
            Err(BackendError::TimedOut(Duration::from_secs(1)))
        );
        // Still serving after the timeout.
        assert_eq!(solve(&model, json!({"x": 5})).await, Ok(json!({"y": 10})));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_child_that_dies_is_restarted() {
        let model = backend(Duration::from_secs(2));
        let crashed = solve(&model, json!({"crash": true})).await;
        assert!(
            matches!(crashed, Err(BackendError::Unavailable(_))),
            "{crashed:?}"
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match solve(&model, json!({"x": 21})).await {
                Ok(answer) => {
                    assert_eq!(answer, json!({"y": 42}));
                    break;
                }
                Err(e) => assert!(Instant::now() < deadline, "not restarted: {e}"),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
