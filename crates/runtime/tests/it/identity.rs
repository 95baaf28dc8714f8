//! set_subnet_identity: who may set it, its limits, its event, replacement and the state root.

use crate::util::*;
use yuma_primitives::NetUid;
use yuma_runtime::identity::{MAX_DESCRIPTION_BYTES, MAX_NAME_BYTES, MAX_TASK_URL_BYTES};
use yuma_runtime::testkit::TestChain;
use yuma_runtime::{Call, Error, Event, Hyperparameter, SubnetIdentity};

fn identity(name: &str) -> SubnetIdentity {
    SubnetIdentity {
        name: name.into(),
        description: "Fresh tabular learning tasks, one per query.".into(),
        task_protocol: 1,
        task_hash: Some([7; 32]),
        task_url: "https://example.invalid/tabular.py".into(),
    }
}

fn set(netuid: NetUid, identity: SubnetIdentity) -> Call {
    Call::SetSubnetIdentity { netuid, identity }
}

#[test]
fn owner_sets_it_with_an_event() {
    let mut c = chain();
    let netuid = subnet(&mut c);
    assert_eq!(c.rt.subnet(netuid).unwrap().identity, None);
    assert_eq!(c.rt.subnet_identity(netuid), None);
    let before = c.rt.account(&alice().public()).free;
    let events = c.call(&alice(), set(netuid, identity("tabular"))).unwrap();
    assert!(events.contains(&Event::SubnetIdentitySet {
        netuid,
        who: alice().public()
    }));
    assert_eq!(c.rt.subnet_identity(netuid), Some(identity("tabular")));
    assert_eq!(
        c.rt.subnet(netuid).unwrap().identity,
        Some(identity("tabular"))
    );
    assert_eq!(c.rt.account(&alice().public()).free, before - fee(&c));
    assert_eq!(c.rt.state_root(), c.rt.recompute_state_root());
}

#[test]
fn another_account_is_refused_and_pays_only_the_fee() {
    let mut c = chain();
    let netuid = subnet(&mut c);
    let before = c.rt.account(&bob().public()).free;
    let receipt = c.submit(&bob(), set(netuid, identity("mine"))).unwrap();
    assert_eq!(
        receipt.result,
        Err(Error::NotOwner {
            signer: bob().public(),
            netuid
        })
    );
    assert!(
        !receipt
            .events
            .iter()
            .any(|e| matches!(e, Event::SubnetIdentitySet { .. }))
    );
    assert_eq!(receipt.fee, fee(&c));
    assert_eq!(c.rt.account(&bob().public()).free, before - fee(&c));
    assert_eq!(c.rt.subnet_identity(netuid), None);
    assert_eq!(
        err(&mut c, &bob(), set(NetUid(9), identity("x"))),
        Error::UnknownSubnet(NetUid(9))
    );
}

#[test]
fn sudo_sets_any_subnet() {
    let mut c = chain();
    let netuid = subnet(&mut c);
    let events = c.call(&sudo(), set(netuid, identity("by sudo"))).unwrap();
    assert!(events.contains(&Event::SubnetIdentitySet {
        netuid,
        who: sudo().public()
    }));
    assert_eq!(c.rt.subnet_identity(netuid), Some(identity("by sudo")));
}

#[test]
fn limits_are_enforced_at_the_boundaries() {
    let mut c = chain();
    let netuid = subnet(&mut c);
    let longest = SubnetIdentity {
        name: "n".repeat(MAX_NAME_BYTES),
        description: "d".repeat(MAX_DESCRIPTION_BYTES),
        task_protocol: 1,
        task_hash: None,
        task_url: "u".repeat(MAX_TASK_URL_BYTES),
    };
    c.call(&alice(), set(netuid, longest.clone())).unwrap();
    assert_eq!(c.rt.subnet_identity(netuid), Some(longest.clone()));
    let over = [
        (
            SubnetIdentity {
                name: "n".repeat(MAX_NAME_BYTES + 1),
                ..longest.clone()
            },
            "name",
        ),
        (
            SubnetIdentity {
                description: "d".repeat(MAX_DESCRIPTION_BYTES + 1),
                ..longest.clone()
            },
            "description",
        ),
        (
            SubnetIdentity {
                task_url: "u".repeat(MAX_TASK_URL_BYTES + 1),
                ..longest.clone()
            },
            "task_url",
        ),
    ];
    for (identity, field) in over {
        assert!(matches!(
            err(&mut c, &alice(), set(netuid, identity)),
            Error::IdentityFieldTooLong { field: f, .. } if f == field
        ));
    }
    let empty = SubnetIdentity {
        name: String::new(),
        ..longest.clone()
    };
    assert_eq!(
        err(&mut c, &alice(), set(netuid, empty)),
        Error::IdentityNameEmpty
    );
    let bell = SubnetIdentity {
        name: "a\u{7}".into(),
        ..longest.clone()
    };
    assert_eq!(
        err(&mut c, &alice(), set(netuid, bell)),
        Error::IdentityControlCharacter {
            field: "name",
            code: 7
        }
    );
    let protocol = SubnetIdentity {
        task_protocol: 0,
        ..longest.clone()
    };
    assert_eq!(
        err(&mut c, &alice(), set(netuid, protocol)),
        Error::InvalidTaskProtocol(0)
    );
    assert_eq!(
        c.rt.subnet_identity(netuid),
        Some(longest),
        "refused sets change nothing"
    );
}

#[test]
fn a_second_set_replaces_the_first() {
    let mut c = chain();
    let netuid = subnet(&mut c);
    c.call(&alice(), set(netuid, identity("first"))).unwrap();
    let second = SubnetIdentity {
        task_hash: None,
        task_url: String::new(),
        ..identity("second")
    };
    c.call(&alice(), set(netuid, second.clone())).unwrap();
    assert_eq!(c.rt.subnet_identity(netuid), Some(second));
    assert_eq!(c.rt.state_root(), c.rt.recompute_state_root());
}

/// A refused set leaves the same state as any other refused call of the same cost (fee, nonce,
/// block cost): the identity key is written only by a successful set.
#[test]
fn the_state_root_changes_only_when_it_is_set() {
    let start = || {
        let mut c = chain();
        let netuid = subnet(&mut c);
        (c, netuid)
    };
    let root_after = |f: &dyn Fn(&mut TestChain, NetUid)| {
        let (mut c, netuid) = start();
        f(&mut c, netuid);
        assert_eq!(c.rt.state_root(), c.rt.recompute_state_root());
        c.rt.state_root()
    };
    // Cost 2_000 each: an identity with no text, and a hyperparameter call.
    let refused_identity = root_after(&|c, netuid| {
        let empty = SubnetIdentity {
            name: String::new(),
            description: String::new(),
            task_protocol: 1,
            task_hash: None,
            task_url: String::new(),
        };
        assert_eq!(
            err(c, &alice(), set(netuid, empty)),
            Error::IdentityNameEmpty
        );
    });
    let refused_other = root_after(&|c, netuid| {
        let call = Call::SetSubnetHyperparameter {
            netuid,
            param: Hyperparameter::Tempo { value: 5 },
        };
        assert!(matches!(err(c, &alice(), call), Error::RequiresSudo(_)));
    });
    assert_eq!(refused_identity, refused_other);
    let set_root = root_after(&|c, netuid| {
        c.call(&alice(), set(netuid, identity("x"))).unwrap();
    });
    assert_ne!(set_root, refused_other);
    let (c, _) = start();
    assert_ne!(c.rt.state_root(), set_root);
}
