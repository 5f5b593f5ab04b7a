//! Training in the JSON API: the sessions to come, the caller's own bookings, booking a place
//! (an agency's system may book for the person its token belongs to), and the figures.

use axum::Json;
use axum::extract::{Path, Query};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::SessionStatus;
use super::store::{self, NotBooked, Session};
use crate::calendar::today;
use crate::state::Ctx;
use crate::web::error::{AppError, AppResult};
use crate::web::permissions::Permission;

#[derive(Serialize, ToSchema)]
pub struct TrainingSessionOut {
    pub id: i64,
    pub course_id: i64,
    pub course: String,
    pub held_on: NaiveDate,
    /// UK time, 24-hour.
    pub start_time: String,
    pub end_time: String,
    pub venue: String,
    pub capacity: i64,
    pub places_left: i64,
    pub waiting: i64,
    /// planned, open, full, closed, cancelled or delivered.
    pub status: String,
    pub cutoff_working_days: i64,
}

fn session_out(s: Session) -> TrainingSessionOut {
    let shown = s.shown(today());
    TrainingSessionOut {
        status: shown.as_str().to_owned(),
        places_left: s.places_left(),
        id: s.id,
        course_id: s.course_id,
        course: s.course_title,
        held_on: s.held_on,
        start_time: s.start_time,
        end_time: s.end_time,
        venue: s.venue,
        capacity: s.capacity,
        waiting: s.waiting,
        cutoff_working_days: s.cutoff_days,
    }
}

#[utoipa::path(get, path = "/api/v1/training/sessions", tag = "training", security(("bearer" = [])),
    responses((status = 200, description = "The sessions to come, soonest first (a planned one only for the business unit)", body = [TrainingSessionOut])))]
pub async fn sessions(Ctx { st, viewer, p }: Ctx) -> AppResult<Json<Vec<TrainingSessionOut>>> {
    let can_manage = Permission::ManagePartnership.allows(&viewer);
    Ok(Json(
        store::sessions(&st.db, p, Some(today()))
            .await?
            .into_iter()
            .filter(|s| can_manage || s.status != SessionStatus::Planned)
            .map(session_out)
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct TrainingBookingOut {
    pub id: i64,
    pub session: TrainingSessionOut,
    /// booked, waiting, offered, offer-lapsed, cancelled, cancelled-late, attended or
    /// did-not-attend.
    pub status: String,
    /// Until when an offered place is held.
    pub offer_expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[utoipa::path(get, path = "/api/v1/training/bookings", tag = "training", security(("bearer" = [])),
    responses((status = 200, description = "The caller's own bookings, latest session first", body = [TrainingBookingOut])))]
pub async fn bookings(Ctx { st, viewer, p }: Ctx) -> AppResult<Json<Vec<TrainingBookingOut>>> {
    let u = viewer.user.as_ref().ok_or(AppError::NotFound)?;
    Ok(Json(
        store::bookings_of_user(&st.db, p, u.id)
            .await?
            .into_iter()
            .map(|(b, s)| TrainingBookingOut {
                id: b.id,
                status: b.status.as_str().to_owned(),
                offer_expires_at: b.offer_expires_at,
                session: session_out(s),
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct TrainingBookedOut {
    pub id: i64,
    /// booked, or waiting when the session is full.
    pub status: String,
}

#[utoipa::path(post, path = "/api/v1/training/sessions/{id}/bookings", tag = "training", security(("bearer" = [])), params(("id" = i64, Path, description = "The session")),
    responses((status = 200, description = "A place, or a place on the waiting list, for the person the token belongs to", body = TrainingBookedOut), (status = 404, description = "No such session, or not one the caller may see"), (status = 422, description = "The session is not taking bookings, or the caller already holds a place")))]
pub async fn book(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<TrainingBookedOut>> {
    let u = viewer.user.as_ref().ok_or(AppError::NotFound)?;
    let s = super::pages::visible_session(&st, &viewer, p, id).await?;
    if !s.shown(today()).bookable() {
        return Err(AppError::Unprocessable(
            "The session is not taking bookings".into(),
        ));
    }
    match super::pages::book_and_tell(&st, &viewer, p, id, u.id).await? {
        Ok((bid, status)) => Ok(Json(TrainingBookedOut {
            id: bid,
            status: status.as_str().to_owned(),
        })),
        Err(NotBooked::Already) => Err(AppError::Unprocessable(
            "You already hold a place, or a place on the waiting list, on this session".into(),
        )),
        Err(NotBooked::NotTaking) => Err(AppError::Unprocessable(
            "The session is not taking bookings".into(),
        )),
        Err(NotBooked::NoSession) => Err(AppError::NotFound),
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct TrainingFiguresQuery {
    /// The first day of the period (yyyy-mm-dd); this year's 1 April if not given.
    pub from: Option<NaiveDate>,
    /// The last day (yyyy-mm-dd); this year's 31 March if not given.
    pub to: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct TrainingFiguresLineOut {
    pub name: String,
    pub sessions: i64,
    pub capacity: i64,
    pub booked: i64,
    pub attended: i64,
    pub did_not_attend: i64,
    pub practitioners: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TrainingFiguresOut {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub sessions: i64,
    pub training_days: f64,
    pub places_offered: i64,
    pub places_booked: i64,
    pub attended: i64,
    pub did_not_attend: i64,
    pub did_not_attend_percent: Option<f64>,
    pub cancelled: i64,
    pub cancelled_late: i64,
    pub walk_ins: i64,
    pub practitioners: i64,
    pub sessions_cancelled: i64,
    pub by_course: Vec<TrainingFiguresLineOut>,
    pub by_organisation: Vec<TrainingFiguresLineOut>,
}

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

#[utoipa::path(get, path = "/api/v1/training/figures", tag = "training", security(("bearer" = [])), params(TrainingFiguresQuery),
    responses((status = 200, description = "The training figures for a period, as the yearly report gives them", body = TrainingFiguresOut), (status = 400, description = "A period that is not one")))]
pub async fn figures(
    Ctx { st, p, .. }: Ctx,
    q: Q<TrainingFiguresQuery>,
) -> AppResult<Json<TrainingFiguresOut>> {
    let q = q
        .map(|Query(v)| v)
        .map_err(|e| AppError::BadRequest(format!("Bad query: {}", e.body_text())))?;
    let (from0, to0) = super::pages::this_year(today());
    let (from, to) = (q.from.unwrap_or(from0), q.to.unwrap_or(to0));
    if to < from {
        return Err(AppError::BadRequest(
            "The end of the period must be on or after its start".into(),
        ));
    }
    let (held, places) = store::figures_in(&st.db, p, from, to).await?;
    let f = super::figures::figures(&held, &places);
    let lines = |m: &std::collections::BTreeMap<String, super::figures::Line>| {
        m.iter()
            .map(|(name, l)| TrainingFiguresLineOut {
                name: name.clone(),
                sessions: l.sessions,
                capacity: l.capacity,
                booked: l.booked,
                attended: l.attended,
                did_not_attend: l.did_not_attend,
                practitioners: l.practitioners,
            })
            .collect()
    };
    Ok(Json(TrainingFiguresOut {
        from,
        to,
        did_not_attend_percent: f.did_not_attend_share(),
        by_course: lines(&f.by_course),
        by_organisation: lines(&f.by_organisation),
        sessions: f.sessions,
        training_days: f.training_days,
        places_offered: f.places_offered,
        places_booked: f.places_booked,
        attended: f.attended,
        did_not_attend: f.did_not_attend,
        cancelled: f.cancelled,
        cancelled_late: f.cancelled_late,
        walk_ins: f.walk_ins,
        practitioners: f.practitioners,
        sessions_cancelled: f.sessions_cancelled,
    }))
}
