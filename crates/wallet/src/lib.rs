//! Bittensor wallet folders and key files on disk, plain or `$NACL`-encrypted.
//!
//! - [`keyfile`]: the JSON key files of the Python `bittensor-wallet` 4, plain or sealed with
//!   `$NACL` (Argon2i + XSalsa20-Poly1305), byte-compatible both ways.
//! - [`Wallet`]: a wallet directory `<path>/<name>` as btcli lays it out (`coldkey`,
//!   `coldkeypub.txt`, `hotkeys/<name>`, `hotkeys/<name>pub.txt`): create and regenerate keys
//!   (never overwriting unless asked), list wallets and hotkeys, read public keys without a
//!   password and secret keys with one. [`list`] names the wallets under a path.
//!
//! The keys themselves are `yuma_keys::Pair`s; this crate only stores them. Decrypted files
//! are wiped from memory when dropped; nothing here prints or logs.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod keyfile;
mod wallet;

pub use wallet::*;
