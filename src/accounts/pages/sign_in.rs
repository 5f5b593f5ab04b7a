//! Signing in (password, then the second factor) and signing out.

use super::*;
use crate::web::kept::{Kept, KeptPage};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignInForm {
    email: String,
    password: String,
    next: String,
    /// A form refused when the session ended, carried through signing in to be saved after
    /// ([`crate::web::kept`]).
    kept_path: String,
    kept_form: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/sign_in.html")]
pub(super) struct SignInPage {
    page: Page,
    email: String,
    next: String,
    kept: Option<Kept>,
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
pub(super) fn notice(code: &str) -> Option<String> {
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
    page.flash = page.flash.or_else(|| {
        notice(&q.notice).map(|message| crate::web::page::Flash {
            message,
            link: None,
        })
    });
    let page = SignInPage {
        page,
        email: String::new(),
        next: q.next,
        kept: None,
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
    let kept = Kept::from_fields(&f.kept_path, &f.kept_form);
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
            kept: kept.clone(),
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
        let (cookie, csrf) = rotate(&st, &viewer, Stage::SecondFactor, user.id, &ua).await?;
        // Typed work rides on to the code's form, which is drawn here: an address would put
        // it in logs.
        if let Some(kept) = kept {
            let mut page = Page::new(&viewer, "Enter your security code", "");
            page.csrf = csrf;
            let code = SecondFactorPage {
                page,
                next: next.clone(),
                kept: Some(kept),
                errors: Errors::default(),
            };
            return Ok(with_cookie(code.into_response(), Some(cookie)));
        }
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
    let (cookie, csrf) = rotate(&st, &viewer, stage, user.id, &ua).await?;
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
    if let Some(kept) = kept.filter(|_| stage == Stage::SignedIn) {
        let page = KeptPage::after_sign_in(&viewer, kept, csrf);
        return Ok(with_cookie(page.into_response(), Some(cookie)));
    }
    Ok(with_cookie(redirect(&to), Some(cookie)))
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/second_factor.html")]
pub(super) struct SecondFactorPage {
    page: Page,
    next: String,
    kept: Option<Kept>,
    errors: Errors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
    next: String,
    kept_path: String,
    kept_form: String,
}

pub(super) fn pending_user(viewer: &Viewer) -> Option<i64> {
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
        kept: None,
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
    let kept = Kept::from_fields(&f.kept_path, &f.kept_form);
    let again = |msg: &str, status: StatusCode| -> Response {
        let mut errors = Errors::default();
        errors.add("code", msg);
        (
            status,
            SecondFactorPage {
                page: Page::new(&viewer, "Enter your security code", ""),
                next: f.next.clone(),
                kept: kept.clone(),
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
    let (cookie, csrf) = rotate(&st, &viewer, Stage::SignedIn, uid, &user_agent(&headers)).await?;
    let how = if by_code {
        "Signed in with a password and two-factor code"
    } else {
        "Signed in with a password and a recovery code"
    };
    store::record_account_event(&st.db, &actor, Action::SignIn, uid, how).await?;
    if let Some(kept) = kept {
        let page = KeptPage::after_sign_in(&viewer, kept, csrf);
        return Ok(with_cookie(page.into_response(), Some(cookie)));
    }
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
