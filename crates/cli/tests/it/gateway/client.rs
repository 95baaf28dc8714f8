//! The user's side of the gateway test: a paying wallet, signed queries through `yuma query`,
//! raw unsigned requests, and polling the chain.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use yuma_primitives::NetUid;
use yuma_wallet::{Save, Wallet};

use crate::devnet::{DevNet, pair};
use crate::util::yuma_ok;

/// Saves the coldkey of `uri` unencrypted as wallet `name` under `dir`.
pub(super) fn user_wallet(dir: &Path, name: &str, uri: &str) {
    let wallet = Wallet::new(dir, name).expect("valid wallet name");
    let save = Save {
        password: None,
        overwrite: false,
    };
    wallet
        .save_coldkey(&pair(uri), None, save)
        .expect("temp dir is writable");
}

/// `yuma query --use-coldkey` as wallet `name`; the `--json` document.
pub(super) fn query(
    dir: &Path,
    name: &str,
    url: &str,
    receiver: &str,
    data: Option<&Value>,
) -> Value {
    let mut args = vec![
        "query".to_string(),
        url.into(),
        "--use-coldkey".into(),
        "--receiver".into(),
        receiver.into(),
        "--wallet-path".into(),
        dir.display().to_string(),
        "--wallet-name".into(),
        name.into(),
        "--json".into(),
    ];
    if let Some(data) = data {
        args.extend(["--data".into(), data.to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    serde_json::from_str(&yuma_ok(&args)).expect("query --json prints JSON")
}

/// An unsigned HTTP/1.1 request; the status and body.
pub(super) fn unsigned(addr: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("the gateway accepts");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("writes");
    let mut text = String::new();
    stream.read_to_string(&mut text).expect("reads");
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

pub(super) fn wait_until(within: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("{what} did not happen within {within:?}");
}

pub(super) fn incentive(net: &DevNet, netuid: NetUid, uri: &str) -> u16 {
    let hotkey = pair(uri).public();
    net.metagraph(netuid)
        .neurons
        .iter()
        .find(|n| n.hotkey == hotkey)
        .map_or(0, |n| n.incentive)
}
