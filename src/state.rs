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
}

/// One route: method, path, the permission it needs, and its handler.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub permission: Permission,
    pub handler: MethodRouter<AppState>,
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
        }
    }
}
