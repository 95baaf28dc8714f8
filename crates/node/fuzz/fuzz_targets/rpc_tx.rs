//! The transaction decoder as the RPC reaches it: a request body (JSON-RPC envelope, hex
//! parameter) to a `SignedTransaction`. It never panics, and whatever decodes re-encodes to
//! the bytes the hex carried. Run: `cargo +nightly fuzz run rpc_tx corpus/rpc_tx seeds/rpc_tx`
//! in crates/node/fuzz (the seeds are also run by a unit test of `yuma-node`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use yuma_runtime::codec::{Decode, Encode};
use yuma_runtime::SignedTransaction;

fuzz_target!(|data: &[u8]| {
    if let Ok(tx) = yuma_node::rpc::decode_submission(data) {
        let bytes = tx.encode();
        assert!(
            matches!(SignedTransaction::decode(&bytes), Ok(ref again) if *again == tx),
            "a decoded transaction re-encodes to itself"
        );
        let _ = tx.verify();
    }
});
