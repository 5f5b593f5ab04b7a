//! The training pages, by feature: the programme and courses, a course's forms, a session and
//! its forms, booking, the register and record, and the figures. What several of them use is
//! here.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::model::{self, BookingStatus, Delivery, Level, SessionStatus, Shown};
use super::notices::{self, Notice};
use super::store::{self, Booking, Course, CourseFields, NotBooked, Session, SessionFields};
use crate::calendar::today;
use crate::state::{AppState, Ctx};
use crate::store::PartnershipId;
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;

mod booking;
mod courses;
mod figures;
mod programme;
mod register;
mod sessions;

pub use booking::*;
pub use courses::*;
pub use figures::*;
pub use programme::*;
pub use register::*;
pub use sessions::*;

/// A session as a row of a list: the session, how it shows today, and the places left.
pub struct SessionRow {
    pub s: Session,
    pub shown: Shown,
}

fn rows(sessions: Vec<Session>, today: NaiveDate) -> Vec<SessionRow> {
    sessions
        .into_iter()
        .map(|s| SessionRow {
            shown: s.shown(today),
            s,
        })
        .collect()
}

/// A session the training officer may still change: neither cancelled nor delivered.
async fn changeable(st: &AppState, p: PartnershipId, id: i64) -> AppResult<(Session, Course)> {
    let s = store::session(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if matches!(
        s.status,
        SessionStatus::Cancelled | SessionStatus::Delivered
    ) {
        return Err(AppError::NotFound);
    }
    let c = store::course(&st.db, p, s.course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((s, c))
}

/// A session as the person may see it: a planned one only by the training officer.
pub(super) async fn visible_session(
    st: &AppState,
    viewer: &Viewer,
    p: PartnershipId,
    id: i64,
) -> AppResult<Session> {
    let s = store::session(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if s.status == SessionStatus::Planned && !Permission::ManagePartnership.allows(viewer) {
        return Err(AppError::NotFound);
    }
    Ok(s)
}

/// Take a place (or a place on the waiting list) for a person, with the organisation of their
/// membership, and email them what they got: for the page and the API alike.
pub(super) async fn book_and_tell(
    st: &AppState,
    viewer: &Viewer,
    p: PartnershipId,
    session_id: i64,
    user_id: i64,
) -> AppResult<Result<(i64, BookingStatus), NotBooked>> {
    let organisation = viewer
        .current
        .as_ref()
        .map(|m| m.organisation.clone())
        .unwrap_or_default();
    let booked = store::book(
        &st.db,
        &viewer.actor(),
        p,
        session_id,
        user_id,
        &organisation,
    )
    .await?;
    if let Ok((bid, place)) = &booked
        && let (Some(b), Some(s)) = (
            store::booking(&st.db, p, *bid).await?,
            store::session(&st.db, p, session_id).await?,
        )
    {
        let notice = if *place == BookingStatus::Booked {
            Notice::Booked
        } else {
            Notice::Waiting
        };
        notices::tell(st, p, &b, &s, notice).await?;
    }
    Ok(booked)
}

/// Tell the first on the waiting list of the place held for them.
async fn offer(st: &AppState, p: PartnershipId, b: &Booking, s: &Session) -> AppResult<()> {
    let Some(until) = b.offer_expires_at else {
        return Ok(());
    };
    notices::tell(st, p, b, s, Notice::Offered { until }).await
}
