//! `yuma wallet ...`: creating, restoring, listing and showing wallets, signing and verifying,
//! their failure paths, and interop with the Python `bittensor-wallet` (ignored without
//! `YUMA_PYTHON`). Every test works in its own temporary wallet path.

mod interop;
mod signing;

use std::path::Path;
use std::process::{Output, Stdio};

use serde_json::{Value, json};

use crate::util::{run_python, yuma, yuma_err, yuma_ok};

const PHRASE: &str =
    "average sniff social garden method chuckle satoshi manage behind outdoor wine apple";
const SS58: &str = "5HVipBvgGzr77LUTzdkz3mcczr9MytyPyhzJyHeiwFmo2uFS";

/// `yuma wallet <args> --wallet-path <root>`.
fn wallet_args<'a>(root: &'a Path, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["wallet"];
    all.extend_from_slice(args);
    all.extend_from_slice(&[
        "--wallet-path",
        root.to_str().expect("temp paths are UTF-8"),
    ]);
    all
}

fn wallet_ok(root: &Path, args: &[&str]) -> String {
    yuma_ok(&wallet_args(root, args))
}

fn wallet_json(root: &Path, args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.push("--json");
    let stdout = wallet_ok(root, &args);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {stdout}"))
}

fn wallet_err(root: &Path, args: &[&str], code: i32) -> String {
    yuma_err(&wallet_args(root, args), code)
}

/// Runs `yuma wallet <args>` with `YUMA_WALLET_PASSWORD` set (stdin closed).
fn with_password(root: &Path, password: &str, args: &[&str]) -> Output {
    yuma()
        .args(wallet_args(root, args))
        .env("YUMA_WALLET_PASSWORD", password)
        .stdin(Stdio::null())
        .output()
        .expect("the yuma binary runs")
}

fn json_of(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "failed with {}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON document")
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

#[test]
fn create_without_password_then_show_and_list() {
    let root = temp();
    let created = wallet_json(
        root.path(),
        &[
            "create",
            "--no-password",
            "--wallet-name",
            "alice",
            "--hotkey",
            "miner",
        ],
    );
    let keys = created["created"].as_array().expect("created keys");
    assert_eq!(keys.len(), 2);
    let (cold, hot) = (&keys[0], &keys[1]);
    assert_eq!(cold["key"], "coldkey");
    assert_eq!(cold["encrypted"], false);
    assert_eq!(hot["key"], "hotkey");
    assert_eq!(hot["name"], "miner");
    for key in keys {
        let phrase = key["mnemonic"]
            .as_str()
            .expect("new keys show their mnemonic");
        assert_eq!(phrase.split(' ').count(), 12);
    }

    let dir = root.path().join("alice");
    for file in [
        "coldkey",
        "coldkeypub.txt",
        "hotkeys/miner",
        "hotkeys/minerpub.txt",
    ] {
        assert!(dir.join(file).is_file(), "{file}");
    }
    let coldkey = std::fs::read_to_string(dir.join("coldkey")).expect("plain coldkey");
    assert!(coldkey.starts_with('{'), "{coldkey}");

    let shown = wallet_json(root.path(), &["show", "--wallet-name", "alice"]);
    assert_eq!(shown["name"], "alice");
    assert_eq!(shown["path"], dir.to_str().expect("UTF-8"));
    assert_eq!(shown["coldkey"], cold["ss58"]);
    assert_eq!(shown["coldkey_encrypted"], false);
    assert_eq!(
        shown["hotkeys"],
        json!([{"name": "miner", "ss58": hot["ss58"]}])
    );

    // Show never prints a secret.
    let human = wallet_ok(root.path(), &["show", "--wallet-name", "alice"]);
    assert!(human.contains(cold["ss58"].as_str().expect("ss58")));
    for key in keys {
        let first_word = key["mnemonic"].as_str().and_then(|p| p.split(' ').nth(1));
        let phrase = key["mnemonic"].as_str().expect("phrase");
        assert!(!human.contains(phrase), "{first_word:?}");
    }

    wallet_ok(
        root.path(),
        &["create", "--no-password", "--wallet-name", "bob"],
    );
    let listed = wallet_json(root.path(), &["list"]);
    let names: Vec<&str> = listed["wallets"]
        .as_array()
        .expect("wallets")
        .iter()
        .map(|w| w["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["alice", "bob"]);
    assert_eq!(listed["wallets"][0]["coldkey"], cold["ss58"]);
    assert_eq!(listed["wallets"][1]["hotkeys"][0]["name"], "default");
}

#[test]
fn create_with_password_from_environment() {
    let root = temp();
    let output = with_password(
        root.path(),
        "s3cret pass",
        &["create", "--n-words", "24", "--json"],
    );
    let created = json_of(&output);
    let cold = &created["created"][0];
    assert_eq!(cold["encrypted"], true);
    assert_eq!(
        cold["mnemonic"]
            .as_str()
            .expect("phrase")
            .split(' ')
            .count(),
        24
    );
    let data = std::fs::read(root.path().join("default/coldkey")).expect("coldkey");
    assert!(data.starts_with(b"$NACL"));
    // The hotkey stays plain, as btcli makes it.
    assert_eq!(created["created"][1]["encrypted"], false);

    // The public key needs no password.
    let shown = wallet_json(root.path(), &["show"]);
    assert_eq!(shown["coldkey"], cold["ss58"]);
    assert_eq!(shown["coldkey_encrypted"], true);

    let signed = json_of(&with_password(
        root.path(),
        "s3cret pass",
        &["sign", "--message", "hello", "--json"],
    ));
    assert_eq!(signed["signer"], cold["ss58"]);
    let signature = signed["signature"].as_str().expect("signature");
    wallet_ok(
        root.path(),
        &[
            "verify",
            "--message",
            "hello",
            "--signature",
            signature,
            "--address",
            cold["ss58"].as_str().expect("ss58"),
        ],
    );

    let wrong = with_password(root.path(), "not it", &["sign", "--message", "hello"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("wrong password"));

    // No password source at all: a clear error, not a hang.
    let stderr = wallet_err(root.path(), &["sign", "--message", "hello"], 2);
    assert!(stderr.contains("needs a password"), "{stderr}");
    assert!(
        stderr.contains("hint: set YUMA_WALLET_PASSWORD"),
        "{stderr}"
    );
}

#[test]
fn create_needs_a_password_source_and_writes_nothing_without_one() {
    let root = temp();
    let stderr = wallet_err(root.path(), &["create"], 2);
    assert!(
        stderr.contains("hint: set YUMA_WALLET_PASSWORD"),
        "{stderr}"
    );
    assert!(stderr.contains("--no-password"), "{stderr}");
    assert!(!root.path().join("default").exists());

    let empty = with_password(root.path(), "", &["new-coldkey"]);
    assert_eq!(empty.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("password is empty"));
}

#[test]
fn missing_wallet_is_an_error_with_a_hint() {
    let root = temp();
    let stderr = wallet_err(root.path(), &["show", "--wallet-name", "ghost"], 2);
    assert!(stderr.contains("wallet ghost does not exist"), "{stderr}");
    assert!(
        stderr.contains("hint: create it with `yuma wallet create"),
        "{stderr}"
    );

    let stderr = wallet_err(root.path(), &["sign", "--message", "m"], 2);
    assert!(stderr.contains("coldkey does not exist"), "{stderr}");
    assert!(stderr.contains("hint:"), "{stderr}");

    let stderr = wallet_err(root.path(), &["sign", "--message", "m", "--use-hotkey"], 2);
    assert!(stderr.contains("does not exist"), "{stderr}");

    // An empty wallet path lists nothing (and is not an error).
    assert_eq!(wallet_json(root.path(), &["list"])["wallets"], json!([]));
}

#[test]
fn existing_keys_are_never_overwritten_without_the_flag() {
    let root = temp();
    wallet_ok(root.path(), &["create", "--no-password"]);
    let dir = root.path().join("default");
    let before: Vec<Vec<u8>> = ["coldkey", "coldkeypub.txt", "hotkeys/default"]
        .iter()
        .map(|f| std::fs::read(dir.join(f)).expect("key file"))
        .collect();

    for args in [
        &["create", "--no-password"][..],
        &["new-coldkey", "--no-password"],
        &["new-hotkey"],
        &["regen-coldkey", "--mnemonic", PHRASE, "--no-password"],
        &["regen-hotkey", "--mnemonic", PHRASE],
    ] {
        let stderr = wallet_err(root.path(), args, 2);
        assert!(stderr.contains("already exists"), "{args:?}: {stderr}");
        assert!(
            stderr.contains("hint: pass --overwrite"),
            "{args:?}: {stderr}"
        );
    }
    let after: Vec<Vec<u8>> = ["coldkey", "coldkeypub.txt", "hotkeys/default"]
        .iter()
        .map(|f| std::fs::read(dir.join(f)).expect("key file"))
        .collect();
    assert_eq!(before, after);

    // A new hotkey name is fine, and --overwrite replaces on purpose.
    wallet_ok(root.path(), &["new-hotkey", "--hotkey", "second"]);
    wallet_ok(
        root.path(),
        &[
            "regen-coldkey",
            "--mnemonic",
            PHRASE,
            "--no-password",
            "--overwrite",
        ],
    );
    assert_eq!(wallet_json(root.path(), &["show"])["coldkey"], SS58);
}

#[test]
fn rejects_bad_flags() {
    let root = temp();
    let stderr = wallet_err(
        root.path(),
        &["create", "--no-password", "--n-words", "13"],
        2,
    );
    assert!(stderr.contains("12, 15, 18, 21 or 24"), "{stderr}");
    let stderr = wallet_err(
        root.path(),
        &["create", "--no-password", "--wallet-name", "../escape"],
        2,
    );
    assert!(stderr.contains("invalid wallet name"), "{stderr}");
    let stderr = wallet_err(root.path(), &["new-hotkey", "--hotkey", "xpub.txt"], 2);
    assert!(stderr.contains("invalid hotkey name"), "{stderr}");
}
