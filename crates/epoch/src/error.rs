//! Malformed epoch input, found before any arithmetic runs.

use crate::types::{Input, Params};

/// Largest number of uids an epoch accepts (uids are u16).
pub const MAX_UIDS: usize = u16::MAX as usize;

/// Why an epoch input was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// More uids than a u16 can number.
    #[error("{n} uids is more than the maximum of {MAX_UIDS}")]
    TooManyUids {
        /// Number of uids given (length of `stake`).
        n: usize,
    },
    /// A per-uid vector does not have one entry per uid.
    #[error("{field} has {len} entries, expected n = {n}")]
    LengthMismatch {
        /// Name of the input field.
        field: &'static str,
        /// Its length.
        len: usize,
        /// Number of uids (length of `stake`).
        n: usize,
    },
    /// A weight or bond row names a uid that does not exist.
    #[error("{field} row {row} names uid {uid}, but n = {n}")]
    UidOutOfRange {
        /// `weights` or `bonds`.
        field: &'static str,
        /// Row (source uid).
        row: usize,
        /// The offending destination uid.
        uid: u16,
        /// Number of uids.
        n: usize,
    },
    /// A weight or bond row names the same destination uid twice.
    #[error("{field} row {row} names uid {uid} twice")]
    DuplicateUid {
        /// `weights` or `bonds`.
        field: &'static str,
        /// Row (source uid).
        row: usize,
        /// The repeated destination uid.
        uid: u16,
    },
    /// The owner uid does not exist.
    #[error("owner uid {uid} does not exist (n = {n})")]
    OwnerOutOfRange {
        /// The owner uid given.
        uid: u16,
        /// Number of uids.
        n: usize,
    },
    /// A weight row sums to more than subtensor's I32F32 row sum holds before it wraps
    /// (only rows of more than 32768 entries can).
    #[error("weights row {row} sums to {sum}, which reaches the limit of {WEIGHT_ROW_SUM_LIMIT}")]
    WeightRowOverflow {
        /// Row (source uid).
        row: usize,
        /// Sum of the row's raw u16 weights.
        sum: u64,
    },
    /// Total stake does not fit subtensor's I64F64 stake arithmetic.
    #[error("total stake {total} rao exceeds the maximum of {max} rao", max = i64::MAX)]
    StakeOverflow {
        /// Sum of all stake, rao.
        total: u128,
    },
}

/// The epoch accepts weight rows whose raw u16 weights sum to less than this: from here on
/// subtensor's I32F32 row sum wraps (the chain's release build has no overflow checks) and
/// the row's normalisation stops meaning anything.
pub const WEIGHT_ROW_SUM_LIMIT: u64 = 1 << 31;

/// Checks the shape of an epoch input and returns the number of uids.
///
/// # Errors
/// Any [`Error`] variant describing the first problem found.
pub(crate) fn validate(params: &Params, input: &Input) -> Result<usize, Error> {
    let n = input.stake.len();
    if n > MAX_UIDS {
        return Err(Error::TooManyUids { n });
    }
    let lengths = [
        ("last_update", input.last_update.len()),
        ("block_at_registration", input.block_at_registration.len()),
        ("weights", input.weights.len()),
        ("validator_permit", input.validator_permit.len()),
        ("bonds", input.bonds.len()),
    ];
    for (field, len) in lengths {
        if len != n {
            return Err(Error::LengthMismatch { field, len, n });
        }
    }
    check_rows("weights", &input.weights, n)?;
    check_rows("bonds", &input.bonds, n)?;
    check_weight_sums(&input.weights)?;
    if let Some(uid) = params.owner_uid
        && usize::from(uid) >= n
    {
        return Err(Error::OwnerOutOfRange { uid, n });
    }
    let total: u128 = input.stake.iter().map(|&s| u128::from(s)).sum();
    if total > i64::MAX as u128 {
        return Err(Error::StakeOverflow { total });
    }
    Ok(n)
}

/// Every weight row sums to less than [`WEIGHT_ROW_SUM_LIMIT`]; only long rows can fail.
fn check_weight_sums(rows: &[Vec<(u16, u16)>]) -> Result<(), Error> {
    let shortest_reaching = WEIGHT_ROW_SUM_LIMIT.div_ceil(u64::from(u16::MAX));
    for (row, entries) in rows.iter().enumerate() {
        if (entries.len() as u64) < shortest_reaching {
            continue;
        }
        let sum = entries.iter().map(|(_, w)| u64::from(*w)).sum();
        if sum >= WEIGHT_ROW_SUM_LIMIT {
            return Err(Error::WeightRowOverflow { row, sum });
        }
    }
    Ok(())
}

/// Every destination uid is `< n` and appears at most once in its row.
fn check_rows(field: &'static str, rows: &[Vec<(u16, u16)>], n: usize) -> Result<(), Error> {
    // seen[uid] == row + 1 when uid was already met in this row.
    let mut seen = vec![0usize; n];
    for (row, entries) in rows.iter().enumerate() {
        // A strictly ascending row below n (the usual case) names each uid once. (Checked
        // without early exit, which lets the compiler vectorise the comparison.)
        let ascending = entries
            .windows(2)
            .fold(true, |ok, w| ok & (w[0].0 < w[1].0));
        if ascending && entries.last().is_none_or(|e| usize::from(e.0) < n) {
            continue;
        }
        for &(uid, _) in entries {
            if usize::from(uid) >= n {
                return Err(Error::UidOutOfRange { field, row, uid, n });
            }
            let mark = &mut seen[usize::from(uid)];
            if *mark == row + 1 {
                return Err(Error::DuplicateUid { field, row, uid });
            }
            *mark = row + 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(n: usize) -> Input {
        Input {
            current_block: 10,
            last_mechanism_step_block: 0,
            stake: vec![1; n],
            last_update: vec![0; n],
            block_at_registration: vec![0; n],
            weights: vec![vec![]; n],
            validator_permit: vec![true; n],
            bonds: vec![vec![]; n],
        }
    }

    #[test]
    fn accepts_well_formed_input() {
        assert_eq!(validate(&Params::default(), &input(3)), Ok(3));
        assert_eq!(validate(&Params::default(), &input(0)), Ok(0));
        let mut unsorted = input(3);
        unsorted.weights[0] = vec![(2, 1), (1, 1)];
        assert_eq!(validate(&Params::default(), &unsorted), Ok(3));
    }

    #[test]
    fn names_the_first_problem() {
        let params = Params::default();
        let mut bad = input(3);
        bad.last_update.pop();
        assert_eq!(
            validate(&params, &bad),
            Err(Error::LengthMismatch {
                field: "last_update",
                len: 2,
                n: 3
            })
        );
        let mut bad = input(3);
        bad.weights[1] = vec![(0, 1), (3, 1)];
        assert_eq!(
            validate(&params, &bad),
            Err(Error::UidOutOfRange {
                field: "weights",
                row: 1,
                uid: 3,
                n: 3
            })
        );
        let mut bad = input(3);
        bad.bonds[2] = vec![(1, 1), (0, 3), (1, 2)];
        assert_eq!(
            validate(&params, &bad),
            Err(Error::DuplicateUid {
                field: "bonds",
                row: 2,
                uid: 1
            })
        );
        let owner = Params {
            owner_uid: Some(3),
            ..Params::default()
        };
        assert_eq!(
            validate(&owner, &input(3)),
            Err(Error::OwnerOutOfRange { uid: 3, n: 3 })
        );
        let mut bad = input(2);
        bad.stake = vec![u64::MAX, 1];
        assert!(matches!(
            validate(&params, &bad),
            Err(Error::StakeOverflow { .. })
        ));
        // 32768 entries of 65535 sum below 2^31; one more entry reaches it.
        let mut long = input(32_770);
        long.weights[0] = (1..=32_768).map(|j| (j, u16::MAX)).collect();
        assert_eq!(validate(&params, &long), Ok(32_770));
        long.weights[0].push((32_769, 32_768));
        assert_eq!(
            validate(&params, &long),
            Err(Error::WeightRowOverflow {
                row: 0,
                sum: WEIGHT_ROW_SUM_LIMIT
            })
        );
        assert_eq!(
            Error::TooManyUids { n: 70000 }.to_string(),
            "70000 uids is more than the maximum of 65535"
        );
    }
}
