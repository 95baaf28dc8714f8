//! A dev node against cheap attacks: it stays small at rest, and with a 1024-file limit,
//! 1,100 idle connections and three 1 MiB JSON-RPC batches at once it keeps producing blocks
//! and answers a normal request within a second.

use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use yuma_cli::process::Ready;

use crate::devnet::Service;

/// Resident memory of process `pid`, KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line")
}

async fn connect_from(from: [u8; 4], addr: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("a socket");
    socket
        .bind(SocketAddr::from((from, 0)))
        .expect("binds a loopback source");
    socket.connect(addr).await.expect("connects")
}

/// POSTs `body` from `from` and returns the JSON answer.
async fn post(from: [u8; 4], addr: SocketAddr, body: &[u8]) -> Value {
    let mut stream = connect_from(from, addr).await;
    let head = format!(
        "POST / HTTP/1.1\r\nhost: node\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("writes");
    stream.write_all(body).await.expect("writes");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("reads");
    let text = String::from_utf8_lossy(&answer);
    let (_, json) = text.split_once("\r\n\r\n").expect("an HTTP answer");
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {text}"))
}

async fn head(addr: SocketAddr) -> u64 {
    let request = json!({"jsonrpc": "2.0", "id": 1, "method": "chain_head"}).to_string();
    let answer = post([127, 0, 0, 1], addr, request.as_bytes()).await;
    answer["result"]["number"].as_u64().expect("a head")
}

#[test]
fn idle_connections_and_huge_batches_do_not_stop_the_node() {
    // The test itself holds 1,100 sockets.
    yuma_http::fd::raise_limit().expect("the file limit");
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut command = Command::new("bash");
    command.args(["-c", "ulimit -n 1024 && exec \"$0\" \"$@\""]);
    command.arg(env!("CARGO_BIN_EXE_yuma")).args([
        "node",
        "--dev",
        "--block-time",
        "100",
        "--rpc-port",
        "0",
        "--base-path",
    ]);
    command.arg(dir.path());
    let mut node = Service::spawn(command, None);
    let url = node.wait_ready(Ready::Rpc, Duration::from_secs(60));
    let addr: SocketAddr = url
        .trim_start_matches("http://")
        .parse()
        .expect("an address");
    let pid = node.id();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        // At rest, after a few blocks.
        while head(addr).await < 10 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let rest = rss_kib(pid);
        assert!(rest < 150 * 1024, "an idle dev node holds {rest} KiB");

        let mut idle = Vec::new();
        for _ in 0..1_100 {
            idle.push(connect_from([127, 0, 0, 2], addr).await);
        }
        let entries: Vec<Value> = (0..19_900)
            .map(|id| json!({"jsonrpc": "2.0", "id": id, "method": "rpc_discover"}))
            .collect();
        let batch = serde_json::to_vec(&entries).expect("JSON");
        assert!(
            batch.len() > 1_000_000 && batch.len() <= 1 << 20,
            "{} bytes",
            batch.len()
        );
        let answers =
            futures::future::join_all((3..6u8).map(|from| post([127, 0, 0, from], addr, &batch)))
                .await;
        for answer in answers {
            assert_eq!(answer["error"]["code"], json!(-32600), "{answer}");
            assert_eq!(
                answer["error"]["message"],
                json!("batch of 19900 entries exceeds the limit of 100")
            );
        }

        let asked = Instant::now();
        let before = head(addr).await;
        assert!(
            asked.elapsed() < Duration::from_secs(1),
            "a normal request took {:?}",
            asked.elapsed()
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
        let after = head(addr).await;
        assert!(after > before, "blocks stopped at {before}");
        let grown = rss_kib(pid).saturating_sub(rest);
        assert!(grown < 300 * 1024, "the node grew by {grown} KiB");
        drop(idle);
    });
    assert!(node.running(), "the node is still up");
}
