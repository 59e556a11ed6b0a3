//! `fieldcase bureau admin-token [list | revoke PREFIX]`: tokens for the administrators' API
//! (/api/v1/admin). A token is printed once, when it is made; the bureau keeps only its
//! hash, and names it by the hash's first digits in listings and in the records of what it
//! changed.

use std::path::Path;

use chrono::{Duration, Utc};
use clap::Subcommand;

use fieldcase_bureau::{OpenMode, admin};
use fieldcase_core::time::format_beijing;

use super::store::with_store;
use crate::commands::Context;
use crate::output::{Failure, print};

#[derive(Debug, Subcommand)]
pub enum AdminTokenCommand {
    /// Every token: label, made, expires, last used, revoked, and the prefix of its hash (never the token)
    List,
    /// Stop a token from working, for good
    Revoke {
        /// The start of the token's hash, as `fieldcase bureau admin-token list` shows it (at least 4 hex digits)
        prefix: String,
    },
}

pub(super) fn run(
    ctx: &Context,
    data_dir: &Path,
    cmd: Option<AdminTokenCommand>,
    label: Option<String>,
    expires_in: Option<Duration>,
) -> Result<(), Failure> {
    match cmd {
        None => create(ctx, data_dir, label, expires_in.unwrap_or(admin::ADMIN_TOKEN_LIFETIME)),
        Some(AdminTokenCommand::List) => list(ctx, data_dir),
        Some(AdminTokenCommand::Revoke { prefix }) => revoke(ctx, data_dir, &prefix),
    }
}

fn create(ctx: &Context, data_dir: &Path, label: Option<String>, expires_in: Duration) -> Result<(), Failure> {
    let issued = with_store(data_dir, OpenMode::CreateIfMissing, async move |store| {
        admin::create_admin_token(store, label, expires_in, Utc::now()).await
    })?;
    print(ctx.json, &issued, |issued| issued.token.clone());
    if !ctx.json {
        eprintln!(
            "administrator's token {} works until {} (Beijing time); it is shown only now",
            issued.hash_prefix,
            format_beijing(issued.expires_at)
        );
    }
    Ok(())
}

fn list(ctx: &Context, data_dir: &Path) -> Result<(), Failure> {
    let tokens = with_store(data_dir, OpenMode::MustExist, async |store| store.admin_tokens().await)?;
    let now = Utc::now();
    print(ctx.json, &tokens, |tokens| {
        if tokens.is_empty() {
            return "no administrators' tokens yet; make one with `fieldcase bureau admin-token --label NAME`".into();
        }
        tokens
            .iter()
            .map(|t| {
                let standing = match t.standing(now) {
                    admin::AdminTokenStanding::Valid => "works".to_owned(),
                    admin::AdminTokenStanding::Expired { .. } => "expired".to_owned(),
                    admin::AdminTokenStanding::Revoked { at } => format!("revoked {}", format_beijing(at)),
                };
                format!(
                    "{}  {}  made {}  expires {}  last used {}  {}",
                    t.hash_prefix,
                    t.label.as_deref().unwrap_or("-"),
                    format_beijing(t.created_at),
                    format_beijing(t.expires_at),
                    t.last_used.map_or_else(|| "never".into(), format_beijing),
                    standing,
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

fn revoke(ctx: &Context, data_dir: &Path, prefix: &str) -> Result<(), Failure> {
    let prefix = prefix.to_owned();
    let token = with_store(data_dir, OpenMode::MustExist, async move |store| {
        admin::revoke_admin_token(store, &prefix, Utc::now()).await
    })?;
    print(ctx.json, &token, |t| {
        format!(
            "administrator's token {} ({}) revoked {}: it no longer works, and nothing makes it work again",
            t.hash_prefix,
            t.label.as_deref().unwrap_or("no label"),
            t.revoked_at.map_or_else(String::new, format_beijing),
        )
    });
    Ok(())
}
