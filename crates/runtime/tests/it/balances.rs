//! Transfers, fees, nonces, signatures, chain id and the block budget.

use crate::util::*;
use yuma_primitives::Balance;
use yuma_runtime::testkit::{TestChain, dev_params};
use yuma_runtime::{Call, ChainParams, Error, Event, SignedTransaction, Transaction};

fn transfer(to: &yuma_keys::Pair, amount: u64) -> Call {
    Call::Transfer {
        dest: to.public(),
        amount: Balance(amount),
    }
}

#[test]
fn transfer_moves_tao_and_burns_fee() {
    let mut c = chain();
    let fee = fee(&c);
    let before = c.rt.account(&alice().public());
    let receipt = c.submit(&alice(), transfer(&carol(), 5 * TAO)).unwrap();
    assert_eq!(receipt.result, Ok(()));
    assert_eq!(receipt.fee, fee);
    assert_eq!(
        receipt.events,
        vec![
            Event::FeePaid {
                who: alice().public(),
                fee
            },
            Event::Transfer {
                from: alice().public(),
                to: carol().public(),
                amount: 5 * TAO
            }
        ]
    );
    let after = c.rt.account(&alice().public());
    assert_eq!(after.free, before.free - 5 * TAO - fee);
    assert_eq!(after.nonce, before.nonce + 1);
    assert_eq!(c.rt.account(&carol().public()).free, 5 * TAO);
    assert_eq!(c.rt.total_burned(), fee);
}

#[test]
fn failed_transfer_changes_only_fee_and_nonce() {
    let mut c = chain();
    let fee = fee(&c);
    let receipt = c.submit(&bob(), transfer(&carol(), 2_000 * TAO)).unwrap();
    assert!(matches!(
        receipt.result,
        Err(Error::InsufficientBalance { needed, .. }) if needed == 2_000 * TAO
    ));
    assert!(matches!(receipt.events[1], Event::CallFailed { .. }));
    assert_eq!(c.rt.account(&bob().public()).free, 1_000 * TAO - fee);
    assert_eq!(c.rt.account(&bob().public()).nonce, 1);
    assert_eq!(c.rt.account(&carol().public()).free, 0);
}

#[test]
fn zero_and_overflowing_amounts_are_rejected() {
    let mut c = chain();
    assert_eq!(
        err(&mut c, &alice(), transfer(&bob(), 0)),
        Error::AmountTooLow { amount: 0, min: 1 }
    );
    assert!(matches!(
        err(&mut c, &alice(), transfer(&bob(), u64::MAX)),
        Error::InsufficientBalance { .. }
    ));
}

#[test]
fn invalid_transactions_change_nothing() {
    let mut c = chain();
    let root = c.rt.state_root();
    let genesis = c.rt.genesis_hash();

    // Wrong nonce.
    let tx = SignedTransaction::new(&alice(), genesis, 7, transfer(&bob(), 1));
    assert!(matches!(
        c.rt.apply(&tx),
        Err(Error::BadNonce {
            expected: 0,
            got: 7,
            ..
        })
    ));
    // Another chain's genesis.
    let tx = SignedTransaction::new(&alice(), [9; 32], 0, transfer(&bob(), 1));
    assert!(matches!(c.rt.apply(&tx), Err(Error::WrongChain { .. })));
    // Tampered after signing.
    let mut tx = SignedTransaction::new(&alice(), genesis, 0, transfer(&bob(), 1));
    tx.tx.call = transfer(&bob(), 2);
    assert_eq!(c.rt.apply(&tx), Err(Error::BadSignature(alice().public())));
    // Signed by someone else.
    let tx = Transaction {
        genesis,
        signer: alice().public(),
        nonce: 0,
        call: transfer(&bob(), 1),
    }
    .sign(&bob());
    assert_eq!(c.rt.apply(&tx), Err(Error::BadSignature(alice().public())));
    // Cannot pay the fee.
    assert!(matches!(
        c.submit(&carol(), transfer(&bob(), 1)),
        Err(Error::InsufficientBalance { .. })
    ));
    // Garbage bytes.
    assert!(matches!(c.rt.apply_bytes(&[1, 2, 3]), Err(Error::Codec(_))));

    assert_eq!(c.rt.state_root(), root);
}

#[test]
fn replay_is_rejected() {
    let mut c = chain();
    let tx = c.sign(&alice(), transfer(&bob(), 1));
    c.rt.apply(&tx).unwrap();
    assert!(matches!(c.rt.apply(&tx), Err(Error::BadNonce { .. })));
}

#[test]
fn block_budget_is_enforced_and_reset() {
    let params = ChainParams {
        max_block_cost: 2_500,
        ..dev_params()
    };
    let mut c = TestChain::new(params, &[(1, 100 * TAO)]).expect("the test genesis");
    c.next_block().expect("the next block");
    c.submit(&alice(), transfer(&bob(), 1)).unwrap();
    c.submit(&alice(), transfer(&bob(), 1)).unwrap();
    assert_eq!(
        c.submit(&alice(), transfer(&bob(), 1)),
        Err(Error::BlockFull {
            cost: 1_000,
            left: 500
        })
    );
    c.next_block().expect("the next block");
    c.submit(&alice(), transfer(&bob(), 1)).unwrap();
}

#[test]
fn dry_run_changes_nothing() {
    let c = chain();
    let root = c.rt.state_root();
    let tx = c.sign(&alice(), transfer(&bob(), 1));
    assert_eq!(c.rt.dry_run(&tx).unwrap().result, Ok(()));
    assert_eq!(c.rt.state_root(), root);
}

#[test]
fn blocks_must_follow() {
    let mut c = chain();
    assert_eq!(
        c.rt.on_block(5),
        Err(Error::BlockOutOfOrder { current: 1, got: 5 })
    );
}
