//! Bytes as lowercase hex digits and back: the form of every hash, key and signature in
//! records. Written out because the bureau turns hundreds of thousands of hashes into text
//! and back on each sync, and a char-by-char encoder was a visible share of that.

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// The lowercase hex digits of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    let mut text = Vec::with_capacity(bytes.len() * 2);
    for b in bytes {
        text.push(DIGITS[usize::from(b >> 4)]);
        text.push(DIGITS[usize::from(b & 0x0f)]);
    }
    // Only ASCII digits and letters were written.
    String::from_utf8(text).expect("hex digits are ASCII")
}

fn value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Fills `out` from exactly `2 * out.len()` hex digits (either case); None if `text` is not that.
pub fn decode_into(text: &str, out: &mut [u8]) -> Option<()> {
    let text = text.as_bytes();
    if text.len() != out.len() * 2 {
        return None;
    }
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        *byte = value(pair[0])? << 4 | value(pair[1])?;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn round_trips_and_agrees_with_the_hex_crate(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            let text = encode(&bytes);
            prop_assert_eq!(&text, &hex::encode(&bytes));
            let mut back = vec![0; bytes.len()];
            prop_assert_eq!(decode_into(&text, &mut back), Some(()));
            prop_assert_eq!(&back, &bytes);
            prop_assert_eq!(decode_into(&text.to_uppercase(), &mut back), Some(()));
            prop_assert_eq!(back, bytes);
        }
    }

    #[test]
    fn refuses_wrong_lengths_and_non_digits() {
        let mut out = [0u8; 2];
        assert_eq!(decode_into("abc", &mut out), None);
        assert_eq!(decode_into("abcg", &mut out), None);
        assert_eq!(decode_into("ab cd", &mut out), None);
        assert_eq!(decode_into("é1", &mut [0u8; 1]), None);
    }
}
