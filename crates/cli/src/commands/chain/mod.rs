//! Chain and account commands (node, chain specs, balances, subnets, stake, weights, axons,
//! blocks, metagraphs), and what they share: the RPC client, the signer, and submitting with
//! progress.

pub(crate) mod axon;
pub(crate) mod balance;
pub(crate) mod block;
mod hyperparam;
pub(crate) mod identity;
pub(crate) mod metagraph;
pub(crate) mod node;
pub(crate) mod spec;
pub(crate) mod stake;
pub(crate) mod subnet;
pub(crate) mod weights;

use anyhow::Context as _;
use clap::Args;
use yuma_client::{Call, Client, SubmitResult};
use yuma_keys::Pair;
use yuma_primitives::AccountId;
use yuma_wallet::Wallet;

use super::wallet::{unlock_coldkey, unlock_hotkey};
use crate::args::{OutputArgs, RpcArgs, WalletArgs};
use crate::failure::{Hint, Refused};

/// The flags every chain command takes: who signs, which node, and the output format.
#[derive(Debug, Clone, Args)]
pub(crate) struct ChainArgs {
    #[command(flatten)]
    pub(crate) signer: SignerArgs,
    #[command(flatten)]
    pub(crate) rpc: RpcArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// Who signs: the wallet's keys, or a secret URI on dev chains.
#[derive(Debug, Clone, Args)]
pub(crate) struct SignerArgs {
    #[command(flatten)]
    pub(crate) wallet: WalletArgs,
    /// Sign with the key of a secret URI such as //Alice instead of the wallet (dev chains only:
    /// the dev keys are public).
    #[arg(long, global = true)]
    pub(crate) uri: Option<String>,
}

impl SignerArgs {
    fn wallet(&self) -> anyhow::Result<Wallet> {
        Wallet::new(self.wallet.path(), &self.wallet.wallet_name)
            .with_context(|| format!("opening wallet {:?}", self.wallet.wallet_name))
    }

    /// The coldkey pair (unlocking the wallet, or from --uri).
    pub(crate) fn coldkey(&self) -> anyhow::Result<Pair> {
        match &self.uri {
            Some(uri) => Pair::from_uri(uri).with_context(|| format!("reading --uri {uri:?}")),
            None => unlock_coldkey(&self.wallet()?),
        }
    }

    /// The hotkey pair (from the wallet, or the --uri key).
    pub(crate) fn hotkey(&self) -> anyhow::Result<Pair> {
        match &self.uri {
            Some(uri) => Pair::from_uri(uri).with_context(|| format!("reading --uri {uri:?}")),
            None => unlock_hotkey(&self.wallet()?, &self.wallet.hotkey),
        }
    }

    /// The coldkey's public key without unlocking anything.
    pub(crate) fn coldkey_public(&self) -> anyhow::Result<AccountId> {
        match &self.uri {
            Some(_) => Ok(self.coldkey()?.public()),
            None => self
                .wallet()?
                .coldkeypub()
                .context("reading the coldkey's public key"),
        }
    }

    /// The hotkey's public key without unlocking anything.
    pub(crate) fn hotkey_public(&self) -> anyhow::Result<AccountId> {
        match &self.uri {
            Some(_) => Ok(self.hotkey()?.public()),
            None => self
                .wallet()?
                .hotkeypub(&self.wallet.hotkey)
                .with_context(|| format!("reading hotkey {:?}", self.wallet.hotkey)),
        }
    }
}

/// A single-threaded tokio runtime for one command.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    yuma_cli::runtime::current_thread().context("starting the async runtime")
}

/// A client of `--rpc`.
pub(crate) fn client(rpc: &RpcArgs) -> Client {
    Client::new(rpc.rpc.clone())
}

/// Turns a client error into a refusal (exit 1) when the node answered, with a hint when the
/// node cannot be reached.
pub(crate) fn rpc_error(e: yuma_client::Error) -> anyhow::Error {
    match e {
        yuma_client::Error::Rpc { .. } => anyhow::Error::new(Refused(e.to_string())),
        yuma_client::Error::Http { ref url, .. } => anyhow::Error::new(Hint {
            hint: format!("start a node with `yuma node --dev`, or pass --rpc (tried {url})"),
            message: e.to_string(),
        }),
        yuma_client::Error::Decode { .. } => anyhow::Error::new(e),
    }
}

/// Signs `call`, submits it and waits for inclusion, reporting progress on stderr. A call that
/// was included but failed is a refusal.
pub(crate) async fn submit_and_wait(
    client: &Client,
    pair: &Pair,
    call: Call,
) -> anyhow::Result<SubmitResult> {
    let genesis = client.genesis_hash().await.map_err(rpc_error)?;
    let nonce = client
        .account(&pair.public())
        .await
        .map_err(rpc_error)?
        .nonce;
    let tx = yuma_client::SignedTransaction::new(pair, genesis, nonce, call);
    eprintln!(
        "submitting transaction 0x{} from {} (nonce {nonce}); waiting for inclusion...",
        hex::encode(tx.hash()),
        pair.public()
    );
    let result = client
        .submit(&tx, true)
        .await
        .map_err(rpc_error)
        .context("submitting the transaction")?;
    if let Some(inclusion) = &result.included {
        eprintln!(
            "included in block {} ({})",
            inclusion.block, inclusion.block_hash
        );
    }
    check_included(&result)?;
    Ok(result)
}

/// Fails with a refusal when the transaction was included but failed.
pub(crate) fn check_included(result: &SubmitResult) -> anyhow::Result<()> {
    match &result.included {
        Some(inclusion) if !inclusion.receipt.success => Err(anyhow::Error::new(Refused(format!(
            "the transaction was included but failed: {}",
            inclusion
                .receipt
                .error
                .as_deref()
                .unwrap_or("unknown error")
        )))),
        _ => Ok(()),
    }
}
