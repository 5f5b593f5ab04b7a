//! Storage of the library: documents, their versions (each file kept by the storage layer), the
//! review reminders sent, and the public's subscriptions with the change notices they were
//! sent. Every change to a document or a subscription goes through the audited transaction;
//! a subscriber's address never enters the audit trail, so unsubscribing removes it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::model::{self, Follows, ProcedureStatus, Reminder};
use crate::args;
use crate::files::{Checked, Files, StoredFile};
use crate::store::secret::secret_hash;
use crate::store::{
    Actor, Db, PartnershipId, RecordRef, Row, Sql, Stale, StoreResult, Tx, Versioned,
};

crate::record! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Procedure {
        pub id: i64,
        pub title: String,
        pub summary: String,
        pub body_key: String,
        pub owner_user_id: Option<i64>,
        pub review_on: NaiveDate,
        pub reviewed_on: Option<NaiveDate>,
        pub status: ProcedureStatus,
        pub withdrawn_at: Option<DateTime<Utc>>,
        pub withdrawn_reason: String,
        pub current_version: i64,
        pub version: i64,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
        pub updated_by: String,
    }
}

const COLUMNS: &str = <Procedure as crate::store::Record>::COLUMNS;

fn procedure_of(r: &Row) -> StoreResult<Procedure> {
    <Procedure as crate::store::Record>::from_row(r)
}

impl Procedure {
    pub fn withdrawn(&self) -> bool {
        self.status == ProcedureStatus::Withdrawn
    }

    /// The day it was withdrawn, in England.
    pub fn withdrawn_on(&self) -> Option<NaiveDate> {
        self.withdrawn_at
            .map(|t| crate::calendar::uk_local(t).date())
    }
}

/// One version of a document: its file, what changed, and who put it up when.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Version {
    pub procedure_id: i64,
    pub number: i64,
    pub note: String,
    pub published_on: NaiveDate,
    pub file: StoredFile,
}

const VERSION_SELECT: &str = "SELECT v.procedure_id, v.number, v.note, v.published_on, f.id, f.file_name, f.media_type, f.size_bytes, f.page_count, f.sha256, f.created_at, f.created_by FROM procedure_versions v JOIN files f ON f.id = v.file_id";

fn version_of(r: &Row) -> StoreResult<Version> {
    Ok(Version {
        procedure_id: r.get("procedure_id")?,
        number: r.get("number")?,
        note: r.get("note")?,
        published_on: r.get("published_on")?,
        file: crate::files::file_of(r)?,
    })
}

/// What the details form sets (the file and its note come with a version).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Details {
    pub title: String,
    pub summary: String,
    pub body_key: String,
    pub owner_user_id: Option<i64>,
    pub review_on: NaiveDate,
}

impl Details {
    pub fn of(p: &Procedure) -> Details {
        Details {
            title: p.title.clone(),
            summary: p.summary.clone(),
            body_key: p.body_key.clone(),
            owner_user_id: p.owner_user_id,
            review_on: p.review_on,
        }
    }
}

/// Every document of the partnership, withdrawn ones too, by title.
pub async fn list(db: &Db, p: PartnershipId) -> StoreResult<Vec<Procedure>> {
    db.fetch_all(
        Sql::join(&[
            "SELECT ",
            COLUMNS,
            " FROM procedures WHERE partnership_id = $1 ORDER BY title, id",
        ]),
        args![p],
    )
    .await?
    .iter()
    .map(procedure_of)
    .collect()
}

pub async fn get(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Option<Procedure>> {
    db.fetch_optional(
        Sql::join(&[
            "SELECT ",
            COLUMNS,
            " FROM procedures WHERE partnership_id = $1 AND id = $2",
        ]),
        args![p, id],
    )
    .await?
    .as_ref()
    .map(procedure_of)
    .transpose()
}

/// A document's versions, newest first.
pub async fn versions(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Vec<Version>> {
    db.fetch_all(
        Sql::join(&[
            VERSION_SELECT,
            " WHERE v.partnership_id = $1 AND v.procedure_id = $2 ORDER BY v.number DESC",
        ]),
        args![p, id],
    )
    .await?
    .iter()
    .map(version_of)
    .collect()
}

/// The newest version of every document of the partnership, for the lists.
pub async fn current_versions(db: &Db, p: PartnershipId) -> StoreResult<Vec<Version>> {
    db.fetch_all(
        Sql::join(&[
            VERSION_SELECT,
            " JOIN procedures pr ON pr.id = v.procedure_id AND pr.current_version = v.number WHERE v.partnership_id = $1",
        ]),
        args![p],
    )
    .await?
    .iter()
    .map(version_of)
    .collect()
}

/// Add a document with its first version.
pub async fn add(
    db: &Db,
    files: &Files,
    actor: &Actor,
    p: PartnershipId,
    d: &Details,
    today: NaiveDate,
    (name, kind, bytes): Checked,
) -> StoreResult<i64> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let file = files.put(&mut tx, p, &name, kind, bytes).await?;
    let id = tx
        .insert(
            "INSERT INTO procedures (partnership_id, title, summary, body_key, owner_user_id, review_on, status, current_version, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10) RETURNING id",
            args![p, d.title.as_str(), d.summary.as_str(), d.body_key.as_str(), d.owner_user_id, d.review_on, ProcedureStatus::Current, now, now, actor.name.as_str()],
            Some(p),
            "procedure",
            &format!("Procedure added: {}", d.title),
            &serde_json::json!({"details": d, "file": file}),
        )
        .await?;
    insert_version(&mut tx, p, id, 1, file.id, "First version", today).await?;
    index(&mut tx, p, id).await?;
    tx.commit().await?;
    Ok(id)
}

async fn insert_version(
    tx: &mut Tx<'_>,
    p: PartnershipId,
    id: i64,
    number: i64,
    file_id: i64,
    note: &str,
    today: NaiveDate,
) -> StoreResult<()> {
    let now = tx.now();
    let by = tx.actor().name.clone();
    tx.insert_keyed(
        "INSERT INTO procedure_versions (partnership_id, procedure_id, number, file_id, note, published_on, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![p, id, number, file_id, note, today, now, by.as_str()],
        &RecordRef::new(Some(p), "procedure", id),
        &format!("Version {number} of the procedure kept"),
        &serde_json::json!({"number": number, "file": file_id, "note": note, "published_on": today}),
    )
    .await?;
    Ok(())
}

/// Change a document's details; `Err` says who changed it first.
pub async fn edit(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    before: &Procedure,
    d: &Details,
) -> StoreResult<Result<(), Stale>> {
    let mut tx = Tx::begin(db, actor).await?;
    let changed = tx
        .update_versioned(
            &Versioned::new("procedures", "procedure", p, before.id, before.version),
            "title = $1, summary = $2, body_key = $3, owner_user_id = $4, review_on = $5",
            args![
                d.title.as_str(),
                d.summary.as_str(),
                d.body_key.as_str(),
                d.owner_user_id,
                d.review_on
            ],
            &format!("Procedure's details changed: {}", d.title),
            &Details::of(before),
            d,
        )
        .await?;
    if changed.is_err() {
        return Ok(changed);
    }
    index(&mut tx, p, before.id).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Put up a new version with its amendment note; every earlier version is kept. Returns its
/// number, or who changed the document first.
#[allow(clippy::too_many_arguments)]
pub async fn add_version(
    db: &Db,
    files: &Files,
    actor: &Actor,
    p: PartnershipId,
    before: &Procedure,
    note: &str,
    today: NaiveDate,
    (name, kind, bytes): Checked,
) -> StoreResult<Result<i64, Stale>> {
    let mut tx = Tx::begin(db, actor).await?;
    let number = before.current_version + 1;
    let changed = tx
        .update_versioned(
            &Versioned::new("procedures", "procedure", p, before.id, before.version)
                .only_if(" AND status = 'current'"),
            "current_version = $1",
            args![number],
            &format!("Version {number} of the procedure: {}", before.title),
            &serde_json::json!({"current_version": before.current_version}),
            &serde_json::json!({"current_version": number, "file": name, "note": note}),
        )
        .await?;
    if let Err(stale) = changed {
        return Ok(Err(stale));
    }
    let file = files.put(&mut tx, p, &name, kind, bytes).await?;
    insert_version(&mut tx, p, before.id, number, file.id, note, today).await?;
    index(&mut tx, p, before.id).await?;
    tx.commit().await?;
    Ok(Ok(number))
}

/// Mark a document reviewed on `today`, with the date of its next review.
pub async fn mark_reviewed(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    before: &Procedure,
    today: NaiveDate,
    next: NaiveDate,
) -> StoreResult<Result<(), Stale>> {
    let mut tx = Tx::begin(db, actor).await?;
    let changed = tx
        .update_versioned(
            &Versioned::new("procedures", "procedure", p, before.id, before.version)
                .only_if(" AND status = 'current'"),
            "reviewed_on = $1, review_on = $2",
            args![today, next],
            &format!("Procedure reviewed: {}", before.title),
            &serde_json::json!({"reviewed_on": before.reviewed_on, "review_on": before.review_on}),
            &serde_json::json!({"reviewed_on": today, "review_on": next}),
        )
        .await?;
    if changed.is_ok() {
        tx.commit().await?;
    }
    Ok(changed)
}

/// Withdraw a document: it leaves the public library, and its history is kept.
pub async fn withdraw(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    before: &Procedure,
    reason: &str,
) -> StoreResult<Result<(), Stale>> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let changed = tx
        .update_versioned(
            &Versioned::new("procedures", "procedure", p, before.id, before.version)
                .only_if(" AND status = 'current'"),
            "status = $1, withdrawn_at = $2, withdrawn_reason = $3",
            args![ProcedureStatus::Withdrawn, now, reason],
            &format!("Procedure withdrawn: {}", before.title),
            &serde_json::json!({"status": before.status}),
            &serde_json::json!({"status": ProcedureStatus::Withdrawn, "withdrawn_at": now, "reason": reason}),
        )
        .await?;
    if changed.is_ok() {
        tx.commit().await?;
    }
    Ok(changed)
}

/// What search finds of a document: its title, its summary and every amendment note, for the
/// signed-in search and the public library's search box.
pub async fn index(tx: &mut Tx<'_>, p: PartnershipId, id: i64) -> StoreResult<()> {
    let Some(r) = tx
        .fetch_optional(
            "SELECT title, summary FROM procedures WHERE partnership_id = $1 AND id = $2",
            args![p, id],
        )
        .await?
    else {
        return Ok(());
    };
    let title: String = r.get("title")?;
    let mut content: String = r.get("summary")?;
    let mut last = None;
    for v in tx
        .fetch_all(
            "SELECT note, published_on FROM procedure_versions WHERE partnership_id = $1 AND procedure_id = $2 ORDER BY number",
            args![p, id],
        )
        .await?
    {
        content.push(' ');
        content.push_str(&v.get::<String>("note")?);
        last = Some(v.get::<NaiveDate>("published_on")?);
    }
    tx.execute_plumbing(
        "INSERT INTO search_entries (partnership_id, kind, record_id, body_key, agenda_item_id, restricted, link, title, content, on_date) VALUES ($1, 'procedure', $2, '', NULL, FALSE, $3, $4, $5, $6) ON CONFLICT (kind, record_id) DO UPDATE SET link = excluded.link, title = excluded.title, content = excluded.content, on_date = excluded.on_date",
        args![p, id, format!("/procedures/{id}"), title, content, last],
    )
    .await?;
    Ok(())
}

// ---- Review reminders ----

/// Note that a reminder was sent for a document's review date: `false` when it was already
/// (on this instance or another), so the caller sends nothing.
pub async fn claim_reminder(
    db: &Db,
    p: PartnershipId,
    pr: &Procedure,
    what: Reminder,
) -> StoreResult<bool> {
    Ok(db
        .execute(
            "INSERT INTO procedure_reminders (partnership_id, procedure_id, review_on, what, sent_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            args![p, pr.id, pr.review_on, what, Utc::now()],
        )
        .await?
        == 1)
}

/// The partnerships that have documents.
pub async fn partnerships(db: &Db) -> StoreResult<Vec<PartnershipId>> {
    db.fetch_all(
        "SELECT DISTINCT partnership_id FROM procedures ORDER BY partnership_id",
        args![],
    )
    .await?
    .iter()
    .map(|r| Ok(PartnershipId(r.get("partnership_id")?)))
    .collect()
}

// ---- Subscriptions ----

crate::record! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Subscription {
        pub id: i64,
        pub partnership_id: i64,
        pub email: String,
        pub procedure_id: Option<i64>,
        pub created_at: DateTime<Utc>,
        pub confirmed_at: Option<DateTime<Utc>>,
    }
}

const SUBSCRIPTION_COLUMNS: &str = <Subscription as crate::store::Record>::COLUMNS;

fn subscription_of(r: &Row) -> StoreResult<Subscription> {
    <Subscription as crate::store::Record>::from_row(r)
}

impl Subscription {
    pub fn follows(&self) -> Follows {
        Follows::of(self.procedure_id)
    }

    pub fn partnership(&self) -> PartnershipId {
        PartnershipId(self.partnership_id)
    }

    /// What the audit trail keeps of it: never the address.
    fn audited(&self) -> serde_json::Value {
        audited(self.follows(), self.confirmed_at)
    }
}

fn audited(f: Follows, confirmed_at: Option<DateTime<Utc>>) -> serde_json::Value {
    serde_json::json!({"procedure_id": f.procedure_id(), "confirmed_at": confirmed_at})
}

/// Requests to subscribe in the last hour: from this network, and for this address.
pub async fn recent_requests(db: &Db, ip: &str, email: &str) -> StoreResult<(i64, i64)> {
    let since = Utc::now() - model::LIMIT_WINDOW;
    let count = |sql: &'static str, v: String| async move {
        db.fetch_one(sql, args![v, since]).await?.get::<i64>("n")
    };
    Ok((
        count(
            "SELECT COUNT(*) AS n FROM procedure_subscribe_attempts WHERE ip = $1 AND at > $2",
            ip.to_owned(),
        )
        .await?,
        count(
            "SELECT COUNT(*) AS n FROM procedure_subscribe_attempts WHERE email_hash = $1 AND at > $2",
            secret_hash(email),
        )
        .await?,
    ))
}

/// Count a request to subscribe, for the rate limit.
pub async fn note_request(db: &Db, p: PartnershipId, ip: &str, email: &str) -> StoreResult<()> {
    db.execute(
        "INSERT INTO procedure_subscribe_attempts (partnership_id, ip, email_hash, at) VALUES ($1, $2, $3, $4)",
        args![p, ip, secret_hash(email), Utc::now()],
    )
    .await?;
    Ok(())
}

/// Ask for a subscription: a confirm link's secret to send, or nothing when the address is
/// already subscribed to the same (the caller answers alike either way). An unconfirmed
/// request for the same is renewed with a new link, the old one no longer working.
pub async fn request(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    email: &str,
    f: Follows,
) -> StoreResult<Option<String>> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let existing = tx
        .fetch_optional(
            Sql::join(&["SELECT ", SUBSCRIPTION_COLUMNS, " FROM procedure_subscriptions WHERE partnership_id = $1 AND email = $2 AND COALESCE(procedure_id, 0) = $3"]),
            args![p, email, f.procedure_id().unwrap_or(0)],
        )
        .await?
        .as_ref()
        .map(subscription_of)
        .transpose()?;
    let token = crate::store::secret::new_secret();
    let expires = now + model::CONFIRM_LIFE;
    match existing {
        Some(s) if s.confirmed_at.is_some() => return Ok(None),
        Some(s) => {
            tx.update(
                "UPDATE procedure_subscriptions SET confirm_hash = $1, created_at = $2, expires_at = $3 WHERE id = $4 AND confirmed_at IS NULL",
                args![secret_hash(&token), now, expires, s.id],
                &RecordRef::new(Some(p), "procedure-subscription", s.id),
                "Subscription to procedures asked for again: a new confirm link sent",
                &s.audited(),
                &s.audited(),
            )
            .await?;
        }
        None => {
            tx.insert(
                "INSERT INTO procedure_subscriptions (partnership_id, email, procedure_id, confirm_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                args![p, email, f.procedure_id(), secret_hash(&token), now, expires],
                Some(p),
                "procedure-subscription",
                "Subscription to procedures asked for: a confirm link sent",
                &audited(f, None),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(Some(token))
}

/// The unconfirmed subscription a live confirm link is for.
pub async fn by_confirm_token(db: &Db, token: &str) -> StoreResult<Option<Subscription>> {
    db.fetch_optional(
        Sql::join(&["SELECT ", SUBSCRIPTION_COLUMNS, " FROM procedure_subscriptions WHERE confirm_hash = $1 AND confirmed_at IS NULL AND expires_at > $2"]),
        args![secret_hash(token), Utc::now()],
    )
    .await?
    .as_ref()
    .map(subscription_of)
    .transpose()
}

/// Confirm a subscription with its link, which then stops working; `false` when it was used
/// or expired meanwhile.
pub async fn confirm(db: &Db, actor: &Actor, s: &Subscription) -> StoreResult<bool> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let n = tx
        .update(
            "UPDATE procedure_subscriptions SET confirmed_at = $1, confirm_hash = NULL WHERE id = $2 AND confirmed_at IS NULL AND expires_at > $1",
            args![now, s.id],
            &RecordRef::new(Some(s.partnership()), "procedure-subscription", s.id),
            "Subscription to procedures confirmed",
            &s.audited(),
            &audited(s.follows(), Some(now)),
        )
        .await?;
    tx.commit().await?;
    Ok(n == 1)
}

/// The subscription an unsubscribe link (from any change notice it was sent) is for.
pub async fn by_unsubscribe_token(db: &Db, token: &str) -> StoreResult<Option<Subscription>> {
    db.fetch_optional(
        "SELECT s.id, s.partnership_id, s.email, s.procedure_id, s.created_at, s.confirmed_at FROM procedure_notices n JOIN procedure_subscriptions s ON s.id = n.subscription_id WHERE n.unsubscribe_hash = $1",
        args![secret_hash(token)],
    )
    .await?
    .as_ref()
    .map(subscription_of)
    .transpose()
}

/// End a subscription: the address and the notices it was sent are deleted.
pub async fn unsubscribe(db: &Db, actor: &Actor, s: &Subscription) -> StoreResult<bool> {
    let mut tx = Tx::begin(db, actor).await?;
    let n = tx
        .delete(
            "DELETE FROM procedure_subscriptions WHERE id = $1",
            args![s.id],
            &RecordRef::new(Some(s.partnership()), "procedure-subscription", s.id),
            "Unsubscribed from procedures",
            &s.audited(),
        )
        .await?;
    tx.commit().await?;
    Ok(n == 1)
}

/// Delete the subscriptions never confirmed whose links have expired. Returns how many.
pub async fn expire_unconfirmed(db: &Db) -> StoreResult<usize> {
    let expired = db
        .fetch_all(
            Sql::join(&[
                "SELECT ",
                SUBSCRIPTION_COLUMNS,
                " FROM procedure_subscriptions WHERE confirmed_at IS NULL AND expires_at <= $1",
            ]),
            args![Utc::now()],
        )
        .await?
        .iter()
        .map(subscription_of)
        .collect::<StoreResult<Vec<_>>>()?;
    if expired.is_empty() {
        return Ok(0);
    }
    let actor = Actor::system("masa: unconfirmed subscriptions expire");
    let mut tx = Tx::begin(db, &actor).await?;
    let mut n = 0;
    for s in &expired {
        n += tx
            .delete(
                "DELETE FROM procedure_subscriptions WHERE id = $1 AND confirmed_at IS NULL",
                args![s.id],
                &RecordRef::new(Some(s.partnership()), "procedure-subscription", s.id),
                "Subscription to procedures never confirmed: removed",
                &s.audited(),
            )
            .await?;
    }
    tx.commit().await?;
    // The rate limit looks back an hour; a day of requests is plenty to keep.
    db.execute(
        "DELETE FROM procedure_subscribe_attempts WHERE at < $1",
        args![Utc::now() - chrono::Duration::days(1)],
    )
    .await?;
    Ok(n as usize)
}

/// The confirmed subscriptions told of a change to document `id`.
pub async fn told_of(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Vec<Subscription>> {
    db.fetch_all(
        Sql::join(&["SELECT ", SUBSCRIPTION_COLUMNS, " FROM procedure_subscriptions WHERE partnership_id = $1 AND confirmed_at IS NOT NULL AND (procedure_id IS NULL OR procedure_id = $2) ORDER BY id"]),
        args![p, id],
    )
    .await?
    .iter()
    .map(subscription_of)
    .collect()
}

/// Note that a subscriber is told of a change, with the unsubscribe link their message
/// carries: `false` when they were told already, so the caller sends nothing.
pub async fn claim_notice(
    db: &Db,
    s: &Subscription,
    procedure_id: i64,
    what: &str,
    unsubscribe: &str,
) -> StoreResult<bool> {
    Ok(db
        .execute(
            "INSERT INTO procedure_notices (partnership_id, subscription_id, procedure_id, what, unsubscribe_hash, sent_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            args![s.partnership(), s.id, procedure_id, what, secret_hash(unsubscribe), Utc::now()],
        )
        .await?
        == 1)
}

/// The versions put up (a first one: the document added) and the documents withdrawn since
/// `since`, across partnerships: what
/// subscribers may still be owed a notice of.
pub async fn changes_since(
    db: &Db,
    since: DateTime<Utc>,
) -> StoreResult<Vec<(PartnershipId, i64, Option<i64>, DateTime<Utc>)>> {
    let mut out = Vec::new();
    for r in db
        .fetch_all(
            "SELECT partnership_id, procedure_id, number, created_at FROM procedure_versions WHERE created_at > $1 ORDER BY created_at",
            args![since],
        )
        .await?
    {
        out.push((
            PartnershipId(r.get("partnership_id")?),
            r.get("procedure_id")?,
            Some(r.get("number")?),
            r.get("created_at")?,
        ));
    }
    for r in db
        .fetch_all(
            "SELECT partnership_id, id, withdrawn_at FROM procedures WHERE withdrawn_at > $1 ORDER BY withdrawn_at",
            args![since],
        )
        .await?
    {
        out.push((
            PartnershipId(r.get("partnership_id")?),
            r.get("id")?,
            None,
            r.get("withdrawn_at")?,
        ));
    }
    Ok(out)
}
