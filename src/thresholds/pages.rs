//! The thresholds document for the partnership: its editions, bringing a document in from its
//! file, editing a draft's indicators and contacts, the lead partners' sign-off, publishing
//! from a date, and the figures of the public tool's use.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::model::{self, Contact, Document, Indicator};
use super::store::{self, Edition, Signoff};
use crate::access::Signs;
use crate::arrangements::model::Problem;
use crate::calendar::today;
use crate::state::Ctx;
use crate::store::PartnershipId;
use crate::web::chart::{BarChart, Colour};
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData, QueryData};
use crate::web::page::Page;
use crate::web::permissions::Permission;
use crate::web::task_list::{Stage, Status};
use crate::web::viewer::Viewer;

async fn find(st: &crate::state::AppState, p: PartnershipId, id: i64) -> AppResult<Edition> {
    store::edition(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Where an edition stands, in words.
pub fn state_words(e: &Edition, current: Option<i64>, signed: usize) -> String {
    match e.takes_effect {
        None if signed == 3 => "Draft: signed off, ready to publish".into(),
        None => format!("Draft: {signed} of 3 sign-offs"),
        Some(_) if current == Some(e.id) => "In force".into(),
        Some(t) if t > today() => format!("Published: takes effect {}", t.format("%-d %B %Y")),
        Some(_) => "Replaced".into(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "thresholds/list.html")]
struct ListPage {
    page: Page,
    rows: Vec<(Edition, String)>,
    slug: String,
    can_manage: bool,
    problems: Vec<Problem>,
    file_name: String,
}

async fn list_page(ctx: &Ctx, problems: Vec<Problem>, file_name: String) -> AppResult<ListPage> {
    let Ctx { st, viewer, p } = ctx;
    let (current, _) = store::in_force(&st.db, *p, today()).await?;
    let mut rows = Vec::new();
    for e in store::editions(&st.db, *p).await? {
        let signed = store::signoffs(&st.db, *p, e.id).await?.len();
        let words = state_words(&e, current.as_ref().map(|c| c.id), signed);
        rows.push((e, words));
    }
    Ok(ListPage {
        page: Page::new(viewer, "Thresholds document", "/thresholds"),
        rows,
        slug: viewer
            .current
            .as_ref()
            .map(|m| m.partnership_slug.clone())
            .unwrap_or_default(),
        can_manage: Permission::ManagePartnership.allows(viewer),
        problems,
        file_name,
    })
}

pub async fn list(ctx: Ctx) -> AppResult<Response> {
    Ok(list_page(&ctx, Vec::new(), String::new())
        .await?
        .into_response())
}

/// The thresholds document in an upload, checked whole: its cleaned name and the document, or
/// every problem (and the name, to say which file had them).
fn uploaded(up: &crate::files::Upload) -> Result<(String, Document), (Vec<Problem>, String)> {
    match &up.file {
        _ if up.too_large => Err((
            Problem::whole_file("The file is too large: a thresholds document is at most 1 MB"),
            String::new(),
        )),
        Some((n, b)) if !b.is_empty() => {
            let name = crate::files::clean_name(n);
            model::parse(b)
                .map(|d| (name.clone(), d))
                .map_err(|p| (p, name))
        }
        _ => Err((
            Problem::whole_file("Select a thresholds document (.toml) to upload"),
            String::new(),
        )),
    }
}

/// A file brought in: checked whole, a new draft edition only when it has no problems.
pub async fn import(ctx: Ctx, form: axum::extract::Multipart) -> AppResult<Response> {
    let up = crate::files::Upload::read(form, ctx.st.files.limit).await?;
    let (name, d) = match uploaded(&up) {
        Ok(x) => x,
        Err((problems, name)) => {
            let page = list_page(&ctx, problems, name).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let (id, number) = store::add_edition(
        &ctx.st.db,
        &ctx.viewer.actor(),
        ctx.p,
        &d,
        &format!("imported from {name}"),
    )
    .await?;
    crate::web::saved(
        &ctx.st.db,
        &ctx.viewer,
        &format!(
            "{name} imported as draft edition {number}: {} levels, {} domains, {} indicators",
            d.levels.len(),
            d.domains.len(),
            d.indicators.len()
        ),
        &format!("/thresholds/editions/{id}"),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FromForm {
    from: String,
}

/// A new draft copied from an edition (the usual way to revise the one in force).
pub async fn new_edition(ctx: Ctx, FormData(f): FormData<FromForm>) -> AppResult<Response> {
    let id: i64 = f
        .from
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("Choose the edition to start from".into()))?;
    let from = find(&ctx.st, ctx.p, id).await?;
    let d = from.parsed()?;
    let (new_id, number) = store::add_edition(
        &ctx.st.db,
        &ctx.viewer.actor(),
        ctx.p,
        &d,
        &format!("copied from edition {}", from.number),
    )
    .await?;
    crate::web::saved(
        &ctx.st.db,
        &ctx.viewer,
        &format!(
            "Draft edition {number} started from edition {}",
            from.number
        ),
        &format!("/thresholds/editions/{new_id}"),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "thresholds/edition.html")]
struct EditionPage {
    page: Page,
    e: Edition,
    d: Arc<Document>,
    state: String,
    stages: Vec<Stage>,
    signed: Vec<(Signoff, &'static str)>,
    still: Vec<&'static str>,
    /// The partners this person may sign for now.
    may_sign: Vec<(String, &'static str)>,
    can_manage: bool,
    ask: AskForm,
    errors: Errors,
    problems: Vec<Problem>,
    slug: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AskForm {
    version: String,
    sign_by: String,
}

async fn edition_page(
    ctx: &Ctx,
    e: Edition,
    ask: Option<AskForm>,
    errors: Errors,
    problems: Vec<Problem>,
) -> AppResult<EditionPage> {
    let Ctx { st, viewer, p } = ctx;
    let d = e.parsed()?;
    let signoffs = store::signoffs(&st.db, *p, e.id).await?;
    let roles: Vec<&str> = signoffs.iter().map(|s| s.partner_role.as_str()).collect();
    let still = model::still_to_sign(&roles);
    let (current, _) = store::in_force(&st.db, *p, today()).await?;
    let state = state_words(&e, current.as_ref().map(|c| c.id), signoffs.len());
    let may_sign = match (&viewer.user, e.is_draft()) {
        (Some(u), true) => crate::access::partner_roles(&st.db, *p, u.id, Signs::LeadOrDelegate)
            .await?
            .into_iter()
            .filter(|r| still.contains(&r.as_str()))
            .map(|r| {
                let w = model::partner_words(&r);
                (r, w)
            })
            .collect(),
        _ => Vec::new(),
    };
    let cal = crate::calendar::store::current(&st.db).await?;
    let deadline = e.sign_by.map(|by| {
        crate::calendar::deadline::Deadline::of(by, still.is_empty(), None, today(), &cal)
    });
    let published = !e.is_draft();
    let stages = vec![
        Stage::new(
            "Write the document",
            "#document".into(),
            if published {
                Status::Completed
            } else {
                Status::InProgress
            },
        )
        .hint(format!(
            "{} levels, {} domains, {} indicators, {} contacts",
            d.levels.len(),
            d.domains.len(),
            d.indicators.len(),
            d.contacts.len()
        )),
        Stage::new(
            "Sign-off by the lead safeguarding partners",
            "#sign-off".into(),
            if still.is_empty() || published {
                Status::Completed
            } else {
                Status::begun(!signoffs.is_empty()).by(deadline)
            },
        )
        .hint(format!("{} of 3 signed", signoffs.len())),
        Stage::new(
            "Publish from a date",
            "#publish".into(),
            if published {
                Status::Completed
            } else if still.is_empty() {
                Status::NotYetStarted
            } else {
                Status::CannotStartYet
            },
        )
        .hint(match e.takes_effect {
            Some(t) => format!("In force from {}", t.format("%-d %B %Y")),
            None => "After all three sign-offs".into(),
        }),
    ];
    let ask = ask.unwrap_or_else(|| AskForm {
        version: e.version.to_string(),
        sign_by: e.sign_by.map(|d| d.to_string()).unwrap_or_default(),
    });
    Ok(EditionPage {
        page: Page::new(
            viewer,
            format!("Thresholds edition {}", e.number),
            "/thresholds",
        ),
        state,
        stages,
        signed: signoffs
            .into_iter()
            .map(|s| {
                let w = model::partner_words(&s.partner_role);
                (s, w)
            })
            .collect(),
        still,
        may_sign,
        can_manage: Permission::ManagePartnership.allows(viewer),
        ask,
        errors,
        problems,
        slug: viewer
            .current
            .as_ref()
            .map(|m| m.partnership_slug.clone())
            .unwrap_or_default(),
        d,
        e,
    })
}

pub async fn edition(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let e = find(&ctx.st, ctx.p, id).await?;
    Ok(edition_page(&ctx, e, None, Errors::default(), Vec::new())
        .await?
        .into_response())
}

/// The edition as its file, to edit and bring back in.
pub async fn file(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let e = find(&ctx.st, ctx.p, id).await?;
    let slug = ctx
        .viewer
        .current
        .as_ref()
        .map(|m| m.partnership_slug.clone())
        .unwrap_or_default();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/toml; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{slug}-thresholds-edition-{}.toml\"",
                    e.number
                ),
            ),
        ],
        e.document,
    )
        .into_response())
}

/// A draft's document replaced by a file (edited outside masa and brought back).
pub async fn replace(
    ctx: Ctx,
    Path(id): Path<i64>,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    let e = find(&ctx.st, ctx.p, id).await?;
    let up = crate::files::Upload::read(form, ctx.st.files.limit).await?;
    let version = crate::web::forms::version(up.field("version"))?;
    let (name, d) = match uploaded(&up) {
        Ok(x) => x,
        Err((problems, _)) => {
            let page = edition_page(&ctx, e, None, Errors::default(), problems).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    match store::replace_document(
        &ctx.st.db,
        &ctx.viewer.actor(),
        ctx.p,
        &e,
        version,
        &d,
        &format!("document replaced from {name}"),
    )
    .await?
    {
        Ok(()) => {
            crate::web::saved(
                &ctx.st.db,
                &ctx.viewer,
                &format!(
                    "Edition {} replaced from {name}: sign-offs start again",
                    e.number
                ),
                &format!("/thresholds/editions/{}", e.id),
            )
            .await
        }
        Err(m) => {
            let e = find(&ctx.st, ctx.p, id).await?;
            let page =
                edition_page(&ctx, e, None, Errors::default(), Problem::whole_file(&m)).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

/// The business unit asks the lead partners to sign off by a day.
pub async fn ask(
    ctx: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<AskForm>,
) -> AppResult<Response> {
    let e = find(&ctx.st, ctx.p, id).await?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    let by = errors.required_date(
        "sign_by",
        "Sign-off date",
        &f.sign_by,
        "Enter the date to sign off by",
    );
    let by = errors.not_past(
        "sign_by",
        by,
        "The date to sign off by must be today or in the future",
    );
    if !e.is_draft() {
        errors.add(
            "sign_by",
            "This edition is published: nothing is left to sign",
        );
    }
    let Some(by) = by.filter(|_| errors.is_empty()) else {
        let page = edition_page(&ctx, e, Some(f), errors, Vec::new()).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    match store::ask_to_sign(&ctx.st.db, &ctx.viewer.actor(), ctx.p, &e, version, by).await? {
        Ok(()) => {
            crate::web::saved(
                &ctx.st.db,
                &ctx.viewer,
                &format!(
                    "The lead partners are asked to sign off by {}",
                    by.format("%-d %B %Y")
                ),
                &format!("/thresholds/editions/{id}"),
            )
            .await
        }
        Err(m) => {
            let mut errors = Errors::default();
            errors.add("sign_by", m);
            let e = find(&ctx.st, ctx.p, id).await?;
            let page = edition_page(&ctx, e, Some(f), errors, Vec::new()).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignForm {
    version: String,
    partner: String,
}

/// A lead partner (or their delegate) signs the draft off as they read it.
pub async fn sign(
    ctx: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<SignForm>,
) -> AppResult<Response> {
    let e = find(&ctx.st, ctx.p, id).await?;
    let version = crate::web::forms::version(&f.version)?;
    let user = ctx.viewer.user.as_ref().ok_or(AppError::NotFound)?;
    let roles =
        crate::access::partner_roles(&ctx.st.db, ctx.p, user.id, Signs::LeadOrDelegate).await?;
    if !roles.contains(&f.partner) || !model::SIGNERS.contains(&f.partner.as_str()) {
        return Err(AppError::Forbidden);
    }
    match store::sign(
        &ctx.st.db,
        &ctx.viewer.actor(),
        ctx.p,
        &e,
        version,
        &f.partner,
        user.id,
    )
    .await?
    {
        Ok(()) => {
            crate::web::saved(
                &ctx.st.db,
                &ctx.viewer,
                &format!(
                    "Edition {} signed off for {}",
                    e.number,
                    model::partner_words(&f.partner).to_lowercase()
                ),
                &format!("/thresholds/editions/{id}"),
            )
            .await
        }
        Err(m) => {
            let page =
                edition_page(&ctx, e, None, Errors::default(), Problem::whole_file(&m)).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "thresholds/publish.html")]
struct PublishPage {
    page: Page,
    e: Edition,
    d: Arc<Document>,
    signed: Vec<(Signoff, &'static str)>,
    form: PublishForm,
    errors: Errors,
    replaces: Option<Edition>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PublishForm {
    version: String,
    takes_effect: String,
}

async fn publish_page(
    ctx: &Ctx,
    e: Edition,
    form: Option<PublishForm>,
    errors: Errors,
) -> AppResult<PublishPage> {
    let signed = store::signoffs(&ctx.st.db, ctx.p, e.id)
        .await?
        .into_iter()
        .map(|s| {
            let w = model::partner_words(&s.partner_role);
            (s, w)
        })
        .collect();
    let (current, _) = store::in_force(&ctx.st.db, ctx.p, today()).await?;
    Ok(PublishPage {
        page: Page::new(
            &ctx.viewer,
            format!("Publish thresholds edition {}", e.number),
            "/thresholds",
        ),
        d: e.parsed()?,
        signed,
        form: form.unwrap_or_else(|| PublishForm {
            version: e.version.to_string(),
            takes_effect: today().to_string(),
        }),
        errors,
        replaces: current,
        e,
    })
}

/// Check before publishing: what will be published, who signed it, from when. Publishing is
/// one-way.
pub async fn publish_form(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let e = find(&ctx.st, ctx.p, id).await?;
    if !e.is_draft() {
        return Ok(crate::web::redirect(&format!("/thresholds/editions/{id}")));
    }
    Ok(publish_page(&ctx, e, None, Errors::default())
        .await?
        .into_response())
}

pub async fn publish(
    ctx: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<PublishForm>,
) -> AppResult<Response> {
    let e = find(&ctx.st, ctx.p, id).await?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    let day = errors.required_date(
        "takes_effect",
        "Date it takes effect",
        &f.takes_effect,
        "Enter the date the edition takes effect",
    );
    let day = errors.not_past("takes_effect", day, "The date it takes effect must be today or in the future: an edition cannot be in force before it is published");
    let Some(day) = day.filter(|_| errors.is_empty()) else {
        let page = publish_page(&ctx, e, Some(f), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    match store::publish(&ctx.st.db, &ctx.viewer.actor(), ctx.p, &e, version, day).await? {
        Ok(()) => {
            crate::web::made(
                &ctx.st.db,
                &ctx.viewer,
                &format!(
                    "Edition {} published: in force from {}",
                    e.number,
                    day.format("%-d %B %Y")
                ),
                (
                    &format!(
                        "/p/{}/thresholds?edition={}",
                        ctx.viewer
                            .current
                            .as_ref()
                            .map(|m| m.partnership_slug.as_str())
                            .unwrap_or(""),
                        e.number
                    ),
                    "See it as the public will",
                ),
                &format!("/thresholds/editions/{id}"),
            )
            .await
        }
        Err(m) => {
            errors.add("takes_effect", m);
            let e = find(&ctx.st, ctx.p, id).await?;
            let page = publish_page(&ctx, e, Some(f), errors).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

// Editing a draft's entries: an indicator, a contact. Levels and domains change through the
// file, where their order and keys are plain to see.

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct IndicatorForm {
    version: String,
    key: String,
    level: String,
    domain: String,
    text: String,
    guidance: String,
    related: String,
    decisive: String,
    remove: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "thresholds/indicator.html")]
struct IndicatorPage {
    page: Page,
    e: Edition,
    form: IndicatorForm,
    errors: Errors,
    levels: Vec<(String, String)>,
    domains: Vec<(String, String)>,
    /// Editing this indicator (its key), or adding one.
    editing: Option<String>,
}

fn indicator_page(
    viewer: &Viewer,
    e: Edition,
    d: &Document,
    form: IndicatorForm,
    errors: Errors,
    editing: Option<String>,
) -> IndicatorPage {
    IndicatorPage {
        page: Page::new(
            viewer,
            if editing.is_some() {
                "Change an indicator"
            } else {
                "Add an indicator"
            },
            "/thresholds",
        ),
        levels: d
            .levels
            .iter()
            .map(|l| (l.get_ref().key.clone(), l.get_ref().name.clone()))
            .collect(),
        domains: d
            .domains
            .iter()
            .map(|x| (x.get_ref().key.clone(), x.get_ref().name.clone()))
            .collect(),
        e,
        form,
        errors,
        editing,
    }
}

fn draft_only(e: &Edition) -> AppResult<()> {
    if e.is_draft() {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "This edition has been published: it can no longer change. Start a new edition from it.".into(),
        ))
    }
}

pub async fn indicator_form(ctx: Ctx, Path((id, key)): Path<(i64, String)>) -> AppResult<Response> {
    let e = find(&ctx.st, ctx.p, id).await?;
    draft_only(&e)?;
    let d = e.parsed()?;
    let (form, editing) = if key == "new" {
        (
            IndicatorForm {
                version: e.version.to_string(),
                ..Default::default()
            },
            None,
        )
    } else {
        let i = d.indicator(&key).ok_or(AppError::NotFound)?;
        (
            IndicatorForm {
                version: e.version.to_string(),
                key: i.key.clone(),
                level: i.level.clone(),
                domain: i.domain.clone(),
                text: i.text.clone(),
                guidance: i.guidance.clone(),
                related: i.related.join(" "),
                decisive: if i.decisive {
                    "yes".into()
                } else {
                    String::new()
                },
                remove: String::new(),
            },
            Some(key),
        )
    };
    Ok(indicator_page(&ctx.viewer, e, &d, form, Errors::default(), editing).into_response())
}

/// Check an indicator form into the document it makes, or the problems against its fields.
fn indicator_into(
    d: &Document,
    f: &IndicatorForm,
    editing: Option<&str>,
    errors: &mut Errors,
) -> Option<Document> {
    let mut next = d.clone();
    if f.remove == "yes" {
        let key = editing?;
        let used_by: Vec<&str> = d
            .indicators
            .iter()
            .map(toml::Spanned::get_ref)
            .filter(|i| i.related.iter().any(|r| r == key))
            .map(|i| i.key.as_str())
            .collect();
        if !used_by.is_empty() {
            errors.add(
                "remove",
                format!(
                    "Other indicators name this one as related ({}): change them first",
                    used_by.join(", ")
                ),
            );
            return None;
        }
        next.indicators.retain(|i| i.get_ref().key != key);
        return Some(next);
    }
    let key = errors.required_text(
        "key",
        f.key.trim(),
        60,
        "Enter a key for the indicator, such as health-3",
    );
    let level = errors.required("level", &f.level, "Choose the level of need");
    let domain = errors.required("domain", &f.domain, "Choose the domain");
    let text = errors.required_text("text", &f.text, 1000, "Enter the indicator's text");
    let guidance = errors.text("guidance", &f.guidance, model::MAX_TEXT);
    let related: Vec<String> = f
        .related
        .split([' ', ',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if !level.is_empty() && d.level(&level).is_none() {
        errors.add("level", "Choose a level of need from the list");
    }
    if !domain.is_empty() && d.domain(&domain).is_none() {
        errors.add("domain", "Choose a domain from the list");
    }
    if !key.is_empty() && editing != Some(key.as_str()) && d.indicator(&key).is_some() {
        errors.add(
            "key",
            format!("Another indicator has the key {key}: choose another"),
        );
    }
    if !key.is_empty()
        && !(key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
    {
        errors.add(
            "key",
            "The key must be lower-case letters, numbers and hyphens",
        );
    }
    for r in &related {
        if d.indicator(r).is_none() || r == &key {
            errors.add(
                "related",
                format!("There is no other indicator with the key {r}"),
            );
            break;
        }
    }
    if !errors.is_empty() {
        return None;
    }
    let i = Indicator {
        key: key.clone(),
        level,
        domain,
        text: text.trim().to_owned(),
        guidance: guidance.trim().to_owned(),
        related,
        decisive: f.decisive == "yes",
    };
    match editing {
        Some(old) => {
            for x in &mut next.indicators {
                let x = x.get_mut();
                if x.key == old {
                    *x = i.clone();
                }
                // A renamed key is renamed where others name it too.
                for r in &mut x.related {
                    if r == old {
                        r.clone_from(&key);
                    }
                }
            }
        }
        None => next.indicators.push(toml::Spanned::new(0..0, i)),
    }
    Some(next)
}

pub async fn save_indicator(
    ctx: Ctx,
    Path((id, key)): Path<(i64, String)>,
    FormData(f): FormData<IndicatorForm>,
) -> AppResult<Response> {
    let e = find(&ctx.st, ctx.p, id).await?;
    draft_only(&e)?;
    let d = e.parsed()?;
    let editing = if key == "new" {
        None
    } else {
        d.indicator(&key).ok_or(AppError::NotFound)?;
        Some(key)
    };
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    let Some(next) = indicator_into(&d, &f, editing.as_deref(), &mut errors) else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            indicator_page(&ctx.viewer, e, &d, f, errors, editing),
        )
            .into_response());
    };
    // The whole document is checked again as its file, so an edit can never store what an
    // import would refuse.
    if let Err(problems) = model::parse(model::to_text(&next).as_bytes()) {
        for p in problems {
            errors.add("text", p.message);
        }
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            indicator_page(&ctx.viewer, e, &d, f, errors, editing),
        )
            .into_response());
    }
    let what = match (&editing, f.remove == "yes") {
        (Some(k), true) => format!("indicator {k} removed"),
        (Some(k), false) => format!("indicator {k} changed"),
        (None, _) => format!("indicator {} added", f.key.trim()),
    };
    match store::replace_document(
        &ctx.st.db,
        &ctx.viewer.actor(),
        ctx.p,
        &e,
        version,
        &next,
        &what,
    )
    .await?
    {
        Ok(()) => {
            crate::web::saved(
                &ctx.st.db,
                &ctx.viewer,
                &format!("Edition {}: {what}", e.number),
                &format!("/thresholds/editions/{id}#indicators"),
            )
            .await
        }
        Err(m) => {
            errors.add("text", m);
            let e = find(&ctx.st, ctx.p, id).await?;
            Ok((
                StatusCode::CONFLICT,
                indicator_page(&ctx.viewer, e, &d, f, errors, editing),
            )
                .into_response())
        }
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ContactForm {
    version: String,
    name: String,
    purpose: String,
    telephone: String,
    out_of_hours: String,
    email: String,
    referral_url: String,
    hours: String,
    front_door: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "thresholds/contact.html")]
struct ContactPage {
    page: Page,
    e: Edition,
    key: String,
    form: ContactForm,
    errors: Errors,
}

pub async fn contact_form(ctx: Ctx, Path((id, key)): Path<(i64, String)>) -> AppResult<Response> {
    let e = find(&ctx.st, ctx.p, id).await?;
    draft_only(&e)?;
    let d = e.parsed()?;
    let c = d.contact(&key).ok_or(AppError::NotFound)?;
    let form = ContactForm {
        version: e.version.to_string(),
        name: c.name.clone(),
        purpose: c.purpose.clone(),
        telephone: c.telephone.clone(),
        out_of_hours: c.out_of_hours.clone(),
        email: c.email.clone(),
        referral_url: c.referral_url.clone(),
        hours: c.hours.clone(),
        front_door: if c.front_door {
            "yes".into()
        } else {
            String::new()
        },
    };
    Ok(ContactPage {
        page: Page::new(
            &ctx.viewer,
            format!("Change a contact: {}", c.name),
            "/thresholds",
        ),
        e,
        key,
        form,
        errors: Errors::default(),
    }
    .into_response())
}

pub async fn save_contact(
    ctx: Ctx,
    Path((id, key)): Path<(i64, String)>,
    FormData(f): FormData<ContactForm>,
) -> AppResult<Response> {
    let e = find(&ctx.st, ctx.p, id).await?;
    draft_only(&e)?;
    let d = e.parsed()?;
    d.contact(&key).ok_or(AppError::NotFound)?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    let name = errors.required_text("name", &f.name, 200, "Enter the contact's name");
    let purpose = errors.text("purpose", &f.purpose, model::MAX_TEXT);
    let telephone = errors.text("telephone", &f.telephone, 40);
    let out_of_hours = errors.text("out_of_hours", &f.out_of_hours, 40);
    let email = errors.text("email", &f.email, 200);
    let referral_url = errors.text("referral_url", &f.referral_url, 500);
    let hours = errors.text("hours", &f.hours, 500);
    let c = Contact {
        key: key.clone(),
        name: name.trim().to_owned(),
        purpose: purpose.trim().to_owned(),
        telephone: telephone.trim().to_owned(),
        out_of_hours: out_of_hours.trim().to_owned(),
        email: email.trim().to_owned(),
        referral_url: referral_url.trim().to_owned(),
        hours: hours.trim().to_owned(),
        front_door: f.front_door == "yes",
    };
    let mut next = (*d).clone();
    for x in &mut next.contacts {
        if x.get_ref().key == key {
            *x.get_mut() = c.clone();
        }
    }
    if errors.is_empty()
        && let Err(problems) = model::parse(model::to_text(&next).as_bytes())
    {
        // Put each of the file's words against the field it is about.
        for p in problems {
            let field = if p.message.contains("out_of_hours") {
                "out_of_hours"
            } else if p.message.contains("telephone") {
                "telephone"
            } else if p.message.contains("email") {
                "email"
            } else if p.message.contains("referral_url") {
                "referral_url"
            } else {
                "name"
            };
            let words = p
                .message
                .split_once(": ")
                .map_or(p.message.as_str(), |(_, w)| w);
            errors.add(field, crate::web::forms::in_sentence(words));
        }
    }
    if !errors.is_empty() {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            ContactPage {
                page: Page::new(&ctx.viewer, "Change a contact", "/thresholds"),
                e,
                key,
                form: f,
                errors,
            },
        )
            .into_response());
    }
    match store::replace_document(
        &ctx.st.db,
        &ctx.viewer.actor(),
        ctx.p,
        &e,
        version,
        &next,
        &format!("contact {key} changed"),
    )
    .await?
    {
        Ok(()) => {
            crate::web::saved(
                &ctx.st.db,
                &ctx.viewer,
                &format!("Edition {}: {} changed", e.number, c.name),
                &format!("/thresholds/editions/{id}#contacts"),
            )
            .await
        }
        Err(m) => {
            errors.add("name", m);
            let e = find(&ctx.st, ctx.p, id).await?;
            Ok((
                StatusCode::CONFLICT,
                ContactPage {
                    page: Page::new(&ctx.viewer, "Change a contact", "/thresholds"),
                    e,
                    key,
                    form: f,
                    errors,
                },
            )
                .into_response())
        }
    }
}

// The figures of the public tool's use.

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct UsageQuery {
    from: String,
    to: String,
}

/// The period asked for: by default the last twelve months to today.
fn period(q: &UsageQuery, errors: &mut Errors) -> (NaiveDate, NaiveDate) {
    let t = today();
    let to = errors.date("to", "End date", &q.to).unwrap_or(t);
    let from = errors
        .date("from", "Start date", &q.from)
        .unwrap_or_else(|| to - chrono::Days::new(364));
    if from > to {
        errors.add("from", "The start date must be on or before the end date");
        return (to - chrono::Days::new(364), to);
    }
    (from, to)
}

#[derive(Template, WebTemplate)]
#[template(path = "thresholds/usage.html")]
struct UsagePage {
    page: Page,
    u: store::Usage,
    query: UsageQuery,
    errors: Errors,
    levels: Vec<(String, i64)>,
    months: Vec<(String, i64)>,
    sectors: Vec<(String, i64)>,
    indicators: Vec<(String, String, i64)>,
    level_by_sector: Vec<(String, String, i64)>,
    level_chart: String,
    month_chart: String,
    csv_query: String,
}

fn level_name(d: Option<&Document>, key: &str) -> String {
    d.and_then(|d| d.level(key))
        .map_or_else(|| key.to_owned(), |l| l.name.clone())
}

fn sector_name(s: &str) -> String {
    if s.is_empty() {
        "Not given".into()
    } else {
        crate::arrangements::view::role_label(s)
    }
}

pub async fn usage(ctx: Ctx, QueryData(q): QueryData<UsageQuery>) -> AppResult<Response> {
    let mut errors = Errors::default();
    let (from, to) = period(&q, &mut errors);
    let u = store::usage(&ctx.st.db, ctx.p, from, to).await?;
    // Names from the edition in force (or the newest): keys of indicators since removed show
    // as their keys.
    let (current, all) = store::in_force(&ctx.st.db, ctx.p, today()).await?;
    let doc = match current.or_else(|| all.into_iter().next()) {
        Some(e) => Some(e.parsed()?),
        None => None,
    };
    let d = doc.as_deref();
    // In the document's order, lowest level first, as the tool shows them.
    let mut by_level = u.by_level.clone();
    by_level.sort_by_key(|c| d.and_then(|d| d.rank(&c.what)).unwrap_or(usize::MAX));
    let levels: Vec<(String, i64)> = by_level
        .iter()
        .map(|c| (level_name(d, &c.what), c.uses))
        .collect();
    let mut level_chart = BarChart::new("uses-by-level", "Levels suggested");
    for (name, n) in &levels {
        level_chart = level_chart.bar(name.clone(), *n as f64, n.to_string(), Colour::Blue);
    }
    let mut month_chart = BarChart::new("uses-by-month", "Uses of the tool by month");
    let months: Vec<(String, i64)> = u
        .by_month
        .iter()
        .map(|c| {
            let label = NaiveDate::parse_from_str(&format!("{}-01", c.what), "%Y-%m-%d")
                .map(|m| m.format("%B %Y").to_string())
                .unwrap_or_else(|_| c.what.clone());
            (label, c.uses)
        })
        .collect();
    for (label, n) in &months {
        month_chart = month_chart.bar(label.clone(), *n as f64, n.to_string(), Colour::Blue);
    }
    let page = UsagePage {
        page: Page::new(&ctx.viewer, "Use of the threshold tool", "/thresholds"),
        sectors: u
            .by_sector
            .iter()
            .map(|c| (sector_name(&c.what), c.uses))
            .collect(),
        indicators: u
            .top_indicators
            .iter()
            .map(|c| {
                let i = d.and_then(|d| d.indicator(&c.what));
                (
                    i.map_or_else(|| c.what.clone(), |i| i.text.clone()),
                    i.map(|i| level_name(d, &i.level)).unwrap_or_default(),
                    c.uses,
                )
            })
            .collect(),
        level_by_sector: u
            .level_by_sector
            .iter()
            .map(|x| (sector_name(&x.sector), level_name(d, &x.level), x.uses))
            .collect(),
        level_chart: if levels.is_empty() {
            String::new()
        } else {
            level_chart.svg()
        },
        month_chart: if u.by_month.is_empty() {
            String::new()
        } else {
            month_chart.svg()
        },
        levels,
        months,
        csv_query: format!("from={from}&to={to}"),
        u,
        query: q,
        errors: errors.clone(),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, page).into_response())
}

/// The figures as a spreadsheet: one row per figure, so a quality assurance group can chart
/// them as it likes.
pub async fn usage_csv(ctx: Ctx, QueryData(q): QueryData<UsageQuery>) -> AppResult<Response> {
    use crate::web::export::{Cell, Table};
    let mut errors = Errors::default();
    let (from, to) = period(&q, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::BadRequest(
            errors
                .list()
                .iter()
                .map(|(_, m)| m.as_str())
                .collect::<Vec<_>>()
                .join(". "),
        ));
    }
    let u = store::usage(&ctx.st.db, ctx.p, from, to).await?;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut add = |figure: &str, what: String, n: i64| {
        rows.push(vec![figure.into(), what.into(), Cell::Number(n as f64)]);
    };
    add("uses", String::new(), u.uses);
    for c in &u.by_month {
        add("uses by month", c.what.clone(), c.uses);
    }
    for c in &u.by_level {
        add("level suggested", c.what.clone(), c.uses);
    }
    for c in &u.by_sector {
        add("sector", c.what.clone(), c.uses);
    }
    for c in &u.top_indicators {
        add("indicator chosen", c.what.clone(), c.uses);
    }
    for x in &u.level_by_sector {
        add(
            "level suggested by sector",
            format!("{} {}", x.sector, x.level),
            x.uses,
        );
    }
    crate::web::export::csv(&Table {
        name: format!("threshold-tool-use-{from}-to-{to}"),
        headers: vec!["figure", "of", "uses"],
        rows,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "thresholds/format.html")]
struct FormatPage {
    page: Page,
    text: &'static str,
}

pub async fn format_guide(viewer: Viewer) -> Response {
    FormatPage {
        page: Page::new(&viewer, "The thresholds document format", "/thresholds"),
        text: include_str!("../../docs/thresholds-format.md"),
    }
    .into_response()
}

/// What the thresholds document asks of this person for their home page: a lead partner's
/// sign-off the business unit asked for; for the business unit, a signed-off draft to publish.
pub async fn tasks(
    st: &crate::state::AppState,
    viewer: &Viewer,
    p: PartnershipId,
) -> AppResult<Vec<crate::web::tasks::Task>> {
    use crate::web::tasks::Task;
    let drafts: Vec<Edition> = store::editions(&st.db, p)
        .await?
        .into_iter()
        .filter(Edition::is_draft)
        .collect();
    if drafts.is_empty() {
        return Ok(Vec::new());
    }
    let Some(user) = &viewer.user else {
        return Ok(Vec::new());
    };
    let cal = crate::calendar::store::current(&st.db).await?;
    let t = today();
    let roles = crate::access::partner_roles(&st.db, p, user.id, Signs::LeadOrDelegate).await?;
    let manage = Permission::ManagePartnership.allows(viewer);
    let mut out = Vec::new();
    for e in drafts {
        let signed = store::signoffs(&st.db, p, e.id).await?;
        let names: Vec<&str> = signed.iter().map(|s| s.partner_role.as_str()).collect();
        let still = model::still_to_sign(&names);
        if let Some(by) = e.sign_by {
            for r in roles.iter().filter(|r| still.contains(&r.as_str())) {
                out.push(Task::due(
                    format!(
                        "Sign off edition {} of the thresholds document for {}",
                        e.number,
                        model::partner_words(r).to_lowercase()
                    ),
                    format!("/thresholds/editions/{}#sign-off", e.id),
                    "Thresholds",
                    by,
                    (t, &cal, 3),
                ));
            }
        }
        if manage && still.is_empty() {
            out.push(Task::due(
                format!("Publish edition {} of the thresholds document: all three partners have signed it off", e.number),
                format!("/thresholds/editions/{}/publish", e.id),
                "Thresholds",
                e.sign_by.unwrap_or(t),
                (t, &cal, 3),
            ));
        }
    }
    Ok(out)
}
