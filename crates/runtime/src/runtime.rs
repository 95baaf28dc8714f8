//! [`Runtime`]: genesis, blocks and transactions over a [`Storage`].
//!
//! A block is: [`Runtime::on_block`] (emission, epochs), then [`Runtime::apply`] for each
//! transaction, then [`Runtime::state_root`] for the header. Each step commits its writes to
//! the storage before returning, so the node only has to make a block's writes atomic on disk.
//!
//! Transaction rules:
//! - **Invalid** (the `Err` of [`Runtime::apply`]): bad encoding, wrong chain, bad signature,
//!   wrong nonce, block budget exceeded, fee unaffordable, or a failing fee-free (hotkey) call.
//!   Nothing changes; the transaction must not be included.
//! - **Included**: the fee is burned and the nonce advances. If the call then fails, all its
//!   other effects are undone and the receipt carries the error ("a rejected transaction changes
//!   nothing but the fee", and the nonce so it cannot be replayed).

use crate::balances::{charge_fee, transfer};
use crate::call::Call;
use crate::codec::{Decode, Encode};
use crate::error::Error;
use crate::event::Event;
use crate::hash::{Hash, blake2b_256, to_hex};
use crate::params::ChainParams;
use crate::serving::AxonInfo;
use crate::state::State;
use crate::state::records::Totals;
use crate::state::root;
use crate::storage::Storage;
use crate::tx::{SignedTransaction, VerifiedTx};
use crate::weights::Reveal;
use crate::{coinbase, identity, registration, serving, staking, subnets, weights};
use yuma_primitives::AccountId;

/// What a chain starts with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Genesis {
    /// Chain parameters (with `sudo` set on dev chains).
    pub params: ChainParams,
    /// Initial free balances in rao; they count towards total issuance.
    pub balances: Vec<(AccountId, u64)>,
}

impl Genesis {
    /// The genesis hash: blake2b-256 of `"yuma/genesis/v1" ++ encode(params) ++
    /// encode(balances)`. Transactions sign it, so it names the chain.
    pub fn hash(&self) -> Hash {
        blake2b_256(&[
            b"yuma/genesis/v1",
            &self.params.encode(),
            &self.balances.encode(),
        ])
    }
}

/// The result of an included transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// Transaction hash.
    pub hash: Hash,
    /// Fee burned.
    pub fee: u64,
    /// Whether the call succeeded, and why not.
    pub result: Result<(), Error>,
    /// Events, fee first.
    pub events: Vec<Event>,
}

/// The state machine over a storage.
pub struct Runtime<S: Storage> {
    store: S,
}

impl<S: Storage> Runtime<S> {
    /// Writes the genesis state into an empty `store`.
    ///
    /// # Errors
    /// [`Error::Overflow`] if the balances sum past `u64`, or
    /// [`Error::OutOfBounds`] if they exceed the 21M TAO supply.
    pub fn genesis(mut store: S, genesis: &Genesis) -> Result<Self, Error> {
        let mut st = State::new(&store);
        let mut total: u64 = 0;
        for (account, amount) in &genesis.balances {
            total = total
                .checked_add(*amount)
                .ok_or(Error::Overflow("genesis balances"))?;
            st.credit(account, *amount)?;
        }
        if total > crate::params::TOTAL_SUPPLY {
            return Err(Error::OutOfBounds {
                name: "genesis balances",
                value: total.to_string(),
                bounds: format!("0..={}", crate::params::TOTAL_SUPPLY),
            });
        }
        st.set_params(genesis.params.clone());
        st.set_genesis_hash(genesis.hash());
        st.set_totals(&Totals {
            total_issuance: total,
            ..Totals::default()
        });
        let (changes, _) = st.into_parts();
        root::commit(&mut store, changes);
        Ok(Self { store })
    }

    /// A runtime over a store that already holds a chain.
    pub fn open(store: S) -> Self {
        Self { store }
    }

    /// The storage.
    pub fn storage(&self) -> &S {
        &self.store
    }

    /// Gives the storage back.
    pub fn into_storage(self) -> S {
        self.store
    }

    /// The state root (see [`crate::state`] root docs): cheap, maintained on every write.
    pub fn state_root(&self) -> Hash {
        root::root(&self.store)
    }

    /// The state root recomputed from every entry (O(state); for audits and tests).
    pub fn recompute_state_root(&self) -> Hash {
        root::recompute(&self.store)
    }

    /// This chain's genesis hash.
    pub fn genesis_hash(&self) -> Hash {
        State::new(&self.store).genesis_hash()
    }

    /// The current block number (0 before the first block).
    pub fn block(&self) -> u64 {
        State::new(&self.store).block()
    }

    /// Starts block `block`: emission, burn decay and due epochs.
    ///
    /// # Errors
    /// [`Error::BlockOutOfOrder`] unless `block` is the current block plus one.
    pub fn on_block(&mut self, block: u64) -> Result<Vec<Event>, Error> {
        let mut st = State::new(&self.store);
        coinbase::on_block(&mut st, block)?;
        let (changes, events) = st.into_parts();
        root::commit(&mut self.store, changes);
        Ok(events)
    }

    /// Decodes and applies a transaction.
    ///
    /// # Errors
    /// [`Error::Codec`] for bad bytes, otherwise as [`Runtime::apply`].
    pub fn apply_bytes(&mut self, bytes: &[u8]) -> Result<Receipt, Error> {
        let tx = SignedTransaction::decode(bytes)?;
        self.apply(&tx)
    }

    /// Applies a signed transaction in the current block.
    ///
    /// # Errors
    /// An invalid transaction (see the module docs); the state is unchanged.
    pub fn apply(&mut self, tx: &SignedTransaction) -> Result<Receipt, Error> {
        self.apply_checked(tx, true)
    }

    /// As [`Runtime::apply`] for a transaction whose signature was checked when it was made
    /// (the node's mempool holds only these): the same result, without verifying again.
    ///
    /// # Errors
    /// As [`Runtime::apply`].
    pub fn apply_verified(&mut self, tx: &VerifiedTx) -> Result<Receipt, Error> {
        self.apply_checked(tx.tx(), false)
    }

    fn apply_checked(&mut self, tx: &SignedTransaction, check: bool) -> Result<Receipt, Error> {
        let (receipt, changes) = {
            let mut st = State::new(&self.store);
            let receipt = execute(&mut st, tx, check)?;
            (receipt, st.into_parts().0)
        };
        root::commit(&mut self.store, changes);
        Ok(receipt)
    }

    /// What [`Runtime::apply`] would return, without changing anything.
    ///
    /// # Errors
    /// As [`Runtime::apply`].
    pub fn dry_run(&self, tx: &SignedTransaction) -> Result<Receipt, Error> {
        let mut st = State::new(&self.store);
        execute(&mut st, tx, true)
    }

    /// As [`Runtime::dry_run`] without verifying the signature again.
    ///
    /// # Errors
    /// As [`Runtime::apply`].
    pub fn dry_run_verified(&self, tx: &VerifiedTx) -> Result<Receipt, Error> {
        let mut st = State::new(&self.store);
        execute(&mut st, tx.tx(), false)
    }
}

/// Checks and dispatches `signed`; `check_signature` is false only for a [`VerifiedTx`].
fn execute(
    st: &mut State<'_>,
    signed: &SignedTransaction,
    check_signature: bool,
) -> Result<Receipt, Error> {
    let tx = &signed.tx;
    let genesis = st.genesis_hash();
    if tx.genesis != genesis {
        return Err(Error::WrongChain {
            expected: to_hex(&genesis),
            got: to_hex(&tx.genesis),
        });
    }
    let expected = st.nonce(&tx.signer);
    if tx.nonce != expected {
        return Err(Error::BadNonce {
            account: tx.signer,
            expected,
            got: tx.nonce,
        });
    }
    if check_signature && !signed.verify() {
        return Err(Error::BadSignature(tx.signer));
    }
    let cost = tx.call.cost();
    let mut totals = st.totals();
    let left = st.params.max_block_cost.saturating_sub(totals.block_cost);
    if cost > left {
        return Err(Error::BlockFull { cost, left });
    }
    totals.block_cost += cost;
    st.set_totals(&totals);
    let fee = if tx.call.fee_exempt() {
        0
    } else {
        st.params.tx_fee
    };
    charge_fee(st, &tx.signer, fee)?;
    st.set_nonce(&tx.signer, expected.saturating_add(1));
    let checkpoint = st.checkpoint();
    let result = dispatch(st, &tx.signer, &tx.call);
    if let Err(e) = &result {
        if fee == 0 {
            return Err(e.clone());
        }
        st.rollback(checkpoint);
        st.emit(Event::CallFailed {
            who: tx.signer,
            error: e.to_string(),
        });
    }
    Ok(Receipt {
        hash: signed.hash(),
        fee,
        result,
        events: std::mem::take(&mut st.events),
    })
}

fn dispatch(st: &mut State<'_>, signer: &AccountId, call: &Call) -> Result<(), Error> {
    match call {
        Call::Transfer { dest, amount } => transfer(st, signer, dest, amount.rao()),
        Call::RegisterNetwork { hotkey } => subnets::register_network(st, signer, hotkey).map(drop),
        Call::SetSubnetHyperparameter { netuid, param } => {
            subnets::set_hyperparameter(st, signer, *netuid, param, false)
        }
        Call::BurnedRegister { netuid, hotkey } => {
            registration::burned_register(st, signer, *netuid, hotkey).map(drop)
        }
        Call::ServeAxon {
            netuid,
            version,
            ip,
            port,
            ip_type,
            protocol,
        } => serving::serve_axon(
            st,
            signer,
            *netuid,
            AxonInfo {
                version: *version,
                ip: *ip,
                port: *port,
                ip_type: *ip_type,
                protocol: *protocol,
            },
        ),
        Call::AddStake {
            hotkey,
            netuid,
            amount,
            limit_price,
        } => staking::add_stake(st, signer, hotkey, *netuid, amount.rao(), *limit_price).map(drop),
        Call::RemoveStake {
            hotkey,
            netuid,
            alpha,
            limit_price,
        } => staking::remove_stake(st, signer, hotkey, *netuid, *alpha, *limit_price).map(drop),
        Call::MoveStake {
            origin_hotkey,
            dest_hotkey,
            origin_netuid,
            dest_netuid,
            alpha,
        } => staking::move_stake(
            st,
            signer,
            (origin_hotkey, *origin_netuid),
            (dest_hotkey, *dest_netuid),
            *alpha,
        )
        .map(drop),
        Call::TransferStake {
            dest_coldkey,
            hotkey,
            origin_netuid,
            dest_netuid,
            alpha,
        } => staking::transfer_stake(
            st,
            signer,
            dest_coldkey,
            hotkey,
            (*origin_netuid, *dest_netuid),
            *alpha,
        )
        .map(drop),
        Call::SetWeights {
            netuid,
            uids,
            weights,
            version_key,
        } => weights::set_weights(st, signer, *netuid, uids, weights, *version_key),
        Call::CommitWeights { netuid, commit } => {
            weights::commit_weights(st, signer, *netuid, *commit)
        }
        Call::RevealWeights {
            netuid,
            uids,
            weights,
            salt,
            version_key,
        } => weights::reveal_weights(
            st,
            signer,
            *netuid,
            Reveal {
                uids,
                weights,
                salt,
                version_key: *version_key,
            },
        ),
        Call::SetDelegateTake { hotkey, take } => {
            staking::set_delegate_take(st, signer, hotkey, *take)
        }
        Call::Sudo { call } => subnets::sudo(st, signer, call),
        Call::SetSubnetIdentity { netuid, identity } => {
            identity::set_subnet_identity(st, signer, *netuid, identity)
        }
    }
}
