//! Transaction decoding never panics, and whatever decodes re-encodes to the same bytes
//! (the encoding is canonical). Run: `cargo +nightly fuzz run decode_tx` in crates/runtime.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yuma_runtime::SignedTransaction;
use yuma_runtime::codec::{Decode, Encode};

fuzz_target!(|data: &[u8]| {
    if let Ok(tx) = SignedTransaction::decode(data) {
        assert_eq!(tx.encode(), data, "non-canonical encoding accepted");
        let _ = tx.verify();
    }
    if let Ok(call) = yuma_runtime::Call::decode(data) {
        assert_eq!(call.encode(), data, "non-canonical call encoding accepted");
    }
});
