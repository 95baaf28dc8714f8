//! The node's JSON-RPC wire types, shared by the node that serves them and the client that
//! reads them.
//!
//! - [`types`]: headers ([`HeaderInfo`]), blocks with their transactions and receipts
//!   ([`BlockInfo`]), the answer to a submission ([`SubmitResult`], [`Inclusion`]) and the
//!   events notification ([`BlockEvents`]).
//! - [`receipt`]: what one transaction did ([`TxReceipt`]) and what a block produced
//!   ([`BlockReceipts`], also the node's stored encoding of receipts).
//!
//! Serde only: a crate that reads the RPC links neither the node's consensus nor its store.
//! Hashes are `0x` hex ([`hex0x`]), keys SS58, amounts rao.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod receipt;
pub mod types;

pub use receipt::{BlockReceipts, TxReceipt, hex0x};
pub use types::{BlockEvents, BlockInfo, HeaderInfo, Inclusion, SubmitResult, TxInfo};
