//! The accept loop and the per-connection service that applies [`Limits`].

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::Response;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower_service::Service;

use crate::clients::{Clients, Connection};
use crate::{Limits, error_response};

/// Pause after the listener fails to accept for lack of resources (e.g. descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves `router` on `listener` within `limits` until `shutdown` completes, then lets the
/// open connections finish their requests and returns once they have closed.
///
/// Handlers can read the client's address as `ConnectInfo<SocketAddr>`.
///
/// # Errors
/// Never at present; the `Result` leaves room for listener failures that are not transient.
pub async fn serve<F>(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send,
{
    let clients = Clients::new(&limits);
    let cap = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    let slots = Arc::new(Semaphore::new(cap as usize));
    let (closing, closed) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // Past the cap nothing is accepted: new connections wait in the kernel's backlog.
        let permit = tokio::select! {
            permit = Arc::clone(&slots).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(&error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(connection) = clients.connect(peer.ip(), Instant::now()) else {
            tracing::debug!(%peer, "connection closed: too many from this address");
            continue;
        };
        let gate = Gate {
            router: router.clone(),
            connection,
            peer,
            request_timeout: limits.request_timeout,
        };
        tokio::spawn(serve_connection(
            stream,
            gate,
            limits.header_timeout,
            closed.clone(),
            permit,
        ));
    }
    let _ = closing.send(true);
    let _ = slots.acquire_many(cap).await;
    Ok(())
}

/// Logs a failed accept and, when resources ran out, waits before the next.
async fn accept_failed(error: &std::io::Error) {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted => {}
        _ => {
            tracing::warn!(%error, "cannot accept a connection");
            tokio::time::sleep(ACCEPT_BACKOFF).await;
        }
    }
}

/// Serves one connection until it closes, or finishes its request once the server stops.
async fn serve_connection(
    stream: TcpStream,
    gate: Gate,
    header_timeout: Duration,
    mut closed: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    let _ = stream.set_nodelay(true);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let connection = builder
        .serve_connection(TokioIo::new(stream), gate)
        .with_upgrades();
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(error) = result {
                tracing::debug!(%error, "connection ended");
            }
            return;
        }
        _ = closed.wait_for(|closing| *closing) => connection.as_mut().graceful_shutdown(),
    }
    let _ = connection.await;
}

/// One connection's service: the client's request bucket, then the router within the
/// request timeout.
struct Gate {
    router: Router,
    connection: Connection,
    peer: SocketAddr,
    request_timeout: Duration,
}

type Answer = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for Gate {
    type Response = Response;
    type Error = Infallible;
    type Future = Answer;

    fn call(&self, mut request: Request<Incoming>) -> Answer {
        let clients = self.connection.clients();
        if let Err(wait) = clients.take(self.connection.ip(), Instant::now()) {
            return Box::pin(std::future::ready(Ok(too_many_requests(wait))));
        }
        request.extensions_mut().insert(ConnectInfo(self.peer));
        let mut router = self.router.clone();
        let limit = self.request_timeout;
        Box::pin(async move {
            let answer = async {
                let request = request.map(Body::new);
                let Ok(()) = std::future::poll_fn(|cx| {
                    Service::<Request<Body>>::poll_ready(&mut router, cx)
                })
                .await;
                let Ok(response) = router.call(request).await;
                response
            };
            Ok(tokio::time::timeout(limit, answer)
                .await
                .unwrap_or_else(|_| {
                    error_response(
                        StatusCode::SERVICE_UNAVAILABLE,
                        format!(
                            "the request was not answered within {} ms",
                            limit.as_millis()
                        ),
                    )
                }))
        })
    }
}

/// 429 with the wait until the client's bucket holds a request again.
fn too_many_requests(wait: Duration) -> Response {
    let mut response = error_response(
        StatusCode::TOO_MANY_REQUESTS,
        format!(
            "too many requests from this address; retry in {} ms",
            wait.as_millis()
        ),
    );
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

#[cfg(test)]
mod tests;
