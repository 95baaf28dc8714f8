//! Golden encodings: a change here is a change of the transaction format, made on purpose.

use yuma_primitives::{AccountId, Balance, NetUid};
use yuma_runtime::codec::{Decode, Encode};
use yuma_runtime::testkit::pair;
use yuma_runtime::{
    Call, Hyperparameter, SignedTransaction, SubnetIdentity, SudoCall, Transaction,
};

fn account(b: u8) -> AccountId {
    AccountId([b; 32])
}

fn check(call: Call, hex_expected: &str) {
    let bytes = call.encode();
    assert_eq!(hex::encode(&bytes), hex_expected, "{call:?}");
    assert_eq!(Call::decode(&bytes), Ok(call));
}

#[test]
fn call_encodings() {
    check(
        Call::Transfer {
            dest: account(1),
            amount: Balance(1_000_000_000),
        },
        "00010101010101010101010101010101010101010101010101010101010101010100ca9a3b00000000",
    );
    check(
        Call::AddStake {
            hotkey: account(2),
            netuid: NetUid(3),
            amount: Balance(5),
            limit_price: Some(7),
        },
        "05020202020202020202020202020202020202020202020202020202020202020203000500000000000000010700000000000000",
    );
    check(
        Call::SetWeights {
            netuid: NetUid(1),
            uids: vec![0, 2],
            weights: vec![65535, 1],
            version_key: 9,
        },
        "090100020000000000020002000000ffff01000900000000000000",
    );
    check(
        Call::Sudo {
            call: SudoCall::SetSubnetHyperparameter {
                netuid: NetUid(1),
                param: Hyperparameter::Tempo { value: 10 },
            },
        },
        "0d000100000a00",
    );
    check(
        Call::SetSubnetHyperparameter {
            netuid: NetUid(1),
            param: Hyperparameter::AntiCopyPenalty { value: 39_321 },
        },
        "020100189999",
    );
    check(
        Call::SetSubnetIdentity {
            netuid: NetUid(1),
            identity: SubnetIdentity {
                name: "ab".into(),
                description: "c".into(),
                task_protocol: 1,
                task_hash: Some([0x11; 32]),
                task_url: String::new(),
            },
        },
        "0e01000200000061620100000063010001111111111111111111111111111111111111111111111111111111111111111100000000",
    );
}

#[test]
fn signed_transaction_layout() {
    let signer = pair(1);
    let tx = Transaction {
        genesis: [0xaa; 32],
        signer: signer.public(),
        nonce: 3,
        call: Call::Transfer {
            dest: account(1),
            amount: Balance(1),
        },
    };
    let message = tx.signing_message();
    assert!(message.starts_with(b"yuma/tx/v1"));
    assert_eq!(&message[10..42], &[0xaa; 32]);
    assert_eq!(&message[42..74], signer.public().as_bytes());
    assert_eq!(&message[74..82], &3u64.to_le_bytes());
    let signed = tx.sign(&signer);
    let bytes = signed.encode();
    assert_eq!(bytes.len(), message.len() - 10 + 64);
    let back = SignedTransaction::decode(&bytes).expect("decodes");
    assert!(back.verify());
    let mut extra = bytes;
    extra.push(0);
    assert!(SignedTransaction::decode(&extra).is_err(), "trailing byte");
}
