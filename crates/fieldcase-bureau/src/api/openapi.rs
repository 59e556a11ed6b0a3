//! The OpenAPI document, generated from the handlers and the wire types.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr};
use utoipa::{Modify, OpenApi};

use fieldcase_core::{certificate, registry, wire};

use crate::certificates;

use super::openapi_errors::SharedFailures;
use super::{admin_routes, routes, tus};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "fieldcase bureau API",
        description = "The bureau's side of fieldcase: devices enroll with a one-time code, push signed pages of finalized records, and pull the bureau's feed of changes, with the signed certificate registry; administrators manage certificates. Every failure answers `{code, message}`."
    ),
    paths(
        routes::health,
        routes::enroll,
        routes::push,
        routes::changes,
        routes::registry_snapshot,
        admin_routes::admin_certificates,
        admin_routes::admin_issue,
        admin_routes::admin_history,
        admin_routes::admin_renew,
        admin_routes::admin_suspend,
        admin_routes::admin_reinstate,
        admin_routes::admin_revoke,
        routes::openapi_json,
        tus::options,
        tus::create::create,
        tus::standing::head,
        tus::patch::patch,
        tus::standing::terminate
    ),
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
        registry::SignedRegistryUpdate,
        registry::RegistryUpdate,
        registry::KeyRotation,
        registry::KeyId,
        registry::OfficerEntry,
        registry::RegistryScope,
        certificate::Certificate,
        certificate::CertificateStatus,
        certificates::CertificateFields,
        certificates::CertificateRecord,
        certificates::CertificateEvent,
        certificates::HistoryAction,
        admin_routes::RenewRequest,
        admin_routes::ReasonRequest,
        admin_routes::RequiredReasonRequest,
    )),
    modifiers(&DeviceToken, &SharedFailures, &RateLimitedAnswers),
    tags(
        (name = "bureau", description = "The bureau itself"),
        (name = "devices", description = "Enrollment of officers' devices"),
        (name = "sync", description = "Push and pull, and the signed certificate registry"),
        (name = "uploads", description = "Evidence files, by the tus 1.0.0 resumable upload protocol"),
        (name = "administration", description = "Certificates, for the bureau's administrators (a token from `fieldcase bureau admin-token`)"),
    )
)]
struct ApiDoc;

/// The bearer tokens: a device's, received at enrollment; an administrator's, made with
/// `fieldcase bureau admin-token`.
struct DeviceToken;

impl Modify for DeviceToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("device_token", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        components.add_security_scheme("admin_token", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// Enrollment, and every path that takes a bearer token, may answer 429 `rate_limited` with
/// `Retry-After` (see `api::limits`): one response, named `RateLimited`, added to each.
struct RateLimitedAnswers;

impl Modify for RateLimitedAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let seconds = ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1));
        let response = ResponseBuilder::new()
            .description(
                "`rate_limited`: too many enrollment attempts, or requests with a missing, unknown, expired or revoked token, came from this address; nothing was looked up or stored. Try again after the seconds `Retry-After` says",
            )
            .header(
                "Retry-After",
                HeaderBuilder::new().schema(seconds).description(Some("Seconds to wait before trying again")).build(),
            )
            .content("application/json", Content::new(Some(Ref::from_schema_name("ApiError"))))
            .build();
        let components = openapi.components.get_or_insert_with(Default::default);
        components.responses.insert("RateLimited".into(), RefOr::T(response));
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations =
                [&mut item.get, &mut item.head, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
            for operation in operations.into_iter().flatten() {
                let authenticates = operation.security.as_ref().is_some_and(|s| !s.is_empty());
                if authenticates || path.ends_with("/enroll") {
                    let limited = RefOr::Ref(Ref::from_response_name("RateLimited"));
                    operation.responses.responses.insert("429".into(), limited);
                }
            }
        }
    }
}

/// The API's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
