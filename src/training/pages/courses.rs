//! The training officer's forms for a course.

use super::*;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CourseForm {
    title: String,
    description: String,
    outcomes: String,
    audience: String,
    level: String,
    delivery: String,
    minutes: String,
    link: String,
    version: String,
}

impl CourseForm {
    fn of(c: &Course) -> CourseForm {
        CourseForm {
            title: c.title.clone(),
            description: c.description.clone(),
            outcomes: c.outcomes.clone(),
            audience: c.audience.clone(),
            level: c.level.as_str().to_owned(),
            delivery: c.delivery.as_str().to_owned(),
            minutes: c.minutes.to_string(),
            link: c.link.clone(),
            version: c.version.to_string(),
        }
    }

    /// The course as typed, checked: every problem against its field.
    fn check(&self, errors: &mut Errors) -> Option<CourseFields> {
        let title = errors.required_text(
            "title",
            &self.title,
            model::TITLE_MAX,
            "Enter the course's title",
        );
        let description = errors.text("description", &self.description, model::TEXT_MAX);
        let outcomes = errors.text("outcomes", &self.outcomes, model::TEXT_MAX);
        let audience = errors.text("audience", &self.audience, 500);
        let level = Level::parse(self.level.trim());
        if level.is_none() {
            errors.add("level", "Select the course's level");
        }
        let delivery = Delivery::parse(self.delivery.trim());
        if delivery.is_none() {
            errors.add("delivery", "Select how the course is delivered");
        }
        let minutes = errors.required_whole_number(
            "minutes",
            &self.minutes,
            5..=2400,
            "Enter the course's length in minutes, like 180",
            "Enter the course's length in minutes, from 5 to 2400, like 180",
        );
        let link = errors.web_address("link", &self.link);
        if delivery == Some(Delivery::ELearning) && link.is_empty() && errors.get("link").is_none()
        {
            errors.add("link", "Enter the e-learning's web address");
        }
        match (level, delivery, minutes, errors.is_empty()) {
            (Some(level), Some(delivery), Some(minutes), true) => Some(CourseFields {
                title,
                description,
                outcomes,
                audience,
                level,
                delivery,
                minutes: i64::from(minutes),
                link,
            }),
            _ => None,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "training/course_form.html")]
pub struct CourseFormPage {
    page: Page,
    form: CourseForm,
    /// The course being changed; none for a new one.
    id: Option<i64>,
    levels: Vec<(String, String)>,
    deliveries: Vec<(String, String)>,
    errors: Errors,
}

impl CourseFormPage {
    fn new(viewer: &Viewer, form: CourseForm, id: Option<i64>, errors: Errors) -> Self {
        CourseFormPage {
            page: Page::new(
                viewer,
                if id.is_some() {
                    "Change the course"
                } else {
                    "New course"
                },
                "/training",
            ),
            form,
            id,
            levels: Level::ALL
                .iter()
                .map(|l| (l.as_str().to_owned(), l.label().to_owned()))
                .collect(),
            deliveries: Delivery::ALL
                .iter()
                .map(|d| (d.as_str().to_owned(), d.label().to_owned()))
                .collect(),
            errors,
        }
    }
}

pub async fn new_course(Ctx { viewer, .. }: Ctx) -> AppResult<Response> {
    Ok(
        CourseFormPage::new(&viewer, CourseForm::default(), None, Errors::default())
            .into_response(),
    )
}

pub async fn add_course(
    Ctx { st, viewer, p }: Ctx,
    FormData(f): FormData<CourseForm>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    let Some(fields) = f.check(&mut errors) else {
        let page = CourseFormPage::new(&viewer, f, None, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let id = store::add_course(&st.db, &viewer.actor(), p, &fields).await?;
    crate::web::saved(
        &st.db,
        &viewer,
        "Course added: add its sessions",
        &format!("/training/courses/{id}"),
    )
    .await
}

pub async fn edit_course(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let c = store::course(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(
        CourseFormPage::new(&viewer, CourseForm::of(&c), Some(id), Errors::default())
            .into_response(),
    )
}

pub async fn change_course(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<CourseForm>,
) -> AppResult<Response> {
    let before = store::course(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    let Some(fields) = f.check(&mut errors) else {
        let page = CourseFormPage::new(&viewer, f, Some(id), errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let as_seen = Course { version, ..before };
    if let Err(stale) = store::update_course(&st.db, &viewer.actor(), p, &as_seen, &fields).await? {
        let mut errors = Errors::default();
        errors.add("title", stale.to_string());
        let page = CourseFormPage::new(&viewer, f, Some(id), errors);
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    crate::web::saved(
        &st.db,
        &viewer,
        "Course saved",
        &format!("/training/courses/{id}"),
    )
    .await
}
