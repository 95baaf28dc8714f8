//! A model run as a long-lived child process speaking JSON Lines on stdin/stdout (as
//! `child.rs` runs them): each challenge goes to it as `{"id": N, "method": "solve",
//! "challenge": ..., "timeout_ms": T}` and comes back as `{"id": N, "answer": ...}` or
//! `{"id": N, "error": "why"}`.

use std::time::Duration;

use serde_json::{Map, Value};

use super::BackendError;
use super::child::ChildProcess;
use crate::task::{Failure, Solver};

/// Forwards challenges to a child process.
#[derive(Debug, Clone)]
pub struct ProcessBackend {
    child: ChildProcess,
    timeout: Duration,
}

impl ProcessBackend {
    /// Runs `command` with `sh -c` (started at once, and again whenever it exits) and gives
    /// each challenge `timeout`. The child is killed when the backend is dropped.
    ///
    /// # Errors
    /// Outside a Tokio runtime.
    pub fn spawn(command: &str, timeout: Duration) -> Result<Self, BackendError> {
        Ok(Self {
            child: ChildProcess::spawn(command)?,
            timeout,
        })
    }
}

impl Solver for ProcessBackend {
    type Challenge = Value;
    type Answer = Value;
    type Error = BackendError;

    fn solve(&self, challenge: Value) -> Result<Value, BackendError> {
        let timeout_ms = u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX);
        let mut message = Map::new();
        message.insert("method".into(), "solve".into());
        message.insert("challenge".into(), challenge);
        message.insert("timeout_ms".into(), timeout_ms.into());
        self.child.call(message, self.timeout)
    }

    fn failure(&self, error: &BackendError) -> Failure {
        error.failure()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use serde_json::json;

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
    if c.get("huge"):
        with lock:
            sys.stdout.write("x" * (17 << 20) + "\n"); sys.stdout.flush()
        return
    if c.get("noise"):
        with lock:
            sys.stdout.write("some noise, not JSON\n{\"id\": 123456, \"answer\": 1}\n"); sys.stdout.flush()
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
        answers_again(&model).await;
    }

    /// Waits until the model answers `{"x": 21}` again (restarted), at most 10 s.
    async fn answers_again(model: &ProcessBackend) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match solve(model, json!({"x": 21})).await {
                Ok(answer) => {
                    assert_eq!(answer, json!({"y": 42}));
                    return;
                }
                Err(e) => assert!(Instant::now() < deadline, "not restarted: {e}"),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_enormous_answer_restarts_the_child_and_noise_is_skipped() {
        let model = backend(Duration::from_secs(5));
        // Noise and an answer to nobody's request on stdout: skipped, the real answer counts.
        assert_eq!(
            solve(&model, json!({"x": 4, "noise": true})).await,
            Ok(json!({"y": 8}))
        );
        let huge = solve(&model, json!({"huge": true})).await;
        assert!(
            matches!(huge, Err(BackendError::Unavailable(_))),
            "{huge:?}"
        );
        answers_again(&model).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_child_that_exits_at_once_fails_requests_fast() {
        let model = ProcessBackend::spawn("echo starting >&2; exit 3", Duration::from_secs(5))
            .expect("inside a runtime");
        for _ in 0..3 {
            let started = Instant::now();
            let result = solve(&model, json!({"x": 1})).await;
            assert!(
                matches!(result, Err(BackendError::Unavailable(_))),
                "{result:?}"
            );
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "{:?}",
                started.elapsed()
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dropping_the_backend_kills_the_programs_the_shell_started() {
        let dir = tempfile_dir();
        let pid_file = dir.join("sleep.pid");
        let command = format!("sleep 300 & echo $! > {}; wait", pid_file.display());
        let model = ProcessBackend::spawn(&command, Duration::from_secs(1)).expect("a runtime");
        let deadline = Instant::now() + Duration::from_secs(5);
        let pid = loop {
            if let Some(pid) = std::fs::read_to_string(&pid_file)
                .ok()
                .and_then(|p| p.trim().parse::<u32>().ok())
            {
                break pid;
            }
            assert!(Instant::now() < deadline, "the shell never started sleep");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        // Running, not a zombie waiting to be reaped.
        let alive = || {
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                stat.rsplit(')')
                    .next()
                    .is_some_and(|rest| !rest.trim_start().starts_with('Z'))
            })
        };
        assert!(alive());
        drop(model);
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive() {
            assert!(
                Instant::now() < deadline,
                "sleep {pid} outlived the backend"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("yuma-group-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp dir");
        dir
    }
}
