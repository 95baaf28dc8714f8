//! TAO and alpha issuance: the halving schedule, capped at 21M.
//!
//! The block reward is `1 TAO / 2^k` with `k = floor(log2(1 / (1 - issued / 21M)))`, as in
//! subtensor's `get_block_emission_for_issuance`, computed exactly in integers:
//! `k` is the largest integer with `(21M - issued) * 2^k <= 21M`. Halvings happen at 10.5M,
//! 15.75M, ... TAO. The same schedule drives each subnet's alpha (on that subnet's alpha
//! issuance). Nothing is minted past the cap: the reward is also clipped to what is left.

use crate::params::{DEFAULT_BLOCK_EMISSION, TOTAL_SUPPLY};

/// Number of halvings at `issued` rao.
pub fn halvings(issued: u64) -> u32 {
    if issued >= TOTAL_SUPPLY {
        return 64;
    }
    let left = u128::from(TOTAL_SUPPLY - issued);
    let supply = u128::from(TOTAL_SUPPLY);
    let mut k = 0u32;
    while k < 64 && (left << (k + 1)) <= supply {
        k += 1;
    }
    k
}

/// Reward for the next block when `issued` rao exist.
pub fn block_emission(issued: u64) -> u64 {
    if issued >= TOTAL_SUPPLY {
        return 0;
    }
    let k = halvings(issued);
    let reward = DEFAULT_BLOCK_EMISSION.checked_shr(k).unwrap_or(0);
    reward.min(TOTAL_SUPPLY - issued)
}

/// Whether `netuid`'s epoch runs at `block`: subtensor's `blocks_until_next_epoch == 0`, i.e.
/// `(block + netuid + 1) % (tempo + 1) == tempo`. Tempo 0 never runs.
pub fn is_epoch_block(netuid: u16, tempo: u16, block: u64) -> bool {
    if tempo == 0 {
        return false;
    }
    let period = u64::from(tempo) + 1;
    (block.wrapping_add(u64::from(netuid)).wrapping_add(1)) % period == u64::from(tempo)
}

/// The epoch index of `block` for commit-reveal: it increments on the block after each epoch.
pub fn epoch_index(netuid: u16, tempo: u16, block: u64) -> u64 {
    let period = u64::from(tempo) + 1;
    block.wrapping_add(u64::from(netuid)).wrapping_add(1) / period
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halving_schedule() {
        assert_eq!(block_emission(0), 1_000_000_000);
        assert_eq!(block_emission(TOTAL_SUPPLY / 2 - 1), 1_000_000_000);
        assert_eq!(block_emission(TOTAL_SUPPLY / 2), 500_000_000);
        assert_eq!(block_emission(TOTAL_SUPPLY / 4 * 3), 250_000_000);
        assert_eq!(
            block_emission(TOTAL_SUPPLY - 1),
            0,
            "1 TAO halved 54 times rounds down to 0"
        );
        assert_eq!(block_emission(TOTAL_SUPPLY), 0);
        assert_eq!(block_emission(u64::MAX), 0);
    }

    #[test]
    fn epoch_schedule_matches_subtensor_table() {
        // tempo | netuid | first epoch block (subtensor's doc table)
        let first = |netuid, tempo| (0..1000).find(|&b| is_epoch_block(netuid, tempo, b));
        assert_eq!(first(0, 1), Some(0));
        assert_eq!(first(1, 1), Some(1));
        assert_eq!(first(0, 2), Some(1));
        assert_eq!(first(1, 2), Some(0));
        assert_eq!(first(0, 100), Some(99));
        assert_eq!(first(1, 100), Some(98));
        assert_eq!(first(1, 0), None);
        assert_eq!(epoch_index(1, 100, 98), 0);
        assert_eq!(epoch_index(1, 100, 99), 1);
    }

    proptest::proptest! {
        #[test]
        fn never_past_cap(issued in 0u64..=TOTAL_SUPPLY) {
            proptest::prop_assert!(issued + block_emission(issued) <= TOTAL_SUPPLY);
        }
    }
}
