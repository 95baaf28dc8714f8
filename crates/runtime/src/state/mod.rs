//! The runtime's view of its state: pending writes with rollback, key layout, typed records.

mod access;
mod keys;
mod overlay;
pub mod records;
pub(crate) mod root;

pub(crate) use access::State;
