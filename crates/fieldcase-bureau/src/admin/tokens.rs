//! Administrators' tokens for `/api/v1/admin`: made with a lifetime, listed, revoked by the
//! prefix of their hash; whether one still works; and how the records name the token that
//! made a change.
//!
//! - A token works from when it is made until it expires (90 days unless its administrator
//!   chose otherwise, at most a year) or is revoked, whichever comes first. A revoked token
//!   stays revoked.
//! - Each token is named by the first 8 hex digits of its hash, unique among the bureau's
//!   tokens, and by its label: `admin-token:1a2b3c4d (李管理员)`. The token itself is shown
//!   once, when it is made.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use fieldcase_core::time::{RECORD_YEARS, check_instant, record_instant};

use crate::certificates::{Refusal, RefusalKind};
use crate::credentials::new_token;
use crate::store::{AdminRecord, BureauStore, NewAdminToken, Result, StoreError, TokenHash};

/// How long a token works unless its administrator says otherwise (`--expires-in`).
pub const ADMIN_TOKEN_LIFETIME: Duration = Duration::days(90);

/// The longest a token may work: one that never runs out is one nobody remembers to revoke.
pub const ADMIN_TOKEN_MAX_LIFETIME: Duration = Duration::days(366);

/// The fewest hex digits of a token's hash that name it for revocation, so that a stray
/// character does not revoke the only token that starts with it.
pub const MIN_PREFIX_DIGITS: usize = 4;

/// How long after a token's last noted use another use is noted: a use is a write, and
/// an administrator's requests should rarely wait for the writer.
const NOTE_USE_EVERY: Duration = Duration::minutes(1);

/// A token just made. The bureau keeps only its hash: `token` is shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedAdminToken {
    pub token: String,
    pub hash_prefix: String,
    pub label: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// Whether a token works at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminTokenStanding {
    Valid,
    Expired { at: DateTime<Utc> },
    Revoked { at: DateTime<Utc> },
}

impl AdminRecord {
    /// Whether the token works at `now`: not once it was revoked (whenever that was), nor
    /// from the instant it expires.
    pub fn standing(&self, now: DateTime<Utc>) -> AdminTokenStanding {
        match self.revoked_at {
            Some(at) => AdminTokenStanding::Revoked { at },
            None if now >= self.expires_at => AdminTokenStanding::Expired { at: self.expires_at },
            None => AdminTokenStanding::Valid,
        }
    }

    /// How the records (a certificate's history) name the token that made a change.
    pub fn actor(&self) -> String {
        match &self.label {
            Some(label) => format!("admin-token:{} ({label})", self.hash_prefix),
            None => format!("admin-token:{}", self.hash_prefix),
        }
    }

    /// Whether a request it authenticated at `now` is worth noting as its last use: at most
    /// once a minute (or when the clock went back past the last note).
    pub fn use_worth_noting(&self, now: DateTime<Utc>) -> bool {
        self.last_used.is_none_or(|at| now < at || now - at >= NOTE_USE_EVERY)
    }
}

/// Makes a token that works for `valid_for` from `now`: more than no time, at most
/// [`ADMIN_TOKEN_MAX_LIFETIME`], and not past the years a record may fall in. Its hash's
/// prefix is one no other token of the bureau has.
pub async fn create_admin_token(
    store: &dyn BureauStore,
    label: Option<String>,
    valid_for: Duration,
    now: DateTime<Utc>,
) -> Result<IssuedAdminToken> {
    if valid_for <= Duration::zero() {
        return Err(
            Refusal::invalid("expires_in", "an administrator's token must work for some time (--expires-in)").into()
        );
    }
    if valid_for > ADMIN_TOKEN_MAX_LIFETIME {
        return Err(Refusal::invalid(
            "expires_in",
            format!(
                "an administrator's token works for at most {} days; give a shorter --expires-in, such as 90d, and make a new token when it runs out",
                ADMIN_TOKEN_MAX_LIFETIME.num_days()
            ),
        )
        .into());
    }
    let now = record_instant(now);
    let expires_at = now.checked_add_signed(valid_for).and_then(|at| check_instant("expires_at", at).ok()).ok_or_else(
        || {
            Refusal::invalid(
                "expires_in",
                format!(
                    "a token made now for {} days would expire after the end of {}, past the years a record may fall in; check the bureau's clock, or give a shorter --expires-in",
                    valid_for.num_days(),
                    RECORD_YEARS.end()
                ),
            )
        },
    )?;
    let label = label.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty());
    let taken: HashSet<String> = store.admin_tokens().await?.into_iter().map(|t| t.hash_prefix).collect();
    // Two tokens share a prefix once in four billion; a few tries are plenty.
    for _ in 0..8 {
        let token = format!("fca_{}", new_token().map_err(|e| StoreError::Other(e.to_string()))?);
        let token_hash = TokenHash::of_token(&token);
        if taken.contains(&token_hash.prefix()) {
            continue;
        }
        store.add_admin_token(NewAdminToken { token_hash, label: label.clone(), created_at: now, expires_at }).await?;
        return Ok(IssuedAdminToken { token, hash_prefix: token_hash.prefix(), label, expires_at });
    }
    Err(StoreError::Other("no new token had a hash prefix of its own".into()))
}

/// Revokes the one token whose hash starts with `prefix` (hex digits, as
/// `fieldcase bureau admin-token list` shows them; at least [`MIN_PREFIX_DIGITS`]). A prefix
/// that names no token, or several, is refused and nothing changes. Revoking a revoked token
/// again changes nothing.
pub async fn revoke_admin_token(store: &dyn BureauStore, prefix: &str, now: DateTime<Utc>) -> Result<AdminRecord> {
    let wanted = prefix.trim().to_ascii_lowercase();
    if wanted.len() < MIN_PREFIX_DIGITS || wanted.len() > 64 || !wanted.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Refusal::invalid(
            "prefix",
            format!(
                "'{prefix}' is not the start of a token's hash: give at least {MIN_PREFIX_DIGITS} of the hex digits (0-9, a-f) `fieldcase bureau admin-token list` shows"
            ),
        )
        .into());
    }
    let tokens = store.admin_tokens().await?;
    let matching: Vec<&AdminRecord> = tokens.iter().filter(|t| t.token_hash.to_hex().starts_with(&wanted)).collect();
    match matching.as_slice() {
        [] => Err(Refusal::new(
            RefusalKind::NotFound,
            Some("prefix"),
            format!(
                "no administrator's token has a hash starting with '{wanted}'; `fieldcase bureau admin-token list` shows each token's prefix"
            ),
        )
        .into()),
        [token] => store.revoke_admin_token(token.token_hash, record_instant(now)).await,
        several => {
            let named: Vec<String> = several.iter().map(|t| t.actor()).collect();
            Err(Refusal::invalid(
                "prefix",
                format!(
                    "'{wanted}' starts the hashes of {} tokens ({}); give more of the digits `fieldcase bureau admin-token list` shows",
                    several.len(),
                    named.join(", ")
                ),
            )
            .into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(label: Option<&str>, expires_at: DateTime<Utc>) -> AdminRecord {
        let token_hash = TokenHash::of_token("fca_x");
        AdminRecord {
            token_hash,
            hash_prefix: token_hash.prefix(),
            label: label.map(str::to_owned),
            created_at: expires_at - ADMIN_TOKEN_LIFETIME,
            expires_at,
            last_used: None,
            revoked_at: None,
        }
    }

    #[test]
    fn a_token_works_until_it_expires_or_is_revoked() {
        let now = Utc::now();
        let token = record(Some("李"), now + Duration::days(1));
        assert_eq!(token.standing(now), AdminTokenStanding::Valid);
        assert_eq!(token.standing(token.expires_at), AdminTokenStanding::Expired { at: token.expires_at });
        let revoked = AdminRecord { revoked_at: Some(now - Duration::days(1)), ..token.clone() };
        assert_eq!(revoked.standing(now), AdminTokenStanding::Revoked { at: now - Duration::days(1) });
        assert!(
            matches!(revoked.standing(now + Duration::days(2)), AdminTokenStanding::Revoked { .. }),
            "revoked says more than expired"
        );
    }

    #[test]
    fn the_records_name_a_token_by_its_hash_prefix_and_label() {
        let now = Utc::now();
        let prefix = TokenHash::of_token("fca_x").prefix();
        assert_eq!(record(Some("李"), now).actor(), format!("admin-token:{prefix} (李)"));
        assert_eq!(record(None, now).actor(), format!("admin-token:{prefix}"));
    }

    #[test]
    fn a_use_is_noted_at_most_once_a_minute() {
        let now = Utc::now();
        let mut token = record(None, now + Duration::days(1));
        assert!(token.use_worth_noting(now), "the first use");
        token.last_used = Some(now);
        assert!(!token.use_worth_noting(now + Duration::seconds(59)));
        assert!(token.use_worth_noting(now + Duration::seconds(60)));
        assert!(token.use_worth_noting(now - Duration::seconds(1)), "a clock set back is noted");
    }
}
