//! An ensemble of the top miners answers better than the best of them alone, on the tabular
//! subnet's own tasks and models: what `"ensemble": k` is for.

use rand::SeedableRng as _;
use yuma_gateway::ensemble::{TaskKind, combine};
use yuma_subnets::tabular::score::quality;
use yuma_subnets::tabular::{Answer, Model, task};

/// Tasks drawn; enough that the mean quality is stable, few enough for a debug build.
const TASKS: usize = 40;

#[test]
fn the_top_three_together_beat_the_best_alone() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let top = [Model::Forest, Model::Tree, Model::Knn];
    let (mut best_alone, mut together) = (0.0, 0.0);
    for _ in 0..TASKS {
        let (challenge, key) = task::draw(&mut rng);
        let challenge_json = serde_json::to_value(&challenge).expect("a challenge encodes");
        let kind = TaskKind::of(&challenge_json).expect("a prediction task");
        let answers: Vec<Answer> = top
            .iter()
            .map(|m| m.answer(&challenge).expect("the model answers"))
            .collect();
        best_alone += quality(&key, &answers[0]);
        let values: Vec<serde_json::Value> = answers
            .iter()
            .map(|a| serde_json::to_value(a).expect("an answer encodes"))
            .collect();
        let (combined, used) = combine(kind, &values).expect("combines");
        assert_eq!(used, top.len());
        let combined: Answer = serde_json::from_value(combined).expect("an answer");
        together += quality(&key, &combined);
    }
    let (best_alone, together) = (best_alone / TASKS as f64, together / TASKS as f64);
    eprintln!(
        "mean quality over {TASKS} tasks: forest {best_alone:.3}, forest+tree+knn {together:.3}"
    );
    assert!(
        together > best_alone,
        "ensemble {together:.3} vs forest {best_alone:.3}"
    );
}
