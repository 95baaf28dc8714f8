//! The validator loop.

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use rand::Rng;
use yuma_client::{Client, Metagraph, NeuronInfo};
use yuma_keys::Pair;
use yuma_primitives::rng::splitmix64;
use yuma_primitives::{AccountId, NetUid};

use super::scores::{Scores, Scoring, latency_factor};
use super::status::{MinerStatus, Status};
use super::submit::{ChainView, Submission, Submitter};
use crate::Error;
use crate::protocol::{MinerClient, QueryError, axon_addr};
use crate::task::Challenger;

/// How a validator runs.
#[derive(Debug, Clone)]
pub struct ValidatorConfig {
    /// The subnet.
    pub netuid: NetUid,
    /// Time between the starts of two steps.
    pub interval: Duration,
    /// How long a miner has to answer.
    pub timeout: Duration,
    /// How often the weights loop checks whether a commit, reveal or set is due.
    pub weights_poll: Duration,
    /// Miners queried at once.
    pub max_parallel: usize,
    /// EMA factor of the scores.
    pub ema_alpha: f64,
    /// How a step's answers are scored.
    pub scoring: Scoring,
    /// The subnet's weights version key.
    pub version_key: u64,
    /// Where to write the status after each step.
    pub status_file: Option<PathBuf>,
    /// Draw the steps' challenges from this seed instead of fresh randomness, so that runs
    /// can be repeated. Only for tests and experiments: miners who know it know every task.
    pub seed: Option<u64>,
}

impl ValidatorConfig {
    /// Defaults for `netuid`: a step every 2 s, 5 s timeout, weights checked every 250 ms,
    /// 16 queries at once, EMA 0.3, Shapley scoring.
    pub fn new(netuid: NetUid) -> Self {
        Self {
            netuid,
            interval: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
            weights_poll: Duration::from_millis(250),
            max_parallel: 16,
            ema_alpha: 0.3,
            scoring: Scoring::default(),
            version_key: 0,
            status_file: None,
            seed: None,
        }
    }
}

/// Something the validator reports as it runs.
#[derive(Debug, Clone)]
pub enum Event {
    /// A step finished.
    Step {
        /// Metagraph block.
        block: u64,
        /// Miners queried.
        queried: usize,
        /// Miners that answered validly.
        answered: usize,
    },
    /// A miner's query failed (scored 0, or not scored when it refused our permit).
    QueryFailed {
        /// The miner's UID.
        uid: u16,
        /// Why.
        reason: String,
    },
    /// A weights submission.
    Weights(Submission),
    /// A step could not run (the node is unreachable, the validator is not registered, ...).
    StepFailed(String),
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Step {
                block,
                queried,
                answered,
            } => write!(
                f,
                "step at block {block}: {answered}/{queried} miners answered"
            ),
            Self::QueryFailed { uid, reason } => write!(f, "miner uid {uid}: {reason}"),
            Self::Weights(s) => write!(f, "{s}"),
            Self::StepFailed(reason) => write!(f, "step failed: {reason}"),
        }
    }
}

/// One query's result.
enum Outcome<A> {
    /// The miner answered after `latency`.
    Answered {
        /// The answer.
        answer: A,
        /// How long it took.
        latency: Duration,
    },
    /// The miner refused us for lack of a permit: no score this step.
    NotScored,
}

/// How one query went: its outcome, or why it failed.
type Queried<A> = Result<Outcome<A>, String>;

/// A miner that answered this step.
struct Answered<A> {
    uid: u16,
    hotkey: AccountId,
    answer: A,
    latency: Duration,
}

/// A validator on one subnet.
pub struct Validator<C> {
    config: ValidatorConfig,
    challenger: Arc<C>,
    client: Arc<Client>,
    pair: Arc<Pair>,
    miners: Arc<MinerClient>,
    scores: Scores,
    latest: Arc<Mutex<Latest>>,
    /// Steps taken, which numbers the seeded challenges.
    steps: u64,
}

/// What the query loop hands the weights loop: the current weights row and the validator's
/// own neuron as last read.
#[derive(Default)]
struct Latest {
    row: Vec<(u16, u16)>,
    me: Option<NeuronInfo>,
}

impl<C: Challenger> Validator<C> {
    /// A validator signing with `pair` (its hotkey), reading the chain through `client`.
    pub fn new(config: ValidatorConfig, challenger: C, client: Arc<Client>, pair: Pair) -> Self {
        let pair = Arc::new(pair);
        Self {
            scores: Scores::new(config.ema_alpha, config.scoring.floor()),
            latest: Arc::new(Mutex::new(Latest::default())),
            miners: Arc::new(MinerClient::new(pair.clone())),
            challenger: Arc::new(challenger),
            client,
            pair,
            config,
            steps: 0,
        }
    }

    /// The validator's hotkey.
    pub fn hotkey(&self) -> AccountId {
        self.pair.public()
    }

    /// Checks that the subnet exists and the hotkey is registered on it.
    ///
    /// # Errors
    /// [`Error::NoSubnet`], [`Error::NotRegistered`] or [`Error::Client`].
    pub async fn check_registered(&self) -> Result<(), Error> {
        let metagraph = self.metagraph().await?;
        if metagraph.neurons.iter().any(|n| n.hotkey == self.hotkey()) {
            Ok(())
        } else {
            Err(Error::NotRegistered {
                hotkey: self.hotkey(),
                netuid: self.config.netuid,
            })
        }
    }

    async fn metagraph(&self) -> Result<Metagraph, Error> {
        self.client
            .metagraph(self.config.netuid)
            .await?
            .ok_or(Error::NoSubnet(self.config.netuid))
    }

    /// Runs steps every `interval` until `shutdown` resolves, reporting through `on_event`.
    ///
    /// Weights are submitted by a second loop that checks the chain every `weights_poll`, so
    /// a reveal is sent in its epoch even when a step waits long on hanging miners.
    pub async fn run(
        mut self,
        shutdown: impl Future<Output = ()>,
        on_event: impl Fn(&Event) + Send + Sync + 'static,
    ) {
        let on_event = Arc::new(on_event);
        let weights = tokio::spawn(weights_loop(
            WeightsLoop {
                client: self.client.clone(),
                pair: self.pair.clone(),
                netuid: self.config.netuid,
                poll: self.config.weights_poll,
                latest: self.latest.clone(),
                submitter: Submitter::new(self.config.netuid, self.config.version_key),
            },
            {
                let on_event = on_event.clone();
                move |e: &Event| on_event(e)
            },
        ));
        let mut ticker = tokio::time::interval(self.config.interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                _ = ticker.tick() => {}
            }
            tokio::select! {
                () = &mut shutdown => break,
                events = self.step() => {
                    for event in &events {
                        on_event(event);
                    }
                }
            }
        }
        weights.abort();
    }

    /// The seed of the next step's challenge: drawn fresh, or the next of the configured
    /// seed's stream.
    fn next_seed(&mut self) -> u64 {
        self.steps += 1;
        match self.config.seed {
            Some(seed) => step_seed(seed, &self.hotkey(), self.steps),
            None => rand::thread_rng().r#gen(),
        }
    }

    /// One step: query, score, submit weights if due, write the status file.
    pub async fn step(&mut self) -> Vec<Event> {
        let mut events = Vec::new();
        let metagraph = match self.metagraph().await {
            Ok(m) => m,
            Err(e) => return vec![Event::StepFailed(e.to_string())],
        };
        let me = self.hotkey();
        let targets: Vec<(u16, AccountId, std::net::SocketAddr)> = metagraph
            .neurons
            .iter()
            .filter(|n| n.hotkey != me)
            .filter_map(|n| axon_addr(n).map(|addr| (n.uid, n.hotkey, addr)))
            .collect();
        // One task per step for every miner: their answers then compare like with like, and
        // combine into one ensemble.
        let seed = self.next_seed();
        let challenger = self.challenger.clone();
        let (challenge, key) =
            match tokio::task::spawn_blocking(move || challenger.challenge(seed)).await {
                Ok(Ok(drawn)) => drawn,
                Ok(Err(e)) => return vec![Event::StepFailed(format!("drawing a challenge: {e}"))],
                Err(e) => return vec![Event::StepFailed(format!("drawing a challenge: {e}"))],
            };
        let challenge = Arc::new(challenge);
        let results: Vec<(u16, AccountId, Queried<C::Answer>)> =
            futures::stream::iter(targets.iter().copied())
                .map(|(uid, hotkey, addr)| {
                    let query = self.query(hotkey, addr, challenge.clone());
                    async move { (uid, hotkey, query.await) }
                })
                .buffer_unordered(self.config.max_parallel.max(1))
                .collect()
                .await;
        let mut answers = Vec::new();
        for (uid, hotkey, result) in results {
            match result {
                Ok(Outcome::Answered { answer, latency }) => answers.push(Answered {
                    uid,
                    hotkey,
                    answer,
                    latency,
                }),
                Ok(Outcome::NotScored) => {
                    self.scores.touch(uid, hotkey);
                }
                Err(reason) => {
                    self.scores.record(uid, hotkey, 0.0, 0.0);
                    events.push(Event::QueryFailed { uid, reason });
                }
            }
        }
        // Answers come back in completion order; score them in UID order, so the same
        // answers always give the same (sampled) values.
        answers.sort_by_key(|a| a.uid);
        let answered = answers.len();
        if let Err(e) = self.score(key, answers, seed).await {
            events.push(Event::StepFailed(format!("scoring the answers: {e}")));
        }
        self.scores.retain(|uid, hotkey| {
            metagraph
                .neurons
                .get(usize::from(uid))
                .is_some_and(|n| n.hotkey == *hotkey)
        });
        let row = self.scores.weights();
        events.push(Event::Step {
            block: metagraph.block,
            queried: targets.len(),
            answered,
        });
        {
            let mut latest = self.latest.lock().unwrap_or_else(PoisonError::into_inner);
            latest.me = metagraph.neurons.iter().find(|n| n.hotkey == me).cloned();
            latest.row.clone_from(&row);
        }
        if !metagraph.neurons.iter().any(|n| n.hotkey == me) {
            events.push(Event::StepFailed(
                Error::NotRegistered {
                    hotkey: me,
                    netuid: self.config.netuid,
                }
                .to_string(),
            ));
        }
        if let Some(path) = &self.config.status_file
            && let Err(e) = self.status(&metagraph, &row).write(path)
        {
            events.push(Event::StepFailed(e.to_string()));
        }
        events
    }

    /// Records each answer's score: its Shapley value in the ensemble of all answers (or its
    /// own quality, see [`Scoring`]) times its latency factor.
    /// Scores the step's answers (on a blocking thread: the task may take a while) and
    /// records them; records nothing when the task fails.
    async fn score(
        &mut self,
        key: C::Key,
        answers: Vec<Answered<C::Answer>>,
        seed: u64,
    ) -> Result<(), String> {
        let (meta, values): (Vec<_>, Vec<C::Answer>) = answers
            .into_iter()
            .map(|a| ((a.uid, a.hotkey, a.latency), a.answer))
            .unzip();
        let challenger = self.challenger.clone();
        let scoring = self.config.scoring;
        let scored = tokio::task::spawn_blocking(move || {
            let refs: Vec<&C::Answer> = values.iter().collect();
            challenger
                .score_step(&key, &refs, scoring, seed)
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())??;
        if scored.quality.len() != meta.len() || scored.paid.len() != meta.len() {
            return Err(format!(
                "the task scored {} answers ({} qualities), not {}",
                scored.paid.len(),
                scored.quality.len(),
                meta.len()
            ));
        }
        let timeout = self.config.timeout;
        for ((uid, hotkey, latency), (quality, paid)) in meta
            .into_iter()
            .zip(scored.quality.into_iter().zip(scored.paid))
        {
            let quality = if quality.is_finite() {
                quality.clamp(0.0, 1.0)
            } else {
                0.0
            };
            let paid = if paid.is_finite() { paid.max(0.0) } else { 0.0 };
            self.scores.record(
                uid,
                hotkey,
                paid * latency_factor(latency, timeout),
                quality,
            );
        }
        Ok(())
    }

    fn status(&self, metagraph: &Metagraph, row: &[(u16, u16)]) -> Status {
        let miners = self
            .scores
            .iter()
            .map(|(uid, s)| MinerStatus {
                uid,
                hotkey: s.hotkey,
                last_score: s.last,
                score_ema: s.ema,
                quality_ema: s.quality,
                weight: row.iter().find(|&&(u, _)| u == uid).map_or(0, |&(_, w)| w),
            })
            .collect();
        Status {
            netuid: self.config.netuid,
            scoring: self.config.scoring.name(),
            block: metagraph.block,
            hotkey: self.hotkey(),
            miners,
        }
    }

    /// Queries one miner with the step's challenge.
    fn query(
        &self,
        hotkey: AccountId,
        addr: std::net::SocketAddr,
        challenge: Arc<C::Challenge>,
    ) -> impl Future<Output = Queried<C::Answer>> + use<C> {
        let miners = self.miners.clone();
        let timeout = self.config.timeout;
        async move {
            let started = Instant::now();
            let answer: Result<C::Answer, QueryError> =
                miners.solve(addr, &hotkey, &*challenge, timeout).await;
            match answer {
                Ok(answer) => Ok(Outcome::Answered {
                    answer,
                    latency: started.elapsed(),
                }),
                Err(QueryError::Status { status: 403, body }) if body.contains("permit") => {
                    Ok(Outcome::NotScored)
                }
                Err(e) => Err(e.to_string()),
            }
        }
    }
}

/// Everything the weights loop owns.
struct WeightsLoop {
    client: Arc<Client>,
    pair: Arc<Pair>,
    netuid: NetUid,
    poll: Duration,
    latest: Arc<Mutex<Latest>>,
    submitter: Submitter,
}

/// Every `poll`, reads the head and the subnet's hyperparameters and submits what is due.
async fn weights_loop(mut w: WeightsLoop, on_event: impl Fn(&Event)) {
    let mut ticker = tokio::time::interval(w.poll);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let (row, me) = {
            let latest = w.latest.lock().unwrap_or_else(PoisonError::into_inner);
            (latest.row.clone(), latest.me.clone())
        };
        let Some(me) = me else { continue };
        let (head, subnet) = match tokio::try_join!(w.client.head(), w.client.subnet(w.netuid)) {
            Ok((head, Some(subnet))) => (head, subnet),
            Ok((_, None)) => {
                on_event(&Event::StepFailed(Error::NoSubnet(w.netuid).to_string()));
                continue;
            }
            Err(e) => {
                on_event(&Event::StepFailed(e.to_string()));
                continue;
            }
        };
        let view = ChainView {
            block: head.number,
            hyperparams: &subnet.hyperparams,
            me: &me,
        };
        for submission in w.submitter.tick(&w.client, &w.pair, &view, &row).await {
            on_event(&Event::Weights(submission));
        }
    }
}

/// Step `step`'s challenge seed from a configured seed: a stream per hotkey, so that validators
/// sharing a seed still draw different tasks.
fn step_seed(seed: u64, hotkey: &AccountId, step: u64) -> u64 {
    let mut key = [0u8; 8];
    key.copy_from_slice(&hotkey.0[..8]);
    splitmix64(seed ^ splitmix64(step) ^ u64::from_le_bytes(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_steps_repeat_and_differ_by_step_and_hotkey() {
        let (a, b) = (AccountId([1; 32]), AccountId([2; 32]));
        assert_eq!(step_seed(7, &a, 1), step_seed(7, &a, 1));
        let seeds = [
            step_seed(7, &a, 1),
            step_seed(7, &a, 2),
            step_seed(7, &b, 1),
            step_seed(8, &a, 1),
        ];
        for (i, x) in seeds.iter().enumerate() {
            assert!(seeds[i + 1..].iter().all(|y| y != x), "{seeds:?}");
        }
    }
}
