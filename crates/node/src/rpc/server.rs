//! The axum router: JSON-RPC over HTTP, the WebSocket upgrade, `/metrics` and the dashboard.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Request, State, WebSocketUpgrade};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;

use super::context::Context;
use super::dispatch::handle_text;
use super::jsonrpc::{INVALID_REQUEST, RpcError, response};

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
