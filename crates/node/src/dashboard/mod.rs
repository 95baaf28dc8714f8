//! The web dashboard: one page, a script and a style sheet, compiled into the binary and served
//! on the RPC port, so users open `http://127.0.0.1:9944/` with no build step.
//!
//! The page reads everything over the node's own WebSocket JSON-RPC (the same methods and
//! subscriptions as any client), so it shows nothing a script could not also get.

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const STYLE_CSS: &str = include_str!("assets/style.css");

/// The page itself, answered on `GET /` when the request is not a WebSocket upgrade.
pub(crate) fn index() -> Response {
    asset("text/html; charset=utf-8", INDEX_HTML)
}

/// The dashboard's assets under `/dashboard/`.
pub(crate) fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/dashboard/", get(|| async { index() }))
        .route(
            "/dashboard/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/dashboard/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE_CSS) }),
        )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_the_assets_it_is_served_with() {
        for path in ["/dashboard/app.js", "/dashboard/style.css"] {
            assert!(INDEX_HTML.contains(path), "index.html does not load {path}");
        }
    }

    #[test]
    fn subnet_identity_is_shown_escaped() {
        assert!(
            INDEX_HTML.contains("<th>name</th>"),
            "subnets table has a name column"
        );
        assert!(INDEX_HTML.contains("id=\"subnet-identity\""));
        // The owner chooses these strings: each reaches the page only through `esc`.
        for field in [
            "s.identity.name",
            "id.name",
            "id.description",
            "id.task_protocol",
            "id.task_hash",
            "id.task_url",
        ] {
            assert!(
                APP_JS.contains(&format!("esc({field})")),
                "app.js shows {field} unescaped or not at all"
            );
        }
    }

    #[test]
    fn script_only_calls_methods_the_node_serves() {
        let methods = crate::rpc::OPENRPC;
        for method in [
            "chain_head",
            "chain_finalizedHead",
            "chain_totalIssuance",
            "chain_block",
            "subnet_list",
            "subnet_metagraph",
            "chain_subscribeNewHeads",
            "chain_subscribeEvents",
        ] {
            assert!(
                APP_JS.contains(&format!("\"{method}\"")),
                "app.js no longer calls {method}"
            );
            assert!(
                methods.contains(&format!("\"{method}\"")),
                "the node does not serve {method}"
            );
        }
    }
}
