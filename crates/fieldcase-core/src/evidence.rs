//! Evidence references: what the device knows of a body-cam recording or photo.
//! The bytes live in the evidence vault, addressed by their SHA-256; never in the database.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::ContentHash;
use crate::ids::{EvidenceId, InspectionId, OfficerId};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidenceRef {
    pub id: EvidenceId,
    pub inspection_id: InspectionId,
    #[cfg_attr(feature = "openapi", schema(max_length = 4096))]
    pub original_path: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 255))]
    pub original_name: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 128))]
    pub recorder_id: Option<String>,
    #[ts(type = "number")]
    pub size: u64,
    pub sha256: ContentHash,
    pub capture_start: Option<DateTime<Utc>>,
    pub capture_end: Option<DateTime<Utc>>,
    pub officer_id: Option<OfficerId>,
    pub imported_at: DateTime<Utc>,
}
