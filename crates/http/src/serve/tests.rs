//! The limits against real sockets on loopback.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::oneshot;

use crate::{Limits, serve};

fn router() -> Router {
    Router::new()
        .route(
            "/",
            get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        )
}

/// Starts a server with `limits`; its address and the sender that stops it.
async fn start(limits: Limits) -> (SocketAddr, oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("an address");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(serve(listener, router(), limits, async {
        let _ = stopped.await;
    }));
    (addr, stop)
}

/// Connects to `addr` from the loopback address `from`.
async fn connect_from(from: [u8; 4], addr: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("a socket");
    socket
        .bind(SocketAddr::from((from, 0)))
        .expect("binds a loopback source");
    socket.connect(addr).await.expect("connects")
}

/// Sends GET `path` and reads the whole answer (the server closes after it).
async fn get_on(stream: &mut TcpStream, path: &str) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("writes");
    let mut answer = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_string(&mut answer)).await;
    answer
}

/// Whether the server closed `stream` within `within` (reads end of file).
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut byte = [0u8; 1];
    matches!(
        tokio::time::timeout(within, stream.read(&mut byte)).await,
        Ok(Ok(0) | Err(_))
    )
}

fn limits() -> Limits {
    Limits {
        header_timeout: Duration::from_millis(300),
        ..Limits::default()
    }
}

#[tokio::test]
async fn answers_and_tells_the_handler_who_asked() {
    let (addr, _stop) = start(limits()).await;
    let mut stream = connect_from([127, 0, 0, 1], addr).await;
    let answer = get_on(&mut stream, "/").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("127.0.0.1"), "{answer}");
}

#[tokio::test]
async fn idle_connections_are_closed() {
    let (addr, _stop) = start(limits()).await;
    // Silent from the start.
    let mut silent = connect_from([127, 0, 0, 1], addr).await;
    assert!(closed_within(&mut silent, Duration::from_secs(3)).await);
    // Idle after a keep-alive request.
    let mut idle = connect_from([127, 0, 0, 1], addr).await;
    idle.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .expect("writes");
    let mut buffer = [0u8; 512];
    let read = idle.read(&mut buffer).await.expect("an answer");
    assert!(buffer[..read].starts_with(b"HTTP/1.1 200"));
    assert!(closed_within(&mut idle, Duration::from_secs(3)).await);
    // Half a header, then nothing.
    let mut slow = connect_from([127, 0, 0, 1], addr).await;
    slow.write_all(b"GET / HTTP/1.1\r\nhost:")
        .await
        .expect("writes");
    assert!(closed_within(&mut slow, Duration::from_secs(3)).await);
}

#[tokio::test]
async fn one_address_cannot_take_every_connection() {
    let (addr, _stop) = start(Limits {
        max_connections: 8,
        max_connections_per_ip: 3,
        header_timeout: Duration::from_secs(30),
        ..Limits::default()
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect_from([127, 0, 0, 2], addr).await);
    }
    // The fourth from the same address is closed at once ...
    let mut fourth = connect_from([127, 0, 0, 2], addr).await;
    assert!(closed_within(&mut fourth, Duration::from_secs(3)).await);
    // ... while another address is still served.
    let mut other = connect_from([127, 0, 0, 3], addr).await;
    let answer = get_on(&mut other, "/").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn past_the_cap_connections_wait_for_a_free_slot() {
    let (addr, _stop) = start(Limits {
        max_connections: 2,
        max_connections_per_ip: 2,
        header_timeout: Duration::from_millis(500),
        ..Limits::default()
    })
    .await;
    let _a = connect_from([127, 0, 0, 4], addr).await;
    let _b = connect_from([127, 0, 0, 4], addr).await;
    // Accepted by the kernel, served once the idle two time out.
    let mut waiting = connect_from([127, 0, 0, 5], addr).await;
    let answer = get_on(&mut waiting, "/").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn an_empty_bucket_answers_429_in_json() {
    let (addr, _stop) = start(Limits {
        requests_per_second: 1,
        burst: 2,
        ..limits()
    })
    .await;
    for _ in 0..2 {
        let mut stream = connect_from([127, 0, 0, 6], addr).await;
        let answer = get_on(&mut stream, "/").await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    let mut stream = connect_from([127, 0, 0, 6], addr).await;
    let answer = get_on(&mut stream, "/").await;
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("retry-after: 1"),
        "{answer}"
    );
    assert!(
        answer.contains(r#"{"error":"too many requests"#),
        "{answer}"
    );
}

#[tokio::test]
async fn a_request_past_its_time_answers_503() {
    let (addr, _stop) = start(Limits {
        request_timeout: Duration::from_millis(200),
        ..limits()
    })
    .await;
    let mut stream = connect_from([127, 0, 0, 1], addr).await;
    let answer = get_on(&mut stream, "/slow").await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("not answered within 200 ms"), "{answer}");
}

#[tokio::test]
async fn stops_when_told() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, router(), limits(), async {
        let _ = stopped.await;
    }));
    let _ = stop.send(());
    let result = tokio::time::timeout(Duration::from_secs(5), server).await;
    assert!(matches!(result, Ok(Ok(Ok(())))));
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_json() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("an address");
    let router = crate::with_json_fallbacks(router());
    tokio::spawn(serve(listener, router, limits(), std::future::pending()));
    let mut stream = connect_from([127, 0, 0, 1], addr).await;
    let answer = get_on(&mut stream, "/nowhere").await;
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    assert!(
        answer.ends_with(r#"{"error":"no route for /nowhere"}"#),
        "{answer}"
    );
    let mut stream = connect_from([127, 0, 0, 1], addr).await;
    stream
        .write_all(b"DELETE / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await
        .expect("writes");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer).await;
    assert!(answer.starts_with("HTTP/1.1 405"), "{answer}");
    assert!(
        answer.ends_with(r#"{"error":"DELETE is not allowed on /"}"#),
        "{answer}"
    );
}
