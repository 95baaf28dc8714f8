//! HTTP serving with limits for the node, miners and the gateway: connection caps, timeouts,
//! per-client rate limits.
//!
//! [`serve`] runs an axum `Router` on a listener the way `axum::serve` does,
//! with the limits a public endpoint needs ([`Limits`]):
//!
//! - at most [`Limits::max_connections`] connections at once: past that the server stops
//!   accepting, so new connections wait in the kernel's backlog and hold no descriptor here;
//! - at most [`Limits::max_connections_per_ip`] from one address: more are closed at once;
//! - [`Limits::header_timeout`] to send a request's headers, counted from when the server
//!   starts waiting for them, so it also closes idle keep-alive connections;
//! - [`Limits::request_timeout`] to receive the body and answer (503 past it);
//! - a token bucket per address ([`Limits::requests_per_second`], [`Limits::burst`]): 429
//!   with `Retry-After` when it is empty.
//!
//! Refusals are JSON `{"error": "..."}` ([`error_response`]; [`with_json_fallbacks`] answers
//! unknown paths and wrong methods the same way). [`fd`] raises the process's file
//! limit and sizes the connection cap below it, so no client load can make a write of the
//! store fail for lack of descriptors. WebSocket upgrades are handed to their handler and no
//! longer count as connections: handlers that upgrade bound their own sessions.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod clients;
pub mod fd;
mod limits;
mod serve;

pub use limits::Limits;
pub use serve::serve;

use axum::Router;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// A JSON error answer: `{"error": message}` with `status`.
pub fn error_response(status: StatusCode, message: impl std::fmt::Display) -> Response {
    let body = serde_json::json!({ "error": message.to_string() }).to_string();
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// `router` answering unknown paths (404) and wrong methods (405) with JSON errors too.
pub fn with_json_fallbacks(router: Router) -> Router {
    router
        .fallback(|uri: Uri| async move {
            error_response(
                StatusCode::NOT_FOUND,
                format!("no route for {}", uri.path()),
            )
        })
        .method_not_allowed_fallback(|method: Method, uri: Uri| async move {
            error_response(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("{method} is not allowed on {}", uri.path()),
            )
        })
}
