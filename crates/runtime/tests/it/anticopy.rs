//! The anti weight-copying hyperparameter on chain: a copier earns less with it on, the total
//! paid stays the same, and with it off the state is what it always was.

use crate::util::*;
use yuma_epoch::anticopy::Memory;
use yuma_primitives::{Balance, NetUid};
use yuma_runtime::issuance::is_epoch_block;
use yuma_runtime::testkit::{TestChain, pair};
use yuma_runtime::{Call, Error, Event, Hyperparameter, SudoCall};

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
    /// The stage's memory at the end.
    memory: Option<Memory>,
    /// Uids of the honest validators and of the copier.
    uids: [u16; 3],
    /// The chain at the end.
    chain: TestChain,
    /// The subnet.
    netuid: NetUid,
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
        let events = c.next_block().expect("the next block");
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
    let uid = |c: &TestChain, v: u32| c.rt.uid(netuid, &pair(v).public()).expect("registered");
    let uids = [uid(&c, HONEST[0]), uid(&c, HONEST[1]), uid(&c, COPIER)];
    let mut honest = [0; 2];
    let mut copier = 0;
    let mut paid = Vec::new();
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
                        copier += dividends;
                    }
                    for (i, v) in HONEST.iter().enumerate() {
                        if hotkey == pair(*v).public() {
                            honest[i] += dividends;
                        }
                    }
                }
                Event::EpochRun { emission, .. } => paid.push(emission),
                _ => {}
            }
            assert_eq!(c.rt.audit_tao(), u128::from(c.rt.total_issuance()));
        }
    }
    assert_eq!(c.rt.state_root(), c.rt.recompute_state_root());
    Outcome {
        honest,
        copier,
        paid,
        root: c.rt.state_root(),
        memory: c.rt.anti_copy_memory(netuid),
        uids,
        chain: c,
        netuid,
    }
}

/// Turns the stage on as the subnet owner.
fn penalty(c: &mut TestChain, netuid: NetUid, value: u16) {
    c.call(
        &alice(),
        Call::SetSubnetHyperparameter {
            netuid,
            param: Hyperparameter::AntiCopyPenalty { value },
        },
    )
    .expect("the owner sets the anti-copy penalty");
}

#[test]
fn off_leaves_the_state_as_it_was() {
    // The root this scenario reached before the hyperparameter existed: with the stage off,
    // every record keeps its bytes.
    let off = copying(|_, _| {});
    assert_eq!(off.memory, None);
    assert_eq!(
        hex::encode(off.root),
        "dd8ec87b5b81be6090b0ace62949be54cad352247f046ba2d7a628958004b05a"
    );
}

#[test]
fn a_copier_earns_less_with_the_penalty_on_and_the_total_paid_is_the_same() {
    let off = copying(|_, _| {});
    let on = copying(|c, netuid| penalty(c, netuid, 39_321));
    assert!(
        on.copier * 10 < off.copier * 8,
        "copier: {} on, {} off",
        on.copier,
        off.copier
    );
    assert!(on.honest[0] > off.honest[0] && on.honest[1] > off.honest[1]);
    // The copier starts with the stake of the second honest validator; its dividends per
    // dividend of that validator (the gain G) fall by more than a fifth.
    let (c_on, h_on) = (u128::from(on.copier), u128::from(on.honest[1]));
    let (c_off, h_off) = (u128::from(off.copier), u128::from(off.honest[1]));
    assert!(
        10 * c_on * h_off < 8 * c_off * h_on,
        "G {c_on}/{h_on} vs {c_off}/{h_off}"
    );
    // Every epoch pays what it paid without the stage, but for integer rounding (a few rao
    // per epoch, which are not minted either way).
    assert_eq!(on.paid.len(), off.paid.len());
    for (a, b) in on.paid.iter().zip(&off.paid) {
        assert!(a.abs_diff(*b) <= 8, "{a} vs {b}");
    }
    // The standings say why: the honest validators anticipated the moves, the copier did not.
    let memory = on.memory.expect("the stage keeps its memory while on");
    let standing = |uid: u16| memory.standing[usize::from(uid)].expect("scored");
    let [a, b, copier] = on.uids;
    assert!(standing(copier) < 100_000, "{}", standing(copier));
    assert!(standing(a) > 400_000 && standing(b) > 400_000);
    assert_ne!(on.root, off.root);
}

#[test]
fn turning_the_penalty_off_drops_the_memory() {
    let on = copying(|c, netuid| penalty(c, netuid, u16::MAX));
    let (mut c, netuid) = (on.chain, on.netuid);
    assert!(c.rt.anti_copy_memory(netuid).is_some());
    penalty(&mut c, netuid, 0);
    assert_eq!(c.rt.anti_copy_memory(netuid), None);
    c.run_blocks(30).expect("blocks run");
    assert_eq!(c.rt.anti_copy_memory(netuid), None);
    assert_eq!(c.rt.state_root(), c.rt.recompute_state_root());
}

#[test]
fn the_penalty_is_the_owners_to_set() {
    let mut c = chain();
    let netuid = subnet(&mut c);
    let hp = |c: &TestChain| c.rt.subnet(netuid).expect("subnet").hyperparams;
    assert_eq!(hp(&c).anti_copy_penalty, 0, "off by default");
    let set = |value| Call::SetSubnetHyperparameter {
        netuid,
        param: Hyperparameter::AntiCopyPenalty { value },
    };
    let events = c.call(&alice(), set(39_321)).expect("owner sets it");
    assert!(events.contains(&Event::HyperparameterSet {
        netuid,
        param: Hyperparameter::AntiCopyPenalty { value: 39_321 },
    }));
    assert_eq!(hp(&c).anti_copy_penalty, 39_321);
    assert_eq!(
        err(&mut c, &bob(), set(1)),
        Error::NotOwner {
            signer: bob().public(),
            netuid
        }
    );
    let unknown = Call::SetSubnetHyperparameter {
        netuid: NetUid(9),
        param: Hyperparameter::AntiCopyPenalty { value: 1 },
    };
    assert_eq!(
        err(&mut c, &alice(), unknown),
        Error::UnknownSubnet(NetUid(9))
    );
    sudo_set(
        &mut c,
        netuid,
        Hyperparameter::AntiCopyPenalty { value: u16::MAX },
    );
    assert_eq!(hp(&c).anti_copy_penalty, u16::MAX);
    assert_eq!(
        hp(&c).anti_copy(),
        yuma_epoch::anticopy::AntiCopy {
            penalty: u16::MAX,
            reveal_delay: 0
        }
    );
    sudo_set(
        &mut c,
        netuid,
        Hyperparameter::CommitRevealEnabled { value: true },
    );
    assert_eq!(hp(&c).anti_copy().reveal_delay, 1, "the reveal period");
}
