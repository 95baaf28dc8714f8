//! register_network, lock cost, hyperparameters and sudo.

use crate::util::*;
use yuma_primitives::NetUid;
use yuma_runtime::testkit::{TestChain, dev_params, pair};
use yuma_runtime::{Call, ChainParams, Error, Hyperparameter, SudoCall};

fn register_network(hotkey: u32) -> Call {
    Call::RegisterNetwork {
        hotkey: pair(hotkey).public(),
    }
}

#[test]
fn register_network_locks_into_pool() {
    let mut c = chain();
    let min = c.rt.params().network_min_lock;
    assert_eq!(c.rt.network_lock_cost(), min);
    let before = c.rt.account(&alice().public()).free;
    let netuid = subnet(&mut c);
    assert_eq!(netuid, NetUid(1));
    let fees = fee(&c);
    assert_eq!(c.rt.account(&alice().public()).free, before - min - fees);
    let info = c.rt.subnet(netuid).unwrap();
    assert_eq!(info.owner, alice().public());
    assert_eq!(info.lock, min);
    assert_eq!(info.n, 1);
    assert_eq!(info.pool.pool.tao_reserve, min);
    assert_eq!(info.pool.pool.alpha_reserve, min);
    assert_eq!(
        info.pool.price, 1_000_000_000,
        "price starts at 1 TAO per alpha"
    );
    assert_eq!(c.rt.uid(netuid, &pair(10).public()), Some(0));
    assert_eq!(
        c.rt.hotkey_owner(&pair(10).public()),
        Some(alice().public())
    );
}

#[test]
fn lock_cost_doubles_then_decays_linearly() {
    let mut c = chain();
    let min = c.rt.params().network_min_lock;
    let interval = c.rt.params().network_lock_reduction_interval;
    c.call(&alice(), register_network(10)).unwrap();
    assert_eq!(c.rt.network_lock_cost(), 2 * min);
    c.run_blocks(100).expect("blocks run");
    assert_eq!(c.rt.network_lock_cost(), 2 * min - min / interval * 100);
    c.call(&alice(), register_network(11)).unwrap();
    let second = c.rt.subnet(NetUid(2)).unwrap().lock;
    assert_eq!(second, 2 * min - min / interval * 100);
    assert_eq!(c.rt.network_lock_cost(), 2 * second);
    c.run_blocks(2 * interval).expect("blocks run");
    assert_eq!(c.rt.network_lock_cost(), min, "never below the minimum");
}

#[test]
fn register_network_rejections() {
    let params = ChainParams {
        network_rate_limit: 10,
        subnet_limit: 2,
        ..dev_params()
    };
    let mut c =
        TestChain::new(params, &[(1, 100_000 * TAO), (2, 10 * TAO)]).expect("the test genesis");
    c.next_block().expect("the next block");
    assert!(matches!(
        err(&mut c, &bob(), register_network(20)),
        Error::InsufficientBalance { .. }
    ));
    c.call(&alice(), register_network(10)).unwrap();
    assert_eq!(
        err(&mut c, &alice(), register_network(11)),
        Error::RateLimited {
            what: "register_network",
            next: 11
        }
    );
    c.run_blocks(10).expect("blocks run");
    assert_eq!(
        err(&mut c, &bob(), register_network(10)),
        Error::NotHotkeyOwner {
            hotkey: pair(10).public()
        }
    );
    c.call(&alice(), register_network(11)).unwrap();
    c.run_blocks(10).expect("blocks run");
    assert_eq!(
        err(&mut c, &alice(), register_network(12)),
        Error::SubnetLimitReached(2)
    );
}

#[test]
fn owner_sets_hyperparameters_within_bounds() {
    let mut c = chain();
    let netuid = subnet(&mut c);
    let set = |param| Call::SetSubnetHyperparameter { netuid, param };
    c.call(
        &alice(),
        set(Hyperparameter::MaxAllowedUids { value: 4096 }),
    )
    .unwrap();
    assert_eq!(
        c.rt.subnet(netuid).unwrap().hyperparams.max_allowed_uids,
        4096
    );
    assert!(matches!(
        err(
            &mut c,
            &alice(),
            set(Hyperparameter::MaxAllowedUids { value: 4097 })
        ),
        Error::OutOfBounds {
            name: "max_allowed_uids",
            ..
        }
    ));
    assert!(matches!(
        err(
            &mut c,
            &alice(),
            set(Hyperparameter::MaxAllowedUids { value: 10 })
        ),
        Error::OutOfBounds { .. }
    ));
    assert_eq!(
        err(&mut c, &alice(), set(Hyperparameter::Tempo { value: 50 })),
        Error::RequiresSudo("tempo")
    );
    assert!(matches!(
        err(
            &mut c,
            &alice(),
            set(Hyperparameter::RevealPeriodEpochs { value: 0 })
        ),
        Error::OutOfBounds { .. }
    ));
    assert!(matches!(
        err(
            &mut c,
            &alice(),
            set(Hyperparameter::AlphaValues {
                low: 60_000,
                high: 50_000
            })
        ),
        Error::OutOfBounds { .. }
    ));
    assert!(matches!(
        err(
            &mut c,
            &alice(),
            set(Hyperparameter::BondsMovingAverage { value: 999_999 })
        ),
        Error::OutOfBounds { .. }
    ));
    assert_eq!(
        err(&mut c, &bob(), set(Hyperparameter::Kappa { value: 1 })),
        Error::NotOwner {
            signer: bob().public(),
            netuid
        }
    );
    assert_eq!(
        err(
            &mut c,
            &alice(),
            Call::SetSubnetHyperparameter {
                netuid: NetUid(99),
                param: Hyperparameter::ImmunityPeriod { value: 1 }
            }
        ),
        Error::UnknownSubnet(NetUid(99))
    );
    c.call(&alice(), set(Hyperparameter::ImmunityPeriod { value: 7 }))
        .unwrap();
    assert_eq!(c.rt.subnet(netuid).unwrap().hyperparams.immunity_period, 7);
}

#[test]
fn sudo_only_with_the_sudo_key_on_dev_chains() {
    let mut c = chain();
    let call = Call::Sudo {
        call: SudoCall::SetTxFee { fee: 5 },
    };
    assert_eq!(
        err(&mut c, &alice(), call.clone()),
        Error::RequiresSudo("sudo")
    );
    c.call(&sudo(), call.clone()).unwrap();
    assert_eq!(c.rt.params().tx_fee, 5);

    let mut prod =
        TestChain::new(ChainParams::default(), &[(0, 100 * TAO)]).expect("the test genesis");
    prod.next_block().expect("the next block");
    assert_eq!(err(&mut prod, &sudo(), call), Error::RequiresSudo("sudo"));
    assert!(matches!(
        err(
            &mut c,
            &sudo(),
            Call::Sudo {
                call: SudoCall::SetNetworkMinLock { lock: 0 }
            }
        ),
        Error::OutOfBounds { .. }
    ));
}
