//! Wallet directories, laid out as `bittensor-wallet` 4 (and so btcli) lays them out.
//!
//! ```text
//! <path>/                     --wallet-path, ~/.bittensor/wallets by default
//!   <name>/                   one wallet (--wallet-name)
//!     coldkey                 secret coldkey: JSON key file, usually $NACL encrypted
//!     coldkeypub.txt          the coldkey's public key, never encrypted
//!     hotkeys/
//!       <hotkey>              secret hotkey, usually plain (miners sign unattended)
//!       <hotkey>pub.txt       the hotkey's public key
//! ```
//!
//! Every file is written with mode 0600 and every directory Yuma creates with 0700. Files are
//! written to a temporary file in the same directory and renamed into place, so a crash never
//! leaves half a key. An existing key file is only replaced when the caller asks for it
//! ([`Save::overwrite`]); otherwise the write fails with [`Error::Exists`] and nothing changes.
//! The formats of the files themselves are in [`crate::keyfile`].

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use yuma_primitives::AccountId;

use crate::keyfile::{self, Encryption};
use yuma_keys::{Mnemonic, Pair};

/// File name of the secret coldkey.
const COLDKEY: &str = "coldkey";
/// File name of the public coldkey.
const COLDKEYPUB: &str = "coldkeypub.txt";
/// Directory of the hotkeys.
const HOTKEYS: &str = "hotkeys";
/// Suffix of a hotkey's public file.
const PUB_SUFFIX: &str = "pub.txt";

/// Why a wallet operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A key file (or the wallet itself) does not exist.
    #[error("{} does not exist", path.display())]
    Missing {
        /// The missing file or directory.
        path: PathBuf,
    },
    /// A key file exists and overwriting was not asked for.
    #[error("{} already exists", path.display())]
    Exists {
        /// The existing file.
        path: PathBuf,
    },
    /// Reading or writing failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// A key file could not be decoded, decrypted or encrypted.
    #[error("{}: {source}", path.display())]
    Keyfile {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        source: keyfile::Error,
    },
    /// A secret key was asked for but the file holds only a public key.
    #[error("{} holds no secret key", path.display())]
    NoSecret {
        /// The key file.
        path: PathBuf,
    },
    /// A wallet or hotkey name cannot be used as a file name.
    #[error("invalid {kind} name {name:?}: {reason}")]
    Name {
        /// `wallet` or `hotkey`.
        kind: &'static str,
        /// The name given.
        name: String,
        /// Why it is refused.
        reason: &'static str,
    },
}

impl Error {
    /// Whether the error is a wrong password (as opposed to a missing or damaged file).
    pub fn is_wrong_password(&self) -> bool {
        matches!(
            self,
            Self::Keyfile {
                source: keyfile::Error::WrongPassword,
                ..
            }
        )
    }
}

/// How to save a new key.
#[derive(Debug, Clone, Copy, Default)]
pub struct Save<'a> {
    /// Encrypt the secret key file with this password (`$NACL`); `None` writes plain JSON.
    pub password: Option<&'a str>,
    /// Replace existing files instead of failing with [`Error::Exists`].
    pub overwrite: bool,
}

/// A wallet: the directory `<path>/<name>` holding one coldkey and any number of hotkeys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wallet {
    name: String,
    dir: PathBuf,
}

impl Wallet {
    /// The wallet `name` under `path` (`--wallet-path`). Touches nothing on disk.
    ///
    /// # Errors
    /// [`Error::Name`] when `name` is empty, `.`/`..`, or contains a path separator.
    pub fn new(path: impl AsRef<Path>, name: &str) -> Result<Self, Error> {
        check_name("wallet", name)?;
        Ok(Self {
            name: name.to_owned(),
            dir: path.as_ref().join(name),
        })
    }

    /// The wallet's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The wallet's directory, `<path>/<name>`.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the wallet's directory exists.
    pub fn exists(&self) -> bool {
        self.dir.is_dir()
    }

    /// Path of the secret coldkey file.
    pub fn coldkey_path(&self) -> PathBuf {
        self.dir.join(COLDKEY)
    }

    /// Path of the public coldkey file, `coldkeypub.txt`.
    pub fn coldkeypub_path(&self) -> PathBuf {
        self.dir.join(COLDKEYPUB)
    }

    /// Path of the secret file of hotkey `hotkey` (not checked; see [`Self::hotkey`]).
    pub fn hotkey_path(&self, hotkey: &str) -> PathBuf {
        self.dir.join(HOTKEYS).join(hotkey)
    }

    /// Path of the public file of hotkey `hotkey`, `hotkeys/<hotkey>pub.txt`.
    pub fn hotkeypub_path(&self, hotkey: &str) -> PathBuf {
        self.dir.join(HOTKEYS).join(format!("{hotkey}{PUB_SUFFIX}"))
    }

    /// Saves `pair` as the coldkey (`coldkey` and `coldkeypub.txt`), keeping `mnemonic` in
    /// the file as `bittensor-wallet` does.
    ///
    /// # Errors
    /// [`Error::Exists`] when either file exists and `save.overwrite` is false (then nothing
    /// is written); [`Error::Io`] or [`Error::Keyfile`] when writing or encrypting fails.
    pub fn save_coldkey(
        &self,
        pair: &Pair,
        mnemonic: Option<&Mnemonic>,
        save: Save<'_>,
    ) -> Result<(), Error> {
        let paths = [self.coldkey_path(), self.coldkeypub_path()];
        save_key(&paths, pair, mnemonic, save)
    }

    /// Saves `pair` as hotkey `hotkey` (`hotkeys/<hotkey>` and `hotkeys/<hotkey>pub.txt`).
    ///
    /// # Errors
    /// [`Error::Name`] for a bad hotkey name; otherwise as [`Self::save_coldkey`].
    pub fn save_hotkey(
        &self,
        hotkey: &str,
        pair: &Pair,
        mnemonic: Option<&Mnemonic>,
        save: Save<'_>,
    ) -> Result<(), Error> {
        check_hotkey_name(hotkey)?;
        let paths = [self.hotkey_path(hotkey), self.hotkeypub_path(hotkey)];
        save_key(&paths, pair, mnemonic, save)
    }

    /// The coldkey's public key, without a password: from `coldkeypub.txt`, or from `coldkey`
    /// itself when only that exists and it is not encrypted.
    ///
    /// # Errors
    /// [`Error::Missing`] (naming `coldkeypub.txt`) when neither file can give it;
    /// [`Error::Keyfile`] or [`Error::Io`] when a file is unreadable.
    pub fn coldkeypub(&self) -> Result<AccountId, Error> {
        public_key(&self.coldkeypub_path(), &self.coldkey_path())
    }

    /// The hotkey's public key, without a password: from `hotkeys/<hotkey>pub.txt`, or from
    /// the hotkey file when it is not encrypted (wallets made before public hotkey files).
    ///
    /// # Errors
    /// As [`Self::coldkeypub`]; [`Error::Name`] for a bad hotkey name.
    pub fn hotkeypub(&self, hotkey: &str) -> Result<AccountId, Error> {
        check_hotkey_name(hotkey)?;
        public_key(&self.hotkeypub_path(hotkey), &self.hotkey_path(hotkey))
    }

    /// How the coldkey file is protected, to know whether to ask for a password.
    ///
    /// # Errors
    /// [`Error::Missing`] or [`Error::Io`] when the file cannot be read.
    pub fn coldkey_encryption(&self) -> Result<Encryption, Error> {
        Ok(Encryption::of(&read(&self.coldkey_path())?))
    }

    /// How the hotkey file is protected.
    ///
    /// # Errors
    /// As [`Self::coldkey_encryption`]; [`Error::Name`] for a bad hotkey name.
    pub fn hotkey_encryption(&self, hotkey: &str) -> Result<Encryption, Error> {
        check_hotkey_name(hotkey)?;
        Ok(Encryption::of(&read(&self.hotkey_path(hotkey))?))
    }

    /// The secret coldkey, decrypted with `password` when the file is encrypted (a password
    /// given for a plain file is ignored). Decrypting takes seconds (see [`crate::keyfile`]).
    ///
    /// # Errors
    /// [`Error::Missing`] when there is no coldkey file; [`Error::Keyfile`] with
    /// [`keyfile::Error::Encrypted`] when a password is needed and none was given, or
    /// [`keyfile::Error::WrongPassword`]; [`Error::NoSecret`] for a public-only file.
    pub fn coldkey(&self, password: Option<&str>) -> Result<Pair, Error> {
        secret_key(&self.coldkey_path(), password)
    }

    /// The secret hotkey `hotkey`, decrypted with `password` when the file is encrypted.
    /// Hotkeys are usually plain, so `None` is the common case.
    ///
    /// # Errors
    /// As [`Self::coldkey`]; [`Error::Name`] for a bad hotkey name.
    pub fn hotkey(&self, hotkey: &str, password: Option<&str>) -> Result<Pair, Error> {
        check_hotkey_name(hotkey)?;
        secret_key(&self.hotkey_path(hotkey), password)
    }

    /// Names of the wallet's hotkeys, sorted: the files in `hotkeys/` other than the
    /// `*pub.txt` ones and hidden files. A wallet without a `hotkeys` directory has none.
    ///
    /// # Errors
    /// [`Error::Io`] when the directory cannot be read.
    pub fn hotkeys(&self) -> Result<Vec<String>, Error> {
        let dir = self.dir.join(HOTKEYS);
        let mut names = Vec::new();
        for (name, kind) in entries(&dir)? {
            if kind.is_file() && !name.ends_with(PUB_SUFFIX) {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }
}

/// Names of the wallets under `path` (its subdirectories, hidden ones aside), sorted. A
/// missing `path` has no wallets.
///
/// # Errors
/// [`Error::Io`] when `path` cannot be read.
pub fn list(path: impl AsRef<Path>) -> Result<Vec<String>, Error> {
    let mut names: Vec<String> = entries(path.as_ref())?
        .into_iter()
        .filter(|(_, kind)| kind.is_dir())
        .map(|(name, _)| name)
        .collect();
    names.sort();
    Ok(names)
}

/// The non-hidden, UTF-8 named entries of `dir` with their types; none when `dir` is missing.
fn entries(dir: &Path) -> Result<Vec<(String, fs::FileType)>, Error> {
    let io_error = |source| Error::Io {
        path: dir.to_owned(),
        source,
    };
    let iter = match fs::read_dir(dir) {
        Ok(iter) => iter,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(e)),
    };
    let mut out = Vec::new();
    for entry in iter {
        let entry = entry.map_err(io_error)?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        // Follow symlinks, as a user linking a wallet in expects.
        let kind = fs::metadata(entry.path()).map_err(io_error)?.file_type();
        out.push((name, kind));
    }
    Ok(out)
}

fn check_name(kind: &'static str, name: &str) -> Result<(), Error> {
    let reason = if name.is_empty() {
        Some("it is empty")
    } else if name == "." || name == ".." {
        Some("it names a directory")
    } else if name.contains(['/', '\\', '\0']) {
        Some("it contains a path separator")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Error::Name {
            kind,
            name: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// Checks that `name` can be a hotkey: a plain file name not ending in `pub.txt`. Every
/// method taking a hotkey name checks this; call it to check a name before other work.
///
/// # Errors
/// [`Error::Name`] naming the problem.
pub fn check_hotkey_name(name: &str) -> Result<(), Error> {
    check_name("hotkey", name)?;
    if name.ends_with(PUB_SUFFIX) {
        return Err(Error::Name {
            kind: "hotkey",
            name: name.to_owned(),
            reason: "names ending in pub.txt are public key files",
        });
    }
    Ok(())
}

/// Writes a secret key file and its public file (`paths` = [secret, public]).
fn save_key(
    paths: &[PathBuf; 2],
    pair: &Pair,
    mnemonic: Option<&Mnemonic>,
    save: Save<'_>,
) -> Result<(), Error> {
    if !save.overwrite {
        // Check both before writing either, so a refusal changes nothing.
        if let Some(path) = paths.iter().find(|p| p.symlink_metadata().is_ok()) {
            return Err(Error::Exists { path: path.clone() });
        }
    }
    let [secret_path, public_path] = paths;
    let plain = keyfile::encode(pair, mnemonic);
    let secret = match save.password {
        Some(password) => keyfile::encrypt(&plain, password).map_err(|source| Error::Keyfile {
            path: secret_path.clone(),
            source,
        })?,
        None => plain.to_vec(),
    };
    let secret = zeroize::Zeroizing::new(secret);
    write(secret_path, &secret, save.overwrite)?;
    write(
        public_path,
        &keyfile::encode_public(&pair.public()),
        save.overwrite,
    )
}

/// Writes `data` to `path` atomically with mode 0600, creating the parent directories (0700).
fn write(path: &Path, data: &[u8], overwrite: bool) -> Result<(), Error> {
    let io_error = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let dir = path
        .parent()
        .expect("key file paths are always inside the wallet directory");
    create_dir(dir).map_err(|source| Error::Io {
        path: dir.to_owned(),
        source,
    })?;
    // tempfile creates the file with mode 0600 on Unix.
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(io_error)?;
    file.write_all(data).map_err(io_error)?;
    file.as_file().sync_all().map_err(io_error)?;
    let persisted = if overwrite {
        file.persist(path)
    } else {
        file.persist_noclobber(path)
    };
    persisted.map_err(|e| {
        if e.error.kind() == io::ErrorKind::AlreadyExists {
            Error::Exists {
                path: path.to_owned(),
            }
        } else {
            io_error(e.error)
        }
    })?;
    Ok(())
}

fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn read(path: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
    fs::read(path)
        .map(zeroize::Zeroizing::new)
        .map_err(|source| {
            if source.kind() == io::ErrorKind::NotFound {
                Error::Missing {
                    path: path.to_owned(),
                }
            } else {
                Error::Io {
                    path: path.to_owned(),
                    source,
                }
            }
        })
}

fn open(path: &Path, password: Option<&str>) -> Result<keyfile::Contents, Error> {
    let data = read(path)?;
    keyfile::open(&data, password).map_err(|source| Error::Keyfile {
        path: path.to_owned(),
        source,
    })
}

fn secret_key(path: &Path, password: Option<&str>) -> Result<Pair, Error> {
    open(path, password)?.pair.ok_or_else(|| Error::NoSecret {
        path: path.to_owned(),
    })
}

fn public_key(public: &Path, secret: &Path) -> Result<AccountId, Error> {
    match open(public, None) {
        Err(Error::Missing { .. }) => {}
        other => return other.map(|contents| contents.account),
    }
    match read(secret) {
        Ok(data) if !Encryption::of(&data).is_encrypted() => keyfile::decode(&data)
            .map(|contents| contents.account)
            .map_err(|source| Error::Keyfile {
                path: secret.to_owned(),
                source,
            }),
        Ok(_) | Err(Error::Missing { .. }) => Err(Error::Missing {
            path: public.to_owned(),
        }),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHRASE: &str =
        "average sniff social garden method chuckle satoshi manage behind outdoor wine apple";
    const SS58: &str = "5HVipBvgGzr77LUTzdkz3mcczr9MytyPyhzJyHeiwFmo2uFS";

    fn known() -> (Pair, Mnemonic) {
        let mnemonic = Mnemonic::parse(PHRASE).expect("valid phrase");
        (Pair::from_mnemonic(&mnemonic), mnemonic)
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).expect("exists").permissions().mode() & 0o777
    }

    #[test]
    fn layout_matches_bittensor_wallet() {
        let root = tempfile::tempdir().expect("temp dir");
        let wallet = Wallet::new(root.path(), "alice").expect("name");
        assert!(!wallet.exists());
        let (pair, mnemonic) = known();
        wallet
            .save_coldkey(&pair, Some(&mnemonic), Save::default())
            .expect("save coldkey");
        let hot = Pair::from_seed(&[3; 32]);
        wallet
            .save_hotkey("miner", &hot, None, Save::default())
            .expect("save hotkey");

        let dir = root.path().join("alice");
        assert_eq!(wallet.dir(), dir);
        for file in [
            "coldkey",
            "coldkeypub.txt",
            "hotkeys/miner",
            "hotkeys/minerpub.txt",
        ] {
            let path = dir.join(file);
            assert!(path.is_file(), "{file} missing");
            #[cfg(unix)]
            assert_eq!(mode(&path), 0o600, "{file}");
        }
        #[cfg(unix)]
        assert_eq!(mode(&dir), 0o700);
        // No temporary files left behind.
        assert_eq!(fs::read_dir(&dir).expect("dir").count(), 3);

        assert!(wallet.exists());
        assert_eq!(wallet.coldkeypub().expect("pub").to_ss58(), SS58);
        assert_eq!(
            wallet.coldkey(None).expect("plain").public().to_ss58(),
            SS58
        );
        assert_eq!(wallet.hotkeypub("miner").expect("pub"), hot.public());
        assert_eq!(
            wallet.hotkey("miner", None).expect("plain").public(),
            hot.public()
        );
        assert_eq!(wallet.hotkeys().expect("list"), ["miner"]);
        assert_eq!(list(root.path()).expect("list"), ["alice"]);
        assert_eq!(wallet.coldkey_encryption().expect("read"), Encryption::None);
    }

    #[test]
    fn never_overwrites_unless_asked() {
        let root = tempfile::tempdir().expect("temp dir");
        let wallet = Wallet::new(root.path(), "w").expect("name");
        let (pair, mnemonic) = known();
        wallet
            .save_coldkey(&pair, Some(&mnemonic), Save::default())
            .expect("first save");
        let before = fs::read(wallet.coldkey_path()).expect("read");

        let other = Pair::from_seed(&[5; 32]);
        let err = wallet
            .save_coldkey(&other, None, Save::default())
            .expect_err("refused");
        assert!(matches!(err, Error::Exists { .. }), "{err}");
        assert_eq!(fs::read(wallet.coldkey_path()).expect("read"), before);

        // Only the public file exists (a watch-only wallet): still refused, still untouched.
        fs::remove_file(wallet.coldkey_path()).expect("remove");
        let err = wallet
            .save_coldkey(&other, None, Save::default())
            .expect_err("refused");
        assert!(
            matches!(&err, Error::Exists { path } if path.ends_with("coldkeypub.txt")),
            "{err}"
        );
        assert!(!wallet.coldkey_path().exists());

        wallet
            .save_coldkey(
                &other,
                None,
                Save {
                    password: None,
                    overwrite: true,
                },
            )
            .expect("overwrite");
        assert_eq!(wallet.coldkeypub().expect("pub"), other.public());
    }

    #[test]
    fn missing_and_public_only_keys() {
        let root = tempfile::tempdir().expect("temp dir");
        let wallet = Wallet::new(root.path(), "none").expect("name");
        assert!(
            matches!(wallet.coldkeypub(), Err(Error::Missing { path }) if path.ends_with("coldkeypub.txt"))
        );
        assert!(matches!(wallet.coldkey(None), Err(Error::Missing { .. })));
        assert!(matches!(
            wallet.hotkey("default", None),
            Err(Error::Missing { .. })
        ));
        assert_eq!(wallet.hotkeys().expect("none"), Vec::<String>::new());
        assert_eq!(
            list(root.path().join("nowhere")).expect("none"),
            Vec::<String>::new()
        );

        // A hotkey file without its pub file (older wallets) still gives the address.
        let (pair, _) = known();
        wallet
            .save_hotkey("old", &pair, None, Save::default())
            .expect("save");
        fs::remove_file(wallet.hotkeypub_path("old")).expect("remove");
        assert_eq!(
            wallet.hotkeypub("old").expect("from secret").to_ss58(),
            SS58
        );

        // A public file where a secret is expected.
        fs::create_dir_all(wallet.dir()).expect("dir");
        fs::write(
            wallet.coldkey_path(),
            keyfile::encode_public(&pair.public()),
        )
        .expect("write");
        assert!(matches!(wallet.coldkey(None), Err(Error::NoSecret { .. })));

        fs::write(wallet.coldkey_path(), b"{not json").expect("write");
        assert!(matches!(
            wallet.coldkey(None),
            Err(Error::Keyfile {
                source: keyfile::Error::Json(_),
                ..
            })
        ));
    }

    #[test]
    fn rejects_bad_names() {
        let root = tempfile::tempdir().expect("temp dir");
        for name in ["", ".", "..", "a/b", "a\\b"] {
            assert!(matches!(
                Wallet::new(root.path(), name),
                Err(Error::Name { kind: "wallet", .. })
            ));
        }
        let wallet = Wallet::new(root.path(), "w").expect("name");
        for name in ["", "..", "x/y", "minerpub.txt"] {
            assert!(matches!(
                wallet.hotkey(name, None),
                Err(Error::Name { kind: "hotkey", .. })
            ));
        }
    }

    #[test]
    fn lists_wallets_and_hotkeys_sorted() {
        let root = tempfile::tempdir().expect("temp dir");
        for name in ["zeta", "alpha", ".hidden"] {
            fs::create_dir_all(root.path().join(name).join(HOTKEYS)).expect("dir");
        }
        fs::write(root.path().join("stray-file"), b"").expect("write");
        assert_eq!(list(root.path()).expect("list"), ["alpha", "zeta"]);

        let wallet = Wallet::new(root.path(), "alpha").expect("name");
        for hotkey in ["b", "a"] {
            wallet
                .save_hotkey(hotkey, &Pair::from_seed(&[1; 32]), None, Save::default())
                .expect("save");
        }
        assert_eq!(wallet.hotkeys().expect("list"), ["a", "b"]);
    }

    /// The wallet encrypts with the real key derivation; one round trip here, the cheap
    /// ones in `keyfile`.
    #[test]
    fn encrypted_coldkey_round_trip() {
        let root = tempfile::tempdir().expect("temp dir");
        let wallet = Wallet::new(root.path(), "enc").expect("name");
        let (pair, mnemonic) = known();
        wallet
            .save_coldkey(
                &pair,
                Some(&mnemonic),
                Save {
                    password: Some("pw"),
                    overwrite: false,
                },
            )
            .expect("save");
        assert_eq!(wallet.coldkey_encryption().expect("read"), Encryption::Nacl);
        // The public key needs no password.
        assert_eq!(wallet.coldkeypub().expect("pub").to_ss58(), SS58);
        let err = wallet.coldkey(None).err().expect("needs a password");
        assert!(matches!(
            err,
            Error::Keyfile {
                source: keyfile::Error::Encrypted,
                ..
            }
        ));
        let opened = wallet.coldkey(Some("pw")).expect("opens");
        assert_eq!(opened.public().to_ss58(), SS58);
    }
}
