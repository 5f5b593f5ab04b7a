//! What every handler is given: the shared state (the database, the settings, the mailer, the
//! file store, the sealer of secrets) and the route type each capability lists its routes in.
//! It sits above the shared services it holds and below every capability; the router that
//! assembles the routes is `app.rs`, at the top.

use std::sync::Arc;

use axum::http::Method;
use axum::routing::MethodRouter;

use crate::config::Config;
use crate::mail::Mailer;
use crate::store::Db;
use crate::web::permissions::Permission;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub mailer: Mailer,
    pub files: crate::files::Files,
    /// Seals secrets kept at rest (authenticator keys, links awaiting delivery).
    pub secrets: crate::store::sealed::Sealer,
    /// Public pages that are the same for every visitor, laid out once.
    pub public_pages: crate::web::public_cache::PublicCache,
    /// Values worked out once and kept by what they show (a parsed document, a scorecard).
    pub memo: crate::web::memo::Memo,
}

/// One route: method, path, the permission it needs, and its handler.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub permission: Permission,
    pub handler: MethodRouter<AppState>,
    /// The largest request body, where a route takes more than the limit on uploaded files
    /// (a local authority's statutory return).
    pub body_limit: Option<usize>,
}

impl Route {
    pub fn get<H, T>(path: &'static str, permission: Permission, h: H) -> Route
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        Route {
            method: Method::GET,
            path,
            permission,
            handler: axum::routing::get(h),
            body_limit: None,
        }
    }

    pub fn post<H, T>(path: &'static str, permission: Permission, h: H) -> Route
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        Route {
            method: Method::POST,
            path,
            permission,
            handler: axum::routing::post(h),
            body_limit: None,
        }
    }

    /// This route takes bodies up to `bytes`.
    pub fn with_body_limit(mut self, bytes: usize) -> Route {
        self.body_limit = Some(bytes);
        self
    }
}

/// What a page or API handler of a partnership needs, in one extractor: the state, who is
/// asking, and the partnership every query of the request is confined to (a request with no
/// partnership is refused before the handler runs).
pub struct Ctx {
    pub st: AppState,
    pub viewer: crate::web::viewer::Viewer,
    pub p: crate::store::PartnershipId,
}

impl axum::extract::FromRequestParts<AppState> for Ctx {
    type Rejection = crate::web::error::AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        st: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let viewer =
            <crate::web::viewer::Viewer as axum::extract::FromRequestParts<AppState>>::from_request_parts(parts, st)
                .await?;
        let p = viewer.tenant()?;
        Ok(Ctx {
            st: st.clone(),
            viewer,
            p,
        })
    }
}
