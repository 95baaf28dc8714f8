//! burned_register, the burn price, pruning, serve_axon.

use crate::util::*;
use yuma_primitives::NetUid;
use yuma_runtime::testkit::pair;
use yuma_runtime::{Call, Error, Event, Hyperparameter};

fn burned_register(netuid: NetUid, hotkey: u32) -> Call {
    Call::BurnedRegister {
        netuid,
        hotkey: pair(hotkey).public(),
    }
}

#[test]
fn registration_burns_into_pool_and_bumps_price() {
    let mut c = chain();
    let netuid = subnet(&mut c);
    let burn = c.rt.subnet(netuid).unwrap().burn;
    assert_eq!(burn, 1_000_000_000, "a new subnet's burn is 1 TAO");
    let pool = c.rt.pool(netuid).unwrap().pool;
    let bob_before = c.rt.account(&bob().public()).free;
    let uid = register(&mut c, &bob(), 20, netuid);
    assert_eq!(uid, 1);
    assert_eq!(
        c.rt.account(&bob().public()).free,
        bob_before - burn - fee(&c)
    );
    let after = c.rt.pool(netuid).unwrap().pool;
    assert_eq!(after.tao_reserve, pool.tao_reserve + burn);
    assert!(
        after.alpha_reserve < pool.alpha_reserve,
        "bought alpha is destroyed"
    );
    assert_eq!(after.alpha_outstanding, pool.alpha_outstanding);
    assert_eq!(c.rt.subnet(netuid).unwrap().burn, 1_260_000_000);
    assert_eq!(c.rt.hotkey_owner(&pair(20).public()), Some(bob().public()));
    c.next_block().expect("the next block");
    let decayed = c.rt.subnet(netuid).unwrap().burn;
    assert!(
        decayed < 1_260_000_000 && decayed > 1_257_000_000,
        "{decayed}"
    );
}

#[test]
fn registration_rejections() {
    let mut c = chain();
    let netuid = subnet(&mut c);
    register(&mut c, &bob(), 20, netuid);
    assert_eq!(
        err(&mut c, &bob(), burned_register(netuid, 20)),
        Error::AlreadyRegistered {
            hotkey: pair(20).public(),
            netuid
        }
    );
    assert_eq!(
        err(&mut c, &bob(), burned_register(NetUid(9), 21)),
        Error::UnknownSubnet(NetUid(9))
    );
    assert_eq!(
        err(&mut c, &bob(), burned_register(netuid, 10)),
        Error::AlreadyRegistered {
            hotkey: pair(10).public(),
            netuid
        }
    );
    // A hotkey registered by alice elsewhere belongs to alice.
    c.call(
        &alice(),
        Call::RegisterNetwork {
            hotkey: pair(11).public(),
        },
    )
    .unwrap();
    assert_eq!(
        err(&mut c, &bob(), burned_register(netuid, 11)),
        Error::NotHotkeyOwner {
            hotkey: pair(11).public()
        }
    );
    sudo_set(
        &mut c,
        netuid,
        Hyperparameter::MaxBurn {
            value: 10_000 * TAO,
        },
    );
    sudo_set(
        &mut c,
        netuid,
        Hyperparameter::MinBurn { value: 2_000 * TAO },
    );
    assert!(matches!(
        err(&mut c, &bob(), burned_register(netuid, 21)),
        Error::InsufficientBalance { .. }
    ));
    sudo_set(
        &mut c,
        netuid,
        Hyperparameter::RegistrationAllowed { value: false },
    );
    assert_eq!(
        err(&mut c, &bob(), burned_register(netuid, 21)),
        Error::RegistrationDisabled(netuid)
    );
}

#[test]
fn full_subnet_prunes_lowest_non_immune_never_the_owner() {
    let mut c = chain();
    let netuid = subnet(&mut c);
    sudo_set(&mut c, netuid, Hyperparameter::MaxAllowedUids { value: 3 });
    sudo_set(&mut c, netuid, Hyperparameter::ImmunityPeriod { value: 5 });
    register(&mut c, &bob(), 20, netuid); // uid 1
    c.run_blocks(3).expect("blocks run");
    register(&mut c, &bob(), 21, netuid); // uid 2, registered later
    c.run_blocks(3).expect("blocks run");
    // uid 1 is past immunity, uid 2 is not: uid 1 goes.
    let events = c.call(&bob(), burned_register(netuid, 22)).unwrap();
    assert!(events.iter().any(|e| matches!(
        e,
        Event::NeuronRegistered { uid: 1, pruned: Some(p), .. } if *p == pair(20).public()
    )));
    assert_eq!(c.rt.uid(netuid, &pair(20).public()), None);
    assert_eq!(c.rt.uid(netuid, &pair(22).public()), Some(1));
    // All immune now: the oldest immune (uid 2) goes; the owner (uid 0) never does.
    let events = c.call(&bob(), burned_register(netuid, 23)).unwrap();
    assert!(events.iter().any(|e| matches!(
        e,
        Event::NeuronRegistered { uid: 2, pruned: Some(p), .. } if *p == pair(21).public()
    )));
    assert_eq!(c.rt.uid(netuid, &pair(10).public()), Some(0));
}

#[test]
fn owner_only_subnet_has_no_uid_to_give() {
    let mut c = chain();
    let netuid = subnet(&mut c);
    sudo_set(&mut c, netuid, Hyperparameter::MaxAllowedUids { value: 1 });
    assert_eq!(
        err(&mut c, &bob(), burned_register(netuid, 20)),
        Error::NoUidAvailable(netuid)
    );
}

fn axon(netuid: NetUid, ip: u128, port: u16, ip_type: u8) -> Call {
    Call::ServeAxon {
        netuid,
        version: 1,
        ip,
        port,
        ip_type,
        protocol: 0,
    }
}

#[test]
fn serve_axon_stores_address_with_rate_limit() {
    let mut c = chain();
    let netuid = subnet(&mut c);
    register(&mut c, &bob(), 20, netuid);
    let hotkey = pair(20);
    let loopback = 0x7f00_0001;
    c.call(&hotkey, axon(netuid, loopback, 8091, 4)).unwrap();
    let neuron = &c.rt.metagraph(netuid).unwrap()[1];
    let a = neuron.axon.as_ref().unwrap();
    assert_eq!((a.ip, a.port, a.ip_type), (loopback, 8091, 4));
    let root = c.rt.state_root();
    assert!(matches!(
        err(&mut c, &hotkey, axon(netuid, loopback, 8092, 4)),
        Error::RateLimited {
            what: "serve_axon",
            ..
        }
    ));
    assert_eq!(
        c.rt.state_root(),
        root,
        "a failing free call is not included"
    );
    for (call, why) in [
        (axon(netuid, 0, 1, 4), "not an IPv4 address"),
        (axon(netuid, 1 << 40, 1, 4), "not an IPv4 address"),
        (axon(netuid, 1, 1, 5), "ip type must be 4 or 6"),
        (axon(netuid, 1, 0, 6), "port 0"),
    ] {
        assert_eq!(err(&mut c, &hotkey, call), Error::InvalidAxon(why));
    }
    assert_eq!(
        err(&mut c, &pair(30), axon(netuid, 1, 1, 4)),
        Error::NotRegistered {
            hotkey: pair(30).public(),
            netuid
        }
    );
    c.run_blocks(50).expect("blocks run");
    c.call(&hotkey, axon(netuid, loopback, 8092, 4)).unwrap();
}
