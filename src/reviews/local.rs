//! The local review the partners decided to hold: its terms of reference, independent reviewer,
//! methodology and milestones; the final report sent to the Panel and the Secretary of State;
//! and its publication: a public page with the report, or the recorded reasons for not
//! publishing. The public sees published reports only.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::cases::{self, Case, CasePart, Submitted, date_field};
use super::model;
use crate::args;
use crate::files::FileType;
use crate::state::{AppState, Ctx};
use crate::store::{Db, PartnershipId, RecordRef, Row, StoreResult, Tx};
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::viewer::Viewer;

/// A planned or recorded milestone of a local review.
#[derive(Clone, Debug, serde::Serialize, PartialEq)]
pub struct Milestone {
    pub step: String,
    pub planned_on: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
}

/// A local review's milestones, replaced together when it is saved.
const MILESTONES: crate::store::Children = crate::store::Children {
    what: "milestones",
    select: "SELECT step, planned_on, done_on FROM review_milestones WHERE partnership_id = $1 AND case_id = $2 ORDER BY step",
    delete: "DELETE FROM review_milestones WHERE partnership_id = $1 AND case_id = $2",
    insert: "INSERT INTO review_milestones (partnership_id, case_id, step, planned_on, done_on) VALUES ($1, $2, $3, $4, $5)",
};

impl crate::store::Child for Milestone {
    fn from_row(r: &Row) -> StoreResult<Self> {
        Ok(Milestone {
            step: r.get("step")?,
            planned_on: r.get("planned_on")?,
            done_on: r.get("done_on")?,
        })
    }
    fn values(&self) -> Vec<crate::store::Value> {
        args![self.step.as_str(), self.planned_on, self.done_on]
    }
}

pub async fn milestones(db: &Db, p: PartnershipId, case_id: i64) -> StoreResult<Vec<Milestone>> {
    let rows: Vec<Milestone> = db
        .fetch_all(
            "SELECT step, planned_on, done_on FROM review_milestones WHERE partnership_id = $1 AND case_id = $2",
            args![p, case_id],
        )
        .await?
        .iter()
        .map(|r: &Row| {
            Ok(Milestone {
                step: r.get("step")?,
                planned_on: r.get("planned_on")?,
                done_on: r.get("done_on")?,
            })
        })
        .collect::<StoreResult<_>>()?;
    // Every step in its order, recorded or not.
    Ok(model::MILESTONES
        .iter()
        .map(|(k, _)| {
            rows.iter()
                .find(|m| m.step == *k)
                .cloned()
                .unwrap_or(Milestone {
                    step: (*k).to_owned(),
                    planned_on: None,
                    done_on: None,
                })
        })
        .collect())
}

/// A date that may be in the future (a plan), or empty.
fn planned_field(errors: &mut Errors, field: &str, label: &str, v: &str) -> Option<NaiveDate> {
    errors.date(field, label, v)
}

fn conflict_or(errors: &mut Errors, c: &Case) {
    if !model::may_hold_local_review(&c.kind, c.local_review()) {
        errors.add(
            "terms_of_reference",
            "This case has no local review: the partners have not decided to hold one",
        );
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct LocalForm {
    pub version: String,
    pub terms_of_reference: String,
    pub reviewer: String,
    pub methodology: String,
    pub publish_planned_on: String,
    pub final_sent_on: String,
    /// `planned-STEP` and `done-STEP` for each milestone.
    #[serde(flatten)]
    pub steps: std::collections::HashMap<String, String>,
}

impl LocalForm {
    pub fn step(&self, which: &str, step: &str) -> &str {
        self.steps
            .get(&format!("{which}-{step}"))
            .map_or("", String::as_str)
    }

    pub fn of(c: &Case, ms: &[Milestone]) -> LocalForm {
        let d = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        let mut steps = std::collections::HashMap::new();
        for m in ms {
            steps.insert(format!("planned-{}", m.step), d(m.planned_on));
            steps.insert(format!("done-{}", m.step), d(m.done_on));
        }
        LocalForm {
            version: c.version.to_string(),
            terms_of_reference: c.terms_of_reference.clone(),
            reviewer: c.reviewer.clone(),
            methodology: c.methodology.clone(),
            publish_planned_on: d(c.publish_planned_on),
            final_sent_on: d(c.final_sent_on),
            steps,
        }
    }
}

/// Record the local review: terms, reviewer, methodology, milestones, the planned publication
/// and the day the final report went to the Panel and the Secretary of State.
pub async fn save_local(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<LocalForm>,
) -> AppResult<Response> {
    let c = cases::read(&st, &viewer, id).await?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    conflict_or(&mut errors, &c);
    for (field, v, max) in [
        ("terms_of_reference", &f.terms_of_reference, 10_000),
        ("methodology", &f.methodology, 10_000),
        ("reviewer", &f.reviewer, 200),
    ] {
        errors.text(field, v, max);
    }
    let planned = planned_field(
        &mut errors,
        "publish_planned_on",
        "Planned publication date",
        &f.publish_planned_on,
    );
    let sent = date_field(
        &mut errors,
        "final_sent_on",
        "Date the final report went to the Panel",
        &f.final_sent_on,
        false,
    );
    if let (Some(s), Some(d)) = (sent, c.decided_on)
        && s < d
    {
        errors.add(
            "final_sent_on",
            "The final report cannot have gone before the decision to review",
        );
    }
    let mut steps = Vec::new();
    for (step, _) in model::MILESTONES {
        let plan = planned_field(
            &mut errors,
            &format!("planned-{step}"),
            "Planned for",
            f.step("planned", step),
        );
        let done = date_field(
            &mut errors,
            &format!("done-{step}"),
            "Done on",
            f.step("done", step),
            false,
        );
        steps.push((*step, plan, done));
    }
    if !errors.is_empty() {
        let page = cases::case_page(
            &st,
            &viewer,
            c,
            CasePart::Local,
            Submitted {
                local: Some(f),
                ..Submitted::default()
            },
            errors,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    let (terms, reviewer, method) = (
        f.terms_of_reference.trim(),
        f.reviewer.trim(),
        f.methodology.trim(),
    );
    let n = tx
        .update_versioned(
            &crate::store::Versioned::new("review_cases", "review-case", p, c.id, version),
            "terms_of_reference = $1, reviewer = $2, methodology = $3, publish_planned_on = $4, final_sent_on = $5",
            args![terms, reviewer, method, planned, sent],            &format!("Local review of {} recorded", c.pseudonym),
            &serde_json::json!({"terms": c.terms_of_reference, "reviewer": c.reviewer, "methodology": c.methodology, "publish_planned_on": c.publish_planned_on, "final_sent_on": c.final_sent_on}),
            &serde_json::json!({"terms": terms, "reviewer": reviewer, "methodology": method, "publish_planned_on": planned, "final_sent_on": sent}),
        )
        .await?;
    if n.is_err() {
        drop(tx);
        return cases::stale_page(
            &st,
            &viewer,
            id,
            CasePart::Local,
            "terms_of_reference",
            Submitted {
                local: Some(f),
                ..Submitted::default()
            },
        )
        .await;
    }
    let steps: Vec<Milestone> = steps
        .iter()
        .filter(|(_, a, b)| a.is_some() || b.is_some())
        .map(|(step, planned_on, done_on)| Milestone {
            step: (*step).to_owned(),
            planned_on: *planned_on,
            done_on: *done_on,
        })
        .collect();
    tx.replace_children(
        &MILESTONES,
        &RecordRef::new(Some(p), "review-case", c.id),
        c.id,
        &format!("Local review milestones for {} saved", c.pseudonym),
        &steps,
    )
    .await?;
    tx.commit().await?;
    crate::web::flash(&st.db, &viewer, "Local review saved; deadlines recomputed").await?;
    Ok(crate::web::redirect(&format!("/reviews/{id}/local")))
}

/// Publish the review: the report (a PDF) on the partnership's public pages with a title and
/// summary, only once the final report has been with the Panel and the Secretary of State for
/// the working days the rules ask.
pub async fn publish(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    let c = cases::read(&st, &viewer, id).await?;
    let up = crate::files::Upload::read(form, st.files.limit).await?;
    let version = crate::web::forms::version(up.field("version"))?;
    let mut errors = Errors::default();
    if !model::may_publish(&c.kind, c.local_review()) {
        errors.add("public_title", "This case has no report to publish");
    }
    if c.published_on.is_some() || c.not_published_on.is_some() {
        errors.add(
            "public_title",
            "The review's publication is already recorded",
        );
    }
    let title = up.field("public_title").trim().to_owned();
    if title.is_empty() || title.chars().count() > 200 {
        errors.add(
            "public_title",
            "Enter the report's title, in 200 characters or fewer",
        );
    }
    let summary = up.field("public_summary").trim().to_owned();
    if summary.is_empty() || summary.chars().count() > 5000 {
        errors.add(
            "public_summary",
            "Enter a summary for the public page, in 5,000 characters or fewer",
        );
    }
    let on = date_field(
        &mut errors,
        "published_on",
        "Date of publication",
        up.field("published_on"),
        true,
    );
    let editions = super::store::editions(&st.db).await?;
    let cal = crate::calendar::store::current(&st.db).await?;
    if let (Some(on), Some(e)) = (on, editions.iter().find(|e| e.key == c.edition_key))
        && let Err(m) = model::publication_allowed(e, c.final_sent_on, on, &cal)
    {
        errors.add("published_on", m);
    }
    let file = errors.check("report", up.checked(&st.files));
    if let Some((_, kind, _)) = &file
        && *kind != FileType::Pdf
    {
        errors.add("report", "The published report must be a PDF");
    }
    let (Some(on), Some((name, kind, bytes)), true) = (on, file, errors.is_empty()) else {
        let page = cases::case_page(
            &st,
            &viewer,
            c,
            CasePart::Publication,
            Submitted::default(),
            errors,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    let stored = st.files.put(&mut tx, p, &name, kind, bytes).await?;
    let n = tx
        .update_versioned(
            &crate::store::Versioned::new("review_cases", "review-case", p, c.id, version)
                .only_if(" AND published_on IS NULL AND not_published_on IS NULL"),
            "published_on = $1, report_file_id = $2, public_title = $3, public_summary = $4",
            args![on, stored.id, title.as_str(), summary.as_str()],
            &format!("Review of {} published: {}", c.pseudonym, title),
            &serde_json::json!({"published_on": null}),
            &serde_json::json!({"published_on": on, "title": title, "report": stored.id}),
        )
        .await?;
    if n.is_err() {
        drop(tx);
        return cases::stale_page(
            &st,
            &viewer,
            id,
            CasePart::Publication,
            "public_title",
            Submitted::default(),
        )
        .await;
    }
    tx.commit().await?;
    crate::web::flash(
        &st.db,
        &viewer,
        "Published: the report is on the partnership's public pages",
    )
    .await?;
    Ok(crate::web::redirect(&format!("/reviews/{id}/publication")))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct NotPublishedForm {
    pub version: String,
    pub not_published_on: String,
    pub not_published_reasons: String,
}

/// Record that the report will not be published, and why (the Panel and the Secretary of State
/// are told the reasons).
pub async fn not_published(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<NotPublishedForm>,
) -> AppResult<Response> {
    let c = cases::read(&st, &viewer, id).await?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    if !model::may_publish(&c.kind, c.local_review()) {
        errors.add(
            "not_published_reasons",
            "This case has no report to publish",
        );
    }
    if c.published_on.is_some() || c.not_published_on.is_some() {
        errors.add(
            "not_published_reasons",
            "The review's publication is already recorded",
        );
    }
    let on = date_field(
        &mut errors,
        "not_published_on",
        "Date decided",
        &f.not_published_on,
        true,
    );
    let reasons = f.not_published_reasons.trim();
    if reasons.is_empty() {
        errors.add(
            "not_published_reasons",
            "Give the reasons for not publishing the report",
        );
    } else if reasons.chars().count() > 5000 {
        errors.add("not_published_reasons", "Enter 5,000 characters or fewer");
    }
    let (Some(on), true) = (on, errors.is_empty()) else {
        let page = cases::case_page(
            &st,
            &viewer,
            c,
            CasePart::Publication,
            Submitted {
                withheld: Some(f),
                ..Submitted::default()
            },
            errors,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    let n = tx
        .update_versioned(
            &crate::store::Versioned::new("review_cases", "review-case", p, c.id, version)
                .only_if(" AND published_on IS NULL AND not_published_on IS NULL"),
            "not_published_on = $1, not_published_reasons = $2",
            args![on, reasons],
            &format!("Review of {} not to be published", c.pseudonym),
            &serde_json::json!({"not_published_on": null}),
            &serde_json::json!({"not_published_on": on, "reasons": reasons}),
        )
        .await?;
    if n.is_err() {
        drop(tx);
        return cases::stale_page(
            &st,
            &viewer,
            id,
            CasePart::Publication,
            "not_published_reasons",
            Submitted {
                withheld: Some(f),
                ..Submitted::default()
            },
        )
        .await;
    }
    tx.commit().await?;
    crate::web::flash(
        &st.db,
        &viewer,
        "The reasons for not publishing are recorded",
    )
    .await?;
    Ok(crate::web::redirect(&format!("/reviews/{id}/publication")))
}

// ---- What the public sees: published reports only ----

async fn partnership(
    st: &AppState,
    slug: &str,
) -> AppResult<crate::partnerships::store::Partnership> {
    crate::partnerships::store::by_slug(&st.db, slug)
        .await?
        .ok_or(AppError::NotFound)
}

/// The partnership's published reviews, newest first.
pub async fn published(db: &Db, p: PartnershipId) -> StoreResult<Vec<Case>> {
    let mut all: Vec<Case> = cases::list(db, p)
        .await?
        .into_iter()
        .filter(|c| c.published_on.is_some())
        .collect();
    all.sort_by_key(|c| std::cmp::Reverse(c.published_on));
    Ok(all)
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/public_list.html")]
struct PublicList {
    page: Page,
    slug: String,
    reviews: Vec<Case>,
}

pub async fn public_list(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let pp = partnership(&st, &slug).await?;
    let reviews = published(&st.db, PartnershipId(pp.id)).await?;
    Ok(PublicList {
        page: Page::public(&viewer, "Published reviews", &pp.name, &pp.slug, "/reviews"),
        slug,
        reviews,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/public_review.html")]
struct PublicReview {
    page: Page,
    slug: String,
    c: Case,
    /// The published report's file, for its kind, size and pages beside the link.
    report: Option<crate::files::StoredFile>,
}

/// A published review, or not found: nothing of an unpublished case is public.
async fn published_case(
    st: &AppState,
    slug: &str,
    id: i64,
) -> AppResult<(PartnershipId, String, Case)> {
    let pp = partnership(st, slug).await?;
    let p = PartnershipId(pp.id);
    let c = cases::get(&st.db, p, id)
        .await?
        .filter(|c| c.published_on.is_some())
        .ok_or(AppError::NotFound)?;
    Ok((p, pp.name, c))
}

pub async fn public_review(
    State(st): State<AppState>,
    viewer: Viewer,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let (p, name, c) = published_case(&st, &slug, id).await?;
    let report = match c.report_file_id {
        Some(file) => crate::files::record(&st.db, p, file).await?,
        None => None,
    };
    Ok(PublicReview {
        report,
        page: Page::public(&viewer, c.public_title.clone(), &name, &slug, "/reviews"),
        slug,
        c,
    }
    .into_response())
}

pub async fn public_report(
    State(st): State<AppState>,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let (p, _, c) = published_case(&st, &slug, id).await?;
    let file = c.report_file_id.ok_or(AppError::NotFound)?;
    st.files.serve(&st.db, p, file).await
}
