//! Ed25519 signatures over record hashes.
//!
//! What is signed is a domain-separated message naming the kind of record and its content
//! hash, so a signature over one kind of record can never be replayed as another.

use std::fmt;

use ed25519_dalek::{Signer, SigningKey, Verifier as _, VerifyingKey};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::ContentHash;

/// The kinds of record a device signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signed {
    Inspection,
    /// A page of records pushed to the bureau.
    PushPage,
    /// A certificate registry snapshot or delta, by the bureau.
    Registry,
    /// A certificate credential (the QR code on the card), by the bureau.
    Credential,
    /// A new bureau key, by the key before it.
    KeyRotation,
    /// A device's request to enroll, by the key it presents.
    Enrollment,
    /// A site or a checklist template in the bureau's feed, by the bureau.
    FeedRecord,
}

impl Signed {
    fn label(self) -> &'static str {
        match self {
            Signed::Inspection => "inspection",
            Signed::PushPage => "push-page",
            Signed::Registry => "registry",
            Signed::Credential => "credential",
            Signed::KeyRotation => "key-rotation",
            Signed::Enrollment => "enrollment",
            Signed::FeedRecord => "feed-record",
        }
    }
}

fn message(kind: Signed, hash: &ContentHash) -> Vec<u8> {
    format!("fieldcase/v1/{}/{}", kind.label(), hash.to_hex()).into_bytes()
}

/// A device's or the bureau's secret signing key. Never printed.
pub struct SecretKey(SigningKey);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey(public {})", self.public_key())
    }
}

impl SecretKey {
    /// A key from 32 random bytes (the caller supplies them: this crate does no I/O).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self(SigningKey::from_bytes(&seed))
    }

    pub fn seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key().to_bytes())
    }

    pub fn sign(&self, kind: Signed, hash: &ContentHash) -> Signature {
        Signature(self.0.sign(&message(kind, hash)).to_bytes())
    }
}

/// An Ed25519 public key, as 64 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(into = "String", try_from = "String")]
#[ts(export, type = "string")]
pub struct PublicKey([u8; 32]);

/// An Ed25519 signature, as 128 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(into = "String", try_from = "String")]
#[ts(export, type = "string")]
pub struct Signature([u8; 64]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("'{0}' is not a valid key or signature encoding")]
    Encoding(String),
    #[error("the signature does not match the record: it was altered or signed by another key")]
    Mismatch,
}

impl PublicKey {
    pub fn verify(&self, kind: Signed, hash: &ContentHash, signature: &Signature) -> Result<(), SignatureError> {
        self.verifier()?.verify(kind, hash, signature)
    }

    /// The key made ready to verify many signatures: decoding the key's curve point is a
    /// sizeable part of one verification, done here once.
    pub fn verifier(&self) -> Result<Verifier, SignatureError> {
        VerifyingKey::from_bytes(&self.0).map(Verifier).map_err(|_| SignatureError::Encoding(self.to_string()))
    }
}

/// A public key decoded for verifying (see [`PublicKey::verifier`]).
#[derive(Clone, Debug)]
pub struct Verifier(VerifyingKey);

impl Verifier {
    pub fn verify(&self, kind: Signed, hash: &ContentHash, signature: &Signature) -> Result<(), SignatureError> {
        let sig = ed25519_dalek::Signature::from_bytes(&signature.0);
        self.0.verify(&message(kind, hash), &sig).map_err(|_| SignatureError::Mismatch)
    }
}

macro_rules! hex_bytes {
    ($name:ident, $len:literal) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&crate::hex_digits::encode(&self.0))
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self)
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.to_string()
            }
        }
        impl TryFrom<String> for $name {
            type Error = SignatureError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }
        impl std::str::FromStr for $name {
            type Err = SignatureError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let mut bytes = [0u8; $len];
                crate::hex_digits::decode_into(s, &mut bytes).ok_or_else(|| SignatureError::Encoding(s.to_owned()))?;
                Ok(Self(bytes))
            }
        }
    };
}
hex_bytes!(PublicKey, 32);
hex_bytes!(Signature, 64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_hash_and_key() {
        let key = SecretKey::from_seed([7; 32]);
        let other = SecretKey::from_seed([8; 32]);
        let hash = ContentHash::of_bytes(b"record");
        let sig = key.sign(Signed::Inspection, &hash);
        assert_eq!(key.public_key().verify(Signed::Inspection, &hash, &sig), Ok(()));
        assert_eq!(
            key.public_key().verify(Signed::Inspection, &ContentHash::of_bytes(b"other"), &sig),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(other.public_key().verify(Signed::Inspection, &hash, &sig), Err(SignatureError::Mismatch));
        let round: Signature = sig.to_string().parse().unwrap();
        assert_eq!(round, sig);
    }
}
