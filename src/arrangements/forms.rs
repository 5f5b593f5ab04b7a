//! The business unit's forms for the arrangements, field by field: organisations, posts,
//! statutory partners and bodies. Each form changes one entry of the stored file and saves it
//! through `store::edit_entry` or `store::add_entry`, so the arrangements are checked as a
//! whole, versioned and audited exactly as when a file is uploaded.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::model::{self, Day};
use super::store::{self, EditError, ImportSummary, Item};
use super::view;
use crate::state::{AppState, Ctx};
use crate::store::PartnershipId;
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::viewer::Viewer;

/// Choices for a select: (value, label).
type Options = Vec<(String, String)>;

fn labelled(list: &[&str]) -> Options {
    list.iter()
        .map(|k| ((*k).to_owned(), view::role_label(k)))
        .collect()
}

/// The entries of a kind as choices, an ended one saying when it ended (a CCG and its ICB).
fn choices(all: &[Item], kind: &str, except: &str) -> Options {
    all.iter()
        .filter(|i| i.kind == kind && i.key != except)
        .map(|i| {
            let name = if i.name.is_empty() { &i.key } else { &i.name };
            let label = match i.to {
                Some(d) => format!("{name} (until {})", d.format("%-d %B %Y")),
                None => name.clone(),
            };
            (i.key.clone(), label)
        })
        .collect()
}

fn yes(v: &str) -> bool {
    v == "yes"
}

fn flag(b: bool) -> String {
    if b { "yes".into() } else { String::new() }
}

fn date_text(d: Option<Day>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn opt_date(errors: &mut Errors, field: &str, v: &str) -> Option<Day> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) => Some(Day(d)),
        Err(_) => {
            errors.add(field, "Enter a real date, like 2022-10-01");
            None
        }
    }
}

/// A start and end date, the end not before the start.
fn dates(errors: &mut Errors, from: &str, to: &str) -> (Option<Day>, Option<Day>) {
    let f = opt_date(errors, "from", from);
    let t = opt_date(errors, "to", to);
    if let (Some(a), Some(b)) = (f, t)
        && b < a
    {
        errors.add(
            "to",
            "The end date must be the same as or after the start date",
        );
    }
    (f, t)
}

/// A name or title: needed, and not too long.
fn needed(errors: &mut Errors, field: &str, v: &str, missing: &str) -> String {
    let v = v.trim();
    if v.is_empty() {
        errors.add(field, missing);
    } else if v.chars().count() > 200 {
        errors.add(field, "Enter 200 characters or fewer");
    }
    v.to_owned()
}

/// Optional text, not too long.
fn text(errors: &mut Errors, field: &str, v: &str, max: usize) -> String {
    let v = v.trim();
    if v.chars().count() > max {
        errors.add(field, format!("Enter {max} characters or fewer"));
    }
    v.to_owned()
}

/// One of the choices, or nothing when empty.
fn one_of(
    errors: &mut Errors,
    field: &str,
    v: &str,
    options: &Options,
    msg: &str,
) -> Option<String> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    if options.iter().any(|(k, _)| k == v) {
        Some(v.to_owned())
    } else {
        errors.add(field, msg);
        None
    }
}

/// A whole number in a range, or nothing when empty.
fn number(
    errors: &mut Errors,
    field: &str,
    v: &str,
    range: std::ops::RangeInclusive<u32>,
    msg: &str,
) -> Option<u32> {
    match v.trim() {
        "" => None,
        s => match s.parse::<u32>() {
            Ok(n) if range.contains(&n) => Some(n),
            _ => {
                errors.add(field, msg);
                None
            }
        },
    }
}

/// A percentage ("75" or "75%") as a share (0.75), more than 0 and at most 100.
fn percent(errors: &mut Errors, field: &str, v: &str, msg: &str) -> Option<f64> {
    let s = v.trim().trim_end_matches('%').trim();
    if s.is_empty() {
        return None;
    }
    match s.parse::<f64>() {
        Ok(x) if x > 0.0 && x <= 100.0 => Some((x * 10.0).round() / 1000.0),
        _ => {
            errors.add(field, msg);
            None
        }
    }
}

fn percent_text(share: f64) -> String {
    let p = (share * 1000.0).round() / 10.0;
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        format!("{p:.1}")
    }
}

async fn load<T: DeserializeOwned>(
    st: &AppState,
    p: PartnershipId,
    kind: &str,
    key: &str,
) -> AppResult<(T, i64)> {
    let (item, version) = store::entry(&st.db, p, kind, key)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((store::decode(&item)?, version))
}

/// What became of a save: on to `next` with a message, or the problems to show against
/// `field` (problems of the arrangements as a whole have no field of their own).
async fn finish(
    st: &AppState,
    viewer: &Viewer,
    saved: Result<ImportSummary, EditError>,
    flash: &str,
    next: &str,
    field: &str,
) -> AppResult<Result<Response, (Errors, StatusCode)>> {
    let mut errors = Errors::default();
    match saved {
        Ok(_) => {
            crate::web::flash(&st.db, viewer, flash).await?;
            Ok(Ok(crate::web::redirect(next)))
        }
        Err(EditError::Problems(ps)) => {
            let all: Vec<String> = ps.into_iter().map(|p| p.message).collect();
            errors.add(field, all.join(". "));
            Ok(Err((errors, StatusCode::UNPROCESSABLE_ENTITY)))
        }
        Err(EditError::Stale(m)) => {
            errors.add(
                field,
                format!("{m} Your changes were not saved: the form now shows it as it stands."),
            );
            Ok(Err((errors, StatusCode::CONFLICT)))
        }
        Err(EditError::App(e)) => Err(e),
    }
}

/// A list of one kind of entry, each with a link to its form.
#[derive(Template, WebTemplate)]
#[template(path = "arrangements/list.html")]
struct ListPage {
    page: Page,
    intro: &'static str,
    add: (&'static str, &'static str),
    headers: Vec<&'static str>,
    rows: Vec<(String, String, Vec<String>)>,
}

fn list_page(
    viewer: &Viewer,
    title: &str,
    intro: &'static str,
    add: (&'static str, &'static str),
    headers: Vec<&'static str>,
    rows: Vec<(String, String, Vec<String>)>,
) -> Response {
    ListPage {
        page: Page::new(viewer, title, "/admin/arrangements"),
        intro,
        add,
        headers,
        rows,
    }
    .into_response()
}

fn name_of(all: &[Item], kind: &str, key: &str) -> String {
    all.iter()
        .find(|i| i.kind == kind && i.key == key)
        .map_or_else(|| key.to_owned(), |i| i.name.clone())
}

fn period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    let d = |d: NaiveDate| d.format("%-d %b %Y").to_string();
    match (from, to) {
        (None, None) => String::new(),
        (Some(f), None) => format!("from {}", d(f)),
        (None, Some(t)) => format!("until {}", d(t)),
        (Some(f), Some(t)) => format!("{} to {}", d(f), d(t)),
    }
}

// ---- Organisations ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OrganisationForm {
    version: String,
    name: String,
    sector: String,
    statutory_partner: String,
    relevant_agency: String,
    why: String,
    designated_education: String,
    section_11: String,
    s175_157: String,
    parent: String,
    from: String,
    to: String,
    successor: String,
}

impl OrganisationForm {
    fn of(o: &model::Organisation, version: i64) -> Self {
        OrganisationForm {
            version: version.to_string(),
            name: o.name.clone(),
            sector: o.sector.clone(),
            statutory_partner: o.statutory_partner.clone().unwrap_or_default(),
            relevant_agency: flag(o.relevant_agency),
            why: o.why.clone(),
            designated_education: flag(o.designated_education),
            section_11: flag(o.section_11),
            s175_157: flag(o.s175_157),
            parent: o.parent.clone().unwrap_or_default(),
            from: date_text(o.from),
            to: date_text(o.to),
            successor: o.successor.clone().unwrap_or_default(),
        }
    }

    fn apply(&self, o: &mut model::Organisation, orgs: &Options) -> Errors {
        let mut e = Errors::default();
        o.name = needed(&mut e, "name", &self.name, "Enter the organisation's name");
        o.sector = one_of(
            &mut e,
            "sector",
            &self.sector,
            &labelled(model::SECTORS),
            "Select a sector",
        )
        .unwrap_or_default();
        if o.sector.is_empty() {
            e.add("sector", "Select a sector");
        }
        o.statutory_partner = one_of(
            &mut e,
            "statutory_partner",
            &self.statutory_partner,
            &labelled(model::STATUTORY_ROLES),
            "Select a statutory partner role, or none",
        );
        o.relevant_agency = yes(&self.relevant_agency);
        o.why = text(&mut e, "why", &self.why, 2000);
        o.designated_education = yes(&self.designated_education);
        o.section_11 = yes(&self.section_11);
        o.s175_157 = yes(&self.s175_157);
        o.parent = one_of(
            &mut e,
            "parent",
            &self.parent,
            orgs,
            "Select the parent organisation",
        );
        (o.from, o.to) = dates(&mut e, &self.from, &self.to);
        o.successor = one_of(
            &mut e,
            "successor",
            &self.successor,
            orgs,
            "Select the organisation that took over",
        );
        if o.successor.is_some() && o.to.is_none() {
            e.add(
                "to",
                "Enter the date it ended: an organisation with a successor has an end date",
            );
        }
        e
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/organisation.html")]
struct OrganisationPage {
    page: Page,
    key: String,
    form: OrganisationForm,
    errors: Errors,
    sectors: Options,
    roles: Options,
    organisations: Options,
}

async fn organisation_page(
    st: &AppState,
    viewer: &Viewer,
    key: &str,
    form: OrganisationForm,
    errors: Errors,
) -> AppResult<OrganisationPage> {
    let all = store::items(&st.db, viewer.tenant()?).await?;
    let title = if key.is_empty() {
        "Add an organisation".to_owned()
    } else {
        format!("Edit {}", name_of(&all, "organisation", key))
    };
    Ok(OrganisationPage {
        page: Page::new(viewer, title, "/admin/arrangements"),
        key: key.to_owned(),
        form,
        errors,
        sectors: labelled(model::SECTORS),
        roles: labelled(model::STATUTORY_ROLES),
        organisations: choices(&all, "organisation", key),
    })
}

pub async fn organisations(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let all = store::items(&st.db, viewer.tenant()?).await?;
    let mut rows = Vec::new();
    for i in all.iter().filter(|i| i.kind == "organisation") {
        let o: model::Organisation = store::decode(i)?;
        let role = match (&o.statutory_partner, o.relevant_agency) {
            (Some(r), _) => format!("Statutory partner ({})", view::role_label(r)),
            (None, true) => "Relevant agency".into(),
            (None, false) => String::new(),
        };
        rows.push((
            format!("/admin/arrangements/organisations/{}", i.key),
            o.name.clone(),
            vec![view::role_label(&o.sector), role, period(i.from, i.to)],
        ));
    }
    Ok(list_page(
        &viewer,
        "Organisations",
        "Every organisation in the arrangements: the statutory partners, the relevant agencies and the others that sit on a body. An organisation that ended keeps its history; its successor takes over from the date it ended.",
        (
            "/admin/arrangements/organisations/new",
            "Add an organisation",
        ),
        vec!["Organisation", "Sector", "Part in the arrangements", "When"],
        rows,
    ))
}

pub async fn organisation_new(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let form = OrganisationForm {
        version: "0".into(),
        ..OrganisationForm::default()
    };
    Ok(organisation_page(&st, &viewer, "", form, Errors::default())
        .await?
        .into_response())
}

pub async fn organisation_add(
    Ctx { st, viewer, p }: Ctx,
    FormData(f): FormData<OrganisationForm>,
) -> AppResult<Response> {
    let all = store::items(&st.db, p).await?;
    let mut o = model::Organisation::default();
    let errors = f.apply(&mut o, &choices(&all, "organisation", ""));
    if !errors.is_empty() {
        let page = organisation_page(&st, &viewer, "", f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    o.key = store::new_key(
        &o.name,
        all.iter()
            .filter(|i| i.kind == "organisation")
            .map(|i| i.key.as_str()),
    );
    let saved = store::add_entry(&st.db, &viewer.actor(), p, "organisation", &o).await;
    let flash = format!("{} added", o.name);
    match finish(
        &st,
        &viewer,
        saved,
        &flash,
        "/admin/arrangements/organisations",
        "name",
    )
    .await?
    {
        Ok(r) => Ok(r),
        Err((errors, status)) => {
            let page = organisation_page(&st, &viewer, "", f, errors).await?;
            Ok((status, page).into_response())
        }
    }
}

pub async fn organisation_form(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let (o, version) =
        load::<model::Organisation>(&st, viewer.tenant()?, "organisation", &key).await?;
    let form = OrganisationForm::of(&o, version);
    Ok(
        organisation_page(&st, &viewer, &key, form, Errors::default())
            .await?
            .into_response(),
    )
}

pub async fn organisation_save(
    Ctx { st, viewer, p }: Ctx,
    Path(key): Path<String>,
    FormData(f): FormData<OrganisationForm>,
) -> AppResult<Response> {
    let (mut o, _) = load::<model::Organisation>(&st, p, "organisation", &key).await?;
    let version = crate::web::forms::version(&f.version)?;
    let all = store::items(&st.db, p).await?;
    let errors = f.apply(&mut o, &choices(&all, "organisation", &key));
    if !errors.is_empty() {
        let page = organisation_page(&st, &viewer, &key, f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let saved = save_entry(&st, &viewer, "organisation", &key, version, &o).await;
    let flash = format!("{} saved", o.name);
    match finish(
        &st,
        &viewer,
        saved,
        &flash,
        "/admin/arrangements/organisations",
        "name",
    )
    .await?
    {
        Ok(r) => Ok(r),
        Err((errors, StatusCode::CONFLICT)) => {
            let (now, v) = load::<model::Organisation>(&st, p, "organisation", &key).await?;
            let page = organisation_page(&st, &viewer, &key, OrganisationForm::of(&now, v), errors)
                .await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err((errors, status)) => {
            let page = organisation_page(&st, &viewer, &key, f, errors).await?;
            Ok((status, page).into_response())
        }
    }
}

async fn save_entry<T: Serialize>(
    st: &AppState,
    viewer: &Viewer,
    kind: &str,
    key: &str,
    version: i64,
    value: &T,
) -> Result<ImportSummary, EditError> {
    let text = toml::to_string_pretty(value)
        .map_err(|e| EditError::App(AppError::Internal(e.to_string())))?;
    store::edit_entry(
        &st.db,
        &viewer.actor(),
        viewer.tenant()?,
        kind,
        key,
        version,
        &text,
    )
    .await
}

// ---- Posts ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PostForm {
    version: String,
    title: String,
    organisation: String,
    holder: String,
    from: String,
    to: String,
}

impl PostForm {
    fn of(p: &model::Post, version: i64) -> Self {
        PostForm {
            version: version.to_string(),
            title: p.title.clone(),
            organisation: p.organisation.clone(),
            holder: p.holder.clone(),
            from: date_text(p.from),
            to: date_text(p.to),
        }
    }

    fn apply(&self, p: &mut model::Post, orgs: &Options) -> Errors {
        let mut e = Errors::default();
        p.title = needed(&mut e, "title", &self.title, "Enter the post's title");
        p.organisation = one_of(
            &mut e,
            "organisation",
            &self.organisation,
            orgs,
            "Select the organisation",
        )
        .unwrap_or_default();
        if p.organisation.is_empty() {
            e.add("organisation", "Select the organisation");
        }
        p.holder = text(&mut e, "holder", &self.holder, 200);
        (p.from, p.to) = dates(&mut e, &self.from, &self.to);
        e
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/post.html")]
struct PostPage {
    page: Page,
    key: String,
    form: PostForm,
    errors: Errors,
    organisations: Options,
}

async fn post_page(
    st: &AppState,
    viewer: &Viewer,
    key: &str,
    form: PostForm,
    errors: Errors,
) -> AppResult<PostPage> {
    let all = store::items(&st.db, viewer.tenant()?).await?;
    let title = if key.is_empty() {
        "Add a post".to_owned()
    } else {
        format!("Edit {}", name_of(&all, "post", key))
    };
    Ok(PostPage {
        page: Page::new(viewer, title, "/admin/arrangements"),
        key: key.to_owned(),
        form,
        errors,
        organisations: choices(&all, "organisation", ""),
    })
}

pub async fn posts(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let all = store::items(&st.db, viewer.tenant()?).await?;
    let mut rows = Vec::new();
    for i in all.iter().filter(|i| i.kind == "post") {
        let p: model::Post = store::decode(i)?;
        rows.push((
            format!("/admin/arrangements/posts/{}", i.key),
            p.title.clone(),
            vec![
                name_of(&all, "organisation", &p.organisation),
                p.holder.clone(),
                period(i.from, i.to),
            ],
        ));
    }
    Ok(list_page(
        &viewer,
        "Posts",
        "The posts that represent organisations (a director of children's services, a designated nurse, the independent scrutineer) and who holds each. When someone new takes a post, change its holder: the audit trail keeps who held it before.",
        ("/admin/arrangements/posts/new", "Add a post"),
        vec!["Post", "Organisation", "Held by", "When"],
        rows,
    ))
}

pub async fn post_new(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let form = PostForm {
        version: "0".into(),
        ..PostForm::default()
    };
    Ok(post_page(&st, &viewer, "", form, Errors::default())
        .await?
        .into_response())
}

pub async fn post_add(
    Ctx { st, viewer, p }: Ctx,
    FormData(f): FormData<PostForm>,
) -> AppResult<Response> {
    let all = store::items(&st.db, p).await?;
    let mut post = model::Post::default();
    let errors = f.apply(&mut post, &choices(&all, "organisation", ""));
    if !errors.is_empty() {
        let page = post_page(&st, &viewer, "", f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    post.key = store::new_key(
        &post.title,
        all.iter()
            .filter(|i| i.kind == "post")
            .map(|i| i.key.as_str()),
    );
    let saved = store::add_entry(&st.db, &viewer.actor(), p, "post", &post).await;
    let flash = format!("{} added", post.title);
    match finish(
        &st,
        &viewer,
        saved,
        &flash,
        "/admin/arrangements/posts",
        "title",
    )
    .await?
    {
        Ok(r) => Ok(r),
        Err((errors, status)) => {
            let page = post_page(&st, &viewer, "", f, errors).await?;
            Ok((status, page).into_response())
        }
    }
}

pub async fn post_form(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let (post, version) = load::<model::Post>(&st, viewer.tenant()?, "post", &key).await?;
    Ok(post_page(
        &st,
        &viewer,
        &key,
        PostForm::of(&post, version),
        Errors::default(),
    )
    .await?
    .into_response())
}

pub async fn post_save(
    Ctx { st, viewer, p }: Ctx,
    Path(key): Path<String>,
    FormData(f): FormData<PostForm>,
) -> AppResult<Response> {
    let (mut post, _) = load::<model::Post>(&st, p, "post", &key).await?;
    let version = crate::web::forms::version(&f.version)?;
    let all = store::items(&st.db, p).await?;
    let errors = f.apply(&mut post, &choices(&all, "organisation", ""));
    if !errors.is_empty() {
        let page = post_page(&st, &viewer, &key, f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let saved = save_entry(&st, &viewer, "post", &key, version, &post).await;
    let flash = format!("{} saved", post.title);
    match finish(
        &st,
        &viewer,
        saved,
        &flash,
        "/admin/arrangements/posts",
        "title",
    )
    .await?
    {
        Ok(r) => Ok(r),
        Err((errors, StatusCode::CONFLICT)) => {
            let (now, v) = load::<model::Post>(&st, p, "post", &key).await?;
            let page = post_page(&st, &viewer, &key, PostForm::of(&now, v), errors).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err((errors, status)) => {
            let page = post_page(&st, &viewer, &key, f, errors).await?;
            Ok((status, page).into_response())
        }
    }
}

// ---- Statutory partners ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PartnerQuery {
    key: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PartnerForm {
    key: String,
    version: String,
    role: String,
    organisation: String,
    lead: String,
    delegate: String,
    from: String,
    to: String,
}

impl PartnerForm {
    fn of(key: &str, s: &model::StatutoryPartner, version: i64) -> Self {
        PartnerForm {
            key: key.to_owned(),
            version: version.to_string(),
            role: s.role.clone(),
            organisation: s.organisation.clone(),
            lead: s.lead.clone().unwrap_or_default(),
            delegate: s.delegate.clone().unwrap_or_default(),
            from: date_text(s.from),
            to: date_text(s.to),
        }
    }

    fn apply(&self, s: &mut model::StatutoryPartner, orgs: &Options, posts: &Options) -> Errors {
        let mut e = Errors::default();
        s.role = one_of(
            &mut e,
            "role",
            &self.role,
            &labelled(model::STATUTORY_ROLES),
            "Select the partner's role",
        )
        .unwrap_or_default();
        if s.role.is_empty() {
            e.add("role", "Select the partner's role");
        }
        s.organisation = one_of(
            &mut e,
            "organisation",
            &self.organisation,
            orgs,
            "Select the organisation",
        )
        .unwrap_or_default();
        if s.organisation.is_empty() {
            e.add("organisation", "Select the organisation");
        }
        s.lead = one_of(
            &mut e,
            "lead",
            &self.lead,
            posts,
            "Select the lead representative's post",
        );
        s.delegate = one_of(
            &mut e,
            "delegate",
            &self.delegate,
            posts,
            "Select the delegated partner's post",
        );
        (s.from, s.to) = dates(&mut e, &self.from, &self.to);
        e
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/partner.html")]
struct PartnerPage {
    page: Page,
    form: PartnerForm,
    errors: Errors,
    roles: Options,
    organisations: Options,
    posts: Options,
}

async fn partner_page(
    st: &AppState,
    viewer: &Viewer,
    form: PartnerForm,
    errors: Errors,
) -> AppResult<PartnerPage> {
    let all = store::items(&st.db, viewer.tenant()?).await?;
    let title = if form.key.is_empty() {
        "Add a statutory partner".to_owned()
    } else {
        format!(
            "Edit the {} partner",
            view::role_label(&form.role).to_lowercase()
        )
    };
    Ok(PartnerPage {
        page: Page::new(viewer, title, "/admin/arrangements"),
        form,
        errors,
        roles: labelled(model::STATUTORY_ROLES),
        organisations: choices(&all, "organisation", ""),
        posts: post_choices(&all)?,
    })
}

/// Posts labelled with who holds them and where.
fn post_choices(all: &[Item]) -> AppResult<Options> {
    let mut out = Vec::new();
    for i in all.iter().filter(|i| i.kind == "post") {
        let p: model::Post = store::decode(i)?;
        let org = name_of(all, "organisation", &p.organisation);
        let who = if p.holder.is_empty() {
            String::new()
        } else {
            format!(" ({})", p.holder)
        };
        out.push((i.key.clone(), format!("{}, {org}{who}", p.title)));
    }
    Ok(out)
}

pub async fn partners(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let all = store::items(&st.db, viewer.tenant()?).await?;
    let mut rows = Vec::new();
    for i in all.iter().filter(|i| i.kind == "statutory-partner") {
        let s: model::StatutoryPartner = store::decode(i)?;
        let post = |k: &Option<String>| {
            k.as_deref()
                .map(|k| name_of(&all, "post", k))
                .unwrap_or_default()
        };
        rows.push((
            format!("/admin/arrangements/partner?key={}", urlencoding(&i.key)),
            view::role_label(&s.role),
            vec![
                name_of(&all, "organisation", &s.organisation),
                post(&s.lead),
                post(&s.delegate),
                period(i.from, i.to),
            ],
        ));
    }
    Ok(list_page(
        &viewer,
        "Statutory partners",
        "The three statutory safeguarding partners (the local authority, the integrated care board and the police), each with its lead representative and the delegated partner who acts for it. When a partner changes (a CCG succeeded by an ICB), end the old entry and add the new one so the history stays.",
        ("/admin/arrangements/partner", "Add a statutory partner"),
        vec![
            "Role",
            "Organisation",
            "Lead representative",
            "Delegated partner",
            "When",
        ],
        rows,
    ))
}

/// Keys of statutory partners hold slashes, so they travel in the query string.
fn urlencoding(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub async fn partner_form(
    State(st): State<AppState>,
    viewer: Viewer,
    Query(q): Query<PartnerQuery>,
) -> AppResult<Response> {
    let form = if q.key.is_empty() {
        PartnerForm {
            version: "0".into(),
            ..PartnerForm::default()
        }
    } else {
        let (s, v) =
            load::<model::StatutoryPartner>(&st, viewer.tenant()?, "statutory-partner", &q.key)
                .await?;
        PartnerForm::of(&q.key, &s, v)
    };
    Ok(partner_page(&st, &viewer, form, Errors::default())
        .await?
        .into_response())
}

/// Add a statutory partner (no key) or save one.
pub async fn partner_save(
    Ctx { st, viewer, p }: Ctx,
    FormData(f): FormData<PartnerForm>,
) -> AppResult<Response> {
    let all = store::items(&st.db, p).await?;
    let (mut s, _) = if f.key.is_empty() {
        (model::StatutoryPartner::default(), 0)
    } else {
        load::<model::StatutoryPartner>(&st, p, "statutory-partner", &f.key).await?
    };
    let version = crate::web::forms::version(&f.version)?;
    let errors = f.apply(
        &mut s,
        &choices(&all, "organisation", ""),
        &post_choices(&all)?,
    );
    if !errors.is_empty() {
        let page = partner_page(&st, &viewer, f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let saved = if f.key.is_empty() {
        store::add_entry(&st.db, &viewer.actor(), p, "statutory-partner", &s).await
    } else {
        save_entry(&st, &viewer, "statutory-partner", &f.key, version, &s).await
    };
    let flash = format!("{} partner saved", view::role_label(&s.role));
    match finish(
        &st,
        &viewer,
        saved,
        &flash,
        "/admin/arrangements/partners",
        "role",
    )
    .await?
    {
        Ok(r) => Ok(r),
        Err((errors, StatusCode::CONFLICT)) => {
            let (now, v) =
                load::<model::StatutoryPartner>(&st, p, "statutory-partner", &f.key).await?;
            let page = partner_page(&st, &viewer, PartnerForm::of(&f.key, &now, v), errors).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err((errors, status)) => {
            let page = partner_page(&st, &viewer, f, errors).await?;
            Ok((status, page).into_response())
        }
    }
}

// ---- Bodies ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BodyForm {
    version: String,
    name: String,
    kind: String,
    parent: String,
    area: String,
    from: String,
    to: String,
    purpose: String,
    chair: String,
    chair_sector: String,
    chair_body: String,
    chair_post: String,
    frequency: String,
    per_year: String,
    development_days: String,
    venue: String,
    q1: String,
    q2: String,
    q3: String,
    q4: String,
    quorum: String,
    quorum_count: String,
    quorum_share: String,
    expected: String,
    minimum_meetings: String,
    deputy_counts: String,
    notice: String,
    co_opt: String,
    confidentiality: String,
    /// Required members, one row each (the form repeats these fields).
    req_description: Vec<String>,
    req_sector: Vec<String>,
    req_count: Vec<String>,
}

/// One row of the required members on the form.
pub struct RequiredRow {
    description: String,
    sector: String,
    count: String,
}

impl BodyForm {
    fn of(b: &model::Body, version: i64) -> Self {
        let q = |n: u8| flag(b.reports_in_quarters.contains(&n));
        let chair = b.chair.clone().unwrap_or_default();
        let (quorum, quorum_count, quorum_share) = match &b.quorum {
            None => (String::new(), String::new(), String::new()),
            Some(model::Quorum::AllStatutoryPartners) => (
                "all-statutory-partners".into(),
                String::new(),
                String::new(),
            ),
            Some(model::Quorum::Members { count }) => {
                ("members".into(), count.to_string(), String::new())
            }
            Some(model::Quorum::ShareOfVoting { share }) => (
                "share-of-voting".into(),
                String::new(),
                percent_text(*share),
            ),
        };
        BodyForm {
            version: version.to_string(),
            name: b.name.clone(),
            kind: b.kind.clone(),
            parent: b.parent.clone().unwrap_or_default(),
            area: b.area.clone().unwrap_or_default(),
            from: date_text(b.from),
            to: date_text(b.to),
            purpose: b.purpose.join("\n"),
            chair: chair.rule,
            chair_sector: chair.sector.unwrap_or_default(),
            chair_body: chair.body.unwrap_or_default(),
            chair_post: chair.post.unwrap_or_default(),
            frequency: b
                .meetings
                .as_ref()
                .map(|m| m.frequency.clone())
                .unwrap_or_default(),
            per_year: b
                .meetings
                .as_ref()
                .and_then(|m| m.per_year)
                .map(|n| n.to_string())
                .unwrap_or_default(),
            development_days: b
                .meetings
                .as_ref()
                .map(|m| m.development_days)
                .filter(|n| *n > 0)
                .map(|n| n.to_string())
                .unwrap_or_default(),
            venue: b.venue.clone(),
            q1: q(1),
            q2: q(2),
            q3: q(3),
            q4: q(4),
            quorum,
            quorum_count,
            quorum_share,
            expected: b
                .attendance
                .as_ref()
                .map(|a| percent_text(a.expected_share))
                .unwrap_or_default(),
            minimum_meetings: b
                .attendance
                .as_ref()
                .and_then(|a| a.minimum_meetings)
                .map(|n| n.to_string())
                .unwrap_or_default(),
            deputy_counts: flag(b.attendance.as_ref().is_some_and(|a| a.deputy_counts)),
            notice: b
                .notice_working_days
                .map(|n| n.to_string())
                .unwrap_or_default(),
            co_opt: flag(b.may_co_opt),
            confidentiality: flag(b.confidentiality_agreement),
            req_description: b
                .required_members
                .iter()
                .map(|r| r.description.clone())
                .collect(),
            req_sector: b
                .required_members
                .iter()
                .map(|r| r.sector.clone().unwrap_or_default())
                .collect(),
            req_count: b
                .required_members
                .iter()
                .map(|r| r.count.to_string())
                .collect(),
        }
    }

    /// The required member rows as shown: those entered, and one empty row to add another.
    fn required_rows(&self) -> Vec<RequiredRow> {
        let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
        let mut rows: Vec<RequiredRow> = (0..self.req_description.len())
            .map(|i| RequiredRow {
                description: at(&self.req_description, i),
                sector: at(&self.req_sector, i),
                count: at(&self.req_count, i),
            })
            .filter(|r| !(r.description.trim().is_empty() && r.sector.is_empty()))
            .collect();
        rows.push(RequiredRow {
            description: String::new(),
            sector: String::new(),
            count: "1".into(),
        });
        rows
    }

    /// Check every field and write it into the body. Fields the form does not show (dated
    /// reporting lines, reports received, rules of operation) are kept as they were.
    fn apply(&self, b: &mut model::Body, ch: &BodyChoices) -> Errors {
        let mut e = Errors::default();
        b.name = needed(&mut e, "name", &self.name, "Enter the body's name");
        b.kind = one_of(
            &mut e,
            "kind",
            &self.kind,
            &ch.kinds,
            "Select what kind of body it is",
        )
        .unwrap_or_default();
        if b.kind.is_empty() {
            e.add("kind", "Select what kind of body it is");
        }
        if b.parents.is_empty() {
            b.parent = one_of(
                &mut e,
                "parent",
                &self.parent,
                &ch.bodies,
                "Select the body it reports to",
            );
        }
        b.area = one_of(&mut e, "area", &self.area, &ch.areas, "Select the area");
        (b.from, b.to) = dates(&mut e, &self.from, &self.to);
        if b.kind == "task-and-finish" && b.to.is_none() && e.get("to").is_none() {
            e.add("to", "Enter the date the task and finish group ends");
        }
        b.purpose = self
            .purpose
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        if self.purpose.chars().count() > 20_000 {
            e.add("purpose", "Enter 20,000 characters or fewer");
        }
        let note = b.chair.take().map(|c| c.note).unwrap_or_default();
        b.chair = match self.chair.as_str() {
            "" => None,
            rule if model::CHAIR_RULES.contains(&rule) => {
                let mut c = model::ChairRule {
                    rule: rule.to_owned(),
                    note,
                    ..Default::default()
                };
                match rule {
                    "sector" => {
                        c.sector = one_of(
                            &mut e,
                            "chair_sector",
                            &self.chair_sector,
                            &ch.sectors,
                            "Select the sector the chair comes from",
                        );
                        if c.sector.is_none() {
                            e.add("chair_sector", "Select the sector the chair comes from");
                        }
                    }
                    "appointed-by-body" => {
                        c.body = one_of(
                            &mut e,
                            "chair_body",
                            &self.chair_body,
                            &ch.bodies,
                            "Select the body that appoints the chair",
                        );
                        if c.body.is_none() {
                            e.add("chair_body", "Select the body that appoints the chair");
                        }
                    }
                    "post" => {
                        c.post = one_of(
                            &mut e,
                            "chair_post",
                            &self.chair_post,
                            &ch.posts,
                            "Select the post that chairs",
                        );
                        if c.post.is_none() {
                            e.add("chair_post", "Select the post that chairs");
                        }
                    }
                    _ => {}
                }
                Some(c)
            }
            _ => {
                e.add("chair", "Select how the chair is chosen");
                None
            }
        };
        let per_year = number(
            &mut e,
            "per_year",
            &self.per_year,
            1..=52,
            "Enter meetings a year as a number from 1 to 52",
        );
        let development_days = number(
            &mut e,
            "development_days",
            &self.development_days,
            0..=12,
            "Enter development days a year as a number from 0 to 12",
        );
        b.meetings = match self.frequency.as_str() {
            "" => None,
            f if model::FREQUENCIES.contains(&f) => Some(model::Meetings {
                frequency: f.to_owned(),
                per_year,
                development_days: development_days.unwrap_or(0),
            }),
            _ => {
                e.add("frequency", "Select how often it meets");
                None
            }
        };
        b.venue = text(&mut e, "venue", &self.venue, 200);
        b.reports_in_quarters = [(1u8, &self.q1), (2, &self.q2), (3, &self.q3), (4, &self.q4)]
            .into_iter()
            .filter(|(_, v)| yes(v))
            .map(|(n, _)| n)
            .collect();
        b.quorum = match self.quorum.as_str() {
            "" => None,
            "all-statutory-partners" => Some(model::Quorum::AllStatutoryPartners),
            "members" => number(
                &mut e,
                "quorum_count",
                &self.quorum_count,
                1..=200,
                "Enter how many members make a quorum, from 1 to 200",
            )
            .map(|count| model::Quorum::Members { count })
            .or_else(|| {
                e.add(
                    "quorum_count",
                    "Enter how many members make a quorum, from 1 to 200",
                );
                None
            }),
            "share-of-voting" => percent(
                &mut e,
                "quorum_share",
                &self.quorum_share,
                "Enter the share of voting members as a percentage, like 50",
            )
            .map(|share| model::Quorum::ShareOfVoting { share })
            .or_else(|| {
                e.add(
                    "quorum_share",
                    "Enter the share of voting members as a percentage, like 50",
                );
                None
            }),
            _ => {
                e.add("quorum", "Select when the body is quorate");
                None
            }
        };
        let expected = percent(
            &mut e,
            "expected",
            &self.expected,
            "Enter the expected attendance as a percentage, like 75",
        );
        let minimum = number(
            &mut e,
            "minimum_meetings",
            &self.minimum_meetings,
            1..=52,
            "Enter the fewest meetings a year as a number from 1 to 52",
        );
        b.attendance = match (expected, minimum) {
            (None, None) => None,
            (Some(share), minimum_meetings) => Some(model::Attendance {
                expected_share: share,
                minimum_meetings,
                deputy_counts: yes(&self.deputy_counts),
            }),
            (None, Some(_)) => {
                e.add(
                    "expected",
                    "Enter the expected attendance as a percentage, like 75",
                );
                None
            }
        };
        b.notice_working_days = number(
            &mut e,
            "notice",
            &self.notice,
            0..=60,
            "Enter the working days' notice as a number from 0 to 60",
        );
        b.may_co_opt = yes(&self.co_opt);
        b.confidentiality_agreement = yes(&self.confidentiality);
        b.required_members.clear();
        for (i, d) in self.req_description.iter().enumerate() {
            let sector = self.req_sector.get(i).map_or("", String::as_str);
            let count = self.req_count.get(i).map_or("", String::as_str);
            if d.trim().is_empty() && sector.is_empty() {
                continue;
            }
            let field = format!("req_description_{i}");
            let description = needed(&mut e, &field, d, "Describe the member the body must have");
            let sector = one_of(
                &mut e,
                &format!("req_sector_{i}"),
                sector,
                &ch.sectors,
                "Select a sector, or none",
            );
            let count = number(
                &mut e,
                &format!("req_count_{i}"),
                count,
                1..=20,
                "Enter how many, from 1 to 20",
            )
            .unwrap_or(1);
            b.required_members.push(model::RequiredMember {
                description,
                sector,
                count,
            });
        }
        e
    }
}

/// What a body form offers to choose from.
struct BodyChoices {
    kinds: Options,
    chairs: Options,
    frequencies: Options,
    bodies: Options,
    areas: Options,
    posts: Options,
    sectors: Options,
}

impl BodyChoices {
    async fn of(st: &AppState, p: PartnershipId, key: &str) -> AppResult<Self> {
        let all = store::items(&st.db, p).await?;
        Ok(BodyChoices {
            kinds: labelled(model::BODY_KINDS),
            chairs: vec![
                (
                    "rotating-statutory-partners".into(),
                    "Rotates among the statutory partners".into(),
                ),
                ("independent".into(), "An independent chair".into()),
                ("sector".into(), "From a named sector".into()),
                (
                    "appointed-by-body".into(),
                    "Appointed by another body".into(),
                ),
                ("post".into(), "A named post".into()),
            ],
            frequencies: labelled(model::FREQUENCIES),
            bodies: choices(&all, "body", key),
            areas: choices(&all, "area", ""),
            posts: post_choices(&all)?,
            sectors: labelled(model::SECTORS),
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/body.html")]
struct BodyPage {
    page: Page,
    key: String,
    form: BodyForm,
    required: Vec<RequiredRow>,
    errors: Errors,
    dated_lines: bool,
    choices: BodyChoices,
}

async fn body_page(
    st: &AppState,
    viewer: &Viewer,
    key: &str,
    b: &model::Body,
    form: BodyForm,
    errors: Errors,
) -> AppResult<BodyPage> {
    let title = if key.is_empty() {
        "Add a body".to_owned()
    } else {
        format!("Edit {}", b.name)
    };
    Ok(BodyPage {
        page: Page::new(viewer, title, "/admin/arrangements"),
        key: key.to_owned(),
        required: form.required_rows(),
        form,
        errors,
        dated_lines: !b.parents.is_empty(),
        choices: BodyChoices::of(st, viewer.tenant()?, key).await?,
    })
}

pub async fn body_new(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let b = model::Body::default();
    let form = BodyForm {
        version: "0".into(),
        kind: "sub-group".into(),
        ..BodyForm::default()
    };
    Ok(body_page(&st, &viewer, "", &b, form, Errors::default())
        .await?
        .into_response())
}

pub async fn body_add(
    Ctx { st, viewer, p }: Ctx,
    FormData(f): FormData<BodyForm>,
) -> AppResult<Response> {
    let mut b = model::Body::default();
    let errors = f.apply(&mut b, &BodyChoices::of(&st, p, "").await?);
    if !errors.is_empty() {
        let page = body_page(&st, &viewer, "", &b, f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let all = store::items(&st.db, p).await?;
    b.key = store::new_key(
        &b.name,
        all.iter()
            .filter(|i| i.kind == "body")
            .map(|i| i.key.as_str()),
    );
    let saved = store::add_entry(&st.db, &viewer.actor(), p, "body", &b).await;
    let flash = format!("{} added", b.name);
    match finish(&st, &viewer, saved, &flash, "/arrangements", "name").await? {
        Ok(r) => Ok(r),
        Err((errors, status)) => {
            let page = body_page(&st, &viewer, "", &b, f, errors).await?;
            Ok((status, page).into_response())
        }
    }
}

pub async fn body_form(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let (b, version) = load::<model::Body>(&st, viewer.tenant()?, "body", &key).await?;
    let form = BodyForm::of(&b, version);
    Ok(body_page(&st, &viewer, &key, &b, form, Errors::default())
        .await?
        .into_response())
}

/// Save a body; what the form does not show (dated reporting lines, reports received, rules of
/// operation, the chair rule's note) is kept as it was.
pub async fn body_save(
    Ctx { st, viewer, p }: Ctx,
    Path(key): Path<String>,
    FormData(f): FormData<BodyForm>,
) -> AppResult<Response> {
    let (mut b, _) = load::<model::Body>(&st, p, "body", &key).await?;
    let version = crate::web::forms::version(&f.version)?;
    let errors = f.apply(&mut b, &BodyChoices::of(&st, p, &key).await?);
    if !errors.is_empty() {
        let page = body_page(&st, &viewer, &key, &b, f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let saved = save_entry(&st, &viewer, "body", &key, version, &b).await;
    let flash = format!("{} saved", b.name);
    match finish(&st, &viewer, saved, &flash, "/arrangements", "name").await? {
        Ok(r) => Ok(r),
        Err((errors, StatusCode::CONFLICT)) => {
            let (now, v) = load::<model::Body>(&st, p, "body", &key).await?;
            let page = body_page(&st, &viewer, &key, &now, BodyForm::of(&now, v), errors).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err((errors, status)) => {
            let page = body_page(&st, &viewer, &key, &b, f, errors).await?;
            Ok((status, page).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_read_and_show_as_people_write_them() {
        let mut e = Errors::default();
        assert_eq!(percent(&mut e, "x", "75", "bad"), Some(0.75));
        assert_eq!(percent(&mut e, "x", " 66.7% ", "bad"), Some(0.667));
        assert!(e.is_empty());
        assert_eq!(percent(&mut e, "x", "0", "bad"), None);
        assert_eq!(percent(&mut e, "y", "120", "bad"), None);
        assert_eq!(percent(&mut e, "z", "three quarters", "bad"), None);
        assert_eq!(e.list().len(), 3);
        assert_eq!(percent_text(0.75), "75");
        assert_eq!(percent_text(0.667), "66.7");
    }

    #[test]
    fn an_end_before_the_start_is_refused() {
        let mut e = Errors::default();
        dates(&mut e, "2022-10-01", "2022-09-30");
        assert!(e.get("to").is_some());
        let mut e = Errors::default();
        dates(&mut e, "2022-10-01", "2022-10-01");
        assert!(e.is_empty());
    }

    fn choices() -> BodyChoices {
        BodyChoices {
            kinds: labelled(model::BODY_KINDS),
            chairs: Vec::new(),
            frequencies: labelled(model::FREQUENCIES),
            bodies: vec![("board".into(), "Board".into())],
            areas: Vec::new(),
            posts: Vec::new(),
            sectors: labelled(model::SECTORS),
        }
    }

    #[test]
    fn a_body_form_becomes_evaluable_rules() {
        let f = BodyForm {
            name: "Executive".into(),
            kind: "executive".into(),
            parent: "board".into(),
            quorum: "all-statutory-partners".into(),
            expected: "75".into(),
            minimum_meetings: "4".into(),
            deputy_counts: "yes".into(),
            notice: "10".into(),
            req_description: vec!["Designated doctor".into(), String::new()],
            req_sector: vec!["health".into(), String::new()],
            req_count: vec!["1".into(), "1".into()],
            ..BodyForm::default()
        };
        let mut b = model::Body::default();
        let e = f.apply(&mut b, &choices());
        assert!(e.is_empty(), "{:?}", e.list());
        assert_eq!(b.quorum, Some(model::Quorum::AllStatutoryPartners));
        let a = b.attendance.clone().expect("attendance");
        assert_eq!(
            (a.expected_share, a.minimum_meetings, a.deputy_counts),
            (0.75, Some(4), true)
        );
        assert_eq!(b.notice_working_days, Some(10));
        assert_eq!(b.required_members.len(), 1);
        assert_eq!(b.required_members[0].sector.as_deref(), Some("health"));
        // and back again, field for field
        let again = BodyForm::of(&b, 1);
        assert_eq!(
            (again.quorum.as_str(), again.expected.as_str()),
            ("all-statutory-partners", "75")
        );
    }

    #[test]
    fn a_body_form_names_each_bad_field() {
        let f = BodyForm {
            name: String::new(),
            kind: "club".into(),
            parent: "nowhere".into(),
            quorum: "members".into(),
            quorum_count: "0".into(),
            chair: "sector".into(),
            minimum_meetings: "4".into(),
            req_description: vec![String::new()],
            req_sector: vec!["health".into()],
            req_count: vec!["x".into()],
            ..BodyForm::default()
        };
        let mut b = model::Body::default();
        let e = f.apply(&mut b, &choices());
        for field in [
            "name",
            "kind",
            "parent",
            "quorum_count",
            "chair_sector",
            "expected",
            "req_description_0",
            "req_count_0",
        ] {
            assert!(
                e.get(field).is_some(),
                "{field} not flagged: {:?}",
                e.list()
            );
        }
    }
}

// ---- Published text ----

/// The published sections, in the order of the guidance, with what each should say.
const SECTION_FIELDS: &[(&str, &str, &str)] = &[
    ("area", "Area", "The area the arrangements cover"),
    (
        "relevant_agencies",
        "Relevant agencies",
        "Why the partners named the agencies they did",
    ),
    (
        "scrutiny",
        "Independent scrutiny",
        "Who scrutinises the arrangements and how",
    ),
    (
        "funding",
        "Funding",
        "How the partners fund the arrangements",
    ),
    (
        "thresholds",
        "Thresholds",
        "The threshold document and where to find it",
    ),
    (
        "education",
        "Schools, colleges and early years settings",
        "How education settings take part",
    ),
    (
        "youth_custody_and_residential",
        "Youth custody and residential homes",
        "How these settings take part",
    ),
    (
        "data_and_intelligence",
        "Data and intelligence",
        "How the partners use data to know how well children are safeguarded",
    ),
    (
        "training",
        "Multi-agency training",
        "How multi-agency training is provided and evaluated",
    ),
    (
        "voice_of_children",
        "The voice of children and families",
        "How children and families shape the work",
    ),
    (
        "escalation",
        "Escalation and resolving disagreements",
        "How professional disagreements are resolved",
    ),
    (
        "policies_and_procedures",
        "Policies and procedures",
        "Where the multi-agency procedures are published",
    ),
];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SectionsForm {
    version: String,
    #[serde(flatten)]
    text: std::collections::BTreeMap<String, String>,
}

pub struct SectionField {
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/sections.html")]
struct SectionsPage {
    page: Page,
    version: String,
    fields: Vec<SectionField>,
    errors: Errors,
}

fn sections_page(
    viewer: &Viewer,
    version: String,
    text: &std::collections::BTreeMap<String, String>,
    errors: Errors,
) -> SectionsPage {
    SectionsPage {
        page: Page::new(viewer, "Published text", "/admin/arrangements"),
        version,
        fields: SECTION_FIELDS
            .iter()
            .map(|(name, label, hint)| SectionField {
                name,
                label,
                hint,
                value: text.get(*name).cloned().unwrap_or_default(),
            })
            .collect(),
        errors,
    }
}

fn sections_text(s: &model::Sections) -> AppResult<std::collections::BTreeMap<String, String>> {
    serde_json::from_value(serde_json::to_value(s).map_err(|e| AppError::Internal(e.to_string()))?)
        .map_err(|e| AppError::Internal(e.to_string()))
}

pub async fn sections_form(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let (s, version) =
        load::<model::Sections>(&st, viewer.tenant()?, "sections", "sections").await?;
    Ok(sections_page(
        &viewer,
        version.to_string(),
        &sections_text(&s)?,
        Errors::default(),
    )
    .into_response())
}

pub async fn sections_save(
    Ctx { st, viewer, p }: Ctx,
    FormData(f): FormData<SectionsForm>,
) -> AppResult<Response> {
    load::<model::Sections>(&st, p, "sections", "sections").await?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    let mut kept = serde_json::Map::new();
    for (name, _, _) in SECTION_FIELDS {
        let v = f
            .text
            .get(*name)
            .map(|t| t.replace("\r\n", "\n"))
            .unwrap_or_default();
        let v = text(&mut errors, name, &v, 50_000);
        if !v.is_empty() {
            kept.insert((*name).to_owned(), serde_json::Value::String(v));
        }
    }
    if !errors.is_empty() {
        let page = sections_page(&viewer, f.version.clone(), &f.text, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let sections: model::Sections = serde_json::from_value(serde_json::Value::Object(kept))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let saved = save_entry(&st, &viewer, "sections", "sections", version, &sections).await;
    match finish(
        &st,
        &viewer,
        saved,
        "Published text saved",
        "/admin/arrangements",
        "area",
    )
    .await?
    {
        Ok(r) => Ok(r),
        Err((errors, StatusCode::CONFLICT)) => {
            let (now, v) = load::<model::Sections>(&st, p, "sections", "sections").await?;
            let page = sections_page(&viewer, v.to_string(), &sections_text(&now)?, errors);
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err((errors, status)) => {
            let page = sections_page(&viewer, f.version.clone(), &f.text, errors);
            Ok((status, page).into_response())
        }
    }
}
