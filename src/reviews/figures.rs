//! The figures for the yearly report over any period, and the review dashboard taken away as
//! CSV or XLSX.

use crate::web::forms::QueryData;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::cases::{self, CaseSight, today};
use super::model::{self, Facts, Figures, RapidReviewFrom};
use crate::args;
use crate::state::AppState;
use crate::store::{Action, PartnershipId, RecordRef, StoreResult};
use crate::web::error::AppResult;
use crate::web::export::{Cell, Table};
use crate::web::forms::Errors;
use crate::web::page::Page;
use crate::web::viewer::Viewer;

/// What the report needs of every case the person may read (the figures of cases they may
/// not open would tell them about those cases).
async fn facts(st: &AppState, cases: &[cases::Case]) -> AppResult<Vec<Facts>> {
    let editions = super::store::editions(&st.db).await?;
    let cal = crate::calendar::store::current(&st.db).await?;
    let mut out = Vec::new();
    for c in cases {
        let Some(e) = editions.iter().find(|e| e.key == c.edition_key) else {
            continue;
        };
        let dates = c.dates();
        out.push(Facts {
            due: model::deadlines(e, &dates, &cal),
            rapid_from: match e.rapid_review_from {
                RapidReviewFrom::Awareness => Some(c.aware_on),
                RapidReviewFrom::Notification => c.notified_on,
            },
            dates,
            decision: c.decision.clone(),
            decided: c.decided_on,
            published: c.published_on,
        });
    }
    Ok(out)
}

/// Every recommendation of these cases: the day it was recorded and where its loop stands.
async fn loops(
    st: &AppState,
    p: PartnershipId,
    cases: &[cases::Case],
) -> AppResult<Vec<(NaiveDate, model::Loop)>> {
    let created: Vec<(i64, DateTime<Utc>)> = st
        .db
        .fetch_all(
            "SELECT id, created_at FROM review_recommendations WHERE partnership_id = $1",
            args![p],
        )
        .await?
        .iter()
        .map(|r| Ok((r.get("id")?, r.get("created_at")?)))
        .collect::<StoreResult<_>>()?;
    let recs: Vec<_> = super::learning::recommendations(&st.db, p, None)
        .await?
        .into_iter()
        .filter(|r| cases.iter().any(|c| c.id == r.case_id))
        .collect();
    Ok(super::learning::tracked(&st.db, p, recs)
        .await?
        .into_iter()
        .filter_map(|t| {
            created
                .iter()
                .find(|(id, _)| *id == t.r.id)
                .map(|(_, at)| (crate::calendar::uk_local(*at).date(), t.state))
        })
        .collect())
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
pub struct Period {
    /// The first day, like 2026-04-01 (default: the start of this financial year).
    from: String,
    /// The last day, like 2027-03-31 (default: the end of this financial year).
    to: String,
}

/// The period asked for; by default the financial year so far (April to March).
fn period(q: &Period, errors: &mut Errors) -> (NaiveDate, NaiveDate) {
    let year = crate::meetings::model::financial_year(today());
    let start = NaiveDate::from_ymd_opt(year, 4, 1).unwrap_or_default();
    let end = NaiveDate::from_ymd_opt(year + 1, 3, 31).unwrap_or_default();
    let mut day = |field: &str, label: &str, v: &str, default: NaiveDate| {
        errors.date(field, label, v).unwrap_or(default)
    };
    let from = day("from", "The start date", &q.from, start);
    let to = day("to", "The end date", &q.to, end);
    if to < from {
        errors.add("to", "The end of the period must be on or after its start");
    }
    (from, to)
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/figures.html")]
struct FiguresPage {
    page: Page,
    from: NaiveDate,
    to: NaiveDate,
    q_from: String,
    q_to: String,
    f: Figures,
    errors: Errors,
    /// The shares done in time, and the decisions, as charts (each under its heading) beside
    /// the table.
    charts: Vec<(&'static str, String)>,
}

/// The figures people look at rather than read: how much was done within its deadline, and
/// what was decided.
fn figure_charts(f: &Figures) -> Vec<(&'static str, String)> {
    use crate::web::chart::{BarChart, Colour, counted};
    let share = |c: BarChart, label: &str, done: usize, of: usize| {
        let value = if of == 0 {
            0.0
        } else {
            done as f64 * 100.0 / of as f64
        };
        let text = if of == 0 {
            "none in the period".to_owned()
        } else {
            Figures::share(done, of)
        };
        c.bar(label, value, text, Colour::Blue)
    };
    const ON_TIME: &str = "Done within the deadline";
    const DECISIONS: &str = "Decisions in the period";
    let on_time = BarChart::new("on-time-chart", ON_TIME).out_of(100.0);
    let on_time = share(
        on_time,
        "Notifications to the Panel on time",
        f.notified_on_time,
        f.notifications,
    );
    let on_time = share(
        on_time,
        "Rapid reviews completed on time",
        f.rapid_on_time,
        f.rapid_reviews,
    );
    let on_time = share(
        on_time,
        "Local reviews published within six months",
        f.published_on_time,
        f.local_published,
    );
    let decisions = f.decisions.iter().fold(
        BarChart::new("decisions-chart", DECISIONS),
        |c, (label, n)| {
            c.bar(
                *label,
                *n as f64,
                counted(*n as u64, "case", "cases"),
                Colour::Blue,
            )
        },
    );
    vec![(ON_TIME, on_time.svg()), (DECISIONS, decisions.svg())]
}

/// The figures over the cases this person may read.
async fn compute(
    st: &AppState,
    viewer: &Viewer,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Figures> {
    let p = viewer.tenant()?;
    let sight = CaseSight::of(&st.db, viewer).await?;
    let readable: Vec<cases::Case> = cases::list(&st.db, p)
        .await?
        .into_iter()
        .filter(|c| sight.case(c))
        .collect();
    let cal = crate::calendar::store::current(&st.db).await?;
    Ok(model::figures(
        &facts(st, &readable).await?,
        &loops(st, p, &readable).await?,
        from,
        to,
        &cal,
    ))
}

pub async fn figures(
    State(st): State<AppState>,
    viewer: Viewer,
    QueryData(q): QueryData<Period>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    let (from, to) = period(&q, &mut errors);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let f = compute(&st, &viewer, from, to).await?;
    Ok((
        status,
        FiguresPage {
            page: Page::new(&viewer, "Serious case figures", "/reviews"),
            from,
            to,
            q_from: q.from,
            q_to: q.to,
            charts: figure_charts(&f),
            f,
            errors,
        },
    )
        .into_response())
}

fn figures_table(f: &Figures, from: NaiveDate, to: NaiveDate) -> Table {
    let n = |x: usize| Cell::Number(x as f64);
    let mut rows = vec![
        vec!["Notifications to the Panel".into(), n(f.notifications)],
        vec!["Notified within the deadline".into(), n(f.notified_on_time)],
        vec!["Rapid reviews completed".into(), n(f.rapid_reviews)],
        vec!["Rapid reviews completed on time".into(), n(f.rapid_on_time)],
    ];
    for (label, count) in &f.decisions {
        rows.push(vec![format!("Decision: {label}").into(), n(*count)]);
    }
    rows.push(vec![
        "Local reviews commissioned".into(),
        n(f.local_commissioned),
    ]);
    rows.push(vec!["Local reviews published".into(), n(f.local_published)]);
    rows.push(vec![
        "Published within the deadline".into(),
        n(f.published_on_time),
    ]);
    for (label, m) in &f.medians {
        rows.push(vec![
            format!("Median working days: {label}").into(),
            m.map_or(Cell::Empty, Cell::Number),
        ]);
    }
    rows.push(vec![
        "Recommendations recorded".into(),
        n(f.recommendations),
    ]);
    rows.push(vec![
        "Recommendations with every action complete".into(),
        n(f.recommendations_actions_done),
    ]);
    Table {
        name: format!("serious-case-figures-{from}-to-{to}"),
        headers: vec!["Figure", "Value"],
        rows,
    }
}

pub async fn figures_csv(
    State(st): State<AppState>,
    viewer: Viewer,
    QueryData(q): QueryData<Period>,
) -> AppResult<Response> {
    let (from, to) = period(&q, &mut Errors::default());
    let f = compute(&st, &viewer, from, to).await?;
    crate::web::export::csv(&figures_table(&f, from, to))
}

/// The dashboard: each case the person may read, its next deadline and where it stands. The
/// export is a reading of those cases, so it is in the audit trail.
async fn dashboard(st: &AppState, viewer: &Viewer) -> AppResult<Table> {
    let p = viewer.tenant()?;
    let sight = CaseSight::of(&st.db, viewer).await?;
    let rules = cases::Rules::load(st).await?;
    let mut rows = Vec::new();
    for c in cases::list(&st.db, p).await? {
        if !sight.case(&c) {
            continue;
        }
        let t = rules.timeline(&c);
        let (step, by, status) = match t.next() {
            Some((d, rag, left)) => (
                d.step.to_owned(),
                Some(d.by),
                match *rag {
                    "red" => format!("Overdue by {} working days", -left),
                    _ => format!("{left} working days left"),
                },
            ),
            None => ("None outstanding".to_owned(), None, String::new()),
        };
        rows.push(vec![
            c.pseudonym.clone().into(),
            model::kind_label(&c.kind).into(),
            Some(c.aware_on).into(),
            c.notified_on.into(),
            c.rapid_done_on.into(),
            model::decision_label(&c.decision).into(),
            c.decided_on.into(),
            c.published_on.into(),
            step.into(),
            by.into(),
            status.into(),
        ]);
    }
    crate::store::record_event(
        &st.db,
        &viewer.actor(),
        Action::Read,
        &RecordRef::new(Some(p), "review-case", 0),
        &format!("Serious case dashboard exported ({} cases)", rows.len()),
    )
    .await?;
    Ok(Table {
        name: "serious-cases".into(),
        headers: vec![
            "Case",
            "Kind",
            "Authority aware",
            "Panel notified",
            "Rapid review completed",
            "Decision",
            "Decided",
            "Published",
            "Next step",
            "Due by",
            "Where it stands",
        ],
        rows,
    })
}

pub async fn dashboard_csv(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    crate::web::export::csv(&dashboard(&st, &viewer).await?)
}

pub async fn dashboard_xlsx(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    crate::web::export::xlsx(&dashboard(&st, &viewer).await?)
}

/// A count for one outcome or step.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CountOut {
    pub label: String,
    pub count: usize,
}

/// A median in working days, where any step was done in the period.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct MedianOut {
    pub step: String,
    pub working_days: Option<f64>,
}

/// The yearly report's figures over a period.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct FiguresOut {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub notifications: usize,
    pub notified_on_time: usize,
    pub rapid_reviews: usize,
    pub rapid_on_time: usize,
    pub decisions: Vec<CountOut>,
    pub local_reviews_commissioned: usize,
    pub local_reviews_published: usize,
    pub published_on_time: usize,
    pub medians: Vec<MedianOut>,
    pub recommendations: usize,
    pub recommendations_actions_complete: usize,
}

#[utoipa::path(get, path = "/api/v1/reviews/figures", tag = "reviews", security(("bearer" = [])), params(Period),
    responses((status = 200, description = "The figures for the yearly report over the period", body = FiguresOut), (status = 400, description = "A date that is not a real date")))]
pub async fn figures_api(
    State(st): State<AppState>,
    viewer: Viewer,
    axum::extract::Query(q): axum::extract::Query<Period>,
) -> AppResult<axum::Json<FiguresOut>> {
    let mut errors = Errors::default();
    let (from, to) = period(&q, &mut errors);
    if let Some((_, message)) = errors.list().first() {
        return Err(crate::web::error::AppError::BadRequest(message.clone()));
    }
    let f = compute(&st, &viewer, from, to).await?;
    Ok(axum::Json(FiguresOut {
        from,
        to,
        notifications: f.notifications,
        notified_on_time: f.notified_on_time,
        rapid_reviews: f.rapid_reviews,
        rapid_on_time: f.rapid_on_time,
        decisions: f
            .decisions
            .iter()
            .map(|(label, count)| CountOut {
                label: (*label).to_owned(),
                count: *count,
            })
            .collect(),
        local_reviews_commissioned: f.local_commissioned,
        local_reviews_published: f.local_published,
        published_on_time: f.published_on_time,
        medians: f
            .medians
            .iter()
            .map(|(step, m)| MedianOut {
                step: (*step).to_owned(),
                working_days: *m,
            })
            .collect(),
        recommendations: f.recommendations,
        recommendations_actions_complete: f.recommendations_actions_done,
    }))
}
