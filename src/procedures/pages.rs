//! The signed-in pages of the library: the list, a document with its history, adding one,
//! and keeping it (its details, a new version with its amendment note, marking it reviewed,
//! withdrawing it behind a check of what will happen).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::keeps;
use super::model;
use super::store::{self, Details, Procedure, Version};
use crate::calendar::today;
use crate::files::Upload;
use crate::state::{AppState, Ctx};
use crate::store::PartnershipId;
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::viewer::Viewer;

/// The name of a body of the arrangements (its key when it is gone).
pub async fn body_name(st: &AppState, p: PartnershipId, key: &str) -> AppResult<String> {
    Ok(crate::arrangements::store::entry(&st.db, p, "body", key)
        .await?
        .map_or_else(|| key.to_owned(), |(i, _)| i.name))
}

/// The bodies a document may be owned by: those of the arrangements in force today.
async fn bodies(st: &AppState, p: PartnershipId) -> AppResult<Vec<(String, String)>> {
    Ok(
        crate::arrangements::store::as_at(&st.db, p, "body", today())
            .await?
            .into_iter()
            .map(|i| (i.key, i.name))
            .collect(),
    )
}

/// A document the partnership has, or not found (another partnership's id too).
async fn procedure(st: &AppState, p: PartnershipId, id: i64) -> AppResult<Procedure> {
    store::get(&st.db, p, id).await?.ok_or(AppError::NotFound)
}

/// A document as the lists show it.
pub struct Row {
    pub pr: Procedure,
    pub body: String,
    /// When its current version was put up.
    pub amended: Option<NaiveDate>,
    pub countdown: String,
    pub tag: &'static str,
}

pub async fn rows(st: &AppState, p: PartnershipId) -> AppResult<Vec<Row>> {
    let cal = crate::calendar::store::current(&st.db).await?;
    let t = today();
    let current = store::current_versions(&st.db, p).await?;
    let names = bodies_known(st, p).await?;
    Ok(store::list(&st.db, p)
        .await?
        .into_iter()
        .map(|pr| Row {
            body: names
                .iter()
                .find(|(k, _)| *k == pr.body_key)
                .map_or_else(|| pr.body_key.clone(), |(_, n)| n.clone()),
            amended: current
                .iter()
                .find(|v| v.procedure_id == pr.id)
                .map(|v| v.published_on),
            countdown: model::review_deadline(pr.review_on, t, &cal).countdown(),
            tag: model::review_rag(pr.review_on, t, &cal).tag(),
            pr,
        })
        .collect())
}

/// Every body the arrangements have named, in force or not (a document keeps its owner's name
/// after a restructure).
async fn bodies_known(st: &AppState, p: PartnershipId) -> AppResult<Vec<(String, String)>> {
    Ok(crate::arrangements::store::names(&st.db, p, "body").await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "procedures/list.html")]
struct ListPage {
    page: Page,
    current: Vec<Row>,
    withdrawn: Vec<Row>,
    can_keep: bool,
    slug: String,
}

pub async fn list(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let (withdrawn, current): (Vec<Row>, Vec<Row>) = rows(&st, p)
        .await?
        .into_iter()
        .partition(|r| r.pr.withdrawn());
    Ok(ListPage {
        page: Page::new(&viewer, "Policies and procedures", "/procedures"),
        current,
        withdrawn,
        can_keep: keeps(&viewer),
        slug: slug_of(&viewer),
    }
    .into_response())
}

fn slug_of(viewer: &Viewer) -> String {
    viewer
        .current
        .as_ref()
        .map(|m| m.partnership_slug.clone())
        .unwrap_or_default()
}

/// What the details form sends (as typed, kept when it is refused).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct DetailsForm {
    title: String,
    summary: String,
    body_key: String,
    owner: String,
    review_on: String,
    version: String,
}

impl DetailsForm {
    fn of_upload(up: &Upload) -> DetailsForm {
        DetailsForm {
            title: up.field("title").to_owned(),
            summary: up.field("summary").to_owned(),
            body_key: up.field("body_key").to_owned(),
            owner: up.field("owner").to_owned(),
            review_on: up.field("review_on").to_owned(),
            version: up.field("version").to_owned(),
        }
    }

    fn of(pr: &Procedure) -> DetailsForm {
        DetailsForm {
            title: pr.title.clone(),
            summary: pr.summary.clone(),
            body_key: pr.body_key.clone(),
            owner: pr.owner_user_id.map(|i| i.to_string()).unwrap_or_default(),
            review_on: pr.review_on.to_string(),
            version: pr.version.to_string(),
        }
    }
}

/// Text that must be given, within `max`, as plain words.
fn plain_text(
    errors: &mut Errors,
    field: &str,
    v: &str,
    max: usize,
    missing: &str,
    what: &str,
) -> String {
    let v = errors.required_text(field, v, max, missing);
    if errors.get(field).is_none() && !model::plain(&v) {
        errors.add(
            field,
            format!(
                "Enter the {what} as plain text, without tags such as <script> or hidden characters"
            ),
        );
    }
    v
}

/// Check the details form; `was` is the review date it had, which may stand though past.
async fn check_details(
    st: &AppState,
    p: PartnershipId,
    f: &DetailsForm,
    was: Option<NaiveDate>,
    errors: &mut Errors,
) -> AppResult<Option<Details>> {
    let title = plain_text(
        errors,
        "title",
        &f.title,
        model::TITLE_MAX,
        "Enter the document's title",
        "title",
    );
    let summary = plain_text(
        errors,
        "summary",
        &f.summary,
        model::SUMMARY_MAX,
        "Enter a summary of what the document is for",
        "summary",
    );
    let known = bodies(st, p).await?;
    let body = errors.required_choice(
        "body_key",
        &f.body_key,
        &known,
        "Select the body that owns the document",
    );
    let owner = match crate::actions::chosen_owner(st, p, &f.owner).await? {
        Ok(o) => o.map(|o| o.user_id),
        Err(m) => {
            errors.add("owner", m);
            None
        }
    };
    let review = errors.required_date(
        "review_on",
        "Review by",
        &f.review_on,
        "Enter the date the document is next to be reviewed",
    );
    let review = if review.is_some() && review != was {
        errors.not_past(
            "review_on",
            review,
            "The review date must be today or in the future",
        )
    } else {
        review
    };
    Ok(match (body, review) {
        (Some(body_key), Some(review_on)) if errors.is_empty() => Some(Details {
            title,
            summary,
            body_key,
            owner_user_id: owner,
            review_on,
        }),
        _ => None,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "procedures/new.html")]
struct NewPage {
    page: Page,
    form: DetailsForm,
    bodies: Vec<(String, String)>,
    people: Vec<(String, String)>,
    limit: String,
    errors: Errors,
}

async fn new_page(
    st: &AppState,
    viewer: &Viewer,
    p: PartnershipId,
    form: DetailsForm,
    errors: Errors,
) -> AppResult<NewPage> {
    Ok(NewPage {
        page: Page::new(viewer, "Add a policy or procedure", "/procedures"),
        form,
        bodies: bodies(st, p).await?,
        people: crate::actions::owner_choices(st, p).await?,
        limit: st.files.limit_text(),
        errors,
    })
}

pub async fn new_form(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    Ok(
        new_page(&st, &viewer, p, DetailsForm::default(), Errors::default())
            .await?
            .into_response(),
    )
}

pub async fn create(Ctx { st, viewer, p }: Ctx, form: Multipart) -> AppResult<Response> {
    let up = Upload::read(form, st.files.limit).await?;
    let f = DetailsForm::of_upload(&up);
    let mut errors = Errors::default();
    let details = check_details(&st, p, &f, None, &mut errors).await?;
    let file = errors.check("file", up.checked(&st.files));
    let (Some(d), Some(file)) = (details, file) else {
        let page = new_page(&st, &viewer, p, f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let id = store::add(&st.db, &st.files, &viewer.actor(), p, &d, today(), file).await?;
    // Those following every document hear of a new one.
    super::notify(&st, p, id, Some(1), chrono::Utc::now()).await?;
    crate::web::saved(
        &st.db,
        &viewer,
        "Document added to the library",
        &format!("/procedures/{id}"),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "procedures/show.html")]
struct ShowPage {
    page: Page,
    pr: Procedure,
    body: String,
    owner: String,
    versions: Vec<Version>,
    countdown: String,
    tag: &'static str,
    can_keep: bool,
    slug: String,
}

pub async fn show(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let pr = procedure(&st, p, id).await?;
    let cal = crate::calendar::store::current(&st.db).await?;
    let owner = match pr.owner_user_id {
        Some(uid) => crate::accounts::store::user_by_id(&st.db, uid)
            .await?
            .map_or_else(String::new, |(u, _)| u.name),
        None => String::new(),
    };
    Ok(ShowPage {
        page: Page::new(&viewer, pr.title.clone(), "/procedures"),
        body: body_name(&st, p, &pr.body_key).await?,
        owner,
        versions: store::versions(&st.db, p, id).await?,
        countdown: model::review_deadline(pr.review_on, today(), &cal).countdown(),
        tag: model::review_rag(pr.review_on, today(), &cal).tag(),
        can_keep: keeps(&viewer),
        slug: slug_of(&viewer),
        pr,
    }
    .into_response())
}

/// Download one version of a document.
pub async fn download(
    Ctx { st, viewer: _, p }: Ctx,
    Path((id, number)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let v = store::versions(&st.db, p, id)
        .await?
        .into_iter()
        .find(|v| v.number == number)
        .ok_or(AppError::NotFound)?;
    st.files.serve(&st.db, p, v.file.id).await
}

#[derive(Template, WebTemplate)]
#[template(path = "procedures/edit.html")]
struct EditPage {
    page: Page,
    pr: Procedure,
    form: DetailsForm,
    bodies: Vec<(String, String)>,
    people: Vec<(String, String)>,
    errors: Errors,
}

async fn edit_page(
    st: &AppState,
    viewer: &Viewer,
    p: PartnershipId,
    pr: Procedure,
    form: DetailsForm,
    errors: Errors,
) -> AppResult<EditPage> {
    Ok(EditPage {
        page: Page::new(
            viewer,
            format!("Change the details: {}", pr.title),
            "/procedures",
        ),
        pr,
        form,
        bodies: bodies(st, p).await?,
        people: crate::actions::owner_choices(st, p).await?,
        errors,
    })
}

pub async fn edit_form(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let pr = procedure(&st, p, id).await?;
    let form = DetailsForm::of(&pr);
    Ok(edit_page(&st, &viewer, p, pr, form, Errors::default())
        .await?
        .into_response())
}

pub async fn edit(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<DetailsForm>,
) -> AppResult<Response> {
    let pr = procedure(&st, p, id).await?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    let Some(d) = check_details(&st, p, &f, Some(pr.review_on), &mut errors).await? else {
        let page = edit_page(&st, &viewer, p, pr, f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let before = Procedure {
        version,
        ..pr.clone()
    };
    if let Err(stale) = store::edit(&st.db, &viewer.actor(), p, &before, &d).await? {
        errors.add("title", stale.to_string());
        let now = procedure(&st, p, id).await?;
        let f = DetailsForm {
            version: now.version.to_string(),
            ..f
        };
        let page = edit_page(&st, &viewer, p, now, f, errors).await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    crate::web::saved(
        &st.db,
        &viewer,
        "Details saved",
        &format!("/procedures/{id}"),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "procedures/version.html")]
struct VersionPage {
    page: Page,
    pr: Procedure,
    note: String,
    version: i64,
    limit: String,
    errors: Errors,
}

fn version_page(
    st: &AppState,
    viewer: &Viewer,
    pr: Procedure,
    note: String,
    errors: Errors,
) -> VersionPage {
    VersionPage {
        page: Page::new(
            viewer,
            format!("Put up a new version: {}", pr.title),
            "/procedures",
        ),
        version: pr.version,
        pr,
        note,
        limit: st.files.limit_text(),
        errors,
    }
}

/// A withdrawn document takes no new version (nor review): it is out of the library.
fn still_current(pr: &Procedure) -> AppResult<()> {
    if pr.withdrawn() {
        return Err(AppError::Conflict(
            "This document has been withdrawn: it can no longer be changed".into(),
        ));
    }
    Ok(())
}

pub async fn version_form(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let pr = procedure(&st, p, id).await?;
    still_current(&pr)?;
    Ok(version_page(&st, &viewer, pr, String::new(), Errors::default()).into_response())
}

pub async fn add_version(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    form: Multipart,
) -> AppResult<Response> {
    let pr = procedure(&st, p, id).await?;
    still_current(&pr)?;
    let up = Upload::read(form, st.files.limit).await?;
    let version = crate::web::forms::version(up.field("version"))?;
    let mut errors = Errors::default();
    let note = plain_text(
        &mut errors,
        "note",
        up.field("note"),
        model::NOTE_MAX,
        "Enter what changed in this version: subscribers are told it",
        "amendment note",
    );
    let file = errors.check("file", up.checked(&st.files));
    let (Some(file), true) = (file, errors.is_empty()) else {
        let page = version_page(&st, &viewer, pr, note, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let before = Procedure {
        version,
        ..pr.clone()
    };
    let number = match store::add_version(
        &st.db,
        &st.files,
        &viewer.actor(),
        p,
        &before,
        &note,
        today(),
        file,
    )
    .await?
    {
        Ok(n) => n,
        Err(stale) => {
            errors.add("note", stale.to_string());
            let now = procedure(&st, p, id).await?;
            let page = version_page(&st, &viewer, now, note, errors);
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
    };
    super::notify(&st, p, id, Some(number), chrono::Utc::now()).await?;
    crate::web::saved(
        &st.db,
        &viewer,
        &format!("Version {number} put up: anyone subscribed is told by email"),
        &format!("/procedures/{id}"),
    )
    .await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ReviewedForm {
    next_review: String,
    version: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "procedures/reviewed.html")]
struct ReviewedPage {
    page: Page,
    pr: Procedure,
    form: ReviewedForm,
    errors: Errors,
}

pub async fn reviewed_form(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let pr = procedure(&st, p, id).await?;
    still_current(&pr)?;
    let form = ReviewedForm {
        version: pr.version.to_string(),
        ..ReviewedForm::default()
    };
    Ok(ReviewedPage {
        page: Page::new(
            &viewer,
            format!("Mark as reviewed: {}", pr.title),
            "/procedures",
        ),
        pr,
        form,
        errors: Errors::default(),
    }
    .into_response())
}

pub async fn reviewed(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<ReviewedForm>,
) -> AppResult<Response> {
    let pr = procedure(&st, p, id).await?;
    still_current(&pr)?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    let next = errors.required_date(
        "next_review",
        "Next review by",
        &f.next_review,
        "Enter the date of the next review",
    );
    let next = match next {
        Some(d) if d <= today() => {
            errors.add("next_review", "The next review date must be in the future");
            None
        }
        d => d,
    };
    let redraw = |pr: Procedure, f: ReviewedForm, errors: Errors, status: StatusCode| {
        (
            status,
            ReviewedPage {
                page: Page::new(
                    &viewer,
                    format!("Mark as reviewed: {}", pr.title),
                    "/procedures",
                ),
                pr,
                form: f,
                errors,
            },
        )
            .into_response()
    };
    let Some(next) = next else {
        return Ok(redraw(pr, f, errors, StatusCode::UNPROCESSABLE_ENTITY));
    };
    let before = Procedure {
        version,
        ..pr.clone()
    };
    if let Err(stale) =
        store::mark_reviewed(&st.db, &viewer.actor(), p, &before, today(), next).await?
    {
        errors.add("next_review", stale.to_string());
        let now = procedure(&st, p, id).await?;
        let f = ReviewedForm {
            version: now.version.to_string(),
            ..f
        };
        return Ok(redraw(now, f, errors, StatusCode::CONFLICT));
    }
    crate::web::saved(
        &st.db,
        &viewer,
        &format!(
            "Marked as reviewed: next review by {}",
            next.format("%-d %B %Y")
        ),
        &format!("/procedures/{id}"),
    )
    .await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct WithdrawForm {
    reason: String,
    version: String,
    /// empty: the form; "check": what will happen; "confirm": do it.
    step: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "procedures/withdraw.html")]
struct WithdrawPage {
    page: Page,
    pr: Procedure,
    form: WithdrawForm,
    /// Showing what will happen, before it is done.
    check: bool,
    errors: Errors,
}

fn withdraw_page(
    viewer: &Viewer,
    pr: Procedure,
    form: WithdrawForm,
    check: bool,
    errors: Errors,
) -> WithdrawPage {
    let title = if check {
        format!("Check before you withdraw: {}", pr.title)
    } else {
        format!("Withdraw: {}", pr.title)
    };
    WithdrawPage {
        page: Page::new(viewer, title, "/procedures"),
        pr,
        form,
        check,
        errors,
    }
}

pub async fn withdraw_form(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let pr = procedure(&st, p, id).await?;
    still_current(&pr)?;
    let form = WithdrawForm {
        version: pr.version.to_string(),
        ..WithdrawForm::default()
    };
    Ok(withdraw_page(&viewer, pr, form, false, Errors::default()).into_response())
}

pub async fn withdraw(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<WithdrawForm>,
) -> AppResult<Response> {
    let pr = procedure(&st, p, id).await?;
    still_current(&pr)?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    let reason = plain_text(
        &mut errors,
        "reason",
        &f.reason,
        model::REASON_MAX,
        "Enter why the document is withdrawn: subscribers are told it",
        "reason",
    );
    if !errors.is_empty() || f.step == "change" {
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok((status, withdraw_page(&viewer, pr, f, false, errors)).into_response());
    }
    if f.step != "confirm" {
        return Ok(
            withdraw_page(&viewer, pr, WithdrawForm { reason, ..f }, true, errors).into_response(),
        );
    }
    let before = Procedure {
        version,
        ..pr.clone()
    };
    if let Err(stale) = store::withdraw(&st.db, &viewer.actor(), p, &before, &reason).await? {
        errors.add("reason", stale.to_string());
        let now = procedure(&st, p, id).await?;
        let f = WithdrawForm {
            version: now.version.to_string(),
            step: String::new(),
            ..f
        };
        return Ok((
            StatusCode::CONFLICT,
            withdraw_page(&viewer, now, f, false, errors),
        )
            .into_response());
    }
    if let Some(now) = store::get(&st.db, p, id).await?
        && let Some(at) = now.withdrawn_at
    {
        super::notify(&st, p, id, None, at).await?;
    }
    crate::web::saved(
        &st.db,
        &viewer,
        "Document withdrawn: it is no longer in the public library",
        &format!("/procedures/{id}"),
    )
    .await
}

/// What the library asks of this person for their home page: each current document whose
/// review is within twenty working days or overdue, for the business unit and for a document's
/// named owner.
pub async fn tasks(
    st: &AppState,
    viewer: &Viewer,
    p: PartnershipId,
) -> AppResult<Vec<crate::web::tasks::Task>> {
    let Some(user) = viewer.user.as_ref() else {
        return Ok(Vec::new());
    };
    let all = keeps(viewer);
    let cal = crate::calendar::store::current(&st.db).await?;
    let t = today();
    let mut out = Vec::new();
    for pr in store::list(&st.db, p).await? {
        if !(all || pr.owner_user_id == Some(user.id))
            || model::reminder_owed(pr.status, pr.review_on, t, &cal).is_none()
        {
            continue;
        }
        out.push(crate::web::tasks::Task::due(
            format!("Review the \u{201c}{}\u{201d} procedure", pr.title),
            format!("/procedures/{}", pr.id),
            "Procedures",
            pr.review_on,
            (t, &cal, model::REMIND_WITHIN),
        ));
    }
    Ok(out)
}
