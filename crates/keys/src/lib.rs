//! sr25519 keys, mnemonics, Bittensor wallet files and btauth/1 request signing.
//!
//! - [`Pair`]: an sr25519 key pair made from a 32-byte mini-secret seed, as Substrate and
//!   Bittensor make them; signs with the signing context `substrate`.
//! - [`Mnemonic`] phrases (BIP-39, 12 to 24 words) turn into seeds exactly as `substrate-bip39`
//!   does: the seed is derived from the phrase's entropy, not from the BIP-39 seed.
//! - [`keyfile`]: the JSON key files of the Python `bittensor-wallet` 4, plain or sealed with
//!   `$NACL` (Argon2i + XSalsa20-Poly1305), byte-compatible both ways.
//! - [`Wallet`]: a wallet directory `<path>/<name>` as btcli lays it out (`coldkey`,
//!   `coldkeypub.txt`, `hotkeys/<name>`, `hotkeys/<name>pub.txt`): create and regenerate keys
//!   (never overwriting unless asked), list wallets and hotkeys, read public keys without a
//!   password and secret keys with one. [`wallet::list`] names the wallets under a path.
//! - [`btauth`]: btauth/1 hotkey-signed HTTP requests as `bittensor.http_auth` signs and verifies
//!   them: [`btauth::sign_request`] on the client, [`btauth::Verifier`] (with a bounded replay
//!   store) on the server. Clocks are passed in, so both are deterministic.
//!
//! Secrets (seeds, expanded keys, phrases, decrypted files) are wiped from memory when dropped;
//! nothing in this crate prints or logs.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod btauth;
pub mod keyfile;
mod pair;
pub mod wallet;

pub use pair::{Error, Mnemonic, Pair, SIGNATURE_LEN, verify};
pub use wallet::Wallet;
