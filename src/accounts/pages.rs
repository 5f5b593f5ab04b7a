//! Signing in and out, two-factor, password resets, invitations and the account pages.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::model::{self, Email, Role, totp};
use super::store;
use crate::app::AppState;
use crate::store::{Action, RecordRef, Tx, record_event};
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::session::{self, Stage};
use crate::web::viewer::Viewer;
use crate::web::{redirect, safe_next};

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

fn with_cookie(mut res: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// Forms shown to people not signed in still need a CSRF token, so they get an anonymous
/// session (replaced at sign-in).
async fn ensure_session(
    st: &AppState,
    mut viewer: Viewer,
    user_agent: &str,
) -> AppResult<(Viewer, Option<HeaderValue>)> {
    if viewer.session.is_some() {
        return Ok((viewer, None));
    }
    let (secret, s) = session::start(
        &st.db,
        None,
        Stage::Anonymous,
        None,
        None,
        &viewer.ip,
        user_agent,
    )
    .await?;
    viewer.session = Some(s);
    Ok((
        viewer,
        Some(session::set_cookie(&secret, st.config.secure_cookies())),
    ))
}

fn user_agent(h: &axum::http::HeaderMap) -> String {
    h.get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// Replace the session after a change of privilege, returning its cookie.
async fn rotate(
    st: &AppState,
    viewer: &Viewer,
    stage: Stage,
    user_id: i64,
    ua: &str,
) -> AppResult<HeaderValue> {
    let (secret, _) = session::start(
        &st.db,
        viewer.session.as_ref(),
        stage,
        Some(user_id),
        None,
        &viewer.ip,
        ua,
    )
    .await?;
    Ok(session::set_cookie(&secret, st.config.secure_cookies()))
}

/// Whether an account must use two-factor: it can see restricted records somewhere.
async fn needs_two_factor(st: &AppState, user: &store::User) -> AppResult<bool> {
    if user.is_system_admin {
        return Ok(true);
    }
    let ms = store::memberships_of(&st.db, user.id).await?;
    Ok(ms.iter().any(|m| m.role.needs_two_factor()))
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

// ---- sign in ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignInForm {
    email: String,
    password: String,
    next: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/sign_in.html")]
struct SignInPage {
    page: Page,
    email: String,
    next: String,
    errors: Errors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    next: String,
}

pub async fn sign_in_form(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if viewer.user.is_some() {
        return Ok(redirect("/"));
    }
    let (viewer, cookie) = ensure_session(&st, viewer, &user_agent(&headers)).await?;
    let page = SignInPage {
        page: Page::new(&viewer, "Sign in", "/sign-in"),
        email: String::new(),
        next: q.next,
        errors: Errors::default(),
    };
    Ok(with_cookie(page.into_response(), cookie))
}

pub async fn sign_in(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    FormData(f): FormData<SignInForm>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    let email = f.email.trim().to_lowercase();
    if email.is_empty() {
        errors.add("email", "Enter your email address");
    }
    if f.password.is_empty() {
        errors.add("password", "Enter your password");
    }
    let again = |errors: Errors, status: StatusCode| -> Response {
        let page = SignInPage {
            page: Page::new(&viewer, "Sign in", "/sign-in"),
            email: f.email.clone(),
            next: f.next.clone(),
            errors,
        };
        (status, page).into_response()
    };
    if !errors.is_empty() {
        return Ok(again(errors, StatusCode::UNPROCESSABLE_ENTITY));
    }
    if store::recent_attempts_from(&st.db, &viewer.ip).await? >= store::MAX_PER_ADDRESS {
        return Err(AppError::TooManyRequests("There have been too many attempts to sign in from your network. Wait 15 minutes, then try again.".into()));
    }
    if store::recent_failures(&st.db, &email).await? >= store::MAX_FAILURES {
        errors.add("email", "This account is locked for 15 minutes after too many attempts. Wait, or reset your password.");
        return Ok(again(errors, StatusCode::TOO_MANY_REQUESTS));
    }
    let found = store::user_by_email(&st.db, &email).await?;
    let hash = found.as_ref().and_then(|(u, c)| {
        if u.disabled {
            None
        } else {
            c.password_hash.clone()
        }
    });
    let password = f.password.clone();
    let ok =
        tokio::task::spawn_blocking(move || model::verify_password(&password, hash.as_deref()))
            .await?;
    let actor = viewer.actor();
    let Some((user, creds)) = found.filter(|_| ok) else {
        store::record_attempt(&st.db, &email, &viewer.ip, false).await?;
        let failures = store::recent_failures(&st.db, &email).await?;
        let record = RecordRef {
            partnership: None,
            record_type: "sign-in",
            record_id: email.clone(),
        };
        record_event(
            &st.db,
            &actor,
            Action::SignInFailed,
            &record,
            "Wrong email address or password",
        )
        .await?;
        if failures >= store::MAX_FAILURES {
            record_event(
                &st.db,
                &actor,
                Action::LockedOut,
                &record,
                "Locked for 15 minutes after repeated failures",
            )
            .await?;
            errors.add("email", "This account is locked for 15 minutes after too many attempts. Wait, or reset your password.");
            return Ok(again(errors, StatusCode::TOO_MANY_REQUESTS));
        }
        errors.add("email", "Enter a correct email address and password");
        return Ok(again(errors, StatusCode::UNPROCESSABLE_ENTITY));
    };
    store::record_attempt(&st.db, &email, &viewer.ip, true).await?;
    let ua = user_agent(&headers);
    let next = safe_next(Some(&f.next));
    if creds.totp_secret.is_some() {
        let cookie = rotate(&st, &viewer, Stage::SecondFactor, user.id, &ua).await?;
        let to = format!(
            "/sign-in/two-factor?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        );
        return Ok(with_cookie(redirect(&to), Some(cookie)));
    }
    let stage = if needs_two_factor(&st, &user).await? {
        Stage::Enrol
    } else {
        Stage::SignedIn
    };
    let cookie = rotate(&st, &viewer, stage, user.id, &ua).await?;
    let me = crate::store::Actor {
        user_id: Some(user.id),
        name: user.name.clone(),
        ..actor
    };
    store::record_account_event(
        &st.db,
        &me,
        Action::SignIn,
        user.id,
        "Signed in with a password",
    )
    .await?;
    let to = if stage == Stage::Enrol {
        "/account/two-factor".to_owned()
    } else {
        next
    };
    Ok(with_cookie(redirect(&to), Some(cookie)))
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/second_factor.html")]
struct SecondFactorPage {
    page: Page,
    next: String,
    errors: Errors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
    next: String,
}

fn pending_user(viewer: &Viewer) -> Option<i64> {
    viewer
        .session
        .as_ref()
        .filter(|s| s.stage == Stage::SecondFactor)
        .and_then(|s| s.user_id)
}

pub async fn second_factor_form(viewer: Viewer, Query(q): Query<NextQuery>) -> AppResult<Response> {
    if pending_user(&viewer).is_none() {
        return Ok(redirect("/sign-in"));
    }
    Ok(SecondFactorPage {
        page: Page::new(&viewer, "Enter your security code", ""),
        next: q.next,
        errors: Errors::default(),
    }
    .into_response())
}

pub async fn second_factor(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    FormData(f): FormData<CodeForm>,
) -> AppResult<Response> {
    let Some(uid) = pending_user(&viewer) else {
        return Ok(redirect("/sign-in"));
    };
    let Some((user, creds)) = store::user_by_id(&st.db, uid).await? else {
        return Ok(redirect("/sign-in"));
    };
    let again = |msg: &str, status: StatusCode| -> Response {
        let mut errors = Errors::default();
        errors.add("code", msg);
        (
            status,
            SecondFactorPage {
                page: Page::new(&viewer, "Enter your security code", ""),
                next: f.next.clone(),
                errors,
            },
        )
            .into_response()
    };
    if f.code.trim().is_empty() {
        return Ok(again(
            "Enter the 6-digit code from your authenticator app, or a recovery code",
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    if store::recent_failures(&st.db, &user.email).await? >= store::MAX_FAILURES {
        return Ok(again(
            "This account is locked for 15 minutes after too many attempts",
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let secret = creds.totp_secret.clone().unwrap_or_default();
    let now = chrono::Utc::now().timestamp().max(0) as u64;
    let by_code = match totp::check(&secret, &f.code, now, creds.totp_last_step.max(0) as u64) {
        Some(step) => store::accept_totp_step(&st.db, uid, step).await?,
        None => false,
    };
    let ok = by_code
        || store::use_recovery_code(&st.db, uid, &model::normalise_recovery_code(&f.code)).await?;
    let actor = crate::store::Actor {
        user_id: Some(uid),
        name: user.name.clone(),
        ..viewer.actor()
    };
    if !ok {
        store::record_attempt(&st.db, &user.email, &viewer.ip, false).await?;
        store::record_account_event(
            &st.db,
            &actor,
            Action::SignInFailed,
            uid,
            "Wrong two-factor code",
        )
        .await?;
        return Ok(again(
            "The code is not correct or has already been used. Enter the latest code from your app.",
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    store::record_attempt(&st.db, &user.email, &viewer.ip, true).await?;
    let cookie = rotate(&st, &viewer, Stage::SignedIn, uid, &user_agent(&headers)).await?;
    let how = if by_code {
        "Signed in with a password and two-factor code"
    } else {
        "Signed in with a password and a recovery code"
    };
    store::record_account_event(&st.db, &actor, Action::SignIn, uid, how).await?;
    Ok(with_cookie(
        redirect(&safe_next(Some(&f.next))),
        Some(cookie),
    ))
}

pub async fn sign_out(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    if let Some(s) = &viewer.session {
        session::end(&st.db, s).await?;
        if let Some(u) = &viewer.user {
            store::record_account_event(
                &st.db,
                &viewer.actor(),
                Action::SignOut,
                u.id,
                "Signed out",
            )
            .await?;
        }
    }
    Ok(with_cookie(
        redirect("/"),
        Some(session::clear_cookie(st.config.secure_cookies())),
    ))
}

// ---- password reset ----

#[derive(Template, WebTemplate)]
#[template(path = "accounts/reset_request.html")]
struct ResetRequestPage {
    page: Page,
    email: String,
    errors: Errors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    email: String,
}

pub async fn reset_request_form(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
) -> AppResult<Response> {
    let (viewer, cookie) = ensure_session(&st, viewer, &user_agent(&headers)).await?;
    let p = ResetRequestPage {
        page: Page::new(&viewer, "Reset your password", ""),
        email: String::new(),
        errors: Errors::default(),
    };
    Ok(with_cookie(p.into_response(), cookie))
}

pub async fn reset_request(
    State(st): State<AppState>,
    viewer: Viewer,
    FormData(f): FormData<EmailForm>,
) -> AppResult<Response> {
    let email = match Email::parse(&f.email) {
        Ok(e) => e,
        Err(m) => {
            let mut errors = Errors::default();
            errors.add("email", m);
            let p = ResetRequestPage {
                page: Page::new(&viewer, "Reset your password", ""),
                email: f.email,
                errors,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
        }
    };
    // The same answer whether or not the account exists, so the form cannot be used to find out.
    if let Some((user, _)) = store::user_by_email(&st.db, email.as_str()).await?
        && !user.disabled
        && store::recent_resets(&st.db, user.id).await? < 3
    {
        let token = model::new_secret();
        store::create_reset(&st.db, user.id, &token).await?;
        let link = format!("{}/password-reset/{token}", st.config.base_url);
        let mail = crate::mail::Mail::from_templates(
            &user.email,
            "Reset your masa password",
            &ResetText {
                name: &user.name,
                link: &link,
            },
            &ResetHtml {
                name: &user.name,
                link: &link,
            },
        )?;
        let partnership = store::memberships_of(&st.db, user.id)
            .await?
            .first()
            .map(|m| crate::store::PartnershipId(m.partnership_id));
        st.mailer.queue(&st.db, partnership, mail).await?;
    }
    Ok(message(
        Page::new(&viewer, "Check your email", ""),
        "Check your email",
        &[&format!("If there is a masa account for {}, we have sent it a link to reset the password. The link works for one hour.", email.as_str())],
        Some(("/sign-in", "Back to sign in")),
    )
    .into_response())
}

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

fn expired_link(viewer: &Viewer) -> Response {
    (
        StatusCode::NOT_FOUND,
        message(
            Page::new(viewer, "This link has expired", ""),
            "This link has expired or has already been used",
            &["Links in masa emails work once, for a limited time. Ask for a new one."],
            Some(("/password-reset", "Reset your password")),
        ),
    )
        .into_response()
}

pub async fn reset_form(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    Path(token): Path<String>,
) -> AppResult<Response> {
    if store::reset_user(&st.db, &token).await?.is_none() {
        return Ok(expired_link(&viewer));
    }
    let (viewer, cookie) = ensure_session(&st, viewer, &user_agent(&headers)).await?;
    let p = NewPasswordPage {
        page: Page::new(&viewer, "Choose a new password", ""),
        heading: "Choose a new password".into(),
        intro: "Use 12 characters or more. A few unrelated words make a strong password that is easy to remember.".into(),
        action: format!("/password-reset/{token}"),
        ask_current: false,
        errors: Errors::default(),
    };
    Ok(with_cookie(p.into_response(), cookie))
}

pub async fn reset(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
    FormData(f): FormData<PasswordForm>,
) -> AppResult<Response> {
    let Some((reset_id, uid)) = store::reset_user(&st.db, &token).await? else {
        return Ok(expired_link(&viewer));
    };
    let Some((user, _)) = store::user_by_id(&st.db, uid).await? else {
        return Ok(expired_link(&viewer));
    };
    let mut errors = Errors::default();
    check_passwords(&f, &user.email, &mut errors);
    if !errors.is_empty() {
        let p = NewPasswordPage {
            page: Page::new(&viewer, "Choose a new password", ""),
            heading: "Choose a new password".into(),
            intro: "Use 12 characters or more.".into(),
            action: format!("/password-reset/{token}"),
            ask_current: false,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    }
    let hash = tokio::task::spawn_blocking(move || model::hash_password(&f.password))
        .await?
        .map_err(AppError::Internal)?;
    let actor = crate::store::Actor {
        user_id: Some(uid),
        name: user.name.clone(),
        ..viewer.actor()
    };
    let mut tx = Tx::begin(&st.db, &actor).await?;
    if !store::consume_reset(&mut tx, reset_id).await? {
        return Ok(expired_link(&viewer));
    }
    store::set_password(&mut tx, &user, &hash).await?;
    tx.commit().await?;
    session::end_all_for_user(&st.db, uid).await?;
    if let Some(s) = &viewer.session {
        session::set_flash(
            &st.db,
            s,
            "Your password has been changed. Sign in with your new password.",
        )
        .await?;
    }
    Ok(redirect("/sign-in"))
}

// ---- invitations ----

#[derive(Template, WebTemplate)]
#[template(path = "accounts/invitation.html")]
struct InvitationPage {
    page: Page,
    invitation: store::Invitation,
    role_label: &'static str,
    existing: bool,
    errors: Errors,
}

async fn live_invitation(st: &AppState, token: &str) -> AppResult<Option<store::Invitation>> {
    Ok(store::invitation_by_token(&st.db, token)
        .await?
        .filter(|i| i.accepted_at.is_none() && i.expires_at > chrono::Utc::now()))
}

pub async fn invitation_form(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(inv) = live_invitation(&st, &token).await? else {
        return Ok(expired_link(&viewer));
    };
    let existing = store::user_by_email(&st.db, &inv.email).await?.is_some();
    let (viewer, cookie) = ensure_session(&st, viewer, &user_agent(&headers)).await?;
    let p = InvitationPage {
        page: Page::new(&viewer, "Accept your invitation", ""),
        role_label: inv.role.map_or("System administrator", Role::label),
        invitation: inv,
        existing,
        errors: Errors::default(),
    };
    Ok(with_cookie(p.into_response(), cookie))
}

pub async fn accept_invitation(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    Path(token): Path<String>,
    FormData(f): FormData<PasswordForm>,
) -> AppResult<Response> {
    let Some(inv) = live_invitation(&st, &token).await? else {
        return Ok(expired_link(&viewer));
    };
    let existing = store::user_by_email(&st.db, &inv.email).await?;
    let mut errors = Errors::default();
    match &existing {
        Some((_, creds)) => {
            let hash = creds.password_hash.clone();
            let pw = f.current_password.clone();
            let ok =
                tokio::task::spawn_blocking(move || model::verify_password(&pw, hash.as_deref()))
                    .await?;
            if !ok {
                errors.add(
                    "current_password",
                    "Enter the password of your masa account",
                );
            }
        }
        None => check_passwords(&f, &inv.email, &mut errors),
    }
    if !errors.is_empty() {
        let p = InvitationPage {
            page: Page::new(&viewer, "Accept your invitation", ""),
            role_label: inv.role.map_or("System administrator", Role::label),
            existing: existing.is_some(),
            invitation: inv,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    }
    let email = Email::parse(&inv.email).map_err(|m| AppError::Internal(m.into()))?;
    let actor = crate::store::Actor {
        name: inv.name.clone(),
        ..viewer.actor()
    };
    let hash = match existing {
        Some(_) => None,
        None => {
            let pw = f.password.clone();
            Some(
                tokio::task::spawn_blocking(move || model::hash_password(&pw))
                    .await?
                    .map_err(AppError::Internal)?,
            )
        }
    };
    let mut tx = Tx::begin(&st.db, &actor).await?;
    if !store::consume_invitation(&mut tx, inv.id).await? {
        return Ok(expired_link(&viewer));
    }
    let uid = match &existing {
        Some((u, _)) => u.id,
        None => {
            store::create_user(
                &mut tx,
                &email,
                &inv.name,
                hash.as_deref(),
                inv.role.is_none(),
            )
            .await?
        }
    };
    if let (Some(p), Some(role)) = (inv.partnership_id, inv.role) {
        store::add_membership(
            &mut tx,
            crate::store::PartnershipId(p),
            uid,
            role,
            &inv.organisation,
        )
        .await?;
    }
    if existing.is_some() && inv.role.is_none() {
        tx.execute_plumbing(
            "UPDATE users SET is_system_admin = $1 WHERE id = $2",
            crate::args![true, uid],
        )
        .await?;
    }
    tx.commit().await?;
    let (user, creds) = store::user_by_id(&st.db, uid)
        .await?
        .ok_or(AppError::NotFound)?;
    let ua = user_agent(&headers);
    let stage = if creds.totp_secret.is_some() {
        Stage::SecondFactor
    } else if needs_two_factor(&st, &user).await? {
        Stage::Enrol
    } else {
        Stage::SignedIn
    };
    let cookie = rotate(&st, &viewer, stage, uid, &ua).await?;
    let to = match stage {
        Stage::SecondFactor => "/sign-in/two-factor",
        Stage::Enrol => "/account/two-factor",
        _ => "/",
    };
    Ok(with_cookie(redirect(to), Some(cookie)))
}

// ---- account ----

#[derive(Template, WebTemplate)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    page: Page,
    user: store::User,
    memberships: Vec<store::Membership>,
    recovery_left: i64,
}

pub async fn account(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let user = viewer.user.clone().ok_or(AppError::Forbidden)?;
    let recovery_left = store::unused_recovery_codes(&st.db, user.id).await?;
    Ok(AccountPage {
        page: Page::new(&viewer, "Your account", "/account"),
        memberships: viewer.memberships.clone(),
        user,
        recovery_left,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/two_factor.html")]
struct TwoFactorPage {
    page: Page,
    required: bool,
    secret: String,
    qr_svg: String,
    errors: Errors,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/recovery_codes.html")]
struct RecoveryCodesPage {
    page: Page,
    codes: Vec<String>,
}

fn qr_svg(data: &str) -> String {
    match qrcode::QrCode::new(data.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build()
            .replace("<?xml version=\"1.0\" standalone=\"yes\"?>", "")
            .replacen(
                "<svg ",
                "<svg role=\"img\" aria-label=\"QR code for your authenticator app\" ",
                1,
            ),
        Err(_) => String::new(),
    }
}

fn setting_up(viewer: &Viewer) -> Option<&store::User> {
    viewer.user.as_ref().or(viewer.enrolling.as_ref())
}

pub async fn two_factor_form(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let user = setting_up(&viewer).ok_or(AppError::Forbidden)?.clone();
    let (_, creds) = store::user_by_id(&st.db, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let secret = match creds.totp_pending_secret {
        Some(s) => s,
        None => {
            let s = totp::new_secret();
            store::set_pending_totp(&st.db, user.id, &s).await?;
            s
        }
    };
    let url = totp::url(&secret, &user.email).unwrap_or_default();
    Ok(TwoFactorPage {
        page: Page::new(&viewer, "Set up two-factor authentication", "/account"),
        required: viewer.enrolling.is_some(),
        qr_svg: qr_svg(&url),
        secret,
        errors: Errors::default(),
    }
    .into_response())
}

pub async fn two_factor_enable(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    FormData(f): FormData<CodeForm>,
) -> AppResult<Response> {
    let user = setting_up(&viewer).ok_or(AppError::Forbidden)?.clone();
    let (_, creds) = store::user_by_id(&st.db, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(secret) = creds.totp_pending_secret else {
        return Err(AppError::Unprocessable(
            "Open the set-up page first, then enter the code your app shows".into(),
        ));
    };
    let now = chrono::Utc::now().timestamp().max(0) as u64;
    let Some(step) = totp::check(&secret, &f.code, now, 0) else {
        let mut errors = Errors::default();
        errors.add(
            "code",
            "Enter the 6-digit code your authenticator app shows now",
        );
        let url = totp::url(&secret, &user.email).unwrap_or_default();
        let p = TwoFactorPage {
            page: Page::new(&viewer, "Set up two-factor authentication", "/account"),
            required: viewer.enrolling.is_some(),
            qr_svg: qr_svg(&url),
            secret,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    };
    let codes = model::new_recovery_codes();
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    store::enable_totp(&mut tx, user.id, &user.email, &secret, step, &codes).await?;
    tx.commit().await?;
    // Finishing set-up completes the sign-in: a new session at full privilege.
    let mut cookie = None;
    let mut viewer = viewer;
    if viewer.enrolling.is_some() {
        let (secret, s) = session::start(
            &st.db,
            viewer.session.as_ref(),
            Stage::SignedIn,
            Some(user.id),
            None,
            &viewer.ip,
            &user_agent(&headers),
        )
        .await?;
        store::record_account_event(
            &st.db,
            &actor,
            Action::SignIn,
            user.id,
            "Signed in after setting up two-factor",
        )
        .await?;
        cookie = Some(session::set_cookie(&secret, st.config.secure_cookies()));
        viewer.memberships = store::memberships_of(&st.db, user.id).await?;
        viewer.current = viewer.memberships.first().cloned();
        viewer.session = Some(s);
        viewer.user = Some(user);
        viewer.enrolling = None;
    }
    let p = RecoveryCodesPage {
        page: Page::new(&viewer, "Save your recovery codes", "/account"),
        codes,
    };
    Ok(with_cookie(p.into_response(), cookie))
}

pub async fn password_form(viewer: Viewer) -> AppResult<Response> {
    Ok(NewPasswordPage {
        page: Page::new(&viewer, "Change your password", "/account"),
        heading: "Change your password".into(),
        intro: "Use 12 characters or more. Changing your password signs you out everywhere else."
            .into(),
        action: "/account/password".into(),
        ask_current: true,
        errors: Errors::default(),
    }
    .into_response())
}

pub async fn change_password(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    FormData(f): FormData<PasswordForm>,
) -> AppResult<Response> {
    let user = viewer.user.clone().ok_or(AppError::Forbidden)?;
    let (_, creds) = store::user_by_id(&st.db, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = Errors::default();
    let (pw, hash) = (f.current_password.clone(), creds.password_hash.clone());
    if !tokio::task::spawn_blocking(move || model::verify_password(&pw, hash.as_deref())).await? {
        errors.add("current_password", "Your current password is not correct");
    }
    check_passwords(&f, &user.email, &mut errors);
    if !errors.is_empty() {
        let p = NewPasswordPage {
            page: Page::new(&viewer, "Change your password", "/account"),
            heading: "Change your password".into(),
            intro: "Use 12 characters or more.".into(),
            action: "/account/password".into(),
            ask_current: true,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    }
    let new = f.password.clone();
    let hash = tokio::task::spawn_blocking(move || model::hash_password(&new))
        .await?
        .map_err(AppError::Internal)?;
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    store::set_password(&mut tx, &user, &hash).await?;
    tx.commit().await?;
    session::end_all_for_user(&st.db, user.id).await?;
    let (secret, s) = session::start(
        &st.db,
        None,
        Stage::SignedIn,
        Some(user.id),
        viewer.current.as_ref().map(|m| m.partnership_id),
        &viewer.ip,
        &user_agent(&headers),
    )
    .await?;
    session::set_flash(&st.db, &s, "Your password has been changed").await?;
    Ok(with_cookie(
        redirect("/account"),
        Some(session::set_cookie(&secret, st.config.secure_cookies())),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SwitchForm {
    partnership_id: String,
}

pub async fn switch_partnership(
    State(st): State<AppState>,
    viewer: Viewer,
    FormData(f): FormData<SwitchForm>,
) -> AppResult<Response> {
    let id: i64 = f
        .partnership_id
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("Choose a partnership".into()))?;
    // Only a partnership the person belongs to.
    if !viewer.memberships.iter().any(|m| m.partnership_id == id) {
        return Err(AppError::NotFound);
    }
    if let Some(s) = &viewer.session {
        session::set_partnership(&st.db, s, id).await?;
    }
    Ok(redirect("/"))
}
