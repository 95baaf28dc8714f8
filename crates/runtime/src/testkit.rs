//! Deterministic keys and a small chain driver for tests, benches and examples. Every
//! operation returns the runtime's errors instead of panicking, so that `yuma bench runtime`
//! can use it in the shipped binary.
//!
//! Nothing here is used by the state machine itself.

use crate::call::{Call, Hyperparameter, SudoCall};
use crate::error::Error;
use crate::event::Event;
use crate::hash::blake2b_256;
use crate::params::ChainParams;
use crate::runtime::{Genesis, Receipt, Runtime};
use crate::storage::MemoryStorage;
use crate::tx::SignedTransaction;
use yuma_keys::Pair;
use yuma_primitives::{Balance, NetUid};

/// The key pair number `i`: seed = blake2b-256("yuma/testkit" ++ i LE).
pub fn pair(i: u32) -> Pair {
    Pair::from_seed(&blake2b_256(&[b"yuma/testkit", &i.to_le_bytes()]))
}

/// Chain parameters for local work: sudo is `pair(0)`, a 10 TAO subnet lock, no subnet
/// registration rate limit.
pub fn dev_params() -> ChainParams {
    ChainParams {
        sudo: Some(pair(0).public()),
        network_min_lock: 10_000_000_000,
        network_rate_limit: 0,
        ..ChainParams::default()
    }
}

/// A chain in memory with helpers to sign and submit.
pub struct TestChain {
    /// The runtime.
    pub rt: Runtime<MemoryStorage>,
}

impl TestChain {
    /// A chain where `pair(i)` holds `amount` rao for each `(i, amount)`.
    ///
    /// # Errors
    /// When the balances exceed the supply.
    pub fn new(params: ChainParams, balances: &[(u32, u64)]) -> Result<Self, Error> {
        let genesis = Genesis {
            params,
            balances: balances
                .iter()
                .map(|&(i, amount)| (pair(i).public(), amount))
                .collect(),
        };
        Ok(Self {
            rt: Runtime::genesis(MemoryStorage::new(), &genesis)?,
        })
    }

    /// Signs `call` by `signer` with its next nonce.
    pub fn sign(&self, signer: &Pair, call: Call) -> SignedTransaction {
        let nonce = self.rt.account(&signer.public()).nonce;
        SignedTransaction::new(signer, self.rt.genesis_hash(), nonce, call)
    }

    /// Signs and applies.
    ///
    /// # Errors
    /// When the transaction is invalid.
    pub fn submit(&mut self, signer: &Pair, call: Call) -> Result<Receipt, Error> {
        let tx = self.sign(signer, call);
        self.rt.apply(&tx)
    }

    /// Signs and applies, and returns the call's own result (invalid or failed alike).
    ///
    /// # Errors
    /// The invalid-transaction error or the call's error.
    pub fn call(&mut self, signer: &Pair, call: Call) -> Result<Vec<Event>, Error> {
        let receipt = self.submit(signer, call)?;
        receipt.result.map(|()| receipt.events)
    }

    /// Starts the next block and returns its events.
    ///
    /// # Errors
    /// What the runtime's block hook returns (never for the next block number).
    pub fn next_block(&mut self) -> Result<Vec<Event>, Error> {
        let next = self.rt.block() + 1;
        self.rt.on_block(next)
    }

    /// Runs `n` empty blocks.
    ///
    /// # Errors
    /// As [`Self::next_block`].
    pub fn run_blocks(&mut self, n: u64) -> Result<(), Error> {
        for _ in 0..n {
            self.next_block()?;
        }
        Ok(())
    }
}

/// A subnet filled with neurons, for benchmarks: `uids` neurons, UIDs `1..=validators` staked
/// (so they hold validator permits after the first epoch; every UID may hold one), commit-reveal
/// off, no weights rate limit, tempo 10.
pub struct BenchSubnet {
    /// The chain, past the subnet's first epoch.
    pub chain: TestChain,
    /// The subnet.
    pub netuid: NetUid,
    /// Hotkeys of the staked validators (UIDs 1..=validators).
    pub validators: Vec<Pair>,
}

/// A call setting weights on every UID of a subnet of `n` neurons (weight `1 + uid`).
pub fn full_weights(netuid: NetUid, n: u16) -> Call {
    Call::SetWeights {
        netuid,
        uids: (0..n).collect(),
        weights: (0..n).map(|u| u.saturating_add(1)).collect(),
        version_key: 0,
    }
}

/// Builds a [`BenchSubnet`].
///
/// # Errors
/// When a set-up transaction fails (a bug in the runtime or in this helper).
pub fn full_subnet(uids: u16, validators: u16) -> Result<BenchSubnet, Error> {
    use yuma_primitives::RAO_PER_TAO as TAO;
    let owner = pair(1);
    let mut chain = TestChain::new(dev_params(), &[(0, 1_000 * TAO), (1, 1_000_000 * TAO)])?;
    chain.next_block()?;
    chain.call(
        &owner,
        Call::RegisterNetwork {
            hotkey: pair(1_000).public(),
        },
    )?;
    let netuid = NetUid(1);
    for param in [
        Hyperparameter::MaxAllowedUids { value: uids.max(1) },
        Hyperparameter::CommitRevealEnabled { value: false },
        Hyperparameter::WeightsRateLimit { value: 0 },
        Hyperparameter::Tempo { value: 10 },
        // Every staked neuron keeps a permit however stake shifts with emission.
        Hyperparameter::MaxAllowedValidators { value: uids.max(1) },
    ] {
        chain.call(
            &pair(0),
            Call::Sudo {
                call: SudoCall::SetSubnetHyperparameter { netuid, param },
            },
        )?;
    }
    for i in 1..u32::from(uids) {
        if chain
            .call(
                &owner,
                Call::BurnedRegister {
                    netuid,
                    hotkey: pair(1_000 + i).public(),
                },
            )
            .is_err()
        {
            chain.next_block()?;
            chain.call(
                &owner,
                Call::BurnedRegister {
                    netuid,
                    hotkey: pair(1_000 + i).public(),
                },
            )?;
        }
    }
    let validators: Vec<Pair> = (1..=u32::from(validators.min(uids.saturating_sub(1))))
        .map(|i| pair(1_000 + i))
        .collect();
    for v in &validators {
        chain.call(
            &owner,
            Call::AddStake {
                hotkey: v.public(),
                netuid,
                amount: Balance(100 * TAO),
                limit_price: None,
            },
        )?;
    }
    chain.run_blocks(12)?;
    Ok(BenchSubnet {
        chain,
        netuid,
        validators,
    })
}
