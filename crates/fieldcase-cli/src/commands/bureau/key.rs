//! `fieldcase bureau key …`: the bureau's signing keys, administered on its data directory.
//! A rotation is published to the devices' feed, vouched for by the old key.

use std::path::Path;

use chrono::Utc;
use clap::Subcommand;

use fieldcase_bureau::{OpenMode, keys};
use fieldcase_core::registry::KeyId;
use fieldcase_core::time::format_beijing;

use super::store::{with_signing_key, with_store};
use crate::commands::Context;
use crate::output::{Failure, print};

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Make a new signing key; the old key vouches for it in the devices' feed
    Rotate,
    /// The bureau's signing keys, the active one and those retired
    List,
}

pub(super) fn run(ctx: &Context, data_dir: &Path, cmd: KeyCommand) -> Result<(), Failure> {
    match cmd {
        KeyCommand::Rotate => {
            let dir = data_dir.to_owned();
            let (rotation, new) = with_store(data_dir, OpenMode::MustExist, async move |store| {
                keys::rotate(&dir, store, Utc::now()).await
            })?;
            let report = serde_json::json!({
                "old_key_id": rotation.old_key_id,
                "new_key_id": KeyId::of(&new.public_key()),
                "new_public_key": new.public_key(),
                "issued_at": rotation.issued_at,
            });
            print(ctx.json, &report, |_| {
                format!(
                    "rotated the bureau's signing key: {} retired, {} active\nnew public key {}\nthe old key's signature over the new one is in the devices' feed; registry versions and certificate cards are signed with the new key from now on",
                    rotation.old_key_id,
                    KeyId::of(&new.public_key()),
                    new.public_key()
                )
            });
            Ok(())
        }
        KeyCommand::List => {
            let list = with_signing_key(data_dir, OpenMode::MustExist, async |store, _key| store.signing_keys().await)?;
            print(ctx.json, &list, |list| {
                list.iter()
                    .map(|k| {
                        let state = match k.retired_at {
                            Some(at) => format!("retired {}", format_beijing(at)),
                            None => "active".into(),
                        };
                        format!("{}  {}  since {}  {}", k.key_id, state, format_beijing(k.created_at), k.public_key)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
    }
}
