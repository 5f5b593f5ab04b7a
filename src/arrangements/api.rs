//! The arrangements in the JSON API: the same answers as the pages, for any role in the
//! partnership.

use axum::Json;
use axum::extract::{Query, State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::store::{self, AsAt};
use super::view::{self, Names};
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::viewer::Viewer;

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct DayQuery {
    /// The day (YYYY-MM-DD); today if not given.
    pub date: Option<NaiveDate>,
    /// For the reporting calendar: the key of the body reported to.
    pub to: Option<String>,
    /// For memberships ending soon: within this many days (1 to 3650; 90 if not given).
    pub days: Option<i64>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct BetweenQuery {
    /// The first day (YYYY-MM-DD).
    pub from: Option<NaiveDate>,
    /// The second day (YYYY-MM-DD); today if not given.
    pub to: Option<NaiveDate>,
}

use crate::calendar::today;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

fn query<T>(q: Q<T>) -> AppResult<T> {
    q.map(|Query(v)| v)
        .map_err(|e| AppError::BadRequest(format!("Bad query: {}", e.body_text())))
}

async fn load(st: &AppState, viewer: &Viewer, day: NaiveDate) -> AppResult<AsAt> {
    store::load_as_at(&st.db, viewer.tenant()?, day)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    pub organisation: String,
    pub representative: String,
    pub role: String,
    pub voting: bool,
}

#[derive(Serialize, ToSchema)]
pub struct BodyOut {
    pub key: String,
    pub name: String,
    pub kind: String,
    pub parent: Option<String>,
    pub depth: usize,
    pub chair: String,
    pub members: Vec<MemberOut>,
}

#[derive(Serialize, ToSchema)]
pub struct StructureOut {
    pub date: NaiveDate,
    pub bodies: Vec<BodyOut>,
}

#[utoipa::path(get, path = "/api/v1/arrangements", tag = "arrangements", security(("bearer" = [])), params(DayQuery),
    responses((status = 200, description = "The bodies in force on the day, parents first, with chairs and members", body = StructureOut), (status = 404, description = "No arrangements imported")))]
pub async fn structure(
    State(st): State<AppState>,
    viewer: Viewer,
    q: Q<DayQuery>,
) -> AppResult<Json<StructureOut>> {
    let day = query(q)?.date.unwrap_or_else(today);
    let a = load(&st, &viewer, day).await?;
    let names = Names::new(&a.organisations, &a.posts);
    let bodies = view::structure(&a.bodies, &a.memberships, &names)
        .into_iter()
        .map(|v| BodyOut {
            key: v.body.key,
            name: v.body.name,
            kind: v.body.kind,
            parent: v.body.parent,
            depth: v.depth,
            chair: v.chair,
            members: v
                .members
                .into_iter()
                .map(|m| MemberOut {
                    organisation: m.organisation,
                    representative: m.who,
                    role: m.role,
                    voting: m.voting,
                })
                .collect(),
        })
        .collect();
    Ok(Json(StructureOut { date: day, bodies }))
}

#[derive(Serialize, ToSchema)]
pub struct AgencyOut {
    pub key: String,
    pub name: String,
    pub sector: String,
    pub why: String,
    pub section_11: bool,
    pub s175_157: bool,
    pub designated_education: bool,
}

#[utoipa::path(get, path = "/api/v1/arrangements/agencies", tag = "arrangements", security(("bearer" = [])), params(DayQuery),
    responses((status = 200, description = "The relevant agencies named on the day", body = [AgencyOut])))]
pub async fn agencies(
    State(st): State<AppState>,
    viewer: Viewer,
    q: Q<DayQuery>,
) -> AppResult<Json<Vec<AgencyOut>>> {
    let a = load(&st, &viewer, query(q)?.date.unwrap_or_else(today)).await?;
    Ok(Json(
        a.organisations
            .into_iter()
            .filter(|o| o.relevant_agency)
            .map(|o| AgencyOut {
                key: o.key,
                name: o.name,
                sector: o.sector,
                why: o.why,
                section_11: o.section_11,
                s175_157: o.s175_157,
                designated_education: o.designated_education,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct CalendarOut {
    /// The body reported to.
    pub to: String,
    /// What is reported in each quarter, 1 to 4.
    pub quarters: Vec<Vec<String>>,
}

#[utoipa::path(get, path = "/api/v1/arrangements/reporting", tag = "arrangements", security(("bearer" = [])), params(DayQuery),
    responses((status = 200, description = "The reporting calendar to a body", body = CalendarOut)))]
pub async fn reporting(
    State(st): State<AppState>,
    viewer: Viewer,
    q: Q<DayQuery>,
) -> AppResult<Json<CalendarOut>> {
    let q = query(q)?;
    let a = load(&st, &viewer, q.date.unwrap_or_else(today)).await?;
    let targets = view::reporting_targets(&a.bodies);
    let to = match q.to {
        Some(t) if targets.iter().any(|b| b.key == t) => t,
        Some(t) => {
            return Err(AppError::BadRequest(format!(
                "{t} has no reporting calendar"
            )));
        }
        None => targets
            .first()
            .map(|b| b.key.clone())
            .ok_or(AppError::NotFound)?,
    };
    let cal = view::reporting_calendar(&a.bodies, &to);
    Ok(Json(CalendarOut {
        quarters: cal
            .iter()
            .map(|q| q.iter().map(|s| (*s).to_owned()).collect())
            .collect(),
        to,
    }))
}

#[utoipa::path(get, path = "/api/v1/arrangements/gaps", tag = "arrangements", security(("bearer" = [])), params(DayQuery),
    responses((status = 200, description = "Bodies without a chair or a required member", body = [view::Gap])))]
pub async fn gaps(
    State(st): State<AppState>,
    viewer: Viewer,
    q: Q<DayQuery>,
) -> AppResult<Json<Vec<view::Gap>>> {
    let a = load(&st, &viewer, query(q)?.date.unwrap_or_else(today)).await?;
    let names = Names::new(&a.organisations, &a.posts);
    Ok(Json(view::gaps(
        &a.bodies,
        &a.memberships,
        &a.organisations,
        &names,
    )))
}

#[utoipa::path(get, path = "/api/v1/arrangements/ending", tag = "arrangements", security(("bearer" = [])), params(DayQuery),
    responses((status = 200, description = "Memberships ending soon", body = [view::Ending])))]
pub async fn ending(
    State(st): State<AppState>,
    viewer: Viewer,
    q: Q<DayQuery>,
) -> AppResult<Json<Vec<view::Ending>>> {
    let q = query(q)?;
    let days = q.days.unwrap_or(90);
    if !(1..=3650).contains(&days) {
        return Err(AppError::BadRequest("days must be from 1 to 3650".into()));
    }
    let day = q.date.unwrap_or_else(today);
    let a = load(&st, &viewer, day).await?;
    let names = Names::new(&a.organisations, &a.posts);
    Ok(Json(view::ending_soon(
        &a.bodies,
        &a.memberships,
        &names,
        day,
        days,
    )))
}

#[utoipa::path(get, path = "/api/v1/arrangements/changes", tag = "arrangements", security(("bearer" = [])), params(BetweenQuery),
    responses((status = 200, description = "What changed between two days", body = [view::Change]), (status = 400, description = "Bad dates")))]
pub async fn changes(
    State(st): State<AppState>,
    viewer: Viewer,
    q: Q<BetweenQuery>,
) -> AppResult<Json<Vec<view::Change>>> {
    let q = query(q)?;
    let to = q.to.unwrap_or_else(today);
    let from = q
        .from
        .ok_or_else(|| AppError::BadRequest("from (YYYY-MM-DD) is needed".into()))?;
    if from > to {
        return Err(AppError::BadRequest(
            "from must be the same as or before to".into(),
        ));
    }
    let (b, a) = (
        load(&st, &viewer, from).await?,
        load(&st, &viewer, to).await?,
    );
    Ok(Json(view::changes(&b.entries(), &a.entries())))
}
