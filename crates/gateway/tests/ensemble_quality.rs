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

/// Ranked forest, two noisy copies of it (sybils), tree, knn: an ensemble of three that lets a
/// copy take no member's place is forest+tree+knn, better than forest and its copies, which
/// is the forest alone again. The gateway has no labels, so this also checks its rule for
/// copies on the models' own answers: every noisy copy is one, no other model is.
#[test]
fn copies_give_their_places_to_models_that_add_something() {
    use yuma_gateway::ensemble::is_copy;
    use yuma_neuron::Solver as _;
    use yuma_subnets::tabular::TabularSolver;

    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let ranked = [
        TabularSolver::new(Model::Forest),
        TabularSolver::new(Model::Forest).with_noise(0.05),
        TabularSolver::new(Model::Forest).with_noise(0.05),
        TabularSolver::new(Model::Tree),
        TabularSolver::new(Model::Knn),
    ];
    let (mut naive, mut distinct) = (0.0, 0.0);
    for _ in 0..TASKS {
        let (challenge, key) = task::draw(&mut rng);
        let challenge_json = serde_json::to_value(&challenge).expect("a challenge encodes");
        let kind = TaskKind::of(&challenge_json).expect("a prediction task");
        let values: Vec<serde_json::Value> = ranked
            .iter()
            .map(|s| {
                let answer = s.solve(challenge.clone()).expect("the model answers");
                serde_json::to_value(answer).expect("an answer encodes")
            })
            .collect();
        let mut kept: Vec<&serde_json::Value> = Vec::new();
        for (i, v) in values.iter().enumerate() {
            let copied = is_copy(kind, &kept, v);
            assert_eq!(copied, i == 1 || i == 2, "answer {i} on {challenge_json}");
            if !copied && kept.len() < 3 {
                kept.push(v);
            }
        }
        let quality_of = |members: &[serde_json::Value]| {
            let (combined, _) = combine(kind, members).expect("combines");
            let combined: Answer = serde_json::from_value(combined).expect("an answer");
            quality(&key, &combined)
        };
        naive += quality_of(&values[..3]);
        distinct += quality_of(&kept.into_iter().cloned().collect::<Vec<_>>());
    }
    let (naive, distinct) = (naive / TASKS as f64, distinct / TASKS as f64);
    eprintln!("mean quality: forest and two copies {naive:.3}, forest+tree+knn {distinct:.3}");
    assert!(distinct > naive, "{distinct:.3} vs {naive:.3}");
}
