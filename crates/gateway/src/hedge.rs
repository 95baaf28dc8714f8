//! Asking miners with hedging and failover: the best miner first; a second one when the
//! first is slower than its recent p95 or fails; the first valid answer wins.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use futures::stream::FuturesUnordered;
use serde_json::Value;

use crate::routing::{Router, Target};

/// Something that sends a challenge to one miner (the real one signs it with btauth/1; tests
/// and benches use fakes).
pub trait Backend: Send + Sync + 'static {
    /// Asks `target` to answer `challenge`.
    fn call(
        &self,
        target: Target,
        challenge: &Value,
    ) -> impl Future<Output = Result<Value, String>> + Send;
}

/// How a request is spread over miners.
#[derive(Debug, Clone, Copy)]
pub struct HedgePolicy {
    /// Whether a slow first miner gets a second one racing it.
    pub hedge: bool,
    /// Most miners asked for one answer (hedges and failovers included).
    pub max_attempts: usize,
    /// Longest a whole request may take.
    pub timeout: Duration,
}

impl Default for HedgePolicy {
    fn default() -> Self {
        Self {
            hedge: true,
            max_attempts: 3,
            timeout: Duration::from_secs(30),
        }
    }
}

/// A successful answer and who gave it.
#[derive(Debug, Clone)]
pub struct Answered {
    /// The answer.
    pub answer: Value,
    /// The miner that gave it.
    pub target: Target,
    /// Miners asked in total.
    pub attempts: usize,
    /// Whether a hedge was sent.
    pub hedged: bool,
}

/// Why no answer came back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HedgeError {
    /// The subnet has no miner serving an axon.
    #[error("no miner of the subnet serves an axon")]
    NoMiners,
    /// Every miner asked failed.
    #[error("no miner answered ({attempts} asked; last error: {last})")]
    AllFailed {
        /// Miners asked.
        attempts: usize,
        /// The last failure.
        last: String,
    },
    /// The request ran out of time.
    #[error("no miner answered within {0:?}")]
    Timeout(Duration),
}

/// When to hedge a call started now with hedge delay `delay` (never past `deadline`).
fn hedge_time(
    delay: Option<Duration>,
    deadline: tokio::time::Instant,
) -> Option<tokio::time::Instant> {
    delay.map(|d| {
        tokio::time::Instant::now()
            .checked_add(d)
            .map_or(deadline, |t| t.min(deadline))
    })
}

type Call<'a> =
    Pin<Box<dyn Future<Output = (Target, Duration, Result<Value, String>)> + Send + 'a>>;

fn launch<'a, B: Backend>(backend: &'a B, target: Target, challenge: &'a Value) -> Call<'a> {
    Box::pin(async move {
        let started = Instant::now();
        let result = backend.call(target, challenge).await;
        (target, started.elapsed(), result)
    })
}

/// Asks the miners of `ranked` (best first, each with its hedge delay, `None` for a miner
/// without enough history) for one answer to `challenge`, recording each outcome in `router`.
///
/// The first miner is asked at once; the next one when the running ones all failed
/// (failover) or, with hedging on, when the most recent one has run past its hedge delay
/// (a miner without a delay is not hedged).
/// The first success is returned and the others are dropped (their outcome unrecorded).
///
/// # Errors
/// [`HedgeError`] when no miner answered.
pub async fn ask<B: Backend>(
    backend: &B,
    router: &Router,
    ranked: &[(Target, Option<Duration>)],
    challenge: &Value,
    policy: &HedgePolicy,
) -> Result<Answered, HedgeError> {
    let Some(&(first, first_delay)) = ranked.first() else {
        return Err(HedgeError::NoMiners);
    };
    let deadline = tokio::time::Instant::now() + policy.timeout;
    let mut next = 1;
    let max = policy.max_attempts.clamp(1, ranked.len());
    let mut running: FuturesUnordered<Call<'_>> = FuturesUnordered::new();
    running.push(launch(backend, first, challenge));
    let mut hedge_at = hedge_time(first_delay, deadline);
    let mut hedged = false;
    let mut last = String::new();
    loop {
        let can_hedge = policy.hedge && next < max && hedge_at.is_some();
        tokio::select! {
            done = running.next(), if !running.is_empty() => {
                let Some((target, took, result)) = done else { continue };
                match result {
                    Ok(answer) => {
                        router.record(&target.hotkey, Some(took));
                        return Ok(Answered { answer, target, attempts: next, hedged });
                    }
                    Err(e) => {
                        router.record(&target.hotkey, None);
                        last = e;
                        if running.is_empty() {
                            if next >= max {
                                return Err(HedgeError::AllFailed { attempts: next, last });
                            }
                            let (target, delay) = ranked[next];
                            next += 1;
                            running.push(launch(backend, target, challenge));
                            hedge_at = hedge_time(delay, deadline);
                        }
                    }
                }
            }
            () = tokio::time::sleep_until(hedge_at.unwrap_or(deadline)), if can_hedge => {
                let (target, delay) = ranked[next];
                next += 1;
                hedged = true;
                running.push(launch(backend, target, challenge));
                hedge_at = hedge_time(delay, deadline);
            }
            () = tokio::time::sleep_until(deadline) => {
                return Err(HedgeError::Timeout(policy.timeout));
            }
        }
        if running.is_empty() {
            return Err(HedgeError::AllFailed {
                attempts: next,
                last,
            });
        }
    }
}

/// Asks the first `k` miners of `ranked` at once and returns every answer that came back
/// within the timeout and that `accept` took (given the answers taken so far), best-ranked
/// first. A miner that fails, or whose answer is not taken, is replaced by the next miner
/// after the first `k`.
pub async fn ask_all<B: Backend>(
    backend: &B,
    router: &Router,
    ranked: &[(Target, Option<Duration>)],
    k: usize,
    challenge: &Value,
    policy: &HedgePolicy,
    mut accept: impl FnMut(&[(Target, Value)], &Target, &Value) -> bool,
) -> Vec<(Target, Value)> {
    let k = k.min(ranked.len());
    let mut spares = ranked[k..].iter();
    let mut running: FuturesUnordered<Call<'_>> = ranked[..k]
        .iter()
        .map(|(t, _)| launch(backend, *t, challenge))
        .collect();
    let deadline = tokio::time::Instant::now() + policy.timeout;
    let mut answers = Vec::new();
    loop {
        tokio::select! {
            done = running.next() => {
                let Some((target, took, result)) = done else { break };
                match result {
                    Ok(answer) => {
                        router.record(&target.hotkey, Some(took));
                        if accept(&answers, &target, &answer) {
                            answers.push((target, answer));
                        } else if let Some((spare, _)) = spares.next() {
                            running.push(launch(backend, *spare, challenge));
                        }
                    }
                    Err(_) => {
                        router.record(&target.hotkey, None);
                        if let Some((spare, _)) = spares.next() {
                            running.push(launch(backend, *spare, challenge));
                        }
                    }
                }
            }
            () = tokio::time::sleep_until(deadline) => break,
        }
    }
    let position = |t: &Target| ranked.iter().position(|(r, _)| r == t);
    answers.sort_by_key(|(t, _)| position(t));
    answers
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::net::SocketAddr;
    use std::sync::Mutex;

    use serde_json::json;
    use yuma_primitives::AccountId;

    use super::*;

    /// A miner that answers its number after a delay, or fails.
    #[derive(Clone, Copy)]
    enum Fake {
        Answer(u64),
        Fail(u64),
    }

    struct FakeBackend {
        miners: HashMap<AccountId, Fake>,
        asked: Mutex<Vec<u8>>,
    }

    impl Backend for FakeBackend {
        async fn call(&self, target: Target, _challenge: &Value) -> Result<Value, String> {
            self.asked
                .lock()
                .expect("not poisoned")
                .push(target.hotkey.0[0]);
            match self.miners[&target.hotkey] {
                Fake::Answer(ms) => {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    Ok(json!(target.hotkey.0[0]))
                }
                Fake::Fail(ms) => {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    Err("broken".into())
                }
            }
        }
    }

    fn setup(miners: &[Fake]) -> (FakeBackend, Vec<(Target, Option<Duration>)>) {
        let mut map = HashMap::new();
        let mut ranked = Vec::new();
        for (i, fake) in miners.iter().enumerate() {
            let n = u8::try_from(i).expect("few miners") + 1;
            let hotkey = AccountId([n; 32]);
            map.insert(hotkey, *fake);
            let target = Target {
                hotkey,
                addr: SocketAddr::from(([127, 0, 0, 1], 1)),
                incentive: 0,
            };
            ranked.push((target, Some(Duration::from_millis(100))));
        }
        let backend = FakeBackend {
            miners: map,
            asked: Mutex::new(Vec::new()),
        };
        (backend, ranked)
    }

    fn asked(backend: &FakeBackend) -> Vec<u8> {
        backend.asked.lock().expect("not poisoned").clone()
    }

    /// Asks `ranked` under `policy` through a fresh router; returns the router too.
    async fn ask_with(
        backend: &FakeBackend,
        ranked: &[(Target, Option<Duration>)],
        policy: &HedgePolicy,
    ) -> (Router, Result<Answered, HedgeError>) {
        let router = Router::default();
        let got = ask(backend, &router, ranked, &json!({}), policy).await;
        (router, got)
    }

    #[tokio::test(start_paused = true)]
    async fn a_fast_first_miner_is_asked_alone() {
        let (backend, ranked) = setup(&[Fake::Answer(10), Fake::Answer(10)]);
        let (router, got) = ask_with(&backend, &ranked, &HedgePolicy::default()).await;
        let got = got.expect("answered");
        assert_eq!(got.answer, json!(1));
        assert!(!got.hedged);
        assert_eq!(asked(&backend), vec![1]);
        assert_eq!(router.stats(&AccountId([1; 32])).ok, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_first_miner_is_hedged_and_the_faster_answer_wins() {
        let (backend, ranked) = setup(&[Fake::Answer(10_000), Fake::Answer(10)]);
        let (_, got) = ask_with(&backend, &ranked, &HedgePolicy::default()).await;
        let got = got.expect("answered");
        assert_eq!(got.answer, json!(2));
        assert!(got.hedged);
        assert_eq!(asked(&backend), vec![1, 2]);
    }

    #[tokio::test(start_paused = true)]
    async fn without_hedging_the_slow_miner_is_waited_for() {
        let (backend, ranked) = setup(&[Fake::Answer(10_000), Fake::Answer(10)]);
        let policy = HedgePolicy {
            hedge: false,
            ..HedgePolicy::default()
        };
        let (_, got) = ask_with(&backend, &ranked, &policy).await;
        let got = got.expect("answered");
        assert_eq!(got.answer, json!(1));
        assert_eq!(asked(&backend), vec![1]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_miner_without_history_is_waited_for() {
        let (backend, mut ranked) = setup(&[Fake::Answer(10_000), Fake::Answer(10)]);
        ranked[0].1 = None;
        let (_, got) = ask_with(&backend, &ranked, &HedgePolicy::default()).await;
        let got = got.expect("answered");
        assert_eq!(got.answer, json!(1));
        assert!(!got.hedged);
        assert_eq!(asked(&backend), vec![1]);
    }

    #[tokio::test(start_paused = true)]
    async fn failures_fail_over_to_the_next_miner() {
        let (backend, ranked) = setup(&[Fake::Fail(1), Fake::Fail(1), Fake::Answer(1)]);
        let (router, got) = ask_with(&backend, &ranked, &HedgePolicy::default()).await;
        let got = got.expect("answered");
        assert_eq!(got.answer, json!(3));
        assert_eq!(got.attempts, 3);
        assert_eq!(router.stats(&AccountId([1; 32])).failed, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn all_failing_is_an_error_and_nothing_is_a_distinct_one() {
        let (backend, ranked) = setup(&[Fake::Fail(1), Fake::Fail(1)]);
        let (router, err) = ask_with(&backend, &ranked, &HedgePolicy::default()).await;
        let err = err.expect_err("nobody answers");
        assert_eq!(
            err,
            HedgeError::AllFailed {
                attempts: 2,
                last: "broken".into()
            }
        );
        let err = ask(&backend, &router, &[], &json!({}), &HedgePolicy::default())
            .await
            .expect_err("no miners");
        assert_eq!(err, HedgeError::NoMiners);
    }

    #[tokio::test(start_paused = true)]
    async fn a_hanging_pool_times_out() {
        let (backend, ranked) = setup(&[Fake::Answer(100_000), Fake::Answer(100_000)]);
        let policy = HedgePolicy {
            timeout: Duration::from_secs(5),
            ..HedgePolicy::default()
        };
        let (_, err) = ask_with(&backend, &ranked, &policy).await;
        let err = err.expect_err("times out");
        assert_eq!(err, HedgeError::Timeout(Duration::from_secs(5)));
    }

    #[tokio::test(start_paused = true)]
    async fn ensembles_replace_failed_members_with_spares() {
        let (backend, ranked) = setup(&[
            Fake::Answer(5),
            Fake::Fail(1),
            Fake::Answer(5),
            Fake::Answer(5),
        ]);
        let router = Router::default();
        let got = ask_all(
            &backend,
            &router,
            &ranked,
            3,
            &json!({}),
            &HedgePolicy::default(),
            |_, _, _| true,
        )
        .await;
        let who: Vec<u8> = got.iter().map(|(t, _)| t.hotkey.0[0]).collect();
        assert_eq!(who, vec![1, 3, 4]);
    }

    #[tokio::test(start_paused = true)]
    async fn answers_not_taken_are_replaced_with_spares() {
        let (backend, ranked) = setup(&[Fake::Answer(5); 4]);
        let router = Router::default();
        // Miner 2's answer is refused (as a copy would be): miner 4 takes its place.
        let got = ask_all(
            &backend,
            &router,
            &ranked,
            3,
            &json!({}),
            &HedgePolicy::default(),
            |_, t, _| t.hotkey.0[0] != 2,
        )
        .await;
        let who: Vec<u8> = got.iter().map(|(t, _)| t.hotkey.0[0]).collect();
        assert_eq!(who, vec![1, 3, 4]);
    }
}
