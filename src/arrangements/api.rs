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

/// A rotating chair as it stands on the day, derived from the rotation.
#[derive(Serialize, ToSchema)]
pub struct RotationOut {
    pub holder: String,
    pub from: NaiveDate,
    pub handover: NaiveDate,
    pub next: String,
}

#[derive(Serialize, ToSchema)]
pub struct BodyOut {
    pub key: String,
    /// Its name on the day (a renamed body keeps its earlier names for earlier days).
    pub name: String,
    pub kind: String,
    pub parent: Option<String>,
    pub depth: usize,
    pub chair: String,
    pub rotation: Option<RotationOut>,
    /// Members only: those in attendance are listed apart.
    pub members: Vec<MemberOut>,
    /// Who attends without being a member: never voting, not counted for the quorum.
    pub in_attendance: Vec<MemberOut>,
    /// The bodies that replaced it, when it has ended.
    pub successors: Vec<String>,
    /// The collaboration that shares it, by key, and in words with whom or who holds it.
    pub collaboration: Option<String>,
    pub shared: String,
    /// Held by another partnership on this host for a collaboration with this one.
    pub held_elsewhere: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CollaborationPartnerOut {
    pub name: String,
    /// Its slug, when it is on this host.
    pub slug: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CollaborationOut {
    pub key: String,
    pub name: String,
    pub partners: Vec<CollaborationPartnerOut>,
    /// The slug of the partnership holding the shared bodies, when not this one.
    pub host: Option<String>,
    pub shared_bodies: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PartnerOut {
    pub organisation: String,
    /// For a statutory partner its role (`local-authority`, `health`, `police`); for an
    /// additional partner its sector.
    pub role: String,
    pub description: String,
}

#[derive(Serialize, ToSchema)]
pub struct StructureOut {
    pub date: NaiveDate,
    /// The edition of Working Together the arrangements followed on the day.
    pub guidance: String,
    /// The three statutory partners the law names (only they sign off what the law asks).
    pub statutory_partners: Vec<PartnerOut>,
    /// The partners the partnership chose beside them.
    pub additional_partners: Vec<PartnerOut>,
    pub collaborations: Vec<CollaborationOut>,
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
    let member = |m: view::MemberView| MemberOut {
        organisation: m.organisation,
        representative: m.who,
        role: m.role,
        voting: m.voting,
    };
    let bodies = super::store::structure(&st.db, &a)
        .await?
        .into_iter()
        .map(|v| BodyOut {
            key: v.body.key,
            name: v.body.name,
            kind: v.body.kind,
            parent: v.body.parent,
            depth: v.depth,
            chair: v.chair,
            rotation: v.rotation.map(|r| RotationOut {
                holder: r.holder,
                from: r.from,
                handover: r.handover,
                next: r.next,
            }),
            members: v.members.into_iter().map(member).collect(),
            in_attendance: v.in_attendance.into_iter().map(member).collect(),
            successors: v.body.successors,
            collaboration: v.collaboration,
            shared: v.shared,
            held_elsewhere: v.guest,
        })
        .collect();
    let names = Names::new(&a.organisations, &a.posts);
    Ok(Json(StructureOut {
        date: day,
        guidance: a
            .partnership
            .edition_on(day)
            .map(|e| e.guidance.clone())
            .unwrap_or_default(),
        statutory_partners: a
            .statutory_partners
            .iter()
            .map(|s| PartnerOut {
                organisation: names.organisation(&s.organisation),
                role: s.role.clone(),
                description: String::new(),
            })
            .collect(),
        additional_partners: a
            .additional_partners
            .iter()
            .map(|s| PartnerOut {
                organisation: names.organisation(&s.organisation),
                role: s.sector.clone(),
                description: s.description.clone(),
            })
            .collect(),
        collaborations: a
            .collaborations
            .iter()
            .map(|c| CollaborationOut {
                key: c.key.clone(),
                name: c.name.clone(),
                partners: c
                    .partners
                    .iter()
                    .map(|p| CollaborationPartnerOut {
                        name: p.name.clone(),
                        slug: p.slug.clone(),
                    })
                    .collect(),
                host: c.host.clone(),
                shared_bodies: c.shared_bodies.clone(),
            })
            .collect(),
        bodies,
    }))
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
