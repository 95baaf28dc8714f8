//! The conformance-vector format (`crates/epoch/tests/vectors/README.md`): parse cases, replay
//! their steps through an epoch implementation, and compare outputs field by field.
//!
//! No I/O here: callers read the files and pass the text.
//!
//! A case is one JSON object: `id`, `n`, `params` (the fields of [`Params`]), `initial`
//! (`validator_permit`, `bonds`) and `steps`. Each step replaces the listed weight rows
//! (`weights_set`: `[[uid, [[dest, u16], ...]], ...]`) and the per-uid vectors, runs one epoch,
//! and carries the new permits and bonds into the next step. `expected` holds the outputs with
//! the field names of [`Output`], plus optional `*_i32f32_bits` diagnostics that are ignored.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::types::{Input, Output, Params};

/// One conformance case: parameters, initial state, and a sequence of epochs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// Unique name of the case.
    pub id: String,
    /// Scenario and flag labels.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Number of uids.
    pub n: usize,
    /// Hyperparameters for every step.
    pub params: Params,
    /// State before the first step.
    pub initial: Initial,
    /// Epochs to run in order.
    pub steps: Vec<Step>,
}

/// State carried into the first step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Initial {
    /// Permits before the first step.
    pub validator_permit: Vec<bool>,
    /// Stored bond rows before the first step.
    pub bonds: Vec<Vec<(u16, u16)>>,
}

/// One epoch of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Block the epoch runs at.
    pub current_block: u64,
    /// Block of the previous epoch; 0 = unset.
    pub last_mechanism_step_block: u64,
    /// Stake per uid, rao.
    pub stake: Vec<u64>,
    /// Last weight update per uid.
    pub last_update: Vec<u64>,
    /// Registration block per uid.
    pub block_at_registration: Vec<u64>,
    /// Weight rows replaced before this epoch; an empty row clears it.
    #[serde(default)]
    pub weights_set: Vec<(u16, Vec<(u16, u16)>)>,
    /// Outputs subtensor produced, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Expected>,
}

/// Expected outputs of a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expected {
    /// The stored and paid values.
    #[serde(flatten)]
    pub output: Output,
    /// Raw I32F32 bits of the incentive (diagnostics only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incentive_i32f32_bits: Option<Vec<i64>>,
    /// Raw I32F32 bits of the dividends (diagnostics only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dividends_i32f32_bits: Option<Vec<i64>>,
}

/// A line of a cases file that is not a valid case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong, with the field and column where known.
    pub message: String,
}

/// Why a case could not be replayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// A vector of the case does not have `n` entries.
    #[error("case {case}, {place}: {field} has {len} entries, expected n = {n}")]
    Length {
        /// Case id.
        case: String,
        /// `initial` or `step K`.
        place: String,
        /// Field name.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The case's `n`.
        n: usize,
    },
    /// `weights_set` names a row that does not exist.
    #[error("case {case}, step {step}: weights_set names uid {uid}, but n = {n}")]
    UidOutOfRange {
        /// Case id.
        case: String,
        /// 0-based step.
        step: usize,
        /// The offending uid.
        uid: u16,
        /// The case's `n`.
        n: usize,
    },
    /// The epoch refused the step's input.
    #[error("case {case}, step {step}: {source}")]
    Epoch {
        /// Case id.
        case: String,
        /// 0-based step.
        step: usize,
        /// The epoch's error.
        source: Error,
    },
}

/// Parses one case per non-blank line.
///
/// # Errors
/// [`ParseError`] for the first line that is not a valid case.
pub fn parse_jsonl(text: &str) -> Result<Vec<Case>, ParseError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| parse_case(l).map_err(|e| ParseError { line: i + 1, ..e }))
        .collect()
}

/// Parses a single case (a `.json` file).
///
/// # Errors
/// [`ParseError`] naming the problem and its line within `text`.
pub fn parse_case(text: &str) -> Result<Case, ParseError> {
    serde_json::from_str(text).map_err(|e| ParseError {
        line: e.line(),
        message: e.to_string(),
    })
}

/// Where replay takes the permits and bonds carried into the next step from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carry {
    /// From the step's `expected` outputs when present (localises a mismatch to one step).
    Expected,
    /// Always from the computed outputs.
    Computed,
}

/// Replays every step of `case` through `epoch` and returns each step's output.
///
/// # Errors
/// [`ReplayError`] when the case is malformed or the epoch refuses a step.
pub fn replay(
    case: &Case,
    carry: Carry,
    epoch: impl Fn(&Params, &Input) -> Result<Output, Error>,
) -> Result<Vec<Output>, ReplayError> {
    let n = case.n;
    let length = |place: String, field: &'static str, len: usize| ReplayError::Length {
        case: case.id.clone(),
        place,
        field,
        len,
        n,
    };
    if case.initial.validator_permit.len() != n {
        let len = case.initial.validator_permit.len();
        return Err(length("initial".into(), "validator_permit", len));
    }
    if case.initial.bonds.len() != n {
        return Err(length("initial".into(), "bonds", case.initial.bonds.len()));
    }
    let mut input = Input {
        weights: vec![Vec::new(); n],
        validator_permit: case.initial.validator_permit.clone(),
        bonds: case.initial.bonds.clone(),
        ..Input::default()
    };
    let mut outputs = Vec::with_capacity(case.steps.len());
    for (k, step) in case.steps.iter().enumerate() {
        for (field, len) in [
            ("stake", step.stake.len()),
            ("last_update", step.last_update.len()),
            ("block_at_registration", step.block_at_registration.len()),
        ] {
            if len != n {
                return Err(length(format!("step {k}"), field, len));
            }
        }
        for (uid, row) in &step.weights_set {
            let slot = input.weights.get_mut(usize::from(*uid)).ok_or_else(|| {
                ReplayError::UidOutOfRange {
                    case: case.id.clone(),
                    step: k,
                    uid: *uid,
                    n,
                }
            })?;
            slot.clone_from(row);
        }
        input.current_block = step.current_block;
        input.last_mechanism_step_block = step.last_mechanism_step_block;
        input.stake.clone_from(&step.stake);
        input.last_update.clone_from(&step.last_update);
        input
            .block_at_registration
            .clone_from(&step.block_at_registration);
        let output = epoch(&case.params, &input).map_err(|source| ReplayError::Epoch {
            case: case.id.clone(),
            step: k,
            source,
        })?;
        let carried = match (&step.expected, carry) {
            (Some(expected), Carry::Expected) => &expected.output,
            _ => &output,
        };
        input.validator_permit.clone_from(&carried.validator_permit);
        input.bonds.clone_from(&carried.bonds);
        outputs.push(output);
    }
    Ok(outputs)
}

/// One value that differs between expected and computed outputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mismatch {
    /// Output field name.
    pub field: &'static str,
    /// Uid (row for `bonds`); `None` when the lengths differ.
    pub uid: Option<usize>,
    /// Expected value (the length when `uid` is `None`).
    pub expected: serde_json::Value,
    /// Computed value (the length when `uid` is `None`).
    pub got: serde_json::Value,
}

/// Every difference between `expected` and `got`, field by field, uid by uid.
pub fn compare(expected: &Output, got: &Output) -> Vec<Mismatch> {
    let mut out = Vec::new();
    diff("active", &expected.active, &got.active, &mut out);
    diff(
        "stake_weight",
        &expected.stake_weight,
        &got.stake_weight,
        &mut out,
    );
    diff(
        "validator_permit",
        &expected.validator_permit,
        &got.validator_permit,
        &mut out,
    );
    diff("consensus", &expected.consensus, &got.consensus, &mut out);
    diff("incentive", &expected.incentive, &got.incentive, &mut out);
    diff("dividends", &expected.dividends, &got.dividends, &mut out);
    diff(
        "validator_trust",
        &expected.validator_trust,
        &got.validator_trust,
        &mut out,
    );
    diff(
        "server_emission",
        &expected.server_emission,
        &got.server_emission,
        &mut out,
    );
    diff(
        "validator_emission",
        &expected.validator_emission,
        &got.validator_emission,
        &mut out,
    );
    diff("emission", &expected.emission, &got.emission, &mut out);
    diff("bonds", &expected.bonds, &got.bonds, &mut out);
    out
}

fn diff<T: PartialEq + Serialize>(
    field: &'static str,
    expected: &[T],
    got: &[T],
    out: &mut Vec<Mismatch>,
) {
    if expected.len() != got.len() {
        out.push(Mismatch {
            field,
            uid: None,
            expected: expected.len().into(),
            got: got.len().into(),
        });
        return;
    }
    for (uid, (e, g)) in expected.iter().zip(got).enumerate() {
        if e != g {
            out.push(Mismatch {
                field,
                uid: Some(uid),
                expected: serde_json::to_value(e).unwrap_or_default(),
                got: serde_json::to_value(g).unwrap_or_default(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASE: &str = r#"{"id":"tiny","tags":[],"pipeline":"sparse","n":2,
        "params":{"tempo":100,"activity_cutoff":1000,"kappa":32767,"bonds_penalty":65535,
          "bonds_moving_average":900000,"max_allowed_validators":2,"liquid_alpha_enabled":false,
          "alpha_low":45875,"alpha_high":58982,"alpha_sigmoid_steepness":1000,
          "yuma3_enabled":false,"stake_threshold":0,"owner_uid":null,"rao_emission":1000},
        "initial":{"validator_permit":[true,false],"bonds":[[],[]]},
        "steps":[{"current_block":10,"last_mechanism_step_block":0,"stake":[5,0],
          "last_update":[9,9],"block_at_registration":[0,0],"weights_set":[[0,[[1,65535]]]]}]}"#;

    #[test]
    fn parses_and_replays_a_case() {
        let case = parse_case(CASE).expect("valid case");
        assert_eq!(case.n, 2);
        let outputs = replay(&case, Carry::Computed, crate::reference::run).expect("replays");
        assert_eq!(outputs.len(), 1);
        assert_eq!(outputs[0].incentive, vec![0, 65535]);
        assert_eq!(outputs[0].dividends, vec![65535, 0]);
        assert_eq!(outputs[0].bonds, vec![vec![(1, 65535)], vec![]]);
    }

    #[test]
    fn reports_the_line_and_field_of_a_bad_case() {
        let text = format!("{}\n\n{}\n", CASE.replace('\n', " "), r#"{"id":"x"}"#);
        let err = parse_jsonl(&text).expect_err("second case is incomplete");
        assert_eq!(err.line, 3);
        assert!(err.message.contains("missing field"), "{}", err.message);
    }

    #[test]
    fn replay_checks_lengths_against_n() {
        let mut case = parse_case(CASE).expect("valid case");
        case.steps[0].stake.push(1);
        let err = replay(&case, Carry::Computed, crate::run).expect_err("stake too long");
        assert_eq!(
            err.to_string(),
            "case tiny, step 0: stake has 3 entries, expected n = 2"
        );
    }

    #[test]
    fn compare_lists_each_difference() {
        let a = Output {
            incentive: vec![1, 2],
            bonds: vec![vec![(1, 5)], vec![]],
            ..Output::default()
        };
        let mut b = a.clone();
        b.incentive[1] = 3;
        b.bonds[0] = vec![];
        let m = compare(&a, &b);
        assert_eq!(m.len(), 2);
        assert_eq!((m[0].field, m[0].uid), ("incentive", Some(1)));
        assert_eq!((m[1].field, m[1].uid), ("bonds", Some(0)));
        assert!(compare(&a, &a).is_empty());
    }
}
