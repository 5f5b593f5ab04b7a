//! The account pages: two-factor set-up and recovery codes, the password, the partnership in use.

use super::*;

#[derive(Template, WebTemplate)]
#[template(path = "accounts/account.html")]
pub(super) struct AccountPage {
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

/// "Stay signed in" from the warning before the idle limit: reading this counts as activity
/// (as any page does), and says how long the session now has.
pub async fn alive(viewer: Viewer) -> AppResult<Response> {
    let s = viewer.session.as_ref().ok_or(AppError::Forbidden)?;
    let ends_in = session::ends_in(s, chrono::Utc::now());
    Ok(axum::Json(serde_json::json!({ "ends_in": ends_in })).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/two_factor.html")]
pub(super) struct TwoFactorPage {
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
pub(super) struct RecoveryCodesPage {
    page: Page,
    codes: Vec<String>,
}

pub(super) fn qr_svg(data: &str) -> String {
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

pub(super) fn setting_up(viewer: &Viewer) -> Option<&store::User> {
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
pub(super) async fn prove_owner(
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
