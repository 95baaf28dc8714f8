//! Liquid alpha: the per-cell EMA factor from a sigmoid of weight, bond and consensus.

use substrate_fixed::types::I32F32;

use super::ema::Scratch;
use crate::fast::csr::Csr;
use crate::fast::sigmoid::{LiquidAlpha, exp_safe_batch};
use crate::fast::vector::{ONE, ZERO};
use crate::fixed::{Derived, add, mul, sub};

/// Liquid-alpha state shared by the rows of one epoch.
pub(super) struct Liquid<'a> {
    /// Consensus per column.
    consensus: &'a [I32F32],
    /// Sigmoid constants.
    alpha: LiquidAlpha,
    /// Whether the current old row's entry at a column is visible to subtensor's cursor.
    visible: Vec<bool>,
    /// Exponents, then exponentials, of the current row's cells.
    exps: Vec<I32F32>,
}

impl<'a> Liquid<'a> {
    /// The state for one epoch of `n` uids with the given consensus.
    pub(super) fn new(consensus: &'a [I32F32], d: &Derived, n: usize) -> Self {
        Self {
            consensus,
            alpha: LiquidAlpha::new(d.alpha_low, d.alpha_high, d.steepness),
            visible: vec![false; n],
            exps: Vec::new(),
        }
    }

    /// One row of the per-cell liquid-alpha EMA, pushed for the weight row's entries in its order
    /// (subtensor `mat_ema_alpha_sparse` with `compute_liquid_alpha_values_sparse`).
    ///
    /// Subtensor finds each cell's weight and bond for the sigmoid with a cursor that assumes
    /// ascending columns; in a row stored unsorted it sees only the entries whose column exceeds
    /// every earlier column of that row (0 for the others). The EMA itself uses the real values.
    pub(super) fn row(
        &mut self,
        (nc, nv): (&[u16], &[I32F32]),
        (oc, ov): (&[u16], &[I32F32]),
        out: &mut Csr,
        scratch: &mut Scratch,
    ) {
        let Self {
            consensus,
            alpha: la,
            visible,
            exps,
        } = self;
        scratch.start_row();
        let mut highest: Option<u16> = None;
        for (j, v) in oc.iter().zip(ov) {
            scratch.add(*j, *v);
            visible[usize::from(*j)] = highest.is_none_or(|h| *j > h);
            highest = highest.max(Some(*j));
        }
        // Each cell's sigmoid exponent, then all the exponentials at once.
        exps.clear();
        let mut highest: Option<u16> = None;
        for (&j, &w) in nc.iter().zip(nv) {
            let ju = usize::from(j);
            let w_seen = if highest.is_none_or(|h| j > h) {
                w
            } else {
                ZERO
            };
            highest = highest.max(Some(j));
            let b_seen = match scratch.get(j) {
                Some(b) if visible[ju] => b,
                _ => ZERO,
            };
            exps.push(la.exponent(consensus[ju], w_seen, b_seen));
        }
        exp_safe_batch(exps);
        for ((&j, &w), e) in nc.iter().zip(nv).zip(exps.iter()) {
            let a = la.alpha_from_exp(*e);
            let decayed = match scratch.get(j) {
                Some(b) => mul(sub(ONE, a), b),
                None => ZERO,
            };
            let inc = I32F32::from_bits(mul(a, w).to_bits().max(0));
            let v = I32F32::from_bits(add(decayed, inc).to_bits().min(ONE.to_bits()));
            if v > ZERO {
                out.push(j, v);
            }
        }
    }
}
