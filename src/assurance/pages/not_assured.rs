//! Actions raised where an agency's answer gives no assurance.

use super::*;

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
        "/assurance/{}/returns#agency-{}",
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
pub(super) struct ActionPage {
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
pub(super) async fn not_assured(
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
        Ok(c) => due_field(&mut errors, "due", "Due date", &f.due).map(|_| c),
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
        // The agency's representative, who answered: they open and update it.
        owner_user_id: Some(agency.responder_user_id),
        due,
        sensitive: true,
        restricted_item: None,
    };
    let action = crate::actions::store::add(&st.db, &viewer.actor(), p, &a).await?;
    crate::web::made(
        &st.db,
        &viewer,
        "Action added to the tracker",
        (&format!("/actions/{action}"), "View the action"),
        &format!("/assurance/{}/actions#agency-{}", plan.id, agency.id),
    )
    .await
}
