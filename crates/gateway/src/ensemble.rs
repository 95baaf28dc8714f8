//! Combining the answers of several miners to a prediction task: the mean of their
//! predictions for regression, the majority vote for classification (ties go to the answer
//! of the best-ranked miner).
//!
//! A prediction task is a challenge with `"kind": "regression" | "classification"` whose
//! answers are `{"predictions": [numbers]}` (the tabular subnet's shape).
//!
//! A copy adds nothing to an ensemble, so an answer that copies one already in it does not
//! take a member's place ([`is_copy`]): the same predictions, or so nearly that it is the same
//! model with a little noise added, by the validators' rule for copies (a mean squared
//! difference under [`NEAR_REGRESSION`] of the spread of the first answer's predictions, or
//! at most [`NEAR_CLASSES`] of the rows' classes differing). The gateway has no labels, so it
//! measures the spread on the predictions themselves.

use serde_json::{Value, json};

/// Why answers cannot be combined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnsembleError {
    /// The challenge is not a prediction task.
    #[error("ensembles need a prediction task (\"kind\": \"regression\" or \"classification\")")]
    NotPrediction,
    /// No answer had predictions of the common length.
    #[error("no miner answered with predictions")]
    NoPredictions,
}

/// Regression answers whose mean squared difference is below this share of the predictions'
/// variance are copies.
pub const NEAR_REGRESSION: f64 = 0.02;
/// Class answers that differ on at most this share of the rows are copies.
pub const NEAR_CLASSES: f64 = 0.1;

/// The kind of a prediction task, from its challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    /// Average the predictions.
    Regression,
    /// Vote on rounded class predictions.
    Classification,
}

impl TaskKind {
    /// The kind of `challenge`.
    ///
    /// # Errors
    /// [`EnsembleError::NotPrediction`] when it has no known `kind`.
    pub fn of(challenge: &Value) -> Result<Self, EnsembleError> {
        match challenge.get("kind").and_then(Value::as_str) {
            Some("regression") => Ok(Self::Regression),
            Some("classification") => Ok(Self::Classification),
            _ => Err(EnsembleError::NotPrediction),
        }
    }
}

/// The finite predictions of `answer`, or `None` when it has none or any is not a number.
pub(crate) fn predictions(answer: &Value) -> Option<Vec<f64>> {
    answer
        .get("predictions")?
        .as_array()?
        .iter()
        .map(|v| v.as_f64().filter(|x| x.is_finite()))
        .collect()
}

/// Whether `answer` copies one of `kept` (see the module's rule). Answers without valid
/// predictions copy nothing.
pub fn is_copy(kind: TaskKind, kept: &[&Value], answer: &Value) -> bool {
    let Some(p) = predictions(answer) else {
        return false;
    };
    kept.iter()
        .filter_map(|k| predictions(k))
        .any(|k| k.len() == p.len() && !p.is_empty() && same(kind, &k, &p))
}

/// Whether `b` is `a` or nearly so, for answers of equal, non-zero length.
fn same(kind: TaskKind, a: &[f64], b: &[f64]) -> bool {
    let rows = a.len() as f64;
    match kind {
        TaskKind::Regression => {
            let mean = a.iter().sum::<f64>() / rows;
            let spread = a.iter().map(|x| (x - mean).powi(2)).sum::<f64>();
            let diff = a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>();
            diff <= NEAR_REGRESSION * spread
        }
        TaskKind::Classification => {
            let differ = a
                .iter()
                .zip(b)
                .filter(|(x, y)| x.round() != y.round())
                .count();
            differ as f64 <= NEAR_CLASSES * rows
        }
    }
}

/// Combines `answers` (best-ranked first) into one `{"predictions": [...]}`. Answers of a
/// different length than the first valid one are left out; returns the combined answer and
/// how many answers it used.
///
/// # Errors
/// [`EnsembleError::NoPredictions`] when no answer has valid predictions.
pub fn combine(kind: TaskKind, answers: &[Value]) -> Result<(Value, usize), EnsembleError> {
    let valid: Vec<Vec<f64>> = answers.iter().filter_map(predictions).collect();
    let Some(n) = valid.first().map(Vec::len) else {
        return Err(EnsembleError::NoPredictions);
    };
    let valid: Vec<&Vec<f64>> = valid.iter().filter(|p| p.len() == n).collect();
    let combined: Vec<f64> = (0..n)
        .map(|i| {
            let column = valid.iter().map(|p| p[i]);
            match kind {
                TaskKind::Regression => column.sum::<f64>() / valid.len() as f64,
                TaskKind::Classification => vote(column.map(f64::round)),
            }
        })
        .collect();
    Ok((json!({ "predictions": combined }), valid.len()))
}

/// The most common value; ties go to the one seen first.
fn vote(values: impl Iterator<Item = f64>) -> f64 {
    let mut counts: Vec<(f64, usize)> = Vec::new();
    for v in values {
        match counts.iter_mut().find(|(c, _)| *c == v) {
            Some((_, n)) => *n += 1,
            None => counts.push((v, 1)),
        }
    }
    let mut best = (f64::NAN, 0);
    for (v, n) in counts {
        if n > best.1 {
            best = (v, n);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_regressions() {
        let answers = [
            json!({"predictions": [1.0, 2.0]}),
            json!({"predictions": [3.0, 4.0]}),
            json!({"predictions": [1.0]}),
            json!({"nothing": true}),
        ];
        let (combined, used) = combine(TaskKind::Regression, &answers).expect("combines");
        assert_eq!(combined, json!({"predictions": [2.0, 3.0]}));
        assert_eq!(used, 2);
    }

    #[test]
    fn votes_on_classes_with_ties_to_the_best_ranked() {
        let answers = [
            json!({"predictions": [0.0, 1.0, 2.0]}),
            json!({"predictions": [1.0, 1.0, 0.0]}),
            json!({"predictions": [1.0, 0.9, 1.0]}),
        ];
        let (combined, used) = combine(TaskKind::Classification, &answers).expect("combines");
        assert_eq!(combined, json!({"predictions": [1.0, 1.0, 2.0]}));
        assert_eq!(used, 3);
    }

    #[test]
    fn a_majority_corrects_one_wrong_member() {
        let truth = [0.0, 1.0, 1.0, 0.0, 2.0];
        let mut answers = Vec::new();
        for wrong in 0..3 {
            let mut p = truth.to_vec();
            p[wrong] = 2.0 - p[wrong];
            answers.push(json!({ "predictions": p }));
        }
        let (combined, _) = combine(TaskKind::Classification, &answers).expect("combines");
        assert_eq!(combined, json!({ "predictions": truth }));
    }

    #[test]
    fn copies_are_the_same_predictions_or_nearly() {
        let a = json!({"predictions": [0.0, 1.0, 2.0, 3.0]});
        let noisy = json!({"predictions": [0.05, 0.95, 2.05, 3.0]});
        let other = json!({"predictions": [1.0, 0.0, 3.0, 1.0]});
        let regression = TaskKind::Regression;
        assert!(is_copy(regression, &[&a], &a.clone()));
        assert!(is_copy(regression, &[&other, &a], &noisy));
        assert!(!is_copy(regression, &[&a], &other));
        assert!(!is_copy(regression, &[], &a));
        assert!(!is_copy(
            regression,
            &[&a],
            &json!({"predictions": [0.0, 1.0]})
        ));
        let classes: Vec<f64> = (0..20).map(|i| f64::from(i % 3)).collect();
        let mut two_differ = classes.clone();
        two_differ[0] = 2.0;
        two_differ[1] = 2.0;
        let mut three_differ = two_differ.clone();
        three_differ[3] = 2.0;
        let kept = json!({ "predictions": classes });
        let classification = TaskKind::Classification;
        assert!(is_copy(
            classification,
            &[&kept],
            &json!({ "predictions": two_differ })
        ));
        assert!(!is_copy(
            classification,
            &[&kept],
            &json!({ "predictions": three_differ })
        ));
    }

    #[test]
    fn refuses_what_cannot_be_combined() {
        assert_eq!(
            TaskKind::of(&json!({"kind": "text"})),
            Err(EnsembleError::NotPrediction)
        );
        assert_eq!(
            TaskKind::of(&json!({"kind": "classification"})),
            Ok(TaskKind::Classification)
        );
        assert_eq!(
            combine(TaskKind::Regression, &[json!({"predictions": [f64::NAN]})]),
            Err(EnsembleError::NoPredictions)
        );
    }
}
