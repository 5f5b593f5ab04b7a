//! Partnership settings, the public page and the host's list.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::store::{self, Partnership, Profile};
use crate::accounts::model::{Email, parse_name};
use crate::state::AppState;
use crate::state::Ctx;
use crate::store::Tx;
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::viewer::Viewer;
use crate::web::{redirect, session};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    name: String,
    contact_email: String,
    worried_contact: String,
    version: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "partnerships/settings.html")]
struct SettingsPage {
    page: Page,
    partnership: Partnership,
    form: SettingsForm,
    errors: Errors,
}

pub async fn settings_form(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let p = store::by_id(&st.db, viewer.tenant()?)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = SettingsForm {
        name: p.name.clone(),
        contact_email: p.contact_email.clone(),
        worried_contact: p.worried_contact.clone(),
        version: p.version.to_string(),
    };
    Ok(SettingsPage {
        page: Page::new(&viewer, "Partnership settings", "/admin/partnership"),
        partnership: p,
        form,
        errors: Errors::default(),
    }
    .into_response())
}

pub async fn save_settings(
    Ctx { st, viewer, p }: Ctx,
    FormData(f): FormData<SettingsForm>,
) -> AppResult<Response> {
    let pid = p;
    let current = store::by_id(&st.db, pid).await?.ok_or(AppError::NotFound)?;
    let mut errors = Errors::default();
    let name = errors.check("name", store::parse_partnership_name(&f.name));
    let contact = if f.contact_email.trim().is_empty() {
        Some(String::new())
    } else {
        errors.check(
            "contact_email",
            Email::parse(&f.contact_email).map(|e| e.as_str().to_owned()),
        )
    };
    let worried = f.worried_contact.trim().to_owned();
    if worried.chars().count() > 2000 {
        errors.add(
            "worried_contact",
            "Contacts must be 2,000 characters or fewer",
        );
    }
    let version: i64 = crate::web::forms::version(&f.version)?;
    let (Some(name), Some(contact_email), true) = (name, contact, errors.is_empty()) else {
        let page = SettingsPage {
            page: Page::new(&viewer, "Partnership settings", "/admin/partnership"),
            partnership: current,
            form: f,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    match store::update_profile(
        &st.db,
        &mut tx,
        pid,
        version,
        &Profile {
            name,
            contact_email,
            worried_contact: worried,
        },
    )
    .await
    {
        Ok(()) => tx.commit().await?,
        Err(AppError::Conflict(message)) => {
            drop(tx);
            let now = store::by_id(&st.db, pid).await?.ok_or(AppError::NotFound)?;
            let mut errors = Errors::default();
            errors.add(
                "name",
                format!(
                    "{message} You had entered: name \"{}\", email \"{}\".",
                    f.name.trim(),
                    f.contact_email.trim()
                ),
            );
            // The form shows their version; what this person typed is kept below it.
            let form = SettingsForm {
                name: now.name.clone(),
                contact_email: now.contact_email.clone(),
                worried_contact: now.worried_contact.clone(),
                version: now.version.to_string(),
            };
            let mut page = SettingsPage {
                page: Page::new(&viewer, "Partnership settings", "/admin/partnership"),
                partnership: now,
                form,
                errors,
            };
            page.page.flash = None;
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
        Err(e) => return Err(e),
    }
    if let Some(s) = &viewer.session {
        session::set_flash(&st.db, s, "Partnership details saved").await?;
    }
    Ok(redirect("/admin/partnership"))
}

#[derive(Template, WebTemplate)]
#[template(path = "partnerships/public.html")]
struct PublicPage {
    page: Page,
    partnership: Partnership,
    /// Who to contact when worried about a child, line by line (numbers and addresses are
    /// drawn as links).
    contact: Vec<String>,
}

pub async fn public_page(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let p = store::by_slug(&st.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(PublicPage {
        page: Page::public(&viewer, p.name.clone(), &p.name, &p.slug, ""),
        contact: p
            .worried_contact
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        partnership: p,
    }
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewPartnershipForm {
    name: String,
    slug: String,
    admin_name: String,
    admin_email: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "partnerships/host.html")]
struct HostPage {
    page: Page,
    partnerships: Vec<Partnership>,
    form: NewPartnershipForm,
    errors: Errors,
}

pub async fn host_list(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let partnerships = store::all(&st.db).await?;
    Ok(HostPage {
        page: Page::new(&viewer, "Partnerships", "/system/partnerships"),
        partnerships,
        form: NewPartnershipForm::default(),
        errors: Errors::default(),
    }
    .into_response())
}

pub async fn host_create(
    State(st): State<AppState>,
    viewer: Viewer,
    FormData(f): FormData<NewPartnershipForm>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    let name = errors.check("name", store::parse_partnership_name(&f.name));
    let slug = errors.check("slug", store::parse_slug(&f.slug));
    let admin_name = errors.check("admin_name", parse_name(&f.admin_name));
    let admin_email = errors.check("admin_email", Email::parse(&f.admin_email));
    if let Some(s) = &slug
        && store::by_slug(&st.db, s).await?.is_some()
    {
        errors.add("slug", "A partnership with that short name already exists");
    }
    let (Some(name), Some(slug), Some(admin_name), Some(admin_email), true) =
        (name, slug, admin_name, admin_email, errors.is_empty())
    else {
        let partnerships = store::all(&st.db).await?;
        let page = HostPage {
            page: Page::new(&viewer, "Partnerships", "/system/partnerships"),
            partnerships,
            form: f,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    let pid = store::create(&mut tx, &slug, &name).await?;
    tx.commit().await?;
    let link = crate::accounts::invite(
        &st,
        &actor,
        Some((pid, &name)),
        &admin_email,
        &admin_name,
        Some(crate::accounts::model::Role::PartnershipAdmin),
        "",
    )
    .await?;
    crate::accounts::invitation_made(
        &st,
        &viewer,
        &admin_name,
        &admin_email,
        link,
        ("/system/partnerships", "Back to partnerships"),
        &format!("{name} created and {} invited", admin_email.as_str()),
    )
    .await
}
