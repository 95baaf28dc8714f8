//! Small ids: subnets, neuron slots and block heights.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! id_newtype {
    ($(#[$doc:meta])* $name:ident($inner:ty)) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Debug, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl From<$inner> for $name {
            fn from(value: $inner) -> Self {
                Self(value)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse().map(Self)
            }
        }
    };
}

id_newtype!(
    /// A subnet id. Subnet 0 is the root network, as in subtensor.
    NetUid(u16)
);
id_newtype!(
    /// A neuron's slot within one subnet (0 .. max UIDs).
    Uid(u16)
);
id_newtype!(
    /// A block height; genesis is block 0.
    BlockNumber(u64)
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display() {
        assert_eq!("7".parse::<NetUid>(), Ok(NetUid(7)));
        assert!("70000".parse::<Uid>().is_err(), "uids are u16");
        assert_eq!(BlockNumber(42).to_string(), "42");
    }
}
