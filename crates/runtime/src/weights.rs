//! Weights: `set_weights`, and `commit_weights` / `reveal_weights` for commit-reveal subnets.
//!
//! Checks follow subtensor's `internal_set_weights`, in this order: equal lengths, subnet,
//! signer registered, version key, rate limit (commit-reveal off), validator permit (unless the
//! only weight is on itself), no duplicate UIDs, UIDs exist, minimum count, max weight limit.
//! The row is max-upscaled (largest weight = 65535, rounded to nearest) and stored as given:
//! in the caller's order, zeros kept, because the epoch's result depends on both.
//! With commit-reveal on, the commit (not the reveal) counts as the neuron's update.
//!
//! A commit is `blake2b-256("yuma/commit/v1" ++ encode(hotkey, netuid, uids, weights, salt,
//! version_key))`. It is revealed in epoch `commit_epoch + reveal_period_epochs` exactly
//! (epoch index as [`crate::issuance::epoch_index`]): earlier is "too early", later is stale.

use crate::codec::Encode;
use crate::error::Error;
use crate::event::Event;
use crate::hash::{Hash, blake2b_256};
use crate::issuance::epoch_index;
use crate::params::{MAX_PENDING_COMMITS, U16_ONE};
use crate::state::State;
use yuma_primitives::{AccountId, NetUid};

/// The commit hash for a later reveal.
pub fn commit_hash(
    hotkey: &AccountId,
    netuid: NetUid,
    uids: &[u16],
    weights: &[u16],
    salt: &[u16],
    version_key: u64,
) -> Hash {
    let mut bytes = Vec::new();
    hotkey.encode_to(&mut bytes);
    netuid.encode_to(&mut bytes);
    uids.to_vec().encode_to(&mut bytes);
    weights.to_vec().encode_to(&mut bytes);
    salt.to_vec().encode_to(&mut bytes);
    version_key.encode_to(&mut bytes);
    blake2b_256(&[b"yuma/commit/v1", &bytes])
}

/// Weights as subtensor stores them (`vec_u16_max_upscale_to_u16`): scaled so the largest is
/// 65535, each rounded to the nearest integer (halves up).
pub fn max_upscale(weights: &[u16]) -> Vec<u16> {
    let max = u64::from(weights.iter().copied().max().unwrap_or(0));
    if max == 0 {
        return weights.to_vec();
    }
    weights
        .iter()
        .map(|&w| {
            let scaled = (2 * u64::from(w) * U16_ONE + max) / (2 * max);
            u16::try_from(scaled).unwrap_or(u16::MAX)
        })
        .collect()
}

fn set_weights_checked(
    st: &mut State<'_>,
    hotkey: &AccountId,
    netuid: NetUid,
    uids: &[u16],
    weights: &[u16],
    version_key: u64,
    rate_limited: bool,
) -> Result<(), Error> {
    if uids.len() != weights.len() {
        return Err(Error::WeightsLengthMismatch {
            uids: uids.len(),
            weights: weights.len(),
        });
    }
    let subnet = st.try_subnet(netuid)?;
    let hp = st.hyperparams(netuid);
    let uid = st.uid_of(netuid, hotkey).ok_or(Error::NotRegistered {
        hotkey: *hotkey,
        netuid,
    })?;
    let mut neuron = st.neuron(netuid, uid).ok_or(Error::NotRegistered {
        hotkey: *hotkey,
        netuid,
    })?;
    if version_key < hp.weights_version_key {
        return Err(Error::OutdatedVersionKey {
            got: version_key,
            required: hp.weights_version_key,
        });
    }
    let now = st.block();
    if rate_limited {
        check_rate_limit(neuron.last_update, hp.weights_rate_limit, now)?;
    }
    let self_only = uids == [uid];
    if !self_only && !neuron.validator_permit {
        return Err(Error::NoValidatorPermit(uid));
    }
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::DuplicateUids(w[0]));
    }
    if let Some(&bad) = sorted.iter().find(|&&u| u >= subnet.n) {
        return Err(Error::InvalidUid {
            uid: bad,
            n: subnet.n,
        });
    }
    if !self_only {
        let min = usize::from(hp.min_allowed_weights.min(subnet.n));
        if uids.len() < min {
            return Err(Error::TooFewWeights {
                got: uids.len(),
                min,
            });
        }
        if hp.max_weights_limit != u16::MAX {
            let sum: u64 = weights.iter().map(|&w| u64::from(w)).sum();
            let max = u64::from(weights.iter().copied().max().unwrap_or(0));
            if let Some(scaled) = (max * U16_ONE).checked_div(sum) {
                let normalised = u16::try_from(scaled).unwrap_or(u16::MAX);
                if normalised > hp.max_weights_limit {
                    return Err(Error::WeightsOverLimit {
                        weight: normalised,
                        limit: hp.max_weights_limit,
                    });
                }
            }
        }
    }
    let row: Vec<(u16, u16)> = uids.iter().copied().zip(max_upscale(weights)).collect();
    st.set_weights(netuid, uid, &row);
    if !hp.commit_reveal_enabled {
        neuron.last_update = now;
        st.set_neuron(netuid, uid, &neuron);
    }
    st.emit(Event::WeightsSet { netuid, uid });
    Ok(())
}

/// Subtensor's `check_rate_limit`: `weights_rate_limit` blocks must have passed since the
/// neuron's last update (its registration block until it first sets weights).
fn check_rate_limit(last: u64, limit: u64, now: u64) -> Result<(), Error> {
    let next = last.saturating_add(limit);
    if now < next {
        return Err(Error::RateLimited {
            what: "weights",
            next,
        });
    }
    Ok(())
}

/// `set_weights` on a subnet without commit-reveal.
pub(crate) fn set_weights(
    st: &mut State<'_>,
    hotkey: &AccountId,
    netuid: NetUid,
    uids: &[u16],
    weights: &[u16],
    version_key: u64,
) -> Result<(), Error> {
    st.try_subnet(netuid)?;
    if st.hyperparams(netuid).commit_reveal_enabled {
        return Err(Error::CommitRevealMode {
            netuid,
            enabled: true,
        });
    }
    set_weights_checked(st, hotkey, netuid, uids, weights, version_key, true)
}

fn require_commit_reveal(st: &State<'_>, netuid: NetUid) -> Result<(), Error> {
    st.try_subnet(netuid)?;
    if !st.hyperparams(netuid).commit_reveal_enabled {
        return Err(Error::CommitRevealMode {
            netuid,
            enabled: false,
        });
    }
    Ok(())
}

/// Stores a weights commit. Rate limited like `set_weights` (the commit counts as the update).
pub(crate) fn commit_weights(
    st: &mut State<'_>,
    hotkey: &AccountId,
    netuid: NetUid,
    commit: Hash,
) -> Result<(), Error> {
    require_commit_reveal(st, netuid)?;
    let uid = st.uid_of(netuid, hotkey).ok_or(Error::NotRegistered {
        hotkey: *hotkey,
        netuid,
    })?;
    let Some(mut neuron) = st.neuron(netuid, uid) else {
        return Err(Error::NotRegistered {
            hotkey: *hotkey,
            netuid,
        });
    };
    let hp = st.hyperparams(netuid);
    let now = st.block();
    check_rate_limit(neuron.last_update, hp.weights_rate_limit, now)?;
    let now_epoch = epoch_index(netuid.0, hp.tempo, now);
    let mut commits: Vec<_> = st
        .commits(netuid, hotkey)
        .into_iter()
        .filter(|&(_, block)| {
            epoch_index(netuid.0, hp.tempo, block).saturating_add(hp.reveal_period_epochs)
                >= now_epoch
        })
        .collect();
    if commits.len() >= MAX_PENDING_COMMITS {
        return Err(Error::TooManyCommits(commits.len()));
    }
    commits.push((commit, now));
    st.set_commits(netuid, hotkey, &commits);
    neuron.last_update = now;
    st.set_neuron(netuid, uid, &neuron);
    st.emit(Event::WeightsCommitted {
        netuid,
        hotkey: *hotkey,
        block: now,
    });
    Ok(())
}

/// What a reveal discloses.
pub(crate) struct Reveal<'a> {
    pub(crate) uids: &'a [u16],
    pub(crate) weights: &'a [u16],
    pub(crate) salt: &'a [u16],
    pub(crate) version_key: u64,
}

/// Reveals a commit and sets the weights it committed to.
pub(crate) fn reveal_weights(
    st: &mut State<'_>,
    hotkey: &AccountId,
    netuid: NetUid,
    reveal: Reveal<'_>,
) -> Result<(), Error> {
    require_commit_reveal(st, netuid)?;
    let hash = commit_hash(
        hotkey,
        netuid,
        reveal.uids,
        reveal.weights,
        reveal.salt,
        reveal.version_key,
    );
    let mut commits = st.commits(netuid, hotkey);
    let pos = commits
        .iter()
        .position(|&(h, _)| h == hash)
        .ok_or(Error::NoMatchingCommit)?;
    let hp = st.hyperparams(netuid);
    let now_epoch = epoch_index(netuid.0, hp.tempo, st.block());
    let window =
        epoch_index(netuid.0, hp.tempo, commits[pos].1).saturating_add(hp.reveal_period_epochs);
    if now_epoch < window {
        return Err(Error::RevealTooEarly {
            allowed: window,
            now: now_epoch,
        });
    }
    if now_epoch > window {
        return Err(Error::StaleReveal {
            window,
            now: now_epoch,
        });
    }
    set_weights_checked(
        st,
        hotkey,
        netuid,
        reveal.uids,
        reveal.weights,
        reveal.version_key,
        false,
    )?;
    commits.remove(pos);
    st.set_commits(netuid, hotkey, &commits);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_upscale_exact() {
        assert_eq!(max_upscale(&[1, 2, 4]), vec![16384, 32768, 65535]);
        assert_eq!(max_upscale(&[1, 3]), vec![21845, 65535]);
        assert_eq!(max_upscale(&[0, 0]), vec![0, 0]);
        assert_eq!(max_upscale(&[7]), vec![65535]);
    }
}
