//! The pages of assurance plans: drafting a plan from a national review, choosing agencies and
//! their responders, issuing it by email, each responder's return, the whole plan's grid, and
//! actions raised where assurance is not given.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::model::{self, PlanStatus, Rag, ReturnStatus};
use super::store::{self, Agency, Answer, Evidence, Plan, Question};
use super::{Sight, visible_return};
use crate::mail::Mail;
use crate::state::{AppState, Ctx};
use crate::store::PartnershipId;
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;

use crate::calendar::today;

/// A date that must be today or later (a due date).
fn due_field(errors: &mut Errors, field: &str, v: &str) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d") {
        Ok(d) if d < today() => {
            errors.add(field, "The due date must be today or in the future");
            None
        }
        Ok(d) if d.year() > 2100 => {
            errors.add(field, "Enter a real date, like 2026-12-31");
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(field, "Enter a real date, like 2026-12-31");
            None
        }
    }
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

// ---- The list ----

pub struct PlanRow {
    pub plan: Plan,
    pub status: PlanStatus,
    pub agencies: usize,
    pub returned: usize,
    pub overdue: usize,
}

pub struct ReturnRow {
    pub plan: Plan,
    pub agency: Agency,
    pub status: ReturnStatus,
}

#[derive(Template, WebTemplate)]
#[template(path = "assurance/plans.html")]
struct PlansPage {
    page: Page,
    plans: Vec<PlanRow>,
    returns: Vec<ReturnRow>,
    can_manage: bool,
}

pub async fn plan_row(st: &AppState, p: PartnershipId, plan: Plan) -> AppResult<PlanRow> {
    let cal = crate::calendar::store::current(&st.db).await?;
    let agencies = store::agencies(&st.db, p, plan.id).await?;
    let returned = agencies.iter().filter(|a| a.returned_on.is_some()).count();
    let overdue = agencies
        .iter()
        .filter(|a| {
            plan.issued_on.is_some()
                && ReturnStatus::of(plan.answers_due, a.returned_on, today(), &cal).overdue()
        })
        .count();
    Ok(PlanRow {
        status: PlanStatus::of(plan.issued_on.is_some(), agencies.len(), returned),
        agencies: agencies.len(),
        returned,
        overdue,
        plan,
    })
}

/// The returns a person answers for, with the plan each belongs to.
pub async fn returns_of(st: &AppState, viewer: &Viewer) -> AppResult<Vec<ReturnRow>> {
    let p = viewer.tenant()?;
    let Some(u) = viewer.user.as_ref() else {
        return Ok(Vec::new());
    };
    let cal = crate::calendar::store::current(&st.db).await?;
    let mut out = Vec::new();
    for agency in store::returns_of(&st.db, p, u.id).await? {
        let Some(plan) = store::plan(&st.db, p, agency.plan_id).await? else {
            continue;
        };
        out.push(ReturnRow {
            status: ReturnStatus::of(plan.answers_due, agency.returned_on, today(), &cal),
            plan,
            agency,
        });
    }
    Ok(out)
}

pub async fn plans(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let sight = Sight::of(&st.db, &viewer).await?;
    let mut rows = Vec::new();
    for plan in store::plans(&st.db, p).await? {
        if sight.whole(&plan) {
            rows.push(plan_row(&st, p, plan).await?);
        }
    }
    Ok(PlansPage {
        page: Page::new(&viewer, "Assurance plans", "/assurance"),
        plans: rows,
        returns: returns_of(&st, &viewer).await?,
        can_manage: Permission::ManagePartnership.allows(&viewer),
    }
    .into_response())
}

// ---- A new plan ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PlanForm {
    title: String,
    review_title: String,
    review_year: String,
    review_link: String,
    body_key: String,
    answers_due: String,
    questions_2022: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    from: String,
    /// A national review received from the Panel, recorded as a case: its id.
    review: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "assurance/new.html")]
struct NewPage {
    page: Page,
    form: PlanForm,
    bodies: Vec<(String, String)>,
    questions_2022: &'static [&'static str],
    errors: Errors,
}

impl NewPage {
    fn new(viewer: &Viewer, form: PlanForm, bodies: Vec<(String, String)>, errors: Errors) -> Self {
        NewPage {
            page: Page::new(viewer, "New assurance plan", "/assurance"),
            form,
            bodies,
            questions_2022: &model::REVIEW_2022_QUESTIONS,
            errors,
        }
    }
}

pub async fn new_form(
    Ctx { st, viewer, p }: Ctx,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    // One click from the list: the 2022 national review and its four questions.
    let form = if q.from == "2022" {
        PlanForm {
            title: "Assurance on the 2022 national review".into(),
            review_title: model::REVIEW_2022_TITLE.into(),
            review_year: model::REVIEW_2022_YEAR.to_string(),
            review_link: model::REVIEW_2022_LINK.into(),
            questions_2022: "yes".into(),
            ..PlanForm::default()
        }
    } else if let Ok(id) = q.review.parse::<i64>() {
        // From a national review recorded among the cases (reading it is audited there).
        let c = crate::reviews::cases::read(&st, &viewer, id).await?;
        PlanForm {
            title: format!("Assurance on the national review: {}", c.pseudonym),
            review_title: format!("National review: {}", c.pseudonym),
            review_year: chrono::Datelike::year(&c.aware_on).to_string(),
            ..PlanForm::default()
        }
    } else {
        PlanForm::default()
    };
    Ok(NewPage::new(
        &viewer,
        form,
        in_force(&st, p, "body").await?,
        Errors::default(),
    )
    .into_response())
}

pub async fn create(
    Ctx { st, viewer, p }: Ctx,
    FormData(f): FormData<PlanForm>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    let title = f.title.trim();
    if title.is_empty() || title.chars().count() > model::TITLE_MAX {
        errors.add(
            "title",
            "Enter the plan's title, in 200 characters or fewer",
        );
    }
    let review_title = f.review_title.trim();
    if review_title.is_empty() || review_title.chars().count() > 300 {
        errors.add(
            "review_title",
            "Enter the national review's title, in 300 characters or fewer",
        );
    }
    let year = f
        .review_year
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|y| (1990..=2100).contains(y));
    if year.is_none() {
        errors.add(
            "review_year",
            "Enter the year the review was published, like 2022",
        );
    }
    let link = f.review_link.trim();
    if !link.is_empty()
        && (!(link.starts_with("https://") || link.starts_with("http://"))
            || link.chars().count() > 500
            || link.chars().any(char::is_whitespace))
    {
        errors.add(
            "review_link",
            "Enter a web address starting https://, or leave it empty",
        );
    }
    let known = in_force(&st, p, "body").await?;
    if !f.body_key.is_empty() && !known.iter().any(|(k, _)| *k == f.body_key) {
        errors.add("body_key", "Select the body that owns the plan");
    }
    let due = due_field(&mut errors, "answers_due", &f.answers_due);
    let (Some(year), Some(due), true) = (year, due, errors.is_empty()) else {
        let page = NewPage::new(&viewer, f, known, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let questions = if f.questions_2022 == "yes" {
        model::REVIEW_2022_QUESTIONS
            .iter()
            .map(|q| (*q).to_owned())
            .collect()
    } else {
        Vec::new()
    };
    let n = store::NewPlan {
        title: title.to_owned(),
        review_title: review_title.to_owned(),
        review_year: year,
        review_link: link.to_owned(),
        body_key: f.body_key.clone(),
        answers_due: due,
        questions,
    };
    let id = store::add_plan(&st.db, &viewer.actor(), p, &n).await?;
    crate::web::flash(
        &st.db,
        &viewer,
        "Plan drafted: add its questions and agencies",
    )
    .await?;
    Ok(crate::web::redirect(&format!("/assurance/{id}")))
}

// ---- The whole plan ----

/// One agency's answer to one question, with what hangs off it.
pub struct Cell {
    pub question: Question,
    pub answer: Option<Answer>,
    pub rag: Option<Rag>,
    pub evidence: Vec<Evidence>,
    pub actions: Vec<crate::actions::store::Action>,
}

pub struct AgencyView {
    pub agency: Agency,
    pub status: ReturnStatus,
    pub cells: Vec<Cell>,
}

/// A plan with its questions, agencies and answers as one person may see them.
pub struct PlanView {
    pub plan: Plan,
    pub status: PlanStatus,
    pub body: String,
    pub questions: Vec<Question>,
    pub agencies: Vec<AgencyView>,
    /// Answers by RAG: green, amber, red.
    pub counts: (usize, usize, usize),
}

/// Build the view of a plan with only the agencies `keep` allows.
pub async fn plan_view(
    st: &AppState,
    p: PartnershipId,
    plan: Plan,
    keep: impl Fn(&Agency) -> bool,
) -> AppResult<PlanView> {
    let cal = crate::calendar::store::current(&st.db).await?;
    let questions = store::questions(&st.db, p, plan.id).await?;
    let all = store::agencies(&st.db, p, plan.id).await?;
    let returned = all.iter().filter(|a| a.returned_on.is_some()).count();
    let status = PlanStatus::of(plan.issued_on.is_some(), all.len(), returned);
    let answers = store::answers(&st.db, p, plan.id).await?;
    let evidence = store::evidence(&st.db, p, plan.id).await?;
    let mut agencies = Vec::new();
    for agency in all.into_iter().filter(|a| keep(a)) {
        let mut cells = Vec::new();
        for q in &questions {
            let answer = answers
                .iter()
                .find(|a| a.agency_id == agency.id && a.question_id == q.id)
                .cloned();
            let mut actions = Vec::new();
            if let Some(a) = &answer {
                let f = crate::actions::store::Filter {
                    source: Some(("assurance".into(), a.id)),
                    ..Default::default()
                };
                actions = crate::actions::store::list(&st.db, p, &f).await?;
            }
            cells.push(Cell {
                rag: answer.as_ref().and_then(|a| Rag::parse(&a.rag).ok()),
                evidence: answer
                    .as_ref()
                    .map(|a| {
                        evidence
                            .iter()
                            .filter(|e| e.answer_id == a.id)
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default(),
                question: q.clone(),
                answer,
                actions,
            });
        }
        agencies.push(AgencyView {
            status: ReturnStatus::of(plan.answers_due, agency.returned_on, today(), &cal),
            agency,
            cells,
        });
    }
    let counts = model::rag_counts(
        agencies
            .iter()
            .flat_map(|a| a.cells.iter().filter_map(|c| c.rag)),
    );
    let body = if plan.body_key.is_empty() {
        String::new()
    } else {
        in_force(st, p, "body")
            .await?
            .into_iter()
            .find(|(k, _)| *k == plan.body_key)
            .map_or_else(|| plan.body_key.clone(), |(_, n)| n)
    };
    Ok(PlanView {
        plan,
        status,
        body,
        questions,
        agencies,
        counts,
    })
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct QuestionForm {
    version: String,
    text: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AgencyForm {
    organisation_key: String,
    responder: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct VersionForm {
    version: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "assurance/plan.html")]
struct PlanPage {
    page: Page,
    v: PlanView,
    question: QuestionForm,
    agency: AgencyForm,
    organisations: Vec<(String, String)>,
    people: Vec<(String, String)>,
    can_manage: bool,
    errors: Errors,
}

/// The partnership's people who may be named to answer: everyone with a membership.
async fn people(st: &AppState, p: PartnershipId) -> AppResult<Vec<(String, String)>> {
    Ok(crate::accounts::store::members_of(&st.db, p)
        .await?
        .into_iter()
        .filter(|(_, u)| !u.disabled)
        .map(|(m, u)| {
            let org = if m.organisation.is_empty() {
                String::new()
            } else {
                format!(", {}", m.organisation)
            };
            (u.id.to_string(), format!("{}{org}", u.name))
        })
        .collect())
}

async fn plan_page(
    st: &AppState,
    viewer: &Viewer,
    plan: Plan,
    question: Option<QuestionForm>,
    agency: Option<AgencyForm>,
    errors: Errors,
) -> AppResult<PlanPage> {
    let p = viewer.tenant()?;
    let can_manage = Permission::ManagePartnership.allows(viewer);
    let (organisations, people) = if can_manage && plan.issued_on.is_none() {
        (in_force(st, p, "organisation").await?, people(st, p).await?)
    } else {
        (Vec::new(), Vec::new())
    };
    let v = plan_view(st, p, plan, |_| true).await?;
    Ok(PlanPage {
        page: Page::new(viewer, v.plan.title.clone(), "/assurance"),
        v,
        question: question.unwrap_or_default(),
        agency: agency.unwrap_or_default(),
        organisations,
        people,
        can_manage,
        errors,
    })
}

pub async fn plan(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let plan = whole_plan(&st, &viewer, id).await?;
    Ok(plan_page(&st, &viewer, plan, None, None, Errors::default())
        .await?
        .into_response())
}

pub async fn add_question(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<QuestionForm>,
) -> AppResult<Response> {
    let plan = whole_plan(&st, &viewer, id).await?;
    let mut errors = Errors::default();
    let text = errors.check("text", model::question(&f.text));
    if plan.issued_on.is_some() {
        errors.add("text", store::FROZEN);
    }
    let Some(text) = text.filter(|_| errors.is_empty()) else {
        let page = plan_page(&st, &viewer, plan, Some(f), None, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    if !store::add_question(&st.db, &viewer.actor(), p, &plan, &text).await? {
        let mut errors = Errors::default();
        errors.add("text", store::FROZEN);
        let now = whole_plan(&st, &viewer, id).await?;
        let page = plan_page(&st, &viewer, now, Some(f), None, errors).await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    crate::web::saved(
        &st.db,
        &viewer,
        "Question added",
        &format!("/assurance/{id}#questions"),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "assurance/question.html")]
struct QuestionPage {
    page: Page,
    plan: Plan,
    q: Question,
    form: QuestionForm,
    errors: Errors,
}

/// A question and its plan, for the business unit.
async fn question_of(st: &AppState, viewer: &Viewer, id: i64) -> AppResult<(Plan, Question)> {
    let p = viewer.tenant()?;
    let q = store::question(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let plan = whole_plan(st, viewer, q.plan_id).await?;
    Ok((plan, q))
}

pub async fn question_form(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (plan, q) = question_of(&st, &viewer, id).await?;
    let mut errors = Errors::default();
    if plan.issued_on.is_some() {
        errors.add("text", store::FROZEN);
    }
    let form = QuestionForm {
        version: q.version.to_string(),
        text: q.text.clone(),
    };
    Ok(QuestionPage {
        page: Page::new(&viewer, format!("Question {}", q.position), "/assurance"),
        plan,
        q,
        form,
        errors,
    }
    .into_response())
}

pub async fn edit_question(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<QuestionForm>,
) -> AppResult<Response> {
    let (plan, q) = question_of(&st, &viewer, id).await?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    let text = errors.check("text", model::question(&f.text));
    let refused = |plan: Plan,
                   q: Question,
                   f: QuestionForm,
                   errors: Errors,
                   status: StatusCode|
     -> AppResult<Response> {
        let page = QuestionPage {
            page: Page::new(&viewer, format!("Question {}", q.position), "/assurance"),
            plan,
            q,
            form: f,
            errors,
        };
        Ok((status, page).into_response())
    };
    if plan.issued_on.is_some() {
        errors.add("text", store::FROZEN);
    }
    let Some(text) = text.filter(|_| errors.is_empty()) else {
        return refused(plan, q, f, errors, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let before = Question { version, ..q };
    if let Err(why) = store::edit_question(&st.db, &viewer.actor(), p, &before, &text).await? {
        let (plan, now) = question_of(&st, &viewer, id).await?;
        let mut errors = Errors::default();
        errors.add("text", why);
        let f = QuestionForm {
            version: now.version.to_string(),
            ..f
        };
        return refused(plan, now, f, errors, StatusCode::CONFLICT);
    }
    crate::web::saved(
        &st.db,
        &viewer,
        "Question changed",
        &format!("/assurance/{}#questions", plan.id),
    )
    .await
}

pub async fn remove_question(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (plan, q) = question_of(&st, &viewer, id).await?;
    if let Err(why) = store::remove_question(&st.db, &viewer.actor(), p, &q).await? {
        let mut errors = Errors::default();
        errors.add("text", why);
        let page = plan_page(&st, &viewer, plan, None, None, errors).await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    crate::web::saved(
        &st.db,
        &viewer,
        "Question removed",
        &format!("/assurance/{}#questions", plan.id),
    )
    .await
}

pub async fn add_agency(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<AgencyForm>,
) -> AppResult<Response> {
    let plan = whole_plan(&st, &viewer, id).await?;
    let mut errors = Errors::default();
    let organisations = in_force(&st, p, "organisation").await?;
    let organisation = organisations
        .iter()
        .find(|(k, _)| *k == f.organisation_key)
        .cloned();
    if organisation.is_none() {
        errors.add(
            "organisation_key",
            "Select an agency from the partnership's arrangements",
        );
    }
    let people = people(&st, p).await?;
    let responder = people.iter().find(|(k, _)| *k == f.responder).cloned();
    if responder.is_none() {
        errors.add(
            "responder",
            "Select the person who answers for the agency: someone with an account in this partnership",
        );
    }
    if plan.issued_on.is_some() {
        errors.add(
            "organisation_key",
            "The plan has been issued: its agencies are fixed",
        );
    }
    let (Some((key, name)), Some((uid, who)), true) = (organisation, responder, errors.is_empty())
    else {
        let page = plan_page(&st, &viewer, plan, None, Some(f), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let uid: i64 = uid.parse().map_err(|_| AppError::NotFound)?;
    if !store::add_agency(
        &st.db,
        &viewer.actor(),
        p,
        &plan,
        (key.as_str(), name.as_str()),
        (uid, who.as_str()),
    )
    .await?
    {
        let mut errors = Errors::default();
        errors.add(
            "organisation_key",
            format!("{name} is already on this plan, or the plan has been issued"),
        );
        let page = plan_page(&st, &viewer, plan, None, Some(f), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    crate::web::saved(
        &st.db,
        &viewer,
        &format!("{name} added"),
        &format!("/assurance/{id}#agencies"),
    )
    .await
}

pub async fn remove_agency(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let a = store::agency(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let plan = whole_plan(&st, &viewer, a.plan_id).await?;
    if !store::remove_agency(&st.db, &viewer.actor(), p, &a).await? {
        let mut errors = Errors::default();
        errors.add(
            "organisation_key",
            "The plan has been issued: its agencies are fixed",
        );
        let page = plan_page(&st, &viewer, plan, None, None, errors).await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    crate::web::flash(
        &st.db,
        &viewer,
        &format!("{} taken off the plan", a.organisation_name),
    )
    .await?;
    Ok(crate::web::redirect(&format!(
        "/assurance/{}#agencies",
        plan.id
    )))
}

#[derive(Template)]
#[template(path = "mail/assurance.txt")]
struct IssuedText<'a> {
    name: &'a str,
    partnership: &'a str,
    plan: &'a Plan,
    agency: &'a str,
    questions: usize,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/assurance.html")]
struct IssuedHtml<'a> {
    name: &'a str,
    partnership: &'a str,
    plan: &'a Plan,
    agency: &'a str,
    questions: usize,
    link: &'a str,
}

/// Issue the plan: its questions are fixed and each responder is emailed a link to their
/// return.
pub async fn issue(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<VersionForm>,
) -> AppResult<Response> {
    let plan = whole_plan(&st, &viewer, id).await?;
    let version = crate::web::forms::version(&f.version)?;
    let questions = store::questions(&st.db, p, id).await?;
    let agencies = store::agencies(&st.db, p, id).await?;
    let mut errors = Errors::default();
    if plan.issued_on.is_some() {
        errors.add("issue", "The plan has already been issued");
    } else if let Err(e) = model::ready_to_issue(questions.len(), agencies.len()) {
        errors.add("issue", e);
    }
    if !errors.is_empty() {
        let page = plan_page(&st, &viewer, plan, None, None, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let before = Plan { version, ..plan };
    if let Err(stale) = store::issue(&st.db, &viewer.actor(), p, &before, today()).await? {
        let now = whole_plan(&st, &viewer, id).await?;
        let mut errors = Errors::default();
        errors.add("issue", stale);
        let page = plan_page(&st, &viewer, now, None, None, errors).await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    let partnership = viewer
        .current
        .as_ref()
        .map_or("", |m| m.partnership_name.as_str());
    let base = st.config.base_url.trim_end_matches('/');
    for a in &agencies {
        let link = format!("{base}/assurance/returns/{}", a.id);
        let (name, agency, questions) = (
            a.responder_name.as_str(),
            a.organisation_name.as_str(),
            questions.len(),
        );
        let mail = Mail::from_templates(
            &a.responder_email,
            &format!("Assurance questions for {agency}: {}", before.title),
            &IssuedText {
                name,
                partnership,
                plan: &before,
                agency,
                questions,
                link: &link,
            },
            &IssuedHtml {
                name,
                partnership,
                plan: &before,
                agency,
                questions,
                link: &link,
            },
        )?;
        st.mailer.queue(&st.db, Some(p), mail).await?;
    }
    crate::web::flash(
        &st.db,
        &viewer,
        &format!(
            "Plan issued: {} agencies emailed; its questions are now fixed",
            agencies.len()
        ),
    )
    .await?;
    Ok(crate::web::redirect(&format!("/assurance/{id}")))
}

// ---- An agency's return ----

#[derive(Template, WebTemplate)]
#[template(path = "assurance/return.html")]
struct ReturnPage {
    page: Page,
    plan: Plan,
    a: AgencyView,
    /// The responder, while the return is open: may answer and submit.
    may_answer: bool,
    can_manage: bool,
    errors: Errors,
}

async fn return_page(
    st: &AppState,
    viewer: &Viewer,
    agency_id: i64,
    errors: Errors,
) -> AppResult<ReturnPage> {
    let p = viewer.tenant()?;
    let sight = Sight::of(&st.db, viewer).await?;
    let (plan, agency) = visible_return(&st.db, p, &sight, agency_id).await?;
    let may_answer = sight.answers_for(&plan, &agency) && agency.returned_on.is_none();
    let mut v = plan_view(st, p, plan, |a| a.id == agency_id).await?;
    let a = v.agencies.pop().ok_or(AppError::NotFound)?;
    Ok(ReturnPage {
        page: Page::new(
            viewer,
            format!("{}: {}", a.agency.organisation_name, v.plan.title),
            "/assurance",
        ),
        plan: v.plan,
        a,
        may_answer,
        can_manage: Permission::ManagePartnership.allows(viewer),
        errors,
    })
}

pub async fn agency_return(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    Ok(return_page(&st, &viewer, id, Errors::default())
        .await?
        .into_response())
}

/// The responder submits the return: every question answered, then dated and closed.
pub async fn submit(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let sight = Sight::of(&st.db, &viewer).await?;
    let (plan, agency) = visible_return(&st.db, p, &sight, id).await?;
    if !sight.answers_for(&plan, &agency) {
        return Err(AppError::Forbidden);
    }
    let questions = store::questions(&st.db, p, plan.id).await?;
    let answered = store::answers(&st.db, p, plan.id)
        .await?
        .iter()
        .filter(|a| a.agency_id == agency.id)
        .count();
    let mut errors = Errors::default();
    if agency.returned_on.is_some() {
        errors.add("submit", store::SUBMITTED);
    } else if answered < questions.len() {
        errors.add("submit", "Answer every question before you submit");
    }
    if errors.is_empty()
        && let Err(why) = store::submit(&st.db, &viewer.actor(), p, &agency, today()).await?
    {
        errors.add("submit", why);
    }
    if !errors.is_empty() {
        let page = return_page(&st, &viewer, id, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    crate::web::flash(
        &st.db,
        &viewer,
        "Return submitted: the business unit has your answers",
    )
    .await?;
    Ok(crate::web::redirect(&format!("/assurance/returns/{id}")))
}

#[derive(Template, WebTemplate)]
#[template(path = "assurance/answer.html")]
struct AnswerPage {
    page: Page,
    plan: Plan,
    agency: Agency,
    q: Question,
    evidence: Vec<Evidence>,
    form: AnswerFields,
    limit: String,
    errors: Errors,
}

/// What the answer form holds.
#[derive(Default, Clone)]
pub struct AnswerFields {
    version: String,
    rag: String,
    narrative: String,
}

/// The return, question and current answer a responder is answering; others who may see the
/// return are refused, and everyone else finds nothing.
async fn answering(
    st: &AppState,
    viewer: &Viewer,
    agency_id: i64,
    question_id: i64,
) -> AppResult<(Plan, Agency, Question, Option<Answer>, Vec<Evidence>)> {
    let p = viewer.tenant()?;
    let sight = Sight::of(&st.db, viewer).await?;
    let (plan, agency) = visible_return(&st.db, p, &sight, agency_id).await?;
    let q = store::question(&st.db, p, question_id)
        .await?
        .filter(|q| q.plan_id == plan.id)
        .ok_or(AppError::NotFound)?;
    if !sight.answers_for(&plan, &agency) {
        return Err(AppError::Forbidden);
    }
    let answer = store::answers(&st.db, p, plan.id)
        .await?
        .into_iter()
        .find(|a| a.agency_id == agency.id && a.question_id == q.id);
    let evidence = match &answer {
        Some(a) => store::evidence(&st.db, p, plan.id)
            .await?
            .into_iter()
            .filter(|e| e.answer_id == a.id)
            .collect(),
        None => Vec::new(),
    };
    Ok((plan, agency, q, answer, evidence))
}

fn answer_page(
    st: &AppState,
    viewer: &Viewer,
    (plan, agency, q, evidence): (Plan, Agency, Question, Vec<Evidence>),
    form: AnswerFields,
    errors: Errors,
) -> AnswerPage {
    AnswerPage {
        page: Page::new(viewer, format!("Question {}", q.position), "/assurance"),
        plan,
        agency,
        q,
        evidence,
        form,
        limit: st.files.limit_text(),
        errors,
    }
}

pub async fn answer_form(
    State(st): State<AppState>,
    viewer: Viewer,
    Path((id, question)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (plan, agency, q, answer, evidence) = answering(&st, &viewer, id, question).await?;
    let mut errors = Errors::default();
    if agency.returned_on.is_some() {
        errors.add("rag", store::SUBMITTED);
    }
    let form = answer.map_or_else(
        || AnswerFields {
            version: "0".into(),
            ..AnswerFields::default()
        },
        |a| AnswerFields {
            version: a.version.to_string(),
            rag: a.rag,
            narrative: a.narrative,
        },
    );
    Ok(answer_page(&st, &viewer, (plan, agency, q, evidence), form, errors).into_response())
}

/// Save an answer: a RAG rating, a narrative and, optionally, a piece of evidence checked by
/// its content. Any problem refuses the whole of it, so nothing half-saved is left.
pub async fn save_answer(
    Ctx { st, viewer, p }: Ctx,
    Path((id, question)): Path<(i64, i64)>,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    let (plan, agency, q, _, evidence) = answering(&st, &viewer, id, question).await?;
    let up = crate::files::Upload::read(form, st.files.limit).await?;
    let version = crate::web::forms::version(up.field("version"))?;
    let fields = AnswerFields {
        version: version.to_string(),
        rag: up.field("rag").to_owned(),
        narrative: up.field("narrative").to_owned(),
    };
    let mut errors = Errors::default();
    if agency.returned_on.is_some() {
        errors.add("rag", store::SUBMITTED);
    }
    let rag = errors.check("rag", Rag::parse(&fields.rag));
    let narrative = errors.check("narrative", model::narrative(&fields.narrative));
    let file = if up.file.is_some() || up.too_large {
        errors.check("evidence", up.checked(&st.files))
    } else {
        None
    };
    let (Some(rag), Some(narrative), true) = (rag, narrative, errors.is_empty()) else {
        let page = answer_page(&st, &viewer, (plan, agency, q, evidence), fields, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let saved = store::save_answer(
        &st.db,
        &st.files,
        &viewer.actor(),
        p,
        &agency,
        &q,
        version,
        rag.as_str(),
        &narrative,
        file,
    )
    .await?;
    if let Err(why) = saved {
        let (plan, agency, q, now, evidence) = answering(&st, &viewer, id, question).await?;
        let mut errors = Errors::default();
        errors.add("rag", why);
        // The form keeps what they typed, on the version now stored, so saving again applies it.
        let fields = AnswerFields {
            version: now.map_or_else(|| "0".into(), |a| a.version.to_string()),
            ..fields
        };
        let page = answer_page(&st, &viewer, (plan, agency, q, evidence), fields, errors);
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    crate::web::flash(
        &st.db,
        &viewer,
        &format!("Answer to question {} saved", q.position),
    )
    .await?;
    Ok(crate::web::redirect(&format!("/assurance/returns/{id}")))
}

/// Download a piece of evidence: for those who may see the agency's return.
pub async fn evidence(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (agency_id, file_id) = store::evidence_file(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let sight = Sight::of(&st.db, &viewer).await?;
    visible_return(&st.db, p, &sight, agency_id).await?;
    st.files.serve(&st.db, p, file_id).await
}

// ---- Actions where assurance is not given ----

/// Where an action raised from an answer came from: the answer in its plan, for those who see
/// the plan whole (the tracker links here).
pub async fn answer_in_plan(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let answer = store::answer(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let agency = store::agency(&st.db, p, answer.agency_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let plan = whole_plan(&st, &viewer, agency.plan_id).await?;
    Ok(crate::web::redirect(&format!(
        "/assurance/{}#agency-{}",
        plan.id, agency.id
    )))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ActionForm {
    title: String,
    owner_name: String,
    owner_organisation: String,
    due: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "assurance/action.html")]
struct ActionPage {
    page: Page,
    plan: Plan,
    agency: Agency,
    q: Question,
    answer: Answer,
    rag: Rag,
    form: ActionForm,
    errors: Errors,
}

/// An answer that did not give assurance, with its plan, agency and question.
async fn not_assured(
    st: &AppState,
    viewer: &Viewer,
    answer_id: i64,
) -> AppResult<(Plan, Agency, Question, Answer, Rag)> {
    let p = viewer.tenant()?;
    let answer = store::answer(&st.db, p, answer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let agency = store::agency(&st.db, p, answer.agency_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let plan = whole_plan(st, viewer, agency.plan_id).await?;
    let q = store::question(&st.db, p, answer.question_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rag = Rag::parse(&answer.rag)
        .ok()
        .filter(|r| r.assurance_not_given())
        .ok_or_else(|| {
            AppError::Unprocessable(
                "This answer gives assurance: actions are raised where assurance is not given"
                    .into(),
            )
        })?;
    Ok((plan, agency, q, answer, rag))
}

pub async fn action_form(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (plan, agency, q, answer, rag) = not_assured(&st, &viewer, id).await?;
    let form = ActionForm {
        title: String::new(),
        owner_name: agency.responder_name.clone(),
        owner_organisation: agency.organisation_name.clone(),
        due: String::new(),
    };
    Ok(ActionPage {
        page: Page::new(&viewer, "Raise an action", "/assurance"),
        plan,
        agency,
        q,
        answer,
        rag,
        form,
        errors: Errors::default(),
    }
    .into_response())
}

/// Raise an action in the shared tracker from an answer that did not give assurance.
pub async fn raise_action(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<ActionForm>,
) -> AppResult<Response> {
    let (plan, agency, q, answer, rag) = not_assured(&st, &viewer, id).await?;
    let mut errors = Errors::default();
    let typed = crate::actions::model::Typed {
        title: &f.title,
        owner_name: &f.owner_name,
        owner_organisation: &f.owner_organisation,
        due: &f.due,
    };
    // What every action needs, then this page's own rule: an action is due from today on.
    let checked = match crate::actions::model::check_new(&typed, str::to_owned) {
        Ok(c) => due_field(&mut errors, "due", &f.due).map(|_| c),
        Err(problems) => {
            for (field, message) in problems {
                errors.add(&field, message);
            }
            None
        }
    };
    let (Some((title, owner, organisation, due)), true) = (checked, errors.is_empty()) else {
        let page = ActionPage {
            page: Page::new(&viewer, "Raise an action", "/assurance"),
            plan,
            agency,
            q,
            answer,
            rag,
            form: f,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let a = crate::actions::store::NewAction {
        source_kind: "assurance".into(),
        source_id: answer.id,
        body_key: plan.body_key.clone(),
        reference: format!("{}, question {}", plan.title, q.position),
        title,
        owner_name: owner,
        owner_organisation: organisation,
        due,
        sensitive: true,
        restricted_item: None,
    };
    crate::actions::store::add(&st.db, &viewer.actor(), p, &a).await?;
    crate::web::saved(
        &st.db,
        &viewer,
        "Action added to the tracker",
        &format!("/assurance/{}#agency-{}", plan.id, agency.id),
    )
    .await
}
