//! Administration: what a bureau administrator does with the `fieldcase bureau …` commands
//! (and, for certificates, the administrators' API). The listings are [`BureauStore`]
//! methods; here is what needs more than one call, or work beside the store: hashing a PIN,
//! reading an import file, signing a credential.

use argon2::password_hash::{PasswordHasher, SaltString};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use fieldcase_core::certificate::CertificateStatus;
use fieldcase_core::ids::OfficerId;
use fieldcase_core::limits;
use fieldcase_core::registry::{Credential, CredentialClaims, KeyId};
use fieldcase_core::sign_in_scope::unit_list;
use fieldcase_core::signing::SecretKey;
use fieldcase_core::time::{RECORD_YEARS, check_instant, record_instant};

use crate::certificates::{
    CertificateAction, CertificateChanges, CertificateEvent, ImportError, Refusal, RefusalKind, parse_import, row_error,
};
use crate::credentials::{code_hash, new_enrollment_code};
use crate::store::{BureauStore, NewEnrollmentCode, Result, StoreError};

mod demo;
mod tokens;

pub use demo::{DEMO_PINS, DEMO_TEAM, SeedReport, seed_demo};
pub use tokens::{
    ADMIN_TOKEN_LIFETIME, ADMIN_TOKEN_MAX_LIFETIME, AdminTokenStanding, IssuedAdminToken, MIN_PREFIX_DIGITS,
    create_admin_token, revoke_admin_token,
};

/// A code made for an officer's device. The bureau keeps only its hash: it is shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedCode {
    pub code: String,
    pub label: Option<String>,
    /// The units the device that uses it will serve.
    pub units: Vec<String>,
    pub expires_at: DateTime<Utc>,
}

/// Makes a one-time enrollment code valid for `valid_for` from `now`, for a device that will
/// serve `units` (see [`fieldcase_core::sign_in_scope`]; none: it holds no officer's PIN
/// verifier until given a unit). It must expire within the years a record may fall in: a
/// longer time is refused, naming `--expires-in`.
pub async fn create_enrollment_code(
    store: &dyn BureauStore,
    label: Option<String>,
    units: &[String],
    valid_for: Duration,
    now: DateTime<Utc>,
) -> Result<IssuedCode> {
    let units = unit_list(units).map_err(|e| Refusal::invalid("unit", format!("{e} (--unit)")))?;
    if valid_for <= Duration::zero() {
        return Err(
            Refusal::invalid("expires_in", "an enrollment code must be valid for some time (--expires-in)").into()
        );
    }
    let now = record_instant(now);
    let expires_at = now
        .checked_add_signed(valid_for)
        .and_then(|at| check_instant("expires_at", at).ok())
        .ok_or_else(|| {
            Refusal::invalid(
                "expires_in",
                format!(
                    "a code valid for {} days from now would expire after the end of {}, past the years a record may fall in; give a shorter --expires-in, such as 7d",
                    valid_for.num_days(),
                    RECORD_YEARS.end()
                ),
            )
        })?;
    let label = label.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty());
    if let Some(label) = &label {
        limits::check("label", label, limits::LABEL)
            .map_err(|e| Refusal::invalid("label", format!("{e} (--label)")))?;
    }
    let code = new_enrollment_code().map_err(|e| StoreError::Other(e.to_string()))?;
    store
        .add_enrollment_code(NewEnrollmentCode {
            code_hash: code_hash(&code),
            label: label.clone(),
            units: units.clone(),
            created_at: now,
            expires_at,
        })
        .await?;
    Ok(IssuedCode { code, label, units, expires_at })
}

/// One action on one certificate, published as a new registry version signed with `key`.
pub async fn change_certificate(
    store: &dyn BureauStore,
    key: &SecretKey,
    action: CertificateAction,
    actor: String,
    now: DateTime<Utc>,
) -> Result<CertificateEvent> {
    let changes = store.change_certificates(vec![action], actor, key, now).await?;
    changes.events.into_iter().next().ok_or_else(|| StoreError::Other("a certificate action recorded nothing".into()))
}

impl From<ImportError> for Refusal {
    fn from(e: ImportError) -> Self {
        let field = match &e {
            ImportError::Row { column, .. } => Some(*column),
            ImportError::File(_) => None,
        };
        Refusal::new(RefusalKind::Invalid, field, e.to_string())
    }
}

/// Issues every certificate of an import file (see [`crate::certificates::parse_import`]) in
/// one transaction, published as one registry version. The first row that cannot be used —
/// unreadable, or a number already in the registry — refuses the whole file, naming its line
/// and column.
pub async fn import_certificates(
    store: &dyn BureauStore,
    key: &SecretKey,
    file: &[u8],
    actor: String,
    now: DateTime<Utc>,
) -> Result<CertificateChanges> {
    let rows = parse_import(file).map_err(Refusal::from)?;
    let actions = rows.iter().map(|row| CertificateAction::Issue(row.certificate.clone())).collect();
    store.change_certificates(actions, actor, key, now).await.map_err(|e| match e {
        StoreError::Refused(refusal) => match refusal.item.and_then(|i| rows.get(i)) {
            Some(row) => {
                let mut row_refusal = Refusal::from(row_error(row.line, &refusal));
                row_refusal.kind = refusal.kind;
                StoreError::Refused(row_refusal)
            }
            None => StoreError::Refused(refusal),
        },
        other => other,
    })
}

/// The shortest and longest PIN an officer may choose. Six digits at least: a million PINs,
/// so that the lockout on the device and the verifier's cost below make guessing slow.
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 6..=12;

/// The cost of one PIN guess against a verifier: Argon2id over 64 MiB, twelve passes, one lane.
/// About 0.4 s on the 2-core build machines measured (`make bench` prints it as
/// `pin_guess_cost`, target at least 0.25 s): a million six-digit PINs then cost days of one
/// core for an attacker who copied the registry, and a sign-in stays under half a second.
/// The parameters travel in the verifier, so devices verify at the cost it was made with.
pub fn pin_hasher() -> argon2::Argon2<'static> {
    // Constant, valid parameters: `Params::new` only refuses out-of-range ones.
    let params = argon2::Params::new(64 * 1024, 12, 1, None).unwrap_or_default();
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

/// What the registry keeps of a PIN: an Argon2id PHC string at [`pin_hasher`]'s cost, with a
/// random salt. The PIN must be 6 to 12 digits.
pub fn pin_verifier(pin: &str) -> Result<String, Refusal> {
    if !PIN_DIGITS.contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::invalid(
            "pin",
            format!(
                "a PIN is {} to {} digits (0-9) and nothing else; choose another",
                PIN_DIGITS.start(),
                PIN_DIGITS.end()
            ),
        ));
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| Refusal::new(RefusalKind::Invalid, None, format!("no randomness for the PIN's salt: {e}")))?;
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| Refusal::new(RefusalKind::Invalid, None, format!("the PIN's salt: {e}")))?;
    let hash = pin_hasher()
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|e| Refusal::new(RefusalKind::Invalid, None, format!("the PIN could not be hashed: {e}")))?;
    Ok(hash.to_string())
}

/// Sets an officer's sign-in PIN (only its verifier is kept) and publishes it in a new
/// registry version, so devices can check the PIN offline. Returns the version.
pub async fn set_officer_pin(
    store: &dyn BureauStore,
    key: &SecretKey,
    officer: OfficerId,
    pin: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    let verifier = pin_verifier(pin)?;
    store.set_officer_pins(vec![(officer, verifier)], key, now).await
}

/// The signed credential a certificate card's QR code carries, from the certificate as it
/// stands, signed with `key` (the bureau's current key). No card is made for a revoked
/// certificate.
pub async fn credential(store: &dyn BureauStore, key: &SecretKey, number: &str) -> Result<Credential> {
    let number = crate::certificates::parse_number(number)?;
    let record = store.certificate(number.clone()).await?.ok_or_else(|| Refusal::unknown_certificate(&number))?;
    let c = record.certificate;
    if c.status == CertificateStatus::Revoked {
        return Err(Refusal::new(
            RefusalKind::NotAllowed,
            Some("number"),
            format!("certificate {number} was revoked; no card is made for a revoked certificate"),
        )
        .into());
    }
    let claims = CredentialClaims {
        number: c.number,
        holder: c.holder,
        holder_name: c.holder_name,
        areas: c.areas,
        valid_from: c.valid_from,
        valid_until: c.valid_until,
        key_id: KeyId::of(&key.public_key()),
    };
    Ok(Credential::sign(claims, key))
}
