//! OpenAPI schemas for the types that travel as strings (hashes, keys, signatures, ids,
//! codes). The records themselves derive theirs; these are written out because serde sends
//! them as text, whatever their inner form.

use std::borrow::Cow;

use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, SchemaFormat, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use crate::canonical::ContentHash;
use crate::checklist::{AnswerValue, TemplateId};
use crate::ids::{CheckId, DeviceId, EvidenceId, InspectionId, OfficerId, RecorderCheckId, SiteId};
use crate::limits;
use crate::signing::{PublicKey, Signature};
use crate::uscc::Uscc;

macro_rules! string_schema {
    ($name:ty, $format:expr, $pattern:expr, $description:literal) => {
        string_schema!($name, $format, $pattern, None, $description);
    };
    ($name:ty, $format:expr, $pattern:expr, $max_length:expr, $description:literal) => {
        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format($format)
                    .pattern($pattern)
                    .max_length($max_length)
                    .description(Some($description))
                    .into()
            }
        }
        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

const HEX64: Option<&str> = Some("^[0-9a-f]{64}$");
/// utoipa names this format only with its `uuid` feature, which would pull in more than a name.
fn uuid() -> Option<SchemaFormat> {
    Some(SchemaFormat::Custom("uuid".into()))
}

fn text() -> Option<SchemaFormat> {
    None
}

string_schema!(ContentHash, text(), HEX64, "A SHA-256 digest, 64 lowercase hex digits.");
string_schema!(PublicKey, text(), HEX64, "An Ed25519 public key, 64 hex digits.");
string_schema!(Signature, text(), Some("^[0-9a-f]{128}$"), "An Ed25519 signature, 128 hex digits.");
string_schema!(InspectionId, uuid(), None::<&str>, "One version of an inspection record (UUIDv7).");
string_schema!(SiteId, uuid(), None::<&str>, "An employer or construction project (UUIDv7).");
string_schema!(CheckId, uuid(), None::<&str>, "One recorded certificate check (UUIDv7).");
string_schema!(EvidenceId, uuid(), None::<&str>, "One piece of evidence (UUIDv7).");
string_schema!(RecorderCheckId, uuid(), None::<&str>, "One recorded check of a body-cam (UUIDv7).");
string_schema!(DeviceId, uuid(), None::<&str>, "An officer's laptop (UUIDv7, made by the device).");
string_schema!(
    OfficerId,
    text(),
    Some("^[A-Za-z0-9._-]{1,64}$"),
    Some(limits::OFFICER_ID),
    "An officer's staff number, e.g. JC-0042."
);
string_schema!(
    Uscc,
    text(),
    Some("^[0-9A-HJ-NP-RTUW-Y]{18}$"),
    "A unified social credit code (统一社会信用代码, GB 32100-2015), check character verified."
);
string_schema!(
    TemplateId,
    text(),
    None::<&str>,
    Some(limits::IDENTIFIER),
    "A checklist template's id, e.g. construction-wage."
);

/// `{"kind": "yes" | "no" | "not_applicable"}`, or `{"kind": "number" | "text", "value": …}`
/// (serde's adjacent tagging), with the limits of the texts.
impl PartialSchema for AnswerValue {
    fn schema() -> RefOr<Schema> {
        let kind = |kind: &str| ObjectBuilder::new().schema_type(Type::String).enum_values(Some([kind]));
        let bare = |name: &str| ObjectBuilder::new().property("kind", kind(name)).required("kind");
        let valued = |name: &str, max: usize, description: &str| {
            bare(name)
                .property(
                    "value",
                    ObjectBuilder::new().schema_type(Type::String).max_length(Some(max)).description(Some(description)),
                )
                .required("value")
        };
        OneOfBuilder::new()
            .item(bare("yes"))
            .item(bare("no"))
            .item(bare("not_applicable"))
            .item(valued(
                "number",
                limits::NUMBER,
                "A decimal number as typed, normalized (no sign for positives, no leading zeros).",
            ))
            .item(valued("text", limits::FREE_TEXT, "The officer's words."))
            .description(Some("An officer's answer to one item."))
            .into()
    }
}

impl ToSchema for AnswerValue {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("AnswerValue")
    }
}
