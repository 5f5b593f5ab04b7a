//! An agency's return: each answer with its evidence, and submitting it.

use super::*;

#[derive(Template, WebTemplate)]
#[template(path = "assurance/return.html")]
pub(super) struct ReturnPage {
    page: Page,
    plan: Plan,
    a: AgencyView,
    /// The responder, while the return is open: may answer and submit.
    may_answer: bool,
    can_manage: bool,
    /// Shown back before it is submitted, which cannot be undone.
    checking: bool,
    errors: Errors,
}

pub(super) async fn return_page(
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
        checking: false,
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
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SubmitForm {
    /// "confirm" from the check page submits; anything else shows the answers back first.
    step: String,
}

pub async fn submit(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<SubmitForm>,
) -> AppResult<Response> {
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
    if errors.is_empty() && f.step != "confirm" {
        let mut page = return_page(&st, &viewer, id, errors).await?;
        page.checking = true;
        page.page.title = format!("Check your answers before you submit: {}", page.page.title);
        return Ok(page.into_response());
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
pub(super) struct AnswerPage {
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
pub(super) async fn answering(
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
        Some(a) => store::EVIDENCE.list(&st.db, p, &[a.id]).await?,
        None => Vec::new(),
    };
    Ok((plan, agency, q, answer, evidence))
}

pub(super) fn answer_page(
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
    let e = store::EVIDENCE
        .find(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let answer = store::answer(&st.db, p, e.record_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let sight = Sight::of(&st.db, &viewer).await?;
    visible_return(&st.db, p, &sight, answer.agency_id).await?;
    st.files.serve(&st.db, p, e.file.id).await
}
