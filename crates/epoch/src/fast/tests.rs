//! The fast path agrees with the reference on random subnets, and keeps the invariants of the
//! stored outputs.

use proptest::prelude::*;

use super::*;
use crate::reference;

/// A random row over `n` uids: a random subset in random order, values with explicit zeros.
fn row(n: usize) -> impl Strategy<Value = Vec<(u16, u16)>> {
    (
        prop::collection::vec((any::<bool>(), 0u16..=u16::MAX, 0u8..4), n),
        // Sorted most of the time, as validators usually send; shuffled otherwise.
        prop::bool::weighted(0.3),
        Just((0..n as u16).collect::<Vec<u16>>()).prop_shuffle(),
    )
        .prop_map(move |(cells, shuffle, shuffled)| {
            let order = if shuffle {
                shuffled
            } else {
                (0..n as u16).collect()
            };
            order
                .into_iter()
                .filter(|j| cells[usize::from(*j)].0)
                .map(|j| {
                    let (_, v, kind) = cells[usize::from(j)];
                    let v = match kind {
                        0 => 0,
                        1 => u16::MAX,
                        _ => v,
                    };
                    (j, v)
                })
                .collect()
        })
}

fn params(n: usize) -> impl Strategy<Value = Params> {
    (
        (
            1u64..400,
            1u64..2000,
            prop_oneof![Just(0u16), Just(1), Just(32767), Just(65535), any::<u16>()],
            prop_oneof![Just(0u16), Just(65535), any::<u16>()],
            prop_oneof![
                Just(0u64),
                Just(900_000),
                Just(1_000_000),
                0u64..=1_000_000,
                // Above 100%: a negative EMA factor, which subtensor accepts.
                1_000_001u64..=5_000_000,
                // Where the EMA bonds saturate and the conversions overflow.
                prop_oneof![
                    Just(2_147_483_648_000_000u64),
                    Just(2_147_483_647_999_999u64),
                    Just(2_147_483_648_000_001u64),
                    Just(i64::MAX as u64),
                    Just(1u64 << 63),
                    Just(u64::MAX),
                    any::<u64>(),
                ],
            ],
            0u16..(n as u16 + 3),
        ),
        (
            any::<bool>(),
            any::<u16>(),
            any::<u16>(),
            any::<i16>(),
            any::<bool>(),
            prop_oneof![Just(0u64), 0u64..2_000],
            prop::option::weighted(0.3, 0..n as u16),
            any::<u64>(),
        ),
    )
        .prop_map(
            |(
                (tempo, activity_cutoff, kappa, bonds_penalty, bma, max_validators),
                (la, low, high, steepness, yuma3, threshold, owner, rao),
            )| Params {
                tempo,
                activity_cutoff,
                kappa,
                bonds_penalty,
                bonds_moving_average: bma,
                max_allowed_validators: max_validators,
                liquid_alpha_enabled: la,
                alpha_low: low,
                alpha_high: high,
                alpha_sigmoid_steepness: steepness,
                yuma3_enabled: yuma3,
                stake_threshold: threshold,
                owner_uid: owner,
                rao_emission: rao,
            },
        )
}

fn input(n: usize) -> impl Strategy<Value = Input> {
    (
        1000u64..1100,
        prop_oneof![Just(0u64), 900u64..1000],
        prop::collection::vec(
            prop_oneof![Just(0u64), 0u64..3_000, any::<u32>().prop_map(u64::from)],
            n,
        ),
        prop::collection::vec(0u64..1100, n),
        prop::collection::vec(prop_oneof![Just(0u64), 0u64..1100], n),
        prop::collection::vec(row(n), n),
        prop::collection::vec(any::<bool>(), n),
        prop::collection::vec(row(n), n),
    )
        .prop_map(
            |(current_block, lms, stake, last_update, registered, weights, permits, bonds)| Input {
                current_block,
                last_mechanism_step_block: lms,
                stake,
                last_update,
                block_at_registration: registered,
                weights,
                validator_permit: permits,
                bonds,
            },
        )
}

fn case() -> impl Strategy<Value = (Params, Input)> {
    (1usize..=32).prop_flat_map(|n| (params(n), input(n)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn fast_agrees_with_reference((params, input) in case()) {
        let fast = run(&params, &input).expect("valid input");
        let slow = reference::run(&params, &input).expect("valid input");
        prop_assert_eq!(fast, slow);
    }

    #[test]
    fn stored_outputs_are_well_formed((params, input) in case()) {
        let out = run(&params, &input).expect("valid input");
        let n = input.n();
        prop_assert_eq!(out.bonds.len(), n);
        for (i, row) in out.bonds.iter().enumerate() {
            prop_assert!(row.is_empty() || out.validator_permit[i]);
        }
        // Normalised proportions sum to at most one (each share is rounded down).
        let total: u64 = out.incentive.iter().map(|x| u64::from(*x)).sum();
        prop_assert!(total <= 65535 + n as u64);
        // Emission never exceeds the amount to split.
        let paid: u128 = out.emission.iter().map(|x| u128::from(*x)).sum();
        prop_assert!(paid <= u128::from(params.rao_emission));
    }
}

/// Weight or bond rows.
type Rows = Vec<Vec<(u16, u16)>>;

/// An input at block 1000 whose uids registered long ago and all updated their weights in
/// the last block: only stake, weight and bond rows, and permits vary.
fn settled(
    params: &Params,
    stake: Vec<u64>,
    (weights, bonds): (Rows, Rows),
    validator_permit: Vec<bool>,
) -> Input {
    let n = stake.len();
    Input {
        current_block: 1000,
        last_mechanism_step_block: 1000 - params.tempo.min(999),
        stake,
        last_update: vec![999; n],
        block_at_registration: vec![0; n],
        weights,
        validator_permit,
        bonds,
    }
}

/// The fast path equals the reference over `epochs` epochs, each starting from the bonds the
/// previous one stored.
fn agree_over_epochs(
    params: &Params,
    mut input: Input,
    epochs: usize,
) -> Result<(), TestCaseError> {
    for _ in 0..epochs {
        let fast = run(params, &input).expect("valid input");
        let slow = reference::run(params, &input).expect("valid input");
        prop_assert_eq!(&fast, &slow);
        input.bonds = slow.bonds;
    }
    Ok(())
}

/// A subnet in the steady state: every row sorted, each bond row on exactly its weight row's
/// columns (the fast path's element-wise case), registered long ago.
fn steady_case() -> impl Strategy<Value = (Params, Input)> {
    (2usize..=40).prop_flat_map(|n| {
        let rows = prop::collection::vec(
            prop::collection::vec(
                (
                    any::<bool>(),
                    prop_oneof![Just(u16::MAX), 1u16..=u16::MAX, Just(0u16)],
                    1u16..,
                ),
                n,
            ),
            n,
        );
        (
            params(n),
            rows,
            prop::collection::vec(1u64..u64::from(u32::MAX), n),
        )
            .prop_map(move |(mut params, rows, stake)| {
                params.owner_uid = None;
                params.stake_threshold = 0;
                let mut weights = vec![Vec::new(); n];
                let mut bonds = vec![Vec::new(); n];
                for (i, cells) in rows.iter().enumerate() {
                    for (j, &(on, w, b)) in cells.iter().enumerate() {
                        if on && j != i {
                            weights[i].push((j as u16, w));
                            bonds[i].push((j as u16, b));
                        }
                    }
                }
                let input = settled(&params, stake, (weights, bonds), vec![true; n]);
                (params, input)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn fast_agrees_with_reference_in_the_steady_state((params, input) in steady_case()) {
        agree_over_epochs(&params, input, 3)?;
    }
}

/// A dense subnet: validators `0..v` all weight the same miners and hold a bond to each
/// (the dense classic bond step's case), with random values, stakes and parameters.
fn dense_case() -> impl Strategy<Value = (Params, Input)> {
    (2usize..=40).prop_flat_map(|n| {
        (1..n).prop_flat_map(move |v| {
            let miners = prop::collection::vec(any::<bool>(), n - v);
            let cell = (
                prop_oneof![Just(u16::MAX), Just(0u16), any::<u16>()],
                prop_oneof![Just(u16::MAX), Just(0u16), any::<u16>()],
            );
            (
                params(n),
                miners,
                prop::collection::vec(prop::collection::vec(cell, n - v), v),
                prop::collection::vec(prop_oneof![1u64..1_000, 1u64..u64::from(u32::MAX)], n),
            )
                .prop_map(move |(mut params, miners, cells, stake)| {
                    params.owner_uid = None;
                    params.stake_threshold = 0;
                    params.max_allowed_validators = v as u16;
                    let cols: Vec<u16> =
                        (v..n).filter(|j| miners[j - v]).map(|j| j as u16).collect();
                    let mut weights = vec![Vec::new(); n];
                    let mut bonds = vec![Vec::new(); n];
                    for (i, row) in cells.iter().enumerate() {
                        for &j in &cols {
                            let (w, b) = row[usize::from(j) - v];
                            weights[i].push((j, w));
                            bonds[i].push((j, b));
                        }
                    }
                    let mut stake = stake;
                    for s in &mut stake[v..] {
                        *s %= 10;
                    }
                    let permits = (0..n).map(|i| i < v).collect();
                    let input = settled(&params, stake, (weights, bonds), permits);
                    (params, input)
                })
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn fast_agrees_with_reference_on_dense_subnets((params, input) in dense_case()) {
        agree_over_epochs(&params, input, 2)?;
    }
}

#[test]
fn empty_subnet() {
    let out = run(&Params::default(), &Input::default()).expect("n = 0 is valid");
    assert_eq!(
        out,
        reference::run(&Params::default(), &Input::default()).expect("valid")
    );
    assert!(out.emission.is_empty());
}

#[test]
fn top_k_matches_a_stable_sort() {
    let v: Vec<I32F32> = [3, 0, 3, 1, 0, 3, 2]
        .iter()
        .map(|x| I32F32::from_num(*x))
        .collect();
    for k in 0..9 {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by_key(|&i| v[i]);
        let mut want: Vec<bool> = v.iter().map(|x| *x != ZERO).collect();
        if v.len() >= k {
            for &i in &idx[..v.len() - k] {
                want[i] = false;
            }
        }
        assert_eq!(top_k_nonzero(&v, k), want, "k = {k}");
    }
}

#[test]
fn agrees_with_reference_on_a_subnet_of_many_column_blocks() {
    // 300 voters give consensus blocks of 27 columns: many blocks, uneven last block.
    for variant in crate::workload::Variant::ALL {
        let (params, input) = crate::workload::Workload {
            validators: 300,
            miners: 211,
            variant,
            seed: 9,
        }
        .build();
        let fast = run(&params, &input).expect("valid workload");
        assert_eq!(
            fast,
            reference::run(&params, &input).expect("valid workload")
        );
        assert!(fast.consensus.iter().any(|c| *c > 0));
    }
}

#[test]
fn agrees_with_reference_on_sparse_rows_over_many_column_blocks() {
    // 400 voters give consensus blocks of 20 columns; rows with gaps, some rows empty, so a
    // voter's entries in a block range from none to all of its columns.
    for variant in crate::workload::Variant::ALL {
        let (params, mut input) = crate::workload::Workload {
            validators: 400,
            miners: 300,
            variant,
            seed: 11,
        }
        .build();
        for (i, row) in input.weights.iter_mut().enumerate() {
            let gap = 2 + i % 7;
            row.retain(|&(j, _)| (usize::from(j) / gap + i) % 3 != 0 || i % 50 == 0);
            if i % 41 == 0 {
                row.clear();
            }
        }
        let fast = run(&params, &input).expect("valid workload");
        assert_eq!(
            fast,
            reference::run(&params, &input).expect("valid workload"),
            "{}",
            variant.name()
        );
        assert!(fast.consensus.iter().any(|c| *c > 0));
    }
}

#[test]
fn bonds_moving_average_above_one_hundred_percent_runs_as_subtensor_does() {
    // alpha = 1 - bma / 1e6 is negative: new weights push bonds down, old bonds are amplified
    // Subtensor does not refuse this; neither path may.
    for bma in [1_000_001, 1_500_000, 3_000_000, 5_000_000] {
        for variant in crate::workload::Variant::ALL {
            let (mut params, input) = crate::workload::Workload {
                validators: 5,
                miners: 17,
                variant,
                seed: 3,
            }
            .build();
            params.bonds_moving_average = bma;
            let fast = run(&params, &input).expect("a large moving average is valid");
            assert_eq!(
                fast,
                reference::run(&params, &input).expect("a large moving average is valid"),
                "bma {bma}, {}",
                variant.name()
            );
            if variant == crate::workload::Variant::Classic {
                // Bonds survive only where (1 - alpha) * old outweighs alpha * new.
                assert!(fast.bonds[..5].iter().any(|r| !r.is_empty()), "bma {bma}");
            }
        }
    }
}

#[test]
fn bonds_moving_average_at_the_extremes_runs_as_subtensor_does() {
    // The EMA bonds saturate and their column sums pass I32F32::MAX, where subtensor's
    // saturating sums stop; Yuma3's factor wraps (see `Derived::new`). Both paths agree for
    // every u64.
    for bma in [
        2_147_483_647_000_000,
        2_147_483_647_999_999,
        2_147_483_648_000_000,
        2_147_483_648_000_001,
        i64::MAX as u64,
        1 << 63,
        u64::MAX - 1,
        u64::MAX,
    ] {
        for variant in crate::workload::Variant::ALL {
            let (mut params, mut input) = crate::workload::Workload {
                validators: 6,
                miners: 19,
                variant,
                seed: 5,
            }
            .build();
            params.bonds_moving_average = bma;
            // One unsorted row and one bond row that does not match its weights, so the merge
            // paths run too.
            input.weights[1].reverse();
            input.bonds[2].truncate(7);
            let fast = run(&params, &input).expect("any moving average is valid");
            assert_eq!(
                fast,
                reference::run(&params, &input).expect("any moving average is valid"),
                "bma {bma}, {}",
                variant.name()
            );
            assert!(fast.dividends.iter().any(|d| *d > 0), "bma {bma}");
        }
    }
}
