//! The business unit's pages for the people in its partnership: who is here, inviting, changing
//! a role, removing.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::model::{Email, Role, parse_name};
use super::store::{self, Membership, User};
use crate::state::Ctx;
use crate::store::Tx;
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::redirect;
use crate::web::session;
use crate::web::viewer::Viewer;

#[derive(Template, WebTemplate)]
#[template(path = "accounts/people.html")]
struct PeoplePage {
    page: Page,
    people: Vec<(Membership, User)>,
}

pub async fn list(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let people = store::members_of(&st.db, p).await?;
    Ok(PeoplePage {
        page: Page::new(&viewer, "People", "/admin/people"),
        people,
    }
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InviteForm {
    email: String,
    name: String,
    role: String,
    organisation: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/invite.html")]
struct InvitePage {
    page: Page,
    form: InviteForm,
    roles: &'static [Role],
    errors: Errors,
}

pub async fn invite_form(viewer: Viewer) -> AppResult<Response> {
    Ok(InvitePage {
        page: Page::new(&viewer, "Invite someone", "/admin/people"),
        form: InviteForm::default(),
        roles: Role::ALL,
        errors: Errors::default(),
    }
    .into_response())
}

fn organisation(input: &str) -> Result<String, &'static str> {
    let s = input.trim();
    if s.chars().count() > 120 {
        return Err("Organisation must be 120 characters or fewer");
    }
    Ok(s.to_owned())
}

pub async fn invite(
    Ctx { st, viewer, p }: Ctx,
    FormData(f): FormData<InviteForm>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    // In the order of the fields, so the error summary reads down the page.
    let name = errors.check("name", parse_name(&f.name));
    let email = errors.check("email", Email::parse(&f.email));
    let role = errors.check("role", Role::parse(&f.role).ok_or("Select a role"));
    let org = errors.check("organisation", organisation(&f.organisation));
    if let Some(e) = &email
        && let Some((u, _)) = store::user_by_email(&st.db, e.as_str()).await?
        && store::members_of(&st.db, p)
            .await?
            .iter()
            .any(|(_, m)| m.id == u.id)
    {
        errors.add("email", "That person is already in this partnership");
    }
    let (Some(email), Some(name), Some(role), Some(org), true) =
        (email, name, role, org, errors.is_empty())
    else {
        let page = InvitePage {
            page: Page::new(&viewer, "Invite someone", "/admin/people"),
            form: f,
            roles: Role::ALL,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let pname = viewer
        .current
        .as_ref()
        .map_or("", |m| m.partnership_name.as_str());
    let link = super::invite(
        &st,
        &viewer.actor(),
        Some((p, pname)),
        &email,
        &name,
        Some(role),
        &org,
    )
    .await?;
    super::invitation_made(
        &st,
        &viewer,
        &name,
        &email,
        link,
        ("/admin/people", "Back to people"),
        &format!("Invitation sent to {}", email.as_str()),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditForm {
    role: String,
    organisation: String,
    version: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/person.html")]
struct PersonPage {
    page: Page,
    membership: Membership,
    user: User,
    role: String,
    organisation: String,
    version: i64,
    roles: &'static [Role],
    errors: Errors,
    is_self: bool,
}

fn person_page(
    viewer: &Viewer,
    membership: Membership,
    user: User,
    errors: Errors,
    role: String,
    organisation: String,
) -> PersonPage {
    PersonPage {
        page: Page::new(viewer, user.name.clone(), "/admin/people"),
        is_self: viewer.user.as_ref().is_some_and(|u| u.id == user.id),
        version: membership.version,
        membership,
        user,
        role,
        organisation,
        roles: Role::ALL,
        errors,
    }
}

fn id_of(s: &str) -> AppResult<i64> {
    s.parse().map_err(|_| AppError::NotFound)
}

pub async fn edit_form(Ctx { st, viewer, p }: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let (m, u) = store::member(&st.db, p, id_of(&id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let (role, org) = (m.role.as_str().to_owned(), m.organisation.clone());
    Ok(person_page(&viewer, m, u, Errors::default(), role, org).into_response())
}

pub async fn edit(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<String>,
    FormData(f): FormData<EditForm>,
) -> AppResult<Response> {
    let id = id_of(&id)?;
    let (m, u) = store::member(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = Errors::default();
    let role = errors.check("role", Role::parse(&f.role).ok_or("Select a role"));
    let org = errors.check("organisation", organisation(&f.organisation));
    let version: i64 = crate::web::forms::version(&f.version)?;
    if viewer.user.as_ref().is_some_and(|me| me.id == u.id)
        && role.is_some_and(|r| r != Role::PartnershipAdmin)
    {
        errors.add(
            "role",
            "You cannot remove your own administrator role: ask another administrator",
        );
    }
    let (Some(role), Some(org), true) = (role, org, errors.is_empty()) else {
        let page = person_page(&viewer, m, u, errors, f.role, f.organisation);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    match store::update_member(&st.db, &mut tx, p, id, version, role, &org).await {
        Ok(()) => {}
        Err(AppError::Conflict(message)) => {
            drop(tx);
            // Show their change: the form now holds the current record, with what this person
            // typed listed so it is not lost.
            let (m, u) = store::member(&st.db, p, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let mut errors = Errors::default();
            errors.add(
                "role",
                format!(
                    "{message} You had chosen: {}; organisation: {}.",
                    Role::parse(&f.role).map_or("", Role::label),
                    f.organisation.trim()
                ),
            );
            let (r, o) = (m.role.as_str().to_owned(), m.organisation.clone());
            let page = person_page(&viewer, m, u, errors, r, o);
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
        Err(e) => return Err(e),
    }
    tx.commit().await?;
    // A role that needs two-factor, for someone without it: they are signed out everywhere and
    // must set it up before they act in the role.
    if role != m.role && role.needs_two_factor() && !u.two_factor {
        session::end_all_for_user(&st.db, u.id).await?;
    }
    if let Some(s) = &viewer.session {
        session::set_flash(&st.db, s, &format!("{} updated", u.name)).await?;
    }
    Ok(redirect("/admin/people"))
}

pub async fn remove(Ctx { st, viewer, p }: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let id = id_of(&id)?;
    let (_, u) = store::member(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if viewer.user.as_ref().is_some_and(|me| me.id == u.id) {
        return Err(AppError::Unprocessable(
            "You cannot remove yourself from the partnership".into(),
        ));
    }
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    store::remove_member(&st.db, &mut tx, p, id).await?;
    tx.commit().await?;
    if let Some(s) = &viewer.session {
        session::set_flash(
            &st.db,
            s,
            &format!("{} removed from the partnership", u.name),
        )
        .await?;
    }
    Ok(redirect("/admin/people"))
}
