//! The unified social credit code (统一社会信用代码) of GB 32100-2015.
//!
//! 18 characters from a 31-character alphabet (digits and capitals without I, O, S, V, Z):
//! position 1 the registration authority, 2 the organization category, 3–8 the
//! administrative division code, 9–17 the organization code, 18 a check character computed
//! from the first 17 with the weights of the standard, modulo 31.

use std::fmt;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/// Registration authorities of GB 32100-2015 table 1 (1–9 organs to industry and commerce,
/// A central military commission, N trade unions, Y others).
const AUTHORITIES: &[u8] = b"123456789ANY";

/// Why a code was refused. Positions count from 1, as printed on a business licence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error(
        "a unified social credit code has 18 characters, this one has {found}; copy it again from the business licence"
    )]
    Length { found: usize },
    #[error(
        "character {position} '{found}' cannot appear in a unified social credit code (only digits and capitals other than I, O, S, V, Z); check it against the business licence"
    )]
    Character { position: usize, found: char },
    #[error(
        "character 1 '{found}' is not a registration authority code (1–9, A, N or Y); check it against the business licence"
    )]
    Authority { found: char },
    #[error(
        "characters 3–8 are the administrative division code and must be digits, but character {position} is '{found}'"
    )]
    Division { position: usize, found: char },
    #[error(
        "the check character (position 18) is '{found}' but the first 17 characters give '{expected}'; one of the characters was probably mistyped"
    )]
    CheckCharacter { expected: char, found: char },
}

/// A unified social credit code that passed the GB 32100-2015 checks.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(into = "String", try_from = "String")]
#[ts(export, type = "string")]
pub struct Uscc(String);

impl Uscc {
    /// Checks a code as typed: white space anywhere is ignored (a licence prints the code in
    /// groups), lower case accepted, and the full-width digits and letters a Chinese input
    /// method gives (`９１３５…`) read as their ASCII forms.
    pub fn parse(input: &str) -> Result<Self, UsccError> {
        let code: Vec<char> =
            input.chars().filter(|c| !c.is_whitespace()).map(half_width).map(|c| c.to_ascii_uppercase()).collect();
        if code.len() != 18 {
            return Err(UsccError::Length { found: code.len() });
        }
        let mut values = [0u32; 18];
        for (i, &c) in code.iter().enumerate() {
            values[i] = value_of(c).ok_or(UsccError::Character { position: i + 1, found: c })?;
        }
        if !AUTHORITIES.contains(&(code[0] as u8)) {
            return Err(UsccError::Authority { found: code[0] });
        }
        if let Some(i) = (2..8).find(|&i| !code[i].is_ascii_digit()) {
            return Err(UsccError::Division { position: i + 1, found: code[i] });
        }
        let expected = check_character(&values[..17]);
        if code[17] != expected {
            return Err(UsccError::CheckCharacter { expected, found: code[17] });
        }
        Ok(Self(code.into_iter().collect()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The ASCII form of a full-width ASCII character (U+FF01 to U+FF5E), as a Chinese input
/// method types digits, letters and signs; any other as it is.
pub fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        other => other,
    }
}

fn value_of(c: char) -> Option<u32> {
    ALPHABET.iter().position(|&a| a as char == c).map(|p| p as u32)
}

/// The check character for the first 17 character values.
fn check_character(values: &[u32]) -> char {
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    ALPHABET[check as usize] as char
}

/// Completes 17 characters with their check character; demo data and tests use it.
pub fn with_check_character(first17: &str) -> Option<String> {
    let values: Option<Vec<u32>> = first17.chars().map(value_of).collect();
    let values = values.filter(|v| v.len() == 17)?;
    Some(format!("{first17}{}", check_character(&values)))
}

impl std::str::FromStr for Uscc {
    type Err = UsccError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uscc({})", self.0)
    }
}

impl From<Uscc> for String {
    fn from(u: Uscc) -> String {
        u.0
    }
}

impl TryFrom<String> for Uscc {
    type Error = UsccError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Codes in the real format: the GB 32100-2015 worked example and codes printed on
    /// public business licences and government notices.
    const VALID: &[&str] = &[
        "91350100M000100Y43", // worked example of GB 32100-2015
        "11100000000013127D", // an organ of the central government (authority 1)
        "91440300708461136T", // a Shenzhen company (authority 9, division 440300)
        "91310000132149237G", // a Shanghai company
        "91110108551385082Q", // a Beijing Haidian company
    ];

    #[test]
    fn real_format_codes_pass() {
        for code in VALID {
            assert!(Uscc::parse(code).is_ok(), "{code} is a valid code: {:?}", Uscc::parse(code));
        }
        assert_eq!(Uscc::parse(" 91350100m000100y43 ").unwrap().as_str(), "91350100M000100Y43");
        // As a Chinese input method types it, and as a licence groups it.
        assert_eq!(Uscc::parse("９１３５０１００Ｍ０００１００Ｙ４３").unwrap().as_str(), "91350100M000100Y43");
        assert_eq!(Uscc::parse("９１３５ ０１００ ｍ０００ １００ｙ ４３").unwrap().as_str(), "91350100M000100Y43");
        assert_eq!(Uscc::parse("9135 0100\u{3000}M000 100Y 43").unwrap().as_str(), "91350100M000100Y43");
    }

    #[test]
    fn wrong_check_character_is_refused_with_the_expected_one() {
        assert_eq!(Uscc::parse("91350100M000100Y44"), Err(UsccError::CheckCharacter { expected: '3', found: '4' }));
    }

    #[test]
    fn each_kind_of_bad_code_names_its_position() {
        assert_eq!(Uscc::parse("91350100M000100Y4"), Err(UsccError::Length { found: 17 }));
        assert_eq!(Uscc::parse("91350100M0001O0Y43"), Err(UsccError::Character { position: 14, found: 'O' }));
        assert_eq!(Uscc::parse("B1350100M000100Y43"), Err(UsccError::Authority { found: 'B' }));
        assert_eq!(Uscc::parse("9135A100M000100Y43"), Err(UsccError::Division { position: 5, found: 'A' }));
        let msg = Uscc::parse("91350100M0001O0Y43").unwrap_err().to_string();
        assert!(msg.contains("character 14"), "the message must say where: {msg}");
    }

    proptest! {
        /// Changing any one character of a valid code is always caught (mod 31 with weights
        /// coprime to 31 detects every single substitution).
        #[test]
        fn any_single_substitution_is_detected(pos in 0usize..18, replacement in 0usize..31) {
            let valid: Vec<char> = VALID[0].chars().collect();
            let new = ALPHABET[replacement] as char;
            prop_assume!(valid[pos] != new);
            let mut changed = valid.clone();
            changed[pos] = new;
            let changed: String = changed.into_iter().collect();
            prop_assert!(Uscc::parse(&changed).is_err(), "{} must be refused", changed);
        }
    }

    #[test]
    fn completing_seventeen_characters_gives_a_valid_code() {
        let code = with_check_character("91330106MA2GL1234").unwrap();
        assert!(Uscc::parse(&code).is_ok());
    }
}
