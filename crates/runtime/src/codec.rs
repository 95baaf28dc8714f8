//! The canonical binary encoding of transactions, events and state values.
//!
//! | type | encoding |
//! |---|---|
//! | `u8`, `u16`, `u32`, `u64`, `u128`, `i16` | fixed width, little-endian |
//! | `bool` | one byte, `0` or `1` (anything else is rejected) |
//! | `[u8; N]`, `AccountId` | the `N` bytes |
//! | `Vec<T>` | `u32` element count, then each element |
//! | `String` | `u32` byte count, then the UTF-8 bytes (invalid UTF-8 is rejected) |
//! | `Option<T>` | `0`, or `1` then the value |
//! | `(A, B)` | `A` then `B` |
//! | enums | one tag byte (variant index), then the fields in order |
//!
//! Every value has exactly one encoding: decoding rejects unknown tags, non-0/1 booleans and
//! trailing bytes, so `encode(decode(b)) == b` whenever `decode(b)` succeeds. Lengths are checked
//! against the bytes left before anything is allocated, so a hostile length cannot exhaust memory.
//!
//! This is a small hand-written codec rather than `commonware-codec`: the runtime's formats are a
//! dozen types, the rules above fit in this file, and the transaction format then does not move
//! with that crate's releases. The node carries these bytes as opaque payloads.

use yuma_primitives::{AccountId, Balance, BlockNumber, NetUid, Uid};

/// Why bytes are not a valid encoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The input ended before the value did.
    #[error("input ended early: needed {needed} more bytes, {left} left")]
    UnexpectedEnd {
        /// Bytes the next field needs.
        needed: usize,
        /// Bytes that were left.
        left: usize,
    },
    /// Bytes were left after the value.
    #[error("{0} trailing bytes after the value")]
    TrailingBytes(usize),
    /// An enum tag no variant has.
    #[error("unknown tag {tag} for {what}")]
    UnknownTag {
        /// The type being decoded.
        what: &'static str,
        /// The tag byte read.
        tag: u8,
    },
    /// A boolean byte other than 0 or 1.
    #[error("invalid boolean byte {0}")]
    InvalidBool(u8),
    /// A string whose bytes are not UTF-8.
    #[error("string is not valid UTF-8")]
    InvalidUtf8,
    /// A length larger than the input could hold.
    #[error("length {len} exceeds the {left} bytes left")]
    LengthTooLarge {
        /// The length read.
        len: u64,
        /// Bytes that were left.
        left: usize,
    },
}

/// A cursor over bytes being decoded.
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.bytes.len()
    }

    /// Takes the next `n` bytes.
    ///
    /// # Errors
    /// [`CodecError::UnexpectedEnd`] if fewer than `n` are left.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        if self.bytes.len() < n {
            return Err(CodecError::UnexpectedEnd {
                needed: n,
                left: self.bytes.len(),
            });
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    /// Takes a fixed-size array.
    ///
    /// # Errors
    /// [`CodecError::UnexpectedEnd`] if fewer than `N` bytes are left.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], CodecError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    /// Reads a `u32` element count and checks that `len * min_size` bytes could follow.
    ///
    /// # Errors
    /// [`CodecError::LengthTooLarge`] when the count cannot fit in what is left.
    pub fn length(&mut self, min_size: usize) -> Result<usize, CodecError> {
        let len = u32::decode_from(self)? as usize;
        if len.saturating_mul(min_size.max(1)) > self.remaining() {
            return Err(CodecError::LengthTooLarge {
                len: len as u64,
                left: self.remaining(),
            });
        }
        Ok(len)
    }

    /// Reads an enum tag.
    ///
    /// # Errors
    /// [`CodecError::UnexpectedEnd`] at the end of input.
    pub fn tag(&mut self) -> Result<u8, CodecError> {
        u8::decode_from(self)
    }
}

/// A value with a canonical encoding.
pub trait Encode {
    /// Appends the encoding to `out`.
    fn encode_to(&self, out: &mut Vec<u8>);

    /// The encoding as a new vector.
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_to(&mut out);
        out
    }
}

/// A value that can be read back from its canonical encoding.
pub trait Decode: Sized {
    /// Smallest encoded size in bytes (used to bound lengths before allocating).
    const MIN_SIZE: usize = 1;

    /// Reads one value from `reader`.
    ///
    /// # Errors
    /// A [`CodecError`] when the bytes are not a valid encoding.
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, CodecError>;

    /// Decodes a value that must use all of `bytes`.
    ///
    /// # Errors
    /// A [`CodecError`], including [`CodecError::TrailingBytes`].
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut reader = Reader::new(bytes);
        let value = Self::decode_from(&mut reader)?;
        match reader.remaining() {
            0 => Ok(value),
            n => Err(CodecError::TrailingBytes(n)),
        }
    }
}

macro_rules! int_codec {
    ($($t:ty),*) => {$(
        impl Encode for $t {
            fn encode_to(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
        impl Decode for $t {
            const MIN_SIZE: usize = std::mem::size_of::<$t>();
            fn decode_from(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
                Ok(<$t>::from_le_bytes(reader.array()?))
            }
        }
    )*};
}
int_codec!(u8, u16, u32, u64, u128, i16);

macro_rules! newtype_codec {
    ($($t:ty => $inner:ty),*) => {$(
        impl Encode for $t {
            fn encode_to(&self, out: &mut Vec<u8>) {
                self.0.encode_to(out);
            }
        }
        impl Decode for $t {
            const MIN_SIZE: usize = <$inner as Decode>::MIN_SIZE;
            fn decode_from(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
                Ok(Self(<$inner>::decode_from(reader)?))
            }
        }
    )*};
}
newtype_codec!(Balance => u64, NetUid => u16, Uid => u16, BlockNumber => u64);

impl Encode for bool {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
}

impl Decode for bool {
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        match reader.tag()? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(CodecError::InvalidBool(b)),
        }
    }
}

impl<const N: usize> Encode for [u8; N] {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
}

impl<const N: usize> Decode for [u8; N] {
    const MIN_SIZE: usize = N;
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        reader.array()
    }
}

impl Encode for AccountId {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }
}

impl Decode for AccountId {
    const MIN_SIZE: usize = 32;
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Self(reader.array()?))
    }
}

impl<T: Encode> Encode for Vec<T> {
    fn encode_to(&self, out: &mut Vec<u8>) {
        // Lengths are bounded by decoding (u32) and by the block size; a longer vector is an
        // internal error, not something a user can build through `decode`.
        let len = u32::try_from(self.len()).expect("encoded vectors hold fewer than 2^32 items");
        len.encode_to(out);
        for item in self {
            item.encode_to(out);
        }
    }
}

impl<T: Decode> Decode for Vec<T> {
    const MIN_SIZE: usize = 4;
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        let len = reader.length(T::MIN_SIZE)?;
        let mut out = Self::with_capacity(len);
        for _ in 0..len {
            out.push(T::decode_from(reader)?);
        }
        Ok(out)
    }
}

impl Encode for String {
    fn encode_to(&self, out: &mut Vec<u8>) {
        // As for `Vec`: decoding bounds the length to a `u32`.
        let len = u32::try_from(self.len()).expect("encoded strings hold fewer than 2^32 bytes");
        len.encode_to(out);
        out.extend_from_slice(self.as_bytes());
    }
}

impl Decode for String {
    const MIN_SIZE: usize = 4;
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        let len = reader.length(1)?;
        let bytes = reader.take(len)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| CodecError::InvalidUtf8)
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode_to(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                v.encode_to(out);
            }
        }
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        match reader.tag()? {
            0 => Ok(None),
            1 => Ok(Some(T::decode_from(reader)?)),
            tag => Err(CodecError::UnknownTag {
                what: "Option",
                tag,
            }),
        }
    }
}

impl<A: Encode, B: Encode> Encode for (A, B) {
    fn encode_to(&self, out: &mut Vec<u8>) {
        self.0.encode_to(out);
        self.1.encode_to(out);
    }
}

impl<A: Decode, B: Decode> Decode for (A, B) {
    const MIN_SIZE: usize = A::MIN_SIZE + B::MIN_SIZE;
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok((A::decode_from(reader)?, B::decode_from(reader)?))
    }
}

impl<A: Encode, B: Encode, C: Encode> Encode for (A, B, C) {
    fn encode_to(&self, out: &mut Vec<u8>) {
        self.0.encode_to(out);
        self.1.encode_to(out);
        self.2.encode_to(out);
    }
}

impl<A: Decode, B: Decode, C: Decode> Decode for (A, B, C) {
    const MIN_SIZE: usize = A::MIN_SIZE + B::MIN_SIZE + C::MIN_SIZE;
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok((
            A::decode_from(reader)?,
            B::decode_from(reader)?,
            C::decode_from(reader)?,
        ))
    }
}

/// Implements [`Encode`] and [`Decode`] for a struct by encoding its fields in order.
///
/// Fields named in a leading `appended_when_set: [..]` were added to a stored record later: they
/// are encoded after the others, and only when one of them differs from the struct's `Default`,
/// so a record that does not use them keeps the bytes (and the state root) it had before they
/// existed. Decoding reads them when bytes remain. Use them only for records stored as a whole
/// value, never nested in another encoding.
#[macro_export]
macro_rules! struct_codec {
    ($t:ident { appended_when_set: [$($tail:ident),* $(,)?], $($field:ident),* $(,)? }) => {
        impl $crate::codec::Encode for $t {
            fn encode_to(&self, out: &mut Vec<u8>) {
                $( $crate::codec::Encode::encode_to(&self.$field, out); )*
                let default = <$t as Default>::default();
                if [$( self.$tail != default.$tail ),*].contains(&true) {
                    $( $crate::codec::Encode::encode_to(&self.$tail, out); )*
                }
            }
        }
        impl $crate::codec::Decode for $t {
            fn decode_from(
                reader: &mut $crate::codec::Reader<'_>,
            ) -> Result<Self, $crate::codec::CodecError> {
                let mut value = Self {
                    $( $field: $crate::codec::Decode::decode_from(reader)?, )*
                    ..<$t as Default>::default()
                };
                if reader.remaining() > 0 {
                    $( value.$tail = $crate::codec::Decode::decode_from(reader)?; )*
                }
                Ok(value)
            }
        }
    };
    ($t:ident { $($field:ident),* $(,)? }) => {
        impl $crate::codec::Encode for $t {
            fn encode_to(&self, out: &mut Vec<u8>) {
                $( $crate::codec::Encode::encode_to(&self.$field, out); )*
            }
        }
        impl $crate::codec::Decode for $t {
            fn decode_from(
                reader: &mut $crate::codec::Reader<'_>,
            ) -> Result<Self, $crate::codec::CodecError> {
                Ok(Self { $( $field: $crate::codec::Decode::decode_from(reader)?, )* })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_little_endian() {
        assert_eq!(0x0102u16.encode(), vec![2, 1]);
        assert_eq!(u64::decode(&[1, 0, 0, 0, 0, 0, 0, 0]), Ok(1));
        assert_eq!((-2i16).encode(), vec![0xfe, 0xff]);
    }

    #[test]
    fn rejects_non_canonical() {
        assert_eq!(bool::decode(&[2]), Err(CodecError::InvalidBool(2)));
        assert_eq!(u16::decode(&[1, 0, 0]), Err(CodecError::TrailingBytes(1)));
        assert!(matches!(
            Option::<u8>::decode(&[7, 0]),
            Err(CodecError::UnknownTag { tag: 7, .. })
        ));
        assert!(matches!(
            u32::decode(&[1, 2]),
            Err(CodecError::UnexpectedEnd { needed: 4, left: 2 })
        ));
    }

    #[test]
    fn hostile_length_is_rejected_before_allocating() {
        let bytes = [0xff, 0xff, 0xff, 0xff, 0];
        assert!(matches!(
            Vec::<u64>::decode(&bytes),
            Err(CodecError::LengthTooLarge { .. })
        ));
    }

    #[test]
    fn strings_are_length_prefixed_utf8() {
        assert_eq!("ab".to_owned().encode(), vec![2, 0, 0, 0, b'a', b'b']);
        assert_eq!(String::decode(&[0, 0, 0, 0]), Ok(String::new()));
        assert_eq!(
            String::decode(&[2, 0, 0, 0, 0xc3, 0x28]),
            Err(CodecError::InvalidUtf8)
        );
        assert!(matches!(
            String::decode(&[3, 0, 0, 0, b'a']),
            Err(CodecError::LengthTooLarge { len: 3, left: 1 })
        ));
    }

    proptest::proptest! {
        #[test]
        fn string_round_trip(s in ".{0,40}") {
            let bytes = s.encode();
            proptest::prop_assert_eq!(String::decode(&bytes), Ok(s));
        }

        #[test]
        fn vec_round_trip(v in proptest::collection::vec((0u16..10, proptest::num::u16::ANY), 0..40)) {
            let bytes = v.encode();
            proptest::prop_assert_eq!(Vec::<(u16, u16)>::decode(&bytes), Ok(v));
        }

        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let _ = Vec::<(u16, Option<u64>)>::decode(&bytes);
        }
    }
}
