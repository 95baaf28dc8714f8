//! A model served over HTTP by another program on this machine (or another): each challenge
//! is POSTed as JSON to its URL; a 2xx JSON body is the answer, a 4xx body's `"error"` (or
//! text) is why the model refused, anything else means the model is unavailable.

use std::time::Duration;

use serde_json::Value;
use tokio::runtime::Handle;

use super::{BackendError, MAX_ANSWER_BYTES};
use crate::task::{Failure, Solver};

/// Characters of a refusal's text relayed to the caller.
const MAX_REASON_CHARS: usize = 500;

/// Forwards challenges to a model server's URL.
#[derive(Debug, Clone)]
pub struct HttpBackend {
    url: reqwest::Url,
    client: reqwest::Client,
    timeout: Duration,
    runtime: Handle,
}

impl HttpBackend {
    /// A backend posting to `url` (plain `http://`), giving each challenge `timeout`; calls run
    /// on the current Tokio runtime.
    ///
    /// # Errors
    /// When `url` is not an `http://` URL, or outside a Tokio runtime.
    pub fn new(url: &str, timeout: Duration) -> Result<Self, BackendError> {
        let url = reqwest::Url::parse(url)
            .ok()
            .filter(|u| u.scheme() == "http" && u.host().is_some())
            .ok_or_else(|| BackendError::Unavailable(format!("{url:?} is not an http:// URL")))?;
        let runtime = Handle::try_current()
            .map_err(|e| BackendError::Unavailable(format!("no async runtime: {e}")))?;
        let client = reqwest::Client::builder()
            .no_proxy()
            .build()
            .map_err(|e| BackendError::Unavailable(e.to_string()))?;
        Ok(Self {
            url,
            client,
            timeout,
            runtime,
        })
    }

    async fn call(&self, challenge: Value) -> Result<Value, BackendError> {
        let unavailable = |e: reqwest::Error| BackendError::Unavailable(e.to_string());
        let mut response = self
            .client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(serde_json::to_vec(&challenge).unwrap_or_default())
            .send()
            .await
            .map_err(unavailable)?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unavailable)? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(BackendError::Unavailable(format!(
                    "the model server's answer is over {MAX_ANSWER_BYTES} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| {
                BackendError::Unavailable(format!("the model server's answer is not JSON: {e}"))
            });
        }
        if status.is_client_error() {
            let reason = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| v.get("error")?.as_str().map(str::to_owned))
                .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
            let reason: String = reason.trim().chars().take(MAX_REASON_CHARS).collect();
            return Err(BackendError::Refused(format!("{status}: {reason}")));
        }
        Err(BackendError::Unavailable(format!(
            "the model server answered {status}"
        )))
    }
}

impl Solver for HttpBackend {
    type Challenge = Value;
    type Answer = Value;
    type Error = BackendError;

    fn solve(&self, challenge: Value) -> Result<Value, BackendError> {
        let call = tokio::time::timeout(self.timeout, self.call(challenge));
        self.runtime
            .block_on(call)
            .unwrap_or(Err(BackendError::TimedOut(self.timeout)))
    }

    fn failure(&self, error: &BackendError) -> Failure {
        error.failure()
    }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::http::StatusCode;
    use axum::routing::post;
    use serde_json::json;

    use super::*;

    /// A model server on loopback: doubles `x`, refuses a negative one, answers 500 for
    /// zero, takes its time for 99, and answers over the size limit for 77.
    async fn model_server() -> String {
        let app = Router::new().route(
            "/solve",
            post(|axum::Json(c): axum::Json<Value>| async move {
                let x = c["x"].as_i64().unwrap_or(0);
                if x == 99 {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
                if x == 77 {
                    let huge = "x".repeat(MAX_ANSWER_BYTES + 1);
                    return (StatusCode::OK, axum::Json(json!({ "y": huge })));
                }
                match x {
                    0 => (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(json!({}))),
                    x if x < 0 => (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        axum::Json(json!({"error": "x must be positive"})),
                    ),
                    x => (StatusCode::OK, axum::Json(json!({ "y": 2 * x }))),
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let addr = listener.local_addr().expect("has an address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}/solve")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn relays_answers_refusals_failures_and_timeouts() {
        let url = model_server().await;
        let backend = HttpBackend::new(&url, Duration::from_millis(500)).expect("a backend");
        let solve = |x: i64| {
            let backend = backend.clone();
            tokio::task::spawn_blocking(move || backend.solve(json!({ "x": x })))
        };
        assert_eq!(solve(21).await.expect("runs"), Ok(json!({"y": 42})));
        let refused = solve(-1).await.expect("runs").expect_err("refused");
        assert_eq!(
            refused,
            BackendError::Refused("422 Unprocessable Entity: x must be positive".into())
        );
        let failed = solve(0).await.expect("runs").expect_err("fails");
        assert_eq!(failed.failure(), Failure::Unavailable);
        let huge = solve(77).await.expect("runs").expect_err("too big");
        assert!(matches!(huge, BackendError::Unavailable(_)), "{huge:?}");
        let slow = solve(99).await.expect("runs").expect_err("times out");
        assert_eq!(slow, BackendError::TimedOut(Duration::from_millis(500)));
        assert!(HttpBackend::new("ftp://x/", Duration::from_secs(1)).is_err());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_server_that_is_not_there_is_unavailable() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
        let url = format!("http://{}/solve", listener.local_addr().expect("address"));
        drop(listener);
        let backend = HttpBackend::new(&url, Duration::from_secs(2)).expect("a backend");
        let result = tokio::task::spawn_blocking(move || backend.solve(json!({})))
            .await
            .expect("runs");
        assert!(
            matches!(result, Err(BackendError::Unavailable(_))),
            "{result:?}"
        );
    }
}
