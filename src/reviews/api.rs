//! Serious cases in the JSON API, restricted as the pages are: each case only to those who may
//! read it, every reading of a case in the audit trail.

use axum::Json;
use axum::extract::Path;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::cases::{self, Case, CaseSight, Timeline};
use crate::state::Ctx;
use crate::web::error::AppResult;

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
    pub rapid_review_completed_on: Option<NaiveDate>,
    pub rapid_review_meeting_id: Option<i64>,
    /// The answers to the regulation 11 questions, by question.
    pub questions: Vec<QuestionOut>,
    pub requests: Vec<RequestOut>,
    /// Every agency's chronology, merged by date.
    pub chronology: Vec<EntryOut>,
    pub local_review: Option<LocalReviewOut>,
    pub recommendations: Vec<RecommendationOut>,
    pub deadlines: Vec<CaseDeadlineOut>,
}

/// A recommendation and how far it has come round the learning loop.
#[derive(Serialize, ToSchema)]
pub struct RecommendationOut {
    pub id: i64,
    pub number: i64,
    pub finding: String,
    pub recommendation: String,
    /// The actions raised from it, in the shared tracker (`/api/v1/actions/{id}`).
    pub action_ids: Vec<i64>,
    pub actions_done: usize,
    pub actions_live: usize,
    /// Titles of the learning outputs made from it.
    pub outputs: Vec<String>,
    /// '', not-yet or shown.
    pub practice_changed: String,
    /// no-actions, actions-open, actions-done or closed.
    pub state: String,
}

#[derive(Serialize, ToSchema)]
pub struct QuestionOut {
    pub key: String,
    pub question: String,
    pub answer: String,
}

/// An information request to one agency.
#[derive(Serialize, ToSchema)]
pub struct RequestOut {
    pub id: i64,
    pub case_id: i64,
    pub organisation: String,
    pub responder: String,
    pub asked: String,
    pub asked_on: NaiveDate,
    pub due_on: NaiveDate,
    pub summary: String,
    pub returned_on: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct EntryOut {
    pub happened_on: NaiveDate,
    pub organisation: String,
    pub event: String,
}

#[derive(Serialize, ToSchema)]
pub struct MilestoneOut {
    pub step: String,
    pub planned_on: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct LocalReviewOut {
    pub reviewer: String,
    pub terms_of_reference: String,
    pub methodology: String,
    pub milestones: Vec<MilestoneOut>,
    pub publish_planned_on: Option<NaiveDate>,
    /// The final report sent to the Panel and the Secretary of State.
    pub final_sent_on: Option<NaiveDate>,
    pub published_on: Option<NaiveDate>,
    pub public_title: String,
    pub not_published_on: Option<NaiveDate>,
    pub not_published_reasons: String,
}

fn request_out(r: super::rapid::Request) -> RequestOut {
    RequestOut {
        id: r.id,
        case_id: r.case_id,
        organisation: r.organisation,
        responder: r.responder,
        asked: r.asked,
        asked_on: r.asked_on,
        due_on: r.due_on,
        summary: r.summary,
        returned_on: r.returned_on,
    }
}

fn entry_out(e: super::rapid::Entry) -> EntryOut {
    EntryOut {
        happened_on: e.happened_on,
        organisation: e.organisation,
        event: e.event,
    }
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
pub async fn list(Ctx { st, viewer, p }: Ctx) -> AppResult<Json<Vec<CaseSummaryOut>>> {
    let sight = CaseSight::of(&st.db, &viewer).await?;
    let rules = cases::Rules::load(&st).await?;
    let mut out = Vec::new();
    for c in cases::list(&st.db, p).await? {
        if !sight.case(&c) {
            continue;
        }
        let t = rules.timeline(&c);
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

/// Everything held on a case beyond its record.
struct Held {
    answers: Vec<(String, String)>,
    requests: Vec<super::rapid::Request>,
    chronology: Vec<super::rapid::Entry>,
    milestones: Vec<super::local::Milestone>,
    recommendations: Vec<super::learning::Tracked>,
}

fn case_out(c: Case, t: &Timeline, h: Held) -> CaseOut {
    let local_review =
        super::model::may_hold_local_review(&c.kind, c.local_review()).then(|| LocalReviewOut {
            reviewer: c.reviewer.clone(),
            terms_of_reference: c.terms_of_reference.clone(),
            methodology: c.methodology.clone(),
            milestones: h
                .milestones
                .into_iter()
                .map(|m| MilestoneOut {
                    step: m.step,
                    planned_on: m.planned_on,
                    done_on: m.done_on,
                })
                .collect(),
            publish_planned_on: c.publish_planned_on,
            final_sent_on: c.final_sent_on,
            published_on: c.published_on,
            public_title: c.public_title.clone(),
            not_published_on: c.not_published_on,
            not_published_reasons: c.not_published_reasons.clone(),
        });
    CaseOut {
        rapid_review_completed_on: c.rapid_done_on,
        rapid_review_meeting_id: c.rapid_meeting_id,
        questions: super::model::QUESTIONS
            .iter()
            .map(|(k, q)| QuestionOut {
                key: (*k).to_owned(),
                question: (*q).to_owned(),
                answer: h
                    .answers
                    .iter()
                    .find(|(a, _)| a == k)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
            })
            .collect(),
        requests: h.requests.into_iter().map(request_out).collect(),
        recommendations: h
            .recommendations
            .into_iter()
            .map(|t| RecommendationOut {
                actions_done: t.done(),
                actions_live: t.live(),
                action_ids: t.actions.iter().map(|a| a.id).collect(),
                outputs: t.outputs.iter().map(|o| o.title.clone()).collect(),
                state: serde_json::to_value(t.state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                id: t.r.id,
                number: t.r.number,
                finding: t.r.finding,
                recommendation: t.r.recommendation,
                practice_changed: t.r.practice_changed,
            })
            .collect(),
        chronology: h.chronology.into_iter().map(entry_out).collect(),
        local_review,
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
pub async fn case(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Json<CaseOut>> {
    let c = cases::read(&st, &viewer, id).await?;
    let t = cases::timeline(&st, &c).await?;
    let held = Held {
        answers: super::rapid::answers(&st.db, p, c.id).await?,
        requests: super::rapid::requests(&st.db, p, c.id).await?,
        chronology: super::rapid::chronology(&st.db, p, c.id, None).await?,
        milestones: super::local::milestones(&st.db, p, c.id).await?,
        recommendations: super::learning::tracked(
            &st.db,
            p,
            super::learning::recommendations(&st.db, p, Some(c.id)).await?,
        )
        .await?,
    };
    Ok(Json(case_out(c, &t, held)))
}

#[utoipa::path(get, path = "/api/v1/review-requests", tag = "reviews", security(("bearer" = [])),
    responses((status = 200, description = "The information requests the caller is named to answer, outstanding first", body = [RequestOut])))]
pub async fn my_requests(Ctx { st, viewer, p }: Ctx) -> AppResult<Json<Vec<RequestOut>>> {
    let user = viewer
        .user
        .as_ref()
        .ok_or(crate::web::error::AppError::Forbidden)?;
    Ok(Json(
        super::rapid::requests_for(&st.db, p, user.id)
            .await?
            .into_iter()
            .map(request_out)
            .collect(),
    ))
}

/// A request with its agency's chronology.
#[derive(Serialize, ToSchema)]
pub struct RequestDetailOut {
    pub request: RequestOut,
    pub chronology: Vec<EntryOut>,
}

#[utoipa::path(get, path = "/api/v1/review-requests/{id}", tag = "reviews", security(("bearer" = [])), params(("id" = i64, Path, description = "The request")),
    responses((status = 200, description = "One information request and its agency's chronology, for the person named to answer it or those who may read its case (the reading is in the audit trail)", body = RequestDetailOut), (status = 404, description = "No such request, or not one the caller may read")))]
pub async fn request(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<RequestDetailOut>> {
    let (r, c, _) = super::rapid::read_request(&st, &viewer, id).await?;
    let chronology = super::rapid::chronology(&st.db, p, c.id, Some(r.id))
        .await?
        .into_iter()
        .map(entry_out)
        .collect();
    Ok(Json(RequestDetailOut {
        request: request_out(r),
        chronology,
    }))
}
