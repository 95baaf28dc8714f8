//! `yuma query` against a tiny local HTTP server that verifies btauth/1.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::thread::{self, JoinHandle};

use serde_json::{Value, json};
use yuma_keys::Pair;
use yuma_keys::btauth::{Verifier, unix_time_ns};
use yuma_wallet::{Save, Wallet};

use crate::util::{interop_script, python, yuma, yuma_err, yuma_ok};

const CLIENT_SEED: [u8; 32] = [7; 32];
const SERVER_SEED: [u8; 32] = [9; 32];

/// Saves the client's hotkey as `<dir>/w/hotkeys/h`, encrypted when `password` is given.
fn write_wallet_with(dir: &Path, password: Option<&str>) {
    let wallet = Wallet::new(dir, "w").expect("valid wallet name");
    let save = Save {
        password,
        overwrite: false,
    };
    wallet
        .save_hotkey("h", &Pair::from_seed(&CLIENT_SEED), None, save)
        .expect("temp dir is writable");
}

fn write_wallet(dir: &Path) {
    write_wallet_with(dir, None);
}

/// One HTTP request as the server read it.
struct Received {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn read_request(stream: &mut impl BufRead) -> Received {
    let mut line = String::new();
    stream.read_line(&mut line).expect("request line");
    let mut parts = line.split_whitespace();
    let method = parts.next().expect("method").to_owned();
    let target = parts.next().expect("target").to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).expect("header line");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').expect("name: value");
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, value)| value.parse().expect("numeric length"));
    let mut body = vec![0; length];
    stream.read_exact(&mut body).expect("body");
    Received {
        method,
        target,
        headers,
        body,
    }
}

/// Serves one request: verifies it with btauth/1 and answers 200 with `reply` or 401 with the
/// reason. `force_status` makes it answer that status whatever the verdict.
fn serve_once(reply: &'static str, force_status: Option<u16>) -> (String, JoinHandle<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let url = format!("http://{}", listener.local_addr().expect("bound address"));
    let handle = thread::spawn(move || {
        let (stream, _) = listener.accept().expect("one connection");
        let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
        let request = read_request(&mut reader);
        let verifier = Verifier::new(Some(Pair::from_seed(&SERVER_SEED).public()));
        let verdict = verifier.verify(
            request
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
            &request.method,
            &request.target,
            &request.body,
            unix_time_ns(),
        );
        let (status, body) = match (&verdict, force_status) {
            (_, Some(status)) => (status, "forced".to_owned()),
            (Ok(_), None) => (200, reply.to_owned()),
            (Err(error), None) => (error.http_status(), error.to_string()),
        };
        let mut stream = stream;
        write!(
            stream,
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("answer");
        request
    });
    (url, handle)
}

fn wallet_flags(dir: &Path) -> Vec<String> {
    let path = dir.to_str().expect("UTF-8 temp path").to_owned();
    [
        "--wallet-path",
        &path,
        "--wallet-name",
        "w",
        "--hotkey",
        "h",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn args<'a>(owned: &'a [String], extra: &[&'a str]) -> Vec<&'a str> {
    extra
        .iter()
        .copied()
        .chain(owned.iter().map(String::as_str))
        .collect()
}

#[test]
fn signed_post_is_accepted_and_the_body_printed() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_wallet(dir.path());
    let (url, server) = serve_once(r#"{"answer":42}"#, None);
    let url = format!("{url}/generate?n=2");
    let receiver = Pair::from_seed(&SERVER_SEED).public().to_ss58();
    let flags = wallet_flags(dir.path());
    let stdout = yuma_ok(&args(
        &flags,
        &[
            "query",
            &url,
            "--data",
            r#"{"prompt":"hi"}"#,
            "--receiver",
            &receiver,
            "-H",
            "X-Trace: 7",
        ],
    ));
    assert_eq!(stdout, r#"{"answer":42}"#);
    let request = server.join().expect("server thread");
    assert_eq!(request.method, "POST");
    assert_eq!(request.target, "/generate?n=2");
    assert_eq!(request.body, br#"{"prompt":"hi"}"#);
    assert!(
        request
            .headers
            .contains(&("x-trace".to_owned(), "7".to_owned()))
    );
}

#[test]
fn json_output_wraps_status_headers_and_body() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_wallet(dir.path());
    let (url, server) = serve_once(r#"{"answer":42}"#, None);
    let receiver = Pair::from_seed(&SERVER_SEED).public().to_ss58();
    let flags = wallet_flags(dir.path());
    let stdout = yuma_ok(&args(
        &flags,
        &["query", &url, "--receiver", &receiver, "--json"],
    ));
    let document: Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert_eq!(document["status"], json!(200));
    assert_eq!(
        document["headers"]["content-type"],
        json!("application/json")
    );
    assert_eq!(document["body"], json!(r#"{"answer":42}"#));
    assert_eq!(document["json"], json!({"answer": 42}));
    assert_eq!(server.join().expect("server thread").method, "GET");
}

#[test]
fn unbound_request_is_refused_with_exit_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_wallet(dir.path());
    let (url, server) = serve_once("unused", None);
    let flags = wallet_flags(dir.path());
    // No --receiver: the server requires receiver-bound requests and answers 403.
    let stderr = yuma_err(&args(&flags, &["query", &url]), 1);
    assert!(stderr.contains("HTTP 403"), "{stderr}");
    assert!(stderr.contains("missing X-Bittensor-Receiver"), "{stderr}");
    server.join().expect("server thread");
}

#[test]
fn http_401_exits_1_with_status_and_body_on_stderr() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_wallet(dir.path());
    let (url, server) = serve_once("unused", Some(401));
    let flags = wallet_flags(dir.path());
    let stderr = yuma_err(&args(&flags, &["query", &url, "-X", "delete"]), 1);
    assert!(stderr.contains("HTTP 401 Unauthorized: forced"), "{stderr}");
    assert_eq!(server.join().expect("server thread").method, "DELETE");

    // With --json the answer is still one document on stdout, and the exit code still 1.
    let (url, server) = serve_once("unused", Some(404));
    let output = yuma()
        .args(args(&flags, &["query", &url, "--json"]))
        .output()
        .expect("yuma runs");
    assert_eq!(output.status.code(), Some(1));
    let document: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(document["status"], json!(404));
    assert_eq!(document["body"], json!("forced"));
    server.join().expect("server thread");
}

#[test]
fn connection_errors_exit_2_and_name_the_url() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_wallet(dir.path());
    // Bind then drop: nothing listens on the port any more.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let url = format!("http://127.0.0.1:{port}/x");
    let flags = wallet_flags(dir.path());
    let stderr = yuma_err(&args(&flags, &["query", &url]), 2);
    assert!(stderr.contains(&format!("cannot reach {url}")), "{stderr}");
}

#[test]
fn bad_input_exits_2_before_any_request() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_wallet(dir.path());
    let flags = wallet_flags(dir.path());
    let stderr = yuma_err(&args(&flags, &["query", "https://example.invalid/"]), 2);
    assert!(stderr.contains("https is not supported"), "{stderr}");
    assert!(stderr.contains("hint:"), "{stderr}");
    let stderr = yuma_err(
        &args(&flags, &["query", "http://127.0.0.1:1/", "--data", "{nope"]),
        2,
    );
    assert!(stderr.contains("--data is not valid JSON"), "{stderr}");
    let stderr = yuma_err(
        &args(
            &flags,
            &["query", "http://127.0.0.1:1/", "-H", "X-Bittensor-Nonce: 1"],
        ),
        2,
    );
    assert!(stderr.contains("set by the btauth/1 signature"), "{stderr}");
    let stderr = yuma_err(
        &[
            "query",
            "http://127.0.0.1:1/",
            "--wallet-path",
            "/nonexistent",
        ],
        2,
    );
    assert!(stderr.contains("reading hotkey"), "{stderr}");
}

#[test]
fn encrypted_hotkey_takes_the_password_from_the_environment() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_wallet_with(dir.path(), Some("correct horse"));
    let flags = wallet_flags(dir.path());
    let receiver = Pair::from_seed(&SERVER_SEED).public().to_ss58();

    // No password and no terminal to ask on: a local error naming the variable.
    let stderr = yuma_err(&args(&flags, &["query", "http://127.0.0.1:1/"]), 2);
    assert!(stderr.contains("YUMA_WALLET_PASSWORD"), "{stderr}");

    let (url, server) = serve_once("decrypted", None);
    let output = yuma()
        .args(args(&flags, &["query", &url, "--receiver", &receiver]))
        .env("YUMA_WALLET_PASSWORD", "correct horse")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("yuma runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.stdout, b"decrypted");
    server.join().expect("server thread");

    let output = yuma()
        .args(args(&flags, &["query", "http://127.0.0.1:1/"]))
        .env("YUMA_WALLET_PASSWORD", "wrong")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("yuma runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("hint: check the password"));
}

/// Stops the Python server however the test ends.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
#[ignore = "needs YUMA_PYTHON (run scripts/test)"]
fn python_server_accepts_yuma_query() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_wallet(dir.path());
    let receiver = Pair::from_seed(&SERVER_SEED).public().to_ss58();
    let mut server = KillOnDrop(
        python()
            .arg(interop_script("btauth_server.py"))
            .arg(hex::encode(SERVER_SEED))
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("YUMA_PYTHON starts"),
    );
    let mut port = String::new();
    BufReader::new(server.0.stdout.take().expect("piped stdout"))
        .read_line(&mut port)
        .expect("server prints its port");
    let url = format!("http://127.0.0.1:{}/echo?x=1", port.trim());
    let flags = wallet_flags(dir.path());
    let accepted = yuma_ok(&args(
        &flags,
        &[
            "query",
            &url,
            "--data",
            r#"{"a":1}"#,
            "--receiver",
            &receiver,
        ],
    ));
    let as_json = yuma_ok(&args(
        &flags,
        &["query", &url, "--receiver", &receiver, "--json"],
    ));
    let unbound = yuma_err(&args(&flags, &["query", &url]), 1);
    drop(server);

    let accepted: Value = serde_json::from_str(&accepted).expect("server answers JSON");
    assert_eq!(
        accepted,
        json!({
            "hotkey": Pair::from_seed(&CLIENT_SEED).public().to_ss58(),
            "method": "POST",
            "path": "/echo?x=1",
            "body": r#"{"a":1}"#,
        })
    );
    let second: Value = serde_json::from_str(&as_json).expect("one JSON document");
    assert_eq!(second["status"], json!(200));
    assert_eq!(second["json"]["method"], json!("GET"));
    assert!(unbound.contains("HTTP 401"), "{unbound}");
    assert!(unbound.contains("WrongReceiver"), "{unbound}");
}
