//! The RPC methods (see the table in [`super`]).

use std::time::Duration;

use serde_json::{Value, json};
use yuma_primitives::{AccountId, NetUid};
use yuma_runtime::codec::Decode;
use yuma_runtime::{Runtime, SignedTransaction};

use super::context::Context;
use super::jsonrpc::{
    METHOD_NOT_FOUND, Params, RpcError, TX_DROPPED, TX_INVALID, TX_POOL, TX_TIMEOUT,
};
use super::types::{block_info, header_info};
use crate::application::{ApplicationError, SubmitError};
use crate::block::Block;
use crate::state::BlockState;
use yuma_api::{BlockReceipts, hex0x};
use yuma_api::{Inclusion, SubmitResult};

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
            to_value(head_block(ctx)?.map(|b| header_info(&b.header)))
        }
        "chain_genesisHash" => Ok(json!(hex0x(&runtime(ctx)?.genesis_hash()))),
        "chain_block" => chain_block(ctx, params),
        "chain_totalIssuance" => Ok(json!(runtime(ctx)?.total_issuance())),
        "chain_totalBurned" => Ok(json!(runtime(ctx)?.total_burned())),
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
    to_value(block_info(&block, receipts))
}

fn parse_hash(s: &str) -> Result<[u8; 32], RpcError> {
    let bytes = hex::decode(s.trim_start_matches("0x"))
        .map_err(|e| RpcError::params(format!("bad hash {s:?}: {e}")))?;
    bytes
        .try_into()
        .map_err(|_| RpcError::params(format!("a hash is 32 bytes: {s:?}")))
}

/// The transaction of a `tx_submit` or `tx_dryRun` request body, decoded as the server does
/// before anything reaches the application (the fuzz target `rpc_tx` drives this).
///
/// # Errors
/// The [`RpcError`] the node would answer: parse error, invalid request, another method, bad
/// params, or an undecodable transaction.
pub fn decode_submission(body: &[u8]) -> Result<SignedTransaction, RpcError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| RpcError::new(super::jsonrpc::PARSE_ERROR, format!("invalid JSON: {e}")))?;
    let request = super::jsonrpc::parse_request(value).map_err(|(_, e)| e)?;
    match request.method.as_str() {
        "tx_submit" | "tx_dryRun" => decode_tx(&request.params),
        other => Err(RpcError::new(
            METHOD_NOT_FOUND,
            format!("{other:?} does not carry a transaction"),
        )),
    }
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
        e @ (SubmitError::Invalid(_) | SubmitError::WouldFail(_)) => {
            RpcError::new(TX_INVALID, e.to_string())
        }
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
                        return Some(Ok(Inclusion {
                            block: block.block.header.height,
                            block_hash: hex0x(&block.hash),
                            receipt: receipt.clone(),
                        }));
                    }
                    if let Some(dropped) = block.dropped.iter().find(|d| d.hash == hash) {
                        return Some(Err(dropped.reason.clone()));
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
    .await;
    match found {
        Ok(Some(Ok(inclusion))) => to_value(SubmitResult {
            hash: hash_hex,
            included: Some(inclusion),
        }),
        Ok(Some(Err(reason))) => Err(RpcError::new(
            TX_DROPPED,
            format!("transaction {hash_hex} will not be included: {reason}"),
        )),
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use yuma_primitives::Balance;
    use yuma_runtime::codec::Encode;
    use yuma_runtime::{Call, SudoCall};
    use yuma_store::Store;

    use super::*;
    use crate::application::{Actor, Config as AppConfig, Mailbox};
    use crate::genesis::{dev_genesis, dev_pair};
    use crate::mempool::Limits;
    use crate::metrics::Metrics;

    struct Node {
        ctx: Context,
        mailbox: Mailbox,
        _dir: tempfile::TempDir,
    }

    fn node() -> Node {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(Store::open(dir.path().join("db")).expect("opens"));
        let (finalized, _) = tokio::sync::broadcast::channel(16);
        let metrics = Arc::new(Metrics::new());
        let (actor, mailbox) = Actor::new(AppConfig {
            store: store.clone(),
            genesis: dev_genesis(),
            mempool: Limits::default(),
            max_block_txs: 100,
            metrics: metrics.clone(),
            finalized: finalized.clone(),
        })
        .expect("starts");
        std::thread::spawn(move || futures::executor::block_on(actor.run()));
        Node {
            ctx: Context {
                store,
                mailbox: mailbox.clone(),
                metrics,
                finalized,
                max_body: 1 << 20,
                limits: crate::rpc::RpcLimits::default(),
                sessions: crate::rpc::Sessions::new(&crate::rpc::RpcLimits::default()),
            },
            mailbox,
            _dir: dir,
        }
    }

    fn signed(who: &str, nonce: u64, call: Call) -> SignedTransaction {
        SignedTransaction::new(&dev_pair(who), dev_genesis().hash(), nonce, call)
    }

    fn transfer(who: &str, nonce: u64, amount: u64) -> SignedTransaction {
        let dest = dev_pair("Ferdie").public();
        signed(
            who,
            nonce,
            Call::Transfer {
                dest,
                amount: Balance(amount),
            },
        )
    }

    /// Submits with `wait` in a task and returns once the mempool holds `pool` transactions.
    async fn submit_waiting(
        node: &Node,
        tx: &SignedTransaction,
        pool: i64,
    ) -> tokio::task::JoinHandle<Result<Value, RpcError>> {
        let ctx = node.ctx.clone();
        let params = Params(json!([format!("0x{}", hex::encode(tx.encode())), true]));
        let waiter = tokio::spawn(async move { call(&ctx, "tx_submit", &params).await });
        while node.ctx.metrics.mempool_size.get() < pool {
            assert!(!waiter.is_finished(), "the submission was refused");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        waiter
    }

    async fn produce(node: &Node) -> crate::block::Block {
        let head = node.ctx.store.head().expect("reads").expect("a head").hash;
        let block = node.mailbox.propose(head, 1).await.expect("proposes");
        node.mailbox.finalize(block.hash()).await.expect("commits");
        block
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn waiting_submission_is_told_when_its_transaction_is_invalidated() {
        let node = node();
        // Sudo raises the fee beyond Bob's balance; Bob's transfer, admitted before that
        // committed, fails in the block after it and is dropped.
        let fee_up = signed(
            "Alice",
            0,
            Call::Sudo {
                call: SudoCall::SetTxFee {
                    fee: 10_000_000_000_000_000,
                },
            },
        );
        node.mailbox.submit(fee_up).await.expect("valid");
        let waiter = submit_waiting(&node, &transfer("Bob", 0, 5), 2).await;
        let block = produce(&node).await;
        assert_eq!(block.txs.len(), 1, "only the sudo call is included");
        let error = waiter.await.expect("the waiter ends").expect_err("dropped");
        assert_eq!(error.code, TX_DROPPED);
        assert!(error.message.contains("invalid"), "{}", error.message);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn waiting_submission_is_told_when_its_nonce_is_taken_by_a_committed_block() {
        let a = node();
        let b = node();
        let waiter = submit_waiting(&a, &transfer("Alice", 0, 1), 1).await;
        // Another node commits a different transaction with the same nonce; this node verifies
        // and commits that block.
        b.mailbox
            .submit(transfer("Alice", 0, 2))
            .await
            .expect("valid on the other node");
        let head = b.ctx.store.head().expect("reads").expect("a head").hash;
        let block = b.mailbox.propose(head, 1).await.expect("proposes");
        assert!(a.mailbox.verify(block.clone()).await.expect("answers"));
        a.mailbox.finalize(block.hash()).await.expect("commits");
        let error = waiter.await.expect("the waiter ends").expect_err("dropped");
        assert_eq!(error.code, TX_DROPPED);
        assert!(error.message.contains("nonce 0"), "{}", error.message);
    }

    #[test]
    fn fuzz_seeds_decode_or_fail_cleanly() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/rpc_tx");
        let (mut seen, mut decoded) = (0, 0);
        for entry in std::fs::read_dir(&dir).expect("the seed folder") {
            let path = entry.expect("an entry").path();
            let bytes = std::fs::read(&path).expect("a seed");
            if let Ok(tx) = decode_submission(&bytes) {
                assert!(
                    tx.verify(),
                    "{} decodes to a valid signature",
                    path.display()
                );
                decoded += 1;
            }
            seen += 1;
        }
        assert!(seen >= 8, "{seen} seeds");
        assert!(decoded >= 2, "{decoded} seeds decode");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn waiting_submission_returns_its_inclusion() {
        let node = node();
        let tx = transfer("Alice", 0, 1);
        let waiter = submit_waiting(&node, &tx, 1).await;
        let block = produce(&node).await;
        let result = waiter.await.expect("the waiter ends").expect("included");
        assert_eq!(result["included"]["block"], json!(block.header.height));
        assert_eq!(result["hash"], json!(hex0x(&tx.hash())));
    }
    /// A request entry submitting `tx`.
    fn submit_entry(id: u64, tx: &SignedTransaction) -> Value {
        json!({"jsonrpc": "2.0", "id": id, "method": "tx_submit", "params": [hex0x(&tx.encode())]})
    }

    #[tokio::test]
    async fn a_batch_over_the_limit_runs_no_entry() {
        let mut node = node();
        node.ctx.limits.max_batch = 3;
        let tx = transfer("Alice", 0, 1);
        let batch: Vec<Value> = (0..4).map(|id| submit_entry(id, &tx)).collect();
        let body = serde_json::to_vec(&batch).expect("JSON");
        let reply = super::super::dispatch::handle_text(&node.ctx, &body)
            .await
            .expect("an answer");
        assert_eq!(reply["error"]["code"], json!(-32600), "{reply}");
        assert_eq!(
            reply["error"]["message"],
            json!("batch of 4 entries exceeds the limit of 3")
        );
        // Nothing ran: the same transaction is still new to the node.
        let body = serde_json::to_vec(&submit_entry(9, &tx)).expect("JSON");
        let reply = super::super::dispatch::handle_text(&node.ctx, &body)
            .await
            .expect("an answer");
        assert_eq!(reply["result"]["hash"], json!(hex0x(&tx.hash())), "{reply}");
    }

    #[tokio::test]
    async fn answers_past_the_size_limit_are_cut_off() {
        let mut node = node();
        let one = serde_json::to_vec(&json!({"jsonrpc": "2.0", "id": 0, "method": "rpc_discover"}))
            .expect("JSON");
        let size = super::super::dispatch::handle_text(&node.ctx, &one)
            .await
            .expect("an answer")
            .to_string()
            .len();
        node.ctx.limits.max_response = size * 5 / 2;
        let batch: Vec<Value> = (0..6)
            .map(|id| json!({"jsonrpc": "2.0", "id": id, "method": "rpc_discover"}))
            .collect();
        let body = serde_json::to_vec(&batch).expect("JSON");
        let reply = super::super::dispatch::handle_text(&node.ctx, &body)
            .await
            .expect("an answer");
        let replies = reply.as_array().expect("a batch answer");
        assert_eq!(replies.len(), 3, "two answers fit, the third is the error");
        assert!(replies[..2].iter().all(|r| r.get("result").is_some()));
        assert_eq!(replies[2]["id"], json!(2));
        assert_eq!(replies[2]["error"]["code"], json!(-32600));
        // A single answer over the limit is replaced by the error too.
        node.ctx.limits.max_response = size / 2;
        let reply = super::super::dispatch::handle_text(&node.ctx, &one)
            .await
            .expect("an answer");
        assert_eq!(reply["id"], json!(0));
        assert!(
            reply["error"]["message"]
                .as_str()
                .expect("a message")
                .starts_with("the answers exceed"),
            "{reply}"
        );
    }
}
