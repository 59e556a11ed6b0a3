//! The failures every operation can answer, written into the OpenAPI document once rather
//! than on each handler: a client (or a tool checking the API against its document) meets
//! no status the document does not name.
//!
//! Each is the one error body, `{code, message}` (`ApiError`).

use utoipa::Modify;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

/// Adds the shared failures to every operation that does not already describe them.
#[derive(Debug)]
pub struct SharedFailures;

impl SharedFailures {
    /// Status, when it applies, and what it means.
    const FAILURES: &[(&str, Applies, &str)] = &[
        (
            "400",
            Applies::Always,
            "`bad_request`: the body, a path or a query parameter is not what the operation takes",
        ),
        (
            "401",
            Applies::Secured,
            "`unauthorized`: no bearer token, or one the bureau does not know, has expired or was revoked",
        ),
        ("403", Applies::Secured, "`device_revoked` or `forbidden`: the token may not do this"),
        ("413", Applies::WithBody, "`payload_too_large`: the body is larger than the bureau takes"),
        ("415", Applies::WithBody, "`bad_request`: the body is not `application/json`"),
        ("500", Applies::Always, "`internal`: a fault at the bureau; nothing was stored, try again later"),
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Applies {
    Always,
    /// Operations that take a bearer token.
    Secured,
    /// Operations that take a request body.
    WithBody,
}

impl Modify for SharedFailures {
    fn modify(&self, openapi: &mut OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in
                [&mut item.get, &mut item.head, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch]
                    .into_iter()
                    .flatten()
            {
                add_failures(operation);
            }
        }
    }
}

fn add_failures(operation: &mut Operation) {
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let with_body = operation.request_body.is_some();
    for (status, applies, description) in SharedFailures::FAILURES {
        let applies = match applies {
            Applies::Always => true,
            Applies::Secured => secured,
            Applies::WithBody => with_body,
        };
        if applies && !operation.responses.responses.contains_key(*status) {
            let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ApiError"))).build();
            let response = ResponseBuilder::new().description(*description).content("application/json", body).build();
            operation.responses.responses.insert((*status).to_owned(), RefOr::T(response));
        }
    }
}
