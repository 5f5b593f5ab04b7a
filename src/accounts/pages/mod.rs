//! Signing in and out, two-factor, password resets, invitations and the account pages.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::model::{self, Email, Role, totp};
use super::store;
use crate::state::AppState;
use crate::store::{Action, RecordRef, Tx, record_event};
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::session::{self, Stage};
use crate::web::viewer::Viewer;
use crate::web::{redirect, safe_next};

mod account;
mod invitations;
mod reset;
mod sign_in;

pub use account::*;
pub use invitations::*;
pub use reset::*;
pub use sign_in::*;

// ---- mail bodies ----

#[derive(Template)]
#[template(path = "mail/invitation.txt")]
pub struct InvitationText<'a> {
    pub name: &'a str,
    pub inviter: &'a str,
    pub partnership: &'a str,
    pub link: &'a str,
    pub role: &'a str,
}

#[derive(Template)]
#[template(path = "mail/invitation.html")]
pub struct InvitationHtml<'a> {
    pub name: &'a str,
    pub inviter: &'a str,
    pub partnership: &'a str,
    pub link: &'a str,
    pub role: &'a str,
}

#[derive(Template)]
#[template(path = "mail/reset.txt")]
struct ResetText<'a> {
    name: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/reset.html")]
struct ResetHtml<'a> {
    name: &'a str,
    link: &'a str,
}

// ---- helpers ----

use crate::web::session::with_cookie;

fn ensure_form_token(st: &AppState, viewer: Viewer) -> (Viewer, Option<HeaderValue>) {
    session::ensure_form_token(st.config.secure_cookies(), viewer)
}

fn user_agent(h: &axum::http::HeaderMap) -> String {
    h.get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// Replace the session after a change of privilege, returning its cookie and its forms' token
/// (for a page drawn on the same response, before the browser has the cookie).
async fn rotate(
    st: &AppState,
    viewer: &Viewer,
    stage: Stage,
    user_id: i64,
    ua: &str,
) -> AppResult<(HeaderValue, String)> {
    let (secret, s) = session::start(
        &st.db,
        viewer.session.as_ref(),
        stage,
        Some(user_id),
        None,
        &viewer.ip,
        ua,
    )
    .await?;
    Ok((
        session::set_cookie(&secret, st.config.secure_cookies()),
        s.csrf_token,
    ))
}

/// Whether an account must use two-factor: it can see restricted records somewhere.
async fn needs_two_factor(st: &AppState, user: &store::User) -> AppResult<bool> {
    let ms = store::memberships_of(&st.db, user.id).await?;
    Ok(model::must_use_two_factor(
        user.is_system_admin,
        ms.iter().map(|m| m.role),
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub page: Page,
    pub heading: String,
    pub lines: Vec<String>,
    pub link: Option<(String, String)>,
}

fn message(page: Page, heading: &str, lines: &[&str], link: Option<(&str, &str)>) -> MessagePage {
    MessagePage {
        page,
        heading: heading.to_owned(),
        lines: lines.iter().map(|s| (*s).to_owned()).collect(),
        link: link.map(|(h, t)| (h.to_owned(), t.to_owned())),
    }
}

/// The page for choosing a new password (a reset, an invitation, a change).
#[derive(Template, WebTemplate)]
#[template(path = "accounts/new_password.html")]
struct NewPasswordPage {
    page: Page,
    heading: String,
    intro: String,
    action: String,
    ask_current: bool,
    errors: Errors,
}

/// A new password typed twice: on a reset, an invitation and the account page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    password: String,
    confirm_password: String,
}

fn check_passwords(f: &PasswordForm, email: &str, errors: &mut Errors) {
    if let Err(m) = model::check_new_password(&f.password, email) {
        errors.add("password", m);
    } else if f.password != f.confirm_password {
        errors.add("confirm_password", "The passwords do not match");
    }
}
