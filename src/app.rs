//! The router: every capability's routes (each naming the permission it needs), with the
//! middleware around them; [`route_table`] lists them for the permission test. The state and
//! the route type are in [`crate::state`], below the capabilities, so that they need not import
//! this, the one module above them all.

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Method, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::state::{AppState, Route};
use crate::web::permissions::Permission;

/// Every route of every capability.
fn routes() -> Vec<Route> {
    let mut r = Vec::new();
    r.extend(crate::home::routes());
    r.extend(crate::accounts::routes());
    r.extend(crate::partnerships::routes());
    r.extend(crate::arrangements::routes());
    r.extend(crate::calendar::pages::routes());
    r.extend(crate::meetings::routes());
    r.extend(crate::actions::routes());
    r.extend(crate::search::routes());
    r.extend(crate::reviews::routes());
    r.extend(crate::assurance::routes());
    r.extend(crate::thresholds::routes());
    r.extend(crate::scorecard::routes());
    r.extend(crate::training::routes());
    r.extend(crate::procedures::routes());
    r.extend(crate::audit::routes());
    r.extend(crate::mail::pages::routes());
    r.extend(crate::api::routes());
    r
}

/// (method, path, permission) of every route, for the permission test and the docs.
pub fn route_table() -> Vec<(Method, &'static str, Permission)> {
    routes()
        .into_iter()
        .map(|r| (r.method, r.path, r.permission))
        .collect()
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let mut app: Router<AppState> = Router::new();
    // An upload may be as large as the limit on files, with room for the form around it; the
    // handler says when the file itself is too large. A route may take more (its own limit).
    let upload_limit = state.files.limit + crate::web::FORM_LIMIT * 4;
    let mut largest = upload_limit;
    for r in routes() {
        let limit = r
            .body_limit
            .map_or(upload_limit, |b| b + crate::web::FORM_LIMIT * 4);
        largest = largest.max(limit);
        let handler = r
            .handler
            .route_layer(from_fn_with_state(r.permission, crate::web::enforce))
            .layer::<_, std::convert::Infallible>(RequestBodyLimitLayer::new(limit))
            .layer(DefaultBodyLimit::max(limit));
        app = app.route(r.path, handler);
    }
    let request_id = HeaderName::from_static("x-request-id");
    let secure = state.config.secure_cookies();
    app.route("/assets/{*path}", get(crate::web::assets::serve))
        .route("/healthz", get(crate::health::healthz))
        .route("/readyz", get(crate::health::readyz))
        .fallback(|| async { crate::web::error::AppError::NotFound })
        .layer(from_fn_with_state(secure, crate::web::csrf))
        .layer(from_fn_with_state(state.clone(), crate::accounts::identify::identify))
        .layer(from_fn_with_state(state.clone(), crate::partnerships::public_not_found))
        .layer(from_fn(crate::web::render_errors))
        .layer(from_fn_with_state(secure, crate::web::security_headers))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a handler panicked");
            axum::response::IntoResponse::into_response(StatusCode::INTERNAL_SERVER_ERROR)
        }))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        // No body at all is larger than the largest route's limit; each route has its own.
        .layer(RequestBodyLimitLayer::new(largest))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        // One log line per request, at info, inside a span carrying the request id.
        .layer(TraceLayer::new_for_http().on_response(DefaultOnResponse::new().level(tracing::Level::INFO)).make_span_with(|req: &axum::http::Request<_>| {
            let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            tracing::info_span!("request", method = %req.method(), path = %loggable_path(req.uri().path()), request_id = %header("x-request-id"), client_request_id = %header(crate::web::CLIENT_REQUEST_ID))
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        // Outermost: the request id is always masa's own (it goes into the audit trail); a
        // well-formed id the client sent is kept beside it for the logs.
        .layer(from_fn(crate::web::client_request_id))
        .with_state(state)
}

/// The path as logged: the secrets in invitation, password-reset and calendar feed links are
/// left out, so logs cannot be used to take over an account or read someone's diary.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in [
        "/invitations/",
        "/password-reset/",
        "/calendar/",
        "/procedure-subscriptions/confirm/",
        "/procedure-subscriptions/unsubscribe/",
    ] {
        if path.starts_with(prefix) && path.len() > prefix.len() {
            return format!("{prefix}[secret]").into();
        }
    }
    path.into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_in_links_are_not_logged() {
        assert_eq!(
            super::loggable_path("/invitations/abcDEF123"),
            "/invitations/[secret]"
        );
        assert_eq!(
            super::loggable_path("/password-reset/xyz"),
            "/password-reset/[secret]"
        );
        assert_eq!(super::loggable_path("/password-reset"), "/password-reset");
        assert_eq!(
            super::loggable_path("/calendar/s3cret.ics"),
            "/calendar/[secret]"
        );
        assert_eq!(
            super::loggable_path("/procedure-subscriptions/unsubscribe/abc"),
            "/procedure-subscriptions/unsubscribe/[secret]"
        );
        assert_eq!(super::loggable_path("/admin/people/3"), "/admin/people/3");
    }
}
