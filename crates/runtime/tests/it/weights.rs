//! set_weights checks and commit-reveal.

use crate::util::*;
use yuma_primitives::NetUid;
use yuma_runtime::issuance::epoch_index;
use yuma_runtime::testkit::{TestChain, pair};
use yuma_runtime::weights::commit_hash;
use yuma_runtime::{Call, Error, Hyperparameter};

/// A subnet with validator `pair(10)` (alice's, staked) and miners `pair(20)`, `pair(21)`,
/// after one epoch so permits are assigned.
fn setup() -> (TestChain, NetUid) {
    let mut c = chain();
    let netuid = subnet(&mut c);
    register(&mut c, &bob(), 20, netuid);
    register(&mut c, &bob(), 21, netuid);
    c.call(
        &alice(),
        Call::AddStake {
            hotkey: pair(10).public(),
            netuid,
            amount: yuma_primitives::Balance(100 * TAO),
            limit_price: None,
        },
    )
    .unwrap();
    c.run_blocks(11).expect("blocks run");
    assert!(c.rt.metagraph(netuid).unwrap()[0].validator_permit);
    (c, netuid)
}

fn set(netuid: NetUid, uids: Vec<u16>, weights: Vec<u16>, version_key: u64) -> Call {
    Call::SetWeights {
        netuid,
        uids,
        weights,
        version_key,
    }
}

#[test]
fn set_weights_stores_max_upscaled_row() {
    let (mut c, netuid) = setup();
    c.call(&pair(10), set(netuid, vec![2, 1], vec![2, 1], 0))
        .unwrap();
    assert_eq!(
        c.rt.weights(netuid),
        vec![(0, vec![(2, 65535), (1, 32768)])]
    );
    assert_eq!(c.rt.metagraph(netuid).unwrap()[0].last_update, c.rt.block());
}

#[test]
fn set_weights_rejections() {
    let (mut c, netuid) = setup();
    let v = pair(10);
    let root = c.rt.state_root();
    assert_eq!(
        err(&mut c, &v, set(netuid, vec![1, 2], vec![1], 0)),
        Error::WeightsLengthMismatch {
            uids: 2,
            weights: 1
        }
    );
    assert_eq!(
        err(&mut c, &v, set(netuid, vec![1, 1], vec![1, 1], 0)),
        Error::DuplicateUids(1)
    );
    assert_eq!(
        err(&mut c, &v, set(netuid, vec![1, 9], vec![1, 1], 0)),
        Error::InvalidUid { uid: 9, n: 3 }
    );
    assert_eq!(
        err(&mut c, &v, set(NetUid(7), vec![1], vec![1], 0)),
        Error::UnknownSubnet(NetUid(7))
    );
    assert_eq!(
        err(&mut c, &pair(30), set(netuid, vec![1], vec![1], 0)),
        Error::NotRegistered {
            hotkey: pair(30).public(),
            netuid
        }
    );
    assert_eq!(
        c.rt.state_root(),
        root,
        "failing weights calls are never included"
    );

    let owner_set = |c: &mut TestChain, param| {
        c.call(&alice(), Call::SetSubnetHyperparameter { netuid, param })
            .unwrap()
    };
    owner_set(&mut c, Hyperparameter::WeightsVersionKey { value: 5 });
    assert_eq!(
        err(&mut c, &v, set(netuid, vec![1], vec![1], 4)),
        Error::OutdatedVersionKey {
            got: 4,
            required: 5
        }
    );
    owner_set(&mut c, Hyperparameter::MaxWeightsLimit { value: 40_000 });
    c.call(&v, set(netuid, vec![1, 2], vec![1, 1], 5)).unwrap();
    assert_eq!(
        err(&mut c, &v, set(netuid, vec![1, 2], vec![1, 3], 5)),
        Error::WeightsOverLimit {
            weight: 49151,
            limit: 40_000
        }
    );
    owner_set(&mut c, Hyperparameter::MinAllowedWeights { value: 3 });
    assert_eq!(
        err(&mut c, &v, set(netuid, vec![1, 2], vec![1, 1], 5)),
        Error::TooFewWeights { got: 2, min: 3 }
    );
    sudo_set(
        &mut c,
        netuid,
        Hyperparameter::WeightsRateLimit { value: 100 },
    );
    assert!(matches!(
        err(&mut c, &v, set(netuid, vec![0, 1, 2], vec![1, 1, 1], 5)),
        Error::RateLimited {
            what: "weights",
            ..
        }
    ));
    owner_set(&mut c, Hyperparameter::CommitRevealEnabled { value: true });
    assert_eq!(
        err(&mut c, &v, set(netuid, vec![0, 1, 2], vec![1, 1, 1], 5)),
        Error::CommitRevealMode {
            netuid,
            enabled: true
        }
    );
}

#[test]
fn permit_needed_except_for_self_weight() {
    let (mut c, netuid) = setup();
    let uid = register(&mut c, &bob(), 22, netuid);
    assert!(!c.rt.metagraph(netuid).unwrap()[usize::from(uid)].validator_permit);
    assert_eq!(
        err(&mut c, &pair(22), set(netuid, vec![1], vec![1], 0)),
        Error::NoValidatorPermit(uid)
    );
    c.call(&pair(22), set(netuid, vec![uid], vec![1], 0))
        .unwrap();
}

#[test]
fn commit_then_reveal_in_the_next_epoch() {
    let (mut c, netuid) = setup();
    c.call(
        &alice(),
        Call::SetSubnetHyperparameter {
            netuid,
            param: Hyperparameter::CommitRevealEnabled { value: true },
        },
    )
    .unwrap();
    let v = pair(10);
    let (uids, weights, salt) = (vec![1u16, 2], vec![3u16, 1], vec![7u16, 8, 9]);
    let hash = commit_hash(&v.public(), netuid, &uids, &weights, &salt, 0);
    c.call(
        &v,
        Call::CommitWeights {
            netuid,
            commit: hash,
        },
    )
    .unwrap();
    let commit_epoch = epoch_index(netuid.0, 10, c.rt.block());
    let reveal = |salt: Vec<u16>| Call::RevealWeights {
        netuid,
        uids: uids.clone(),
        weights: weights.clone(),
        salt,
        version_key: 0,
    };
    assert_eq!(
        err(&mut c, &v, reveal(salt.clone())),
        Error::RevealTooEarly {
            allowed: commit_epoch + 1,
            now: commit_epoch
        }
    );
    assert_eq!(err(&mut c, &v, reveal(vec![1])), Error::NoMatchingCommit);
    while epoch_index(netuid.0, 10, c.rt.block()) == commit_epoch {
        c.next_block().expect("the next block");
    }
    c.call(&v, reveal(salt.clone())).unwrap();
    assert_eq!(
        c.rt.weights(netuid),
        vec![(0, vec![(1, 65535), (2, 21845)])]
    );
    assert_eq!(
        err(&mut c, &v, reveal(salt.clone())),
        Error::NoMatchingCommit,
        "a commit reveals once"
    );

    // A commit left for two epochs is stale.
    c.call(
        &v,
        Call::CommitWeights {
            netuid,
            commit: hash,
        },
    )
    .unwrap();
    let epoch = epoch_index(netuid.0, 10, c.rt.block());
    c.run_blocks(22).expect("blocks run");
    assert_eq!(
        err(&mut c, &v, reveal(salt)),
        Error::StaleReveal {
            window: epoch + 1,
            now: epoch + 2
        }
    );
    assert_eq!(
        err(&mut c, &v, set(netuid, vec![1], vec![1], 0)),
        Error::CommitRevealMode {
            netuid,
            enabled: true
        }
    );
}

#[test]
fn commit_limits() {
    let (mut c, netuid) = setup();
    let v = pair(10);
    assert_eq!(
        err(
            &mut c,
            &v,
            Call::CommitWeights {
                netuid,
                commit: [0; 32]
            }
        ),
        Error::CommitRevealMode {
            netuid,
            enabled: false
        }
    );
    sudo_set(
        &mut c,
        netuid,
        Hyperparameter::CommitRevealEnabled { value: true },
    );
    for i in 0..10u8 {
        c.call(
            &v,
            Call::CommitWeights {
                netuid,
                commit: [i; 32],
            },
        )
        .unwrap();
    }
    assert_eq!(
        err(
            &mut c,
            &v,
            Call::CommitWeights {
                netuid,
                commit: [10; 32]
            }
        ),
        Error::TooManyCommits(10)
    );
}
