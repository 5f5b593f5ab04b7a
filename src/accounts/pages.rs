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

/// Forms shown to people not signed in still need a CSRF token: without a session, it comes
/// in a cookie of its own (no row is kept for a visitor until they sign in).
fn ensure_form_token(st: &AppState, mut viewer: Viewer) -> (Viewer, Option<HeaderValue>) {
    if viewer.session.is_some() || viewer.form_token.is_some() {
        return (viewer, None);
    }
    let (token, cookie) = session::new_form_token(st.config.secure_cookies());
    viewer.form_token = Some(token);
    (viewer, Some(cookie))
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
    /// Why they were sent here ([`notice`]); only fixed words are ever shown.
    notice: String,
}

/// What the sign-in page says to someone sent to it by another page. Someone not signed in
/// has no session to carry a message in, so the address names one of these.
fn notice(code: &str) -> Option<String> {
    Some(match code {
        "password-changed" => "Your password has been changed. Sign in with your new password.".to_owned(),
        "invitation" => "If you are new to masa, your account is ready: sign in with the password you have just chosen. If you already had a masa account, sign in with the password you use now to accept the invitation.".to_owned(),
        _ => return None,
    })
}

pub async fn sign_in_form(
    State(st): State<AppState>,
    viewer: Viewer,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if viewer.user.is_some() {
        return Ok(redirect(&safe_next(Some(&q.next))));
    }
    let (viewer, cookie) = ensure_form_token(&st, viewer);
    let mut page = Page::new(&viewer, "Sign in", "/sign-in");
    page.flash = page.flash.or_else(|| notice(&q.notice));
    let page = SignInPage {
        page,
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
    if store::locked(&st.db, &email).await? {
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
        store::record_attempt(&st.db, &email, &viewer.ip, store::Factor::Password, false).await?;
        let failures = store::recent_failures(&st.db, &email, store::Factor::Password).await?;
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
    store::record_attempt(&st.db, &email, &viewer.ip, store::Factor::Password, true).await?;
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
    if store::locked(&st.db, &user.email).await? {
        return Ok(again(
            "This account is locked for 15 minutes after too many attempts",
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let secret = creds.authenticator(&st.secrets).unwrap_or_default();
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
        let code = store::Factor::SecondFactor;
        store::record_attempt(&st.db, &user.email, &viewer.ip, code, false).await?;
        store::record_account_event(
            &st.db,
            &actor,
            Action::SignInFailed,
            uid,
            "Wrong two-factor code",
        )
        .await?;
        if store::recent_failures(&st.db, &user.email, code).await? >= store::MAX_FAILURES {
            store::record_account_event(
                &st.db,
                &actor,
                Action::LockedOut,
                uid,
                "Locked for 15 minutes after repeated wrong two-factor codes",
            )
            .await?;
            return Ok(again(
                "This account is locked for 15 minutes after too many attempts",
                StatusCode::TOO_MANY_REQUESTS,
            ));
        }
        return Ok(again(
            "The code is not correct or has already been used. Enter the latest code from your app.",
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    store::record_attempt(
        &st.db,
        &user.email,
        &viewer.ip,
        store::Factor::SecondFactor,
        true,
    )
    .await?;
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

pub async fn reset_request_form(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let (viewer, cookie) = ensure_form_token(&st, viewer);
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
                link: crate::mail::SECRET_LINK,
            },
            &ResetHtml {
                name: &user.name,
                link: crate::mail::SECRET_LINK,
            },
        )?
        .with_secret_link(link, chrono::Utc::now() + store::RESET_LIFE);
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
    Path(token): Path<String>,
) -> AppResult<Response> {
    if store::reset_user(&st.db, &token).await?.is_none() {
        return Ok(expired_link(&viewer));
    }
    let (viewer, cookie) = ensure_form_token(&st, viewer);
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
    Ok(redirect("/sign-in?notice=password-changed"))
}

// ---- invitations ----
//
// The holder of an invitation link is not yet anyone: it may be the invitee, or (without a
// mail server) the business unit that handed the link on. So the page is the same whether or
// not the address already has an account, choosing a password never touches an account that
// exists, and the browser is signed in only by signing in. Someone who already uses masa
// accepts by signing in (with its lockout, two-factor and audit) and then pressing accept.

#[derive(Template, WebTemplate)]
#[template(path = "accounts/invitation.html")]
struct InvitationPage {
    page: Page,
    invitation: store::Invitation,
    role_label: &'static str,
    /// Who is signed in, when anyone is: the invitee accepts with one button; anyone else is
    /// told the invitation is not theirs.
    signed_in_email: Option<String>,
    /// Signed in as the invitee.
    invitee: bool,
    /// The invitation has been used (shown only to the invitee).
    accepted: bool,
    sign_in_href: String,
    errors: Errors,
}

impl InvitationPage {
    fn new(viewer: &Viewer, token: &str, invitation: store::Invitation, errors: Errors) -> Self {
        let next = format!("/invitations/{token}");
        InvitationPage {
            page: Page::new(viewer, "Accept your invitation", ""),
            role_label: invitation.role.map_or("System administrator", Role::label),
            signed_in_email: viewer.user.as_ref().map(|u| u.email.clone()),
            invitee: viewer
                .user
                .as_ref()
                .is_some_and(|u| u.email == invitation.email),
            accepted: invitation.accepted_at.is_some(),
            invitation,
            sign_in_href: format!(
                "/sign-in?next={}",
                url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            ),
            errors,
        }
    }
}

/// An invitation that can still be used; or, for the invitee signed in, one they have used.
async fn usable_invitation(
    st: &AppState,
    viewer: &Viewer,
    token: &str,
) -> AppResult<Option<store::Invitation>> {
    let Some(inv) = store::invitation_by_token(&st.db, token).await? else {
        return Ok(None);
    };
    let mine = viewer.user.as_ref().is_some_and(|u| u.email == inv.email);
    let live = inv.accepted_at.is_none() && inv.expires_at > chrono::Utc::now();
    Ok((live || (mine && inv.accepted_at.is_some())).then_some(inv))
}

pub async fn invitation_form(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(inv) = usable_invitation(&st, &viewer, &token).await? else {
        return Ok(expired_link(&viewer));
    };
    let (viewer, cookie) = ensure_form_token(&st, viewer);
    let p = InvitationPage::new(&viewer, &token, inv, Errors::default());
    Ok(with_cookie(p.into_response(), cookie))
}

pub async fn accept_invitation(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    Path(token): Path<String>,
    FormData(f): FormData<PasswordForm>,
) -> AppResult<Response> {
    let Some(inv) = usable_invitation(&st, &viewer, &token).await? else {
        return Ok(expired_link(&viewer));
    };
    if inv.accepted_at.is_some() {
        return Ok(redirect("/"));
    }
    if let Some(user) = viewer.user.clone() {
        if user.email != inv.email {
            // Not theirs: the page says so; nothing changes.
            let p = InvitationPage::new(&viewer, &token, inv, Errors::default());
            return Ok((StatusCode::FORBIDDEN, p).into_response());
        }
        return accept_as(&st, &viewer, &headers, &user, &inv).await;
    }
    let mut errors = Errors::default();
    check_passwords(&f, &inv.email, &mut errors);
    if !errors.is_empty() {
        let p = InvitationPage::new(&viewer, &token, inv, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    }
    // Hashed whether or not it is used, so the answer takes as long either way.
    let pw = f.password.clone();
    let hash = tokio::task::spawn_blocking(move || model::hash_password(&pw))
        .await?
        .map_err(AppError::Internal)?;
    if store::user_by_email(&st.db, &inv.email).await?.is_none() {
        let email = Email::parse(&inv.email).map_err(|m| AppError::Internal(m.into()))?;
        let actor = crate::store::Actor {
            name: inv.name.clone(),
            ..viewer.actor()
        };
        let mut tx = Tx::begin(&st.db, &actor).await?;
        if !store::consume_invitation(&mut tx, inv.id).await? {
            return Ok(expired_link(&viewer));
        }
        let uid = match store::create_user(&mut tx, &email, &inv.name, Some(&hash), false).await {
            Ok(uid) => uid,
            // Someone made the account meanwhile: as if it had existed.
            Err(AppError::Unprocessable(_)) => return Ok(after_choosing(&token)),
            Err(e) => return Err(e),
        };
        join(&mut tx, &inv, uid).await?;
        tx.commit().await?;
    }
    Ok(after_choosing(&token))
}

/// Where choosing a password leads, whether or not the address already had an account: to
/// sign in, then back to the invitation.
fn after_choosing(token: &str) -> Response {
    let next = format!("/invitations/{token}");
    redirect(&format!(
        "/sign-in?notice=invitation&next={}",
        url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
    ))
}

/// Give the invited role: a membership of the partnership, or the host's administration.
async fn join(tx: &mut Tx<'_>, inv: &store::Invitation, uid: i64) -> AppResult<()> {
    match (inv.partnership_id, inv.role) {
        (Some(p), Some(role)) => {
            store::add_membership(
                tx,
                crate::store::PartnershipId(p),
                uid,
                role,
                &inv.organisation,
            )
            .await?;
        }
        _ => store::make_system_admin(tx, uid).await?,
    }
    Ok(())
}

/// The invitee, signed in, accepts: the invitation is used, the role given, and the session
/// replaced (their privileges changed); a role that needs two-factor they have not set up
/// sends them to set it up first.
async fn accept_as(
    st: &AppState,
    viewer: &Viewer,
    headers: &axum::http::HeaderMap,
    user: &store::User,
    inv: &store::Invitation,
) -> AppResult<Response> {
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    if !store::consume_invitation(&mut tx, inv.id).await? {
        return Ok(expired_link(viewer));
    }
    join(&mut tx, inv, user.id).await?;
    tx.commit().await?;
    let stage = if !user.two_factor && needs_two_factor(st, user).await? {
        Stage::Enrol
    } else {
        Stage::SignedIn
    };
    let (secret, s) = session::start(
        &st.db,
        viewer.session.as_ref(),
        stage,
        Some(user.id),
        inv.partnership_id,
        &viewer.ip,
        &user_agent(headers),
    )
    .await?;
    let to = if stage == Stage::Enrol {
        "/account/two-factor"
    } else {
        session::set_flash(
            &st.db,
            &s,
            &format!("You have joined {}", inv.partnership_name),
        )
        .await?;
        "/"
    };
    Ok(with_cookie(
        redirect(to),
        Some(session::set_cookie(&secret, st.config.secure_cookies())),
    ))
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
    /// They have an authenticator already: replacing it needs their password and a code
    /// from it, so a borrowed session cannot move their second factor to another phone.
    replacing: bool,
    secret: String,
    qr_svg: String,
    errors: Errors,
}

impl TwoFactorPage {
    fn new(viewer: &Viewer, user: &store::User, secret: String, errors: Errors) -> Self {
        let url = totp::url(&secret, &user.email).unwrap_or_default();
        let title = if user.two_factor {
            "Replace your authenticator app"
        } else {
            "Set up two-factor authentication"
        };
        TwoFactorPage {
            page: Page::new(viewer, title, "/account"),
            required: viewer.enrolling.is_some(),
            replacing: user.two_factor,
            qr_svg: qr_svg(&url),
            secret,
            errors,
        }
    }
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
    let secret = match creds.pending_authenticator(&st.secrets) {
        Some(s) => s,
        None => {
            let s = totp::new_secret();
            store::set_pending_totp(&st.db, &st.secrets, user.id, &s).await?;
            s
        }
    };
    Ok(TwoFactorPage::new(&viewer, &user, secret, Errors::default()).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TwoFactorForm {
    code: String,
    current_password: String,
    current_code: String,
}

/// Someone replacing their authenticator proves it is them: their password, and a code from
/// the authenticator they have now (or a recovery code). Failures count towards the lockout
/// as at sign-in.
async fn prove_owner(
    st: &AppState,
    viewer: &Viewer,
    user: &store::User,
    creds: &store::Credentials,
    f: &TwoFactorForm,
    errors: &mut Errors,
) -> AppResult<()> {
    if store::locked(&st.db, &user.email).await? {
        errors.add(
            "current_password",
            "This account is locked for 15 minutes after too many attempts",
        );
        return Ok(());
    }
    let (pw, hash) = (f.current_password.clone(), creds.password_hash.clone());
    let password_ok =
        tokio::task::spawn_blocking(move || model::verify_password(&pw, hash.as_deref())).await?;
    store::record_attempt(
        &st.db,
        &user.email,
        &viewer.ip,
        store::Factor::Password,
        password_ok,
    )
    .await?;
    if !password_ok {
        errors.add("current_password", "Your password is not correct");
        return Ok(());
    }
    let now = chrono::Utc::now().timestamp().max(0) as u64;
    let old = creds.authenticator(&st.secrets).unwrap_or_default();
    let code_ok = match totp::check(
        &old,
        &f.current_code,
        now,
        creds.totp_last_step.max(0) as u64,
    ) {
        Some(step) => store::accept_totp_step(&st.db, user.id, step).await?,
        None => {
            store::use_recovery_code(
                &st.db,
                user.id,
                &model::normalise_recovery_code(&f.current_code),
            )
            .await?
        }
    };
    store::record_attempt(
        &st.db,
        &user.email,
        &viewer.ip,
        store::Factor::SecondFactor,
        code_ok,
    )
    .await?;
    if !code_ok {
        errors.add(
            "current_code",
            "Enter the code your present authenticator app shows now, or a recovery code",
        );
    }
    Ok(())
}

pub async fn two_factor_enable(
    State(st): State<AppState>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    FormData(f): FormData<TwoFactorForm>,
) -> AppResult<Response> {
    let user = setting_up(&viewer).ok_or(AppError::Forbidden)?.clone();
    let (_, creds) = store::user_by_id(&st.db, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(secret) = creds.pending_authenticator(&st.secrets) else {
        return Err(AppError::Unprocessable(
            "Open the set-up page first, then enter the code your app shows".into(),
        ));
    };
    let mut errors = Errors::default();
    if user.two_factor {
        prove_owner(&st, &viewer, &user, &creds, &f, &mut errors).await?;
    }
    let now = chrono::Utc::now().timestamp().max(0) as u64;
    let step = totp::check(&secret, &f.code, now, 0);
    if step.is_none() {
        errors.add(
            "code",
            "Enter the 6-digit code your authenticator app shows now",
        );
    }
    let (Some(step), true) = (step, errors.is_empty()) else {
        let p = TwoFactorPage::new(&viewer, &user, secret, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    };
    let codes = model::new_recovery_codes();
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    store::enable_totp(
        &mut tx,
        &st.secrets,
        user.id,
        &user.email,
        &secret,
        step,
        &codes,
    )
    .await?;
    tx.commit().await?;
    // Finishing set-up completes the sign-in: a new session at full privilege. A replaced
    // authenticator ends every other session (they may be on the phone it replaces).
    let mut cookie = None;
    let mut viewer = viewer;
    if user.two_factor {
        session::end_all_for_user(&st.db, user.id).await?;
    }
    if viewer.enrolling.is_some() || user.two_factor {
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
        if viewer.enrolling.is_some() {
            store::record_account_event(
                &st.db,
                &actor,
                Action::SignIn,
                user.id,
                "Signed in after setting up two-factor",
            )
            .await?;
        }
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
    // Guesses at the current password count towards the lockout, as at sign-in.
    if store::locked(&st.db, &user.email).await? {
        return Err(AppError::TooManyRequests(
            "This account is locked for 15 minutes after too many attempts".into(),
        ));
    }
    let (pw, hash) = (f.current_password.clone(), creds.password_hash.clone());
    if !tokio::task::spawn_blocking(move || model::verify_password(&pw, hash.as_deref())).await? {
        store::record_attempt(
            &st.db,
            &user.email,
            &viewer.ip,
            store::Factor::Password,
            false,
        )
        .await?;
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
    let revoked = store::set_password(&mut tx, &user, &hash).await?;
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
    let said = match revoked {
        0 => "Your password has been changed".to_owned(),
        1 => "Your password has been changed. Your API token was revoked: make a new one if you need it.".to_owned(),
        n => format!("Your password has been changed. Your {n} API tokens were revoked: make new ones if you need them."),
    };
    session::set_flash(&st.db, &s, &said).await?;
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
