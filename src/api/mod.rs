//! The JSON API under /api/v1, for integrations. It takes personal API tokens only
//! (`Authorization: Bearer masa_...`), never cookies, so it needs no CSRF token; each request
//! acts as the token's owner in the token's partnership, with the same permissions as the pages.
//! The OpenAPI document is generated from the handlers' annotations.

use axum::Json;
use axum::extract::{Path, Query};

use serde::Serialize;
use utoipa::{Modify, OpenApi, ToSchema};

use crate::accounts::store::{self as accounts, Membership, User};
use crate::state::{Ctx, Route};
use crate::store::audit::{self as audit, AuditEntry};
use crate::web::error::{AppError, AppResult};
use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;

pub fn routes() -> Vec<Route> {
    use Permission::*;
    vec![
        Route::get("/api/v1/openapi.json", Public, openapi_json),
        Route::get("/api/v1/me", Account, me),
        Route::get("/api/v1/people", ReadAll, people),
        Route::get("/api/v1/people/{id}", ReadAll, person),
        Route::get("/api/v1/audit", ReadAll, audit_entries),
    ]
}

/// The signed-in person.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// The partnership the token works in.
    pub partnership: Option<PartnershipRef>,
    /// Role in that partnership: partnership-admin, scrutineer, member or practitioner.
    pub role: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PartnershipRef {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// A person in the partnership.
#[derive(Serialize, ToSchema)]
pub struct Person {
    /// The id of their membership of this partnership (used in /api/v1/people/{id}).
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub organisation: String,
    pub two_factor: bool,
    pub version: i64,
}

fn person_of(m: &Membership, u: &User) -> Person {
    Person {
        id: m.id,
        user_id: u.id,
        name: u.name.clone(),
        email: u.email.clone(),
        role: m.role.as_str().to_owned(),
        organisation: m.organisation.clone(),
        two_factor: u.two_factor,
        version: m.version,
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub total: i64,
    pub entries: Vec<AuditEntry>,
}

#[derive(serde::Deserialize, utoipa::IntoParams, Default)]
#[serde(default)]
pub struct AuditQuery {
    /// Only entries about this kind of record, such as membership or partnership.
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    /// Only entries by this user id.
    pub person: Option<i64>,
    /// From this date (YYYY-MM-DD), inclusive.
    pub from: Option<chrono::NaiveDate>,
    /// To this date (YYYY-MM-DD), inclusive.
    pub to: Option<chrono::NaiveDate>,
    /// At most this many (1 to 1000; 100 if not given).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, description = "The token's owner", body = Me), (status = 401, description = "No valid token")))]
async fn me(viewer: Viewer) -> AppResult<Json<Me>> {
    let u = viewer.user.clone().ok_or(AppError::Forbidden)?;
    Ok(Json(Me {
        id: u.id,
        name: u.name,
        email: u.email,
        partnership: viewer.current.as_ref().map(|m| PartnershipRef {
            id: m.partnership_id,
            slug: m.partnership_slug.clone(),
            name: m.partnership_name.clone(),
        }),
        role: viewer.role().map(|r| r.as_str().to_owned()),
    }))
}

#[utoipa::path(get, path = "/api/v1/people", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, description = "Everyone in the partnership", body = [Person]), (status = 401, description = "No valid token"), (status = 403, description = "Not allowed")))]
async fn people(Ctx { st, viewer: _, p }: Ctx) -> AppResult<Json<Vec<Person>>> {
    let list = accounts::members_of(&st.db, p).await?;
    Ok(Json(list.iter().map(|(m, u)| person_of(m, u)).collect()))
}

#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Membership id")),
    responses((status = 200, description = "One person", body = Person), (status = 404, description = "No such person in this partnership")))]
async fn person(Ctx { st, viewer: _, p }: Ctx, Path(id): Path<String>) -> AppResult<Json<Person>> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let (m, u) = accounts::member(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(person_of(&m, &u)))
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, description = "Audit entries, newest first", body = AuditPage), (status = 400, description = "A bad filter")))]
async fn audit_entries(
    Ctx { st, viewer, p }: Ctx,
    q: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<AuditPage>> {
    let Query(q) = q.map_err(|e| AppError::BadRequest(format!("Bad query: {}", e.body_text())))?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(AppError::BadRequest("limit must be from 1 to 1000".into()));
    }
    let f = audit::Filter {
        record_type: q.record_type,
        record_id: q.record_id,
        person: q.person,
        action: None,
        from: q.from,
        to: q.to,
    };
    let hide = crate::audit::hidden(&st, &viewer).await?;
    let (entries, total) = audit::search(
        &st.db,
        p,
        &f,
        hide.as_ref(),
        limit,
        q.offset.unwrap_or(0).max(0),
    )
    .await?;
    Ok(Json(AuditPage { total, entries }))
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal API token from Your account > API tokens"))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "masa API", description = "The API of masa, the system a safeguarding children partnership runs on. Authenticate with a personal API token."),
    paths(
        me,
        people,
        person,
        audit_entries,
        crate::arrangements::api::structure,
        crate::arrangements::api::agencies,
        crate::arrangements::api::reporting,
        crate::arrangements::api::gaps,
        crate::arrangements::api::ending,
        crate::arrangements::api::changes,
        crate::meetings::api::meetings,
        crate::meetings::api::meeting,
        crate::meetings::api::decisions,
        crate::actions::api::actions,
        crate::actions::api::action,
        crate::reviews::api::list,
        crate::reviews::api::case,
        crate::reviews::api::my_requests,
        crate::reviews::figures::figures_api,
        crate::reviews::api::request,
        crate::assurance::api::list,
        crate::assurance::api::plan,
        crate::thresholds::api::published,
        crate::thresholds::api::usage,
        crate::scorecard::api::periods,
        crate::scorecard::api::period,
        crate::scorecard::api::indicators,
        crate::scorecard::api::send,
        crate::training::api::sessions,
        crate::training::api::bookings,
        crate::training::api::book,
        crate::training::api::figures,
        crate::procedures::api::list,
        crate::procedures::api::procedure
    ),
    components(schemas(
        Me,
        PartnershipRef,
        Person,
        AuditPage,
        AuditEntry,
        crate::arrangements::api::StructureOut,
        crate::arrangements::api::BodyOut,
        crate::arrangements::api::MemberOut,
        crate::arrangements::api::RotationOut,
        crate::arrangements::api::PartnerOut,
        crate::arrangements::api::CollaborationOut,
        crate::arrangements::api::CollaborationPartnerOut,
        crate::arrangements::api::AgencyOut,
        crate::arrangements::api::CalendarOut,
        crate::arrangements::view::Gap,
        crate::arrangements::view::Ending,
        crate::arrangements::view::Change,
        crate::meetings::api::MeetingOut,
        crate::meetings::api::DeadlineOut,
        crate::meetings::api::MeetingDetailOut,
        crate::meetings::api::ItemOut,
        crate::meetings::api::PaperOut,
        crate::meetings::api::AttendeeOut,
        crate::meetings::api::DecisionOut,
        crate::actions::api::ActionOut,
        crate::actions::api::ActionDetailOut,
        crate::actions::api::NoteOut,
        crate::reviews::api::CaseDeadlineOut,
        crate::reviews::api::CaseSummaryOut,
        crate::reviews::api::CaseOut,
        crate::reviews::api::QuestionOut,
        crate::reviews::api::RequestOut,
        crate::reviews::api::RequestDetailOut,
        crate::reviews::api::EntryOut,
        crate::reviews::api::MilestoneOut,
        crate::reviews::api::LocalReviewOut,
        crate::reviews::api::RecommendationOut,
        crate::reviews::figures::FiguresOut,
        crate::reviews::figures::CountOut,
        crate::reviews::figures::MedianOut,
        crate::assurance::api::PlanSummaryOut,
        crate::assurance::api::QuestionOut,
        crate::assurance::api::EvidenceOut,
        crate::assurance::api::AnswerOut,
        crate::assurance::api::ReturnOut,
        crate::assurance::api::PlanOut,
        crate::thresholds::api::ThresholdsOut,
        crate::thresholds::api::EditionSummaryOut,
        crate::thresholds::api::ContactOut,
        crate::thresholds::api::LevelOut,
        crate::thresholds::api::DomainOut,
        crate::thresholds::api::IndicatorOut,
        crate::thresholds::store::Usage,
        crate::thresholds::store::Count,
        crate::thresholds::store::SectorLevel,
        crate::scorecard::api::ScorecardPeriodOut,
        crate::scorecard::api::ScorecardCellOut,
        crate::scorecard::api::ScorecardRowOut,
        crate::scorecard::api::ScorecardSectionOut,
        crate::scorecard::api::ScorecardOut,
        crate::scorecard::api::ScorecardIndicatorOut,
        crate::scorecard::api::ScorecardFigureIn,
        crate::scorecard::api::ScorecardFiguresIn,
        crate::scorecard::api::ScorecardFiguresOut,
        crate::training::api::TrainingSessionOut,
        crate::training::api::TrainingBookingOut,
        crate::training::api::TrainingBookedOut,
        crate::training::api::TrainingFiguresLineOut,
        crate::training::api::TrainingFiguresOut,
        crate::procedures::api::ProcedureSummaryOut,
        crate::procedures::api::ProcedureVersionOut,
        crate::procedures::api::ProcedureOut
    )),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
