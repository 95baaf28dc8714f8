//! Issuance, the split between subnets, epochs and the payment of incentive and dividends.

use crate::util::*;
use yuma_primitives::{Balance, NetUid};
use yuma_runtime::issuance::is_epoch_block;
use yuma_runtime::testkit::{TestChain, pair};
use yuma_runtime::{Call, Event};

fn stake(c: &mut TestChain, who: &yuma_keys::Pair, hotkey: u32, netuid: NetUid, tao: u64) {
    c.call(
        who,
        Call::AddStake {
            hotkey: pair(hotkey).public(),
            netuid,
            amount: Balance(tao),
            limit_price: None,
        },
    )
    .unwrap();
}

/// A new subnet's moving price (and so its emission) is 0 for its first 16 blocks.
const RAMP: u64 = 16;

/// Runs blocks until `netuid`'s next epoch has run; returns that block's events.
fn run_to_epoch(c: &mut TestChain, netuid: NetUid) -> Vec<Event> {
    loop {
        let events = c.next_block().expect("the next block");
        if is_epoch_block(netuid.0, 10, c.rt.block()) {
            return events;
        }
    }
}

#[test]
fn no_subnet_no_issuance() {
    let mut c = chain();
    let issued = c.rt.total_issuance();
    c.run_blocks(5).expect("blocks run");
    assert_eq!(c.rt.total_issuance(), issued);
}

#[test]
fn one_subnet_gets_the_block_reward_into_its_pool() {
    let mut c = chain();
    let netuid = subnet(&mut c);
    c.run_blocks(RAMP - 1).expect("blocks run");
    let issued = c.rt.total_issuance();
    c.next_block().expect("the next block");
    assert_eq!(c.rt.total_issuance(), issued, "moving price still 0");
    let pool = c.rt.pool(netuid).unwrap();
    let events = c.next_block().expect("the next block");
    let minted = c.rt.total_issuance() - issued;
    assert!(minted > 990_000_000 && minted <= 1_000_000_000, "{minted}");
    assert!(events.contains(&Event::Issued {
        amount: minted,
        total_issuance: issued + minted
    }));
    let after = c.rt.pool(netuid).unwrap();
    assert_eq!(after.pool.tao_reserve, pool.pool.tao_reserve + minted);
    assert!(
        after.price.abs_diff(pool.price) <= 1,
        "injection keeps the price: {} vs {}",
        after.price,
        pool.price
    );
    let accrued =
        |p: &yuma_runtime::query::PoolInfo| p.pool.pending_emission + p.pool.pending_owner_cut;
    assert_eq!(
        accrued(&after) - accrued(&pool),
        1_000_000_000,
        "1 alpha per block before halving"
    );
    assert_eq!(
        after.pool.pending_owner_cut - pool.pool.pending_owner_cut,
        1_000_000_000 * 11_796 / 65_535
    );
    assert_eq!(c.rt.audit_tao(), u128::from(c.rt.total_issuance()));
}

#[test]
fn two_subnets_share_the_reward() {
    let mut c = chain();
    let a = subnet(&mut c);
    c.call(
        &alice(),
        Call::RegisterNetwork {
            hotkey: pair(11).public(),
        },
    )
    .unwrap();
    let b = NetUid(2);
    c.run_blocks(RAMP).expect("blocks run");
    let (ta, tb) = (
        c.rt.pool(a).unwrap().pool.tao_reserve,
        c.rt.pool(b).unwrap().pool.tao_reserve,
    );
    c.next_block().expect("the next block");
    let ga = c.rt.pool(a).unwrap().pool.tao_reserve - ta;
    let gb = c.rt.pool(b).unwrap().pool.tao_reserve - tb;
    assert!(ga > 0 && gb > 0);
    assert!(ga + gb <= 1_000_000_000);
}

#[test]
fn epoch_pays_miners_validators_owner_and_nominators() {
    let mut c = chain();
    let netuid = subnet(&mut c);
    register(&mut c, &bob(), 20, netuid);
    stake(&mut c, &alice(), 10, netuid, 100 * TAO);
    stake(&mut c, &bob(), 10, netuid, 50 * TAO);
    c.run_blocks(RAMP).expect("blocks run");
    run_to_epoch(&mut c, netuid);
    c.call(
        &pair(10),
        Call::SetWeights {
            netuid,
            uids: vec![1],
            weights: vec![1],
            version_key: 0,
        },
    )
    .unwrap();
    let hk = pair(10).public();
    let bob_before = c.rt.stake(netuid, &hk, &bob().public());
    let total_before = c.rt.metagraph(netuid).unwrap()[0].stake;
    let miner_before = c.rt.stake(netuid, &pair(20).public(), &bob().public());
    assert_eq!(miner_before, 0);

    let events = run_to_epoch(&mut c, netuid);
    let epoch = events
        .iter()
        .find_map(|e| match e {
            Event::EpochRun { emission, .. } => Some(*emission),
            _ => None,
        })
        .expect("epoch ran");
    assert!(epoch > 0);
    let (mut incentive, mut dividends) = (0, 0);
    for e in &events {
        if let Event::Emission {
            hotkey,
            incentive: i,
            dividends: d,
            ..
        } = e
        {
            if *hotkey == pair(20).public() {
                incentive = *i;
            }
            if *hotkey == hk {
                dividends = *d;
            }
        }
    }
    assert!(incentive > 0 && dividends > 0);
    assert_eq!(
        c.rt.stake(netuid, &pair(20).public(), &bob().public()),
        incentive,
        "incentive is staked to the miner's owner"
    );
    // Bob's share of the dividends after the 18% take, rounded down.
    let take = dividends * 11_796 / 65_535;
    let bob_share = u64::try_from(
        u128::from(dividends - take) * u128::from(bob_before) / u128::from(total_before),
    )
    .unwrap();
    assert_eq!(
        c.rt.stake(netuid, &hk, &bob().public()),
        bob_before + bob_share
    );
    let owner_cut = events
        .iter()
        .find_map(|e| match e {
            Event::OwnerCut { alpha, .. } => Some(*alpha),
            _ => None,
        })
        .expect("owner cut paid");
    // The owner cut is 18% of all alpha emitted over the tempo (11 blocks).
    assert_eq!(owner_cut, 11 * (1_000_000_000 * 11_796 / 65_535));
    let meta = c.rt.metagraph(netuid).unwrap();
    assert!(meta[1].incentive > 0);
    assert!(meta[0].dividends > 0);
    assert_eq!(meta[1].emission, incentive);
    assert_eq!(c.rt.audit_tao(), u128::from(c.rt.total_issuance()));
}

#[test]
fn halving_and_cap_apply_to_the_chain() {
    use yuma_runtime::params::TOTAL_SUPPLY;
    use yuma_runtime::testkit::dev_params;
    // Half the supply exists: one halving, 0.5 TAO per block at most.
    let mut c = TestChain::new(dev_params(), &[(0, 1_000 * TAO), (1, TOTAL_SUPPLY / 2)])
        .expect("the test genesis");
    c.next_block().expect("the next block");
    subnet(&mut c);
    c.run_blocks(RAMP).expect("blocks run");
    let issued = c.rt.total_issuance();
    c.next_block().expect("the next block");
    let minted = c.rt.total_issuance() - issued;
    assert!(minted > 0 && minted <= 500_000_000, "{minted}");

    // The whole supply exists: nothing more is ever minted.
    let mut c = TestChain::new(
        dev_params(),
        &[(0, 1_000 * TAO), (1, TOTAL_SUPPLY - 1_000 * TAO)],
    )
    .expect("the test genesis");
    c.next_block().expect("the next block");
    subnet(&mut c);
    c.run_blocks(20).expect("blocks run");
    assert_eq!(c.rt.total_issuance(), TOTAL_SUPPLY);
    assert_eq!(c.rt.audit_tao(), u128::from(TOTAL_SUPPLY));
}

#[test]
fn genesis_over_the_supply_is_refused() {
    use yuma_runtime::params::TOTAL_SUPPLY;
    use yuma_runtime::{Genesis, MemoryStorage, Runtime};
    let genesis = Genesis {
        params: yuma_runtime::testkit::dev_params(),
        balances: vec![(pair(1).public(), TOTAL_SUPPLY), (pair(2).public(), 1)],
    };
    assert!(matches!(
        Runtime::genesis(MemoryStorage::new(), &genesis),
        Err(yuma_runtime::Error::OutOfBounds { .. })
    ));
    let overflow = Genesis {
        params: yuma_runtime::testkit::dev_params(),
        balances: vec![(pair(1).public(), u64::MAX), (pair(2).public(), 1)],
    };
    assert_eq!(
        Runtime::genesis(MemoryStorage::new(), &overflow).err(),
        Some(yuma_runtime::Error::Overflow("genesis balances"))
    );
}
