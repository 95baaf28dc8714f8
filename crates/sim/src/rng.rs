//! Seeded integer randomness: splitmix64 streams and order-free keyed draws, the same on every
//! machine, so a scenario replays bit for bit.

pub(crate) use yuma_primitives::rng::splitmix64 as mix;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_draws_are_fixed_and_distinct() {
        assert_ne!(keyed(1, 0, 0, 0, 0), keyed(1, 0, 0, 0, 1));
        assert_ne!(keyed(1, 0, 0, 0, 0), keyed(2, 0, 0, 0, 0));
    }

    proptest::proptest! {
        #[test]
        fn in_range_stays_in_range(x: u64, lo in 0u64..1000, span in 0u64..1000) {
            let v = in_range(x, lo, lo + span);
            proptest::prop_assert!(v >= lo && v <= lo + span);
        }
    }
}
