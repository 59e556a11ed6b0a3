//! Enrollment codes and bearer tokens: how they are made, and the hashes the bureau keeps
//! instead of them.

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::wire::normalize_enrollment_code;

/// Letters and digits an officer cannot misread: no 0/O, no 1/I. 32 of them, so a random
/// byte masked to five bits picks one without bias.
const CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_GROUPS: usize = 3;
const CODE_GROUP_LEN: usize = 4;

/// No randomness could be had from the operating system.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the operating system gave no randomness: {0}")]
pub struct NoRandomness(String);

fn random<const N: usize>() -> Result<[u8; N], NoRandomness> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| NoRandomness(e.to_string()))?;
    Ok(bytes)
}

/// A new enrollment code to read out or type: `ABCD-EFGH-JKLM` (60 random bits).
pub fn new_enrollment_code() -> Result<String, NoRandomness> {
    let bytes = random::<{ CODE_GROUPS * CODE_GROUP_LEN }>()?;
    let chars: Vec<char> = bytes.iter().map(|b| CODE_ALPHABET[usize::from(b & 31)] as char).collect();
    Ok(chars.chunks(CODE_GROUP_LEN).map(|g| g.iter().collect::<String>()).collect::<Vec<_>>().join("-"))
}

/// What the bureau keeps of an enrollment code.
pub fn code_hash(typed: &str) -> ContentHash {
    ContentHash::of_bytes(normalize_enrollment_code(typed).as_bytes())
}

/// A new bearer token: 32 random bytes as 64 hex digits.
pub fn new_token() -> Result<String, NoRandomness> {
    Ok(hex::encode(random::<32>()?))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_grouped_and_typed_forms_hash_alike() {
        let code = new_enrollment_code().unwrap();
        assert_eq!(code.len(), 14, "{code}");
        assert!(code.split('-').all(|g| g.len() == 4 && g.bytes().all(|b| CODE_ALPHABET.contains(&b))), "{code}");
        let typed = format!(" {} ", code.to_lowercase().replace('-', " "));
        assert_eq!(code_hash(&typed), code_hash(&code), "case, spaces and dashes must not matter");
        assert_ne!(new_enrollment_code().unwrap(), code);
    }

    #[test]
    fn tokens_are_64_hex_digits() {
        let token = new_token().unwrap();
        assert_eq!(token.len(), 64);
        assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
