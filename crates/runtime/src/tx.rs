//! Signed transactions: the only way users change the state.
//!
//! ```text
//! Transaction       = genesis hash (32 B) ++ signer (32 B) ++ nonce (u64 LE) ++ Call
//! SignedTransaction = Transaction ++ sr25519 signature (64 B)
//! signed message    = "yuma/tx/v1" ++ encode(Transaction)
//! ```
//!
//! The signature (sr25519, signing context `substrate`) covers the genesis hash, so a
//! transaction cannot be replayed on another chain, and the nonce, so it cannot be replayed on
//! this one. The transaction hash is blake2b-256 of the signed encoding.

use crate::call::Call;
use crate::codec::{CodecError, Decode, Encode, Reader};
use crate::hash::{Hash, blake2b_256};
use crate::struct_codec;
use yuma_keys::{Pair, SIGNATURE_LEN};
use yuma_primitives::AccountId;

/// Domain separator in front of every signed transaction message.
pub const SIGNING_DOMAIN: &[u8] = b"yuma/tx/v1";

/// An unsigned transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    /// Genesis hash of the chain it is meant for.
    pub genesis: Hash,
    /// Who signs and pays.
    pub signer: AccountId,
    /// The signer's next nonce.
    pub nonce: u64,
    /// What to do.
    pub call: Call,
}

struct_codec!(Transaction {
    genesis,
    signer,
    nonce,
    call
});

impl Transaction {
    /// The bytes the signer signs.
    pub fn signing_message(&self) -> Vec<u8> {
        let mut out = SIGNING_DOMAIN.to_vec();
        self.encode_to(&mut out);
        out
    }

    /// Signs with `pair` (whose public key must be `signer`).
    pub fn sign(self, pair: &Pair) -> SignedTransaction {
        let signature = pair.sign(&self.signing_message());
        SignedTransaction {
            tx: self,
            signature,
        }
    }
}

/// A transaction and its signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedTransaction {
    /// The transaction.
    pub tx: Transaction,
    /// sr25519 signature of [`Transaction::signing_message`].
    pub signature: [u8; SIGNATURE_LEN],
}

/// A [`SignedTransaction`] whose signature has been checked: made only by
/// [`VerifiedTx::new`], so the runtime can skip the check ([`crate::Runtime::apply_verified`])
/// and a node verifies each signature once, when the transaction arrives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedTx(SignedTransaction);

impl VerifiedTx {
    /// Checks the signature; `None` when it is not the signer's.
    pub fn new(tx: SignedTransaction) -> Option<Self> {
        tx.verify().then_some(Self(tx))
    }

    /// The transaction.
    pub fn tx(&self) -> &SignedTransaction {
        &self.0
    }

    /// The transaction, by value.
    pub fn into_inner(self) -> SignedTransaction {
        self.0
    }
}

impl std::ops::Deref for VerifiedTx {
    type Target = SignedTransaction;

    fn deref(&self) -> &SignedTransaction {
        &self.0
    }
}

impl Encode for SignedTransaction {
    fn encode_to(&self, out: &mut Vec<u8>) {
        self.tx.encode_to(out);
        self.signature.encode_to(out);
    }
}

impl Decode for SignedTransaction {
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Self {
            tx: Transaction::decode_from(reader)?,
            signature: reader.array()?,
        })
    }
}

impl SignedTransaction {
    /// Builds and signs a transaction.
    pub fn new(pair: &Pair, genesis: Hash, nonce: u64, call: Call) -> Self {
        Transaction {
            genesis,
            signer: pair.public(),
            nonce,
            call,
        }
        .sign(pair)
    }

    /// Whether the signature is the signer's.
    pub fn verify(&self) -> bool {
        yuma_keys::verify(&self.tx.signer, &self.tx.signing_message(), &self.signature)
    }

    /// blake2b-256 of the signed encoding.
    pub fn hash(&self) -> Hash {
        blake2b_256(&[&self.encode()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::Call;
    use yuma_primitives::{Balance, NetUid};

    fn signed() -> SignedTransaction {
        let pair = Pair::from_seed(&[7; 32]);
        SignedTransaction::new(
            &pair,
            [1; 32],
            5,
            Call::SetWeights {
                netuid: NetUid(1),
                uids: vec![0, 1],
                weights: vec![3, 4],
                version_key: 0,
            },
        )
    }

    #[test]
    fn only_a_valid_signature_makes_a_verified_tx() {
        let tx = signed();
        let verified = VerifiedTx::new(tx.clone()).expect("signed by its signer");
        assert_eq!(verified.tx(), &tx);
        assert_eq!(verified.hash(), tx.hash());
        let mut forged = tx;
        forged.signature[0] ^= 1;
        assert!(VerifiedTx::new(forged).is_none());
    }

    #[test]
    fn round_trip_and_verify() {
        let tx = signed();
        let bytes = tx.encode();
        let back = SignedTransaction::decode(&bytes).expect("decodes");
        assert_eq!(back, tx);
        assert!(back.verify());
        assert_eq!(back.hash(), tx.hash());
        let other = SignedTransaction::new(
            &Pair::from_seed(&[7; 32]),
            [1; 32],
            5,
            Call::Transfer {
                dest: AccountId([0; 32]),
                amount: Balance(1),
            },
        );
        assert_ne!(other.hash(), tx.hash());
    }

    proptest::proptest! {
        #[test]
        fn decoding_random_bytes_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = SignedTransaction::decode(&bytes);
        }

        #[test]
        fn any_flipped_byte_is_caught(at in 0usize..2000, bit in 0u8..8) {
            let tx = signed();
            let mut bytes = tx.encode();
            let at = at % bytes.len();
            bytes[at] ^= 1 << bit;
            if let Ok(decoded) = SignedTransaction::decode(&bytes) {
                proptest::prop_assert!(!decoded.verify(), "a changed transaction must not verify");
            }
        }
    }
}
