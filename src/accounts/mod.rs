//! Accounts: signing in with a password and two-factor code, invitations, password resets,
//! people in a partnership, the partnership switcher and personal API tokens.

pub mod identify;
pub mod model;
mod pages;
mod people;
pub mod store;
pub mod tokens;

use crate::state::Route;
use crate::web::permissions::Permission;

pub fn routes() -> Vec<Route> {
    use Permission::*;
    vec![
        Route::get("/sign-in", Public, pages::sign_in_form),
        Route::post("/sign-in", Public, pages::sign_in),
        Route::get("/sign-in/two-factor", Public, pages::second_factor_form),
        Route::post("/sign-in/two-factor", Public, pages::second_factor),
        Route::post("/sign-out", Public, pages::sign_out),
        Route::get("/password-reset", Public, pages::reset_request_form),
        Route::post("/password-reset", Public, pages::reset_request),
        Route::get("/password-reset/{token}", Public, pages::reset_form),
        Route::post("/password-reset/{token}", Public, pages::reset),
        Route::get("/invitations/{token}", Public, pages::invitation_form),
        Route::post("/invitations/{token}", Public, pages::accept_invitation),
        Route::get("/account", Account, pages::account),
        Route::get("/account/alive", Account, pages::alive),
        Route::get(
            "/account/two-factor",
            TwoFactorSetup,
            pages::two_factor_form,
        ),
        Route::post(
            "/account/two-factor",
            TwoFactorSetup,
            pages::two_factor_enable,
        ),
        Route::get("/account/password", Account, pages::password_form),
        Route::post("/account/password", Account, pages::change_password),
        Route::get("/account/tokens", Account, tokens::tokens_page),
        Route::post("/account/tokens", Account, tokens::create_token),
        Route::post("/account/tokens/{id}/revoke", Account, tokens::revoke_token),
        Route::post("/switch-partnership", Account, pages::switch_partnership),
        Route::get("/admin/people", ManagePartnership, people::list),
        Route::get(
            "/admin/people/invite",
            ManagePartnership,
            people::invite_form,
        ),
        Route::post("/admin/people/invite", ManagePartnership, people::invite),
        Route::get("/admin/people/{id}", ManagePartnership, people::edit_form),
        Route::post("/admin/people/{id}", ManagePartnership, people::edit),
        Route::post(
            "/admin/people/{id}/remove",
            ManagePartnership,
            people::remove,
        ),
    ]
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "accounts/invited.html")]
struct InvitedPage {
    page: crate::web::page::Page,
    name: String,
    email: String,
    link: String,
    back: &'static str,
    back_text: &'static str,
}

/// What the inviter sees once an invitation is made: with a mail server, the page they came
/// from saying it was sent; without one, the link itself, this once, to hand on themselves
/// (the outbox never shows it).
pub async fn invitation_made(
    state: &crate::state::AppState,
    viewer: &crate::web::viewer::Viewer,
    name: &str,
    email: &model::Email,
    link: String,
    back: (&'static str, &'static str),
    sent: &str,
) -> crate::web::error::AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    if state.mailer.configured() {
        crate::web::flash(&state.db, viewer, sent).await?;
        return Ok(crate::web::redirect(back.0));
    }
    Ok(InvitedPage {
        page: crate::web::page::Page::new(viewer, "Invitation made", back.0),
        name: name.to_owned(),
        email: email.as_str().to_owned(),
        link,
        back: back.0,
        back_text: back.1,
    }
    .into_response())
}

/// Send an invitation: store it and queue the email. Used by the people pages, the host's
/// partnership pages, `masa user add` and the demo. Returns the link.
pub async fn invite(
    state: &crate::state::AppState,
    actor: &crate::store::Actor,
    partnership: Option<(crate::store::PartnershipId, &str)>,
    email: &model::Email,
    name: &str,
    role: Option<model::Role>,
    organisation: &str,
) -> crate::web::error::AppResult<String> {
    let token = model::new_secret();
    let mut tx = crate::store::Tx::begin(&state.db, actor).await?;
    store::create_invitation(
        &mut tx,
        partnership.map(|p| p.0),
        email,
        name,
        role,
        organisation,
        &token,
    )
    .await?;
    tx.commit().await?;
    let link = format!("{}/invitations/{token}", state.config.base_url);
    let where_ = partnership.map_or("masa", |p| p.1);
    let text = pages::InvitationText {
        name,
        inviter: &actor.name,
        partnership: where_,
        link: crate::mail::SECRET_LINK,
        role: role.map_or("System administrator", model::Role::label),
    };
    let html = pages::InvitationHtml {
        name,
        inviter: &actor.name,
        partnership: where_,
        link: crate::mail::SECRET_LINK,
        role: role.map_or("System administrator", model::Role::label),
    };
    let mail = crate::mail::Mail::from_templates(
        email.as_str(),
        &format!("You are invited to {where_} on masa"),
        &text,
        &html,
    )?
    .with_secret_link(link.clone(), chrono::Utc::now() + store::INVITATION_LIFE);
    state
        .mailer
        .queue(&state.db, partnership.map(|p| p.0), mail)
        .await?;
    Ok(link)
}
