//! The development chain's genesis: Substrate's well-known dev accounts, funded.
//!
//! | account | secret URI | SS58 | free balance |
//! |---|---|---|---|
//! | Alice (sudo) | `//Alice` | `5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY` | 1,000,000 TAO |
//! | Bob | `//Bob` | `5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty` | 1,000,000 TAO |
//! | Charlie | `//Charlie` | `5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y` | 1,000,000 TAO |
//! | Dave | `//Dave` | `5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy` | 1,000,000 TAO |
//! | Eve | `//Eve` | `5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw` | 1,000,000 TAO |
//! | Ferdie | `//Ferdie` | `5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL` | 1,000,000 TAO |
//!
//! Alice is the sudo key. Subnet creation locks at least 10 TAO and is not rate limited; every
//! other parameter is the runtime's default. These keys are public: a dev chain holds nothing
//! of value.

use yuma_keys::{DEV_ACCOUNTS, Pair};
use yuma_runtime::{ChainParams, Genesis};

/// Free balance of each dev account: 1,000,000 TAO in rao.
pub const DEV_BALANCE: u64 = 1_000_000 * yuma_primitives::RAO_PER_TAO;

/// The dev account pair for a name in [`DEV_ACCOUNTS`] (`"Alice"`, ...).
///
/// # Panics
/// Never: the dev phrase and names are constants that derive.
pub fn dev_pair(name: &str) -> Pair {
    Pair::from_uri(&format!("//{name}")).expect("dev account names are valid hard junctions")
}

/// The dev chain's genesis.
pub fn dev_genesis() -> Genesis {
    let alice = dev_pair("Alice").public();
    Genesis {
        params: ChainParams {
            sudo: Some(alice),
            network_min_lock: 10_000_000_000,
            network_rate_limit: 0,
            ..ChainParams::default()
        },
        balances: DEV_ACCOUNTS
            .iter()
            .map(|name| (dev_pair(name).public(), DEV_BALANCE))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_addresses() {
        let expected = [
            "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
            "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty",
            "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y",
            "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy",
            "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw",
            "5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL",
        ];
        let genesis = dev_genesis();
        let got: Vec<String> = genesis.balances.iter().map(|(a, _)| a.to_ss58()).collect();
        assert_eq!(got, expected);
        assert_eq!(genesis.params.sudo, Some(genesis.balances[0].0));
    }
}
