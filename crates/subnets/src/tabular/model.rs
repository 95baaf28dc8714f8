//! The miner side: reference models of deliberately different quality, all from `smartcore`.
//!
//! | model | regression | classification |
//! |---|---|---|
//! | `forest` | random forest, 40 trees | random forest, 40 trees |
//! | `tree` | one decision tree, grown fully | one decision tree, grown fully |
//! | `knn` | 5 nearest neighbours (linear search) | 5 nearest neighbours (linear search) |
//! | `linear` | least squares | logistic regression |
//! | `mean` | the training mean | the majority training class |
//! | `random` | uniform between the training minimum and maximum | a uniform training class |

use std::fmt;
use std::str::FromStr;

use rand::Rng;
use smartcore::algorithm::neighbour::KNNAlgorithmName;
use smartcore::ensemble::random_forest_classifier::{
    RandomForestClassifier, RandomForestClassifierParameters,
};
use smartcore::ensemble::random_forest_regressor::{
    RandomForestRegressor, RandomForestRegressorParameters,
};
use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::linear::linear_regression::LinearRegression;
use smartcore::linear::logistic_regression::LogisticRegression;
use smartcore::neighbors::knn_classifier::{KNNClassifier, KNNClassifierParameters};
use smartcore::neighbors::knn_regressor::{KNNRegressor, KNNRegressorParameters};
use smartcore::tree::decision_tree_classifier::DecisionTreeClassifier;
use smartcore::tree::decision_tree_regressor::DecisionTreeRegressor;
use yuma_primitives::rng::splitmix64;

use super::task::{Answer, Challenge, Kind};

/// Trees in the forests.
const TREES: u16 = 40;
/// Neighbours for k-NN.
const NEIGHBOURS: usize = 5;

/// A reference model, chosen with `yuma miner --model`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Model {
    /// Random forest.
    Forest,
    /// A single decision tree.
    Tree,
    /// k-nearest neighbours.
    Knn,
    /// Linear or logistic regression.
    Linear,
    /// Predicts the training mean or majority class.
    Mean,
    /// Predicts at random.
    Random,
}

impl Model {
    /// Every model, best first (the quality order they are designed to land in).
    pub const ALL: [Self; 6] = [
        Self::Forest,
        Self::Tree,
        Self::Knn,
        Self::Linear,
        Self::Mean,
        Self::Random,
    ];

    /// The model's name on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Forest => "forest",
            Self::Tree => "tree",
            Self::Knn => "knn",
            Self::Linear => "linear",
            Self::Mean => "mean",
            Self::Random => "random",
        }
    }

    /// Trains on the challenge's rows and predicts its test inputs.
    ///
    /// # Errors
    /// [`Error`] when the challenge is malformed (empty, ragged, mismatched lengths,
    /// non-finite values, labels that are not class indices) or a model fails to fit.
    pub fn answer(self, challenge: &Challenge) -> Result<Answer, Error> {
        check(challenge)?;
        let train = matrix(&challenge.train_x)?;
        let test = matrix(&challenge.test_x)?;
        let predictions = match challenge.kind {
            Kind::Regression => self.regress(&train, &challenge.train_y, &test)?,
            Kind::Classification => {
                let labels = labels(&challenge.train_y)?;
                self.classify(&train, &labels, &test)?
                    .into_iter()
                    .map(f64::from)
                    .collect()
            }
        };
        Ok(Answer { predictions })
    }

    fn regress(
        self,
        x: &DenseMatrix<f64>,
        y: &Vec<f64>,
        test: &DenseMatrix<f64>,
    ) -> Result<Vec<f64>, Error> {
        let n = test.shape_rows();
        Ok(match self {
            Self::Forest => {
                let params = RandomForestRegressorParameters {
                    n_trees: usize::from(TREES),
                    seed: seed_of(y.iter().map(|v| v.to_bits())),
                    ..Default::default()
                };
                RandomForestRegressor::fit(x, y, params)?.predict(test)?
            }
            Self::Tree => DecisionTreeRegressor::fit(x, y, Default::default())?.predict(test)?,
            Self::Knn => {
                let params = KNNRegressorParameters::default()
                    .with_k(NEIGHBOURS)
                    .with_algorithm(KNNAlgorithmName::LinearSearch);
                KNNRegressor::fit(x, y, params)?.predict(test)?
            }
            Self::Linear => LinearRegression::fit(x, y, Default::default())?.predict(test)?,
            Self::Mean => vec![y.iter().sum::<f64>() / y.len() as f64; n],
            Self::Random => {
                let lo = y.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let mut rng = rand::thread_rng();
                (0..n)
                    .map(|_| if hi > lo { rng.gen_range(lo..=hi) } else { lo })
                    .collect()
            }
        })
    }

    fn classify(
        self,
        x: &DenseMatrix<f64>,
        y: &Vec<i32>,
        test: &DenseMatrix<f64>,
    ) -> Result<Vec<i32>, Error> {
        let n = test.shape_rows();
        Ok(match self {
            Self::Forest => {
                let params = RandomForestClassifierParameters {
                    n_trees: TREES,
                    seed: seed_of(y.iter().map(|v| u64::from(v.unsigned_abs()))),
                    ..Default::default()
                };
                RandomForestClassifier::fit(x, y, params)?.predict(test)?
            }
            Self::Tree => DecisionTreeClassifier::fit(x, y, Default::default())?.predict(test)?,
            Self::Knn => {
                let params = KNNClassifierParameters::default()
                    .with_k(NEIGHBOURS)
                    .with_algorithm(KNNAlgorithmName::LinearSearch);
                KNNClassifier::fit(x, y, params)?.predict(test)?
            }
            Self::Linear => LogisticRegression::fit(x, y, Default::default())?.predict(test)?,
            Self::Mean => vec![majority(y); n],
            Self::Random => {
                let mut classes = y.clone();
                classes.sort_unstable();
                classes.dedup();
                let mut rng = rand::thread_rng();
                (0..n)
                    .map(|_| classes[rng.gen_range(0..classes.len())])
                    .collect()
            }
        })
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Model {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| Error::UnknownModel(s.to_owned()))
    }
}

/// Why a model could not answer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `--model` named no model.
    #[error("unknown model {0:?} (expected forest, tree, knn, linear, mean or random)")]
    UnknownModel(String),
    /// The challenge is malformed.
    #[error("malformed challenge: {0}")]
    Malformed(&'static str),
    /// The learning library failed.
    #[error("model failed: {0}")]
    Fit(String),
}

impl From<smartcore::error::Failed> for Error {
    fn from(e: smartcore::error::Failed) -> Self {
        Self::Fit(e.to_string())
    }
}

/// Largest accepted number of rows or features, so a request cannot ask for unbounded work.
const MAX_ROWS: usize = 5_000;
const MAX_FEATURES: usize = 64;
/// Largest accepted magnitude of a feature or target. Squared distances then stay below
/// (2e9)^2 x 64 < 3e20 and the least-squares and logistic fits stay far from overflow; near
/// 1e155 squared distances become infinite (and k-NN's cover tree recursed until the stack
/// ran out), near 1e308 the SVD panicked.
pub const MAX_ABS_VALUE: f64 = 1e9;

fn check(c: &Challenge) -> Result<(), Error> {
    let width = c.train_x.first().map_or(0, Vec::len);
    if c.train_x.is_empty() || c.test_x.is_empty() || width == 0 {
        return Err(Error::Malformed("no rows or no features"));
    }
    if c.train_x.len() + c.test_x.len() > MAX_ROWS || width > MAX_FEATURES {
        return Err(Error::Malformed("too many rows or features"));
    }
    if c.train_x.len() != c.train_y.len() {
        return Err(Error::Malformed("train_x and train_y differ in length"));
    }
    if c.train_x.iter().chain(&c.test_x).any(|r| r.len() != width) {
        return Err(Error::Malformed("rows of different widths"));
    }
    let finite = |v: &f64| v.is_finite();
    if !c.train_x.iter().chain(&c.test_x).flatten().all(finite) || !c.train_y.iter().all(finite) {
        return Err(Error::Malformed("non-finite value"));
    }
    let bounded = |v: &f64| v.abs() <= MAX_ABS_VALUE;
    if !c.train_x.iter().chain(&c.test_x).flatten().all(bounded) || !c.train_y.iter().all(bounded) {
        return Err(Error::Malformed("a value is larger than 1e9 in magnitude"));
    }
    Ok(())
}

fn matrix(rows: &[Vec<f64>]) -> Result<DenseMatrix<f64>, Error> {
    Ok(DenseMatrix::from_2d_vec(&rows.to_vec())?)
}

/// Class labels as integers `0..64`.
fn labels(y: &[f64]) -> Result<Vec<i32>, Error> {
    y.iter()
        .map(|&v| {
            if v.fract() == 0.0 && (0.0..64.0).contains(&v) {
                Ok(v as i32)
            } else {
                Err(Error::Malformed(
                    "class labels must be whole numbers in 0..64",
                ))
            }
        })
        .collect()
}

fn majority(y: &[i32]) -> i32 {
    let mut counts = [0usize; 64];
    for &label in y {
        if let Some(count) = usize::try_from(label).ok().and_then(|i| counts.get_mut(i)) {
            *count += 1;
        }
    }
    let best = counts
        .iter()
        .enumerate()
        .max_by_key(|&(label, count)| (*count, std::cmp::Reverse(label)))
        .map_or(0, |(label, _)| label);
    i32::try_from(best).unwrap_or(0)
}

trait Rows {
    fn shape_rows(&self) -> usize;
}

impl Rows for DenseMatrix<f64> {
    fn shape_rows(&self) -> usize {
        use smartcore::linalg::basic::arrays::Array;
        self.shape().0
    }
}

/// The forest's seed, drawn from the task's training targets: the same model answers the
/// same task the same way, so that a copy of a miner is recognisably a copy.
fn seed_of(targets: impl Iterator<Item = u64>) -> u64 {
    targets.fold(0, |h, v| splitmix64(h ^ v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tabular::{score, task};
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    /// Mean quality of each model over `tasks` tasks drawn from `seed`.
    fn mean_quality(seed: u64, tasks: usize) -> Vec<(Model, f64)> {
        let mut rng = StdRng::seed_from_u64(seed);
        let draws: Vec<_> = (0..tasks).map(|_| task::draw(&mut rng)).collect();
        Model::ALL
            .into_iter()
            .map(|model| {
                let total: f64 = draws
                    .iter()
                    .map(|(challenge, key)| {
                        let answer = model.answer(challenge).expect("reference models answer");
                        score::quality(key, &answer)
                    })
                    .sum();
                (model, total / tasks as f64)
            })
            .collect()
    }

    /// The six models land at well separated levels, in a fixed order, over 20 fresh tasks
    /// (measured: about 0.46, 0.37, 0.28, 0.17, 0.0 and 0.01).
    #[test]
    fn quality_levels_are_ordered_and_separated() {
        let q: Vec<f64> = mean_quality(0, 20).into_iter().map(|(_, q)| q).collect();
        let [forest, tree, knn, linear, mean, random] = q[..] else {
            panic!("six models")
        };
        assert!(forest > tree + 0.05, "{q:?}");
        assert!(tree > knn + 0.05, "{q:?}");
        assert!(knn > linear + 0.05, "{q:?}");
        assert!(linear > 0.1, "{q:?}");
        assert!(mean + random < 0.05, "{q:?}");
    }

    #[test]
    fn model_names_round_trip() {
        for model in Model::ALL {
            assert_eq!(model.name().parse::<Model>().expect("a model name"), model);
        }
        assert!("boosted".parse::<Model>().is_err());
    }

    #[test]
    fn malformed_challenges_are_refused() {
        let ragged = Challenge {
            kind: Kind::Regression,
            train_x: vec![vec![1.0, 2.0], vec![1.0]],
            train_y: vec![1.0, 2.0],
            test_x: vec![vec![1.0, 2.0]],
        };
        assert!(matches!(
            Model::Forest.answer(&ragged),
            Err(Error::Malformed(_))
        ));
        let bad_labels = Challenge {
            kind: Kind::Classification,
            train_x: vec![vec![1.0], vec![2.0]],
            train_y: vec![0.5, 1.0],
            test_x: vec![vec![1.0]],
        };
        assert!(matches!(
            Model::Tree.answer(&bad_labels),
            Err(Error::Malformed(_))
        ));
        let empty = Challenge {
            kind: Kind::Regression,
            train_x: vec![],
            train_y: vec![],
            test_x: vec![],
        };
        assert!(matches!(
            Model::Mean.answer(&empty),
            Err(Error::Malformed(_))
        ));
    }

    /// A challenge of `rows` training rows and 5 test rows, every value `value`.
    fn uniform(kind: Kind, rows: usize, value: f64) -> Challenge {
        Challenge {
            kind,
            train_x: vec![vec![value; 4]; rows],
            train_y: (0..rows).map(|i| (i % 2) as f64).collect(),
            test_x: vec![vec![value; 4]; 5],
        }
    }

    #[test]
    fn huge_values_are_refused_before_any_model_runs() {
        for value in [1e155, -1e155, 1e308, MAX_ABS_VALUE * 2.0] {
            for model in Model::ALL {
                for kind in [Kind::Regression, Kind::Classification] {
                    let challenge = uniform(kind, 50, value);
                    assert!(
                        matches!(model.answer(&challenge), Err(Error::Malformed(_))),
                        "{model} {kind:?} {value}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_model_answers_at_the_bounds_and_on_identical_points() {
        let mut rng = StdRng::seed_from_u64(7);
        for model in Model::ALL {
            for kind in [Kind::Regression, Kind::Classification] {
                for value in [MAX_ABS_VALUE, -MAX_ABS_VALUE, 0.0, 1e-300] {
                    let answer = model.answer(&uniform(kind, 300, value));
                    let answer = answer.unwrap_or_else(|e| panic!("{model} {kind:?} {value}: {e}"));
                    assert_eq!(answer.predictions.len(), 5);
                }
                // Values spread over the whole accepted range.
                let (mut challenge, _) = task::draw(&mut rng);
                challenge.kind = kind;
                if kind == Kind::Classification {
                    challenge.train_y = (0..challenge.train_y.len())
                        .map(|i| (i % 3) as f64)
                        .collect();
                }
                for row in challenge
                    .train_x
                    .iter_mut()
                    .chain(challenge.test_x.iter_mut())
                {
                    for v in row.iter_mut() {
                        *v *= MAX_ABS_VALUE;
                    }
                }
                let answer = model.answer(&challenge);
                assert!(answer.is_ok(), "{model} {kind:?}: {answer:?}");
            }
        }
    }
}
