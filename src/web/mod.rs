//! Plumbing every page uses: errors, sessions, who is asking, permissions, CSRF, forms, the page
//! layout and the embedded assets. It imports only `store` (and `config`): who is asking is
//! worked out by `accounts::identify`, layered on in the router, and handed to everything here
//! as the [`Viewer`] on the request.

pub mod assets;
pub mod chart;
pub mod contact;
pub mod error;
pub mod export;
pub mod forms;
pub mod identity;
pub mod kept;
pub mod memo;
pub mod page;
pub mod permissions;
pub mod public_cache;
pub mod session;
pub mod task_list;
pub mod tasks;
pub mod viewer;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::web::error::{AppError, ErrorInfo};
use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;

/// Largest form body accepted (uploads arrive with their own, larger limits).
pub const FORM_LIMIT: usize = 256 * 1024;

/// The client's address: the socket's peer, or the nearest `X-Forwarded-For` hop when masa
/// runs behind a load balancer it trusts.
pub fn client_ip(req: &Request, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(xff) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
        && let Some(last) = xff.split(',').map(str::trim).rfind(|s| !s.is_empty())
    {
        return last.to_owned();
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string())
}

pub fn request_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// The header that carries, into the logs only, the request id a client or proxy sent.
pub const CLIENT_REQUEST_ID: &str = "x-client-request-id";

/// Take away any `X-Request-Id` the client sent, so masa makes its own for the audit trail;
/// keep the client's beside it for the logs when it is a plausible id (at most 64 letters,
/// digits and `-_.:`), and drop it otherwise.
pub async fn client_request_id(mut req: Request, next: Next) -> Response {
    let headers = req.headers_mut();
    headers.remove(CLIENT_REQUEST_ID);
    if let Some(sent) = headers.remove("x-request-id")
        && let Ok(s) = sent.to_str()
        && well_formed_request_id(s)
    {
        headers.insert(CLIENT_REQUEST_ID, sent);
    }
    next.run(req).await
}

fn well_formed_request_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':'))
}

/// Refuse any state-changing request whose form does not carry the session's CSRF token. The
/// API is exempt: it takes bearer tokens only, never cookies.
pub async fn csrf(State(secure): State<bool>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || req.uri().path().starts_with("/api/")
    {
        return next.run(req).await;
    }
    let expected = req
        .extensions()
        .get::<Viewer>()
        .map(|v| v.csrf_token().to_owned())
        .filter(|t| !t.is_empty());
    // A file upload carries its token in the form's address, so the upload itself is not read
    // here; the handler limits its size.
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("multipart/form-data"));
    if multipart {
        let sent = req
            .uri()
            .query()
            .and_then(|q| form_urlencoded_value(q.as_bytes(), "csrf_token"));
        let ok = match (&expected, sent) {
            (Some(e), Some(s)) => e.as_bytes().ct_eq(s.as_bytes()).into(),
            _ => false,
        };
        return if ok {
            next.run(req).await
        } else {
            AppError::Csrf.into_response()
        };
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, FORM_LIMIT).await {
        Ok(b) => b,
        // Drawn as a page by `render_errors`.
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let sent = form_urlencoded_value(&bytes, "csrf_token").or_else(|| {
        parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    });
    let ok = match (expected, sent) {
        (Some(e), Some(s)) => e.as_bytes().ct_eq(s.as_bytes()).into(),
        _ => false,
    };
    if !ok {
        return refused_keeping(&parts, &bytes, secure);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// A form refused for its token: when it came from masa's own page, what was typed comes back
/// on a page to save it from (signing in again first if the session has ended), never lost.
fn refused_keeping(parts: &axum::http::request::Parts, body: &[u8], secure: bool) -> Response {
    let viewer = parts
        .extensions
        .get::<Viewer>()
        .cloned()
        .unwrap_or_default();
    let kept = kept::same_origin(&parts.headers)
        .then(|| kept::Kept::of(parts.uri.path(), body))
        .flatten();
    let Some(kept) = kept else {
        return AppError::Csrf.into_response();
    };
    // Signed out with no form cookie yet: the sign-in form on the page needs one.
    let (viewer, cookie) = if viewer.user.is_none() && viewer.csrf_token().is_empty() {
        let (token, cookie) = session::new_form_token(secure);
        let mut v = viewer;
        v.form_token = Some(token);
        (v, Some(cookie))
    } else {
        (viewer, None)
    };
    kept::KeptPage::new(&viewer, kept).refused(cookie)
}

fn form_urlencoded_value(body: &[u8], key: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// Check a route's permission before its handler runs. People not signed in are sent to sign
/// in; people signed in without the permission are refused.
pub async fn enforce(State(permission): State<Permission>, req: Request, next: Next) -> Response {
    let viewer = req
        .extensions()
        .get::<Viewer>()
        .cloned()
        .unwrap_or_default();
    if permission.allows(&viewer) {
        return next.run(req).await;
    }
    let api = req.uri().path().starts_with("/api/");
    if viewer.user.is_none() && !api {
        if viewer.enrolling.is_some() {
            return redirect("/account/two-factor");
        }
        // Back to this page after signing in (for a form post, to the home page).
        let next_path = match *req.method() {
            Method::GET => req.uri().path_and_query().map_or("/", |p| p.as_str()),
            _ => "/",
        };
        let target = format!(
            "/sign-in?next={}",
            url::form_urlencoded::byte_serialize(next_path.as_bytes()).collect::<String>()
        );
        return redirect(&target);
    }
    if api && viewer.user.is_none() {
        let mut r = StatusCode::UNAUTHORIZED.into_response();
        r.extensions_mut().insert(ErrorInfo {
            message: "Send a valid API token as Authorization: Bearer TOKEN".into(),
        });
        return r;
    }
    AppError::Forbidden.into_response()
}

/// The answer to a form that was saved: the message for the next page, and a 303 to it.
pub async fn saved(
    db: &crate::store::Db,
    viewer: &Viewer,
    message: &str,
    to: &str,
) -> crate::web::error::AppResult<Response> {
    flash(db, viewer, message).await?;
    Ok(redirect(to))
}

/// [`saved`], with a link in the message to what was made ("Action added to the tracker:
/// View the action"), when the page it goes back to is not that thing's own.
pub async fn made(
    db: &crate::store::Db,
    viewer: &Viewer,
    message: &str,
    link: (&str, &str),
    to: &str,
) -> crate::web::error::AppResult<Response> {
    flash(db, viewer, &page::Flash::with_link(message, link.0, link.1)).await?;
    Ok(redirect(to))
}

/// A message for the person's next page ("Saved"), when they have a session (an API token has
/// none to show it in).
pub async fn flash(
    db: &crate::store::Db,
    viewer: &Viewer,
    message: &str,
) -> crate::web::error::AppResult<()> {
    if let Some(sess) = &viewer.session {
        crate::web::session::set_flash(db, sess, message).await?;
    }
    Ok(())
}

/// A 303 See Other, the answer to a form post.
pub fn redirect(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// Only a path of this site is followed after sign-in: it starts with one `/`, and holds no
/// backslash, space or control character (browsers drop tabs and newlines and read `\` as `/`,
/// so `/%09/evil.example` or `/\\evil.example` would take the person to another host).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_local_path(n) => n.to_owned(),
        _ => "/".to_owned(),
    }
}

pub fn is_local_path(n: &str) -> bool {
    let b = n.as_bytes();
    b.first() == Some(&b'/')
        && b.get(1) != Some(&b'/')
        && n.len() <= 2000
        && b.iter().all(|&c| c.is_ascii_graphic() && c != b'\\')
}

/// Draw error pages: any 4xx/5xx response without a body becomes a page in the layout (or a
/// JSON error under /api), carrying the request id and nothing of the internals.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let rid = request_id(req.headers());
    let res = next.run(req).await;
    let viewer = res.extensions().get::<Viewer>().cloned();
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let info = res.extensions().get::<ErrorInfo>().cloned();
    let has_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("text/html") || c.starts_with("application/json"));
    if has_page && info.is_none() {
        return res;
    }
    let message = info
        .map(|i| i.message)
        .unwrap_or_else(|| default_message(status));
    let mut out = if api {
        let body = serde_json::json!({"error": {"status": status.as_u16(), "message": message, "request_id": rid}});
        (status, axum::Json(body)).into_response()
    } else {
        let viewer = viewer.unwrap_or_default();
        let site = res.extensions().get::<page::PublicSite>();
        page::error_page(&viewer, status, &message, &rid, site).into_response()
    };
    *out.status_mut() = status;
    // Keep headers the handler set deliberately (Retry-After, WWW-Authenticate).
    for h in [header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(v) = res.headers().get(&h) {
            out.headers_mut().insert(h, v.clone());
        }
    }
    out
}

fn default_message(status: StatusCode) -> String {
    match status {
        StatusCode::NOT_FOUND => "Page not found".into(),
        StatusCode::METHOD_NOT_ALLOWED => "That action is not available on this page".into(),
        StatusCode::PAYLOAD_TOO_LARGE => {
            "What you sent was too large. Send a smaller file or less text.".into()
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE
        | StatusCode::BAD_REQUEST
        | StatusCode::UNPROCESSABLE_ENTITY => {
            "What you sent could not be understood. Go back and check it.".into()
        }
        StatusCode::UNAUTHORIZED => "Sign in to continue".into(),
        StatusCode::FORBIDDEN => "You do not have permission to see this page".into(),
        StatusCode::REQUEST_TIMEOUT => "The request took too long. Try again.".into(),
        s if s.is_server_error() => "Sorry, there is a problem with the service".into(),
        _ => "Something went wrong with that request".into(),
    }
}

/// Headers every response carries: a strict Content-Security-Policy (no inline script or
/// style), no framing, no referrer (links carry secrets), and no caching of pages that may
/// hold sensitive information.
pub async fn security_headers(State(secure): State<bool>, req: Request, next: Next) -> Response {
    let assets = req.uri().path().starts_with("/assets/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if secure {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !assets && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/admin/people")), "/admin/people");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
        // What browsers drop or rewrite before reading the host.
        for bad in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil",
            "/a\\b",
            "/é",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(
            safe_next(Some("/actions?show=open&page=2")),
            "/actions?show=open&page=2"
        );
    }

    #[test]
    fn only_plausible_client_request_ids_are_logged() {
        assert!(well_formed_request_id("7d3f-a1b2.c:9_x"));
        for bad in ["", "a b", "x\ny", "<script>", &"a".repeat(65)] {
            assert!(!well_formed_request_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn csrf_field_is_read_from_forms() {
        assert_eq!(
            form_urlencoded_value(b"a=1&csrf_token=x%2By", "csrf_token").as_deref(),
            Some("x+y")
        );
        assert_eq!(form_urlencoded_value(b"a=1", "csrf_token"), None);
    }
}
