//! The chain's deterministic state machine: balances, issuance, subnets, registration, staking
//! through subnet pools, weights with commit-reveal, the Yuma epoch, fees and the state root.
//!
//! - [`Runtime`] runs a chain over a [`Storage`]: [`Runtime::genesis`], then per block
//!   [`Runtime::on_block`], [`Runtime::apply`] for each [`SignedTransaction`], and
//!   [`Runtime::state_root`]. Queries (balances, stakes, subnets, metagraph, pools, issuance)
//!   are methods on [`Runtime`] too.
//! - [`Call`] lists what a transaction can do; [`codec`] is the canonical binary encoding.
//! - [`Storage`] is the state-access trait; [`MemoryStorage`] implements it in memory, the node
//!   implements it on disk.
//!
//! Units: TAO amounts are rao (`u64`, 1 TAO = 10^9 rao), alpha amounts are alpha rao, shares
//! are `u16` proportions of 65535, times are block numbers. There are no floats, clocks,
//! randomness or hash-map iteration here: the same blocks give the same state root everywhere.
//!
//! Invariant (tested by property tests): free balances + pool TAO reserves + burned fees =
//! total issuance, to the rao, and total issuance never exceeds 21M TAO.
//!
//! ```
//! use yuma_primitives::Balance;
//! use yuma_runtime::testkit::{dev_params, pair};
//! use yuma_runtime::{Call, Genesis, MemoryStorage, Runtime, SignedTransaction};
//!
//! let (alice, bob) = (pair(1), pair(2));
//! let genesis = Genesis { params: dev_params(), balances: vec![(alice.public(), 10_000_000_000)] };
//! let mut rt = Runtime::genesis(MemoryStorage::new(), &genesis)?;
//! rt.on_block(1)?;
//! let call = Call::Transfer { dest: bob.public(), amount: Balance::from_tao(1) };
//! let tx = SignedTransaction::new(&alice, rt.genesis_hash(), 0, call);
//! let receipt = rt.apply(&tx)?;
//! assert_eq!(receipt.result, Ok(()));
//! assert_eq!(rt.account(&bob.public()).free, 1_000_000_000);
//! assert_eq!(rt.state_root(), rt.recompute_state_root());
//! # Ok::<(), yuma_runtime::Error>(())
//! ```
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod balances;
pub mod call;
pub mod codec;
mod coinbase;
mod epoch_step;
pub mod error;
pub mod event;
pub mod hash;
pub mod identity;
pub mod issuance;
pub mod params;
pub mod pool;
pub mod query;
mod registration;
mod runtime;
mod serving;
mod staking;
pub mod state;
pub mod storage;
mod subnets;
pub mod testkit;
pub mod tx;
pub mod weights;

pub use call::{Call, Hyperparameter, SudoCall};
pub use error::Error;
pub use event::Event;
pub use identity::SubnetIdentity;
pub use params::{ChainParams, Hyperparams};
pub use runtime::{Genesis, Receipt, Runtime};
pub use storage::{MemoryStorage, Storage};
pub use tx::{SignedTransaction, Transaction, VerifiedTx};
