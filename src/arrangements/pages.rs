//! The arrangements pages: the published arrangements (public), the relevant agencies list
//! (public, searchable), the structure as at a date and the reporting calendar (signed in).

use crate::web::forms::QueryData;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::model::{self, SECTORS};
use super::store::{self, AsAt};
use super::view::{self, BodyView, Names};
use crate::partnerships::store as partnerships;
use crate::state::{AppState, Ctx};
use crate::store::PartnershipId;
use crate::web::error::{AppError, AppResult};
use crate::web::forms::Errors;
use crate::web::page::Page;
use crate::web::viewer::Viewer;

pub(super) use crate::calendar::today;

/// Paragraphs of published text (blank lines between them).
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

pub struct Partner {
    pub role: String,
    pub organisation: String,
    pub lead: String,
    pub delegate: String,
}

/// Who a post is: its holder and title, or the title alone.
fn post_text(names: &Names, k: &Option<String>) -> String {
    k.as_deref()
        .and_then(|k| names.posts.get(k))
        .map(|p| {
            if p.holder.is_empty() {
                p.title.clone()
            } else {
                format!("{}, {}", p.holder, p.title)
            }
        })
        .unwrap_or_default()
}

/// The three statutory partners the law names: only they sign what the law asks them to.
fn partners(a: &AsAt, names: &Names) -> Vec<Partner> {
    a.statutory_partners
        .iter()
        .map(|s| Partner {
            role: match s.role.as_str() {
                "local-authority" => "Local authority".into(),
                "health" => "Health".into(),
                "police" => "Police".into(),
                r => r.to_owned(),
            },
            organisation: names.organisation(&s.organisation),
            lead: post_text(names, &s.lead),
            delegate: post_text(names, &s.delegate),
        })
        .collect()
}

/// The partners the partnership chose beyond the statutory three (education, say).
pub fn additional_partners(a: &AsAt, names: &Names) -> Vec<Partner> {
    a.additional_partners
        .iter()
        .map(|s| Partner {
            role: if s.description.is_empty() {
                view::role_label(&s.sector)
            } else {
                s.description.clone()
            },
            organisation: names.organisation(&s.organisation),
            lead: post_text(names, &s.lead),
            delegate: post_text(names, &s.delegate),
        })
        .collect()
}

/// A child population figure for reading: "174,200 children aged 0 to 17 (2023, ONS)", and
/// the figures it revised.
pub struct PopulationText {
    pub text: String,
    pub earlier: Vec<String>,
}

pub fn population_text(ar: &model::Area, day: NaiveDate) -> Option<PopulationText> {
    let on = ar.population_on(day)?;
    let words = |p: &model::Population| {
        let mut s = format!("{} children aged 0 to 17 ({}", p.children_text(), p.year);
        if !p.source.is_empty() {
            s.push_str(", ");
            s.push_str(&p.source);
        }
        if let Some(r) = p.revised {
            s.push_str(&format!(", revised {}", r.0.format("%-d %B %Y")));
        }
        s.push(')');
        s
    };
    Some(PopulationText {
        text: words(on.figure),
        earlier: on.earlier.into_iter().map(words).collect(),
    })
}

/// A collaboration as the public page says it.
pub struct CollaborationText {
    pub name: String,
    /// Each partner: its name and, when it is on this masa, the address of its arrangements.
    pub partners: Vec<(String, String)>,
    /// The bodies it shares, in words ("Held by ...", "Shared with ...").
    pub bodies: Vec<String>,
}

/// Link a partner's arrangements only when that partnership is on this host: a slug that names
/// none stays plain text rather than a link to a missing page.
async fn on_this_host(
    st: &AppState,
    mut cs: Vec<CollaborationText>,
) -> AppResult<Vec<CollaborationText>> {
    for c in &mut cs {
        for (_, href) in &mut c.partners {
            let slug = href
                .strip_prefix("/p/")
                .and_then(|r| r.strip_suffix("/arrangements"))
                .unwrap_or("");
            if !slug.is_empty() && partnerships::by_slug(&st.db, slug).await?.is_none() {
                href.clear();
            }
        }
    }
    Ok(cs)
}

fn collaboration_texts(a: &AsAt, structure: &[BodyView]) -> Vec<CollaborationText> {
    a.collaborations
        .iter()
        .map(|c| CollaborationText {
            name: c.name.clone(),
            partners: c
                .partners
                .iter()
                .map(|p| {
                    (
                        p.name.clone(),
                        p.slug
                            .as_ref()
                            .map(|s| format!("/p/{s}/arrangements"))
                            .unwrap_or_default(),
                    )
                })
                .collect(),
            bodies: structure
                .iter()
                .filter(|v| v.collaboration.as_deref() == Some(c.key.as_str()))
                .map(|v| v.body.name.clone())
                .collect(),
        })
        .collect()
}

pub struct Section {
    pub id: &'static str,
    pub heading: &'static str,
    pub paragraphs: Vec<String>,
}

fn sections(s: &model::Sections) -> Vec<Section> {
    let all: [(&str, &str, &str); 10] = [
        ("scrutiny", "Independent scrutiny", &s.scrutiny),
        ("funding", "Funding", &s.funding),
        ("thresholds", "Thresholds", &s.thresholds),
        (
            "education",
            "Schools, colleges and early years settings",
            &s.education,
        ),
        (
            "youth-custody",
            "Youth custody and residential homes",
            &s.youth_custody_and_residential,
        ),
        ("data", "Data and intelligence", &s.data_and_intelligence),
        ("training", "Multi-agency training", &s.training),
        (
            "voice",
            "The voice of children and families",
            &s.voice_of_children,
        ),
        (
            "escalation",
            "Escalation and resolving disagreements",
            &s.escalation,
        ),
        (
            "procedures",
            "Policies and procedures",
            &s.policies_and_procedures,
        ),
    ];
    all.into_iter()
        .map(|(id, heading, text)| Section {
            id,
            heading,
            paragraphs: paragraphs(text),
        })
        .collect()
}

async fn partnership_and_arrangements(
    st: &AppState,
    slug: &str,
    day: NaiveDate,
) -> AppResult<(partnerships::Partnership, AsAt)> {
    let p = partnerships::by_slug(&st.db, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let a = store::load_as_at(&st.db, PartnershipId(p.id), day)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((p, a))
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/published.html")]
struct PublishedPage {
    page: Page,
    slug: String,
    a: AsAt,
    /// The edition of the arrangements in force on the day.
    edition: Option<model::Edition>,
    partners: Vec<Partner>,
    additional: Vec<Partner>,
    /// The education and childcare agencies named to take part (participants, not partners).
    education_agencies: Vec<String>,
    /// Each area's child population on the day, with the figures it revised.
    populations: Vec<(String, Option<PopulationText>)>,
    /// The collaborations with other partnerships, in words, with a link where one is on masa.
    collaborations: Vec<CollaborationText>,
    area_text: Vec<String>,
    agencies_text: Vec<String>,
    agency_count: usize,
    outline: String,
    /// Each body's members as they stood (organisation and role; never a person's details).
    members: Vec<(String, Vec<view::MemberView>, Vec<view::MemberView>)>,
    chart: String,
    sections: Vec<Section>,
    is_today: bool,
    /// `?date=...` for the PDF link when the page is not today's.
    date_query: String,
    form_date: String,
    errors: Errors,
}

/// The day a reader asks to see the arrangements as at (`date`, three boxes), today if none:
/// a day that is not a real date, or before 2000 or far ahead, is said so and today is shown.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AsAtQuery {
    date: String,
}

fn as_at_day(q: &AsAtQuery, errors: &mut Errors) -> NaiveDate {
    use chrono::Datelike;
    let t = today();
    match errors.date("date", "Date", &q.date) {
        Some(d) if d.year() < 2000 || d > t + chrono::Days::new(5 * 366) => {
            errors.add(
                "date",
                "Date must be between 1 January 2000 and five years from today",
            );
            t
        }
        Some(d) => d,
        None => t,
    }
}

pub async fn published(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    QueryData(q): QueryData<AsAtQuery>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    let day = as_at_day(&q, &mut errors);
    let (p, a) = partnership_and_arrangements(&st, &slug, day).await?;
    let names = Names::new(&a.organisations, &a.posts);
    let structure = store::structure(&st.db, &a).await?;
    let chart = view::chart_svg(&structure, &format!("Structure of {}", p.name));
    let page = PublishedPage {
        page: Page::public(
            &viewer,
            "Safeguarding arrangements",
            &p.name,
            &p.slug,
            "/arrangements",
        ),
        edition: a.partnership.edition_on(day).cloned(),
        partners: partners(&a, &names),
        additional: additional_partners(&a, &names),
        education_agencies: a
            .organisations
            .iter()
            .filter(|o| o.designated_education)
            .map(|o| o.name.clone())
            .collect(),
        populations: a
            .areas
            .iter()
            .map(|ar| (ar.name.clone(), population_text(ar, day)))
            .collect(),
        collaborations: on_this_host(&st, collaboration_texts(&a, &structure)).await?,
        area_text: paragraphs(&a.sections.area),
        agencies_text: paragraphs(&a.sections.relevant_agencies),
        agency_count: a.organisations.iter().filter(|o| o.relevant_agency).count(),
        sections: sections(&a.sections),
        outline: view::outline_html(&structure),
        members: structure
            .iter()
            .filter(|v| !v.members.is_empty() || !v.in_attendance.is_empty())
            .map(|v| {
                (
                    v.body.name.clone(),
                    v.members.clone(),
                    v.in_attendance.clone(),
                )
            })
            .collect(),
        chart,
        is_today: day == today(),
        date_query: if day == today() {
            String::new()
        } else {
            format!("?date={day}")
        },
        form_date: if errors.is_empty() {
            q.date.clone()
        } else {
            String::new()
        },
        errors,
        slug,
        a,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, page).into_response())
}

/// The published arrangements as a PDF, for printing and for filing with the annual report.
pub async fn published_pdf(
    State(st): State<AppState>,
    Path(slug): Path<String>,
    QueryData(q): QueryData<AsAtQuery>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    let day = as_at_day(&q, &mut errors);
    if let Some((_, m)) = errors.list().first() {
        return Err(AppError::BadRequest(m.clone()));
    }
    let (p, a) = partnership_and_arrangements(&st, &slug, day).await?;
    let names = Names::new(&a.organisations, &a.posts);
    let structure = store::structure(&st.db, &a).await?;
    let chart = view::chart_svg(&structure, &format!("Structure of {}", p.name));
    let data = super::pdf::data(super::pdf::Parts {
        name: &p.name,
        url: format!(
            "{}/p/{slug}/arrangements",
            st.config.base_url.trim_end_matches('/')
        ),
        a: &a,
        partners: partners(&a, &names),
        additional: additional_partners(&a, &names),
        structure: &structure,
        chart,
        sections: sections(&a.sections),
    });
    let pdf = super::pdf::render(&slug, data).await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{slug}-safeguarding-arrangements.pdf\""),
            ),
        ],
        pdf.as_ref().clone(),
    )
        .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AgencyQuery {
    q: String,
    sector: String,
}

pub struct Agency {
    pub name: String,
    pub sector: String,
    pub why: String,
    pub duties: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/agencies.html")]
struct AgenciesPage {
    page: Page,
    slug: String,
    q: String,
    sector: String,
    sectors: Vec<(&'static str, String)>,
    agencies: Vec<Agency>,
    total: usize,
}

pub fn sector_label(s: &str) -> String {
    view::role_label(s)
}

pub async fn agencies(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(q): Query<AgencyQuery>,
) -> AppResult<Response> {
    let (p, a) = partnership_and_arrangements(&st, &slug, today()).await?;
    let all: Vec<&model::Organisation> = a
        .organisations
        .iter()
        .filter(|o| o.relevant_agency)
        .collect();
    let needle = q.q.trim().to_lowercase();
    let sector = if SECTORS.contains(&q.sector.as_str()) {
        q.sector.clone()
    } else {
        String::new()
    };
    let agencies = all
        .iter()
        .filter(|o| needle.is_empty() || o.name.to_lowercase().contains(&needle))
        .filter(|o| sector.is_empty() || o.sector == sector)
        .map(|o| Agency {
            name: o.name.clone(),
            sector: sector_label(&o.sector),
            why: o.why.clone(),
            duties: [
                (o.section_11, "Section 11"),
                (o.s175_157, "s175/157"),
                (o.designated_education, "Designated education agency"),
            ]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, l)| *l)
            .collect::<Vec<_>>()
            .join(", "),
        })
        .collect();
    Ok(AgenciesPage {
        page: Page::public(&viewer, "Relevant agencies", &p.name, &p.slug, "/agencies"),
        slug,
        q: q.q,
        sector,
        sectors: SECTORS.iter().map(|s| (*s, sector_label(s))).collect(),
        total: all.len(),
        agencies,
    }
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DateQuery {
    date: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/structure.html")]
struct StructurePage {
    page: Page,
    date: String,
    errors: Errors,
    structure: Vec<BodyView>,
    outline: String,
    chart: String,
    empty: bool,
    can_edit: bool,
}

pub async fn structure(
    Ctx { st, viewer, p }: Ctx,
    QueryData(q): QueryData<DateQuery>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    let day = date_field(&mut errors, "date", "The date", &q.date, today());
    let a = store::load_as_at(&st.db, p, day).await?;
    let (structure, chart) = match &a {
        Some(a) => {
            let s = store::structure(&st.db, a).await?;
            let c = view::chart_svg(&s, &format!("Structure as at {}", day.format("%-d %B %Y")));
            (s, c)
        }
        None => (Vec::new(), String::new()),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = StructurePage {
        page: Page::new(&viewer, "Structure", "/arrangements"),
        date: day.format("%Y-%m-%d").to_string(),
        errors,
        empty: a.is_none(),
        outline: view::outline_html(&structure),
        structure,
        chart,
        can_edit: crate::web::permissions::Permission::ManagePartnership.allows(&viewer),
    };
    Ok((status, page).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CalendarQuery {
    to: String,
    date: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/reporting.html")]
struct ReportingPage {
    page: Page,
    targets: Vec<(String, String)>,
    to: String,
    to_name: String,
    quarters: [Vec<String>; 4],
    rows: usize,
}

pub async fn reporting(
    Ctx { st, viewer, p }: Ctx,
    Query(q): Query<CalendarQuery>,
) -> AppResult<Response> {
    let day = NaiveDate::parse_from_str(q.date.trim(), "%Y-%m-%d").unwrap_or_else(|_| today());
    let a = store::load_as_at(&st.db, p, day)
        .await?
        .ok_or(AppError::NotFound)?;
    let targets: Vec<(String, String)> = view::reporting_targets(&a.bodies)
        .into_iter()
        .map(|b| (b.key.clone(), b.name.clone()))
        .collect();
    let to = if targets.iter().any(|(k, _)| *k == q.to) {
        q.to.clone()
    } else {
        targets.first().map(|t| t.0.clone()).unwrap_or_default()
    };
    let cal = view::reporting_calendar(&a.bodies, &to);
    let quarters = cal.map(|q| q.into_iter().map(str::to_owned).collect::<Vec<_>>());
    let rows = quarters.iter().map(Vec::len).max().unwrap_or(0);
    let to_name = targets
        .iter()
        .find(|t| t.0 == to)
        .map(|t| t.1.clone())
        .unwrap_or_default();
    Ok(ReportingPage {
        page: Page::new(&viewer, "Reporting calendar", "/arrangements"),
        targets,
        to,
        to_name,
        quarters,
        rows,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/admin.html")]
struct AdminPage {
    page: Page,
    counts: Vec<(String, usize)>,
    problems: Vec<model::Problem>,
    file_name: String,
    history: Vec<crate::store::audit::AuditEntry>,
    entries: Vec<store::Item>,
}

async fn admin_page(
    st: &AppState,
    viewer: &Viewer,
    problems: Vec<model::Problem>,
    file_name: String,
) -> AppResult<AdminPage> {
    let p = viewer.tenant()?;
    let items = store::items(&st.db, p).await?;
    let counts = store::KINDS
        .iter()
        .map(|k| {
            (
                view::role_label(k),
                items.iter().filter(|i| i.kind == *k).count(),
            )
        })
        .filter(|(k, n)| *n > 0 && k != "Partnership" && k != "Sections")
        .collect();
    let filter = crate::store::audit::Filter {
        record_type: Some("arrangements".into()),
        ..Default::default()
    };
    let (history, _) = crate::store::audit::search(&st.db, p, &filter, None, 20, 0).await?;
    Ok(AdminPage {
        page: Page::new(viewer, "Arrangements file", "/admin/arrangements"),
        counts,
        problems,
        file_name,
        history,
        entries: items,
    })
}

pub async fn admin(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    Ok(admin_page(&st, &viewer, Vec::new(), String::new())
        .await?
        .into_response())
}

/// Upload a file: checked in full, stored only when it has no problems.
pub async fn upload(
    Ctx { st, viewer, .. }: Ctx,
    mut form: axum::extract::Multipart,
) -> AppResult<Response> {
    let slug = viewer
        .current
        .as_ref()
        .map(|m| m.partnership_slug.clone())
        .unwrap_or_default();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("The upload could not be read. Try again.".into()))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_owned();
            let bytes = field.bytes().await.map_err(|_| {
                AppError::BadRequest("The upload could not be read. Try again.".into())
            })?;
            file = Some((name, bytes.to_vec()));
        }
    }
    let problem = |m: &str| {
        vec![model::Problem {
            line: 1,
            message: m.to_owned(),
        }]
    };
    let (name, bytes) = match file {
        Some((n, b)) if !b.is_empty() => (n, b),
        _ => {
            let page = admin_page(
                &st,
                &viewer,
                problem("Select an arrangements file to upload"),
                String::new(),
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let read = match model::read(&bytes) {
        Ok(r) if r.arrangements.partnership.slug == slug => r,
        Ok(r) => {
            let a = r.arrangements;
            let m = format!(
                "This file is for the partnership \"{}\"; you are working in \"{slug}\"",
                a.partnership.slug
            );
            let page = admin_page(&st, &viewer, problem(&m), name).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(problems) => {
            let page = admin_page(&st, &viewer, problems, name).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let (_, s) = store::import_file(&st.db, &viewer.actor(), &read).await?;
    crate::web::flash(
        &st.db,
        &viewer,
        &format!(
            "Arrangements imported: {} added, {} changed, {} removed, {} unchanged{}",
            s.created,
            s.updated,
            s.deleted,
            s.unchanged,
            if read.upgraded.is_empty() {
                String::new()
            } else {
                format!(
                    ". The file was {}; it was upgraded to {} as it was imported (comments kept): download the file to have the upgraded text",
                    model::SCHEMA_1,
                    model::SCHEMA
                )
            }
        ),
    )
    .await?;
    Ok(crate::web::redirect("/admin/arrangements"))
}

/// The current file, as a download.
pub async fn download(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let slug = viewer
        .current
        .as_ref()
        .map(|m| m.partnership_slug.clone())
        .unwrap_or_default();
    let text = store::export(&st.db, p).await?;
    let mut res = text.into_response();
    let h = res.headers_mut();
    h.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/toml; charset=utf-8"),
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!(
        "attachment; filename=\"{slug}-arrangements.toml\""
    )) {
        h.insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/format.html")]
struct FormatPage {
    page: Page,
    text: &'static str,
}

/// The file format guide (docs/arrangements-format.md), for people editing the file.
pub async fn format_guide(viewer: Viewer) -> Response {
    FormatPage {
        page: Page::new(
            &viewer,
            "The arrangements file format",
            "/admin/arrangements",
        ),
        text: include_str!("../../docs/arrangements-format.md"),
    }
    .into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QuestionsQuery {
    q: String,
    date: String,
    days: String,
    from: String,
    to: String,
}

pub struct OrgSeats {
    pub name: String,
    pub seats: Vec<view::Seat>,
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/questions.html")]
struct QuestionsPage {
    page: Page,
    query: QuestionsQuery,
    errors: Errors,
    date: String,
    days: i64,
    from: String,
    to: String,
    orgs: Vec<OrgSeats>,
    gaps: Vec<view::Gap>,
    ending: Vec<view::Ending>,
    changes: Vec<view::Change>,
    empty: bool,
}

pub(super) fn date_field(
    errors: &mut Errors,
    field: &str,
    label: &str,
    value: &str,
    default: NaiveDate,
) -> NaiveDate {
    errors.date(field, label, value).unwrap_or(default)
}

/// The business unit's questions: where an organisation sits, what bodies lack, which
/// memberships end soon, and what changed between two dates.
pub async fn questions(
    Ctx { st, viewer, p }: Ctx,
    QueryData(q): QueryData<QuestionsQuery>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    let day = date_field(&mut errors, "date", "The date", &q.date, today());
    let days = match q.days.trim() {
        "" => 90,
        s => match s.parse::<i64>() {
            Ok(n) if (1..=3650).contains(&n) => n,
            _ => {
                errors.add("days", "Enter a number of days from 1 to 3650");
                90
            }
        },
    };
    let from = date_field(
        &mut errors,
        "from",
        "The start date",
        &q.from,
        day - chrono::Duration::days(365),
    );
    let to = date_field(&mut errors, "to", "The end date", &q.to, day);
    if from > to {
        errors.add(
            "to",
            "The second date must be the same as or after the first",
        );
    }
    let Some(a) = store::load_as_at(&st.db, p, day).await? else {
        let page = QuestionsPage {
            page: Page::new(&viewer, "Questions", "/arrangements"),
            query: q,
            errors,
            date: day.to_string(),
            days,
            from: from.to_string(),
            to: to.to_string(),
            orgs: Vec::new(),
            gaps: Vec::new(),
            ending: Vec::new(),
            changes: Vec::new(),
            empty: true,
        };
        return Ok(page.into_response());
    };
    let names = Names::new(&a.organisations, &a.posts);
    let needle = q.q.trim().to_lowercase();
    let orgs = if needle.is_empty() {
        Vec::new()
    } else {
        a.organisations
            .iter()
            .filter(|o| o.name.to_lowercase().contains(&needle))
            .take(50)
            .map(|o| OrgSeats {
                name: o.name.clone(),
                seats: view::seats_of(&o.key, &a.bodies, &a.memberships, &names),
            })
            .collect()
    };
    let gaps = view::gaps(&a.bodies, &a.memberships, &a.organisations, &names);
    // Memberships ending after the day are not in force "as at" it only if already ended; look
    // at everything stored that is in force on the day.
    let ending = view::ending_soon(&a.bodies, &a.memberships, &names, day, days);
    let changes = if errors.get("from").is_none() && errors.get("to").is_none() && from <= to {
        let (b, c) = (
            store::load_as_at(&st.db, p, from).await?,
            store::load_as_at(&st.db, p, to).await?,
        );
        match (b, c) {
            (Some(b), Some(c)) => view::changes(&b.entries(), &c.entries()),
            _ => Vec::new(),
        }
    } else {
        Vec::new()
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = QuestionsPage {
        page: Page::new(&viewer, "Questions", "/arrangements"),
        query: q,
        errors,
        date: day.to_string(),
        days,
        from: from.to_string(),
        to: to.to_string(),
        orgs,
        gaps,
        ending,
        changes,
        empty: false,
    };
    Ok((status, page).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EntryQuery {
    kind: String,
    key: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EntryForm {
    kind: String,
    key: String,
    version: String,
    text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/entry.html")]
struct EntryPage {
    page: Page,
    kind: String,
    key: String,
    name: String,
    version: i64,
    text: String,
    problems: Vec<model::Problem>,
}

/// Edit one entry of the arrangements (a body, a membership ...) as its TOML text.
pub async fn entry_form(
    Ctx { st, viewer, p }: Ctx,
    Query(q): Query<EntryQuery>,
) -> AppResult<Response> {
    let (item, version) = store::entry(&st.db, p, &q.kind, &q.key)
        .await?
        .ok_or(AppError::NotFound)?;
    let name = if item.name.is_empty() {
        item.key.clone()
    } else {
        item.name.clone()
    };
    Ok(EntryPage {
        page: Page::new(&viewer, format!("Edit {name}"), "/admin/arrangements"),
        kind: item.kind,
        key: item.key,
        name,
        version,
        text: item.data,
        problems: Vec::new(),
    }
    .into_response())
}

pub async fn entry_save(
    Ctx { st, viewer, p }: Ctx,
    crate::web::forms::FormData(f): crate::web::forms::FormData<EntryForm>,
) -> AppResult<Response> {
    let version: i64 = crate::web::forms::version(&f.version)?;
    let (item, _) = store::entry(&st.db, p, &f.kind, &f.key)
        .await?
        .ok_or(AppError::NotFound)?;
    let name = if item.name.is_empty() {
        item.key.clone()
    } else {
        item.name.clone()
    };
    let again = |problems: Vec<model::Problem>, status: StatusCode, version: i64| {
        let page = EntryPage {
            page: Page::new(&viewer, format!("Edit {name}"), "/admin/arrangements"),
            kind: f.kind.clone(),
            key: f.key.clone(),
            name: name.clone(),
            version,
            text: f.text.clone(),
            problems,
        };
        (status, page).into_response()
    };
    match store::edit_entry(
        &st.db,
        &viewer.actor(),
        p,
        &f.kind,
        &f.key,
        version,
        &f.text,
    )
    .await
    {
        Ok(s) => {
            if let Some(sess) = &viewer.session {
                let what = if s.created + s.updated + s.deleted == 0 {
                    "No change".to_owned()
                } else {
                    format!("{name} saved")
                };
                crate::web::session::set_flash(&st.db, sess, &what).await?;
            }
            Ok(crate::web::redirect("/admin/arrangements"))
        }
        Err(store::EditError::Problems(ps)) => {
            Ok(again(ps, StatusCode::UNPROCESSABLE_ENTITY, version))
        }
        Err(store::EditError::Stale(m)) => {
            let now = store::entry(&st.db, p, &f.kind, &f.key)
                .await?
                .map_or(version, |(_, v)| v);
            Ok(again(
                vec![model::Problem {
                    line: 0,
                    message: m,
                }],
                StatusCode::CONFLICT,
                now,
            ))
        }
        Err(store::EditError::App(e)) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MembershipForm {
    body: String,
    organisation: String,
    post: String,
    representative: String,
    role: String,
    voting: String,
    from: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/membership_new.html")]
struct MembershipPage {
    page: Page,
    form: MembershipForm,
    errors: Errors,
    bodies: Vec<(String, String)>,
    organisations: Vec<(String, String)>,
    posts: Vec<(String, String)>,
    roles: Vec<(&'static str, String)>,
}

async fn membership_page(
    st: &AppState,
    viewer: &Viewer,
    form: MembershipForm,
    errors: Errors,
) -> AppResult<MembershipPage> {
    let a = store::load_as_at(&st.db, viewer.tenant()?, today())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(MembershipPage {
        page: Page::new(viewer, "Add a membership", "/admin/arrangements"),
        form,
        errors,
        bodies: a
            .bodies
            .iter()
            .map(|b| (b.key.clone(), b.name.clone()))
            .collect(),
        organisations: a
            .organisations
            .iter()
            .map(|o| (o.key.clone(), o.name.clone()))
            .collect(),
        posts: a
            .posts
            .iter()
            .map(|p| {
                (
                    p.key.clone(),
                    if p.holder.is_empty() {
                        p.title.clone()
                    } else {
                        format!("{} ({})", p.title, p.holder)
                    },
                )
            })
            .collect(),
        roles: model::MEMBERSHIP_ROLES
            .iter()
            .map(|r| (*r, view::role_label(r)))
            .collect(),
    })
}

pub async fn membership_form(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let form = MembershipForm {
        voting: "yes".into(),
        from: today().to_string(),
        ..MembershipForm::default()
    };
    Ok(membership_page(&st, &viewer, form, Errors::default())
        .await?
        .into_response())
}

pub async fn membership_add(
    Ctx { st, viewer, p }: Ctx,
    crate::web::forms::FormData(f): crate::web::forms::FormData<MembershipForm>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    if f.body.trim().is_empty() {
        errors.add("body", "Select the body");
    }
    if f.organisation.trim().is_empty() {
        errors.add("organisation", "Select the organisation");
    }
    if !model::MEMBERSHIP_ROLES.contains(&f.role.as_str()) {
        errors.add("role", "Select a role");
    }
    let voting = match f.voting.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.add("voting", "Say whether they can vote");
            None
        }
    };
    if f.representative.chars().count() > 200 {
        errors.add(
            "representative",
            "Representative must be 200 characters or fewer",
        );
    }
    let from = date_field(&mut errors, "from", "The start date", &f.from, today());
    if !errors.is_empty() {
        let page = membership_page(&st, &viewer, f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let m = model::Membership {
        body: f.body.trim().to_owned(),
        organisation: f.organisation.trim().to_owned(),
        post: Some(f.post.trim().to_owned()).filter(|s| !s.is_empty()),
        representative: f.representative.trim().to_owned(),
        role: f.role.clone(),
        voting,
        from: Some(model::Day(from)),
        to: None,
    };
    match store::add_entry(&st.db, &viewer.actor(), p, "membership", &m).await {
        Ok(_) => crate::web::saved(&st.db, &viewer, "Membership added", "/arrangements").await,
        Err(store::EditError::Problems(ps)) => {
            let mut errors = Errors::default();
            for pr in ps {
                errors.add(
                    if pr.message.contains("two chairs") {
                        "role"
                    } else {
                        "body"
                    },
                    pr.message,
                );
            }
            let page = membership_page(&st, &viewer, f, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(store::EditError::Stale(m)) => Err(AppError::Conflict(m)),
        Err(store::EditError::App(e)) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndForm {
    key: String,
    version: String,
    to: String,
}

/// End a membership on a date (it stays in the history).
pub async fn membership_end(
    Ctx { st, viewer, p }: Ctx,
    crate::web::forms::FormData(f): crate::web::forms::FormData<EndForm>,
) -> AppResult<Response> {
    let version: i64 = crate::web::forms::version(&f.version)?;
    let (item, _) = store::entry(&st.db, p, "membership", &f.key)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut m: model::Membership = store::decode(&item)?;
    let mut errors = Errors::default();
    let to = date_field(
        &mut errors,
        "to",
        "The last day of the membership",
        &f.to,
        today(),
    );
    if f.to.trim().is_empty() {
        errors.add("to", "Enter the date the membership ends");
    }
    let problems = |errors: &Errors| {
        errors
            .list()
            .iter()
            .map(|(_, m)| model::Problem {
                line: 0,
                message: m.clone(),
            })
            .collect::<Vec<_>>()
    };
    let page = |problems: Vec<model::Problem>, status: StatusCode| {
        let name = if item.name.is_empty() {
            item.key.clone()
        } else {
            item.name.clone()
        };
        (
            status,
            EntryPage {
                page: Page::new(&viewer, format!("Edit {name}"), "/admin/arrangements"),
                kind: item.kind.clone(),
                key: item.key.clone(),
                name,
                version,
                text: item.data.clone(),
                problems,
            },
        )
            .into_response()
    };
    if !errors.is_empty() {
        return Ok(page(problems(&errors), StatusCode::UNPROCESSABLE_ENTITY));
    }
    m.to = Some(model::Day(to));
    let text = toml::to_string_pretty(&m).map_err(|e| AppError::Internal(e.to_string()))?;
    match store::edit_entry(
        &st.db,
        &viewer.actor(),
        p,
        "membership",
        &f.key,
        version,
        &text,
    )
    .await
    {
        Ok(_) => {
            crate::web::flash(
                &st.db,
                &viewer,
                &format!("Membership ends on {}", to.format("%-d %B %Y")),
            )
            .await?;
            Ok(crate::web::redirect("/admin/arrangements"))
        }
        Err(store::EditError::Problems(ps)) => Ok(page(ps, StatusCode::UNPROCESSABLE_ENTITY)),
        Err(store::EditError::Stale(msg)) => Ok(page(
            vec![model::Problem {
                line: 0,
                message: msg,
            }],
            StatusCode::CONFLICT,
        )),
        Err(store::EditError::App(e)) => Err(e),
    }
}
