//! JSON-RPC over WebSocket: every method, plus subscriptions to new heads and events.

use std::collections::BTreeMap;

use axum::extract::ws::{Message, WebSocket};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::context::Context;
use super::dispatch::handle_text;
use super::jsonrpc::{INVALID_REQUEST, RpcError, parse_request, response};
use super::types::header_info;
use yuma_api::{BlockEvents, hex0x};

/// Serves one WebSocket connection until it closes.
pub(super) async fn serve(ctx: Context, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let (out, mut outgoing) = mpsc::channel::<String>(256);
    let writer = tokio::spawn(async move {
        while let Some(text) = outgoing.recv().await {
            if sink.send(Message::Text(text.into())).await.is_err() {
                break;
            }
        }
    });
    let mut subscriptions: BTreeMap<u64, JoinHandle<()>> = BTreeMap::new();
    let mut next_id = 1u64;
    while let Some(Ok(message)) = stream.next().await {
        let text = match message {
            Message::Text(text) => text.to_string(),
            Message::Binary(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Message::Close(_) => break,
            Message::Ping(_) | Message::Pong(_) => continue,
        };
        let reply = match subscription_request(&text) {
            Some((id, method, params)) => {
                let result = match method.as_str() {
                    "chain_unsubscribe" => params.get::<u64>(0, "subscription").map(|sub| {
                        match subscriptions.remove(&sub) {
                            Some(task) => {
                                task.abort();
                                json!(true)
                            }
                            None => json!(false),
                        }
                    }),
                    _ if subscriptions.len() >= ctx.limits.max_subscriptions => Err(RpcError::new(
                        INVALID_REQUEST,
                        format!(
                            "this session holds {} subscriptions, the limit; unsubscribe first",
                            ctx.limits.max_subscriptions
                        ),
                    )),
                    _ => {
                        let sub = next_id;
                        next_id += 1;
                        let task = spawn_subscription(&ctx, &method, sub, out.clone());
                        subscriptions.insert(sub, task);
                        Ok(json!(sub))
                    }
                };
                Some(response(id, result))
            }
            None => handle_text(&ctx, text.as_bytes()).await,
        };
        if let Some(reply) = reply
            && out.send(reply.to_string()).await.is_err()
        {
            break;
        }
    }
    for task in subscriptions.into_values() {
        task.abort();
    }
    writer.abort();
}

/// A subscription method call: (id, method, params).
fn subscription_request(text: &str) -> Option<(Value, String, super::jsonrpc::Params)> {
    let value: Value = serde_json::from_str(text).ok()?;
    let request = parse_request(value).ok()?;
    matches!(
        request.method.as_str(),
        "chain_subscribeNewHeads" | "chain_subscribeEvents" | "chain_unsubscribe"
    )
    .then(|| {
        (
            request.id.unwrap_or(Value::Null),
            request.method,
            request.params,
        )
    })
}

fn spawn_subscription(
    ctx: &Context,
    method: &str,
    sub: u64,
    out: mpsc::Sender<String>,
) -> JoinHandle<()> {
    let mut finalized = ctx.finalized.subscribe();
    let heads = method == "chain_subscribeNewHeads";
    tokio::spawn(async move {
        loop {
            let block = match finalized.recv().await {
                Ok(block) => block,
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => break,
            };
            let (name, result) = if heads {
                (
                    "chain_newHead",
                    serde_json::to_value(header_info(&block.block.header)),
                )
            } else {
                (
                    "chain_events",
                    serde_json::to_value(BlockEvents {
                        block: block.block.header.height,
                        block_hash: hex0x(&block.hash),
                        block_events: block.receipts.block_events.clone(),
                        receipts: block.receipts.txs.clone(),
                    }),
                )
            };
            let result = match result {
                Ok(v) => v,
                Err(e) => json!({"error": RpcError::internal(e)}),
            };
            let note = json!({
                "jsonrpc": "2.0",
                "method": name,
                "params": {"subscription": sub, "result": result},
            });
            if out.send(note.to_string()).await.is_err() {
                break;
            }
        }
    })
}
