//! Bonds and dividends, classic and per-cell (Yuma3, optionally with liquid alpha), on
//! sparse rows: what both mechanisms share, one module per mechanism.
//!
//! Entry order follows subtensor: `mat_ema_sparse` builds each row on a dense scratch row and
//! emits ascending columns, so the fixed-alpha EMA merges sorted rows (or, for a row stored
//! unsorted, accumulates on a scratch row and sorts the touched columns). `mat_ema_alpha_sparse`
//! emits in the weight row's order, which the liquid-alpha path keeps.

mod classic;
mod context;
mod dense;
mod ema;
mod liquid;
mod yuma3;

pub(super) use self::classic::classic;
pub(super) use self::context::{Buffers, Context};
pub(super) use self::yuma3::yuma3;
