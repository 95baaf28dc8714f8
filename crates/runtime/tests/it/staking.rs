//! add/remove/move/transfer stake through pools, slippage limits, delegate take.

use crate::util::*;
use yuma_primitives::{Balance, NetUid};
use yuma_runtime::pool::{alpha_for_tao, tao_for_alpha};
use yuma_runtime::testkit::pair;
use yuma_runtime::{Call, Error};

fn add(hotkey: u32, netuid: NetUid, tao: u64, limit_price: Option<u64>) -> Call {
    Call::AddStake {
        hotkey: pair(hotkey).public(),
        netuid,
        amount: Balance(tao),
        limit_price,
    }
}

fn remove(hotkey: u32, netuid: NetUid, alpha: u64, limit_price: Option<u64>) -> Call {
    Call::RemoveStake {
        hotkey: pair(hotkey).public(),
        netuid,
        alpha,
        limit_price,
    }
}

#[test]
fn add_and_remove_stake_swap_through_the_pool() {
    let mut c = chain();
    let netuid = subnet(&mut c);
    let pool = c.rt.pool(netuid).unwrap().pool;
    let expected = alpha_for_tao(&pool, 5 * TAO);
    let before = c.rt.account(&bob().public()).free;
    c.call(&bob(), add(10, netuid, 5 * TAO, None)).unwrap();
    let staked = c.rt.stake(netuid, &pair(10).public(), &bob().public());
    assert_eq!(staked, expected);
    assert_eq!(
        c.rt.account(&bob().public()).free,
        before - 5 * TAO - fee(&c)
    );
    let stakes = c.rt.stakes(&bob().public());
    assert_eq!(stakes.len(), 1);
    assert_eq!(stakes[0].alpha, staked);
    let meta = c.rt.metagraph(netuid).unwrap();
    assert_eq!(meta[0].stake, staked);

    let pool = c.rt.pool(netuid).unwrap().pool;
    let back = tao_for_alpha(&pool, staked);
    assert!(back <= 5 * TAO, "no free TAO from a round trip");
    c.call(&bob(), remove(10, netuid, staked, None)).unwrap();
    assert_eq!(c.rt.stake(netuid, &pair(10).public(), &bob().public()), 0);
    assert!(c.rt.stakes(&bob().public()).is_empty());
    assert_eq!(
        c.rt.account(&bob().public()).free,
        before - 5 * TAO + back - 2 * fee(&c)
    );
}

#[test]
fn stake_rejections() {
    let mut c = chain();
    let netuid = subnet(&mut c);
    let min = c.rt.params().min_stake;
    assert_eq!(
        err(&mut c, &bob(), add(10, netuid, min - 1, None)),
        Error::AmountTooLow {
            amount: min - 1,
            min
        }
    );
    assert_eq!(
        err(&mut c, &bob(), add(77, netuid, TAO, None)),
        Error::UnknownHotkey(pair(77).public())
    );
    assert_eq!(
        err(&mut c, &bob(), add(10, NetUid(5), TAO, None)),
        Error::UnknownSubnet(NetUid(5))
    );
    assert!(matches!(
        err(&mut c, &bob(), add(10, netuid, u64::MAX, None)),
        Error::InsufficientBalance { .. }
    ));
    // Price starts at 1 TAO; buying pushes it up past a 1 TAO limit.
    assert!(matches!(
        err(&mut c, &bob(), add(10, netuid, TAO, Some(1_000_000_000))),
        Error::SlippageTooHigh {
            limit: 1_000_000_000,
            ..
        }
    ));
    c.call(&bob(), add(10, netuid, 10 * TAO, Some(5_000_000_000)))
        .unwrap();
    let staked = c.rt.stake(netuid, &pair(10).public(), &bob().public());
    assert_eq!(
        err(&mut c, &bob(), remove(10, netuid, staked + 1, None)),
        Error::InsufficientStake {
            available: staked,
            needed: staked + 1
        }
    );
    assert!(matches!(
        err(&mut c, &bob(), remove(10, netuid, staked, Some(u64::MAX))),
        Error::SlippageTooHigh { .. }
    ));
    assert!(matches!(
        err(&mut c, &bob(), remove(10, netuid, 1, None)),
        Error::AmountTooLow { .. }
    ));
}

#[test]
fn move_and_transfer_stake() {
    let mut c = chain();
    let a = subnet(&mut c);
    let b = {
        c.call(
            &alice(),
            Call::RegisterNetwork {
                hotkey: pair(11).public(),
            },
        )
        .unwrap();
        NetUid(2)
    };
    register(&mut c, &bob(), 20, a);
    c.call(&bob(), add(10, a, 20 * TAO, None)).unwrap();
    let staked = c.rt.stake(a, &pair(10).public(), &bob().public());

    // Same subnet, other hotkey: alpha moves one for one.
    c.call(
        &bob(),
        Call::MoveStake {
            origin_hotkey: pair(10).public(),
            dest_hotkey: pair(20).public(),
            origin_netuid: a,
            dest_netuid: a,
            alpha: staked / 2,
        },
    )
    .unwrap();
    assert_eq!(
        c.rt.stake(a, &pair(20).public(), &bob().public()),
        staked / 2
    );

    // Across subnets: sold on one pool, bought on the other.
    let rest = staked - staked / 2;
    let tao = tao_for_alpha(&c.rt.pool(a).unwrap().pool, rest);
    let expected = alpha_for_tao(&c.rt.pool(b).unwrap().pool, tao);
    c.call(
        &bob(),
        Call::MoveStake {
            origin_hotkey: pair(10).public(),
            dest_hotkey: pair(11).public(),
            origin_netuid: a,
            dest_netuid: b,
            alpha: rest,
        },
    )
    .unwrap();
    assert_eq!(c.rt.stake(b, &pair(11).public(), &bob().public()), expected);
    assert_eq!(c.rt.stake(a, &pair(10).public(), &bob().public()), 0);

    // Give it to carol, same hotkey and subnet.
    c.call(
        &bob(),
        Call::TransferStake {
            dest_coldkey: carol().public(),
            hotkey: pair(11).public(),
            origin_netuid: b,
            dest_netuid: b,
            alpha: expected,
        },
    )
    .unwrap();
    assert_eq!(
        c.rt.stake(b, &pair(11).public(), &carol().public()),
        expected
    );

    assert_eq!(
        err(
            &mut c,
            &bob(),
            Call::MoveStake {
                origin_hotkey: pair(20).public(),
                dest_hotkey: pair(20).public(),
                origin_netuid: a,
                dest_netuid: a,
                alpha: 1,
            }
        ),
        Error::SameStakePosition
    );
    assert_eq!(
        err(
            &mut c,
            &bob(),
            Call::TransferStake {
                dest_coldkey: bob().public(),
                hotkey: pair(20).public(),
                origin_netuid: a,
                dest_netuid: a,
                alpha: 1,
            }
        ),
        Error::SameStakePosition
    );
    assert!(matches!(
        err(
            &mut c,
            &bob(),
            Call::MoveStake {
                origin_hotkey: pair(20).public(),
                dest_hotkey: pair(10).public(),
                origin_netuid: a,
                dest_netuid: NetUid(9),
                alpha: 1,
            }
        ),
        Error::UnknownSubnet(NetUid(9))
    ));
}

#[test]
fn delegate_take_changes_with_rate_limit() {
    let mut c = chain();
    subnet(&mut c);
    let hk = pair(10).public();
    let set = |take| Call::SetDelegateTake { hotkey: hk, take };
    assert_eq!(c.rt.delegate_take(&hk), 11_796, "18% by default");
    c.call(&alice(), set(1_000)).unwrap();
    assert_eq!(c.rt.delegate_take(&hk), 1_000);
    c.call(&alice(), set(2_000)).unwrap();
    assert!(matches!(
        err(&mut c, &alice(), set(3_000)),
        Error::RateLimited {
            what: "delegate take increase",
            ..
        }
    ));
    c.call(&alice(), set(500)).unwrap();
    assert_eq!(
        err(&mut c, &alice(), set(20_000)),
        Error::TakeOutOfBounds {
            take: 20_000,
            min: 0,
            max: 11_796
        }
    );
    assert_eq!(
        err(&mut c, &bob(), set(100)),
        Error::NotHotkeyOwner { hotkey: hk }
    );
    assert_eq!(
        err(
            &mut c,
            &bob(),
            Call::SetDelegateTake {
                hotkey: pair(99).public(),
                take: 1
            }
        ),
        Error::UnknownHotkey(pair(99).public())
    );
}
