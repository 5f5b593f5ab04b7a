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
use crate::web::chart::{BarChart, Colour, counted};
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

/// Whether this person owns the action (through their account).
fn owns(viewer: &Viewer, a: &Action) -> bool {
    a.owner_user_id
        .is_some_and(|o| viewer.user.as_ref().is_some_and(|u| u.id == o))
}

/// Who may record progress on an action: the business unit, and its owner (who may mark it
/// done, add notes and evidence, but neither move its due date nor cancel it).
fn may_update(viewer: &Viewer, a: &Action) -> bool {
    Permission::ManagePartnership.allows(viewer) || owns(viewer, a)
}

/// An action this person may record progress on: refused unless they are the business unit or
/// its owner, then not found if there is no such action.
async fn updatable(st: &AppState, viewer: &Viewer, id: i64) -> AppResult<Action> {
    let a = store::get(&st.db, viewer.tenant()?, id).await?;
    match a {
        Some(a) if may_update(viewer, &a) => Ok(a),
        _ if !Permission::ManagePartnership.allows(viewer) => Err(AppError::Forbidden),
        _ => Err(AppError::NotFound),
    }
}

/// An action this person may see: whatever they own (a practitioner too), and otherwise those
/// of the tracker they may see, not found when they may not. Someone outside governance who
/// does not own it is refused, as the tracker refuses them.
pub async fn visible_action(st: &AppState, viewer: &Viewer, id: i64) -> AppResult<Action> {
    let p = viewer.tenant()?;
    let a = store::get(&st.db, p, id).await?;
    if let Some(a) = a.as_ref().filter(|a| owns(viewer, a)) {
        return Ok(a.clone());
    }
    if !Permission::Governance.allows(viewer) {
        return Err(AppError::Forbidden);
    }
    let a = a.ok_or(AppError::NotFound)?;
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
    /// The open actions by where they stand, drawn beside the same numbers in a table.
    chart: String,
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
        // "Yours": the actions this person owns through their account.
        owned_by: viewer
            .user
            .as_ref()
            .map(|u| u.id)
            .filter(|_| q.show == "mine"),
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
    let chart = rag_chart(counts);
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
        chart,
        total,
        number,
        query,
    }
    .into_response())
}

/// The tracker's RAG as a bar chart: overdue, due soon and on track, each with its count.
fn rag_chart((red, amber, green): (i64, i64, i64)) -> String {
    let bar = |c: BarChart, rag: Rag, n: i64, colour| {
        let n = u64::try_from(n).unwrap_or(0);
        c.bar(
            rag.label(),
            n as f64,
            counted(n, "action", "actions"),
            colour,
        )
    };
    let c = BarChart::new("rag-chart", "Open actions by where they stand");
    let c = bar(c, Rag::Red, red, Colour::Red);
    let c = bar(c, Rag::Amber, amber, Colour::Yellow);
    bar(c, Rag::Green, green, Colour::Green).svg()
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
    /// The owner or the business unit: the progress and evidence forms.
    can_update: bool,
    /// The business unit: the due date, cancelling, escalating and the history.
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
    let a_of_page = a.clone();
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
        can_update: may_update(viewer, &a_of_page),
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
    let a = updatable(&st, &viewer, id).await?;
    let version = crate::web::forms::version(&f.version)?;
    let was = a.status;
    // The owner reports; moving the due date, cancelling and escalating are the business
    // unit's (the body agrees them).
    let manage = Permission::ManagePartnership.allows(&viewer);
    let mut refused = Errors::default();
    if !manage {
        if f.status.trim() == "cancelled" {
            refused.add(
                "status",
                "Only the business unit can cancel an action: say in the progress note why it should be",
            );
        }
        if crate::web::forms::read_date("Due date", &f.due)
            .ok()
            .flatten()
            != Some(a.due)
        {
            refused.add(
                "due",
                "Only the business unit can move the due date: say in the progress note why it should move",
            );
        }
    }
    if !refused.is_empty() {
        let page = action_page(&st, &viewer, a, Some(f), refused).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let typed = model::ProgressTyped {
        status: &f.status,
        due: &f.due,
        note: &f.note,
        escalate: manage && f.escalate == "yes",
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
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> AppResult<Response> {
    // Who may is settled before the body is read.
    let a = updatable(&st, &viewer, id).await?;
    let form = form.map_err(|_| {
        AppError::BadRequest("The upload could not be read. Go back and try again.".into())
    })?;
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
    let e = store::EVIDENCE.find(&st.db, p, id).await?;
    // Outside governance only an owner may ask, so anyone else is refused whatever the id.
    let Some(e) = e else {
        return Err(if Permission::Governance.allows(&viewer) {
            AppError::NotFound
        } else {
            AppError::Forbidden
        });
    };
    visible_action(&st, &viewer, e.record_id).await?;
    st.files.serve(&st.db, p, e.file.id).await
}

/// Someone with an account in the partnership who can own an action: they then see it on
/// their home page and in their tracker, and update it themselves.
#[derive(Clone, Debug)]
pub struct Owner {
    pub user_id: i64,
    pub name: String,
    pub organisation: String,
}

/// Who an action can be given to, for an owner picker: `(id, "Name, Organisation")`.
pub async fn owner_choices(st: &AppState, p: PartnershipId) -> AppResult<Vec<(String, String)>> {
    Ok(crate::accounts::store::members_of(&st.db, p)
        .await?
        .into_iter()
        .filter(|(_, u)| !u.disabled)
        .map(|(ms, u)| {
            let label = if ms.organisation.is_empty() {
                u.name.clone()
            } else {
                format!("{}, {}", u.name, ms.organisation)
            };
            (u.id.to_string(), label)
        })
        .collect())
}

/// The owner picked, if any: `Err` when the choice is not someone in this partnership (an id
/// from elsewhere, or made up).
pub async fn chosen_owner(
    st: &AppState,
    p: PartnershipId,
    picked: &str,
) -> AppResult<Result<Option<Owner>, &'static str>> {
    let picked = picked.trim();
    if picked.is_empty() {
        return Ok(Ok(None));
    }
    let Ok(id) = picked.parse::<i64>() else {
        return Ok(Err(
            "Select someone in the partnership, or leave it for someone without an account",
        ));
    };
    let found = crate::accounts::store::members_of(&st.db, p)
        .await?
        .into_iter()
        .find(|(_, u)| u.id == id && !u.disabled);
    Ok(match found {
        Some((ms, u)) => Ok(Some(Owner {
            user_id: u.id,
            name: u.name,
            organisation: ms.organisation,
        })),
        None => {
            Err("Select someone in the partnership, or leave it for someone without an account")
        }
    })
}

/// What the tracker asks of each person for their home page: the open actions they own, each
/// with its countdown; and of those who follow every action (the business unit, the
/// scrutineer), the overdue actions they may see, as one task.
pub async fn tasks(
    st: &AppState,
    viewer: &Viewer,
    p: PartnershipId,
) -> AppResult<Vec<crate::web::tasks::Task>> {
    let mut out = Vec::new();
    if let Some(u) = viewer.user.as_ref() {
        let mine = Filter {
            owned_by: Some(u.id),
            open_only: true,
            ..Filter::default()
        };
        let (rules, _) = crate::partnerships::rules::rules(&st.db, p).await?;
        let cal = crate::calendar::store::current(&st.db).await?;
        for a in store::list(&st.db, p, &mine).await? {
            out.push(crate::web::tasks::Task::due(
                format!("Your action: {}", a.title),
                format!("/actions/{}", a.id),
                "Actions",
                a.due,
                (today(), &cal, rules.amber_working_days),
            ));
        }
    }
    if !crate::web::permissions::Permission::ReadAll.allows(viewer) {
        return Ok(out);
    }
    let t = today();
    let f = Filter {
        overdue_on: Some(t),
        within: within(st, viewer).await?,
        ..Filter::default()
    };
    let overdue = store::list(&st.db, p, &f).await?;
    let Some(oldest) = overdue.iter().map(|a| a.due).min() else {
        return Ok(out);
    };
    let cal = crate::calendar::store::current(&st.db).await?;
    let n = overdue.len();
    out.push(crate::web::tasks::Task::due(
        format!(
            "Follow up {n} overdue {}",
            if n == 1 { "action" } else { "actions" }
        ),
        "/actions?show=overdue".into(),
        "Actions",
        oldest,
        (t, &cal, 0),
    ));
    Ok(out)
}
