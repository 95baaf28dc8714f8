//! Blocks: a header and the signed transactions it includes, in the runtime's codec.
//!
//! ```text
//! Header = height (u64 LE) ++ parent (32 B) ++ state_root (32 B) ++ txs_root (32 B)
//!          ++ timestamp (u64 LE, milliseconds since the Unix epoch, set by the proposer)
//! Block  = Header ++ txs (u32 LE count, then each SignedTransaction)
//! block hash = blake2b-256("yuma/block/v1" ++ encode(Header))
//! txs_root   = blake2b-256("yuma/txs/v1" ++ hash(tx 0) ++ hash(tx 1) ++ ...)
//! ```
//!
//! `state_root` is the runtime's state root after executing the block, so the header commits to
//! the state it produced; `txs_root` lets the header alone name the transactions. The genesis
//! block has height 0, an all-zero parent, no transactions, timestamp 0 and the genesis state
//! root. The timestamp is informative: the runtime never reads it.

use yuma_runtime::SignedTransaction;
use yuma_runtime::codec::{CodecError, Decode, Encode, Reader};
use yuma_runtime::hash::{Hash, blake2b_256};
use yuma_runtime::struct_codec;

/// Domain separator of block hashes.
const BLOCK_DOMAIN: &[u8] = b"yuma/block/v1";
/// Domain separator of transaction roots.
const TXS_DOMAIN: &[u8] = b"yuma/txs/v1";

/// A block header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Block number (0 for genesis).
    pub height: u64,
    /// Hash of the parent block (zeros for genesis).
    pub parent: Hash,
    /// State root after this block.
    pub state_root: Hash,
    /// Root of the included transactions' hashes.
    pub txs_root: Hash,
    /// Proposer's time in milliseconds since the Unix epoch (informative only).
    pub timestamp: u64,
}

struct_codec!(Header {
    height,
    parent,
    state_root,
    txs_root,
    timestamp
});

impl Header {
    /// The block hash.
    pub fn hash(&self) -> Hash {
        blake2b_256(&[BLOCK_DOMAIN, &self.encode()])
    }
}

/// A header and its transactions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// The header.
    pub header: Header,
    /// Included transactions, in execution order.
    pub txs: Vec<SignedTransaction>,
}

impl Encode for Block {
    fn encode_to(&self, out: &mut Vec<u8>) {
        self.header.encode_to(out);
        self.txs.encode_to(out);
    }
}

impl Decode for Block {
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Self {
            header: Header::decode_from(reader)?,
            txs: Decode::decode_from(reader)?,
        })
    }
}

impl Block {
    /// The block hash (its header's).
    pub fn hash(&self) -> Hash {
        self.header.hash()
    }

    /// The genesis block for a genesis state root.
    pub fn genesis(state_root: Hash) -> Self {
        Self {
            header: Header {
                height: 0,
                parent: [0; 32],
                state_root,
                txs_root: txs_root(&[]),
                timestamp: 0,
            },
            txs: Vec::new(),
        }
    }
}

/// The transactions root of a list of transactions.
pub fn txs_root(txs: &[SignedTransaction]) -> Hash {
    let hashes: Vec<Hash> = txs.iter().map(SignedTransaction::hash).collect();
    let mut parts: Vec<&[u8]> = vec![TXS_DOMAIN];
    parts.extend(hashes.iter().map(|h| h.as_slice()));
    blake2b_256(&parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use yuma_keys::Pair;
    use yuma_primitives::{AccountId, Balance};
    use yuma_runtime::Call;

    fn block() -> Block {
        let pair = Pair::from_seed(&[1; 32]);
        let tx = SignedTransaction {
            tx: yuma_runtime::Transaction {
                genesis: [2; 32],
                signer: pair.public(),
                nonce: 0,
                call: Call::Transfer {
                    dest: AccountId([3; 32]),
                    amount: Balance(5),
                },
            },
            signature: [4; 64],
        };
        let txs = vec![tx];
        Block {
            header: Header {
                height: 7,
                parent: [8; 32],
                state_root: [9; 32],
                txs_root: txs_root(&txs),
                timestamp: 1_000,
            },
            txs,
        }
    }

    #[test]
    fn golden_encoding() {
        let b = block();
        let bytes = b.encode();
        assert_eq!(
            hex::encode(&bytes),
            include_str!("../testdata/block.hex").trim(),
            "the block encoding is a consensus format: change it only on purpose"
        );
        assert_eq!(Block::decode(&bytes).expect("decodes"), b);
        assert_eq!(
            hex::encode(b.hash()),
            include_str!("../testdata/block_hash.hex").trim()
        );
    }

    #[test]
    fn truncated_and_trailing_bytes_are_rejected() {
        let bytes = block().encode();
        for n in 0..bytes.len() {
            assert!(Block::decode(&bytes[..n]).is_err(), "prefix of {n} bytes");
        }
        let mut long = bytes;
        long.push(0);
        assert!(matches!(
            Block::decode(&long),
            Err(CodecError::TrailingBytes(1))
        ));
    }

    #[test]
    fn hash_covers_every_header_field() {
        let b = block();
        let mut other = b.header.clone();
        other.timestamp += 1;
        assert_ne!(other.hash(), b.hash());
        other = b.header.clone();
        other.txs_root = txs_root(&[]);
        assert_ne!(other.hash(), b.hash());
    }
}
