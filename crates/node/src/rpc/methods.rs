//! The RPC methods (see the table in [`super`]).

use std::time::Duration;

use serde_json::{Value, json};
use yuma_primitives::{AccountId, NetUid};
use yuma_runtime::codec::Decode;
use yuma_runtime::{Runtime, SignedTransaction};

use super::jsonrpc::{METHOD_NOT_FOUND, Params, RpcError, TX_INVALID, TX_POOL, TX_TIMEOUT};
use super::server::Context;
use super::types::{BlockInfo, HeaderInfo, Inclusion, SubmitResult};
use crate::application::{ApplicationError, SubmitError};
use crate::block::Block;
use crate::receipt::{BlockReceipts, hex0x};
use crate::state::BlockState;

/// The OpenRPC document of these methods.
pub const OPENRPC: &str = include_str!("../../openrpc.json");

/// How long `tx_submit` with `wait` waits for inclusion.
const WAIT_FOR_INCLUSION: Duration = Duration::from_secs(60);

fn to_value(value: impl serde::Serialize) -> Result<Value, RpcError> {
    serde_json::to_value(value).map_err(RpcError::internal)
}

/// Answers one HTTP-or-WebSocket method (subscriptions are handled by the WebSocket).
pub(super) async fn call(ctx: &Context, method: &str, params: &Params) -> Result<Value, RpcError> {
    match method {
        "chain_head" | "chain_finalizedHead" => {
            to_value(head_block(ctx)?.map(|b| HeaderInfo::from(&b.header)))
        }
        "chain_genesisHash" => Ok(json!(hex0x(&runtime(ctx)?.genesis_hash()))),
        "chain_block" => chain_block(ctx, params),
        "chain_totalIssuance" => Ok(json!(runtime(ctx)?.total_issuance())),
        "chain_params" => to_value(runtime(ctx)?.params()),
        "account_info" => to_value(runtime(ctx)?.account(&account(params)?)),
        "account_balance" => Ok(json!(runtime(ctx)?.account(&account(params)?).free)),
        "account_nonce" => Ok(json!(runtime(ctx)?.account(&account(params)?).nonce)),
        "stake_list" => {
            let coldkey: AccountId = params.get(0, "coldkey")?;
            to_value(runtime(ctx)?.stakes(&coldkey))
        }
        "subnet_list" => {
            let rt = runtime(ctx)?;
            to_value(
                rt.netuids()
                    .into_iter()
                    .filter_map(|n| rt.subnet(n))
                    .collect::<Vec<_>>(),
            )
        }
        "subnet_info" => to_value(runtime(ctx)?.subnet(netuid(params)?)),
        "subnet_hyperparameters" => {
            to_value(runtime(ctx)?.subnet(netuid(params)?).map(|s| s.hyperparams))
        }
        "subnet_metagraph" => {
            let netuid = netuid(params)?;
            let rt = runtime(ctx)?;
            Ok(match rt.metagraph(netuid) {
                None => Value::Null,
                Some(neurons) => json!({
                    "netuid": netuid,
                    "block": rt.block(),
                    "neurons": neurons,
                    "weights": rt.weights(netuid),
                }),
            })
        }
        "subnet_lockCost" => Ok(json!(runtime(ctx)?.network_lock_cost())),
        "pool_state" => to_value(runtime(ctx)?.pool(netuid(params)?)),
        "tx_submit" => tx_submit(ctx, params).await,
        "rpc_discover" => serde_json::from_str(OPENRPC).map_err(RpcError::internal),
        "tx_dryRun" => {
            let tx = decode_tx(params)?;
            match ctx.mailbox.dry_run(tx).await {
                Ok(receipt) => to_value(receipt),
                Err(e) => Err(submit_error(e)),
            }
        }
        "chain_subscribeNewHeads" | "chain_subscribeEvents" | "chain_unsubscribe" => {
            Err(RpcError::new(
                METHOD_NOT_FOUND,
                format!("{method} needs a WebSocket connection"),
            ))
        }
        _ => Err(RpcError::new(
            METHOD_NOT_FOUND,
            format!("unknown method {method:?}"),
        )),
    }
}

/// The runtime over the committed head state.
fn runtime(ctx: &Context) -> Result<Runtime<BlockState>, RpcError> {
    let snapshot = ctx.store.snapshot().map_err(RpcError::internal)?;
    Ok(Runtime::open(BlockState::new(snapshot)))
}

fn account(params: &Params) -> Result<AccountId, RpcError> {
    params.get(0, "account")
}

fn netuid(params: &Params) -> Result<NetUid, RpcError> {
    params.get::<u16>(0, "netuid").map(NetUid)
}

/// The block at `height`, if committed.
pub(super) fn load_block(ctx: &Context, height: u64) -> Result<Option<Block>, RpcError> {
    let Some(bytes) = ctx.store.block(height).map_err(RpcError::internal)? else {
        return Ok(None);
    };
    Block::decode(&bytes)
        .map(Some)
        .map_err(|e| RpcError::internal(format!("stored block {height} is corrupt: {e}")))
}

fn head_block(ctx: &Context) -> Result<Option<Block>, RpcError> {
    match ctx.store.head().map_err(RpcError::internal)? {
        Some(head) => load_block(ctx, head.height),
        None => Ok(None),
    }
}

fn chain_block(ctx: &Context, params: &Params) -> Result<Value, RpcError> {
    let height = match params.optional::<Value>(0, "block")? {
        None => match ctx.store.head().map_err(RpcError::internal)? {
            Some(head) => head.height,
            None => return Ok(Value::Null),
        },
        Some(Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| RpcError::params("block number must be a non-negative integer"))?,
        Some(Value::String(s)) => {
            let hash = parse_hash(&s)?;
            match ctx.store.height_of(&hash).map_err(RpcError::internal)? {
                Some(h) => h,
                None => return Ok(Value::Null),
            }
        }
        Some(_) => return Err(RpcError::params("block is a number or a 0x hash")),
    };
    let Some(block) = load_block(ctx, height)? else {
        return Ok(Value::Null);
    };
    let receipts = match ctx.store.receipts(height).map_err(RpcError::internal)? {
        Some(bytes) => BlockReceipts::from_bytes(&bytes).map_err(|e| {
            RpcError::internal(format!("stored receipts {height} are corrupt: {e}"))
        })?,
        None => BlockReceipts::default(),
    };
    to_value(BlockInfo::new(&block, receipts))
}

fn parse_hash(s: &str) -> Result<[u8; 32], RpcError> {
    let bytes = hex::decode(s.trim_start_matches("0x"))
        .map_err(|e| RpcError::params(format!("bad hash {s:?}: {e}")))?;
    bytes
        .try_into()
        .map_err(|_| RpcError::params(format!("a hash is 32 bytes: {s:?}")))
}

fn decode_tx(params: &Params) -> Result<SignedTransaction, RpcError> {
    let hex_tx: String = params.get(0, "tx")?;
    let bytes = hex::decode(hex_tx.trim_start_matches("0x"))
        .map_err(|e| RpcError::params(format!("tx is not hex: {e}")))?;
    SignedTransaction::decode(&bytes)
        .map_err(|e| RpcError::new(TX_INVALID, format!("cannot decode transaction: {e}")))
}

fn submit_error(e: SubmitError) -> RpcError {
    match e {
        SubmitError::Invalid(message) => RpcError::new(TX_INVALID, message),
        SubmitError::Mempool(e) => RpcError::new(TX_POOL, e.to_string()),
        SubmitError::Application(ApplicationError::Stopped) => {
            RpcError::internal("the node is shutting down")
        }
        SubmitError::Application(e) => RpcError::internal(e),
    }
}

async fn tx_submit(ctx: &Context, params: &Params) -> Result<Value, RpcError> {
    let tx = decode_tx(params)?;
    let wait = params.optional::<bool>(1, "wait")?.unwrap_or(false);
    // Subscribe before submitting so the including block cannot be missed.
    let mut finalized = ctx.finalized.subscribe();
    let hash = ctx.mailbox.submit(tx).await.map_err(submit_error)?;
    let hash_hex = hex0x(&hash);
    if !wait {
        return to_value(SubmitResult {
            hash: hash_hex,
            included: None,
        });
    }
    let found = tokio::time::timeout(WAIT_FOR_INCLUSION, async {
        loop {
            match finalized.recv().await {
                Ok(block) => {
                    if let Some(receipt) = block.receipts.txs.iter().find(|r| r.hash == hash_hex) {
                        return Some(Inclusion {
                            block: block.block.header.height,
                            block_hash: hex0x(&block.hash),
                            receipt: receipt.clone(),
                        });
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
    .await;
    match found {
        Ok(Some(inclusion)) => to_value(SubmitResult {
            hash: hash_hex,
            included: Some(inclusion),
        }),
        Ok(None) => Err(RpcError::internal("the node is shutting down")),
        Err(_) => Err(RpcError::new(
            TX_TIMEOUT,
            format!(
                "transaction {hash_hex} is pending but was not included within {} s",
                WAIT_FOR_INCLUSION.as_secs()
            ),
        )),
    }
}
