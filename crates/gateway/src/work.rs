//! What a request asks of the miners, for pricing, and whether an answer is one.
//!
//! A prediction task (`"kind"` with `train_x` and `test_x` rows) costs the price per query
//! for each [`UNIT_CELLS`] values of its rows (rounded up), so a maximum-size task (5,000
//! rows of 64 features: 85 units) pays for the miner time it takes; any other request pays
//! one unit. An answer to a prediction task counts only with one finite prediction per test
//! row: anything else is not charged.

use serde_json::Value;

use crate::ensemble::predictions;

/// Values in one unit of work: a standard tabular task (300 training and 80 test rows of up
/// to 10 features).
pub const UNIT_CELLS: u64 = 3_800;

fn rows<'a>(challenge: &'a Value, field: &str) -> Option<&'a Vec<Value>> {
    challenge.get(field)?.as_array()
}

/// Units of work `challenge` asks for (at least 1).
pub fn units(challenge: &Value) -> u64 {
    let (Some(train), Some(test)) = (rows(challenge, "train_x"), rows(challenge, "test_x")) else {
        return 1;
    };
    let cells: usize = train
        .iter()
        .chain(test)
        .map(|row| row.as_array().map_or(1, Vec::len))
        .sum();
    u64::try_from(cells)
        .unwrap_or(u64::MAX)
        .div_ceil(UNIT_CELLS)
        .max(1)
}

/// Whether `answer` answers `challenge`: for a prediction task, one finite prediction per
/// test row; any answer otherwise.
pub fn is_answer(challenge: &Value, answer: &Value) -> bool {
    match (challenge.get("kind"), rows(challenge, "test_x")) {
        (Some(_), Some(test)) => predictions(answer).is_some_and(|p| p.len() == test.len()),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn task(rows: usize, features: usize) -> Value {
        let row = vec![0.5; features];
        json!({
            "kind": "regression",
            "train_x": vec![row.clone(); rows],
            "train_y": vec![1.0; rows],
            "test_x": vec![row; 2],
        })
    }

    #[test]
    fn cost_grows_with_the_values_sent() {
        assert_eq!(units(&task(298, 10)), 1);
        assert_eq!(units(&task(299, 10)), 1);
        assert_eq!(units(&task(379, 10)), 2);
        assert_eq!(units(&task(4_998, 64)), 85);
        assert_eq!(units(&json!({"prompt": "hi"})), 1);
        assert_eq!(units(&task(0, 0)), 1);
    }

    #[test]
    fn only_whole_finite_predictions_are_answers() {
        let challenge = task(10, 2);
        assert!(is_answer(&challenge, &json!({"predictions": [1.0, 2.0]})));
        assert!(!is_answer(
            &challenge,
            &json!({"predictions": [null, null]})
        ));
        assert!(!is_answer(&challenge, &json!({"predictions": [1.0]})));
        assert!(!is_answer(&challenge, &json!({"predictions": [1.0, "x"]})));
        assert!(!is_answer(&challenge, &json!({"error": "no"})));
        assert!(is_answer(&json!({"prompt": "hi"}), &json!(null)));
    }
}
