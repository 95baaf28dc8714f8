//! Why a transaction or block is rejected. Every rejection is one of these, never a panic.

use crate::codec::CodecError;
use yuma_primitives::{AccountId, NetUid};

/// A rejected transaction or block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The transaction bytes do not decode.
    #[error("malformed transaction: {0}")]
    Codec(#[from] CodecError),
    /// The transaction was signed for another chain.
    #[error("transaction is for chain {got} but this chain's genesis is {expected}")]
    WrongChain {
        /// This chain's genesis hash (hex).
        expected: String,
        /// The transaction's genesis hash (hex).
        got: String,
    },
    /// The signature does not verify.
    #[error("bad signature from {0}")]
    BadSignature(AccountId),
    /// The nonce is not the sender's next one.
    #[error("nonce {got} is not the next one for {account} (expected {expected})")]
    BadNonce {
        /// The sender.
        account: AccountId,
        /// Next nonce.
        expected: u64,
        /// Nonce in the transaction.
        got: u64,
    },
    /// The block has no room left for this transaction's cost.
    #[error("block is full: cost {cost} over the {left} left")]
    BlockFull {
        /// Cost of the call.
        cost: u64,
        /// Budget left.
        left: u64,
    },
    /// Not enough free TAO.
    #[error("{account} has {available} rao, needs {needed}")]
    InsufficientBalance {
        /// The payer.
        account: AccountId,
        /// Free balance.
        available: u64,
        /// Amount needed.
        needed: u64,
    },
    /// An amount below the minimum (stake, transfer of zero).
    #[error("amount {amount} is below the minimum {min}")]
    AmountTooLow {
        /// The amount.
        amount: u64,
        /// The minimum.
        min: u64,
    },
    /// A sum or product left the range of its type.
    #[error("arithmetic overflow in {0}")]
    Overflow(&'static str),
    /// No subnet with this netuid.
    #[error("netuid {0} does not exist")]
    UnknownSubnet(NetUid),
    /// The signer does not own the subnet.
    #[error("{signer} does not own subnet {netuid}")]
    NotOwner {
        /// The signer.
        signer: AccountId,
        /// The subnet.
        netuid: NetUid,
    },
    /// A sudo call on a chain without sudo, or from another key; or an owner setting a
    /// root-only hyperparameter.
    #[error("{0} requires the sudo key")]
    RequiresSudo(&'static str),
    /// A hyperparameter value outside its bounds.
    #[error("{name} = {value} is out of bounds ({bounds})")]
    OutOfBounds {
        /// Parameter name.
        name: &'static str,
        /// The value given.
        value: String,
        /// The allowed range.
        bounds: String,
    },
    /// An action repeated before its rate limit allows.
    #[error("{what} rate limited: next allowed at block {next}")]
    RateLimited {
        /// The action.
        what: &'static str,
        /// First block it is allowed again.
        next: u64,
    },
    /// Subnet limit reached.
    #[error("subnet limit {0} reached")]
    SubnetLimitReached(u16),
    /// The hotkey belongs to another coldkey.
    #[error("hotkey {hotkey} is owned by another coldkey")]
    NotHotkeyOwner {
        /// The hotkey.
        hotkey: AccountId,
    },
    /// The hotkey has never been registered.
    #[error("hotkey {0} is not registered anywhere")]
    UnknownHotkey(AccountId),
    /// The hotkey is already registered on the subnet.
    #[error("hotkey {hotkey} is already registered on subnet {netuid}")]
    AlreadyRegistered {
        /// The hotkey.
        hotkey: AccountId,
        /// The subnet.
        netuid: NetUid,
    },
    /// The hotkey has no UID on the subnet.
    #[error("hotkey {hotkey} is not registered on subnet {netuid}")]
    NotRegistered {
        /// The hotkey.
        hotkey: AccountId,
        /// The subnet.
        netuid: NetUid,
    },
    /// Registration is closed on the subnet.
    #[error("registration is disabled on subnet {0}")]
    RegistrationDisabled(NetUid),
    /// The subnet is full and every neuron is protected.
    #[error("subnet {0} is full and has no neuron to prune")]
    NoUidAvailable(NetUid),
    /// An axon with an invalid address.
    #[error("invalid axon: {0}")]
    InvalidAxon(&'static str),
    /// Not enough alpha staked.
    #[error("stake {available} is less than {needed}")]
    InsufficientStake {
        /// Alpha staked.
        available: u64,
        /// Alpha requested.
        needed: u64,
    },
    /// The pool price after the swap crosses the user's limit.
    #[error("price {price} after the swap crosses the limit {limit}")]
    SlippageTooHigh {
        /// Pool price after the swap (rao per alpha).
        price: u64,
        /// The user's limit.
        limit: u64,
    },
    /// The pool cannot absorb the swap (nothing would come out).
    #[error("pool of subnet {0} has too little liquidity for this swap")]
    InsufficientLiquidity(NetUid),
    /// Moving or transferring stake to the same place.
    #[error("origin and destination are the same")]
    SameStakePosition,
    /// `uids` and `weights` differ in length.
    #[error("{uids} uids but {weights} weights")]
    WeightsLengthMismatch {
        /// Number of uids.
        uids: usize,
        /// Number of weights.
        weights: usize,
    },
    /// A UID appears twice.
    #[error("uid {0} appears more than once")]
    DuplicateUids(u16),
    /// A UID not in the subnet.
    #[error("uid {uid} does not exist (subnet has {n})")]
    InvalidUid {
        /// The UID.
        uid: u16,
        /// Neurons in the subnet.
        n: u16,
    },
    /// Too few weights.
    #[error("{got} weights, at least {min} required")]
    TooFewWeights {
        /// Weights given.
        got: usize,
        /// Minimum.
        min: usize,
    },
    /// A normalised weight over `max_weights_limit`.
    #[error("weight {weight} over the limit {limit}")]
    WeightsOverLimit {
        /// The normalised weight.
        weight: u16,
        /// The limit.
        limit: u16,
    },
    /// Weights on others without a validator permit.
    #[error("uid {0} has no validator permit")]
    NoValidatorPermit(u16),
    /// A version key below the subnet's.
    #[error("version key {got} is below the subnet's {required}")]
    OutdatedVersionKey {
        /// The call's key.
        got: u64,
        /// The subnet's key.
        required: u64,
    },
    /// `set_weights` on a subnet that requires commit-reveal, or a commit/reveal on one that
    /// does not.
    #[error("commit-reveal is {} on subnet {netuid}", if *.enabled { "on" } else { "off" })]
    CommitRevealMode {
        /// The subnet.
        netuid: NetUid,
        /// Whether commit-reveal is on.
        enabled: bool,
    },
    /// Too many unrevealed commits.
    #[error("{0} unrevealed commits already")]
    TooManyCommits(usize),
    /// A reveal with no matching commit.
    #[error("no commit matches this reveal")]
    NoMatchingCommit,
    /// A reveal before its epoch.
    #[error("reveal too early: allowed from epoch {allowed} (now {now})")]
    RevealTooEarly {
        /// Epoch of the reveal window.
        allowed: u64,
        /// Current epoch.
        now: u64,
    },
    /// A reveal after its window.
    #[error("stale reveal: its window was epoch {window} (now {now})")]
    StaleReveal {
        /// Epoch of the reveal window.
        window: u64,
        /// Current epoch.
        now: u64,
    },
    /// A take outside the bounds.
    #[error("take {take} outside {min}..={max}")]
    TakeOutOfBounds {
        /// Requested take.
        take: u16,
        /// Lowest take.
        min: u16,
        /// Highest take.
        max: u16,
    },
    /// A subnet identity with an empty name.
    #[error("subnet identity name is empty")]
    IdentityNameEmpty,
    /// A subnet identity field longer than its limit (UTF-8 bytes).
    #[error("subnet identity {field} is {len} bytes, at most {max} allowed")]
    IdentityFieldTooLong {
        /// The field (`name`, `description` or `task_url`).
        field: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A control character in a subnet identity field.
    #[error("subnet identity {field} contains control character U+{code:04X}")]
    IdentityControlCharacter {
        /// The field.
        field: &'static str,
        /// The character's code point.
        code: u32,
    },
    /// A task protocol version that does not exist (versions start at 1).
    #[error("task protocol {0} is not a version (versions start at 1)")]
    InvalidTaskProtocol(u16),
    /// The next block is not the one after the current.
    #[error("block {got} does not follow block {current}")]
    BlockOutOfOrder {
        /// Current block.
        current: u64,
        /// Block given.
        got: u64,
    },
}
