//! sr25519 keys, mnemonics, secret URIs and btauth/1 request signing.
//!
//! - [`Pair`]: an sr25519 key pair made from a 32-byte mini-secret seed, as Substrate and
//!   Bittensor make them; signs with the signing context `substrate`.
//! - [`Mnemonic`] phrases (BIP-39, 12 to 24 words) turn into seeds exactly as `substrate-bip39`
//!   does: the seed is derived from the phrase's entropy, not from the BIP-39 seed.
//! - [`Pair::from_uri`] derives keys from secret URIs such as `//Alice` (hard junctions on the
//!   development phrase [`DEV_PHRASE`]), exactly as Substrate does.
//! - [`btauth`]: btauth/1 hotkey-signed HTTP requests as `bittensor.http_auth` signs and verifies
//!   them: [`btauth::sign_request`] on the client, [`btauth::Verifier`] (with a bounded replay
//!   store) on the server. Clocks are passed in, so both are deterministic.
//!
//! Secrets (seeds, expanded keys, phrases) are wiped from memory when dropped; nothing in this
//! crate prints or logs, reads or writes files (wallet files are `yuma-wallet`'s).
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod btauth;
mod pair;
mod uri;

pub use pair::{Error, Mnemonic, Pair, SIGNATURE_LEN, verify};
pub use uri::{DEV_ACCOUNTS, DEV_PHRASE};
