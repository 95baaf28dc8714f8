//! Shared setup: funded accounts, a subnet tuned for tests, neuron registration.

use yuma_keys::Pair;
use yuma_primitives::NetUid;
use yuma_runtime::testkit::{TestChain, dev_params, pair};
use yuma_runtime::{Call, Error, Event, Hyperparameter, SudoCall};

pub(crate) use yuma_primitives::RAO_PER_TAO as TAO;

pub(crate) fn sudo() -> Pair {
    pair(0)
}
pub(crate) fn alice() -> Pair {
    pair(1)
}
pub(crate) fn bob() -> Pair {
    pair(2)
}
/// No funds.
pub(crate) fn carol() -> Pair {
    pair(3)
}

/// A dev chain at block 1: sudo 1000 TAO, alice 100k TAO, bob 1000 TAO.
pub(crate) fn chain() -> TestChain {
    let mut c = TestChain::new(
        dev_params(),
        &[(0, 1_000 * TAO), (1, 100_000 * TAO), (2, 1_000 * TAO)],
    )
    .expect("the test genesis");
    c.next_block().expect("the next block");
    c
}

pub(crate) fn fee(c: &TestChain) -> u64 {
    c.rt.params().tx_fee
}

pub(crate) fn sudo_set(c: &mut TestChain, netuid: NetUid, param: Hyperparameter) {
    c.call(
        &sudo(),
        Call::Sudo {
            call: SudoCall::SetSubnetHyperparameter { netuid, param },
        },
    )
    .expect("sudo sets hyperparameter");
}

/// Alice creates a subnet with hotkey `pair(10)`; commit-reveal off, no weights rate limit,
/// tempo 10.
pub(crate) fn subnet(c: &mut TestChain) -> NetUid {
    let events = c
        .call(
            &alice(),
            Call::RegisterNetwork {
                hotkey: pair(10).public(),
            },
        )
        .expect("alice registers a network");
    let netuid = events
        .iter()
        .find_map(|e| match e {
            Event::NetworkAdded { netuid, .. } => Some(*netuid),
            _ => None,
        })
        .expect("NetworkAdded event");
    sudo_set(
        c,
        netuid,
        Hyperparameter::CommitRevealEnabled { value: false },
    );
    sudo_set(c, netuid, Hyperparameter::WeightsRateLimit { value: 0 });
    sudo_set(c, netuid, Hyperparameter::Tempo { value: 10 });
    netuid
}

/// `coldkey` registers hotkey `pair(hotkey)`; returns its UID.
pub(crate) fn register(c: &mut TestChain, coldkey: &Pair, hotkey: u32, netuid: NetUid) -> u16 {
    c.call(
        coldkey,
        Call::BurnedRegister {
            netuid,
            hotkey: pair(hotkey).public(),
        },
    )
    .expect("registration succeeds");
    c.rt.uid(netuid, &pair(hotkey).public())
        .expect("registered")
}

/// The call's error, whether the transaction was invalid or included and failed.
pub(crate) fn err(c: &mut TestChain, signer: &Pair, call: Call) -> Error {
    match c.submit(signer, call) {
        Err(e) => e,
        Ok(r) => r.result.expect_err("call should fail"),
    }
}
