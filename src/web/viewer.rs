//! Who is asking: built once per request from the session cookie (pages) or the bearer token
//! (API), and handed to handlers as an extractor.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::store::{Actor, PartnershipId};
use crate::web::error::AppError;
use crate::web::identity::Role;
use crate::web::identity::{Membership, User};
use crate::web::session::Session;

#[derive(Clone, Debug, Default)]
pub struct Viewer {
    pub session: Option<Session>,
    /// Set only when fully signed in (password and, where needed, two-factor).
    pub user: Option<User>,
    /// A person who must set up two-factor before anything else.
    pub enrolling: Option<User>,
    pub memberships: Vec<Membership>,
    /// The partnership they are working in, and their role there.
    pub current: Option<Membership>,
    /// Signed in with an API token rather than a session.
    pub api_token: Option<i64>,
    /// Someone with no session: the token in their form cookie, which their forms must carry
    /// back (so a page with a form costs no row in the database).
    pub form_token: Option<String>,
    pub ip: String,
    pub request_id: String,
}

impl Viewer {
    pub fn role(&self) -> Option<Role> {
        self.current.as_ref().map(|m| m.role)
    }

    /// The partnership every query of this request is confined to.
    pub fn tenant(&self) -> Result<PartnershipId, AppError> {
        self.current
            .as_ref()
            .map(|m| PartnershipId(m.partnership_id))
            .ok_or(AppError::Forbidden)
    }

    pub fn actor(&self) -> Actor {
        let u = self.user.as_ref().or(self.enrolling.as_ref());
        Actor {
            user_id: u.map(|u| u.id),
            name: u.map_or_else(|| "Someone not signed in".to_owned(), |u| u.name.clone()),
            ip: self.ip.clone(),
            request_id: self.request_id.clone(),
        }
    }

    /// The token this person's forms carry: their session's, or without one their form
    /// cookie's.
    pub fn csrf_token(&self) -> &str {
        match &self.session {
            Some(s) => s.csrf_token.as_str(),
            None => self.form_token.as_deref().unwrap_or(""),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .ok_or_else(|| AppError::Internal("no viewer on request".into()))
    }
}
