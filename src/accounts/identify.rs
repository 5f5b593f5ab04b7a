//! Who is asking: the person a request's session cookie (pages) or bearer token (the API)
//! belongs to, put on the request as the [`Viewer`] that the plumbing's permission and CSRF
//! checks and every handler read. Layered on in the router (`app.rs`), outside the routes.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::store::{self, Membership, User};
use crate::state::AppState;
use crate::store::{Db, StoreResult};
use crate::web::error::AppError;
use crate::web::session::{self, Session, Stage};
use crate::web::viewer::Viewer;

/// Work out who is asking and put a [`Viewer`] on the request.
pub async fn identify(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with("/assets/") || path == "/healthz" || path == "/readyz" {
        return next.run(req).await;
    }
    let mut viewer = Viewer {
        ip: crate::web::client_ip(&req, state.config.trust_proxy),
        request_id: crate::web::request_id(req.headers()),
        ..Viewer::default()
    };
    let result = if path.starts_with("/api/") {
        identify_token(&state, &mut viewer, req.headers()).await
    } else {
        identify_session(&state, &mut viewer, req.headers()).await
    };
    if let Err(e) = result {
        return e.into_response();
    }
    let page_view = req.method() == Method::GET;
    req.extensions_mut().insert(viewer.clone());
    let mut res = next.run(req).await;
    // A flash message is shown once: on the first page drawn after it was set.
    if let Some(s) = viewer.session.as_ref().filter(|s| s.flash.is_some())
        && page_view
        && res.status() == StatusCode::OK
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("text/html"))
        && let Err(e) = session::flash_shown(&state.db, s).await
    {
        tracing::warn!(error = %e, "could not clear a shown flash message");
    }
    // For the error pages, drawn further out.
    res.extensions_mut().insert(viewer);
    res
}

async fn identify_session(
    state: &AppState,
    viewer: &mut Viewer,
    headers: &HeaderMap,
) -> Result<(), AppError> {
    let secure = state.config.secure_cookies();
    let cookies = || {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
    };
    let found = match cookies().find_map(|c| session::secret_from_cookies(c, secure)) {
        Some(secret) => load_with_account(&state.db, &secret).await?,
        None => None,
    };
    let Some((s, user, memberships)) = found else {
        viewer.form_token = cookies().find_map(|c| session::form_token_from_cookies(c, secure));
        return Ok(());
    };
    if let Some(user) = user.filter(|u| !u.disabled) {
        match s.stage {
            // A role that needs two-factor, given to someone who has not set it up (a
            // practitioner made an administrator, say), acts only once they have.
            Stage::SignedIn
                if !user.two_factor
                    && super::model::must_use_two_factor(
                        user.is_system_admin,
                        memberships.iter().map(|m| m.role),
                    ) =>
            {
                viewer.enrolling = Some(user);
            }
            Stage::SignedIn => {
                viewer.current = s
                    .partnership_id
                    .and_then(|p| memberships.iter().find(|m| m.partnership_id == p).cloned())
                    .or_else(|| memberships.first().cloned());
                viewer.memberships = memberships;
                viewer.user = Some(user);
            }
            Stage::Enrol => viewer.enrolling = Some(user),
            Stage::SecondFactor | Stage::Anonymous => {}
        }
    }
    viewer.session = Some(s);
    Ok(())
}

/// A live session with, in the same query, its person and their memberships when the session
/// is signed in (or setting up two-factor): one round trip per request, as every page needs
/// all three.
pub async fn load_with_account(
    db: &Db,
    secret: &str,
) -> StoreResult<Option<(Session, Option<User>, Vec<Membership>)>> {
    let hash = crate::store::secret::secret_hash(secret);
    let rows = store::session_rows(db, &hash).await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let Some(session) = session::live(db, hash, row).await? else {
        return Ok(None);
    };
    let (user, memberships) = store::account_from_session_rows(&rows)?;
    Ok(Some((session, user, memberships)))
}

/// Recognise a bearer token and fill in the viewer. A missing or bad token leaves the viewer
/// anonymous: public endpoints still answer, the rest say 401.
pub async fn identify_token(
    st: &AppState,
    viewer: &mut Viewer,
    headers: &HeaderMap,
) -> Result<(), AppError> {
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| t.starts_with("masa_") && t.len() < 100)
    else {
        return Ok(());
    };
    let Some(owner) = super::tokens::token_owner(&st.db, token).await? else {
        return Ok(());
    };
    let (uid, pid) = (owner.user_id, owner.partnership_id);
    let Some((user, _)) = store::user_by_id(&st.db, uid)
        .await?
        .filter(|(u, _)| !u.disabled)
    else {
        return Ok(());
    };
    let memberships = store::memberships_of(&st.db, uid).await?;
    // A token made without two-factor does not carry a role that needs it (its owner was
    // given one since): it stops working until they set up two-factor and make a new one.
    let single_factor = !(owner.two_factor && user.two_factor);
    if single_factor
        && super::model::must_use_two_factor(
            user.is_system_admin,
            memberships.iter().map(|m| m.role),
        )
    {
        return Err(AppError::Unauthorized(
            "This token was made without two-factor authentication, which your role now needs. Set up two-factor, then make a new token.".into(),
        ));
    }
    // The token works only while its owner is still in the partnership.
    viewer.current = memberships.into_iter().find(|m| m.partnership_id == pid);
    viewer.memberships = viewer.current.iter().cloned().collect();
    viewer.user = Some(user);
    viewer.api_token = Some(pid);
    Ok(())
}
