//! sr25519 key pairs and the mnemonic phrases that make them.

use schnorrkel::{ExpansionMode, MiniSecretKey, PublicKey, SecretKey, Signature};
use yuma_primitives::AccountId;
use zeroize::Zeroizing;

/// Length of an sr25519 signature in bytes.
pub const SIGNATURE_LEN: usize = 64;

/// The signing context Substrate (and so Bittensor) uses for every sr25519 signature.
const SIGNING_CONTEXT: &[u8] = b"substrate";

/// Why a key could not be made.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The phrase is not a valid BIP-39 English mnemonic (unknown word, bad checksum, bad length).
    #[error("invalid mnemonic: {0}")]
    Mnemonic(String),
    /// The word count is not one BIP-39 allows.
    #[error("a mnemonic has 12, 15, 18, 21 or 24 words, not {0}")]
    WordCount(usize),
    /// The 64 bytes are not an sr25519 secret key (the scalar half is not canonical).
    #[error("invalid sr25519 secret key")]
    SecretKey,
    /// A secret URI this crate cannot derive (soft junction, password, empty junction).
    #[error("unsupported secret uri: {0}")]
    Uri(String),
}

/// A BIP-39 English mnemonic phrase. Its text is wiped from memory when dropped.
pub struct Mnemonic(bip39::Mnemonic);

impl Mnemonic {
    /// Word counts BIP-39 allows.
    pub const WORD_COUNTS: [usize; 5] = [12, 15, 18, 21, 24];

    /// Parses and checks a phrase (words separated by whitespace, any case).
    ///
    /// # Errors
    /// [`Error::Mnemonic`] when a word is unknown or the checksum fails.
    pub fn parse(phrase: &str) -> Result<Self, Error> {
        let normalised = Zeroizing::new(
            phrase
                .split_whitespace()
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
                .join(" "),
        );
        bip39::Mnemonic::parse_in(bip39::Language::English, normalised.as_str())
            .map(Self)
            .map_err(|e| Error::Mnemonic(e.to_string()))
    }

    /// A new random phrase of `words` words, from the operating system's random source.
    ///
    /// # Errors
    /// [`Error::WordCount`] when `words` is not in [`Self::WORD_COUNTS`].
    pub fn generate(words: usize) -> Result<Self, Error> {
        if !Self::WORD_COUNTS.contains(&words) {
            return Err(Error::WordCount(words));
        }
        bip39::Mnemonic::generate_in(bip39::Language::English, words)
            .map(Self)
            .map_err(|e| Error::Mnemonic(e.to_string()))
    }

    /// The phrase, words separated by single spaces.
    pub fn phrase(&self) -> Zeroizing<String> {
        Zeroizing::new(self.0.to_string())
    }

    /// The 32-byte mini-secret seed, as Substrate derives it (empty password).
    pub fn seed(&self) -> Zeroizing<[u8; 32]> {
        let entropy = Zeroizing::new(self.0.to_entropy());
        let mini = substrate_bip39::mini_secret_from_entropy(&entropy, "")
            .expect("BIP-39 entropy is 16 to 32 bytes, which substrate-bip39 always accepts");
        Zeroizing::new(mini.to_bytes())
    }
}

/// An sr25519 key pair, kept together with the seed it came from (if any) so that it can be
/// saved.
pub struct Pair {
    seed: Option<Zeroizing<[u8; 32]>>,
    keypair: schnorrkel::Keypair,
}

impl Pair {
    /// The pair for a 32-byte mini-secret seed (Substrate's "secret seed").
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let mini =
            MiniSecretKey::from_bytes(seed).expect("any 32 bytes are a valid mini-secret key");
        Self {
            seed: Some(Zeroizing::new(*seed)),
            keypair: mini.expand_to_keypair(ExpansionMode::Ed25519),
        }
    }

    /// The pair for a 64-byte expanded secret key (key ++ nonce), as key files store it in
    /// `privateKey`. Such a pair has no seed: keys derived from a URI like `//Alice` are saved
    /// this way.
    ///
    /// # Errors
    /// [`Error::SecretKey`] when the key half is not a canonical scalar.
    pub fn from_secret_key(secret: &[u8; 64]) -> Result<Self, Error> {
        let secret = SecretKey::from_bytes(secret).map_err(|_| Error::SecretKey)?;
        Ok(Self {
            seed: None,
            keypair: secret.to_keypair(),
        })
    }

    /// The pair for a mnemonic phrase.
    pub fn from_mnemonic(mnemonic: &Mnemonic) -> Self {
        Self::from_seed(&mnemonic.seed())
    }

    /// The mini-secret seed, unless the pair was made from an expanded secret key. Secret: never
    /// print it unless the user asks.
    pub fn seed(&self) -> Option<&[u8; 32]> {
        self.seed.as_deref()
    }

    /// The 64-byte expanded secret key (key ++ nonce), as `bittensor-wallet` stores it.
    pub fn secret_key(&self) -> Zeroizing<[u8; 64]> {
        Zeroizing::new(self.keypair.secret.to_bytes())
    }

    /// The public key as an account id.
    pub fn public(&self) -> AccountId {
        AccountId(self.keypair.public.to_bytes())
    }

    /// Signs `message` with the `substrate` signing context.
    pub fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        let context = schnorrkel::signing_context(SIGNING_CONTEXT);
        self.keypair.sign(context.bytes(message)).to_bytes()
    }
}

/// Whether `signature` is `signer`'s sr25519 signature of `message` (signing context
/// `substrate`). Malformed keys and signatures are simply not valid.
pub fn verify(signer: &AccountId, message: &[u8], signature: &[u8]) -> bool {
    let Ok(public) = PublicKey::from_bytes(signer.as_bytes()) else {
        return false;
    };
    let Ok(signature) = Signature::from_bytes(signature) else {
        return false;
    };
    public
        .verify_simple(SIGNING_CONTEXT, message, &signature)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHRASE: &str =
        "average sniff social garden method chuckle satoshi manage behind outdoor wine apple";

    #[test]
    fn known_answer_from_mnemonic() {
        let mnemonic = Mnemonic::parse(PHRASE).expect("valid phrase");
        let pair = Pair::from_mnemonic(&mnemonic);
        assert_eq!(
            hex::encode(pair.seed().expect("made from a seed")),
            "58455041351422bb2b5fa04aa53df8fb7820b5cca0a6dbd456860e70f94973aa"
        );
        // The `privateKey` bittensor-wallet 4.1 writes for this phrase.
        assert_eq!(
            hex::encode(*pair.secret_key()),
            "a3d59a143562d1cbac3a6925be7beb2a44aa438fd71831e84f2d7f6ee88aab0e\
             f75a884e24ac02a5d83030559b36013eb8b5bba49fdc392f44d3ce1943bca660"
        );
        assert_eq!(
            hex::encode(pair.public().as_bytes()),
            "f0418656bb5167b4f0625bb3762f2a6af2f2e3fb7990d53c24c985c30b36751d"
        );
        assert_eq!(
            pair.public().to_ss58(),
            "5HVipBvgGzr77LUTzdkz3mcczr9MytyPyhzJyHeiwFmo2uFS"
        );
    }

    #[test]
    fn parse_normalises_case_and_spaces() {
        let messy = format!("  {}  ", PHRASE.to_uppercase().replace(' ', "   "));
        let a = Pair::from_mnemonic(&Mnemonic::parse(&messy).expect("valid phrase"));
        let b = Pair::from_mnemonic(&Mnemonic::parse(PHRASE).expect("valid phrase"));
        assert_eq!(a.public(), b.public());
    }

    #[test]
    fn rejects_bad_phrases() {
        assert!(Mnemonic::parse("average sniff social").is_err());
        assert!(Mnemonic::parse(&PHRASE.replace("apple", "zzzz")).is_err());
        // Valid words, wrong checksum.
        assert!(Mnemonic::parse(&PHRASE.replace("apple", "wine")).is_err());
        assert!(matches!(Mnemonic::generate(13), Err(Error::WordCount(13))));
    }

    #[test]
    fn generates_every_length() {
        for words in Mnemonic::WORD_COUNTS {
            let mnemonic = Mnemonic::generate(words).expect("allowed count");
            assert_eq!(mnemonic.phrase().split(' ').count(), words);
            let again = Mnemonic::parse(&mnemonic.phrase()).expect("round trip");
            assert_eq!(*again.seed(), *mnemonic.seed());
        }
    }

    #[test]
    fn secret_key_round_trip() {
        let pair = Pair::from_seed(&[9; 32]);
        let again = Pair::from_secret_key(&pair.secret_key()).expect("canonical key");
        assert_eq!(again.public(), pair.public());
        assert!(again.seed().is_none());
        assert!(verify(&pair.public(), b"m", &again.sign(b"m")));
        // A scalar above the group order is not canonical.
        assert!(matches!(
            Pair::from_secret_key(&[0xff; 64]),
            Err(Error::SecretKey)
        ));
    }

    #[test]
    fn signs_and_verifies() {
        let pair = Pair::from_seed(&[7; 32]);
        let signature = pair.sign(b"hello");
        assert!(verify(&pair.public(), b"hello", &signature));
        assert!(!verify(&pair.public(), b"hellO", &signature));
        assert!(!verify(
            &Pair::from_seed(&[8; 32]).public(),
            b"hello",
            &signature
        ));
        assert!(!verify(&pair.public(), b"hello", &signature[..63]));
    }
}
