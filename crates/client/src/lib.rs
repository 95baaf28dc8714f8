//! Typed JSON-RPC client of the node, used by the CLI, neurons and tests.
//!
//! [`Client`] sends one JSON-RPC 2.0 request per call over HTTP (reqwest) and decodes the
//! result into the node's types: [`HeaderInfo`], [`BlockInfo`], the runtime's query types
//! ([`AccountInfo`], [`SubnetInfo`] with its [`SubnetIdentity`], [`NeuronInfo`], ...). [`Client::sign_and_submit`] reads
//! the genesis hash and the signer's nonce, signs a [`Call`] and submits it, optionally
//! waiting for inclusion. Errors keep the node's JSON-RPC code and message
//! ([`Error::Rpc`]), so a rejected transaction reads as the runtime's error.
//!
//! Amounts are rao (`u64`), keys [`AccountId`] (SS58 in JSON).
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

use std::sync::atomic::{AtomicU64, Ordering};

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
pub use yuma_api::{BlockInfo, HeaderInfo, Inclusion, SubmitResult, TxReceipt};
use yuma_primitives::{AccountId, NetUid};
use yuma_runtime::codec::Encode;
use yuma_runtime::hash::Hash;
pub use yuma_runtime::query::{AccountInfo, NeuronInfo, PoolInfo, StakeInfo, SubnetInfo};
pub use yuma_runtime::{Call, ChainParams, Hyperparams, SignedTransaction, SubnetIdentity};

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The node could not be reached or answered with an HTTP error.
    #[error("cannot reach the node at {url}: {source}")]
    Http {
        /// The node's URL.
        url: String,
        /// The failure.
        source: reqwest::Error,
    },
    /// The node answered with a JSON-RPC error.
    #[error("{message} (rpc error {code})")]
    Rpc {
        /// The JSON-RPC error code.
        code: i64,
        /// The node's message (the runtime's error for transactions).
        message: String,
    },
    /// The answer was not what the method returns.
    #[error("unexpected answer to {method}: {detail}")]
    Decode {
        /// The method.
        method: String,
        /// What was wrong.
        detail: String,
    },
}

/// A JSON-RPC client of one node.
pub struct Client {
    url: String,
    http: reqwest::Client,
    next_id: AtomicU64,
}

/// A metagraph as `subnet_metagraph` returns it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Metagraph {
    /// Subnet.
    pub netuid: NetUid,
    /// Block it was read at.
    pub block: u64,
    /// Neurons by UID.
    pub neurons: Vec<NeuronInfo>,
    /// Weights rows: (uid, [(target, weight)]).
    pub weights: Vec<(u16, Vec<(u16, u16)>)>,
}

impl Client {
    /// A client of the node at `url` (e.g. `http://127.0.0.1:9944`).
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            http: reqwest::Client::new(),
            next_id: AtomicU64::new(1),
        }
    }

    /// The node's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Calls `method` with `params` and decodes the result.
    ///
    /// # Errors
    /// [`Error`] as documented on each variant.
    pub async fn call<T: DeserializeOwned>(&self, method: &str, params: Value) -> Result<T, Error> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let http = |source| Error::Http {
            url: self.url.clone(),
            source,
        };
        let reply: Value = self
            .http
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .map_err(http)?
            .json()
            .await
            .map_err(http)?;
        if let Some(error) = reply.get("error") {
            return Err(Error::Rpc {
                code: error.get("code").and_then(Value::as_i64).unwrap_or(0),
                message: error
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("no message")
                    .to_string(),
            });
        }
        let result = reply.get("result").cloned().ok_or_else(|| Error::Decode {
            method: method.into(),
            detail: "no result".into(),
        })?;
        serde_json::from_value(result).map_err(|e| Error::Decode {
            method: method.into(),
            detail: e.to_string(),
        })
    }

    /// The committed head.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn head(&self) -> Result<HeaderInfo, Error> {
        self.call("chain_head", json!([])).await
    }

    /// A block by number, or the head.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn block(&self, number: Option<u64>) -> Result<Option<BlockInfo>, Error> {
        self.call("chain_block", json!([number])).await
    }

    /// The genesis hash transactions sign.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn genesis_hash(&self) -> Result<Hash, Error> {
        let text: String = self.call("chain_genesisHash", json!([])).await?;
        hex::decode(text.trim_start_matches("0x"))
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Error::Decode {
                method: "chain_genesisHash".into(),
                detail: format!("not a 32-byte hash: {text}"),
            })
    }

    /// Free balance and nonce.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn account(&self, who: &AccountId) -> Result<AccountInfo, Error> {
        self.call("account_info", json!([who])).await
    }

    /// Total issuance in rao.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn total_issuance(&self) -> Result<u64, Error> {
        self.call("chain_totalIssuance", json!([])).await
    }

    /// TAO burned by fees, in rao: free balances, pool TAO reserves and this add up to the
    /// total issuance.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn total_burned(&self) -> Result<u64, Error> {
        self.call("chain_totalBurned", json!([])).await
    }

    /// Chain parameters.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn params(&self) -> Result<ChainParams, Error> {
        self.call("chain_params", json!([])).await
    }

    /// A coldkey's stakes.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn stakes(&self, coldkey: &AccountId) -> Result<Vec<StakeInfo>, Error> {
        self.call("stake_list", json!([coldkey])).await
    }

    /// Every subnet.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn subnets(&self) -> Result<Vec<SubnetInfo>, Error> {
        self.call("subnet_list", json!([])).await
    }

    /// One subnet.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn subnet(&self, netuid: NetUid) -> Result<Option<SubnetInfo>, Error> {
        self.call("subnet_info", json!([netuid.0])).await
    }

    /// A subnet's identity: `None` when the subnet is unknown or its owner has not set one.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn subnet_identity(&self, netuid: NetUid) -> Result<Option<SubnetIdentity>, Error> {
        Ok(self.subnet(netuid).await?.and_then(|s| s.identity))
    }

    /// The full metagraph of a subnet.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn metagraph(&self, netuid: NetUid) -> Result<Option<Metagraph>, Error> {
        self.call("subnet_metagraph", json!([netuid.0])).await
    }

    /// The lock the next subnet costs.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn lock_cost(&self) -> Result<u64, Error> {
        self.call("subnet_lockCost", json!([])).await
    }

    /// Submits a signed transaction; with `wait`, returns once a block includes it.
    ///
    /// # Errors
    /// As [`Client::call`]; [`Error::Rpc`] carries the runtime's reason for a rejection. While
    /// waiting: code 1002 when it was not included within 60 s (it may still be), code 1003
    /// as soon as the node dropped it from its mempool (it will not be included).
    pub async fn submit(&self, tx: &SignedTransaction, wait: bool) -> Result<SubmitResult, Error> {
        let hex_tx = format!("0x{}", hex::encode(tx.encode()));
        self.call("tx_submit", json!([hex_tx, wait])).await
    }

    /// What the transaction would do now.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn dry_run(&self, tx: &SignedTransaction) -> Result<TxReceipt, Error> {
        let hex_tx = format!("0x{}", hex::encode(tx.encode()));
        self.call("tx_dryRun", json!([hex_tx])).await
    }

    /// Signs `call` with `pair` at its next nonce (counting its transactions pending in the
    /// mempool is the caller's job: this reads the committed nonce) and submits it.
    ///
    /// # Errors
    /// As [`Client::submit`].
    pub async fn sign_and_submit(
        &self,
        pair: &yuma_keys::Pair,
        call: Call,
        wait: bool,
    ) -> Result<SubmitResult, Error> {
        let genesis = self.genesis_hash().await?;
        let nonce = self.account(&pair.public()).await?.nonce;
        let tx = SignedTransaction::new(pair, genesis, nonce, call);
        self.submit(&tx, wait).await
    }
}
