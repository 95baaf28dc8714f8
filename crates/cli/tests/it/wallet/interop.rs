//! Wallets written by the Python `bittensor-wallet` open in yuma, and the other way round.

use super::*;

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
