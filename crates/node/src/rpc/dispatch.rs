//! Answering JSON-RPC text, for HTTP bodies and WebSocket messages alike: one request or a
//! batch, within the limits on entries and answer size.

use std::time::Instant;

use serde_json::Value;

use super::context::Context;
use super::jsonrpc::{INVALID_REQUEST, PARSE_ERROR, RpcError, parse_request, response};
use super::limits::encoded_len;
use super::methods;
use crate::metrics::MethodLabel;

/// Answers a request body: one request or a batch. `None` when only notifications came.
pub(super) async fn handle_text(ctx: &Context, body: &[u8]) -> Option<Value> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Some(response(
                Value::Null,
                Err(RpcError::new(PARSE_ERROR, format!("invalid JSON: {e}"))),
            ));
        }
    };
    match value {
        Value::Array(items) if items.is_empty() => Some(response(
            Value::Null,
            Err(RpcError::new(INVALID_REQUEST, "empty batch")),
        )),
        Value::Array(items) if items.len() > ctx.limits.max_batch => Some(response(
            Value::Null,
            Err(RpcError::new(
                INVALID_REQUEST,
                format!(
                    "batch of {} entries exceeds the limit of {}",
                    items.len(),
                    ctx.limits.max_batch
                ),
            )),
        )),
        Value::Array(items) => {
            let mut replies = Vec::new();
            let mut size = 0usize;
            for item in items {
                let id = item.get("id").cloned().unwrap_or(Value::Null);
                let Some(reply) = handle_one(ctx, item).await else {
                    continue;
                };
                size = size.saturating_add(encoded_len(&reply));
                if size > ctx.limits.max_response {
                    replies.push(too_large(ctx, id));
                    break;
                }
                replies.push(reply);
            }
            (!replies.is_empty()).then_some(Value::Array(replies))
        }
        single => {
            let id = single.get("id").cloned().unwrap_or(Value::Null);
            let reply = handle_one(ctx, single).await?;
            Some(if encoded_len(&reply) > ctx.limits.max_response {
                too_large(ctx, id)
            } else {
                reply
            })
        }
    }
}

/// The error that replaces answers past [`RpcLimits::max_response`] bytes.
fn too_large(ctx: &Context, id: Value) -> Value {
    response(
        id,
        Err(RpcError::new(
            INVALID_REQUEST,
            format!(
                "the answers exceed {} bytes; ask for less at a time",
                ctx.limits.max_response
            ),
        )),
    )
}

async fn handle_one(ctx: &Context, value: Value) -> Option<Value> {
    let request = match parse_request(value) {
        Ok(r) => r,
        Err((id, error)) => return Some(response(id, Err(error))),
    };
    let started = Instant::now();
    let result = methods::call(ctx, &request.method, &request.params).await;
    let label = if result
        .as_ref()
        .is_err_and(|e| e.code == super::jsonrpc::METHOD_NOT_FOUND)
    {
        "unknown".to_string()
    } else {
        request.method.clone()
    };
    ctx.metrics
        .rpc_latency
        .get_or_create(&MethodLabel { method: label })
        .observe(started.elapsed().as_secs_f64());
    request.id.map(|id| response(id, result))
}
