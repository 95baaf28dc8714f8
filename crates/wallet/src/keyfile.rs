//! Key files as the Python package `bittensor-wallet` 4 writes and reads them.
//!
//! A key file is a JSON object, optionally sealed with NaCl. Plain files look like this (one
//! line, no trailing newline; field order does not matter):
//!
//! ```text
//! {"accountId":"0x<32-byte public key>","publicKey":"0x<same>","privateKey":"0x<64 bytes>",
//!  "secretPhrase":"<mnemonic>","secretSeed":"0x<32-byte mini-secret>",
//!  "ss58Address":"5...","cryptoType":1}
//! ```
//!
//! Public files (`coldkeypub.txt`, `hotkeys/<name>pub.txt`) hold only `accountId`, `publicKey`,
//! `ss58Address` and `cryptoType`. Keys made from a URI such as `//Alice` have no
//! `secretPhrase` and no `secretSeed`, only `privateKey` (the 64-byte expanded secret key).
//! When reading, the first present of `secretPhrase`, `secretSeed`, `privateKey` makes the
//! pair, as `bittensor-wallet` does; the public fields present must then agree with it.
//! `cryptoType` 1 is sr25519 and is the default when absent; `bittensor-wallet` also knows
//! ed25519 (0), which Yuma does not use.
//!
//! Encrypted files (`$NACL`), as `bittensor-wallet` seals them:
//!
//! ```text
//! +---------+------------------+--------------------+----------------------------+
//! | "$NACL" | nonce (24 bytes) | Poly1305 tag (16)  | XSalsa20 ciphertext (JSON) |
//! +---------+------------------+--------------------+----------------------------+
//! ```
//!
//! The box is NaCl's `crypto_secretbox` (XSalsa20-Poly1305). Its key is Argon2i (version 0x13,
//! 32-byte output) of the password with a fixed 16-byte salt and libsodium's "sensitive" limits
//! for Argon2i: 8 passes over 512 MiB, one lane. Sealing or opening a file therefore takes
//! seconds and 512 MiB of memory; that is the format, not a choice we can make. Older
//! `bittensor` releases also wrote
//! Ansible Vault (`$ANSIBLE_VAULT`) and Fernet (`gAAAAA`) files; they are recognised and
//! refused with [`Error::Unsupported`].

use crypto_secretbox::aead::{Aead, AeadCore, KeyInit, OsRng};
use crypto_secretbox::{Key, Nonce, XSalsa20Poly1305};
use serde::{Deserialize, Serialize};
use yuma_primitives::AccountId;
use zeroize::{Zeroize, Zeroizing};

use yuma_keys::{Mnemonic, Pair};

/// First bytes of a NaCl-encrypted key file.
pub const NACL_PREFIX: &[u8] = b"$NACL";
/// First bytes of an Ansible Vault key file (old `bittensor`).
const ANSIBLE_PREFIX: &[u8] = b"$ANSIBLE_VAULT";
/// First bytes of a Fernet key file (older `bittensor`).
const FERNET_PREFIX: &[u8] = b"gAAAAA";
/// XSalsa20 nonce length.
const NONCE_LEN: usize = 24;
/// Poly1305 tag length.
const TAG_LEN: usize = 16;
/// The salt `bittensor-wallet` uses for every password (`NACL_SALT` in its `keyfile.rs`).
const NACL_SALT: [u8; 16] = [
    0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc, 0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1,
];
/// `cryptoType` of sr25519 keys.
const SR25519: u64 = 1;

/// Why a key file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file is not a JSON object of the expected shape.
    #[error("key file is not valid JSON: {0}")]
    Json(String),
    /// A field is present but its value is malformed.
    #[error("key file field {field} is invalid: {reason}")]
    Field {
        /// The JSON field name.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A public field disagrees with the secret key or with another public field.
    #[error("key file field {0} does not match the key")]
    Mismatch(&'static str),
    /// The file holds neither a secret nor a public key.
    #[error("key file holds no key")]
    NoKey,
    /// The key is not sr25519.
    #[error("key file has cryptoType {0}; only sr25519 (1) is supported")]
    CryptoType(u64),
    /// The file is encrypted and no password was given.
    #[error("key file is encrypted and needs a password")]
    Encrypted,
    /// The password does not open the box (or the file was altered).
    #[error("wrong password, or the encrypted key file is damaged")]
    WrongPassword,
    /// The encrypted file is shorter than its header.
    #[error("encrypted key file is truncated ({0} bytes)")]
    Truncated(usize),
    /// The file uses an encryption Yuma does not read.
    #[error(
        "key file uses {0} encryption, which yuma does not read; re-encrypt it with bittensor-wallet 4"
    )]
    Unsupported(&'static str),
    /// The key derivation failed (a password longer than Argon2 accepts).
    #[error("deriving the key from the password failed: {0}")]
    Kdf(String),
}

/// How a key file's bytes are protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    /// Plain JSON.
    None,
    /// `$NACL`: Argon2i + XSalsa20-Poly1305, the current format.
    Nacl,
    /// `$ANSIBLE_VAULT`, written by old `bittensor` releases; not read by Yuma.
    AnsibleVault,
    /// Fernet (`gAAAAA`), written by older `bittensor` releases; not read by Yuma.
    Fernet,
}

impl Encryption {
    /// Recognises the encryption from the first bytes of a key file.
    pub fn of(data: &[u8]) -> Self {
        if data.starts_with(NACL_PREFIX) {
            Self::Nacl
        } else if data.starts_with(ANSIBLE_PREFIX) {
            Self::AnsibleVault
        } else if data.starts_with(FERNET_PREFIX) {
            Self::Fernet
        } else {
            Self::None
        }
    }

    /// Whether the file needs a password.
    pub fn is_encrypted(self) -> bool {
        self != Self::None
    }
}

/// What a key file holds.
pub struct Contents {
    /// The public key; every key file has one.
    pub account: AccountId,
    /// The secret key pair; `None` in public files.
    pub pair: Option<Pair>,
    /// The mnemonic, when the file kept it (`secretPhrase`).
    pub mnemonic: Option<Mnemonic>,
}

/// The JSON object of a key file. Secret strings are wiped when it is dropped.
#[derive(Default, Serialize, Deserialize)]
struct Fields {
    #[serde(rename = "accountId", skip_serializing_if = "Option::is_none")]
    account_id: Option<String>,
    #[serde(rename = "publicKey", skip_serializing_if = "Option::is_none")]
    public_key: Option<String>,
    #[serde(rename = "privateKey", skip_serializing_if = "Option::is_none")]
    private_key: Option<String>,
    #[serde(rename = "secretPhrase", skip_serializing_if = "Option::is_none")]
    secret_phrase: Option<String>,
    #[serde(rename = "secretSeed", skip_serializing_if = "Option::is_none")]
    secret_seed: Option<String>,
    #[serde(rename = "ss58Address", skip_serializing_if = "Option::is_none")]
    ss58_address: Option<String>,
    #[serde(rename = "cryptoType", skip_serializing_if = "Option::is_none")]
    crypto_type: Option<u64>,
}

impl Drop for Fields {
    fn drop(&mut self) {
        self.private_key.zeroize();
        self.secret_phrase.zeroize();
        self.secret_seed.zeroize();
    }
}

impl Fields {
    fn public(account: &AccountId) -> Self {
        let hex = format!("0x{}", hex::encode(account.as_bytes()));
        let mut fields = Self::default();
        fields.account_id = Some(hex.clone());
        fields.public_key = Some(hex);
        fields.ss58_address = Some(account.to_ss58());
        fields.crypto_type = Some(SR25519);
        fields
    }

    fn to_json(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(
            serde_json::to_vec(self).expect("a struct of strings and integers always serialises"),
        )
    }
}

/// The plain JSON key file for a secret key, with all the fields `bittensor-wallet` writes.
pub fn encode(pair: &Pair, mnemonic: Option<&Mnemonic>) -> Zeroizing<Vec<u8>> {
    let mut fields = Fields::public(&pair.public());
    fields.private_key = Some(format!("0x{}", hex::encode(*pair.secret_key())));
    fields.secret_seed = pair.seed().map(|seed| format!("0x{}", hex::encode(seed)));
    fields.secret_phrase = mnemonic.map(|m| m.phrase().to_string());
    fields.to_json()
}

/// The JSON public key file (`coldkeypub.txt`, `<hotkey>pub.txt`) for an account.
pub fn encode_public(account: &AccountId) -> Vec<u8> {
    Fields::public(account).to_json().to_vec()
}

/// Reads a plain JSON key file.
///
/// # Errors
/// [`Error::Encrypted`] or [`Error::Unsupported`] for encrypted data; [`Error::Json`],
/// [`Error::Field`], [`Error::Mismatch`], [`Error::NoKey`] or [`Error::CryptoType`] when the
/// JSON is not a usable sr25519 key.
pub fn decode(data: &[u8]) -> Result<Contents, Error> {
    match Encryption::of(data) {
        Encryption::None => {}
        Encryption::Nacl => return Err(Error::Encrypted),
        Encryption::AnsibleVault => return Err(Error::Unsupported("Ansible Vault")),
        Encryption::Fernet => return Err(Error::Unsupported("legacy Fernet")),
    }
    let fields: Fields = serde_json::from_slice(data).map_err(|e| Error::Json(e.to_string()))?;
    let crypto_type = fields.crypto_type.unwrap_or(SR25519);
    if crypto_type != SR25519 {
        return Err(Error::CryptoType(crypto_type));
    }
    let (pair, mnemonic) = if let Some(phrase) = &fields.secret_phrase {
        let mnemonic = Mnemonic::parse(phrase).map_err(|e| Error::Field {
            field: "secretPhrase",
            reason: e.to_string(),
        })?;
        (Some(Pair::from_mnemonic(&mnemonic)), Some(mnemonic))
    } else if let Some(seed) = &fields.secret_seed {
        let seed = Zeroizing::new(hex_bytes::<32>("secretSeed", seed)?);
        (Some(Pair::from_seed(&seed)), None)
    } else if let Some(secret) = &fields.private_key {
        let secret = Zeroizing::new(hex_bytes::<64>("privateKey", secret)?);
        let pair = Pair::from_secret_key(&secret).map_err(|e| Error::Field {
            field: "privateKey",
            reason: e.to_string(),
        })?;
        (Some(pair), None)
    } else {
        (None, None)
    };

    let mut account = pair.as_ref().map(Pair::public);
    let public_fields = [
        ("publicKey", &fields.public_key),
        ("accountId", &fields.account_id),
    ];
    for (field, value) in public_fields {
        if let Some(value) = value {
            agree(
                &mut account,
                field,
                AccountId(hex_bytes::<32>(field, value)?),
            )?;
        }
    }
    if let Some(address) = &fields.ss58_address {
        let stated = AccountId::from_ss58(address).map_err(|e| Error::Field {
            field: "ss58Address",
            reason: e.to_string(),
        })?;
        agree(&mut account, "ss58Address", stated)?;
    }
    let account = account.ok_or(Error::NoKey)?;
    Ok(Contents {
        account,
        pair,
        mnemonic,
    })
}

/// Records `stated` as the account, or checks it against the one already known.
fn agree(
    account: &mut Option<AccountId>,
    field: &'static str,
    stated: AccountId,
) -> Result<(), Error> {
    match account {
        Some(known) if *known != stated => Err(Error::Mismatch(field)),
        Some(_) => Ok(()),
        None => {
            *account = Some(stated);
            Ok(())
        }
    }
}

/// Decodes `N` bytes of hex, with or without a `0x` prefix.
fn hex_bytes<const N: usize>(field: &'static str, value: &str) -> Result<[u8; N], Error> {
    let digits = value.strip_prefix("0x").unwrap_or(value);
    let mut out = [0; N];
    hex::decode_to_slice(digits, &mut out).map_err(|e| Error::Field {
        field,
        reason: format!("expected {N} bytes of hex: {e}"),
    })?;
    Ok(out)
}

/// Argon2i cost settings for the password key.
#[derive(Debug, Clone, Copy)]
struct Kdf {
    passes: u32,
    memory_kib: u32,
}

impl Kdf {
    /// libsodium's `crypto_pwhash_argon2i_OPSLIMIT_SENSITIVE` (8 passes) and
    /// `MEMLIMIT_SENSITIVE` (512 MiB), which `bittensor-wallet` uses for every key file.
    const SENSITIVE: Self = Self {
        passes: 8,
        memory_kib: 512 * 1024,
    };

    fn derive(self, password: &str) -> Result<Zeroizing<[u8; 32]>, Error> {
        let params = argon2::Params::new(self.memory_kib, self.passes, 1, Some(32))
            .map_err(|e| Error::Kdf(e.to_string()))?;
        let argon = argon2::Argon2::new(argon2::Algorithm::Argon2i, argon2::Version::V0x13, params);
        let mut key = Zeroizing::new([0; 32]);
        argon
            .hash_password_into(password.as_bytes(), &NACL_SALT, key.as_mut())
            .map_err(|e| Error::Kdf(e.to_string()))?;
        Ok(key)
    }
}

/// Seals plain key file bytes with `password` into the `$NACL` format, with a fresh random
/// nonce.
///
/// # Errors
/// [`Error::Kdf`] when Argon2 rejects the password (longer than 4 GiB).
pub fn encrypt(plain: &[u8], password: &str) -> Result<Vec<u8>, Error> {
    encrypt_with(Kdf::SENSITIVE, plain, password)
}

fn encrypt_with(kdf: Kdf, plain: &[u8], password: &str) -> Result<Vec<u8>, Error> {
    let key = kdf.derive(password)?;
    let cipher = XSalsa20Poly1305::new(Key::from_slice(key.as_ref()));
    let nonce = XSalsa20Poly1305::generate_nonce(&mut OsRng);
    let sealed = cipher
        .encrypt(&nonce, plain)
        .expect("XSalsa20-Poly1305 encrypts any message that fits in memory");
    let mut out = Vec::with_capacity(NACL_PREFIX.len() + NONCE_LEN + sealed.len());
    out.extend_from_slice(NACL_PREFIX);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Opens `$NACL` key file bytes with `password`, returning the plain JSON.
///
/// # Errors
/// [`Error::WrongPassword`] when the box does not open, [`Error::Truncated`] when the data is
/// shorter than the header, [`Error::Unsupported`] for other encryptions and
/// [`Error::Json`] when the data is not encrypted at all.
pub fn decrypt(data: &[u8], password: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    decrypt_with(Kdf::SENSITIVE, data, password)
}

fn decrypt_with(kdf: Kdf, data: &[u8], password: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    match Encryption::of(data) {
        Encryption::Nacl => {}
        Encryption::None => return Err(Error::Json("expected $NACL encrypted data".into())),
        Encryption::AnsibleVault => return Err(Error::Unsupported("Ansible Vault")),
        Encryption::Fernet => return Err(Error::Unsupported("legacy Fernet")),
    }
    let body = &data[NACL_PREFIX.len()..];
    if body.len() < NONCE_LEN + TAG_LEN {
        return Err(Error::Truncated(data.len()));
    }
    let (nonce, sealed) = body.split_at(NONCE_LEN);
    let key = kdf.derive(password)?;
    let cipher = XSalsa20Poly1305::new(Key::from_slice(key.as_ref()));
    cipher
        .decrypt(Nonce::from_slice(nonce), sealed)
        .map(Zeroizing::new)
        .map_err(|_| Error::WrongPassword)
}

/// Reads key file bytes of any kind Yuma supports: plain JSON, or `$NACL` opened with
/// `password`.
///
/// # Errors
/// [`Error::Encrypted`] when the data is encrypted and `password` is `None`; otherwise as
/// [`decrypt`] and [`decode`].
pub fn open(data: &[u8], password: Option<&str>) -> Result<Contents, Error> {
    open_with(Kdf::SENSITIVE, data, password)
}

fn open_with(kdf: Kdf, data: &[u8], password: Option<&str>) -> Result<Contents, Error> {
    match (Encryption::of(data), password) {
        (Encryption::None, _) => decode(data),
        (Encryption::Nacl, Some(password)) => decode(&decrypt_with(kdf, data, password)?),
        (Encryption::Nacl, None) => Err(Error::Encrypted),
        (_, _) => decode(data),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHRASE: &str =
        "average sniff social garden method chuckle satoshi manage behind outdoor wine apple";
    const SS58: &str = "5HVipBvgGzr77LUTzdkz3mcczr9MytyPyhzJyHeiwFmo2uFS";
    /// A cheap KDF for round trips; the real one is checked against a Python-made file.
    const FAST: Kdf = Kdf {
        passes: 1,
        memory_kib: 64,
    };

    /// `coldkey` written by bittensor-wallet 4.1.1 for [`PHRASE`], unencrypted.
    const PYTHON_PLAIN: &str = r#"{"privateKey":"0xa3d59a143562d1cbac3a6925be7beb2a44aa438fd71831e84f2d7f6ee88aab0ef75a884e24ac02a5d83030559b36013eb8b5bba49fdc392f44d3ce1943bca660","secretPhrase":"average sniff social garden method chuckle satoshi manage behind outdoor wine apple","ss58Address":"5HVipBvgGzr77LUTzdkz3mcczr9MytyPyhzJyHeiwFmo2uFS","publicKey":"0xf0418656bb5167b4f0625bb3762f2a6af2f2e3fb7990d53c24c985c30b36751d","secretSeed":"0x58455041351422bb2b5fa04aa53df8fb7820b5cca0a6dbd456860e70f94973aa","accountId":"0xf0418656bb5167b4f0625bb3762f2a6af2f2e3fb7990d53c24c985c30b36751d","cryptoType":1}"#;
    /// `coldkey` written by bittensor-wallet 4.1.1 for `//Alice`: no seed, no phrase.
    const PYTHON_ALICE: &str = r#"{"accountId":"0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d","privateKey":"0x33a6f3093f158a7109f679410bef1a0c54168145e0cecb4df006c1c2fffb1f09925a225d97aa00682d6a59b95b18780c10d7032336e88f3442b42361f4a66011","publicKey":"0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d","ss58Address":"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY","cryptoType":1}"#;
    /// `coldkeypub.txt` written by bittensor-wallet 4.1.1 for [`PHRASE`].
    const PYTHON_PUB: &str = r#"{"accountId":"0xf0418656bb5167b4f0625bb3762f2a6af2f2e3fb7990d53c24c985c30b36751d","publicKey":"0xf0418656bb5167b4f0625bb3762f2a6af2f2e3fb7990d53c24c985c30b36751d","cryptoType":1,"ss58Address":"5HVipBvgGzr77LUTzdkz3mcczr9MytyPyhzJyHeiwFmo2uFS"}"#;

    fn known() -> (Pair, Mnemonic) {
        let mnemonic = Mnemonic::parse(PHRASE).expect("valid phrase");
        (Pair::from_mnemonic(&mnemonic), mnemonic)
    }

    #[test]
    fn reads_python_files() {
        let plain = decode(PYTHON_PLAIN.as_bytes()).expect("python coldkey");
        assert_eq!(plain.account.to_ss58(), SS58);
        assert!(plain.pair.is_some());
        assert_eq!(
            plain.mnemonic.expect("phrase kept").phrase().as_str(),
            PHRASE
        );

        let alice = decode(PYTHON_ALICE.as_bytes()).expect("python //Alice");
        assert_eq!(
            alice.account.to_ss58(),
            "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
        );
        assert!(alice.pair.expect("secret").seed().is_none());

        let public = decode(PYTHON_PUB.as_bytes()).expect("python coldkeypub");
        assert_eq!(public.account.to_ss58(), SS58);
        assert!(public.pair.is_none());
    }

    #[test]
    fn writes_what_python_writes() {
        let (pair, mnemonic) = known();
        let ours: serde_json::Value =
            serde_json::from_slice(&encode(&pair, Some(&mnemonic))).expect("json");
        let theirs: serde_json::Value = serde_json::from_str(PYTHON_PLAIN).expect("json");
        assert_eq!(ours, theirs);

        let ours: serde_json::Value =
            serde_json::from_slice(&encode_public(&pair.public())).expect("json");
        let theirs: serde_json::Value = serde_json::from_str(PYTHON_PUB).expect("json");
        assert_eq!(ours, theirs);
    }

    #[test]
    fn plain_round_trips() {
        let (pair, mnemonic) = known();
        for with_phrase in [false, true] {
            let data = encode(&pair, with_phrase.then_some(&mnemonic));
            let back = decode(&data).expect("round trip");
            assert_eq!(back.account, pair.public());
            assert_eq!(back.mnemonic.is_some(), with_phrase);
            let back = back.pair.expect("secret");
            assert_eq!(back.seed(), pair.seed());
        }
        let seedless = Pair::from_secret_key(&pair.secret_key()).expect("canonical");
        let back = decode(&encode(&seedless, None)).expect("round trip");
        assert_eq!(back.account, pair.public());
        assert!(!String::from_utf8_lossy(&encode(&seedless, None)).contains("secretSeed"));
    }

    #[test]
    fn encrypted_round_trip_and_wrong_password() {
        let (pair, mnemonic) = known();
        let plain = encode(&pair, Some(&mnemonic));
        let sealed = encrypt_with(FAST, &plain, "correct horse").expect("encrypt");
        assert_eq!(Encryption::of(&sealed), Encryption::Nacl);
        assert_eq!(
            sealed.len(),
            NACL_PREFIX.len() + NONCE_LEN + TAG_LEN + plain.len()
        );
        // A fresh nonce each time.
        assert_ne!(
            sealed,
            encrypt_with(FAST, &plain, "correct horse").expect("encrypt")
        );

        let opened = open_with(FAST, &sealed, Some("correct horse")).expect("opens");
        assert_eq!(opened.account, pair.public());
        assert!(matches!(
            open_with(FAST, &sealed, Some("wrong horse")),
            Err(Error::WrongPassword)
        ));
        assert!(matches!(
            open_with(FAST, &sealed, None),
            Err(Error::Encrypted)
        ));
        assert!(matches!(decode(&sealed), Err(Error::Encrypted)));

        let mut flipped = sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(matches!(
            decrypt_with(FAST, &flipped, "correct horse"),
            Err(Error::WrongPassword)
        ));
        assert!(matches!(
            decrypt_with(FAST, &sealed[..NACL_PREFIX.len() + 30], "correct horse"),
            Err(Error::Truncated(35))
        ));
    }

    /// A `$NACL` coldkey written by bittensor-wallet 4.1.1 (password `hunter2hunter2`) opens
    /// with the real Argon2i settings.
    #[test]
    fn opens_python_encrypted_file() {
        let data = include_bytes!("../testdata/coldkey_nacl");
        assert!(Encryption::of(data).is_encrypted());
        let contents = open(data, Some("hunter2hunter2")).expect("python file opens");
        assert_eq!(contents.account.to_ss58(), SS58);
    }

    #[test]
    fn recognises_encryptions() {
        assert_eq!(Encryption::of(b"{}"), Encryption::None);
        assert_eq!(
            Encryption::of(b"$ANSIBLE_VAULT;1.1;AES256\n..."),
            Encryption::AnsibleVault
        );
        assert_eq!(Encryption::of(b"gAAAAABk..."), Encryption::Fernet);
        assert!(matches!(
            decode(b"gAAAAABk..."),
            Err(Error::Unsupported("legacy Fernet"))
        ));
        assert!(matches!(
            open(b"$ANSIBLE_VAULT;1.1", Some("pw")),
            Err(Error::Unsupported("Ansible Vault"))
        ));
    }

    #[test]
    fn rejects_corrupt_files() {
        let pub_hex = "0xf0418656bb5167b4f0625bb3762f2a6af2f2e3fb7990d53c24c985c30b36751d";
        type Expect = fn(&Error) -> bool;
        let cases: &[(&str, Expect)] = &[
            ("", |e| matches!(e, Error::Json(_))),
            ("[1,2]", |e| matches!(e, Error::Json(_))),
            (r#"{"secretSeed":42}"#, |e| matches!(e, Error::Json(_))),
            ("{}", |e| matches!(e, Error::NoKey)),
            (r#"{"secretSeed":"0x1234"}"#, |e| {
                matches!(
                    e,
                    Error::Field {
                        field: "secretSeed",
                        ..
                    }
                )
            }),
            (r#"{"secretPhrase":"not a phrase"}"#, |e| {
                matches!(
                    e,
                    Error::Field {
                        field: "secretPhrase",
                        ..
                    }
                )
            }),
            (r#"{"ss58Address":"5Bad"}"#, |e| {
                matches!(
                    e,
                    Error::Field {
                        field: "ss58Address",
                        ..
                    }
                )
            }),
            (r#"{"publicKey":"0xzz"}"#, |e| {
                matches!(
                    e,
                    Error::Field {
                        field: "publicKey",
                        ..
                    }
                )
            }),
            (
                r#"{"ss58Address":"5HVipBvgGzr77LUTzdkz3mcczr9MytyPyhzJyHeiwFmo2uFS","cryptoType":0}"#,
                |e| matches!(e, Error::CryptoType(0)),
            ),
            (
                r#"{"secretSeed":"0x0101010101010101010101010101010101010101010101010101010101010101","publicKey":"0xf0418656bb5167b4f0625bb3762f2a6af2f2e3fb7990d53c24c985c30b36751d"}"#,
                |e| matches!(e, Error::Mismatch("publicKey")),
            ),
            (
                r#"{"accountId":"0x0101010101010101010101010101010101010101010101010101010101010101","ss58Address":"5HVipBvgGzr77LUTzdkz3mcczr9MytyPyhzJyHeiwFmo2uFS"}"#,
                |e| matches!(e, Error::Mismatch("ss58Address")),
            ),
        ];
        for (json, expected) in cases {
            match decode(json.as_bytes()) {
                Ok(_) => panic!("accepted {json}"),
                Err(e) => assert!(expected(&e), "{json}: unexpected {e}"),
            }
        }
        // Hex without 0x and a missing cryptoType are fine.
        let bare = format!(r#"{{"publicKey":"{}"}}"#, &pub_hex[2..]);
        assert_eq!(
            decode(bare.as_bytes()).expect("bare hex").account.to_ss58(),
            SS58
        );
    }

    proptest::proptest! {
        /// Arbitrary bytes never panic the decoder, sealed or not.
        #[test]
        fn decoding_garbage_fails_cleanly(data in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = decode(&data);
            let mut sealed = NACL_PREFIX.to_vec();
            sealed.extend_from_slice(&data);
            proptest::prop_assert!(open_with(FAST, &sealed, Some("pw")).is_err());
        }

        /// JSON objects with the right field names but arbitrary string values never panic.
        #[test]
        fn decoding_odd_fields_fails_cleanly(
            field in proptest::sample::select(vec![
                "secretPhrase", "secretSeed", "privateKey", "publicKey", "accountId", "ss58Address",
            ]),
            value in "(0x)?[0-9a-zA-Z ]{0,140}",
        ) {
            let json = serde_json::json!({ field: value }).to_string();
            let _ = decode(json.as_bytes());
        }
    }
}
