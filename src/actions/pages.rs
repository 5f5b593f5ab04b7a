//! The action tracker: every action by body, organisation, owner or overdue, one action with its
//! progress, and the "tracking decisions" report (page and CSV) as the Plymouth scrutiny seed
//! lays it out.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::model::{self, Rag};
use super::store::{self, Action, Filter, Note};
use crate::state::{AppState, Ctx};
use crate::store::PartnershipId;
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;

use crate::calendar::today;

/// An action as listed, with its RAG and its body's name.
pub struct Row {
    pub a: Action,
    pub rag: Rag,
    pub body: String,
}

async fn body_names(st: &AppState, p: PartnershipId) -> AppResult<Vec<(String, String)>> {
    Ok(crate::arrangements::store::names(&st.db, p, "body").await?)
}

async fn rows(st: &AppState, p: PartnershipId, actions: Vec<Action>) -> AppResult<Vec<Row>> {
    let (rules, _) = crate::partnerships::rules::rules(&st.db, p).await?;
    let cal = crate::calendar::store::current(&st.db).await?;
    let names = body_names(st, p).await?;
    let t = today();
    Ok(actions
        .into_iter()
        .map(|a| Row {
            rag: model::rag(a.due, a.status, t, rules.amber_working_days, &cal),
            body: names
                .iter()
                .find(|(k, _)| *k == a.body_key)
                .map_or_else(|| a.body_key.clone(), |(_, n)| n.clone()),
            a,
        })
        .collect())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TrackerQuery {
    body: String,
    organisation: String,
    owner: String,
    show: String,
    page: String,
}

/// What of the tracker this person may see (see `crate::access`).
pub async fn within(st: &AppState, viewer: &Viewer) -> AppResult<Option<store::Within>> {
    Ok(store::Within::of(
        &crate::access::Sight::of(&st.db, viewer).await?,
    ))
}

/// An action this person may see, or not found.
pub async fn visible_action(st: &AppState, viewer: &Viewer, id: i64) -> AppResult<Action> {
    let p = viewer.tenant()?;
    let a = store::get(&st.db, p, id).await?.ok_or(AppError::NotFound)?;
    if !store::visible(&st.db, p, id, within(st, viewer).await?.as_ref()).await? {
        return Err(AppError::NotFound);
    }
    Ok(a)
}

/// Actions shown on one page of the tracker.
const PER_PAGE: i64 = 50;

#[derive(Template, WebTemplate)]
#[template(path = "actions/tracker.html")]
struct TrackerPage {
    page: Page,
    q: TrackerQuery,
    rows: Vec<Row>,
    bodies: Vec<(String, String)>,
    organisations: Vec<String>,
    owners: Vec<String>,
    counts: (i64, i64, i64),
    total: i64,
    number: i64,
    pages: i64,
    query: String,
}

pub async fn tracker(
    Ctx { st, viewer, p }: Ctx,
    Query(q): Query<TrackerQuery>,
) -> AppResult<Response> {
    let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let f = Filter {
        body: some(&q.body),
        organisation: some(&q.organisation),
        owner: some(&q.owner),
        overdue_on: (q.show == "overdue").then(today),
        open_only: q.show == "open",
        source: None,
        source_kind: None,
        open_or_due_from: None,
        within: within(&st, &viewer).await?,
    };
    let number = crate::web::forms::page_number(&q.page)?;
    let (list, total) = store::page(&st.db, p, &f, PER_PAGE, (number - 1) * PER_PAGE).await?;
    let (rules, _) = crate::partnerships::rules::rules(&st.db, p).await?;
    let cal = crate::calendar::store::current(&st.db).await?;
    let t = today();
    let counts = store::rag_counts(
        &st.db,
        p,
        t,
        model::amber_until(t, rules.amber_working_days, &cal),
        f.within.as_ref(),
    )
    .await?;
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("body", &q.body)
        .append_pair("organisation", &q.organisation)
        .append_pair("owner", &q.owner)
        .append_pair("show", &q.show)
        .finish();
    Ok(TrackerPage {
        page: Page::new(&viewer, "Actions", "/actions"),
        bodies: body_names(&st, p).await?,
        rows: rows(&st, p, list).await?,
        organisations: store::distinct(&st.db, p, true, f.within.as_ref()).await?,
        owners: store::distinct(&st.db, p, false, f.within.as_ref()).await?,
        pages: (total + PER_PAGE - 1) / PER_PAGE,
        q,
        counts,
        total,
        number,
        query,
    }
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProgressForm {
    version: String,
    status: String,
    due: String,
    note: String,
    escalate: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "actions/action.html")]
struct ActionPage {
    page: Page,
    r: Row,
    notes: Vec<Note>,
    evidence: Vec<crate::files::Attachment>,
    limit: String,
    form: ProgressForm,
    errors: Errors,
    can_manage: bool,
}

async fn action_page(
    st: &AppState,
    viewer: &Viewer,
    a: Action,
    form: Option<ProgressForm>,
    errors: Errors,
) -> AppResult<ActionPage> {
    let p = viewer.tenant()?;
    let notes = store::notes(&st.db, p, a.id).await?;
    let form = form.unwrap_or_else(|| ProgressForm {
        version: a.version.to_string(),
        status: a.status.to_string(),
        due: a.due.to_string(),
        note: String::new(),
        escalate: String::new(),
    });
    let r = rows(st, p, vec![a])
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok(ActionPage {
        page: Page::new(viewer, format!("Action: {}", r.a.title), "/actions"),
        evidence: store::EVIDENCE.list(&st.db, p, &[r.a.id]).await?,
        limit: st.files.limit_text(),
        r,
        notes,
        form,
        errors,
        can_manage: Permission::ManagePartnership.allows(viewer),
    })
}

pub async fn action(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let a = visible_action(&st, &viewer, id).await?;
    Ok(action_page(&st, &viewer, a, None, Errors::default())
        .await?
        .into_response())
}

pub async fn update(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<ProgressForm>,
) -> AppResult<Response> {
    let a = store::get(&st.db, p, id).await?.ok_or(AppError::NotFound)?;
    let version = crate::web::forms::version(&f.version)?;
    let was = a.status;
    let typed = model::ProgressTyped {
        status: &f.status,
        due: &f.due,
        note: &f.note,
        escalate: f.escalate == "yes",
    };
    let change = match model::Progress::parse(&typed, was) {
        Ok(change) => change,
        Err(problems) => {
            let mut errors = Errors::default();
            for (field, message) in problems {
                errors.add(field, message);
            }
            let page = action_page(&st, &viewer, a, Some(f), errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    match store::progress(&st.db, &viewer.actor(), p, id, version, &change).await? {
        Ok(()) => {
            crate::web::saved(&st.db, &viewer, "Action updated", &format!("/actions/{id}")).await
        }
        Err(stale) => {
            let now = store::get(&st.db, p, id).await?.ok_or(AppError::NotFound)?;
            let mut errors = Errors::default();
            errors.add("status", stale);
            let mut form = f;
            form.version = now.version.to_string();
            let page = action_page(&st, &viewer, now, Some(form), errors).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

// ---- The tracking decisions report ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportQuery {
    body: String,
    /// `all` for every action ever; otherwise open ones and those due in the last year.
    period: String,
}

/// The report's period: open actions and those due in the last year, unless all are asked for.
fn report_from(q: &ReportQuery) -> Option<NaiveDate> {
    (q.period != "all").then(|| today() - chrono::Duration::days(365))
}

/// One row of the report: minute number, resolution, target date, officer, progress.
pub struct ReportRow {
    pub reference: String,
    pub resolution: String,
    pub target: NaiveDate,
    pub officer: String,
    pub progress: String,
    pub rag: Rag,
}

async fn report_rows(st: &AppState, viewer: &Viewer, q: &ReportQuery) -> AppResult<Vec<ReportRow>> {
    let p = viewer.tenant()?;
    let f = Filter {
        body: Some(q.body.clone()).filter(|b| !b.is_empty()),
        open_or_due_from: report_from(q),
        within: within(st, viewer).await?,
        ..Filter::default()
    };
    let notes = store::latest_notes(&st.db, p, report_from(q)).await?;
    Ok(rows(st, p, store::list(&st.db, p, &f).await?)
        .await?
        .into_iter()
        .map(|r| {
            let progress = match (notes.get(&r.a.id), r.a.status.as_str()) {
                (Some(n), _) => format!("{} ({})", n.note, n.noted_on.format("%-d %B %Y")),
                (None, "done") => "Complete".into(),
                (None, _) => String::new(),
            };
            let officer = if r.a.owner_organisation.is_empty() {
                r.a.owner_name.clone()
            } else {
                format!("{}, {}", r.a.owner_name, r.a.owner_organisation)
            };
            ReportRow {
                reference: r.a.reference.clone(),
                resolution: r.a.title.clone(),
                target: r.a.due,
                officer,
                progress,
                rag: r.rag,
            }
        })
        .collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "actions/tracking.html")]
struct TrackingPage {
    page: Page,
    body: String,
    bodies: Vec<(String, String)>,
    rows: Vec<ReportRow>,
    from: Option<NaiveDate>,
    query: String,
}

pub async fn tracking(
    Ctx { st, viewer, p }: Ctx,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    Ok(TrackingPage {
        page: Page::new(&viewer, "Tracking decisions", "/actions"),
        rows: report_rows(&st, &viewer, &q).await?,
        bodies: body_names(&st, p).await?,
        from: report_from(&q),
        query: url::form_urlencoded::Serializer::new(String::new())
            .append_pair("body", &q.body)
            .append_pair("period", &q.period)
            .finish(),
        body: q.body,
    }
    .into_response())
}

/// The tracking decisions report as a table to take away: the columns the Plymouth seed uses.
fn tracking_table(rows: &[ReportRow]) -> crate::web::export::Table {
    crate::web::export::Table {
        name: "tracking-decisions".into(),
        headers: vec![
            "Minute",
            "Resolution",
            "Target date",
            "Officer responsible",
            "Progress",
            "Status",
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.reference.as_str().into(),
                    r.resolution.as_str().into(),
                    Some(r.target).into(),
                    r.officer.as_str().into(),
                    r.progress.as_str().into(),
                    r.rag.label().into(),
                ]
            })
            .collect(),
    }
}

/// The same report as CSV, through the one export (formula cells defused).
pub async fn tracking_csv(
    State(st): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let rows = report_rows(&st, &viewer, &q).await?;
    crate::web::export::csv(&tracking_table(&rows))
}

/// The same report as a spreadsheet, dates as dates.
pub async fn tracking_xlsx(
    State(st): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let rows = report_rows(&st, &viewer, &q).await?;
    crate::web::export::xlsx(&tracking_table(&rows))
}

/// Attach evidence to an action: a file checked by its content, kept by the storage layer.
pub async fn add_evidence(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    let a = store::get(&st.db, p, id).await?.ok_or(AppError::NotFound)?;
    let up = crate::files::Upload::read(form, st.files.limit).await?;
    let mut errors = Errors::default();
    let description = errors.text("description", up.field("description"), 1000);
    let file = errors.check("evidence", up.checked(&st.files));
    let Some(file) = file.filter(|_| errors.is_empty()) else {
        let page = action_page(&st, &viewer, a, None, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    store::add_evidence(
        &st.db,
        &st.files,
        &viewer.actor(),
        p,
        &a,
        &description,
        file,
    )
    .await?;
    crate::web::saved(
        &st.db,
        &viewer,
        "Evidence attached",
        &format!("/actions/{id}#evidence-section"),
    )
    .await
}

/// Download a piece of an action's evidence.
pub async fn evidence(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let e = store::EVIDENCE
        .find(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    visible_action(&st, &viewer, e.record_id).await?;
    st.files.serve(&st.db, p, e.file.id).await
}

/// What the tracker asks of those who follow every action (the business unit, the
/// scrutineer) for their home page: the overdue actions they may see, as one task.
pub async fn tasks(
    st: &AppState,
    viewer: &Viewer,
    p: PartnershipId,
) -> AppResult<Vec<crate::web::tasks::Task>> {
    if !crate::web::permissions::Permission::ReadAll.allows(viewer) {
        return Ok(Vec::new());
    }
    let t = today();
    let f = Filter {
        overdue_on: Some(t),
        within: within(st, viewer).await?,
        ..Filter::default()
    };
    let overdue = store::list(&st.db, p, &f).await?;
    let Some(oldest) = overdue.iter().map(|a| a.due).min() else {
        return Ok(Vec::new());
    };
    let cal = crate::calendar::store::current(&st.db).await?;
    let n = overdue.len();
    Ok(vec![crate::web::tasks::Task::due(
        format!(
            "Follow up {n} overdue {}",
            if n == 1 { "action" } else { "actions" }
        ),
        "/actions?show=overdue".into(),
        "Actions",
        oldest,
        (t, &cal, 0),
    )])
}
