//! The whole plan: its questions, its agencies and their responders, and issuing it by email.

use super::*;

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

impl AgencyView {
    /// Whether any of its answers gives no assurance.
    pub fn not_assured(&self) -> bool {
        self.cells
            .iter()
            .any(|c| c.rag.is_some_and(Rag::assurance_not_given))
    }
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
                            .filter(|e| e.record_id == a.id)
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

/// Which page of a plan: the summary with its stages as a task list, or one stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanPart {
    Summary,
    Questions,
    Agencies,
    Issue,
    Returns,
    Actions,
}

impl PlanPart {
    fn stage(self) -> Option<model::PlanStage> {
        use model::PlanStage as S;
        match self {
            PlanPart::Summary => None,
            PlanPart::Questions => Some(S::Questions),
            PlanPart::Agencies => Some(S::Agencies),
            PlanPart::Issue => Some(S::Issue),
            PlanPart::Returns => Some(S::Returns),
            PlanPart::Actions => Some(S::Actions),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "assurance/plan.html")]
pub(super) struct PlanPage {
    page: Page,
    part: PlanPart,
    /// The plan's stages as a task list.
    stages: Vec<crate::web::task_list::Stage>,
    v: PlanView,
    question: QuestionForm,
    agency: AgencyForm,
    organisations: Vec<(String, String)>,
    people: Vec<(String, String)>,
    can_manage: bool,
    errors: Errors,
}

/// The partnership's people who may be named to answer: everyone with a membership.
pub(super) async fn people(st: &AppState, p: PartnershipId) -> AppResult<Vec<(String, String)>> {
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

/// A plan's stages as a task list, each with its line.
fn plan_stages(
    v: &PlanView,
    cal: &crate::calendar::working_days::Calendar,
) -> Vec<crate::web::task_list::Stage> {
    use crate::web::task_list::Stage;
    use model::PlanStage as S;
    let cells = || v.agencies.iter().flat_map(|a| a.cells.iter());
    let not_assured = cells().filter(|c| c.rag.is_some_and(Rag::assurance_not_given));
    let progress = model::PlanProgress {
        issued: v.plan.issued_on.is_some(),
        questions: v.questions.len(),
        agencies: v.agencies.len(),
        returned: v
            .agencies
            .iter()
            .filter(|a| a.agency.returned_on.is_some())
            .count(),
        answers_due: v.plan.answers_due,
        not_assured: not_assured.clone().count(),
        acted_on: not_assured.filter(|c| !c.actions.is_empty()).count(),
    };
    let count = |n: usize, one: &str, more: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {more}")
        }
    };
    model::plan_stages(&progress, today(), cal)
        .into_iter()
        .map(|(stage, status)| {
            let hint = match stage {
                S::Questions => count(progress.questions, "question", "questions"),
                S::Agencies => count(progress.agencies, "agency", "agencies"),
                S::Issue => match v.plan.issued_on {
                    Some(d) => format!("Issued on {}", d.format("%-d %B %Y")),
                    None => match model::ready_to_issue(progress.questions, progress.agencies) {
                        Ok(()) => {
                            "Each responder is emailed; the questions are then fixed".to_owned()
                        }
                        Err(e) => e.to_owned(),
                    },
                },
                S::Returns => format!(
                    "{} of {} returned; due by {}",
                    progress.returned,
                    progress.agencies,
                    v.plan.answers_due.format("%-d %B %Y")
                ),
                S::Actions if progress.not_assured == 0 => {
                    "Raised where an answer gives no assurance".to_owned()
                }
                S::Actions => format!(
                    "Raised on {} of {}",
                    progress.acted_on,
                    count(
                        progress.not_assured,
                        "answer that gives no assurance",
                        "answers that give no assurance"
                    )
                ),
            };
            Stage::new(
                stage.name(),
                format!("/assurance/{}/{}", v.plan.id, stage.path()),
                status,
            )
            .hint(hint)
        })
        .collect()
}

pub(super) async fn plan_page(
    st: &AppState,
    viewer: &Viewer,
    plan: Plan,
    part: PlanPart,
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
    let cal = crate::calendar::store::current(&st.db).await?;
    Ok(PlanPage {
        page: Page::new(
            viewer,
            match part.stage() {
                None => v.plan.title.clone(),
                Some(s) => format!("{}: {}", s.name(), v.plan.title),
            },
            "/assurance",
        ),
        stages: plan_stages(&v, &cal),
        part,
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
    Ok(plan_page(
        &st,
        &viewer,
        plan,
        PlanPart::Summary,
        None,
        None,
        Errors::default(),
    )
    .await?
    .into_response())
}

async fn part_of(st: AppState, viewer: Viewer, id: i64, part: PlanPart) -> AppResult<Response> {
    let plan = whole_plan(&st, &viewer, id).await?;
    Ok(
        plan_page(&st, &viewer, plan, part, None, None, Errors::default())
            .await?
            .into_response(),
    )
}

/// The plan's questions, with the form to add one while it is a draft.
pub async fn questions(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    part_of(st, viewer, id, PlanPart::Questions).await
}

/// The agencies asked and who answers for each, with the form to add one.
pub async fn agencies(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    part_of(st, viewer, id, PlanPart::Agencies).await
}

/// Issuing the plan to the agencies.
pub async fn issue_form(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    part_of(st, viewer, id, PlanPart::Issue).await
}

/// Each agency's return, and the answers by agency and question.
pub async fn returns(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    part_of(st, viewer, id, PlanPart::Returns).await
}

/// The answers that give no assurance, and the actions raised from them.
pub async fn actions(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    part_of(st, viewer, id, PlanPart::Actions).await
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
        let page = plan_page(
            &st,
            &viewer,
            plan,
            PlanPart::Questions,
            Some(f),
            None,
            errors,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    if !store::add_question(&st.db, &viewer.actor(), p, &plan, &text).await? {
        let mut errors = Errors::default();
        errors.add("text", store::FROZEN);
        let now = whole_plan(&st, &viewer, id).await?;
        let page = plan_page(
            &st,
            &viewer,
            now,
            PlanPart::Questions,
            Some(f),
            None,
            errors,
        )
        .await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    crate::web::saved(
        &st.db,
        &viewer,
        "Question added",
        &format!("/assurance/{id}/questions"),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "assurance/question.html")]
pub(super) struct QuestionPage {
    page: Page,
    plan: Plan,
    q: Question,
    form: QuestionForm,
    errors: Errors,
}

/// A question and its plan, for the business unit.
pub(super) async fn question_of(
    st: &AppState,
    viewer: &Viewer,
    id: i64,
) -> AppResult<(Plan, Question)> {
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
        &format!("/assurance/{}/questions", plan.id),
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
        let page = plan_page(&st, &viewer, plan, PlanPart::Questions, None, None, errors).await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    crate::web::saved(
        &st.db,
        &viewer,
        "Question removed",
        &format!("/assurance/{}/questions", plan.id),
    )
    .await
}

/// The agencies' page again with the agency form as typed and what is wrong with it.
async fn agency_refused(
    st: &AppState,
    viewer: &Viewer,
    plan: Plan,
    f: AgencyForm,
    errors: Errors,
) -> AppResult<Response> {
    let page = plan_page(st, viewer, plan, PlanPart::Agencies, None, Some(f), errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
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
        return agency_refused(&st, &viewer, plan, f, errors).await;
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
        return agency_refused(&st, &viewer, plan, f, errors).await;
    }
    crate::web::saved(
        &st.db,
        &viewer,
        &format!("{name} added"),
        &format!("/assurance/{id}/agencies"),
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
        let page = plan_page(&st, &viewer, plan, PlanPart::Agencies, None, None, errors).await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    crate::web::flash(
        &st.db,
        &viewer,
        &format!("{} taken off the plan", a.organisation_name),
    )
    .await?;
    Ok(crate::web::redirect(&format!(
        "/assurance/{}/agencies",
        plan.id
    )))
}

#[derive(Template)]
#[template(path = "mail/assurance.txt")]
pub(super) struct IssuedText<'a> {
    name: &'a str,
    partnership: &'a str,
    plan: &'a Plan,
    agency: &'a str,
    questions: usize,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/assurance.html")]
pub(super) struct IssuedHtml<'a> {
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
        let page = plan_page(&st, &viewer, plan, PlanPart::Issue, None, None, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let before = Plan { version, ..plan };
    if let Err(stale) = store::issue(&st.db, &viewer.actor(), p, &before, today()).await? {
        let now = whole_plan(&st, &viewer, id).await?;
        let mut errors = Errors::default();
        errors.add("issue", stale);
        let page = plan_page(&st, &viewer, now, PlanPart::Issue, None, None, errors).await?;
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
