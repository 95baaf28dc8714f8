//! Amounts of TAO, held in rao (1 TAO = 10^9 rao) so that every sum is exact.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Rao in one TAO.
pub const RAO_PER_TAO: u64 = 1_000_000_000;

const DECIMALS: usize = 9;

/// An amount in rao. Arithmetic is checked or saturating by name; nothing wraps silently.
///
/// Displays as TAO with 9 decimals (`1.500000000`); serialises as the integer rao count, which is
/// what scripts and the chain use.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Debug, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Balance(pub u64);

/// Why a text is not an amount of TAO.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BalanceError {
    /// The text is empty or not a decimal number.
    #[error("{0:?} is not an amount of TAO (expected a decimal number such as 1.5)")]
    NotANumber(String),
    /// More than 9 decimals: the amount is finer than one rao.
    #[error("{0:?} has more than 9 decimals (1 rao = 0.000000001 TAO)")]
    TooPrecise(String),
    /// The amount does not fit in a u64 of rao.
    #[error("{0:?} is too large")]
    TooLarge(String),
}

impl Balance {
    /// Zero rao.
    pub const ZERO: Self = Self(0);

    /// An amount of whole rao.
    pub const fn from_rao(rao: u64) -> Self {
        Self(rao)
    }

    /// An amount of whole TAO, saturating at `u64::MAX` rao.
    pub const fn from_tao(tao: u64) -> Self {
        Self(tao.saturating_mul(RAO_PER_TAO))
    }

    /// The amount in rao.
    pub const fn rao(self) -> u64 {
        self.0
    }

    /// `self + other`, or `None` on overflow.
    pub const fn checked_add(self, other: Self) -> Option<Self> {
        match self.0.checked_add(other.0) {
            Some(v) => Some(Self(v)),
            None => None,
        }
    }

    /// `self - other`, or `None` when `other` is larger.
    pub const fn checked_sub(self, other: Self) -> Option<Self> {
        match self.0.checked_sub(other.0) {
            Some(v) => Some(Self(v)),
            None => None,
        }
    }

    /// `self + other`, capped at the largest amount.
    pub const fn saturating_add(self, other: Self) -> Self {
        Self(self.0.saturating_add(other.0))
    }

    /// `self - other`, floored at zero.
    pub const fn saturating_sub(self, other: Self) -> Self {
        Self(self.0.saturating_sub(other.0))
    }

    /// Parses an amount of TAO written in decimal ("1", "1.5", "0.000000001"), exactly.
    ///
    /// # Errors
    /// Rejects empty or non-numeric text, signs, more than 9 decimals and amounts over `u64` rao.
    pub fn parse_tao(text: &str) -> Result<Self, BalanceError> {
        let trimmed = text.trim();
        let not_a_number = || BalanceError::NotANumber(text.to_owned());
        let (whole, fraction) = match trimmed.split_once('.') {
            Some((w, f)) => (w, f),
            None => (trimmed, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction)
        {
            return Err(not_a_number());
        }
        if fraction.len() > DECIMALS {
            return Err(BalanceError::TooPrecise(text.to_owned()));
        }
        let too_large = || BalanceError::TooLarge(text.to_owned());
        let whole_rao = if whole.is_empty() {
            0
        } else {
            whole
                .parse::<u64>()
                .map_err(|_| too_large())?
                .checked_mul(RAO_PER_TAO)
                .ok_or_else(too_large)?
        };
        let fraction_rao = if fraction.is_empty() {
            0
        } else {
            let digits: u64 = fraction.parse().map_err(|_| not_a_number())?;
            digits * 10u64.pow((DECIMALS - fraction.len()) as u32)
        };
        whole_rao
            .checked_add(fraction_rao)
            .map(Self)
            .ok_or_else(too_large)
    }
}

impl fmt::Display for Balance {
    /// TAO with exactly 9 decimals, e.g. `1.500000000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = format!("{}.{:09}", self.0 / RAO_PER_TAO, self.0 % RAO_PER_TAO);
        f.pad(&text)
    }
}

impl FromStr for Balance {
    type Err = BalanceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_tao(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_nine_decimals() {
        assert_eq!(Balance(1_500_000_000).to_string(), "1.500000000");
        assert_eq!(Balance(1).to_string(), "0.000000001");
        assert_eq!(Balance(0).to_string(), "0.000000000");
        assert_eq!(
            Balance(u64::MAX).to_string(),
            "18446744073.709551615",
            "the largest amount still prints exactly"
        );
    }

    #[test]
    fn parses_exactly() {
        assert_eq!(Balance::parse_tao("1.5"), Ok(Balance(1_500_000_000)));
        assert_eq!(Balance::parse_tao("1"), Ok(Balance(RAO_PER_TAO)));
        assert_eq!(Balance::parse_tao(".5"), Ok(Balance(500_000_000)));
        assert_eq!(Balance::parse_tao("2."), Ok(Balance(2 * RAO_PER_TAO)));
        assert_eq!(Balance::parse_tao("0.000000001"), Ok(Balance(1)));
        assert_eq!(
            Balance::parse_tao("18446744073.709551615"),
            Ok(Balance(u64::MAX))
        );
    }

    #[test]
    fn rejects_bad_amounts() {
        assert_eq!(
            Balance::parse_tao("0.0000000001"),
            Err(BalanceError::TooPrecise("0.0000000001".into()))
        );
        for bad in ["", ".", "-1", "+1", "1e9", "abc", "1.2.3", " . "] {
            assert!(
                matches!(Balance::parse_tao(bad), Err(BalanceError::NotANumber(_))),
                "{bad:?} should not parse"
            );
        }
        assert_eq!(
            Balance::parse_tao("18446744073.709551616"),
            Err(BalanceError::TooLarge("18446744073.709551616".into()))
        );
        assert!(matches!(
            Balance::parse_tao("99999999999999999999"),
            Err(BalanceError::TooLarge(_))
        ));
    }

    #[test]
    fn checked_arithmetic() {
        assert_eq!(Balance(1).checked_sub(Balance(2)), None);
        assert_eq!(Balance(u64::MAX).checked_add(Balance(1)), None);
        assert_eq!(Balance(3).saturating_sub(Balance(5)), Balance::ZERO);
        assert_eq!(Balance::from_tao(2), Balance(2 * RAO_PER_TAO));
    }

    proptest::proptest! {
        #[test]
        fn display_parse_round_trip(rao in proptest::num::u64::ANY) {
            let text = Balance(rao).to_string();
            proptest::prop_assert_eq!(Balance::parse_tao(&text), Ok(Balance(rao)));
        }
    }
}
