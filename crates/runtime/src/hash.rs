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

/// Lowercase hex of `bytes`, without a prefix.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The 32 bytes of `0x` followed by 64 hex digits (either case), if `text` is that.
pub(crate) fn from_hex0x(text: &str) -> Option<Hash> {
    let digits = text.strip_prefix("0x")?.as_bytes();
    // `from_str_radix` would accept a sign, so the digits are checked first.
    if digits.len() != 64 || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let pair = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(out)
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

    #[test]
    fn hex_round_trip() {
        let hash = blake2b_256(&[b"abc"]);
        let text = format!("0x{}", to_hex(&hash));
        assert_eq!(from_hex0x(&text), Some(hash));
        assert_eq!(
            from_hex0x(&text.to_uppercase().replace("0X", "0x")),
            Some(hash)
        );
        assert_eq!(from_hex0x(&text[2..]), None, "prefix required");
        assert_eq!(from_hex0x(&text[..65]), None, "odd length");
        assert_eq!(from_hex0x(&format!("0x{}", "g".repeat(64))), None);
        assert_eq!(from_hex0x(&format!("0x+{}", "0".repeat(63))), None);
    }
}
