//! blake2b-256, the one hash the runtime uses (state root, commit-reveal, genesis hash).

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};

/// A 32-byte blake2b-256 digest.
pub type Hash = [u8; 32];

/// blake2b-256 of the concatenation of `parts`.
pub fn blake2b_256(parts: &[&[u8]]) -> Hash {
    let mut hasher = Blake2b::<U32>::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answer() {
        // blake2b-256("abc"), RFC 7693 parameters with a 32-byte output.
        assert_eq!(
            hex::encode(blake2b_256(&[b"abc"])),
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
        );
        assert_eq!(blake2b_256(&[b"a", b"bc"]), blake2b_256(&[b"abc"]));
    }
}
