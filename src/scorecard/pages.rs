//! The scorecard's pages: the hub (scorecards and their periods, opening a period), a period's
//! scorecard (worked out now, or as published), publishing, sections' commentary, the
//! indicator catalogue and one indicator's definition and figures, and who sends whose figures.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use serde::Deserialize;

use super::card::{self, Card, Row, SectionCard};
use super::format::{self, Document, Indicator};
use super::model::{self, Hidden};
use super::store::{self, Edition, Figure, Period, Publication};
use crate::arrangements::model::Problem;
use crate::calendar::today;
use crate::state::{AppState, Ctx};
use crate::store::PartnershipId;
use crate::web::chart::{BarChart, Colour};
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;

/// The organisations of the arrangements, key to name.
pub(super) async fn organisation_names(
    st: &AppState,
    p: PartnershipId,
) -> AppResult<BTreeMap<String, String>> {
    Ok(crate::arrangements::store::names(&st.db, p, "organisation")
        .await?
        .into_iter()
        .collect())
}

/// The document in use, or not found (a period or indicator cannot exist without one).
pub(super) async fn the_document(
    st: &AppState,
    p: PartnershipId,
) -> AppResult<std::sync::Arc<Document>> {
    super::document(st, p)
        .await?
        .map(|(_, d)| d)
        .ok_or(AppError::NotFound)
}

pub(super) async fn find_period(st: &AppState, p: PartnershipId, id: i64) -> AppResult<Period> {
    store::period(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// A period's scorecard worked out from the figures as they stand, with its commentary.
pub(super) async fn current_card(
    st: &AppState,
    p: PartnershipId,
    d: &Document,
    period: &Period,
) -> AppResult<Card> {
    let c = d
        .scorecard(&period.scorecard_key)
        .ok_or(AppError::NotFound)?;
    let inputs = store::inputs(&st.db, p, &card::days(c, period.ends_on)).await?;
    let mut out = card::card(d, c, period.ends_on, &inputs);
    let notes = store::commentaries(&st.db, p, period.id).await?;
    for s in &mut out.sections {
        if let Some((text, _)) = notes.get(&s.key) {
            s.commentary.clone_from(text);
        }
    }
    Ok(out)
}

// ---- The hub ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OpenForm {
    scorecard: String,
    ends: String,
    due: String,
}

pub struct PeriodRow {
    pub period: Period,
    pub title: String,
    pub state: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "scorecard/hub.html")]
struct HubPage {
    page: Page,
    has_document: bool,
    scorecards: Vec<(String, String)>,
    rows: Vec<PeriodRow>,
    can_manage: bool,
    form: OpenForm,
    errors: Errors,
}

async fn hub_page(ctx: &Ctx, form: OpenForm, errors: Errors) -> AppResult<HubPage> {
    let Ctx { st, viewer, p } = ctx;
    let d = super::document(st, *p).await?.map(|(_, d)| d);
    let mut rows = Vec::new();
    for period in store::periods(&st.db, *p).await? {
        let published = store::publications(&st.db, *p, period.id).await?;
        let title = d
            .as_ref()
            .and_then(|d| d.scorecard(&period.scorecard_key))
            .map_or(period.scorecard_key.clone(), |c| c.title.clone());
        let state = match published.last() {
            Some(last) => format!(
                "Published {}{}",
                crate::calendar::uk_local(last.published_at).format("%-d %B %Y"),
                if last.number > 1 {
                    format!(" (publication {})", last.number)
                } else {
                    String::new()
                }
            ),
            None => format!("Figures due {}", period.due_on.format("%-d %B %Y")),
        };
        rows.push(PeriodRow {
            period,
            title,
            state,
        });
    }
    Ok(HubPage {
        page: Page::new(viewer, "Scorecard", "/scorecard"),
        has_document: d.is_some(),
        scorecards: d
            .iter()
            .flat_map(|d| {
                d.scorecards
                    .iter()
                    .map(|s| (s.get_ref().key.clone(), s.get_ref().title.clone()))
            })
            .collect(),
        rows,
        can_manage: Permission::ManagePartnership.allows(viewer),
        form,
        errors,
    })
}

pub async fn hub(ctx: Ctx) -> AppResult<Response> {
    Ok(hub_page(&ctx, OpenForm::default(), Errors::default())
        .await?
        .into_response())
}

/// Open a period: its figures asked of each organisation's submitters through the outbox.
pub async fn open(ctx: Ctx, FormData(f): FormData<OpenForm>) -> AppResult<Response> {
    let mut errors = Errors::default();
    let d = super::document(&ctx.st, ctx.p).await?.map(|(_, d)| d);
    let c = d.as_ref().and_then(|d| d.scorecard(&f.scorecard));
    if c.is_none() {
        errors.add("scorecard", "Select the scorecard");
    }
    let ends = errors.required_date(
        "ends",
        "The period's last day",
        &f.ends,
        "Enter the period's last day",
    );
    let due = errors.required_date(
        "due",
        "Due date",
        &f.due,
        "Enter the day the figures are due",
    );
    let due = errors.not_past("due", due, "The due date must be today or later");
    if let (Some(c), Some(e)) = (c, ends) {
        if !model::ends_a_period(e, c.frequency, c.year_starts) {
            errors.add(
                "ends",
                format!(
                    "{} is not the last day of a {} period of this scorecard",
                    e.format("%-d %B %Y"),
                    c.frequency.words()
                ),
            );
        } else if e.year() < 2000 || e > today() + chrono::Days::new(366) {
            errors.add(
                "ends",
                "The period's last day must be between 2000 and a year from today",
            );
        }
        if let Some(due) = due
            && due < e
        {
            errors.add(
                "due",
                "The due date must be on or after the period's last day",
            );
        }
    }
    let (Some(c), Some(ends), Some(due), true) = (c, ends, due, errors.is_empty()) else {
        let page = hub_page(&ctx, f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let label = model::period_label(ends, c.frequency, c.year_starts);
    let Some(id) = store::open_period(
        &ctx.st.db,
        &ctx.viewer.actor(),
        ctx.p,
        &c.key,
        ends,
        &label,
        due,
    )
    .await?
    else {
        let mut errors = Errors::default();
        errors.add(
            "ends",
            format!(
                "{} already has a period ending {}",
                c.title,
                ends.format("%-d %B %Y")
            ),
        );
        let page = hub_page(&ctx, f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let period = find_period(&ctx.st, ctx.p, id).await?;
    let asked = super::ask(&ctx.st, ctx.p, &period, false).await?;
    crate::web::saved(
        &ctx.st.db,
        &ctx.viewer,
        &format!(
            "Figures for {label} asked for: {asked} {} queued",
            if asked == 1 { "email" } else { "emails" }
        ),
        &format!("/scorecard/periods/{id}"),
    )
    .await
}

// ---- A period's scorecard ----

#[derive(Clone)]
pub struct RowView {
    pub row: Row,
    pub chart: String,
    /// What changed since the publication shown ("Revised since: now 2,810").
    pub since: Option<String>,
}

#[derive(Clone)]
pub struct SectionView {
    pub section: SectionCard,
    pub rows: Vec<RowView>,
    pub may_comment: bool,
    pub has_hidden: bool,
}

pub struct Outstanding {
    pub key: String,
    pub name: String,
    pub asked: usize,
    pub missing: usize,
    pub may_submit: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "scorecard/period.html")]
struct PeriodPage {
    page: Page,
    period: Period,
    card: Card,
    sections: Vec<SectionView>,
    publications: Vec<Publication>,
    /// The publication shown, when it is not the scorecard as it stands.
    shown: Option<Publication>,
    organisations: Vec<Outstanding>,
    can_manage: bool,
}

/// The trend chart of a row: its periods as bars, the hidden and missing ones said in words.
fn chart(section: &str, row: &Row, i: Option<&Indicator>) -> String {
    let mut c = BarChart::new(
        &format!("trend-{section}-{}", row.code),
        format!("{}: the last {} periods", row.name, row.trend.len()),
    );
    for pt in &row.trend {
        let (value, text) = match (&pt.cell.value, &pt.cell.hidden) {
            (Some(v), _) => (v.as_f64(), pt.cell.shown.clone()),
            (None, Some(Hidden::Small)) => (0.0, "x: a small number, not shown".to_owned()),
            (None, Some(Hidden::Secondary)) => (
                0.0,
                "x: not shown, as it would give away a small number".to_owned(),
            ),
            (None, None) => (0.0, "Not available".to_owned()),
        };
        c = c.bar(pt.label.clone(), value, text, Colour::Blue);
    }
    if row.unit == format::Unit::Percentage {
        c = c.out_of(100.0);
    }
    if let (Some(t), Some(i)) = (&row.target, i.and_then(Indicator::target)) {
        c = c.target(i.as_f64(), format!("Target: {t}"));
    }
    c.svg()
}

async fn organisations(
    ctx: &Ctx,
    d: &Document,
    period: &Period,
    missing: &BTreeMap<String, usize>,
) -> AppResult<Vec<Outstanding>> {
    let names = organisation_names(&ctx.st, ctx.p).await?;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for i in store::asked(d, &period.scorecard_key) {
        *counts.entry(i.source.as_str()).or_default() += 1;
    }
    let mut out = Vec::new();
    for (key, asked) in counts {
        out.push(Outstanding {
            key: key.to_owned(),
            name: names.get(key).cloned().unwrap_or_else(|| key.to_owned()),
            asked,
            missing: missing.get(key).copied().unwrap_or(0),
            may_submit: super::may_submit(&ctx.st, &ctx.viewer, ctx.p, key).await?,
        });
    }
    Ok(out)
}

/// The organisations this person sends figures for (none for most).
async fn my_organisations(ctx: &Ctx) -> AppResult<Vec<String>> {
    Ok(match &ctx.viewer.user {
        Some(u) => store::submits_for(&ctx.st.db, ctx.p, u.id).await?,
        None => Vec::new(),
    })
}

async fn may_comment(ctx: &Ctx, section_owner: &str) -> AppResult<bool> {
    if Permission::ManagePartnership.allows(&ctx.viewer) {
        return Ok(true);
    }
    Ok(!section_owner.is_empty()
        && super::may_submit(&ctx.st, &ctx.viewer, ctx.p, section_owner).await?)
}

/// A period's scorecard laid out: the card shown and its sections with their charts drawn.
struct LaidOut {
    card: Card,
    /// Each organisation's figures asked for the period and not yet sent.
    missing: BTreeMap<String, usize>,
    sections: Vec<SectionView>,
}

/// Lay out the scorecard as it stands (or as a publication showed it). Kept by what it is made
/// from: the document's number, the figures of the days it shows (how many, and the newest),
/// the child population, each section's commentary version and the publication shown. Figures
/// are only ever added, so a key that still matches shows what a fresh one would.
async fn laid_out(
    ctx: &Ctx,
    d: &Document,
    number: i64,
    period: &Period,
    shown: Option<&Publication>,
) -> AppResult<std::sync::Arc<LaidOut>> {
    let c = d
        .scorecard(&period.scorecard_key)
        .ok_or(AppError::NotFound)?;
    let days = card::days(c, period.ends_on);
    let figures = store::fingerprint(&ctx.st.db, ctx.p, &days).await?;
    let populations = store::populations(&ctx.st.db, ctx.p).await?;
    let notes = store::commentaries(&ctx.st.db, ctx.p, period.id).await?;
    let versions: Vec<(&String, i64)> = notes.iter().map(|(k, (_, v))| (k, *v)).collect();
    let key = format!(
        "scorecard-period:{}:{}:{number}:{figures:?}:{populations:?}:{versions:?}:{:?}",
        ctx.p.0,
        period.id,
        shown.map(|pb| pb.number)
    );
    if let Some(kept) = ctx.st.memo.get::<LaidOut>(&key) {
        return Ok(kept);
    }
    let inputs = store::inputs_with(&ctx.st.db, ctx.p, &days, populations).await?;
    let mut missing: BTreeMap<String, usize> = BTreeMap::new();
    for i in store::asked(d, &period.scorecard_key) {
        if !inputs
            .figures
            .contains_key(&(i.code.clone(), period.ends_on))
        {
            *missing.entry(i.source.clone()).or_default() += 1;
        }
    }
    let mut now = card::card(d, c, period.ends_on, &inputs);
    for s in &mut now.sections {
        if let Some((text, _)) = notes.get(&s.key) {
            s.commentary.clone_from(text);
        }
    }
    let card = match shown {
        Some(pb) => pb
            .card()
            .ok_or_else(|| AppError::Internal(format!("publication {} does not read", pb.id)))?,
        None => now.clone(),
    };
    let current: BTreeMap<&str, &Row> = now.rows().map(|(_, r)| (r.code.as_str(), r)).collect();
    let sections = card
        .sections
        .iter()
        .map(|s| SectionView {
            rows: s
                .rows
                .iter()
                .map(|r| {
                    let since = shown.and_then(|_| {
                        let was = r.cells.last()?;
                        let is = current.get(r.code.as_str())?.cells.last()?;
                        (was.shown != is.shown)
                            .then(|| format!("Revised since this publication: now {}", is.shown))
                    });
                    RowView {
                        chart: chart(&s.key, r, d.indicator(&r.code)),
                        row: r.clone(),
                        since,
                    }
                })
                .collect(),
            has_hidden: s
                .rows
                .iter()
                .any(|r| r.cells.iter().any(|c| c.hidden.is_some())),
            section: s.clone(),
            may_comment: false,
        })
        .collect();
    Ok(ctx.st.memo.keep(
        key,
        LaidOut {
            card,
            missing,
            sections,
        },
    ))
}

async fn period_page(
    ctx: &Ctx,
    period: Period,
    shown: Option<Publication>,
) -> AppResult<PeriodPage> {
    let (number, d) = super::document(&ctx.st, ctx.p)
        .await?
        .ok_or(AppError::NotFound)?;
    let laid = laid_out(ctx, &d, number, &period, shown.as_ref()).await?;
    let mut sections = laid.sections.clone();
    if shown.is_none() {
        let manages = Permission::ManagePartnership.allows(&ctx.viewer);
        let mine = if manages {
            Vec::new()
        } else {
            my_organisations(ctx).await?
        };
        for s in &mut sections {
            s.may_comment =
                manages || (!s.section.owner.is_empty() && mine.contains(&s.section.owner));
        }
    }
    let card = laid.card.clone();
    let title = match &shown {
        Some(pb) => format!(
            "{}: {} (publication {})",
            card.title, card.period, pb.number
        ),
        None => format!("{}: {}", card.title, card.period),
    };
    Ok(PeriodPage {
        page: Page::new(&ctx.viewer, title, "/scorecard"),
        organisations: organisations(ctx, &d, &period, &laid.missing).await?,
        publications: store::publications(&ctx.st.db, ctx.p, period.id).await?,
        period,
        card,
        sections,
        shown,
        can_manage: Permission::ManagePartnership.allows(&ctx.viewer),
    })
}

pub async fn period(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let period = find_period(&ctx.st, ctx.p, id).await?;
    Ok(period_page(&ctx, period, None).await?.into_response())
}

pub async fn publication(ctx: Ctx, Path((id, number)): Path<(i64, i64)>) -> AppResult<Response> {
    let period = find_period(&ctx.st, ctx.p, id).await?;
    let pb = store::publications(&ctx.st.db, ctx.p, id)
        .await?
        .into_iter()
        .find(|x| x.number == number)
        .ok_or(AppError::NotFound)?;
    Ok(period_page(&ctx, period, Some(pb)).await?.into_response())
}

// ---- The paper ----

const PAPER: &str = include_str!("../../templates/pdf/scorecard.typ");

#[derive(serde::Serialize)]
struct PaperRow {
    name: String,
    cells: Vec<String>,
    england: String,
    neighbours: String,
}

#[derive(serde::Serialize)]
struct PaperSection {
    title: String,
    columns: Vec<String>,
    rows: Vec<PaperRow>,
    commentary: Vec<String>,
}

#[derive(serde::Serialize)]
struct Paper {
    partnership: String,
    title: String,
    period: String,
    publication: i64,
    published: String,
    published_by: String,
    introduction: String,
    hidden: bool,
    sections: Vec<PaperSection>,
}

/// A publication as the paper for the board or the councillors: a tagged PDF of the scorecard
/// exactly as it was published.
pub async fn paper(ctx: Ctx, Path((id, number)): Path<(i64, i64)>) -> AppResult<Response> {
    let period = find_period(&ctx.st, ctx.p, id).await?;
    let pb = store::publications(&ctx.st.db, ctx.p, id)
        .await?
        .into_iter()
        .find(|x| x.number == number)
        .ok_or(AppError::NotFound)?;
    let card = pb
        .card()
        .ok_or_else(|| AppError::Internal(format!("publication {} does not read", pb.id)))?;
    let d = the_document(&ctx.st, ctx.p).await?;
    let partnership = ctx
        .viewer
        .current
        .as_ref()
        .map(|m| m.partnership_name.clone())
        .unwrap_or_default();
    let data = Paper {
        partnership,
        title: card.title.clone(),
        period: card.period.clone(),
        publication: pb.number,
        published: crate::calendar::uk_local(pb.published_at)
            .format("%-d %B %Y")
            .to_string(),
        published_by: pb.published_by.clone(),
        introduction: d
            .scorecard(&card.scorecard)
            .map(|c| c.introduction.clone())
            .unwrap_or_default(),
        hidden: card
            .rows()
            .any(|(_, r)| r.cells.iter().any(|c| c.hidden.is_some())),
        sections: card
            .sections
            .iter()
            .map(|s| PaperSection {
                title: s.title.clone(),
                columns: s.columns.clone(),
                rows: s
                    .rows
                    .iter()
                    .map(|r| PaperRow {
                        name: r.name.clone(),
                        cells: r
                            .cells
                            .iter()
                            .map(|c| {
                                if c.revised {
                                    format!("{} (revised)", c.shown)
                                } else {
                                    c.shown.clone()
                                }
                            })
                            .collect(),
                        england: r.england.clone(),
                        neighbours: r.neighbours.clone(),
                    })
                    .collect(),
                commentary: s
                    .commentary
                    .split("\n\n")
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
            .collect(),
    };
    let bytes = crate::pdf::make(PAPER, &data, Vec::new(), today()).await?;
    let slug = period.file_name();
    Ok(crate::pdf::private_inline(
        bytes,
        &format!("scorecard-{slug}-publication-{number}.pdf"),
    ))
}

// ---- Publishing ----

#[derive(Template, WebTemplate)]
#[template(path = "scorecard/publish.html")]
struct PublishPage {
    page: Page,
    period: Period,
    card: Card,
    organisations: Vec<Outstanding>,
    missing: usize,
    hidden: usize,
    commented: usize,
    publications: Vec<Publication>,
}

pub async fn publish_form(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let period = find_period(&ctx.st, ctx.p, id).await?;
    let d = the_document(&ctx.st, ctx.p).await?;
    let card = current_card(&ctx.st, ctx.p, &d, &period).await?;
    let current: Vec<&card::Cell> = card.rows().filter_map(|(_, r)| r.cells.last()).collect();
    let missing: BTreeMap<String, usize> = store::outstanding(&ctx.st.db, ctx.p, &d, &period)
        .await?
        .into_iter()
        .map(|(k, v)| (k, v.len()))
        .collect();
    Ok(PublishPage {
        page: Page::new(
            &ctx.viewer,
            format!("Publish {}", period.label),
            "/scorecard",
        ),
        missing: current.iter().filter(|c| c.is_missing()).count(),
        hidden: current.iter().filter(|c| c.hidden.is_some()).count(),
        commented: card
            .sections
            .iter()
            .filter(|s| !s.commentary.trim().is_empty())
            .count(),
        organisations: organisations(&ctx, &d, &period, &missing).await?,
        publications: store::publications(&ctx.st.db, ctx.p, id).await?,
        period,
        card,
    }
    .into_response())
}

pub async fn publish(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let period = find_period(&ctx.st, ctx.p, id).await?;
    let d = the_document(&ctx.st, ctx.p).await?;
    let card = current_card(&ctx.st, ctx.p, &d, &period).await?;
    let number = store::publish(&ctx.st.db, &ctx.viewer.actor(), ctx.p, &period, &card).await?;
    crate::web::saved(
        &ctx.st.db,
        &ctx.viewer,
        &format!(
            "{} published: what was published is fixed as publication {number}",
            period.label
        ),
        &format!("/scorecard/periods/{id}/publications/{number}"),
    )
    .await
}

// ---- Commentary ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CommentaryForm {
    text: String,
    version: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "scorecard/commentary.html")]
struct CommentaryPage {
    page: Page,
    period: Period,
    section: SectionCard,
    text: String,
    version: i64,
    errors: Errors,
}

/// A section of a period that this person may write the commentary of, or not found.
async fn commentable(
    ctx: &Ctx,
    id: i64,
    key: &str,
) -> AppResult<(Period, SectionCard, String, i64)> {
    let period = find_period(&ctx.st, ctx.p, id).await?;
    let d = the_document(&ctx.st, ctx.p).await?;
    let c = d
        .scorecard(&period.scorecard_key)
        .ok_or(AppError::NotFound)?;
    let s = c
        .sections
        .iter()
        .find(|s| s.key == key)
        .ok_or(AppError::NotFound)?;
    if !may_comment(ctx, &s.owner).await? {
        return Err(AppError::NotFound);
    }
    let card = current_card(&ctx.st, ctx.p, &d, &period).await?;
    let section = card
        .sections
        .into_iter()
        .find(|x| x.key == key)
        .ok_or(AppError::NotFound)?;
    let (text, version) = store::commentaries(&ctx.st.db, ctx.p, id)
        .await?
        .remove(key)
        .unwrap_or_default();
    Ok((period, section, text, version))
}

pub async fn commentary_form(
    ctx: Ctx,
    Path((id, key)): Path<(i64, String)>,
) -> AppResult<Response> {
    let (period, section, text, version) = commentable(&ctx, id, &key).await?;
    Ok(CommentaryPage {
        page: Page::new(
            &ctx.viewer,
            format!("Commentary: {}", section.title),
            "/scorecard",
        ),
        period,
        section,
        text,
        version,
        errors: Errors::default(),
    }
    .into_response())
}

pub async fn save_commentary(
    ctx: Ctx,
    Path((id, key)): Path<(i64, String)>,
    FormData(f): FormData<CommentaryForm>,
) -> AppResult<Response> {
    let (period, section, _, _) = commentable(&ctx, id, &key).await?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    let text = errors.text("text", &f.text, 5000);
    let again = |errors: Errors, status: StatusCode| {
        (
            status,
            CommentaryPage {
                page: Page::new(
                    &ctx.viewer,
                    format!("Commentary: {}", section.title),
                    "/scorecard",
                ),
                period: period.clone(),
                section: section.clone(),
                text: f.text.clone(),
                version,
                errors,
            },
        )
            .into_response()
    };
    if !errors.is_empty() {
        return Ok(again(errors, StatusCode::UNPROCESSABLE_ENTITY));
    }
    if !store::save_commentary(
        &ctx.st.db,
        &ctx.viewer.actor(),
        ctx.p,
        &period,
        &key,
        &text,
        version,
    )
    .await?
    {
        let mut errors = Errors::default();
        errors.add("text", "Someone else changed this commentary since you opened it: your text is below; copy what you need, then open the page again");
        return Ok(again(errors, StatusCode::CONFLICT));
    }
    crate::web::saved(
        &ctx.st.db,
        &ctx.viewer,
        "Commentary saved",
        &format!("/scorecard/periods/{id}#section-{key}"),
    )
    .await
}

// ---- The catalogue ----

pub struct IndicatorRow {
    pub indicator: Indicator,
    pub source: String,
    pub edition: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "scorecard/catalogue.html")]
struct CataloguePage {
    page: Page,
    number: Option<i64>,
    rows: Vec<IndicatorRow>,
    scorecards: usize,
    can_manage: bool,
    problems: Vec<Problem>,
    file_name: String,
}

async fn catalogue_page(
    ctx: &Ctx,
    problems: Vec<Problem>,
    file_name: String,
) -> AppResult<CataloguePage> {
    let doc = super::document(&ctx.st, ctx.p).await?;
    let names = organisation_names(&ctx.st, ctx.p).await?;
    let editions = store::current_editions(&ctx.st.db, ctx.p).await?;
    let rows = doc
        .iter()
        .flat_map(|(_, d)| d.all_indicators())
        .map(|i| IndicatorRow {
            source: names
                .get(&i.source)
                .cloned()
                .unwrap_or_else(|| i.source.clone()),
            edition: editions.get(&i.code).map_or(1, |e| e.edition),
            indicator: i.clone(),
        })
        .collect();
    Ok(CataloguePage {
        page: Page::new(&ctx.viewer, "Indicators", "/scorecard"),
        number: doc.as_ref().map(|(n, _)| *n),
        scorecards: doc.as_ref().map_or(0, |(_, d)| d.scorecards.len()),
        rows,
        can_manage: Permission::ManagePartnership.allows(&ctx.viewer),
        problems,
        file_name,
    })
}

pub async fn catalogue(ctx: Ctx) -> AppResult<Response> {
    Ok(catalogue_page(&ctx, Vec::new(), String::new())
        .await?
        .into_response())
}

/// A document brought in: checked whole against itself and the arrangements, kept only when it
/// has no problem.
pub async fn import(ctx: Ctx, form: axum::extract::Multipart) -> AppResult<Response> {
    let up = crate::files::Upload::read(form, ctx.st.files.limit).await?;
    let known = super::known(&ctx.st, ctx.p).await?;
    let (name, bytes) = match &up.file {
        _ if up.too_large => {
            let page = catalogue_page(
                &ctx,
                Problem::whole_file("The file is too large: a scorecard document is at most 1 MB"),
                String::new(),
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Some((n, b)) if !b.is_empty() => (crate::files::clean_name(n), b.clone()),
        _ => {
            let page = catalogue_page(
                &ctx,
                Problem::whole_file("Select a scorecard document (.toml) to upload"),
                String::new(),
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let d = match format::parse(&bytes, &known) {
        Ok(d) => d,
        Err(problems) => {
            let page = catalogue_page(&ctx, problems, name).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let done = store::import(
        &ctx.st.db,
        &ctx.viewer.actor(),
        ctx.p,
        &d,
        &text,
        &format!("imported from {name}"),
    )
    .await?;
    crate::web::saved(
        &ctx.st.db,
        &ctx.viewer,
        &format!(
            "{name} brought in as document {}: {} indicators added, {} with a new edition, {} changed, {} unchanged",
            done.number,
            done.added,
            done.new_editions.len(),
            done.changed,
            done.unchanged
        ),
        "/scorecard/indicators",
    )
    .await
}

/// The document in use as its file, as it was brought in.
pub async fn document(ctx: Ctx) -> AppResult<Response> {
    let (n, text) = store::document(&ctx.st.db, ctx.p)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"scorecard-{n}.toml\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        text,
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "scorecard/indicator.html")]
struct IndicatorPage {
    page: Page,
    i: Indicator,
    source: String,
    derived_names: Vec<String>,
    editions: Vec<Edition>,
    /// Every revision of its figures, for those who may read every record.
    figures: Option<Vec<(Figure, String)>>,
}

pub async fn indicator(ctx: Ctx, Path(code): Path<String>) -> AppResult<Response> {
    let d = the_document(&ctx.st, ctx.p).await?;
    let i = d.indicator(&code).ok_or(AppError::NotFound)?.clone();
    let names = organisation_names(&ctx.st, ctx.p).await?;
    let derived_names = i
        .derived
        .iter()
        .flat_map(|dv| [dv.numerator.as_str(), dv.denominator.as_str()])
        .filter(|c| !c.is_empty())
        .map(|c| d.indicator(c).map_or(c.to_owned(), |x| x.name.clone()))
        .collect();
    let figures = if Permission::ReadAll.allows(&ctx.viewer) {
        let editions = store::editions(&ctx.st.db, ctx.p, &code).await?;
        let rows = store::history(&ctx.st.db, ctx.p, &code)
            .await?
            .into_iter()
            .map(|f| {
                let as_of = editions
                    .iter()
                    .find(|e| e.id == f.indicator_id)
                    .and_then(Edition::indicator)
                    .unwrap_or_else(|| i.clone());
                let words = raw(&as_of, &f);
                (f, words)
            })
            .collect();
        Some(rows)
    } else {
        None
    };
    Ok(IndicatorPage {
        page: Page::new(&ctx.viewer, i.name.clone(), "/scorecard"),
        source: names
            .get(&i.source)
            .cloned()
            .unwrap_or_else(|| i.source.clone()),
        derived_names,
        editions: store::editions(&ctx.st.db, ctx.p, &code).await?,
        figures,
        i,
    }
    .into_response())
}

/// A stored figure in words, unhidden: for the business unit's and scrutineer's record only.
pub(super) fn raw(i: &Indicator, f: &Figure) -> String {
    match (f.numerator, f.denominator, f.value_milli) {
        (Some(n), Some(d), _) => format!(
            "{} of {} ({})",
            model::grouped(n),
            model::grouped(d),
            model::percentage(n, d).map_or_else(String::new, |v| card::shown(i, v))
        ),
        (Some(n), None, _) => model::grouped(n),
        (None, _, Some(v)) => card::shown(i, model::Milli(v)),
        _ => String::new(),
    }
}

// ---- Open data ----

/// Every published scorecard of the partnership as open data: the latest publication of each
/// period, small numbers hidden as published, one row per indicator and column.
pub async fn open_data(
    axum::extract::State(st): axum::extract::State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    use crate::web::export::{Cell as Out, Table};
    let pp = crate::partnerships::store::by_slug(&st.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut rows = Vec::new();
    for (period, pb) in store::published(&st.db, PartnershipId(pp.id)).await? {
        let Some(card) = pb.card() else { continue };
        for (s, r) in card.rows() {
            for (column, cell) in s.columns.iter().zip(&r.cells) {
                rows.push(vec![
                    Out::from(period.label.as_str()),
                    Out::from(Some(period.ends_on)),
                    Out::from(s.title.as_str()),
                    Out::from(r.code.as_str()),
                    Out::from(r.name.as_str()),
                    Out::from(column.as_str()),
                    Out::from(cell.shown.as_str()),
                    cell.value.map_or(Out::Empty, |v| Out::Number(v.as_f64())),
                    Out::from(match cell.hidden {
                        Some(Hidden::Small) => "small number",
                        Some(Hidden::Secondary) => "would reveal a small number",
                        None => "",
                    }),
                    Out::from(pb.number.to_string()),
                    Out::from(Some(crate::calendar::uk_local(pb.published_at).date())),
                ]);
            }
        }
    }
    crate::web::export::csv(&Table {
        name: format!("{slug}-scorecard"),
        headers: vec![
            "period",
            "period_ends",
            "section",
            "code",
            "indicator",
            "column",
            "shown",
            "value",
            "hidden",
            "publication",
            "published_on",
        ],
        rows,
    })
}

// ---- Who sends whose figures ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SubmitterForm {
    organisation: String,
    person: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "scorecard/submitters.html")]
struct SubmittersPage {
    page: Page,
    rows: Vec<(String, String, i64, String, String)>,
    organisations: Vec<(String, String)>,
    people: Vec<(String, String)>,
    form: SubmitterForm,
    errors: Errors,
}

async fn submitters_page(
    ctx: &Ctx,
    form: SubmitterForm,
    errors: Errors,
) -> AppResult<SubmittersPage> {
    let names = organisation_names(&ctx.st, ctx.p).await?;
    let rows = store::submitters(&ctx.st.db, ctx.p)
        .await?
        .into_iter()
        .map(|(org, id, name, email)| {
            (
                names.get(&org).cloned().unwrap_or_else(|| org.clone()),
                org,
                id,
                name,
                email,
            )
        })
        .collect();
    // The organisations the document asks figures of first, then the rest of the arrangements.
    let sources: Vec<String> = super::document(&ctx.st, ctx.p)
        .await?
        .map(|(_, d)| d.all_indicators().map(|i| i.source.clone()).collect())
        .unwrap_or_default();
    let mut organisations: Vec<(String, String)> = names
        .iter()
        .filter(|(k, _)| sources.contains(k))
        .map(|(k, n)| (k.clone(), n.clone()))
        .collect();
    organisations.extend(
        names
            .iter()
            .filter(|(k, _)| !sources.contains(k))
            .map(|(k, n)| (k.clone(), n.clone())),
    );
    let people = crate::accounts::store::members_of(&ctx.st.db, ctx.p)
        .await?
        .into_iter()
        .filter(|(_, u)| !u.disabled)
        .map(|(_, u)| (u.id.to_string(), format!("{} ({})", u.name, u.email)))
        .collect();
    Ok(SubmittersPage {
        page: Page::new(&ctx.viewer, "Who sends the figures", "/scorecard"),
        rows,
        organisations,
        people,
        form,
        errors,
    })
}

pub async fn submitters(ctx: Ctx) -> AppResult<Response> {
    Ok(
        submitters_page(&ctx, SubmitterForm::default(), Errors::default())
            .await?
            .into_response(),
    )
}

/// The organisation and member a form names, or every problem against its field.
async fn chosen(ctx: &Ctx, f: &SubmitterForm) -> AppResult<Result<(String, i64, String), Errors>> {
    let mut errors = Errors::default();
    let names = organisation_names(&ctx.st, ctx.p).await?;
    if !names.contains_key(&f.organisation) {
        errors.add("organisation", "Select the organisation");
    }
    let members = crate::accounts::store::members_of(&ctx.st.db, ctx.p).await?;
    let person = f
        .person
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| members.iter().find(|(_, u)| u.id == id && !u.disabled));
    if person.is_none() {
        errors.add("person", "Select the person who sends them");
    }
    Ok(match person {
        Some((_, u)) if errors.is_empty() => Ok((f.organisation.clone(), u.id, u.name.clone())),
        _ => Err(errors),
    })
}

pub async fn add_submitter(ctx: Ctx, FormData(f): FormData<SubmitterForm>) -> AppResult<Response> {
    let (org, id, name) = match chosen(&ctx, &f).await? {
        Ok(x) => x,
        Err(errors) => {
            let page = submitters_page(&ctx, f, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let added =
        store::add_submitter(&ctx.st.db, &ctx.viewer.actor(), ctx.p, &org, (id, &name)).await?;
    let message = if added {
        format!("{name} now sends these figures")
    } else {
        format!("{name} already sends these figures")
    };
    crate::web::saved(&ctx.st.db, &ctx.viewer, &message, "/scorecard/submitters").await
}

pub async fn remove_submitter(
    ctx: Ctx,
    FormData(f): FormData<SubmitterForm>,
) -> AppResult<Response> {
    let (org, id, name) = match chosen(&ctx, &f).await? {
        Ok(x) => x,
        Err(_) => return Err(AppError::NotFound),
    };
    if !store::remove_submitter(&ctx.st.db, &ctx.viewer.actor(), ctx.p, &org, (id, &name)).await? {
        return Err(AppError::NotFound);
    }
    crate::web::saved(
        &ctx.st.db,
        &ctx.viewer,
        &format!("{name} no longer sends these figures"),
        "/scorecard/submitters",
    )
    .await
}

// ---- Home-page tasks ----

/// What the scorecard asks of this person: figures their organisation has still to send; for
/// the business unit, a period to publish.
pub async fn tasks(
    st: &AppState,
    viewer: &Viewer,
    p: PartnershipId,
) -> AppResult<Vec<crate::web::tasks::Task>> {
    use crate::web::tasks::Task;
    let Some(user) = &viewer.user else {
        return Ok(Vec::new());
    };
    let mine = store::submits_for(&st.db, p, user.id).await?;
    let manage = Permission::ManagePartnership.allows(viewer);
    if mine.is_empty() && !manage {
        return Ok(Vec::new());
    }
    let mut open = Vec::new();
    for period in store::periods(&st.db, p).await? {
        if store::publications(&st.db, p, period.id).await?.is_empty() {
            open.push(period);
        }
    }
    if open.is_empty() {
        return Ok(Vec::new());
    }
    let Some((_, d)) = super::document(st, p).await? else {
        return Ok(Vec::new());
    };
    let names = organisation_names(st, p).await?;
    let cal = crate::calendar::store::current(&st.db).await?;
    let t = today();
    let mut out = Vec::new();
    for period in open {
        let outstanding = store::outstanding(&st.db, p, &d, &period).await?;
        for org in &mine {
            if let Some(codes) = outstanding.get(org) {
                out.push(Task::due(
                    format!(
                        "Send {}'s scorecard figures for {}: {} to send",
                        names.get(org).map_or(org.as_str(), String::as_str),
                        period.label,
                        codes.len()
                    ),
                    format!("/scorecard/periods/{}/organisations/{org}", period.id),
                    "Scorecard",
                    period.due_on,
                    (t, &cal, 3),
                ));
            }
        }
        if manage {
            out.push(Task::due(
                format!("Publish the scorecard for {}", period.label),
                format!("/scorecard/periods/{}/publish", period.id),
                "Scorecard",
                cal.add_working_days(period.due_on, 5),
                (t, &cal, 3),
            ));
        }
    }
    Ok(out)
}
