//! Assurance plans in the JSON API, restricted as the pages are: the whole plan for those who
//! see it whole, and for a responder only the returns they answer for.

use axum::Json;
use axum::extract::Path;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::Sight;
use super::pages::{self, PlanView};
use super::store;
use crate::state::Ctx;
use crate::web::error::{AppError, AppResult};

#[derive(Serialize, ToSchema)]
pub struct PlanSummaryOut {
    pub id: i64,
    pub title: String,
    pub review_title: String,
    pub review_year: i64,
    pub answers_due: NaiveDate,
    /// draft, issued or returned (every agency has returned).
    pub status: String,
    /// Whether the caller sees the whole plan, or only the returns they answer for.
    pub whole: bool,
}

#[derive(Serialize, ToSchema)]
pub struct QuestionOut {
    pub id: i64,
    pub position: i64,
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct EvidenceOut {
    pub id: i64,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    /// Where to download it (signed in).
    pub link: String,
}

#[derive(Serialize, ToSchema)]
pub struct AnswerOut {
    pub id: i64,
    pub question_id: i64,
    /// green (assured), amber (partly assured) or red (not assured).
    pub rag: String,
    pub narrative: String,
    pub evidence: Vec<EvidenceOut>,
    /// Actions raised in the tracker from this answer.
    pub action_ids: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ReturnOut {
    pub id: i64,
    pub organisation_key: String,
    pub organisation: String,
    pub responder: String,
    pub returned_on: Option<NaiveDate>,
    /// Working days the return is overdue (0 when returned or not yet due).
    pub overdue_working_days: i64,
    pub answers: Vec<AnswerOut>,
}

#[derive(Serialize, ToSchema)]
pub struct PlanOut {
    pub id: i64,
    pub title: String,
    pub review_title: String,
    pub review_year: i64,
    pub review_link: String,
    /// The body that owns the plan (its key), if any.
    pub body: String,
    pub answers_due: NaiveDate,
    pub issued_on: Option<NaiveDate>,
    pub status: String,
    pub questions: Vec<QuestionOut>,
    /// Every agency for those who see the plan whole; a responder's own otherwise.
    pub agencies: Vec<ReturnOut>,
}

#[utoipa::path(get, path = "/api/v1/assurance", tag = "assurance", security(("bearer" = [])),
    responses((status = 200, description = "The assurance plans the caller sees whole, and the issued plans they answer for", body = [PlanSummaryOut])))]
pub async fn list(Ctx { st, viewer, p }: Ctx) -> AppResult<Json<Vec<PlanSummaryOut>>> {
    let sight = Sight::of(&st.db, &viewer).await?;
    let mine: Vec<i64> = match viewer.user.as_ref() {
        Some(u) => store::returns_of(&st.db, p, u.id)
            .await?
            .into_iter()
            .map(|a| a.plan_id)
            .collect(),
        None => Vec::new(),
    };
    let mut out = Vec::new();
    for plan in store::plans(&st.db, p).await? {
        let whole = sight.whole(&plan);
        if !whole && !mine.contains(&plan.id) {
            continue;
        }
        let row = pages::plan_row(&st, p, plan).await?;
        out.push(PlanSummaryOut {
            id: row.plan.id,
            title: row.plan.title,
            review_title: row.plan.review_title,
            review_year: row.plan.review_year,
            answers_due: row.plan.answers_due,
            status: row.status.as_str().to_owned(),
            whole,
        });
    }
    Ok(Json(out))
}

fn plan_out(v: PlanView) -> PlanOut {
    let agencies = v
        .agencies
        .into_iter()
        .map(|a| ReturnOut {
            id: a.agency.id,
            organisation_key: a.agency.organisation_key,
            organisation: a.agency.organisation_name,
            responder: a.agency.responder_name,
            returned_on: a.agency.returned_on,
            overdue_working_days: match a.status {
                super::model::ReturnStatus::Overdue { working_days } => working_days,
                _ => 0,
            },
            answers: a
                .cells
                .into_iter()
                .filter_map(|c| {
                    let an = c.answer?;
                    Some(AnswerOut {
                        id: an.id,
                        question_id: an.question_id,
                        rag: an.rag,
                        narrative: an.narrative,
                        evidence: c
                            .evidence
                            .into_iter()
                            .map(|e| EvidenceOut {
                                link: format!("/assurance/evidence/{}", e.id),
                                id: e.id,
                                file_name: e.file.name,
                                media_type: e.file.media_type,
                                size_bytes: e.file.size,
                            })
                            .collect(),
                        action_ids: c.actions.iter().map(|x| x.id).collect(),
                    })
                })
                .collect(),
        })
        .collect();
    PlanOut {
        id: v.plan.id,
        title: v.plan.title,
        review_title: v.plan.review_title,
        review_year: v.plan.review_year,
        review_link: v.plan.review_link,
        body: v.plan.body_key,
        answers_due: v.plan.answers_due,
        issued_on: v.plan.issued_on,
        status: v.status.as_str().to_owned(),
        questions: v
            .questions
            .into_iter()
            .map(|q| QuestionOut {
                id: q.id,
                position: q.position,
                text: q.text,
            })
            .collect(),
        agencies,
    }
}

#[utoipa::path(get, path = "/api/v1/assurance/{id}", tag = "assurance", security(("bearer" = [])), params(("id" = i64, Path, description = "The plan")),
    responses((status = 200, description = "The plan, its questions and the answers the caller may see: every agency's, or a responder's own", body = PlanOut), (status = 404, description = "No such plan, or not one the caller may see")))]
pub async fn plan(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Json<PlanOut>> {
    let sight = Sight::of(&st.db, &viewer).await?;
    let plan = store::plan(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let agencies = store::agencies(&st.db, p, id).await?;
    let mine: Vec<i64> = agencies
        .iter()
        .filter(|a| sight.answers_for(&plan, a))
        .map(|a| a.id)
        .collect();
    let whole = sight.whole(&plan);
    if !whole && mine.is_empty() {
        return Err(AppError::NotFound);
    }
    let v = pages::plan_view(&st, p, plan, |a| whole || mine.contains(&a.id)).await?;
    Ok(Json(plan_out(v)))
}
