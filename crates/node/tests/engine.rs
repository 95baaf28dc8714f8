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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_rpc_and_subscriptions() {
    // The node runs on its own runtime, in a thread of its own.
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config::dev(
        dir.path().to_path_buf(),
        Duration::from_millis(100),
        "127.0.0.1:0".parse().expect("an address"),
    );
    let (addr_tx, addr_rx) = tokio::sync::oneshot::channel::<SocketAddr>();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let node = std::thread::spawn(move || {
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

    stop.send(()).expect("the node runs");
    tokio::task::spawn_blocking(move || node.join())
        .await
        .expect("joins")
        .expect("the node thread ends")
        .expect("a clean stop");
}
