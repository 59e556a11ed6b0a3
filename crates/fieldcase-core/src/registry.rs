//! The certificate registry as the bureau signs it and devices verify it, and the signed
//! credential printed as a QR code on each certificate card.
//!
//! Signatures cover the exact bytes that travel (the JSON body of an update, the payload of
//! a credential), so a verifier hashes what it received before parsing anything, and no
//! canonical re-serialization stands between the signer and the verifier.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::ContentHash;
use crate::certificate::Certificate;
use crate::ids::OfficerId;
use crate::signing::{PublicKey, SecretKey, Signature, SignatureError, Signed};

pub use crate::sign_in_scope::RegistryScope;

/// Which bureau key signed something: the first 16 hex digits of the SHA-256 of the key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(transparent)]
#[ts(export, type = "string")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyId(pub String);

impl KeyId {
    pub fn of(key: &PublicKey) -> KeyId {
        KeyId(ContentHash::of_bytes(&hex::decode(key.to_string()).unwrap_or_default()).to_hex()[..16].to_owned())
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An officer as the registry knows them: their unit, and the verifier of their sign-in PIN
/// (an Argon2id PHC string; the PIN itself never leaves the bureau's administrator).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficerEntry {
    pub officer: OfficerId,
    pub name: String,
    /// The unit the officer works in (e.g. 执法一队); absent while the bureau has given none.
    /// Only devices that serve it sign the officer in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub unit: Option<String>,
    /// Only in the copy of a device that serves the officer's unit (see
    /// [`crate::sign_in_scope`]); None elsewhere, and while no PIN is set.
    pub pin_verifier: Option<String>,
}

/// A whole registry (`from_version` None) or the changes since `from_version`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistryUpdate {
    pub version: u64,
    /// None: a snapshot, the whole registry. Some(v): a delta that applies to version v.
    pub from_version: Option<u64>,
    pub issued_at: DateTime<Utc>,
    /// Every certificate (snapshot), or each certificate that changed, as it now stands (delta).
    pub certificates: Vec<Certificate>,
    /// Every officer (snapshot), or each officer that changed (delta).
    pub officers: Vec<OfficerEntry>,
    /// The device this update was made for, and the units whose PIN verifiers it carries.
    /// Absent in the bureau's own record of a version, which carries every verifier and is
    /// never served as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<RegistryScope>,
}

/// A registry update as it travels: the JSON body, and the bureau's signature over its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedRegistryUpdate {
    /// `RegistryUpdate` as JSON, exactly as signed.
    pub body: String,
    pub key_id: KeyId,
    pub signature: Signature,
}

/// Why a registry update or a credential was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error("it was signed by key {0}, which is not a key of this bureau")]
    UnknownKey(KeyId),
    #[error("its signature does not match: it was altered, or signed by another bureau")]
    BadSignature,
    #[error("it could not be read: {0}")]
    Malformed(String),
    #[error(
        "it is version {offered}, older than or the same as version {held} already held; a registry never goes back"
    )]
    Rollback { held: u64, offered: u64 },
    #[error("it changes version {from} but this device holds version {held}; the full registry is needed")]
    Gap { from: u64, held: u64 },
    #[error("it was made for another device ({0}); a device holds only the registry made for it")]
    AnotherDevice(crate::ids::DeviceId),
    #[error(
        "it was made for the units [{offered}] but this device's copy for [{held}]; the full registry for its units is needed"
    )]
    ScopeChanged { held: String, offered: String },
}

impl SignedRegistryUpdate {
    pub fn sign(update: &RegistryUpdate, key: &SecretKey) -> Self {
        let body = serde_json::to_string(update).expect("registry updates serialize");
        let signature = key.sign(Signed::Registry, &ContentHash::of_bytes(body.as_bytes()));
        SignedRegistryUpdate { body, key_id: KeyId::of(&key.public_key()), signature }
    }

    /// Checks the signature against `key`, then reads the body.
    pub fn open(&self, key: &PublicKey) -> Result<RegistryUpdate, RegistryError> {
        if KeyId::of(key) != self.key_id {
            return Err(RegistryError::UnknownKey(self.key_id.clone()));
        }
        key.verify(Signed::Registry, &ContentHash::of_bytes(self.body.as_bytes()), &self.signature)
            .map_err(|_| RegistryError::BadSignature)?;
        serde_json::from_str(&self.body).map_err(|e| RegistryError::Malformed(e.to_string()))
    }
}

/// The bureau moving to a new signing key: the old key vouches for the new one, so a
/// device that trusts the old key can trust the new.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyRotation {
    pub old_key_id: KeyId,
    pub new_key: PublicKey,
    pub issued_at: DateTime<Utc>,
    /// The old key's signature over `new_key` and `issued_at`.
    pub signature: Signature,
}

impl KeyRotation {
    fn message(new_key: &PublicKey, issued_at: DateTime<Utc>) -> ContentHash {
        ContentHash::of(&(new_key, issued_at))
    }

    pub fn sign(old: &SecretKey, new_key: PublicKey, issued_at: DateTime<Utc>) -> Self {
        let signature = old.sign(Signed::KeyRotation, &Self::message(&new_key, issued_at));
        KeyRotation { old_key_id: KeyId::of(&old.public_key()), new_key, issued_at, signature }
    }

    /// The new key, if `old` signed this rotation.
    pub fn verify(&self, old: &PublicKey) -> Result<PublicKey, RegistryError> {
        if KeyId::of(old) != self.old_key_id {
            return Err(RegistryError::UnknownKey(self.old_key_id.clone()));
        }
        old.verify(Signed::KeyRotation, &Self::message(&self.new_key, self.issued_at), &self.signature)
            .map_err(|_| RegistryError::BadSignature)?;
        Ok(self.new_key)
    }
}

/// What a certificate card's QR code says: enough to check the certificate offline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CredentialClaims {
    pub number: String,
    pub holder: OfficerId,
    pub holder_name: String,
    pub areas: Vec<String>,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub key_id: KeyId,
}

/// The prefix of a credential's text, with the format's version.
pub const CREDENTIAL_PREFIX: &str = "FC1.";

/// Why a credential's text could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error(
        "this is not a fieldcase certificate code (it should start with {CREDENTIAL_PREFIX}); scan the QR code on the certificate card again, or type the certificate number"
    )]
    NotACredential,
    #[error("the certificate code is damaged ({0}); scan it again, or type the certificate number")]
    Garbled(String),
}

/// A signed credential: `FC1.<claims as base64url JSON>.<signature as base64url>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    pub claims: CredentialClaims,
    payload: String,
    signature: Signature,
}

impl Credential {
    pub fn sign(claims: CredentialClaims, key: &SecretKey) -> Self {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("claims serialize"));
        let signature = key.sign(Signed::Credential, &ContentHash::of_bytes(payload.as_bytes()));
        Credential { claims, payload, signature }
    }

    /// The text the QR code carries.
    pub fn encode(&self) -> String {
        let sig = hex::decode(self.signature.to_string()).expect("signatures are hex");
        format!("{CREDENTIAL_PREFIX}{}.{}", self.payload, URL_SAFE_NO_PAD.encode(sig))
    }

    /// Reads a credential from text as scanned (white space around it is ignored).
    pub fn decode(text: &str) -> Result<Self, CredentialError> {
        let rest = text.trim().strip_prefix(CREDENTIAL_PREFIX).ok_or(CredentialError::NotACredential)?;
        let (payload, sig) = rest.split_once('.').ok_or_else(|| CredentialError::Garbled("no signature".into()))?;
        let garbled = |what: &str| CredentialError::Garbled(what.to_owned());
        let claims_json = URL_SAFE_NO_PAD.decode(payload).map_err(|_| garbled("the claims are not base64url"))?;
        let claims: CredentialClaims =
            serde_json::from_slice(&claims_json).map_err(|_| garbled("the claims are not readable"))?;
        let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|_| garbled("the signature is not base64url"))?;
        let signature: Signature =
            hex::encode(sig).parse().map_err(|_: SignatureError| garbled("the signature has the wrong length"))?;
        Ok(Credential { claims, payload: payload.to_owned(), signature })
    }

    /// Whether `key` signed exactly these claims.
    pub fn verify(&self, key: &PublicKey) -> Result<(), RegistryError> {
        key.verify(Signed::Credential, &ContentHash::of_bytes(self.payload.as_bytes()), &self.signature)
            .map_err(|_| RegistryError::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::CertificateStatus;
    use chrono::TimeZone;

    fn claims(key: &SecretKey) -> CredentialClaims {
        CredentialClaims {
            number: "33010620240107".into(),
            holder: OfficerId::parse("JC-0107").unwrap(),
            holder_name: "王敏".into(),
            areas: vec!["劳动保障监察".into()],
            valid_from: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            valid_until: NaiveDate::from_ymd_opt(2028, 12, 31).unwrap(),
            key_id: KeyId::of(&key.public_key()),
        }
    }

    #[test]
    fn a_credential_round_trips_through_its_text_and_verifies_only_with_its_key() {
        let key = SecretKey::from_seed([1; 32]);
        let text = Credential::sign(claims(&key), &key).encode();
        assert!(text.starts_with(CREDENTIAL_PREFIX));
        let read = Credential::decode(&format!("  {text}\n")).unwrap();
        assert_eq!(read.claims, claims(&key));
        assert_eq!(read.verify(&key.public_key()), Ok(()));
        assert_eq!(read.verify(&SecretKey::from_seed([2; 32]).public_key()), Err(RegistryError::BadSignature));
    }

    #[test]
    fn garbled_or_foreign_text_is_refused_with_a_reason() {
        assert_eq!(Credential::decode("33010620240107"), Err(CredentialError::NotACredential));
        assert!(matches!(Credential::decode("FC1.abc"), Err(CredentialError::Garbled(_))));
        let key = SecretKey::from_seed([1; 32]);
        let mut text = Credential::sign(claims(&key), &key).encode();
        text.insert(10, 'x');
        let damaged = Credential::decode(&text)
            .and_then(|c| c.verify(&key.public_key()).map_err(|_| CredentialError::Garbled("sig".into())));
        assert!(damaged.is_err(), "a changed character must not verify");
    }

    #[test]
    fn a_registry_update_opens_only_unchanged_and_with_its_key() {
        let key = SecretKey::from_seed([3; 32]);
        let update = RegistryUpdate {
            version: 7,
            from_version: None,
            issued_at: Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
            certificates: vec![Certificate {
                number: "1".into(),
                holder: OfficerId::parse("JC-1").unwrap(),
                holder_name: "李".into(),
                issuing_unit: "局".into(),
                areas: vec![],
                valid_from: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                valid_until: NaiveDate::from_ymd_opt(2028, 1, 1).unwrap(),
                status: CertificateStatus::Active,
            }],
            officers: vec![],
            scope: None,
        };
        let signed = SignedRegistryUpdate::sign(&update, &key);
        assert_eq!(signed.open(&key.public_key()), Ok(update));
        let mut tampered = signed.clone();
        tampered.body = tampered.body.replacen("active", "revoked", 1);
        assert_eq!(tampered.open(&key.public_key()), Err(RegistryError::BadSignature));
        let other = SecretKey::from_seed([4; 32]).public_key();
        assert!(matches!(signed.open(&other), Err(RegistryError::UnknownKey(_))));
    }

    #[test]
    fn a_new_key_is_trusted_only_when_the_old_key_signed_it() {
        let old = SecretKey::from_seed([5; 32]);
        let new = SecretKey::from_seed([6; 32]);
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let rotation = KeyRotation::sign(&old, new.public_key(), at);
        assert_eq!(rotation.verify(&old.public_key()), Ok(new.public_key()));
        let forged = KeyRotation::sign(&new, new.public_key(), at);
        assert!(forged.verify(&old.public_key()).is_err(), "a key cannot vouch for itself");
    }
}
