//! Canonical serialization and content hashing.
//!
//! A record's hash must be the same on every device, on the bureau and in ten years' time
//! when a court re-verifies a case package. The canonical form is JSON with object keys
//! sorted by their UTF-8 bytes, no insignificant white space, and serde's field names and
//! value formats. Key order never depends on how serde_json was built (its `preserve_order`
//! feature may be switched on by other crates in the same program).

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

mod writer;

/// The canonical JSON bytes of a value.
pub fn to_canonical_json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    // Our record types have string keys only, so they always have a canonical form.
    writer::write(value, &mut out).expect("records serialize to canonical JSON");
    out
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
        crate::hex_digits::encode(&self.0)
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
        crate::hex_digits::decode_into(s, &mut bytes).ok_or_else(|| HashParseError(s.to_owned()))?;
        Ok(Self(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    /// The definition of the canonical form, kept as the reference the writer must match:
    /// the value as a `serde_json::Value`, printed with keys sorted by their UTF-8 bytes.
    fn reference<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
        fn write(value: &Value, out: &mut Vec<u8>) {
            match value {
                Value::Object(map) => {
                    let mut entries: Vec<_> = map.iter().collect();
                    entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                    out.push(b'{');
                    for (i, (key, val)) in entries.into_iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        out.extend_from_slice(serde_json::to_string(key).unwrap().as_bytes());
                        out.push(b':');
                        write(val, out);
                    }
                    out.push(b'}');
                }
                Value::Array(items) => {
                    out.push(b'[');
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        write(item, out);
                    }
                    out.push(b']');
                }
                Value::String(s) => out.extend_from_slice(serde_json::to_string(s).unwrap().as_bytes()),
                other => out.extend_from_slice(other.to_string().as_bytes()),
            }
        }
        let mut out = Vec::new();
        write(&serde_json::to_value(value).unwrap(), &mut out);
        out
    }

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            ".*".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::btree_map(".*", inner, 0..8).prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn the_writer_matches_the_reference_form_on_any_json(value in any_json()) {
            prop_assert_eq!(to_canonical_json(&value), reference(&value));
        }
    }

    #[test]
    fn the_writer_matches_the_reference_form_on_every_kind_of_record() {
        use crate::audit::{Actor, AuditEntry};
        use crate::ids::DeviceId;
        use std::collections::BTreeMap;

        #[derive(Serialize)]
        #[serde(tag = "type", rename_all = "snake_case")]
        enum Tagged {
            Unit,
            Struct { b: u8, a: Option<String> },
        }
        #[derive(Serialize)]
        #[serde(tag = "kind", content = "record")]
        enum Adjacent {
            Newtype(Vec<u8>),
            Tuple(i8, char),
        }
        #[derive(Serialize)]
        enum External {
            Newtype(u16),
            Tuple(i32, bool),
            Struct { z: (), y: [u8; 2] },
            Unit,
        }
        #[derive(Serialize)]
        struct Inner {
            zeta: i128,
            alpha: u128,
        }
        #[derive(Serialize)]
        struct Record {
            z_last: &'static str,
            #[serde(flatten)]
            inner: Inner,
            a_first: Vec<Tagged>,
            adjacent: Vec<Adjacent>,
            external: Vec<External>,
            #[serde(with = "serde_bytes_as_seq")]
            bytes: Vec<u8>,
            numbers_as_keys: BTreeMap<u32, f32>,
            skipped: Option<u8>,
        }
        mod serde_bytes_as_seq {
            pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(v)
            }
        }
        let record = Record {
            z_last: "\u{1}\"quoted\" 文\n",
            inner: Inner { zeta: -5, alpha: u128::from(u64::MAX) },
            a_first: vec![Tagged::Unit, Tagged::Struct { b: 2, a: None }, Tagged::Struct { b: 0, a: Some("x".into()) }],
            adjacent: vec![Adjacent::Newtype(vec![1, 2]), Adjacent::Tuple(-1, '字')],
            external: vec![
                External::Newtype(7),
                External::Tuple(-3, true),
                External::Struct { z: (), y: [9, 8] },
                External::Unit,
            ],
            bytes: vec![0, 255],
            numbers_as_keys: [(10, 1.5), (2, f32::NAN)].into_iter().collect(),
            skipped: None,
        };
        assert_eq!(
            String::from_utf8(to_canonical_json(&record)).unwrap(),
            String::from_utf8(reference(&record)).unwrap()
        );

        let device = DeviceId::from_uuid(uuid::Uuid::from_u128(7));
        let entry = AuditEntry::next(
            None,
            chrono::DateTime::parse_from_rfc3339("2026-03-01T08:00:00.123456Z").unwrap().to_utc(),
            &Actor::Device { device },
            "site.create",
            "s",
            ContentHash::of_bytes(b"x"),
        );
        assert_eq!(to_canonical_json(&entry), reference(&entry));
        assert_eq!(to_canonical_json(&Actor::Device { device }), reference(&Actor::Device { device }));
    }

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
