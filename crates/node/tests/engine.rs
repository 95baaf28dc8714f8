//! The whole node in-process: WebSocket subscriptions and JSON-RPC over WebSocket.

use std::net::SocketAddr;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use yuma_node::Config;

async fn next_json<S>(ws: &mut S) -> Value
where
    S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let message = tokio::time::timeout(Duration::from_secs(30), ws.next())
            .await
            .expect("a message in time")
            .expect("the socket is open")
            .expect("a valid frame");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("JSON");
        }
    }
}

/// A dev node on its own runtime, in a thread of its own.
struct DevNode {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    thread: std::thread::JoinHandle<Result<(), yuma_node::Error>>,
    _dir: tempfile::TempDir,
}

impl DevNode {
    async fn start(configure: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::dev(
            dir.path().to_path_buf(),
            Duration::from_millis(100),
            "127.0.0.1:0".parse().expect("an address"),
        );
        configure(&mut config);
        let (addr_tx, addr_rx) = tokio::sync::oneshot::channel::<SocketAddr>();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            yuma_node::engine::run(
                config,
                move |addr| {
                    let _ = addr_tx.send(addr);
                },
                async {
                    let _ = stopped.await;
                },
            )
        });
        let addr = addr_rx.await.expect("the node listens");
        Self {
            addr,
            stop,
            thread,
            _dir: dir,
        }
    }

    async fn stop(self) {
        self.stop.send(()).expect("the node runs");
        tokio::task::spawn_blocking(move || self.thread.join())
            .await
            .expect("joins")
            .expect("the node thread ends")
            .expect("a clean stop");
    }
}

async fn send<S>(ws: &mut S, request: Value)
where
    S: futures::Sink<Message> + Unpin,
    S::Error: std::fmt::Debug,
{
    ws.send(Message::text(request.to_string()))
        .await
        .expect("sends");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_rpc_and_subscriptions() {
    let node = DevNode::start(|_| {}).await;
    let addr = node.addr;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/"))
        .await
        .expect("connects");

    ws.send(Message::text(
        json!({"jsonrpc":"2.0","id":1,"method":"chain_genesisHash"}).to_string(),
    ))
    .await
    .expect("sends");
    let reply = next_json(&mut ws).await;
    assert_eq!(reply["id"], json!(1));
    assert!(reply["result"].as_str().expect("hex").starts_with("0x"));

    ws.send(Message::text(
        json!({"jsonrpc":"2.0","id":2,"method":"chain_subscribeNewHeads"}).to_string(),
    ))
    .await
    .expect("sends");
    let reply = next_json(&mut ws).await;
    let sub = reply["result"].clone();
    assert!(sub.is_u64(), "{reply}");
    let mut last = 0;
    for _ in 0..3 {
        let note = next_json(&mut ws).await;
        assert_eq!(note["method"], json!("chain_newHead"));
        assert_eq!(note["params"]["subscription"], sub);
        let number = note["params"]["result"]["number"]
            .as_u64()
            .expect("a number");
        assert!(number > last, "heads arrive in order");
        last = number;
    }

    ws.send(Message::text(
        json!({"jsonrpc":"2.0","id":3,"method":"chain_subscribeEvents"}).to_string(),
    ))
    .await
    .expect("sends");
    let mut saw_events = false;
    for _ in 0..10 {
        let note = next_json(&mut ws).await;
        if note["method"] == json!("chain_events") {
            assert!(note["params"]["result"]["block"].is_u64());
            saw_events = true;
            break;
        }
    }
    assert!(saw_events);

    // Every method of the OpenRPC document is served, and nothing else is advertised.
    let spec: Value = serde_json::from_str(yuma_node::rpc::OPENRPC).expect("valid JSON");
    let names: Vec<String> = spec["methods"]
        .as_array()
        .expect("methods")
        .iter()
        .map(|m| m["name"].as_str().expect("a name").to_string())
        .collect();
    assert!(names.len() >= 20);
    for (i, name) in names.iter().enumerate() {
        if name == "chain_subscribeNewHeads" || name == "chain_subscribeEvents" {
            continue; // exercised above
        }
        let id = 1000 + i;
        ws.send(Message::text(
            json!({"jsonrpc":"2.0","id":id,"method":name,"params":[]}).to_string(),
        ))
        .await
        .expect("sends");
        loop {
            let reply = next_json(&mut ws).await;
            if reply["id"] == json!(id) {
                assert_ne!(reply["error"]["code"], json!(-32601), "{name}: {reply}");
                break;
            }
        }
    }

    ws.send(Message::text("{not json")).await.expect("sends");
    let mut parse_error = false;
    for _ in 0..10 {
        let reply = next_json(&mut ws).await;
        if reply.get("error").is_some() {
            assert_eq!(reply["error"]["code"], json!(-32700));
            parse_error = true;
            break;
        }
    }
    assert!(parse_error);

    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_sessions_and_subscriptions_are_bounded() {
    let node = DevNode::start(|config| {
        config.jsonrpc_limits.max_sessions = 2;
        config.jsonrpc_limits.max_subscriptions = 2;
    })
    .await;
    let url = format!("ws://{}/", node.addr);
    let (mut ws, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("connects");
    for id in 1..=2 {
        send(
            &mut ws,
            json!({"jsonrpc":"2.0","id":id,"method":"chain_subscribeNewHeads"}),
        )
        .await;
    }
    send(
        &mut ws,
        json!({"jsonrpc":"2.0","id":3,"method":"chain_subscribeEvents"}),
    )
    .await;
    let mut refused = None;
    for _ in 0..20 {
        let reply = next_json(&mut ws).await;
        if reply["id"] == json!(3) {
            refused = Some(reply);
            break;
        }
    }
    let refused = refused.expect("an answer to the third subscription");
    assert_eq!(refused["error"]["code"], json!(-32600), "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .expect("a message")
            .contains("2 subscriptions"),
        "{refused}"
    );
    // Unsubscribing makes room again.
    send(
        &mut ws,
        json!({"jsonrpc":"2.0","id":4,"method":"chain_unsubscribe","params":[1]}),
    )
    .await;
    send(
        &mut ws,
        json!({"jsonrpc":"2.0","id":5,"method":"chain_subscribeEvents"}),
    )
    .await;
    let mut accepted = false;
    for _ in 0..20 {
        let reply = next_json(&mut ws).await;
        if reply["id"] == json!(5) {
            assert!(reply["result"].is_u64(), "{reply}");
            accepted = true;
            break;
        }
    }
    assert!(accepted);

    // A second session fits; a third is refused with 503 until one closes.
    let (second, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("a second session");
    let third = tokio_tungstenite::connect_async(&url).await;
    match third {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 503);
        }
        other => panic!("a third session was not refused: {:?}", other.map(|_| ())),
    }
    drop(second);
    let mut reopened = false;
    for _ in 0..50 {
        if tokio_tungstenite::connect_async(&url).await.is_ok() {
            reopened = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reopened, "a closed session frees its place");
    node.stop().await;
}
