//! The library in the JSON API, for integrations (an intranet listing the procedures, say):
//! every document of the token's partnership, withdrawn ones too, with its versions.

use axum::Json;
use axum::extract::Path;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::model;
use super::store::{self, Procedure, Version};
use crate::state::Ctx;
use crate::web::error::{AppError, AppResult};

#[derive(Serialize, ToSchema)]
pub struct ProcedureSummaryOut {
    pub id: i64,
    pub title: String,
    pub summary: String,
    /// The key of the body that owns it, in the arrangements.
    pub body: String,
    pub body_name: String,
    /// current or withdrawn.
    pub status: String,
    pub current_version: i64,
    /// When the current version was put up.
    pub amended_on: Option<NaiveDate>,
    pub review_on: NaiveDate,
    /// The review's countdown, as the pages word it ("12 working days left").
    pub review_countdown: String,
    /// Where the public read it (empty once withdrawn).
    pub public_link: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProcedureVersionOut {
    pub number: i64,
    /// What changed in it.
    pub note: String,
    pub published_on: NaiveDate,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    /// Where to download it (signed in).
    pub link: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProcedureOut {
    #[serde(flatten)]
    pub summary: ProcedureSummaryOut,
    pub reviewed_on: Option<NaiveDate>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_reason: String,
    /// Newest first.
    pub versions: Vec<ProcedureVersionOut>,
}

fn summary_of(
    pr: &Procedure,
    body_name: String,
    amended_on: Option<NaiveDate>,
    countdown: String,
    slug: &str,
) -> ProcedureSummaryOut {
    ProcedureSummaryOut {
        id: pr.id,
        title: pr.title.clone(),
        summary: pr.summary.clone(),
        body: pr.body_key.clone(),
        body_name,
        status: pr.status.as_str().to_owned(),
        current_version: pr.current_version,
        amended_on,
        review_on: pr.review_on,
        review_countdown: countdown,
        public_link: if pr.withdrawn() {
            String::new()
        } else {
            format!("/p/{slug}/procedures/{}", pr.id)
        },
    }
}

fn version_out(v: Version) -> ProcedureVersionOut {
    ProcedureVersionOut {
        link: format!("/procedures/{}/versions/{}", v.procedure_id, v.number),
        number: v.number,
        note: v.note,
        published_on: v.published_on,
        file_name: v.file.name,
        media_type: v.file.media_type,
        size_bytes: v.file.size,
    }
}

fn slug(ctx_viewer: &crate::web::viewer::Viewer) -> String {
    ctx_viewer
        .current
        .as_ref()
        .map(|m| m.partnership_slug.clone())
        .unwrap_or_default()
}

#[utoipa::path(get, path = "/api/v1/procedures", operation_id = "list_procedures", tag = "procedures", security(("bearer" = [])),
    responses((status = 200, description = "Every policy and procedure of the partnership, withdrawn ones too, by title", body = [ProcedureSummaryOut]), (status = 401, description = "No valid token")))]
pub async fn list(Ctx { st, viewer, p }: Ctx) -> AppResult<Json<Vec<ProcedureSummaryOut>>> {
    let slug = slug(&viewer);
    Ok(Json(
        super::pages::rows(&st, p)
            .await?
            .into_iter()
            .map(|r| summary_of(&r.pr, r.body, r.amended, r.countdown, &slug))
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/procedures/{id}", tag = "procedures", security(("bearer" = [])), params(("id" = i64, Path, description = "The document")),
    responses((status = 200, description = "One document with every version and its amendment note", body = ProcedureOut), (status = 404, description = "No such document in this partnership")))]
pub async fn procedure(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<ProcedureOut>> {
    let pr = store::get(&st.db, p, id).await?.ok_or(AppError::NotFound)?;
    let cal = crate::calendar::store::current(&st.db).await?;
    let versions = store::versions(&st.db, p, id).await?;
    let body = super::pages::body_name(&st, p, &pr.body_key).await?;
    let countdown =
        model::review_deadline(pr.review_on, crate::calendar::today(), &cal).countdown();
    Ok(Json(ProcedureOut {
        summary: summary_of(
            &pr,
            body,
            versions.first().map(|v| v.published_on),
            countdown,
            &slug(&viewer),
        ),
        reviewed_on: pr.reviewed_on,
        withdrawn_at: pr.withdrawn_at,
        withdrawn_reason: pr.withdrawn_reason.clone(),
        versions: versions.into_iter().map(version_out).collect(),
    }))
}
