//! Accepting an invitation: choosing a password, or signing in as the account that exists.

use super::*;

//
// The holder of an invitation link is not yet anyone: it may be the invitee, or (without a
// mail server) the business unit that handed the link on. So the page is the same whether or
// not the address already has an account, choosing a password never touches an account that
// exists, and the browser is signed in only by signing in. Someone who already uses masa
// accepts by signing in (with its lockout, two-factor and audit) and then pressing accept.

#[derive(Template, WebTemplate)]
#[template(path = "accounts/invitation.html")]
pub(super) struct InvitationPage {
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
pub(super) async fn usable_invitation(
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
pub(super) fn after_choosing(token: &str) -> Response {
    let next = format!("/invitations/{token}");
    redirect(&format!(
        "/sign-in?notice=invitation&next={}",
        url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
    ))
}

/// Give the invited role: a membership of the partnership, or the host's administration.
pub(super) async fn join(tx: &mut Tx<'_>, inv: &store::Invitation, uid: i64) -> AppResult<()> {
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
pub(super) async fn accept_as(
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
