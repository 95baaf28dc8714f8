//! Fuzzes the btauth/1 header parser and verifier with arbitrary header lists.
//!
//! Run with `cargo +nightly fuzz run btauth_headers` in `crates/keys`. Input layout: the bytes
//! are split at `\n` into lines, each line at its first `:` into a header name and value, so
//! the fuzzer reaches the btauth names quickly from a corpus of real requests.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yuma_keys::btauth::{AuthHeaders, Verifier};

fuzz_target!(|data: &[u8]| {
    let pairs: Vec<(&[u8], &[u8])> = data
        .split(|&b| b == b'\n')
        .map(|line| match line.iter().position(|&b| b == b':') {
            Some(at) => (&line[..at], &line[at + 1..]),
            None => (line, &[][..]),
        })
        .collect();
    if let Ok(headers) = AuthHeaders::parse(pairs.iter().copied()) {
        let verifier = Verifier::new(None).require_receiver(false);
        let _ = verifier.verify_parsed(&headers, "POST", "/", data, 1_700_000_000_000_000_000);
    }
});
