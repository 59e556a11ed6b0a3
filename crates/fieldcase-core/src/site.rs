//! Sites: employers and construction projects that can be inspected.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::SiteId;
use crate::uscc::Uscc;

/// An employer, or a construction project run by one.
// Its texts are held to `crate::limits`; the schema's `maxLength`s state those limits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Site {
    pub id: SiteId,
    /// The employer's registered name, as on its business licence.
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub name: String,
    pub uscc: Uscc,
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub address: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub project_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub general_contractor: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// What an officer enters to add a site.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewSite {
    pub name: String,
    pub uscc: String,
    pub address: Option<String>,
    pub project_name: Option<String>,
    pub general_contractor: Option<String>,
}
