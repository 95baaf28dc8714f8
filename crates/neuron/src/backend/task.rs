//! A subnet's task run as a child process (as `child.rs` runs them), for validators: the program
//! draws challenges and scores answers; `yuma` does everything else (querying miners over
//! btauth/1, the score EMA, weights, commit-reveal).
//!
//! Methods (JSON Lines, one request per line with an `"id"`; answers `{"id", "result"}` or
//! `{"id", "error"}`):
//!
//! - `{"method": "info"}` → `{"protocol": 1, "name": ..., "combine": bool}`, asked once at
//!   start; a program speaking another protocol version is refused.
//! - `{"method": "challenge", "seed": N}` → `{"challenge": ..., "secret": ...}`. Miners get
//!   the challenge; the secret stays with the validator and its program.
//! - `{"method": "score", "secret": ..., "answers": [...], "scoring": "shapley" |
//!   "independent", "seed": N}` → `{"scores": [...], "quality": [...]}`: every answer of a
//!   step in one call, so the program can pay each miner its marginal contribution to the
//!   ensemble of all of them (`scores`), next to each answer's own quality (`quality`).

use std::time::Duration;

use serde_json::{Map, Value};

use super::BackendError;
use super::child::ChildProcess;
use crate::task::{Challenger, Scoring, StepScores};

/// The task protocol version this validator speaks.
pub const PROTOCOL: u64 = 1;
/// How long the program has to say what it is.
const INFO_TIMEOUT: Duration = Duration::from_secs(30);
/// Most bytes of answers one `score` request carries, well inside the protocol's 16 MiB line.
const MAX_SCORED_BYTES: usize = 12 << 20;

/// What the program says it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskInfo {
    /// Its name.
    pub name: String,
    /// Whether it combines answers (and so can score by marginal contribution).
    pub combine: bool,
}

/// A task program behind the [`Challenger`] trait.
#[derive(Debug, Clone)]
pub struct TaskProgram {
    child: ChildProcess,
    timeout: Duration,
    info: TaskInfo,
}

impl TaskProgram {
    /// Starts `command` (with `sh -c`, restarted when it exits), asks what it is, and gives
    /// each later call `timeout`. Blocks until the program answers: call it from a blocking
    /// thread inside a Tokio runtime.
    ///
    /// # Errors
    /// When the program does not answer `info` within 30 s, answers it malformed, or speaks
    /// another protocol version.
    pub fn start(command: &str, timeout: Duration) -> Result<Self, BackendError> {
        let child = ChildProcess::spawn(command)?;
        let info = child.call(request("info", []), INFO_TIMEOUT)?;
        let protocol = info.get("protocol").and_then(Value::as_u64);
        if protocol != Some(PROTOCOL) {
            return Err(BackendError::Refused(format!(
                "the task program speaks protocol {}, this validator {PROTOCOL}",
                info.get("protocol")
                    .map_or_else(|| "(none)".into(), Value::to_string)
            )));
        }
        let info = TaskInfo {
            name: info
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            combine: info
                .get("combine")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        };
        Ok(Self {
            child,
            timeout,
            info,
        })
    }

    /// What the program said it is.
    pub fn info(&self) -> &TaskInfo {
        &self.info
    }
}

/// A request for `method` with `params`.
fn request<const N: usize>(method: &str, params: [(&str, Value); N]) -> Map<String, Value> {
    let mut message = Map::new();
    message.insert("method".into(), method.into());
    for (name, value) in params {
        message.insert(name.into(), value);
    }
    message
}

/// `field` of `result`, which must be there.
fn field(result: &mut Value, field: &str, method: &str) -> Result<Value, BackendError> {
    result
        .get_mut(field)
        .map(Value::take)
        .ok_or_else(|| BackendError::Unavailable(format!("the task's {method} has no {field:?}")))
}

/// `field` of `result` as numbers, one per answer.
fn numbers(result: &mut Value, name: &str, count: usize) -> Result<Vec<f64>, BackendError> {
    let values = field(result, name, "score")?;
    let numbers: Option<Vec<f64>> = values
        .as_array()
        .map(|a| a.iter().map(Value::as_f64).collect())
        .unwrap_or(None);
    match numbers {
        Some(n) if n.len() == count => Ok(n),
        _ => Err(BackendError::Unavailable(format!(
            "the task's {name:?} is not {count} numbers"
        ))),
    }
}

/// The answers to send, at most `budget` bytes of JSON in all: the largest go as `null` (the
/// program scores them 0) until the rest fit, so that a few huge answers cannot make a step's
/// request too long for the program to read.
fn within(answers: &[&Value], budget: usize) -> Vec<Value> {
    let sizes: Vec<usize> = answers
        .iter()
        .map(|a| serde_json::to_vec(a).map_or(usize::MAX, |b| b.len()))
        .collect();
    let mut order: Vec<usize> = (0..answers.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(sizes[i]));
    let mut total: usize = sizes.iter().fold(0, |sum, &s| sum.saturating_add(s));
    let mut dropped = vec![false; answers.len()];
    for i in order {
        if total <= budget {
            break;
        }
        dropped[i] = true;
        total = total.saturating_sub(sizes[i]);
    }
    answers
        .iter()
        .zip(dropped)
        .map(|(a, drop)| if drop { Value::Null } else { (*a).clone() })
        .collect()
}

impl Challenger for TaskProgram {
    type Challenge = Value;
    type Answer = Value;
    type Key = Value;
    type Error = BackendError;

    fn challenge(&self, seed: u64) -> Result<(Value, Value), BackendError> {
        let mut drawn = self
            .child
            .call(request("challenge", [("seed", seed.into())]), self.timeout)?;
        let challenge = field(&mut drawn, "challenge", "challenge")?;
        let secret = field(&mut drawn, "secret", "challenge")?;
        Ok((challenge, secret))
    }

    fn score(&self, key: &Value, answer: &Value) -> f64 {
        self.score_step(key, &[answer], Scoring::Independent, 0)
            .map_or(0.0, |s| s.quality[0])
    }

    fn score_step(
        &self,
        key: &Value,
        answers: &[&Value],
        scoring: Scoring,
        seed: u64,
    ) -> Result<StepScores, BackendError> {
        let message = request(
            "score",
            [
                ("secret", key.clone()),
                ("answers", Value::Array(within(answers, MAX_SCORED_BYTES))),
                ("scoring", scoring.name().into()),
                ("seed", seed.into()),
            ],
        );
        let mut scored = self.child.call(message, self.timeout)?;
        Ok(StepScores {
            paid: numbers(&mut scored, "scores", answers.len())?,
            quality: numbers(&mut scored, "quality", answers.len())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A task in Python: the challenge is the seed, the secret its double; an answer's quality
    /// is 1 when it is the secret, else 0; it pays by quality whatever the scoring.
    const TASK: &str = r#"
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r["method"] == "info":
        out = {"protocol": 1, "name": "double", "combine": False}
    elif r["method"] == "challenge":
        out = {"challenge": {"x": r["seed"]}, "secret": 2 * r["seed"]}
    else:
        q = [1.0 if a == r["secret"] else 0.0 for a in r["answers"]]
        out = {"scores": q, "quality": q}
    print(json.dumps({"id": r["id"], "result": out}), flush=True)
"#;

    fn program(source: &str, name: &str) -> Result<TaskProgram, BackendError> {
        let dir = std::env::temp_dir().join(format!("yuma-task-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp dir");
        let script = dir.join(name);
        std::fs::write(&script, source).expect("writes the task");
        TaskProgram::start(
            &format!("python3 -u {}", script.display()),
            Duration::from_secs(5),
        )
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn draws_challenges_and_scores_a_step_in_one_call() {
        let task = tokio::task::spawn_blocking(|| {
            let task = program(TASK, "double.py").expect("starts");
            assert_eq!(
                task.info(),
                &TaskInfo {
                    name: "double".into(),
                    combine: false
                }
            );
            let (challenge, secret) = task.challenge(21).expect("draws");
            assert_eq!((challenge, &secret), (json!({"x": 21}), &json!(42)));
            let answers = [json!(42), json!(41), json!(null)];
            let refs: Vec<&Value> = answers.iter().collect();
            let scored = task
                .score_step(&secret, &refs, Scoring::Shapley, 7)
                .expect("scores");
            assert_eq!(scored.paid, vec![1.0, 0.0, 0.0]);
            assert_eq!(task.score(&secret, &json!(42)), 1.0);
            task
        })
        .await
        .expect("does not panic");
        drop(task);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn another_protocol_version_is_refused() {
        let other = TASK.replace("\"protocol\": 1", "\"protocol\": 2");
        let started = tokio::task::spawn_blocking(move || program(&other, "v2.py"))
            .await
            .expect("does not panic");
        let Err(BackendError::Refused(why)) = started else {
            panic!("expected a refusal, got {started:?}");
        };
        assert!(why.contains("protocol 2"), "{why}");
    }

    /// A task that misbehaves: noise on stdout before every answer; for seed 1 it hangs for 6 s
    /// (one request at a time: later ones wait), for seed 2 it exits; it scores one answer
    /// fewer than it was given.
    const BROKEN: &str = r#"
import json, os, sys, time
for line in sys.stdin:
    r = json.loads(line)
    print("noise, not JSON", flush=True)
    if r["method"] == "info":
        out = {"protocol": 1, "name": "broken", "combine": True}
    elif r["method"] == "challenge":
        if r["seed"] == 1:
            time.sleep(6)
        if r["seed"] == 2:
            os._exit(1)
        out = {"challenge": {}, "secret": 0}
    else:
        out = {"scores": [0.5] * (len(r["answers"]) - 1), "quality": [0.5] * len(r["answers"])}
    print(json.dumps({"id": r["id"], "result": out}), flush=True)
"#;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_broken_task_fails_its_calls_and_is_restarted() {
        tokio::task::spawn_blocking(|| {
            let task = program(BROKEN, "broken.py").expect("starts: noise is skipped");
            let hang = task.challenge(1);
            assert_eq!(
                hang.expect_err("hangs"),
                BackendError::TimedOut(Duration::from_secs(5))
            );
            let exit = task.challenge(2);
            assert!(
                matches!(exit, Err(BackendError::Unavailable(_))),
                "{exit:?}"
            );
            // Restarted after a backoff, it draws again.
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            let secret = loop {
                match task.challenge(3) {
                    Ok((_, secret)) => break secret,
                    Err(e) => assert!(std::time::Instant::now() < deadline, "{e}"),
                }
                std::thread::sleep(Duration::from_millis(50));
            };
            let answers = [json!(1), json!(2)];
            let refs: Vec<&Value> = answers.iter().collect();
            let short = task.score_step(&secret, &refs, Scoring::Shapley, 0);
            assert!(
                matches!(short, Err(BackendError::Unavailable(_))),
                "{short:?}"
            );
        })
        .await
        .expect("does not panic");
    }

    #[test]
    fn a_task_that_exits_at_start_up_is_an_error() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let _guard = runtime.enter();
        let started = TaskProgram::start("exit 2", Duration::from_secs(1));
        assert!(
            matches!(started, Err(BackendError::Unavailable(_))),
            "{started:?}"
        );
    }

    #[test]
    fn the_largest_answers_go_as_null_until_the_rest_fit() {
        let big = json!("x".repeat(100));
        let small = json!(1);
        let medium = json!("y".repeat(40));
        let answers = [&big, &small, &medium];
        assert_eq!(
            within(&answers, 1000),
            vec![big.clone(), small.clone(), medium.clone()]
        );
        assert_eq!(
            within(&answers, 60),
            vec![Value::Null, small.clone(), medium.clone()]
        );
        assert_eq!(within(&answers, 10), vec![Value::Null, small, Value::Null]);
    }
}
