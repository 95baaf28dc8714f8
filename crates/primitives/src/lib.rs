//! Accounts, SS58 addresses, balances in rao and ids shared by every Yuma crate.
//!
//! - [`AccountId`]: a 32-byte sr25519 public key, written as an SS58 address with the
//!   Substrate generic prefix 42 (the one Bittensor uses).
//! - [`Balance`]: an amount of TAO in rao (1 TAO = 10^9 rao), shown with 9 decimals.
//! - [`NetUid`], [`Uid`], [`BlockNumber`]: subnet ids, neuron slots within a subnet and block
//!   heights, as newtypes so that signatures say which is which.
//!
//! Nothing here does I/O, and nothing allocates on the hot path except address formatting.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod account;
mod balance;
mod ids;
pub mod rng;
pub mod ss58;

pub use account::AccountId;
pub use balance::{Balance, BalanceError, RAO_PER_TAO};
pub use ids::{BlockNumber, NetUid, Uid};
pub use ss58::Ss58Error;
