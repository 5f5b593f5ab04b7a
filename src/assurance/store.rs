//! Storage of assurance plans, their questions, the agencies they go to, the answers and their
//! evidence: every change through the audited transaction, edits versioned.

use chrono::NaiveDate;
use serde::Serialize;

use crate::accounts::store::stale_record;
use crate::args;
use crate::store::{Actor, Db, PartnershipId, RecordRef, Row, Sql, StoreResult, Tx, Versioned};

crate::record! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Plan {
        pub id: i64,
        pub title: String,
        pub review_title: String,
        pub review_year: i64,
        pub review_link: String,
        pub body_key: String,
        pub answers_due: NaiveDate,
        pub issued_on: Option<NaiveDate>,
        pub version: i64,
    }
}

const PLAN_COLUMNS: &str = <Plan as crate::store::Record>::COLUMNS;

fn plan_of(r: &Row) -> StoreResult<Plan> {
    <Plan as crate::store::Record>::from_row(r)
}

crate::record! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Question {
        pub id: i64,
        pub plan_id: i64,
        pub position: i64,
        pub text: String,
        pub version: i64,
    }
}

const QUESTION_COLUMNS: &str = <Question as crate::store::Record>::COLUMNS;

fn question_of(r: &Row) -> StoreResult<Question> {
    <Question as crate::store::Record>::from_row(r)
}

crate::record! {
    /// An agency a plan goes to, and the person who answers for it.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Agency {
        pub id: i64 => "a.id",
        pub plan_id: i64 => "a.plan_id",
        pub organisation_key: String => "a.organisation_key",
        pub organisation_name: String => "a.organisation_name",
        pub responder_user_id: i64 => "a.responder_user_id",
        pub responder_name: String => "u.name",
        pub responder_email: String => "u.email",
        pub returned_on: Option<NaiveDate> => "a.returned_on",
        pub version: i64 => "a.version",
    }
}

const AGENCY_COLUMNS: &str = <Agency as crate::store::Record>::COLUMNS;
const AGENCY_FROM: &str = " FROM assurance_agencies a JOIN users u ON u.id = a.responder_user_id";

fn agency_of(r: &Row) -> StoreResult<Agency> {
    <Agency as crate::store::Record>::from_row(r)
}

crate::record! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Answer {
        pub id: i64,
        pub agency_id: i64,
        pub question_id: i64,
        pub rag: String,
        pub narrative: String,
        pub version: i64,
    }
}

fn answer_of(r: &Row) -> StoreResult<Answer> {
    <Answer as crate::store::Record>::from_row(r)
}

const ANSWER_COLUMNS: &str = <Answer as crate::store::Record>::COLUMNS;

/// A plan to add, with the questions it starts with.
#[derive(Clone, Debug, Serialize)]
pub struct NewPlan {
    pub title: String,
    pub review_title: String,
    pub review_year: i64,
    pub review_link: String,
    pub body_key: String,
    pub answers_due: NaiveDate,
    pub questions: Vec<String>,
}

pub async fn plans(db: &Db, p: PartnershipId) -> StoreResult<Vec<Plan>> {
    db.fetch_all(
        Sql::join(&[
            "SELECT ",
            PLAN_COLUMNS,
            " FROM assurance_plans WHERE partnership_id = $1 ORDER BY answers_due DESC, id DESC",
        ]),
        args![p],
    )
    .await?
    .iter()
    .map(plan_of)
    .collect()
}

pub async fn plan(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Option<Plan>> {
    db.fetch_optional(
        Sql::join(&[
            "SELECT ",
            PLAN_COLUMNS,
            " FROM assurance_plans WHERE partnership_id = $1 AND id = $2",
        ]),
        args![p, id],
    )
    .await?
    .as_ref()
    .map(plan_of)
    .transpose()
}

pub async fn add_plan(db: &Db, actor: &Actor, p: PartnershipId, n: &NewPlan) -> StoreResult<i64> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let id = tx
        .insert(
            "INSERT INTO assurance_plans (partnership_id, title, review_title, review_year, review_link, body_key, answers_due, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            args![p, n.title.as_str(), n.review_title.as_str(), n.review_year, n.review_link.as_str(), n.body_key.as_str(), n.answers_due, now, now, actor.name.as_str()],
            Some(p),
            "assurance-plan",
            &format!("Assurance plan drafted: {}", n.title),
            n,
        )
        .await?;
    for (i, text) in n.questions.iter().enumerate() {
        insert_question(&mut tx, p, id, i as i64 + 1, text).await?;
    }
    tx.commit().await?;
    Ok(id)
}

async fn insert_question(
    tx: &mut Tx<'_>,
    p: PartnershipId,
    plan_id: i64,
    position: i64,
    text: &str,
) -> StoreResult<i64> {
    let now = tx.now();
    let by = tx.actor().name.clone();
    tx.insert(
        "INSERT INTO assurance_questions (partnership_id, plan_id, position, text, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        args![p, plan_id, position, text, now, now, by.as_str()],
        Some(p),
        "assurance-question",
        &format!("Question {position} added to an assurance plan"),
        &serde_json::json!({"plan": plan_id, "position": position, "text": text}),
    )
    .await
}

pub async fn questions(db: &Db, p: PartnershipId, plan_id: i64) -> StoreResult<Vec<Question>> {
    db.fetch_all(
        Sql::join(&["SELECT ", QUESTION_COLUMNS, " FROM assurance_questions WHERE partnership_id = $1 AND plan_id = $2 ORDER BY position, id"]),
        args![p, plan_id],
    )
    .await?
    .iter()
    .map(question_of)
    .collect()
}

pub async fn question(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Option<Question>> {
    db.fetch_optional(
        Sql::join(&[
            "SELECT ",
            QUESTION_COLUMNS,
            " FROM assurance_questions WHERE partnership_id = $1 AND id = $2",
        ]),
        args![p, id],
    )
    .await?
    .as_ref()
    .map(question_of)
    .transpose()
}

/// Questions change only while their plan is a draft: the condition every question write
/// carries, so a plan issued meanwhile freezes them even against a form opened before.
const WHILE_DRAFT: &str =
    "plan_id IN (SELECT id FROM assurance_plans WHERE partnership_id = $1 AND issued_on IS NULL)";

/// Whether a plan is still a draft, read inside the writing transaction so an issue made
/// meanwhile is seen.
async fn still_draft(tx: &mut Tx<'_>, p: PartnershipId, plan_id: i64) -> StoreResult<bool> {
    Ok(tx
        .fetch_optional(
            "SELECT id FROM assurance_plans WHERE partnership_id = $1 AND id = $2 AND issued_on IS NULL",
            args![p, plan_id],
        )
        .await?
        .is_some())
}

/// Add a question at the end of a draft plan. `false` when the plan was issued meanwhile.
pub async fn add_question(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    plan: &Plan,
    text: &str,
) -> StoreResult<bool> {
    let mut tx = Tx::begin(db, actor).await?;
    if !still_draft(&mut tx, p, plan.id).await? {
        return Ok(false);
    }
    let next: i64 = tx
        .fetch_optional(
            "SELECT COALESCE(MAX(position), 0) + 1 AS n FROM assurance_questions WHERE partnership_id = $1 AND plan_id = $2",
            args![p, plan.id],
        )
        .await?
        .map(|r| r.get("n"))
        .transpose()?
        .unwrap_or(1);
    insert_question(&mut tx, p, plan.id, next, text).await?;
    tx.commit().await?;
    Ok(true)
}

/// Change a question's text while its plan is a draft; `Err` says why not (changed by someone
/// else, or the plan issued).
pub async fn edit_question(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    before: &Question,
    text: &str,
) -> StoreResult<Result<(), String>> {
    let mut tx = Tx::begin(db, actor).await?;
    let changed = tx
        .update_versioned(
            &Versioned::new(
                "assurance_questions",
                "assurance-question",
                p,
                before.id,
                before.version,
            )
            .only_if(" AND plan_id IN (SELECT id FROM assurance_plans WHERE issued_on IS NULL)"),
            "text = $1",
            args![text],
            &format!("Question {} of an assurance plan changed", before.position),
            &serde_json::json!({"text": before.text}),
            &serde_json::json!({"text": text}),
        )
        .await?;
    if changed.is_err() {
        drop(tx);
        return Ok(Err(question_refusal(db, p, before).await?));
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// Remove a question from a draft plan.
pub async fn remove_question(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    q: &Question,
) -> StoreResult<Result<(), String>> {
    let mut tx = Tx::begin(db, actor).await?;
    let n = tx
        .delete(
            Sql::join(&[
                "DELETE FROM assurance_questions WHERE partnership_id = $1 AND id = $2 AND ",
                WHILE_DRAFT,
            ]),
            args![p, q.id],
            &RecordRef::new(Some(p), "assurance-question", q.id),
            &format!("Question {} removed from an assurance plan", q.position),
            q,
        )
        .await?;
    if n == 0 {
        drop(tx);
        return Ok(Err(question_refusal(db, p, q).await?));
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// Why a question write changed nothing.
async fn question_refusal(db: &Db, p: PartnershipId, q: &Question) -> StoreResult<String> {
    if plan(db, p, q.plan_id)
        .await?
        .is_some_and(|pl| pl.issued_on.is_some())
    {
        return Ok(FROZEN.to_owned());
    }
    stale_record(
        db,
        "assurance_questions",
        p,
        q.id,
        "This question no longer exists.",
    )
    .await
}

/// What the business unit is told when changing the questions of an issued plan.
pub const FROZEN: &str =
    "The plan has been issued: its questions are fixed, as the agencies are answering them";

pub async fn agencies(db: &Db, p: PartnershipId, plan_id: i64) -> StoreResult<Vec<Agency>> {
    db.fetch_all(
        Sql::join(&[
            "SELECT ",
            AGENCY_COLUMNS,
            AGENCY_FROM,
            " WHERE a.partnership_id = $1 AND a.plan_id = $2 ORDER BY a.organisation_name, a.id",
        ]),
        args![p, plan_id],
    )
    .await?
    .iter()
    .map(agency_of)
    .collect()
}

pub async fn agency(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Option<Agency>> {
    db.fetch_optional(
        Sql::join(&[
            "SELECT ",
            AGENCY_COLUMNS,
            AGENCY_FROM,
            " WHERE a.partnership_id = $1 AND a.id = $2",
        ]),
        args![p, id],
    )
    .await?
    .as_ref()
    .map(agency_of)
    .transpose()
}

/// The returns one person answers for, on issued plans only.
pub async fn returns_of(db: &Db, p: PartnershipId, user_id: i64) -> StoreResult<Vec<Agency>> {
    db.fetch_all(
        Sql::join(&["SELECT ", AGENCY_COLUMNS, AGENCY_FROM, " JOIN assurance_plans pl ON pl.id = a.plan_id WHERE a.partnership_id = $1 AND a.responder_user_id = $2 AND pl.issued_on IS NOT NULL ORDER BY pl.answers_due, a.id"]),
        args![p, user_id],
    )
    .await?
    .iter()
    .map(agency_of)
    .collect()
}

/// Put a plan to an agency, answered by a named person. `false` when the agency is already
/// on the plan or the plan has been issued.
pub async fn add_agency(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    plan: &Plan,
    organisation: (&str, &str),
    responder: (i64, &str),
) -> StoreResult<bool> {
    let mut tx = Tx::begin(db, actor).await?;
    let taken = tx
        .fetch_optional(
            "SELECT id FROM assurance_agencies WHERE partnership_id = $1 AND plan_id = $2 AND organisation_key = $3",
            args![p, plan.id, organisation.0],
        )
        .await?
        .is_some();
    if taken || !still_draft(&mut tx, p, plan.id).await? {
        return Ok(false);
    }
    let now = tx.now();
    tx.insert(
        "INSERT INTO assurance_agencies (partnership_id, plan_id, organisation_key, organisation_name, responder_user_id, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        args![p, plan.id, organisation.0, organisation.1, responder.0, now, now, actor.name.as_str()],
        Some(p),
        "assurance-agency",
        &format!("{} asked to answer \"{}\", by {}", organisation.1, plan.title, responder.1),
        &serde_json::json!({"plan": plan.id, "organisation": organisation.0, "name": organisation.1, "responder": responder.0}),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Take an agency off a draft plan.
pub async fn remove_agency(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    a: &Agency,
) -> StoreResult<bool> {
    let mut tx = Tx::begin(db, actor).await?;
    let n = tx
        .delete(
            Sql::join(&[
                "DELETE FROM assurance_agencies WHERE partnership_id = $1 AND id = $2 AND ",
                WHILE_DRAFT,
            ]),
            args![p, a.id],
            &RecordRef::new(Some(p), "assurance-agency", a.id),
            &format!("{} taken off an assurance plan", a.organisation_name),
            a,
        )
        .await?;
    tx.commit().await?;
    Ok(n > 0)
}

/// Issue a plan: its questions are fixed from this day. `Err` when it was changed meanwhile.
pub async fn issue(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    plan: &Plan,
    day: NaiveDate,
) -> StoreResult<Result<(), String>> {
    let mut tx = Tx::begin(db, actor).await?;
    let n = tx
        .update_versioned(
            &crate::store::Versioned::new(
                "assurance_plans",
                "assurance-plan",
                p,
                plan.id,
                plan.version,
            )
            .only_if(" AND issued_on IS NULL"),
            "issued_on = $1",
            args![day],
            &format!("Assurance plan issued to the agencies: {}", plan.title),
            &serde_json::json!({"issued_on": null}),
            &serde_json::json!({"issued_on": day}),
        )
        .await?;
    if let Err(stale) = n {
        drop(tx);
        return Ok(Err(stale.to_string()));
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// Every answer of a plan, by agency.
pub async fn answers(db: &Db, p: PartnershipId, plan_id: i64) -> StoreResult<Vec<Answer>> {
    db.fetch_all(
        Sql::join(&["SELECT ", ANSWER_COLUMNS, " FROM assurance_answers WHERE partnership_id = $1 AND agency_id IN (SELECT id FROM assurance_agencies WHERE partnership_id = $1 AND plan_id = $2) ORDER BY agency_id, question_id"]),
        args![p, plan_id],
    )
    .await?
    .iter()
    .map(answer_of)
    .collect()
}

pub async fn answer(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Option<Answer>> {
    db.fetch_optional(
        Sql::join(&[
            "SELECT ",
            ANSWER_COLUMNS,
            " FROM assurance_answers WHERE partnership_id = $1 AND id = $2",
        ]),
        args![p, id],
    )
    .await?
    .as_ref()
    .map(answer_of)
    .transpose()
}

/// The files attached to an answer as its evidence.
pub const EVIDENCE: crate::files::Attachments = crate::files::Attachments::of("assurance-answer");

/// Save an agency's answer to a question (the first time, or again until the return is
/// submitted), with a piece of evidence when one is given. `version` is the answer's version
/// the form was opened on, 0 for none yet. `Err` says why nothing was saved.
#[allow(clippy::too_many_arguments)]
pub async fn save_answer(
    db: &Db,
    files: &crate::files::Files,
    actor: &Actor,
    p: PartnershipId,
    agency: &Agency,
    q: &Question,
    version: i64,
    rag: &str,
    narrative: &str,
    evidence: Option<crate::files::Checked>,
) -> StoreResult<Result<i64, String>> {
    let mut tx = Tx::begin(db, actor).await?;
    let open = tx
        .fetch_optional(
            "SELECT id FROM assurance_agencies WHERE partnership_id = $1 AND id = $2 AND returned_on IS NULL",
            args![p, agency.id],
        )
        .await?
        .is_some();
    if !open {
        return Ok(Err(SUBMITTED.to_owned()));
    }
    let existing = tx
        .fetch_optional(
            Sql::join(&["SELECT ", ANSWER_COLUMNS, " FROM assurance_answers WHERE partnership_id = $1 AND agency_id = $2 AND question_id = $3"]),
            args![p, agency.id, q.id],
        )
        .await?
        .as_ref()
        .map(answer_of)
        .transpose()?;
    let now = tx.now();
    let summary = format!(
        "{} answered question {}: {rag}",
        agency.organisation_name, q.position
    );
    let after = serde_json::json!({"agency": agency.id, "question": q.id, "rag": rag, "narrative": narrative});
    let id = match existing {
        None if version == 0 => {
            tx.insert(
                "INSERT INTO assurance_answers (partnership_id, agency_id, question_id, rag, narrative, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                args![p, agency.id, q.id, rag, narrative, now, now, actor.name.as_str()],
                Some(p),
                "assurance-answer",
                &summary,
                &after,
            )
            .await?
        }
        Some(a) if a.version == version => {
            let changed = tx
                .update_versioned(
                    &Versioned::new("assurance_answers", "assurance-answer", p, a.id, version),
                    "rag = $1, narrative = $2",
                    args![rag, narrative],
                    &summary,
                    &serde_json::json!({"rag": a.rag, "narrative": a.narrative}),
                    &after,
                )
                .await?;
            if let Err(stale) = changed {
                drop(tx);
                return Ok(Err(stale.to_string()));
            }
            a.id
        }
        Some(a) => {
            drop(tx);
            return Ok(Err(stale_record(
                db,
                "assurance_answers",
                p,
                a.id,
                "This answer no longer exists.",
            )
            .await?));
        }
        None => {
            return Ok(Err(
                "This answer no longer exists. Go back, refresh the page and try again.".into(),
            ));
        }
    };
    if let Some(file) = evidence {
        let summary = format!(
            "Evidence for {}'s answer to question {}",
            agency.organisation_name, q.position
        );
        EVIDENCE
            .attach(&mut tx, files, p, id, "", file, &summary)
            .await?;
    }
    tx.commit().await?;
    Ok(Ok(id))
}

/// What a responder is told once their return is in.
pub const SUBMITTED: &str =
    "This return has been submitted: ask the business unit if something needs to change";

/// Submit an agency's return, dated. `Err` when already submitted or changed meanwhile.
pub async fn submit(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    a: &Agency,
    day: NaiveDate,
) -> StoreResult<Result<(), String>> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let n = tx
        .update(
            "UPDATE assurance_agencies SET returned_on = $1, version = version + 1, updated_at = $2, updated_by = $3 WHERE partnership_id = $4 AND id = $5 AND returned_on IS NULL",
            args![day, now, actor.name.as_str(), p, a.id],
            &RecordRef::new(Some(p), "assurance-agency", a.id),
            &format!("{} returned its answers", a.organisation_name),
            &serde_json::json!({"returned_on": null}),
            &serde_json::json!({"returned_on": day}),
        )
        .await?;
    if n == 0 {
        return Ok(Err(SUBMITTED.to_owned()));
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// The evidence of every answer of a plan.
pub async fn evidence(
    db: &Db,
    p: PartnershipId,
    plan_id: i64,
) -> StoreResult<Vec<crate::files::Attachment>> {
    let answers: Vec<i64> = answers(db, p, plan_id)
        .await?
        .iter()
        .map(|a| a.id)
        .collect();
    EVIDENCE.list(db, p, &answers).await
}
