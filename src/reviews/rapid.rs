//! The rapid review: its meeting, information requests to each agency (answered by the person
//! named, who sees their own request only), the chronology the returns merge into, the
//! regulation 11 questions and the report.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::cases::{self, Case, CasePart, CaseSight, Submitted, date_field, today};
use super::model;
use crate::accounts::model::Role;
use crate::accounts::store::stale_record;
use crate::args;
use crate::state::{AppState, Ctx};
use crate::store::{Action, Db, PartnershipId, RecordRef, Row, StoreResult, Tx};
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::viewer::Viewer;

crate::record! {
    /// An information request to one agency.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Request {
        pub id: i64 => "r.id",
        pub case_id: i64 => "r.case_id",
        pub organisation: String => "r.organisation",
        pub responder_id: i64 => "r.responder_id",
        pub responder: String => "u.name",
        pub asked: String => "r.asked",
        pub asked_on: NaiveDate => "r.asked_on",
        pub due_on: NaiveDate => "r.due_on",
        pub summary: String => "r.summary",
        pub returned_on: Option<NaiveDate> => "r.returned_on",
        pub version: i64 => "r.version",
    }
}

crate::record! {
    /// One line of the chronology.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Entry {
        pub id: i64,
        pub request_id: Option<i64>,
        pub organisation: String,
        pub happened_on: NaiveDate,
        pub event: String,
        pub created_by: String,
    }
}

const ENTRY_COLUMNS: &str = <Entry as crate::store::Record>::COLUMNS;

const REQUEST_COLUMNS: &str = <Request as crate::store::Record>::COLUMNS;

fn request_of(r: &Row) -> StoreResult<Request> {
    <Request as crate::store::Record>::from_row(r)
}

/// Requests matching `filter` (on `r`, the request), in `order`.
async fn select(
    db: &Db,
    filter: &'static str,
    order: &'static str,
    args: Vec<crate::store::Value>,
) -> StoreResult<Vec<Request>> {
    db.fetch_all(
        crate::store::Sql::join(&[
            "SELECT ",
            REQUEST_COLUMNS,
            " FROM review_requests r JOIN users u ON u.id = r.responder_id WHERE r.partnership_id = $1 AND ",
            filter,
            " ORDER BY ",
            order,
        ]),
        args,
    )
    .await?
    .iter()
    .map(request_of)
    .collect()
}

pub async fn requests(db: &Db, p: PartnershipId, case_id: i64) -> StoreResult<Vec<Request>> {
    select(
        db,
        "r.case_id = $2",
        "r.organisation, r.id",
        args![p, case_id],
    )
    .await
}

/// The requests a person is named to answer, outstanding first.
pub async fn requests_for(db: &Db, p: PartnershipId, user_id: i64) -> StoreResult<Vec<Request>> {
    select(
        db,
        "r.responder_id = $2",
        "r.returned_on IS NOT NULL, r.due_on, r.id",
        args![p, user_id],
    )
    .await
}

pub async fn request(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Option<Request>> {
    Ok(select(db, "r.id = $2", "r.id", args![p, id])
        .await?
        .into_iter()
        .next())
}

fn entry_of(r: &Row) -> StoreResult<Entry> {
    <Entry as crate::store::Record>::from_row(r)
}

/// The merged chronology of a case (every agency), or one request's own entries.
pub async fn chronology(
    db: &Db,
    p: PartnershipId,
    case_id: i64,
    only_request: Option<i64>,
) -> StoreResult<Vec<Entry>> {
    let rows = match only_request {
        Some(r) => db.fetch_all(
            crate::store::Sql::join(&["SELECT ", ENTRY_COLUMNS, " FROM review_chronology WHERE partnership_id = $1 AND case_id = $2 AND request_id = $3 ORDER BY happened_on, id"]),
            args![p, case_id, r],
        ).await?,
        None => db.fetch_all(
            crate::store::Sql::join(&["SELECT ", ENTRY_COLUMNS, " FROM review_chronology WHERE partnership_id = $1 AND case_id = $2 ORDER BY happened_on, organisation, id"]),
            args![p, case_id],
        ).await?,
    };
    rows.iter().map(entry_of).collect()
}

/// The answers to the regulation 11 questions, by question key.
/// One regulation 11 question's answer.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Answer {
    pub question: String,
    pub answer: String,
}

/// A case's answers, replaced together when the rapid review is saved.
const ANSWERS: crate::store::Children = crate::store::Children {
    what: "answers",
    select: "SELECT question, answer FROM review_answers WHERE partnership_id = $1 AND case_id = $2 ORDER BY question",
    delete: "DELETE FROM review_answers WHERE partnership_id = $1 AND case_id = $2",
    insert: "INSERT INTO review_answers (partnership_id, case_id, question, answer) VALUES ($1, $2, $3, $4)",
};

impl crate::store::Child for Answer {
    fn from_row(r: &crate::store::Row) -> StoreResult<Self> {
        Ok(Answer {
            question: r.get("question")?,
            answer: r.get("answer")?,
        })
    }
    fn values(&self) -> Vec<crate::store::Value> {
        args![self.question.as_str(), self.answer.as_str()]
    }
}

pub async fn answers(
    db: &Db,
    p: PartnershipId,
    case_id: i64,
) -> StoreResult<Vec<(String, String)>> {
    db.fetch_all(
        "SELECT question, answer FROM review_answers WHERE partnership_id = $1 AND case_id = $2",
        args![p, case_id],
    )
    .await?
    .iter()
    .map(|r| Ok((r.get("question")?, r.get("answer")?)))
    .collect()
}

// ---- The rapid review's meeting, completion and questions ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RapidForm {
    pub version: String,
    pub rapid_meeting_id: String,
    pub rapid_done_on: String,
    /// `answer-KEY` for each regulation 11 question.
    #[serde(flatten)]
    pub answers: std::collections::HashMap<String, String>,
}

impl RapidForm {
    pub fn answer(&self, key: &str) -> &str {
        self.answers
            .get(&format!("answer-{key}"))
            .map_or("", String::as_str)
    }

    pub fn of(c: &Case, answers: &[(String, String)]) -> RapidForm {
        RapidForm {
            version: c.version.to_string(),
            rapid_meeting_id: c
                .rapid_meeting_id
                .map(|m| m.to_string())
                .unwrap_or_default(),
            rapid_done_on: c.rapid_done_on.map(|d| d.to_string()).unwrap_or_default(),
            answers: answers
                .iter()
                .map(|(k, v)| (format!("answer-{k}"), v.clone()))
                .collect(),
        }
    }
}

/// The meetings of the reviewing body from the day the authority became aware: where the
/// rapid review can be held.
pub async fn meeting_options(
    st: &AppState,
    p: PartnershipId,
    c: &Case,
) -> AppResult<Vec<(String, String)>> {
    let body = (!c.body_key.is_empty()).then_some(c.body_key.as_str());
    let ms = crate::meetings::store::between(
        &st.db,
        p,
        c.aware_on,
        c.aware_on + chrono::Duration::days(120),
        body,
    )
    .await?;
    let named = crate::meetings::named(st, p, ms).await?;
    Ok(named
        .into_iter()
        .map(|l| {
            (
                l.m.id.to_string(),
                format!("{}, {}", l.body, l.m.date.format("%-d %B %Y")),
            )
        })
        .collect())
}

/// Record the rapid review's meeting, the answers to the regulation 11 questions and the day
/// it was completed; a completed rapid review needs every question answered.
pub async fn save_rapid(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<RapidForm>,
) -> AppResult<Response> {
    let c = cases::read(&st, &viewer, id).await?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    let meeting = match f.rapid_meeting_id.trim() {
        "" => None,
        m => {
            let options = meeting_options(&st, p, &c).await?;
            match options
                .iter()
                .find(|(k, _)| k == m)
                .and_then(|(k, _)| k.parse::<i64>().ok())
            {
                Some(m) => Some(m),
                None => {
                    errors.add(
                        "rapid_meeting_id",
                        "Select a meeting of the body that reviews the case",
                    );
                    None
                }
            }
        }
    };
    let done = date_field(
        &mut errors,
        "rapid_done_on",
        "Date the rapid review was completed",
        &f.rapid_done_on,
        false,
    );
    if let Some(d) = done
        && d < c.aware_on
    {
        errors.add(
            "rapid_done_on",
            "The rapid review cannot be completed before the authority became aware",
        );
    }
    let mut given = Vec::new();
    for (key, _) in model::QUESTIONS {
        let a = f.answer(key).trim();
        if a.chars().count() > 5000 {
            errors.add(&format!("answer-{key}"), "Enter 5,000 characters or fewer");
        } else if done.is_some() && a.is_empty() {
            errors.add(
                &format!("answer-{key}"),
                "Answer each question before the rapid review is completed",
            );
        }
        given.push(((*key).to_owned(), a.to_owned()));
    }
    if !errors.is_empty() {
        let page = cases::case_page(
            &st,
            &viewer,
            c,
            CasePart::Rapid,
            Submitted {
                rapid: Some(f),
                ..Submitted::default()
            },
            errors,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let c = Case { version, ..c };
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    let n = tx
        .update_versioned(
            &crate::store::Versioned::new("review_cases", "review-case", p, c.id, c.version),
            "rapid_meeting_id = $1, rapid_done_on = $2",
            args![meeting, done],
            &format!("Rapid review of {} recorded", c.pseudonym),
            &serde_json::json!({"meeting": c.rapid_meeting_id, "completed": c.rapid_done_on}),
            &serde_json::json!({"meeting": meeting, "completed": done}),
        )
        .await?;
    if n.is_err() {
        drop(tx);
        return cases::stale_page(
            &st,
            &viewer,
            id,
            CasePart::Rapid,
            "rapid_done_on",
            Submitted {
                rapid: Some(f),
                ..Submitted::default()
            },
        )
        .await;
    }
    let given: Vec<Answer> = given
        .into_iter()
        .filter(|(_, a)| !a.is_empty())
        .map(|(question, answer)| Answer { question, answer })
        .collect();
    tx.replace_children(
        &ANSWERS,
        &RecordRef::new(Some(p), "review-case", c.id),
        c.id,
        &format!("Rapid review answers for {} saved", c.pseudonym),
        &given,
    )
    .await?;
    tx.commit().await?;
    crate::web::saved(
        &st.db,
        &viewer,
        "Rapid review saved",
        &format!("/reviews/{id}/rapid"),
    )
    .await
}

/// Attach the rapid review report (or replace it): a file checked by its content.
pub async fn upload_report(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    let c = cases::read(&st, &viewer, id).await?;
    let up = crate::files::Upload::read(form, st.files.limit).await?;
    let mut errors = Errors::default();
    let version = crate::web::forms::version(up.field("version"))?;
    let file = errors.check("rapid_report", up.checked(&st.files));
    let Some((name, kind, bytes)) = file else {
        let page = cases::case_page(
            &st,
            &viewer,
            c,
            CasePart::Rapid,
            Submitted::default(),
            errors,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let c = Case { version, ..c };
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    let stored = st.files.put(&mut tx, p, &name, kind, bytes).await?;
    let n = tx
        .update_versioned(
            &crate::store::Versioned::new("review_cases", "review-case", p, c.id, c.version),
            "rapid_report_file_id = $1",
            args![stored.id],
            &format!(
                "Rapid review report for {} attached: {}",
                c.pseudonym, stored.name
            ),
            &serde_json::json!({"file": c.rapid_report_file_id}),
            &serde_json::json!({"file": stored.id}),
        )
        .await?;
    if n.is_err() {
        drop(tx);
        return cases::stale_page(
            &st,
            &viewer,
            id,
            CasePart::Rapid,
            "rapid_report",
            Submitted::default(),
        )
        .await;
    }
    tx.commit().await?;
    crate::web::saved(
        &st.db,
        &viewer,
        "Rapid review report attached",
        &format!("/reviews/{id}/rapid"),
    )
    .await
}

/// Download the rapid review report: as restricted as the case, the reading audited with it.
pub async fn report(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let c = cases::read(&st, &viewer, id).await?;
    let file = c.rapid_report_file_id.ok_or(AppError::NotFound)?;
    st.files.serve(&st.db, p, file).await
}

// ---- Information requests ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RequestForm {
    pub organisation: String,
    pub responder: String,
    pub asked: String,
    pub due_on: String,
}

/// The agencies a request can go to: the partnership's organisations in its arrangements.
pub async fn organisations(st: &AppState, p: PartnershipId) -> AppResult<Vec<(String, String)>> {
    Ok(crate::arrangements::store::names(&st.db, p, "organisation")
        .await?
        .into_iter()
        .map(|(_, n)| (n.clone(), n))
        .collect())
}

/// The people who can answer for an agency: everyone with a role in the partnership.
pub async fn responders(st: &AppState, p: PartnershipId) -> AppResult<Vec<(String, String)>> {
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

#[derive(Template)]
#[template(path = "mail/case_note.txt")]
pub struct NoteText<'a> {
    pub name: &'a str,
    pub intro: &'a str,
    pub lines: &'a [(NaiveDate, String, String)],
    pub footer: &'a str,
}

#[derive(Template)]
#[template(path = "mail/case_note.html")]
pub struct NoteHtml<'a> {
    pub name: &'a str,
    pub intro: &'a str,
    pub lines: &'a [(NaiveDate, String, String)],
    pub footer: &'a str,
}

/// One message through the outbox about a case's steps: what is owed, by when, where to do it.
pub async fn send_note(
    st: &AppState,
    p: PartnershipId,
    to: (&str, &str),
    subject: &str,
    intro: &str,
    lines: &[(NaiveDate, String, String)],
    footer: &str,
) -> AppResult<()> {
    let (name, email) = to;
    let mail = crate::mail::Mail::from_templates(
        email,
        subject,
        &NoteText {
            name,
            intro,
            lines,
            footer,
        },
        &NoteHtml {
            name,
            intro,
            lines,
            footer,
        },
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    st.mailer.queue(&st.db, Some(p), mail).await?;
    Ok(())
}

/// Ask an agency for its information: the person named is told through the outbox and sees
/// this request only.
pub async fn add_request(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<RequestForm>,
) -> AppResult<Response> {
    let c = cases::read(&st, &viewer, id).await?;
    let mut errors = Errors::default();
    if !organisations(&st, p)
        .await?
        .iter()
        .any(|(k, _)| *k == f.organisation)
    {
        errors.add("organisation", "Select the agency the request goes to");
    }
    let people = responders(&st, p).await?;
    let responder: Option<i64> = people
        .iter()
        .find(|(k, _)| *k == f.responder)
        .and_then(|(k, _)| k.parse().ok());
    if responder.is_none() {
        errors.add("responder", "Select the person who answers for the agency");
    }
    let asked = f.asked.trim();
    if asked.is_empty() {
        errors.add("asked", "Say what the agency is asked for");
    } else if asked.chars().count() > 5000 {
        errors.add("asked", "Enter 5,000 characters or fewer");
    }
    let due = errors.required_date(
        "due_on",
        "Due by",
        &f.due_on,
        "Enter the date the information is due",
    );
    let due = errors.not_past(
        "due_on",
        due,
        "The date the information is due must be today or later",
    );
    let (Some(responder), Some(due), true) = (responder, due, errors.is_empty()) else {
        let page = cases::case_page(
            &st,
            &viewer,
            c,
            CasePart::Information,
            Submitted {
                request: Some(f),
                ..Submitted::default()
            },
            errors,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    let now = tx.now();
    let rid = tx
        .insert(
            "INSERT INTO review_requests (partnership_id, case_id, organisation, responder_id, asked, asked_on, due_on, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            args![p, c.id, f.organisation.as_str(), responder, asked, today(), due, now, now, actor.name.as_str()],
            Some(p),
            "review-request",
            &format!("Information requested for {} from {}", c.pseudonym, f.organisation),
            &serde_json::json!({"case": c.id, "organisation": f.organisation, "responder": responder, "asked": asked, "due_on": due}),
        )
        .await?;
    tx.commit().await?;
    if let Some((u, _)) = crate::accounts::store::user_by_id(&st.db, responder).await? {
        let base = st.config.base_url.trim_end_matches('/');
        send_note(
            &st,
            p,
            (&u.name, &u.email),
            &format!("Information request for a rapid review ({})", c.pseudonym),
            &format!("The partnership asks {} for its information for the rapid review of {}. You are named to answer.", f.organisation, c.pseudonym),
            &[(due, "Return the information".to_owned(), format!("{base}/reviews/requests/{rid}"))],
            "The request is restricted: it is for you alone, and every view of it is recorded. Sign in to answer.",
        )
        .await?;
    }
    crate::web::flash(
        &st.db,
        &viewer,
        "Request sent: the person named has been emailed",
    )
    .await?;
    Ok(crate::web::redirect(&format!("/reviews/{id}/information")))
}

/// A request the person may read: the one named to answer it, or those who may read its case.
/// The reading is in the audit trail.
pub async fn read_request(
    st: &AppState,
    viewer: &Viewer,
    rid: i64,
) -> AppResult<(Request, Case, bool)> {
    let p = viewer.tenant()?;
    let r = request(&st.db, p, rid).await?.ok_or(AppError::NotFound)?;
    let c = cases::get(&st.db, p, r.case_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let own = viewer.user.as_ref().is_some_and(|u| u.id == r.responder_id);
    if !own && !CaseSight::of(&st.db, viewer).await?.case(&c) {
        return Err(AppError::NotFound);
    }
    crate::store::record_event(
        &st.db,
        &viewer.actor(),
        Action::Read,
        &RecordRef::new(Some(p), "review-request", r.id),
        &format!(
            "Information request viewed: {}, {}",
            c.pseudonym, r.organisation
        ),
    )
    .await?;
    Ok((r, c, own))
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/requests.html")]
struct MinePage {
    page: Page,
    requests: Vec<(Request, String)>,
}

/// The requests a person is named to answer, with the case's pseudonym only.
pub async fn mine(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let user = viewer.user.as_ref().ok_or(AppError::Forbidden)?;
    let mut out = Vec::new();
    for r in requests_for(&st.db, p, user.id).await? {
        let name = cases::get(&st.db, p, r.case_id)
            .await?
            .map(|c| c.pseudonym)
            .unwrap_or_default();
        out.push((r, name));
    }
    Ok(MinePage {
        page: Page::new(&viewer, "Information requests for you", "/reviews/requests"),
        requests: out,
    }
    .into_response())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EntryForm {
    pub happened_on: String,
    pub event: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ReturnForm {
    pub version: String,
    pub summary: String,
    /// Which button: "draft" saves the summary for later, "check" (the main button) shows it
    /// back before anything is sent, "confirm" on that page returns it. Returning cannot be
    /// undone by the agency, so it is never a single press.
    pub step: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/request.html")]
struct RequestPage {
    page: Page,
    r: Request,
    pseudonym: String,
    entries: Vec<Entry>,
    /// Where the request stands, in the one countdown every page uses.
    due: crate::calendar::deadline::Deadline,
    /// The responder, or the business unit keying in a return sent by email.
    may_answer: bool,
    /// The person named to answer it is looking.
    own: bool,
    entry: EntryForm,
    ret: ReturnForm,
    errors: Errors,
}

async fn request_page(
    st: &AppState,
    viewer: &Viewer,
    r: Request,
    c: &Case,
    own: bool,
    sent: (Option<EntryForm>, Option<ReturnForm>),
    errors: Errors,
) -> AppResult<RequestPage> {
    let (entry, ret) = sent;
    let p = viewer.tenant()?;
    let cal = crate::calendar::store::current(&st.db).await?;
    let t = today();
    let entries = chronology(&st.db, p, c.id, Some(r.id)).await?;
    let may_answer =
        r.returned_on.is_none() && (own || viewer.role() == Some(Role::PartnershipAdmin));
    Ok(RequestPage {
        page: Page::new(
            viewer,
            format!("Information request: {}", r.organisation),
            "/reviews/requests",
        ),
        due: crate::calendar::deadline::Deadline::of(
            r.due_on,
            r.returned_on.is_some(),
            r.returned_on,
            t,
            &cal,
        ),
        ret: ret.unwrap_or_else(|| ReturnForm {
            version: r.version.to_string(),
            summary: r.summary.clone(),
            step: String::new(),
        }),
        entry: entry.unwrap_or_default(),
        pseudonym: c.pseudonym.clone(),
        entries,
        may_answer,
        own,
        r,
        errors,
    })
}

pub async fn request_view(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(rid): Path<i64>,
) -> AppResult<Response> {
    let (r, c, own) = read_request(&st, &viewer, rid).await?;
    Ok(
        request_page(&st, &viewer, r, &c, own, (None, None), Errors::default())
            .await?
            .into_response(),
    )
}

/// Whether this person may add to or return a request now.
fn may_answer(viewer: &Viewer, own: bool) -> AppResult<()> {
    if !(own || viewer.role() == Some(Role::PartnershipAdmin)) {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// Add a line to the agency's chronology.
pub async fn add_entry(
    Ctx { st, viewer, p }: Ctx,
    Path(rid): Path<i64>,
    FormData(f): FormData<EntryForm>,
) -> AppResult<Response> {
    let (r, c, own) = read_request(&st, &viewer, rid).await?;
    may_answer(&viewer, own)?;
    let mut errors = Errors::default();
    if r.returned_on.is_some() {
        errors.add(
            "event",
            "This information has been returned: ask the business unit to add to it",
        );
    }
    let day = date_field(&mut errors, "happened_on", "Date", &f.happened_on, true);
    let event = f.event.trim();
    if event.is_empty() {
        errors.add("event", "Say what happened");
    } else if event.chars().count() > 2000 {
        errors.add("event", "Enter 2,000 characters or fewer");
    }
    let (Some(day), true) = (day, errors.is_empty()) else {
        let page = request_page(&st, &viewer, r, &c, own, (Some(f), None), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    let now = tx.now();
    tx.insert(
        "INSERT INTO review_chronology (partnership_id, case_id, request_id, organisation, happened_on, event, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        args![p, c.id, r.id, r.organisation.as_str(), day, event, now, actor.name.as_str()],
        Some(p),
        "review-chronology",
        &format!("Chronology for {} from {}", c.pseudonym, r.organisation),
        &serde_json::json!({"request": r.id, "happened_on": day, "event": event}),
    )
    .await?;
    tx.commit().await?;
    Ok(crate::web::redirect(&format!(
        "/reviews/requests/{rid}#chronology"
    )))
}

/// Return the agency's information: its summary, and the chronology as it stands.
#[derive(Template, WebTemplate)]
#[template(path = "reviews/request_check.html")]
struct ReturnCheck {
    page: Page,
    r: Request,
    pseudonym: String,
    entries: usize,
}

/// The request changed since the page was drawn: who changed it, with the summary as typed.
async fn changed_meanwhile(
    st: &AppState,
    viewer: &Viewer,
    rid: i64,
    f: ReturnForm,
) -> AppResult<Response> {
    let p = viewer.tenant()?;
    let mut errors = Errors::default();
    errors.add(
        "summary",
        stale_record(
            &st.db,
            "review_requests",
            p,
            rid,
            "This request no longer exists.",
        )
        .await?,
    );
    let (now, c, own) = read_request(st, viewer, rid).await?;
    let page = request_page(st, viewer, now, &c, own, (None, Some(f)), errors).await?;
    Ok((StatusCode::CONFLICT, page).into_response())
}

pub async fn return_request(
    Ctx { st, viewer, p }: Ctx,
    Path(rid): Path<i64>,
    FormData(f): FormData<ReturnForm>,
) -> AppResult<Response> {
    let (r, c, own) = read_request(&st, &viewer, rid).await?;
    may_answer(&viewer, own)?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    let summary = f.summary.trim();
    if r.returned_on.is_some() {
        errors.add("summary", "This information has already been returned");
    }
    let draft = f.step == "draft";
    // A draft may be unfinished, even empty; only its length is checked.
    if summary.is_empty() && !draft {
        errors.add(
            "summary",
            "Summarise the agency's involvement with the child and family",
        );
    } else if summary.chars().count() > 10000 {
        errors.add("summary", "Enter 10,000 characters or fewer");
    }
    if !errors.is_empty() {
        let page = request_page(&st, &viewer, r, &c, own, (None, Some(f)), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    if draft || f.step != "confirm" {
        // Kept as a draft (as "Save as draft" does, and before the check, so "Change" finds it).
        let actor = viewer.actor();
        let mut tx = Tx::begin(&st.db, &actor).await?;
        let n = tx
            .update_versioned(
                &crate::store::Versioned::new(
                    "review_requests",
                    "review-request",
                    p,
                    r.id,
                    version,
                )
                .only_if(" AND returned_on IS NULL"),
                "summary = $1",
                args![summary],
                &format!(
                    "Draft summary saved for {} by {}",
                    c.pseudonym, r.organisation
                ),
                &serde_json::json!({"summary": r.summary}),
                &serde_json::json!({"summary": summary}),
            )
            .await?;
        if n.is_err() {
            drop(tx);
            return changed_meanwhile(&st, &viewer, rid, f).await;
        }
        tx.commit().await?;
        if draft {
            return crate::web::saved(
                &st.db,
                &viewer,
                "Draft saved. It has not been returned yet: you can come back to it",
                &format!("/reviews/requests/{rid}#summary"),
            )
            .await;
        }
        let (now, c, _) = read_request(&st, &viewer, rid).await?;
        let entries = chronology(&st.db, p, c.id, Some(now.id)).await?.len();
        return Ok(ReturnCheck {
            page: Page::new(
                &viewer,
                "Check the information before you return it",
                "/reviews/requests",
            ),
            pseudonym: c.pseudonym.clone(),
            entries,
            r: now,
        }
        .into_response());
    }
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    let t = today();
    let n = tx
        .update_versioned(
            &crate::store::Versioned::new("review_requests", "review-request", p, r.id, version)
                .only_if(" AND returned_on IS NULL"),
            "summary = $1, returned_on = $2",
            args![summary, t],
            &format!(
                "Information returned for {} by {}",
                c.pseudonym, r.organisation
            ),
            &serde_json::json!({"summary": r.summary, "returned_on": null}),
            &serde_json::json!({"summary": summary, "returned_on": t}),
        )
        .await?;
    if n.is_err() {
        drop(tx);
        return changed_meanwhile(&st, &viewer, rid, f).await;
    }
    tx.commit().await?;
    crate::web::saved(
        &st.db,
        &viewer,
        "Information returned: thank you",
        &format!("/reviews/requests/{rid}"),
    )
    .await
}

/// The merged chronology as CSV, formula cells defused as in every export.
pub async fn chronology_csv(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    use crate::web::export::{Cell, Table};
    let c = cases::read(&st, &viewer, id).await?;
    let rows = chronology(&st.db, p, c.id, None)
        .await?
        .into_iter()
        .map(|e| {
            vec![
                Cell::Date(e.happened_on),
                e.organisation.into(),
                e.event.into(),
                e.created_by.into(),
            ]
        })
        .collect();
    crate::web::export::csv(&Table {
        name: format!("chronology-case-{}", c.id),
        headers: vec!["Date", "Agency", "What happened", "Recorded by"],
        rows,
    })
}

/// What serious cases ask of this person for their home page: the information requests they
/// are named to answer and have not returned.
pub async fn tasks(
    st: &AppState,
    viewer: &Viewer,
    p: PartnershipId,
) -> AppResult<Vec<crate::web::tasks::Task>> {
    let Some(user) = viewer.user.as_ref() else {
        return Ok(Vec::new());
    };
    let cal = crate::calendar::store::current(&st.db).await?;
    let t = today();
    Ok(requests_for(&st.db, p, user.id)
        .await?
        .into_iter()
        .filter(|r| r.returned_on.is_none())
        .map(|r| {
            crate::web::tasks::Task::due(
                format!("Answer the information request for {}", r.organisation),
                format!("/reviews/requests/{}", r.id),
                "Serious cases",
                r.due_on,
                (t, &cal, 2),
            )
        })
        .collect())
}
