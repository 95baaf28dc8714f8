//! Seeded randomness: splitmix64 streams and order-free keyed draws, the same on every
//! machine, so a scenario replays bit for bit. The one float draw ([`normal`]) is built from
//! an integer draw with exactly rounded operations only, so it is the same everywhere too.

pub(crate) use yuma_primitives::rng::splitmix64 as mix;

/// Draw streams, so different draws never share keys.
pub(crate) const STREAM_STAKE: u64 = 1;
pub(crate) const STREAM_QUALITY: u64 = 2;
pub(crate) const STREAM_NOISE: u64 = 3;
pub(crate) const STREAM_DRIFT: u64 = 4;
/// The challenge's targets, keyed by (tempo, row).
pub(crate) const STREAM_TARGET: u64 = 5;
/// The error component every model shares, keyed by (tempo, row).
pub(crate) const STREAM_SHARED_ERROR: u64 = 6;
/// A model's own error (or a random miner's answer), keyed by (tempo, model, row).
pub(crate) const STREAM_MODEL_ERROR: u64 = 7;
/// A near-copy's own noise, keyed by (tempo, uid, row).
pub(crate) const STREAM_ANSWER_NOISE: u64 = 8;
/// The seed of a tempo's Shapley sampling, keyed by (tempo).
pub(crate) const STREAM_SHAPLEY: u64 = 9;

/// A draw keyed by `(seed, stream, a, b, c)`: independent of the order draws are made in.
pub(crate) fn keyed(seed: u64, stream: u64, a: u64, b: u64, c: u64) -> u64 {
    [stream, a, b, c]
        .into_iter()
        .fold(mix(seed), |h, x| mix(h ^ x))
}

/// A uniform draw in `lo..=hi` from a 64-bit value (`lo <= hi`).
pub(crate) fn in_range(x: u64, lo: u64, hi: u64) -> u64 {
    let span = hi - lo + 1;
    lo + ((u128::from(x) * u128::from(span)) >> 64) as u64
}

/// An approximately standard normal draw from 64 bits: four 16-bit uniforms in (0, 1)
/// summed, centred and scaled to unit variance (Irwin-Hall). Only `+`, `-`, `*`, `/` and
/// `sqrt`, which IEEE 754 rounds exactly, so it is the same on every machine (unlike `ln` and
/// `cos`, which a Box-Muller draw would need).
pub(crate) fn normal(x: u64) -> f64 {
    let sum: f64 = (0..4)
        .map(|k| ((x >> (16 * k)) & 0xffff) as f64 + 0.5)
        .sum::<f64>()
        / 65536.0;
    (sum - 2.0) * 3f64.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_draws_are_fixed_and_distinct() {
        assert_ne!(keyed(1, 0, 0, 0, 0), keyed(1, 0, 0, 0, 1));
        assert_ne!(keyed(1, 0, 0, 0, 0), keyed(2, 0, 0, 0, 0));
    }

    #[test]
    fn normal_draws_have_mean_zero_and_unit_variance() {
        let draws: Vec<f64> = (0..20_000).map(|i| normal(keyed(1, 0, i, 0, 0))).collect();
        let n = draws.len() as f64;
        let mean = draws.iter().sum::<f64>() / n;
        let variance = draws.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
        assert!(mean.abs() < 0.03, "{mean}");
        assert!((variance - 1.0).abs() < 0.03, "{variance}");
        assert!(draws.iter().all(|x| x.abs() < 2.0 * 3f64.sqrt()));
    }

    proptest::proptest! {
        #[test]
        fn in_range_stays_in_range(x: u64, lo in 0u64..1000, span in 0u64..1000) {
            let v = in_range(x, lo, lo + span);
            proptest::prop_assert!(v >= lo && v <= lo + span);
        }
    }
}
