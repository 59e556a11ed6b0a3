//! Canonical serialization and content hashing.
//!
//! A record's hash must be the same on every device, on the bureau and in ten years' time
//! when a court re-verifies a case package. The canonical form is JSON with object keys
//! sorted by their UTF-8 bytes, no insignificant white space, and serde's field names and
//! value formats. Key order never depends on how serde_json was built (its `preserve_order`
//! feature may be switched on by other crates in the same program).

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use ts_rs::TS;

/// The canonical JSON bytes of a value.
pub fn to_canonical_json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    // Serializing our own record types to a Value cannot fail: they have string keys only.
    let value = serde_json::to_value(value).expect("records serialize to JSON");
    let mut out = Vec::with_capacity(256);
    write_canonical(&value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (key, val)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(key, out);
                out.push(b':');
                write_canonical(val, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        Value::String(s) => write_string(s, out),
        other => out.extend_from_slice(other.to_string().as_bytes()),
    }
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(serde_json::to_string(s).expect("strings serialize").as_bytes());
}

/// A SHA-256 digest, shown as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(into = "String", try_from = "String")]
#[ts(export, type = "string")]
pub struct ContentHash([u8; 32]);

impl ContentHash {
    /// The hash that stands before the first entry of a chain.
    pub const ZERO: ContentHash = ContentHash([0; 32]);

    pub fn of_bytes(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// The hash of a record's canonical JSON.
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Self {
        Self::of_bytes(&to_canonical_json(value))
    }

    pub fn from_digest(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentHash({})", self.to_hex())
    }
}

impl From<ContentHash> for String {
    fn from(h: ContentHash) -> String {
        h.to_hex()
    }
}

/// A string that is not 64 hex digits.
#[derive(Debug, Clone, thiserror::Error)]
#[error("'{0}' is not a SHA-256 hash (expected 64 hex digits)")]
pub struct HashParseError(String);

impl TryFrom<String> for ContentHash {
    type Error = HashParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl std::str::FromStr for ContentHash {
    type Err = HashParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(s, &mut bytes).map_err(|_| HashParseError(s.to_owned()))?;
        Ok(Self(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_depth_and_whitespace_is_dropped() {
        let v = json!({"b": 1, "a": {"z": [true, null, "x"], "c": "文"}});
        assert_eq!(String::from_utf8(to_canonical_json(&v)).unwrap(), r#"{"a":{"c":"文","z":[true,null,"x"]},"b":1}"#);
    }

    #[test]
    fn hash_round_trips_through_hex() {
        let h = ContentHash::of_bytes(b"abc");
        assert_eq!(h.to_hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(h.to_hex().parse::<ContentHash>().unwrap(), h);
        assert!("xyz".parse::<ContentHash>().is_err());
    }
}
