//! Public pages that are the same for every visitor, laid out once and kept by what they show
//! (the caller's key names the data: an edition, its version, the day, the address), with an
//! ETag so that a browser holding one is told so instead of being sent it again. One per
//! server state, so two databases in one process never share a page.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::Digest;

/// The most pages kept at once: searches make addresses without end, so past this the cache
/// starts again rather than grow.
const KEPT: usize = 256;

#[derive(Clone, Default)]
pub struct PublicCache {
    pages: Arc<Mutex<HashMap<String, (String, Bytes)>>>,
}

impl PublicCache {
    /// The page kept under `key`, answered for this request (a 304 when the browser has it).
    pub fn answer(&self, key: &str, request: &HeaderMap) -> Option<Response> {
        let kept = self.pages.lock().ok()?;
        let (etag, body) = kept.get(key)?;
        Some(respond(etag, body.clone(), request))
    }

    /// Keep a page laid out just now, and answer this request with it.
    pub fn keep(&self, key: String, html: String, request: &HeaderMap) -> Response {
        let digest = sha2::Sha256::digest(html.as_bytes());
        let etag = format!("\"{}\"", hex::encode(&digest[..12]));
        let body = Bytes::from(html);
        if let Ok(mut kept) = self.pages.lock() {
            if kept.len() >= KEPT {
                kept.clear();
            }
            kept.insert(key, (etag.clone(), body.clone()));
        }
        respond(&etag, body, request)
    }
}

fn respond(etag: &str, body: Bytes, request: &HeaderMap) -> Response {
    let headers = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
        (header::ETAG, etag.to_owned()),
        // Public and the same for everyone: a browser may keep it, asking each time.
        (header::CACHE_CONTROL, "no-cache".to_owned()),
    ];
    let held = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|m| m.split(',').any(|t| t.trim() == etag));
    if held {
        (StatusCode::NOT_MODIFIED, headers).into_response()
    } else {
        (headers, body).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_page_is_answered_with_its_etag_and_304_when_held() {
        let c = PublicCache::default();
        let none = HeaderMap::new();
        assert!(c.answer("k", &none).is_none());
        let first = c.keep("k".into(), "<p>hello</p>".into(), &none);
        assert_eq!(first.status(), StatusCode::OK);
        let etag = first.headers()[header::ETAG].clone();
        let again = c.answer("k", &none).expect("kept");
        assert_eq!(again.headers()[header::ETAG], etag);
        let mut held = HeaderMap::new();
        held.insert(header::IF_NONE_MATCH, etag);
        assert_eq!(
            c.answer("k", &held).map(|r| r.status()),
            Some(StatusCode::NOT_MODIFIED)
        );
        let mut other = HeaderMap::new();
        other.insert(header::IF_NONE_MATCH, "\"x\"".parse().expect("header"));
        assert_eq!(
            c.answer("k", &other).map(|r| r.status()),
            Some(StatusCode::OK)
        );
    }

    #[test]
    fn it_never_grows_past_its_bound() {
        let c = PublicCache::default();
        for i in 0..(KEPT * 3) {
            c.keep(format!("k{i}"), String::new(), &HeaderMap::new());
        }
        assert!(c.pages.lock().map(|m| m.len()).unwrap_or(usize::MAX) <= KEPT);
    }
}
