//! The OpenAPI document, generated from the handlers and the wire types.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use fieldcase_core::wire;

use super::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "fieldcase bureau API",
        description = "The bureau's side of fieldcase: devices enroll with a one-time code, push signed pages of finalized records, and pull the bureau's feed of changes. Every failure answers `{code, message}`."
    ),
    paths(routes::health, routes::enroll, routes::push, routes::changes, routes::openapi_json),
    components(schemas(
        wire::ApiError,
        wire::Health,
        wire::EnrollRequest,
        wire::EnrollResponse,
        wire::PushRequest,
        wire::PushItem,
        wire::PushResponse,
        wire::ItemResult,
        wire::Fate,
        wire::PullResponse,
        wire::Change,
        wire::ChangeRecord,
    )),
    modifiers(&DeviceToken),
    tags(
        (name = "bureau", description = "The bureau itself"),
        (name = "devices", description = "Enrollment of officers' devices"),
        (name = "sync", description = "Push and pull"),
    )
)]
struct ApiDoc;

/// The bearer token a device receives at enrollment.
struct DeviceToken;

impl Modify for DeviceToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("device_token", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The API's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
