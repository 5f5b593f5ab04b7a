//! Resetting a forgotten password by a link sent to the address.

use super::*;

#[derive(Template, WebTemplate)]
#[template(path = "accounts/reset_request.html")]
pub(super) struct ResetRequestPage {
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

pub(super) fn expired_link(viewer: &Viewer) -> Response {
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
