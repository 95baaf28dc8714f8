//! Reference subnets with real models and honest scoring.
//!
//! - [`tabular`]: fresh supervised-learning tasks (regression or classification on a hidden
//!   rule with noise), answered by reference models from `smartcore` of deliberately different
//!   quality: random forest, decision tree, k-nearest neighbours, linear/logistic regression,
//!   predict-the-mean and random.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod tabular;
