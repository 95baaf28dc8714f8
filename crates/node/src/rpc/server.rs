//! The axum router: JSON-RPC over HTTP, the WebSocket upgrade, `/metrics` and the dashboard.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Request, State, WebSocketUpgrade};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;
use yuma_store::Store;

use super::jsonrpc::{INVALID_REQUEST, PARSE_ERROR, RpcError, parse_request, response};
use super::limits::{RpcLimits, Sessions, encoded_len};
use super::methods;
use crate::application::{Finalized, Mailbox};
use crate::metrics::{MethodLabel, Metrics};

/// What the RPC handlers share.
#[derive(Clone)]
pub struct Context {
    /// The store, read at its committed head.
    pub store: Arc<Store>,
    /// The application, for submissions and dry runs.
    pub mailbox: Mailbox,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Committed blocks, for subscriptions and waiting submitters.
    pub finalized: tokio::sync::broadcast::Sender<Arc<Finalized>>,
    /// Largest request body in bytes (also the largest WebSocket message).
    pub max_body: usize,
    /// Bounds on batches, answers and WebSocket sessions.
    pub limits: RpcLimits,
    /// The WebSocket sessions open now.
    pub sessions: Sessions,
}

/// The node's HTTP routes: `POST /` (JSON-RPC), `GET /` (WebSocket, or the dashboard page for
/// a plain GET), `GET /metrics`, and the dashboard's assets under `/dashboard/`.
pub fn router(ctx: Context) -> Router {
    let limit = ctx.max_body;
    Router::new()
        .route("/", get(root).post(http))
        .route("/metrics", get(metrics))
        .merge(crate::dashboard::routes())
        .layer(DefaultBodyLimit::max(limit))
        .with_state(ctx)
}

async fn metrics(State(ctx): State<Context>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        ctx.metrics.encode(),
    )
        .into_response()
}

/// `GET /`: a WebSocket upgrade gets JSON-RPC; a browser gets the dashboard.
async fn root(State(ctx): State<Context>, request: Request) -> Response {
    let upgrade = request
        .headers()
        .get(header::UPGRADE)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
    if !upgrade {
        return crate::dashboard::index();
    }
    let (mut parts, _body) = request.into_parts();
    match WebSocketUpgrade::from_request_parts(&mut parts, &ctx).await {
        Ok(upgrade) => websocket(ctx, upgrade),
        Err(rejection) => rejection.into_response(),
    }
}

fn websocket(ctx: Context, upgrade: WebSocketUpgrade) -> Response {
    let Some(session) = ctx.sessions.open() else {
        return yuma_http::error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the node has {} WebSocket sessions open, its limit; retry later",
                ctx.limits.max_sessions
            ),
        );
    };
    let limit = ctx.max_body;
    upgrade
        .max_message_size(limit)
        .on_upgrade(move |socket| async move {
            super::ws::serve(ctx, socket).await;
            drop(session);
        })
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn http(State(ctx): State<Context>, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let status = rejection.status();
            let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                format!("request body exceeds {} bytes", ctx.max_body)
            } else {
                rejection.body_text()
            };
            return json_response(
                status,
                &response(Value::Null, Err(RpcError::new(INVALID_REQUEST, message))),
            );
        }
    };
    match handle_text(&ctx, &body).await {
        Some(reply) => json_response(StatusCode::OK, &reply),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

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
