//! Submitting weights once per tempo: commit then reveal when the subnet has commit-reveal on,
//! `set_weights` otherwise. A failed submission is retried at the next step; a commit whose
//! reveal window passed is dropped.

use std::fmt;

use rand::Rng;
use yuma_client::{Call, Client, Hyperparams, NeuronInfo};
use yuma_keys::Pair;
use yuma_primitives::NetUid;
use yuma_runtime::issuance::epoch_index;
use yuma_runtime::weights::commit_hash;

/// A submission the validator made or tried, for its log.
#[derive(Debug, Clone, PartialEq)]
pub enum Submission {
    /// Weights committed, to be revealed in epoch `reveal_epoch`.
    Committed {
        /// Block that included the commit.
        block: u64,
        /// Epoch in which it will be revealed.
        reveal_epoch: u64,
        /// Number of UIDs.
        uids: usize,
    },
    /// A commit revealed.
    Revealed {
        /// Block that included the reveal.
        block: u64,
        /// Number of UIDs.
        uids: usize,
    },
    /// Weights set directly.
    Set {
        /// Block that included the call.
        block: u64,
        /// Number of UIDs.
        uids: usize,
    },
    /// A submission failed; it is retried.
    Failed {
        /// `commit`, `reveal` or `set`.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// A commit could not be revealed in its window and was dropped.
    Dropped {
        /// Epoch the reveal was due.
        reveal_epoch: u64,
    },
}

impl fmt::Display for Submission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Committed {
                block,
                reveal_epoch,
                uids,
            } => write!(
                f,
                "committed weights for {uids} uids in block {block} (reveal in epoch {reveal_epoch})"
            ),
            Self::Revealed { block, uids } => {
                write!(f, "revealed weights for {uids} uids in block {block}")
            }
            Self::Set { block, uids } => write!(f, "set weights for {uids} uids in block {block}"),
            Self::Failed { what, reason } => {
                write!(f, "weights {what} failed (will retry): {reason}")
            }
            Self::Dropped { reveal_epoch } => {
                write!(f, "dropped a commit not revealed in epoch {reveal_epoch}")
            }
        }
    }
}

struct Pending {
    reveal_epoch: u64,
    uids: Vec<u16>,
    weights: Vec<u16>,
    salt: Vec<u16>,
}

/// The weights schedule of one validator on one subnet.
pub struct Submitter {
    netuid: NetUid,
    version_key: u64,
    last_epoch: Option<u64>,
    pending: Vec<Pending>,
}

/// What the submitter needs to know about the chain this step.
pub struct ChainView<'a> {
    /// The head block.
    pub block: u64,
    /// The subnet's hyperparameters.
    pub hyperparams: &'a Hyperparams,
    /// The validator's own neuron.
    pub me: &'a NeuronInfo,
}

impl Submitter {
    /// A schedule for `netuid` with weights version key `version_key`.
    pub fn new(netuid: NetUid, version_key: u64) -> Self {
        Self {
            netuid,
            version_key,
            last_epoch: None,
            pending: Vec::new(),
        }
    }

    /// Commits awaiting their reveal.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Submits what is due at this step: reveals whose epoch has come, then this epoch's
    /// weights (`row`, only positive weights) if not yet submitted and the rate limit allows.
    pub async fn tick(
        &mut self,
        client: &Client,
        pair: &Pair,
        view: &ChainView<'_>,
        row: &[(u16, u16)],
    ) -> Vec<Submission> {
        let hp = view.hyperparams;
        let epoch = epoch_index(self.netuid.0, hp.tempo, view.block);
        let mut log = Vec::new();
        if hp.commit_reveal_enabled {
            self.reveal_due(client, pair, epoch, &mut log).await;
        } else {
            self.pending.clear();
        }
        let row: Vec<(u16, u16)> = row.iter().copied().filter(|&(_, w)| w > 0).collect();
        let rate_ok = view.me.last_update.saturating_add(hp.weights_rate_limit) <= view.block;
        if row.is_empty() || self.last_epoch == Some(epoch) || !rate_ok {
            return log;
        }
        let uids: Vec<u16> = row.iter().map(|&(u, _)| u).collect();
        let weights: Vec<u16> = row.iter().map(|&(_, w)| w).collect();
        if hp.commit_reveal_enabled {
            let salt: Vec<u16> = (0..8).map(|_| rand::thread_rng().r#gen()).collect();
            let commit = commit_hash(
                &pair.public(),
                self.netuid,
                &uids,
                &weights,
                &salt,
                self.version_key,
            );
            let call = Call::CommitWeights {
                netuid: self.netuid,
                commit,
            };
            match submit(client, pair, call).await {
                Ok(block) => {
                    let reveal_epoch = epoch_index(self.netuid.0, hp.tempo, block)
                        .saturating_add(hp.reveal_period_epochs);
                    log.push(Submission::Committed {
                        block,
                        reveal_epoch,
                        uids: uids.len(),
                    });
                    self.pending.push(Pending {
                        reveal_epoch,
                        uids,
                        weights,
                        salt,
                    });
                    self.last_epoch = Some(epoch);
                }
                Err(reason) => log.push(Submission::Failed {
                    what: "commit",
                    reason,
                }),
            }
        } else {
            let call = Call::SetWeights {
                netuid: self.netuid,
                uids: uids.clone(),
                weights,
                version_key: self.version_key,
            };
            match submit(client, pair, call).await {
                Ok(block) => {
                    log.push(Submission::Set {
                        block,
                        uids: uids.len(),
                    });
                    self.last_epoch = Some(epoch);
                }
                Err(reason) => log.push(Submission::Failed {
                    what: "set",
                    reason,
                }),
            }
        }
        log
    }

    async fn reveal_due(
        &mut self,
        client: &Client,
        pair: &Pair,
        epoch: u64,
        log: &mut Vec<Submission>,
    ) {
        let mut keep = Vec::new();
        for p in std::mem::take(&mut self.pending) {
            if p.reveal_epoch > epoch {
                keep.push(p);
                continue;
            }
            if p.reveal_epoch < epoch {
                log.push(Submission::Dropped {
                    reveal_epoch: p.reveal_epoch,
                });
                continue;
            }
            let call = Call::RevealWeights {
                netuid: self.netuid,
                uids: p.uids.clone(),
                weights: p.weights.clone(),
                salt: p.salt.clone(),
                version_key: self.version_key,
            };
            match submit(client, pair, call).await {
                Ok(block) => log.push(Submission::Revealed {
                    block,
                    uids: p.uids.len(),
                }),
                Err(reason) => {
                    log.push(Submission::Failed {
                        what: "reveal",
                        reason,
                    });
                    keep.push(p);
                }
            }
        }
        self.pending = keep;
    }
}

/// Signs, submits and waits for inclusion; the including block, or why it failed.
async fn submit(client: &Client, pair: &Pair, call: Call) -> Result<u64, String> {
    let result = client
        .sign_and_submit(pair, call, true)
        .await
        .map_err(|e| e.to_string())?;
    match result.included {
        Some(inclusion) if inclusion.receipt.success => Ok(inclusion.block),
        Some(inclusion) => Err(inclusion
            .receipt
            .error
            .unwrap_or_else(|| "unknown error".into())),
        None => Err("not included".into()),
    }
}
