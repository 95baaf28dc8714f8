//! The anti weight-copying hyperparameter on chain: a copier earns less with it on, the total
//! paid stays the same, and with it off the state is what it always was.

use crate::util::*;
use yuma_primitives::{Balance, NetUid};
use yuma_runtime::issuance::is_epoch_block;
use yuma_runtime::testkit::{TestChain, pair};
use yuma_runtime::{Call, Event, Hyperparameter, SudoCall};

/// Honest validators (their weights follow the miners' quality as it changes).
const HONEST: [u32; 2] = [30, 31];
/// The copier (its weights are the consensus of the last epoch).
const COPIER: u32 = 32;
/// Miners.
const MINERS: [u32; 4] = [40, 41, 42, 43];
/// Epochs the scenario runs after permits are handed out.
const EPOCHS: u64 = 20;

/// What one run of [`copying`] produced.
struct Outcome {
    /// Dividends paid to each honest validator's hotkey over the run.
    honest: [u64; 2],
    /// Dividends paid to the copier's hotkey over the run.
    copier: u64,
    /// Alpha each epoch paid (`EpochRun::emission`).
    paid: Vec<u64>,
    /// The state root at the end.
    root: [u8; 32],
}

/// Miner `j`'s quality at epoch `k`: two miners rise, one falls, one stays.
fn quality(j: usize, k: u64) -> u16 {
    let k = u16::try_from(k).expect("few epochs");
    match j {
        0 => 1000 + 300 * k,
        1 => 5000 - 200 * k,
        2 => 3000,
        _ => 1000 + 100 * k,
    }
}

/// Runs blocks until `netuid`'s next epoch has run; returns that block's events.
fn run_to_epoch(c: &mut TestChain, netuid: NetUid) -> Vec<Event> {
    loop {
        let events = c.next_block();
        if is_epoch_block(netuid.0, 10, c.rt.block()) {
            return events;
        }
    }
}

fn set_weights(c: &mut TestChain, hotkey: u32, netuid: NetUid, row: Vec<(u16, u16)>) {
    let (uids, weights) = row.into_iter().filter(|&(_, w)| w > 0).unzip();
    c.call(
        &pair(hotkey),
        Call::SetWeights {
            netuid,
            uids,
            weights,
            version_key: 0,
        },
    )
    .expect("a validator with a permit sets weights");
}

/// A subnet with two honest validators (40% and 30% of the stake, roughly), a copier (30%)
/// and four miners whose quality drifts. Each epoch the honest validators set weights to the
/// miners' quality and the copier to the consensus the epoch just published. `setup` runs
/// on the subnet before the epochs start (e.g. turning the stage on).
fn copying(setup: impl FnOnce(&mut TestChain, NetUid)) -> Outcome {
    let mut c = chain();
    // A deep pool, so stakes of hundreds of TAO buy alpha in proportion.
    c.call(
        &sudo(),
        Call::Sudo {
            call: SudoCall::SetNetworkMinLock { lock: 10_000 * TAO },
        },
    )
    .expect("sudo sets the lock");
    let netuid = subnet(&mut c);
    sudo_set(&mut c, netuid, Hyperparameter::MaxAllowedUids { value: 64 });
    for v in HONEST.iter().chain([&COPIER]) {
        register(&mut c, &alice(), *v, netuid);
    }
    for m in MINERS {
        register(&mut c, &bob(), m, netuid);
    }
    for (v, tao) in [(HONEST[0], 400), (HONEST[1], 300), (COPIER, 300)] {
        c.call(
            &alice(),
            Call::AddStake {
                hotkey: pair(v).public(),
                netuid,
                amount: Balance(tao * TAO),
                limit_price: None,
            },
        )
        .expect("alice stakes");
    }
    run_to_epoch(&mut c, netuid);
    setup(&mut c, netuid);
    let miner_uids: Vec<u16> = MINERS
        .iter()
        .map(|m| c.rt.uid(netuid, &pair(*m).public()).expect("registered"))
        .collect();
    let mut out = Outcome {
        honest: [0; 2],
        copier: 0,
        paid: Vec::new(),
        root: [0; 32],
    };
    for k in 0..EPOCHS {
        let row: Vec<(u16, u16)> = (0..MINERS.len())
            .map(|j| (miner_uids[j], quality(j, k)))
            .collect();
        for v in HONEST {
            set_weights(&mut c, v, netuid, row.clone());
        }
        let meta = c.rt.metagraph(netuid).expect("subnet exists");
        let copy: Vec<(u16, u16)> = miner_uids
            .iter()
            .map(|&u| (u, meta[usize::from(u)].consensus))
            .collect();
        if copy.iter().any(|&(_, w)| w > 0) {
            set_weights(&mut c, COPIER, netuid, copy);
        }
        for e in run_to_epoch(&mut c, netuid) {
            match e {
                Event::Emission {
                    hotkey, dividends, ..
                } => {
                    if hotkey == pair(COPIER).public() {
                        out.copier += dividends;
                    }
                    for (i, v) in HONEST.iter().enumerate() {
                        if hotkey == pair(*v).public() {
                            out.honest[i] += dividends;
                        }
                    }
                }
                Event::EpochRun { emission, .. } => out.paid.push(emission),
                _ => {}
            }
            assert_eq!(c.rt.audit_tao(), u128::from(c.rt.total_issuance()));
        }
    }
    assert_eq!(c.rt.state_root(), c.rt.recompute_state_root());
    out.root = c.rt.state_root();
    out
}

#[test]
fn off_leaves_the_state_as_it_was() {
    // The root this scenario reached before the hyperparameter existed: with the stage off,
    // every record keeps its bytes.
    let off = copying(|_, _| {});
    assert_eq!(
        hex::encode(off.root),
        "dd8ec87b5b81be6090b0ace62949be54cad352247f046ba2d7a628958004b05a"
    );
}
