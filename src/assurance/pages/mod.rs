//! The pages of assurance plans: drafting a plan from a national review, choosing agencies and
//! their responders, issuing it by email, each responder's return, the whole plan's grid, and
//! actions raised where assurance is not given.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::model::{self, PlanStatus, Rag, ReturnStatus};
use super::store::{self, Agency, Answer, Plan, Question};
use super::{Sight, visible_return};
use crate::actions::model::Status;
use crate::files::Attachment as Evidence;
use crate::mail::Mail;
use crate::state::{AppState, Ctx};
use crate::store::PartnershipId;
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;

use crate::calendar::today;

mod drafting;
mod list;
mod not_assured;
mod plan;
mod returns;

pub use drafting::*;
pub use list::*;
pub use not_assured::*;
pub use plan::*;
pub use returns::*;

/// A date that must be today or later (a due date).
fn due_field(errors: &mut Errors, field: &str, label: &str, v: &str) -> Option<NaiveDate> {
    let d = errors.required_date(
        field,
        label,
        v,
        &format!("Enter the {}", crate::web::forms::in_sentence(label)),
    );
    errors.not_past(field, d, "The due date must be today or in the future")
}

/// A plan whose whole the person may see; otherwise not found.
async fn whole_plan(st: &AppState, viewer: &Viewer, id: i64) -> AppResult<Plan> {
    let p = viewer.tenant()?;
    let plan = store::plan(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !Sight::of(&st.db, viewer).await?.whole(&plan) {
        return Err(AppError::NotFound);
    }
    Ok(plan)
}

/// The bodies or organisations of the arrangements in force today, as (key, name): what a
/// plan may be owned by or put to (a CCG succeeded by an ICB is no longer offered).
async fn in_force(st: &AppState, p: PartnershipId, kind: &str) -> AppResult<Vec<(String, String)>> {
    Ok(crate::arrangements::store::as_at(&st.db, p, kind, today())
        .await?
        .into_iter()
        .map(|i| (i.key, i.name))
        .collect())
}
