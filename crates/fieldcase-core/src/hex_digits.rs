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

/// The value of each byte as a hex digit; 0xff for a byte that is not one.
const VALUES: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// Fills `out` from exactly `2 * out.len()` hex digits (either case); None if `text` is not that.
pub fn decode_into(text: &str, out: &mut [u8]) -> Option<()> {
    let text = text.as_bytes();
    if text.len() != out.len() * 2 {
        return None;
    }
    let mut bad = 0;
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let (high, low) = (VALUES[usize::from(pair[0])], VALUES[usize::from(pair[1])]);
        // Checked once at the end: a non-digit has its high bit set.
        bad |= high | low;
        *byte = high << 4 | (low & 0x0f);
    }
    (bad & 0x80 == 0).then_some(())
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
