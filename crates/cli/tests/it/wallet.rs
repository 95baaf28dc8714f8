//! `yuma wallet ...`: creating, restoring, listing and showing wallets, signing and verifying,
//! their failure paths, and interop with the Python `bittensor-wallet` (ignored without
//! `YUMA_PYTHON`). Every test works in its own temporary wallet path.

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
fn regen_from_known_mnemonic() {
    let root = temp();
    let cold = wallet_json(
        root.path(),
        &["regen-coldkey", "--mnemonic", PHRASE, "--no-password"],
    );
    assert_eq!(cold["created"][0]["ss58"], SS58);
    // Restoring does not print the mnemonic back.
    assert!(cold["created"][0].get("mnemonic").is_none());

    // The words may also come as separate arguments.
    let mut args = vec!["regen-hotkey", "--hotkey", "h2", "--mnemonic"];
    args.extend(PHRASE.split(' '));
    let hot = wallet_json(root.path(), &args);
    assert_eq!(hot["created"][0]["ss58"], SS58);
    assert_eq!(wallet_json(root.path(), &["show"])["coldkey"], SS58);

    let stderr = wallet_err(
        root.path(),
        &[
            "regen-coldkey",
            "--mnemonic",
            "average sniff social",
            "--wallet-name",
            "x",
        ],
        2,
    );
    assert!(stderr.contains("mnemonic"), "{stderr}");
}

#[test]
fn sign_and_verify_with_coldkey_and_hotkey() {
    let root = temp();
    wallet_ok(
        root.path(),
        &["regen-coldkey", "--mnemonic", PHRASE, "--no-password"],
    );
    wallet_ok(root.path(), &["new-hotkey"]);
    let hotkey = wallet_json(root.path(), &["show"])["hotkeys"][0]["ss58"].clone();

    let signed = wallet_json(root.path(), &["sign", "--message", "hello yuma"]);
    assert_eq!(signed["signer"], SS58);
    let signature = signed["signature"].as_str().expect("hex").to_owned();
    assert!(
        signature.starts_with("0x") && signature.len() == 2 + 128,
        "{signature}"
    );

    let verified = wallet_json(
        root.path(),
        &[
            "verify",
            "--message",
            "hello yuma",
            "--signature",
            &signature,
            "--address",
            SS58,
        ],
    );
    assert_eq!(verified["valid"], true);
    // btcli prints signatures without 0x; both spellings are accepted.
    wallet_ok(
        root.path(),
        &[
            "verify",
            "--message",
            "hello yuma",
            "--signature",
            &signature[2..],
            "--address",
            SS58,
        ],
    );
    // The address may be a hex public key.
    let public_hex = "0xf0418656bb5167b4f0625bb3762f2a6af2f2e3fb7990d53c24c985c30b36751d";
    wallet_ok(
        root.path(),
        &[
            "verify",
            "--message",
            "hello yuma",
            "--signature",
            &signature,
            "--address",
            public_hex,
        ],
    );

    // Another message, or another signer: refused with exit 1.
    let stderr = wallet_err(
        root.path(),
        &[
            "verify",
            "--message",
            "hello yumA",
            "--signature",
            &signature,
            "--address",
            SS58,
        ],
        1,
    );
    assert!(stderr.contains("not"), "{stderr}");
    let hotkey_ss58 = hotkey.as_str().expect("ss58");
    wallet_err(
        root.path(),
        &[
            "verify",
            "--message",
            "hello yuma",
            "--signature",
            &signature,
            "--address",
            hotkey_ss58,
        ],
        1,
    );

    let by_hotkey = wallet_json(root.path(), &["sign", "--message", "m", "--use-hotkey"]);
    assert_eq!(by_hotkey["signer"], hotkey);
    let hot_signature = by_hotkey["signature"].as_str().expect("hex");
    wallet_ok(
        root.path(),
        &[
            "verify",
            "--message",
            "m",
            "--signature",
            hot_signature,
            "--address",
            hotkey_ss58,
        ],
    );

    // Malformed input is a usage error, not a refusal.
    wallet_err(
        root.path(),
        &[
            "verify",
            "--message",
            "m",
            "--signature",
            "0x1234",
            "--address",
            SS58,
        ],
        2,
    );
    wallet_err(
        root.path(),
        &[
            "verify",
            "--message",
            "m",
            "--signature",
            hot_signature,
            "--address",
            "5Bad",
        ],
        2,
    );
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

/// A wallet made by the Python `bittensor-wallet` (coldkey restored from [`PHRASE`], plain or
/// encrypted; a new plain hotkey) opens in `yuma`: same addresses, Python's signatures verify,
/// and `yuma`'s signatures verify in Python.
fn python_wallet_opens_in_yuma(password: Option<&str>) {
    let root = temp();
    let path = root.path().to_str().expect("UTF-8");
    let made = run_python(
        "wallet_create.py",
        &json!({
            "path": path, "name": "py", "hotkey": "hk", "mnemonic": PHRASE,
            "password": password, "message": "from python",
        }),
    );
    assert_eq!(made["coldkey"], SS58);
    let hotkey = made["hotkey"].as_str().expect("ss58");

    let shown = wallet_json(root.path(), &["show", "--wallet-name", "py"]);
    assert_eq!(shown["coldkey"], SS58);
    assert_eq!(shown["coldkey_encrypted"], password.is_some());
    assert_eq!(shown["hotkeys"], json!([{"name": "hk", "ss58": hotkey}]));

    for (signer, signature) in [
        (SS58, &made["coldkey_signature"]),
        (hotkey, &made["hotkey_signature"]),
    ] {
        let signature = signature.as_str().expect("hex");
        wallet_ok(
            root.path(),
            &[
                "verify",
                "--message",
                "from python",
                "--signature",
                signature,
                "--address",
                signer,
            ],
        );
    }

    let sign = [
        "sign",
        "--message",
        "from yuma",
        "--wallet-name",
        "py",
        "--json",
    ];
    let by_coldkey = match password {
        Some(password) => json_of(&with_password(root.path(), password, &sign)),
        None => wallet_json(root.path(), &sign[..5]),
    };
    assert_eq!(by_coldkey["signer"], SS58);
    let by_hotkey = wallet_json(
        root.path(),
        &[
            "sign",
            "--message",
            "from yuma",
            "--wallet-name",
            "py",
            "--hotkey",
            "hk",
            "--use-hotkey",
        ],
    );
    assert_eq!(by_hotkey["signer"], hotkey);

    let opened = run_python(
        "wallet_open.py",
        &json!({
            "path": path, "name": "py", "hotkey": "hk", "password": password,
            "message": "from yuma",
            "signatures": [
                {"ss58": SS58, "signature": by_coldkey["signature"]},
                {"ss58": hotkey, "signature": by_hotkey["signature"]},
                // A signature of another message must not verify.
                {"ss58": SS58, "signature": made["coldkey_signature"]},
            ],
        }),
    );
    assert_eq!(opened["valid"], json!([true, true, false]));
}

#[test]
#[ignore = "needs YUMA_PYTHON (run scripts/test)"]
fn python_plain_wallet_opens_in_yuma() {
    python_wallet_opens_in_yuma(None);
}

#[test]
#[ignore = "needs YUMA_PYTHON (run scripts/test)"]
fn python_encrypted_wallet_opens_in_yuma() {
    python_wallet_opens_in_yuma(Some("py pass 1234"));
}

/// A wallet made by `yuma create` (plain or encrypted) opens in Python: same addresses, the
/// coldkey unlocks with the password, and signatures verify both ways.
fn yuma_wallet_opens_in_python(password: Option<&str>) {
    let root = temp();
    let path = root.path().to_str().expect("UTF-8");
    let create = ["create", "--wallet-name", "rs", "--hotkey", "hk", "--json"];
    let created = match password {
        Some(password) => json_of(&with_password(root.path(), password, &create)),
        None => wallet_json(root.path(), &[&create[..5], &["--no-password"]].concat()),
    };
    let coldkey = created["created"][0]["ss58"].as_str().expect("ss58");
    let hotkey = created["created"][1]["ss58"].as_str().expect("ss58");

    let sign = [
        "sign",
        "--message",
        "from yuma",
        "--wallet-name",
        "rs",
        "--json",
    ];
    let by_coldkey = match password {
        Some(password) => json_of(&with_password(root.path(), password, &sign)),
        None => wallet_json(root.path(), &sign[..5]),
    };
    let by_hotkey = wallet_json(
        root.path(),
        &[
            "sign",
            "--message",
            "from yuma",
            "--wallet-name",
            "rs",
            "--hotkey",
            "hk",
            "--use-hotkey",
        ],
    );

    let opened = run_python(
        "wallet_open.py",
        &json!({
            "path": path, "name": "rs", "hotkey": "hk", "password": password,
            "message": "from yuma",
            "signatures": [
                {"ss58": coldkey, "signature": by_coldkey["signature"]},
                {"ss58": hotkey, "signature": by_hotkey["signature"]},
                {"ss58": hotkey, "signature": by_coldkey["signature"]},
            ],
        }),
    );
    assert_eq!(opened["coldkeypub"], coldkey);
    assert_eq!(opened["coldkey"], coldkey);
    assert_eq!(opened["hotkeypub"], hotkey);
    assert_eq!(opened["hotkey"], hotkey);
    assert_eq!(opened["coldkey_encrypted"], password.is_some());
    assert_eq!(opened["valid"], json!([true, true, false]));

    for (signer, signature) in [
        (coldkey, &opened["coldkey_signature"]),
        (hotkey, &opened["hotkey_signature"]),
    ] {
        let signature = signature.as_str().expect("hex");
        wallet_ok(
            root.path(),
            &[
                "verify",
                "--message",
                "from yuma",
                "--signature",
                signature,
                "--address",
                signer,
            ],
        );
    }
}

#[test]
#[ignore = "needs YUMA_PYTHON (run scripts/test)"]
fn yuma_plain_wallet_opens_in_python() {
    yuma_wallet_opens_in_python(None);
}

#[test]
#[ignore = "needs YUMA_PYTHON (run scripts/test)"]
fn yuma_encrypted_wallet_opens_in_python() {
    yuma_wallet_opens_in_python(Some("rs pass 1234"));
}
