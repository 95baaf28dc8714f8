//! Yuma3 bonds whose column sums pass `I32F32::MAX`, checked against values worked out by
//! hand from subtensor's arithmetic: `inplace_col_normalize_sparse` sums each column in I32F32
//! with `saturating_add`, so such a column is divided by `I32F32::MAX`, not by its true sum.
//!
//! The subnet: validators 0-3 with equal stake, each weighting miners 4 and 5 equally; a
//! bonds moving average of 2e15 (EMA factor `alpha = 1 - 2e9`). Validator 1 holds full bonds
//! to both miners, validators 2 and 3 to miner 4 only, validator 0 none.
//!
//! - Weights normalise to 0.5 per miner, consensus is 0.5, incentive 0.5 each.
//! - EMA bond of a full bond: `alpha * 0.5 + (1 - alpha) * 1 = 1e9 + 0.5`, bits
//!   `E = 2000000001 * 2^31`; where a validator holds no bond, `alpha * 0.5 < 0` is dropped.
//! - Miner 4's column holds three of them: `3E > 2^63 - 1`, so its sum saturates at
//!   `I32F32::MAX` and each normalises to `floor(E * 2^32 / (2^63 - 1)) = 2000000001` bits
//!   (about 0.466; the true sum would give 1/3). Miner 5's column normalises to 1.
//! - Per validator, normalised bonds times incentive: validator 1 gets
//!   `floor(2000000001 / 2) + 2^31 = 3147483648` bits, validators 2 and 3 get 1000000000
//!   bits; times active stake (1/4): 786870912 and 250000000 bits, then normalised by their
//!   sum 1286870912.

use yuma_epoch::{Input, Params};

/// Bits of the I32F32 quotient `a / b` of non-negative bits (subtensor's `safe_div`).
fn div_bits(a: u64, b: u64) -> u64 {
    ((u128::from(a) << 32) / u128::from(b)) as u64
}

/// `floor(x * 65535)` of a proportion's bits (subtensor's `fixed_proportion_to_u16`).
fn to_u16(bits: u64) -> u16 {
    ((u128::from(bits) * 65_535) >> 32) as u16
}

/// `floor(x * rao)` of a proportion's bits (subtensor's I96F32 conversion to rao).
fn to_rao(bits: u64, rao: u64) -> u64 {
    ((u128::from(bits) * u128::from(rao)) >> 32) as u64
}

fn subnet() -> (Params, Input) {
    let params = Params {
        tempo: 100,
        activity_cutoff: 5000,
        kappa: 32_767,
        bonds_penalty: 0,
        bonds_moving_average: 2_000_000_000_000_000,
        max_allowed_validators: 4,
        liquid_alpha_enabled: false,
        alpha_low: 45_875,
        alpha_high: 58_982,
        alpha_sigmoid_steepness: 1000,
        yuma3_enabled: true,
        stake_threshold: 0,
        owner_uid: None,
        rao_emission: 1_000_000_000,
    };
    let both = vec![(4, u16::MAX), (5, u16::MAX)];
    let input = Input {
        current_block: 1000,
        last_mechanism_step_block: 900,
        stake: vec![1000, 1000, 1000, 1000, 0, 0],
        last_update: vec![999; 6],
        block_at_registration: vec![0; 6],
        weights: vec![
            both.clone(),
            both.clone(),
            both.clone(),
            both.clone(),
            vec![],
            vec![],
        ],
        validator_permit: vec![true, true, true, true, false, false],
        bonds: vec![
            vec![],
            both,
            vec![(4, u16::MAX)],
            vec![(4, u16::MAX)],
            vec![],
            vec![],
        ],
    };
    (params, input)
}

#[test]
fn a_yuma3_bond_column_past_i32f32_max_is_divided_by_the_saturated_sum() {
    let (params, input) = subnet();
    let per_validator: [u64; 4] = [
        0,
        2_000_000_001 / 2 + (1 << 31),
        1_000_000_000,
        1_000_000_000,
    ];
    let weighted: Vec<u64> = per_validator.iter().map(|v| v / 4).collect();
    assert_eq!(weighted, [0, 786_870_912, 250_000_000, 250_000_000]);
    let total: u64 = weighted.iter().sum();
    let dividends: Vec<u64> = weighted.iter().map(|w| div_bits(*w, total)).collect();
    // incentive 0.5 + 0.5 and dividends summing to 1 (to within the quotients' floors).
    let emission_sum = (1u64 << 32) + dividends.iter().sum::<u64>();

    for (name, out) in [
        ("fast", yuma_epoch::run(&params, &input)),
        ("reference", yuma_epoch::reference::run(&params, &input)),
    ] {
        let out = out.unwrap_or_else(|e| panic!("{name}: a valid subnet ({e})"));
        assert_eq!(out.incentive, [0, 0, 0, 0, 32_767, 32_767], "{name}");
        let expected: Vec<u16> = dividends
            .iter()
            .copied()
            .map(to_u16)
            .chain([0, 0])
            .collect();
        assert_eq!(out.dividends, expected, "{name}");
        // With the true column sum, validator 1 would earn 2/3 of the dividends (43690).
        assert_eq!(out.dividends[1..4], [40_072, 12_731, 12_731], "{name}");
        let validator_emission: Vec<u64> = dividends
            .iter()
            .map(|d| to_rao(div_bits(*d, emission_sum), params.rao_emission))
            .chain([0, 0])
            .collect();
        assert_eq!(out.validator_emission, validator_emission, "{name}");
        // EMA bonds above 1 are stored saturated, as u16 proportions.
        assert_eq!(
            out.bonds[..4],
            [
                vec![],
                vec![(4, u16::MAX), (5, u16::MAX)],
                vec![(4, u16::MAX)],
                vec![(4, u16::MAX)]
            ],
            "{name}"
        );
    }
}
