//! Drafting a new plan from a national review or a theme.

use super::*;

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
pub(super) struct NewPage {
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
    let link = errors.web_address("review_link", &f.review_link);
    let known = in_force(&st, p, "body").await?;
    if !f.body_key.is_empty() && !known.iter().any(|(k, _)| *k == f.body_key) {
        errors.add("body_key", "Select the body that owns the plan");
    }
    let due = due_field(
        &mut errors,
        "answers_due",
        "Date answers are due",
        &f.answers_due,
    );
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
        review_link: link,
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
