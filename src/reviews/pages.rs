//! The review rules' editions: the host adds one when the statutory guidance changes; the
//! partnership sees the edition in force and every deadline it sets.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::model::{self, Edition, RapidReviewFrom};
use super::store;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;

use crate::calendar::today;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EditionForm {
    key: String,
    name: String,
    in_force_from: String,
    notify_within: String,
    tell_partners_within: String,
    rapid_review_within: String,
    rapid_review_from: String,
    publish_within_months: String,
    final_report_before: String,
}

impl EditionForm {
    /// The edition, or every problem with the form.
    fn check(&self, errors: &mut Errors) -> Option<Edition> {
        let key = self.key.trim();
        if key.len() < 2
            || key.len() > 40
            || !key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            errors.add(
                "key",
                "Enter a short name of 2 to 40 lower-case letters, digits or hyphens, like wt2026",
            );
        }
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            errors.add(
                "name",
                "Enter the edition's title, in 200 characters or fewer",
            );
        }
        let from = errors.required_date(
            "in_force_from",
            "In force from",
            &self.in_force_from,
            "Enter the day it comes into force",
        );
        let days = |v: &str, what: &str| -> Result<i64, String> {
            v.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=60).contains(n))
                .ok_or_else(|| format!("Enter {what} as a number of working days from 1 to 60"))
        };
        let notify = errors
            .check(
                "notify_within",
                days(&self.notify_within, "the time to notify the Panel"),
            )
            .unwrap_or(0);
        let tell = errors
            .check(
                "tell_partners_within",
                days(&self.tell_partners_within, "the time to tell the partners"),
            )
            .unwrap_or(0);
        let rapid = errors
            .check(
                "rapid_review_within",
                days(&self.rapid_review_within, "the time for the rapid review"),
            )
            .unwrap_or(0);
        let rapid_from = match self.rapid_review_from.as_str() {
            "awareness" => Some(RapidReviewFrom::Awareness),
            "notification" => Some(RapidReviewFrom::Notification),
            _ => {
                errors.add(
                    "rapid_review_from",
                    "Select when the rapid review's working days start",
                );
                None
            }
        };
        let months = match self.publish_within_months.trim().parse::<u32>() {
            Ok(n) if (1..=24).contains(&n) => n,
            _ => {
                errors.add(
                    "publish_within_months",
                    "Enter a number of months from 1 to 24",
                );
                0
            }
        };
        let before = errors
            .check(
                "final_report_before",
                days(&self.final_report_before, "the notice before publication"),
            )
            .unwrap_or(0);
        match (from, rapid_from, errors.is_empty()) {
            (Some(in_force_from), Some(rapid_review_from), true) => Some(Edition {
                key: key.to_owned(),
                name: name.to_owned(),
                in_force_from,
                notify_within: notify,
                tell_partners_within: tell,
                rapid_review_within: rapid,
                rapid_review_from,
                publish_within_months: months,
                final_report_before: before,
            }),
            _ => None,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/editions.html")]
struct EditionsPage {
    page: Page,
    editions: Vec<Edition>,
    in_force: Option<Edition>,
    can_add: bool,
    form: EditionForm,
    errors: Errors,
}

async fn editions_page(
    st: &AppState,
    viewer: &Viewer,
    path: &str,
    form: EditionForm,
    errors: Errors,
) -> AppResult<EditionsPage> {
    let editions = store::editions(&st.db).await?;
    Ok(EditionsPage {
        page: Page::new(viewer, "Rules for serious case reviews", path),
        in_force: model::in_force(&editions, today()).cloned(),
        editions,
        can_add: Permission::ManageHost.allows(viewer),
        form,
        errors,
    })
}

fn blank() -> EditionForm {
    EditionForm {
        rapid_review_from: "notification".into(),
        notify_within: "5".into(),
        tell_partners_within: "5".into(),
        rapid_review_within: "15".into(),
        publish_within_months: "6".into(),
        final_report_before: "7".into(),
        ..EditionForm::default()
    }
}

/// The partnership's view: the edition in force and all of them.
pub async fn rules(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    Ok(
        editions_page(&st, &viewer, "/reviews/rules", blank(), Errors::default())
            .await?
            .into_response(),
    )
}

/// The host's view, with the form to add an edition.
pub async fn editions(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    Ok(editions_page(
        &st,
        &viewer,
        "/system/review-editions",
        blank(),
        Errors::default(),
    )
    .await?
    .into_response())
}

pub async fn add(
    State(st): State<AppState>,
    viewer: Viewer,
    FormData(f): FormData<EditionForm>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    let Some(e) = f.check(&mut errors) else {
        let page = editions_page(&st, &viewer, "/system/review-editions", f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    if let Err(problem) = store::add_edition(&st.db, &viewer.actor(), &e).await? {
        let field = if problem.contains("called") {
            "key"
        } else {
            "in_force_from"
        };
        errors.add(field, problem);
        let page = editions_page(&st, &viewer, "/system/review-editions", f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    crate::web::saved(
        &st.db,
        &viewer,
        &format!("Edition added: {}", e.name),
        "/system/review-editions",
    )
    .await
}
