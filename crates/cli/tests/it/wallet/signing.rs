//! Signing and verifying with wallet keys, and keys regenerated from a known mnemonic.

use super::*;

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
