//! Serious cases in the JSON API, restricted as the pages are: each case only to those who may
//! read it, every reading of a case in the audit trail.

use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::cases::{self, Case, CaseSight, Timeline};
use crate::app::AppState;
use crate::web::error::AppResult;
use crate::web::viewer::Viewer;

#[derive(Serialize, ToSchema)]
pub struct CaseDeadlineOut {
    pub step: String,
    pub by: NaiveDate,
    /// done, red (overdue), amber (within two working days) or green.
    pub status: String,
    /// Working days from today to the deadline (negative when overdue).
    pub working_days_left: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CaseSummaryOut {
    pub id: i64,
    pub kind: String,
    pub pseudonym: String,
    pub aware_on: NaiveDate,
    pub next_deadline: Option<CaseDeadlineOut>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseOut {
    pub id: i64,
    pub kind: String,
    pub pseudonym: String,
    pub la_reference: String,
    pub age_band: String,
    pub incident_on: Option<NaiveDate>,
    pub aware_on: NaiveDate,
    pub harm: String,
    pub abuse: String,
    /// Whether the criteria for a serious child safeguarding case are met on what is recorded.
    pub serious: bool,
    pub categories: String,
    pub agencies: String,
    /// The rules edition the case keeps.
    pub edition: String,
    pub body: String,
    pub notified_on: Option<NaiveDate>,
    pub panel_reference: String,
    pub partners_told_on: Option<NaiveDate>,
    /// local-review, no-review or national-review; empty until proposed.
    pub decision: String,
    pub decision_reasons: String,
    pub scrutineer_advice: String,
    /// Set when all three statutory partners' delegates have signed the decision off.
    pub decided_on: Option<NaiveDate>,
    /// When the rapid review and the decision went to the Panel.
    pub sent_to_panel_on: Option<NaiveDate>,
    pub deadlines: Vec<CaseDeadlineOut>,
}

fn deadline_out(r: &(super::model::Due, &'static str, i64)) -> CaseDeadlineOut {
    CaseDeadlineOut {
        step: r.0.step.to_owned(),
        by: r.0.by,
        status: r.1.to_owned(),
        working_days_left: r.2,
    }
}

#[utoipa::path(get, path = "/api/v1/reviews", tag = "reviews", security(("bearer" = [])),
    responses((status = 200, description = "The cases the caller may read, newest first, each with its next deadline", body = [CaseSummaryOut])))]
pub async fn list(
    State(st): State<AppState>,
    viewer: Viewer,
) -> AppResult<Json<Vec<CaseSummaryOut>>> {
    let p = viewer.tenant()?;
    let sight = CaseSight::of(&st.db, &viewer).await?;
    let mut out = Vec::new();
    for c in cases::list(&st.db, p).await? {
        if !sight.case(&c) {
            continue;
        }
        let t = cases::timeline(&st, &c).await?;
        out.push(CaseSummaryOut {
            id: c.id,
            kind: c.kind,
            pseudonym: c.pseudonym,
            aware_on: c.aware_on,
            next_deadline: t.next().map(deadline_out),
        });
    }
    Ok(Json(out))
}

fn case_out(c: Case, t: &Timeline) -> CaseOut {
    CaseOut {
        serious: c.serious(),
        deadlines: t.rows.iter().map(deadline_out).collect(),
        id: c.id,
        kind: c.kind,
        pseudonym: c.pseudonym,
        la_reference: c.la_reference,
        age_band: c.age_band,
        incident_on: c.incident_on,
        aware_on: c.aware_on,
        harm: c.harm,
        abuse: c.abuse,
        categories: c.categories,
        agencies: c.agencies,
        edition: c.edition_key,
        body: c.body_key,
        notified_on: c.notified_on,
        panel_reference: c.panel_reference,
        partners_told_on: c.partners_told_on,
        decision: c.decision,
        decision_reasons: c.decision_reasons,
        scrutineer_advice: c.scrutineer_advice,
        decided_on: c.decided_on,
        sent_to_panel_on: c.sent_to_panel_on,
    }
}

#[utoipa::path(get, path = "/api/v1/reviews/{id}", tag = "reviews", security(("bearer" = [])), params(("id" = i64, Path, description = "The case")),
    responses((status = 200, description = "The case record and its deadlines (the reading is in the audit trail)", body = CaseOut), (status = 404, description = "No such case, or not one the caller may read")))]
pub async fn case(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Json<CaseOut>> {
    let c = cases::read(&st, &viewer, id).await?;
    let t = cases::timeline(&st, &c).await?;
    Ok(Json(case_out(c, &t)))
}
