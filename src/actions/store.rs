//! Storage of actions and their progress notes, audited and versioned.

use crate::actions::model::Status;
use chrono::NaiveDate;
use serde::Serialize;

use crate::args;
use crate::store::{Actor, Db, PartnershipId, RecordRef, Row, Sql, Statement, StoreResult, Tx};

crate::record! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Action {
        pub id: i64,
        pub source_kind: String,
        pub source_id: i64,
        pub body_key: String,
        pub reference: String,
        pub title: String,
        pub owner_name: String,
        pub owner_organisation: String,
        /// The owner's account, when the owner is a person with one: they open and update it.
        pub owner_user_id: Option<i64>,
        pub due: NaiveDate,
        pub status: Status,
        pub completed_on: Option<NaiveDate>,
        pub escalated_on: Option<NaiveDate>,
        pub version: i64,
    }
}

const COLUMNS: &str = <Action as crate::store::Record>::COLUMNS;

fn action_of(r: &Row) -> StoreResult<Action> {
    <Action as crate::store::Record>::from_row(r)
}

/// An action to add, from wherever it arises (a minute or decision today; a review later).
#[derive(Clone, Debug, Serialize)]
pub struct NewAction {
    pub source_kind: String,
    pub source_id: i64,
    pub body_key: String,
    pub reference: String,
    pub title: String,
    pub owner_name: String,
    pub owner_organisation: String,
    /// The owner's account, when the owner is a person with one.
    pub owner_user_id: Option<i64>,
    pub due: NaiveDate,
    /// Raised from a restricted record (a serious case, an assurance plan): the action is seen
    /// only by those who may read that record, so with no body, only by those who see every
    /// body (the business unit and the scrutineer), never by every member.
    pub sensitive: bool,
    /// Raised from a restricted (part II) agenda item: seen only by the business unit and those
    /// named to read that item.
    pub restricted_item: Option<i64>,
}

pub async fn add(db: &Db, actor: &Actor, p: PartnershipId, a: &NewAction) -> StoreResult<i64> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let id = tx
        .insert(
            "INSERT INTO actions (partnership_id, source_kind, source_id, body_key, reference, title, owner_name, owner_organisation, due, created_at, updated_at, updated_by, sensitive, restricted_item_id, owner_user_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
            args![p, a.source_kind.as_str(), a.source_id, a.body_key.as_str(), a.reference.as_str(), a.title.as_str(), a.owner_name.as_str(), a.owner_organisation.as_str(), a.due, now, now, actor.name.as_str(), a.sensitive, a.restricted_item, a.owner_user_id],
            Some(p),
            "action",
            &format!("Action for {}: {}", a.owner_name, a.title),
            a,
        )
        .await?;
    index(&mut tx, p, Some(id)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Put an action (or with `None` every action of the partnership) into the search index. An
/// action from a restricted item's minute is as restricted as the item, and a sensitive one as
/// sensitive: the one place the tracker looks at where an action came from.
pub async fn index(tx: &mut Tx<'_>, p: PartnershipId, only: Option<i64>) -> StoreResult<()> {
    tx.execute_plumbing(
        "INSERT INTO search_entries (partnership_id, kind, record_id, body_key, agenda_item_id, restricted, link, title, content, on_date, sensitive) SELECT a.partnership_id, 'action', a.id, a.body_key, a.restricted_item_id, a.restricted_item_id IS NOT NULL, '/actions/' || a.id, a.title, a.reference || ' ' || a.owner_name || ' ' || a.owner_organisation, a.due, a.sensitive FROM actions a WHERE a.partnership_id = $1 AND ($2 = 0 OR a.id = $2) ON CONFLICT (kind, record_id) DO UPDATE SET body_key = excluded.body_key, agenda_item_id = excluded.agenda_item_id, restricted = excluded.restricted, link = excluded.link, title = excluded.title, content = excluded.content, on_date = excluded.on_date, sensitive = excluded.sensitive",
        args![p, only.unwrap_or(0)],
    )
    .await?;
    Ok(())
}

/// The files attached to an action as its evidence.
pub const EVIDENCE: crate::files::Attachments = crate::files::Attachments::of("action");

/// Keep a checked file as evidence for an action.
pub async fn add_evidence(
    db: &Db,
    files: &crate::files::Files,
    actor: &Actor,
    p: PartnershipId,
    action: &Action,
    description: &str,
    file: crate::files::Checked,
) -> StoreResult<crate::files::Attachment> {
    let mut tx = Tx::begin(db, actor).await?;
    let summary = format!("Evidence added to the action \"{}\"", action.title);
    let attached = EVIDENCE
        .attach(&mut tx, files, p, action.id, description, file, &summary)
        .await?;
    tx.commit().await?;
    Ok(attached)
}

/// Which actions a view shows.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub body: Option<String>,
    pub organisation: Option<String>,
    pub owner: Option<String>,
    /// Only the actions this account owns.
    pub owned_by: Option<i64>,
    /// Only open actions due before this day.
    pub overdue_on: Option<NaiveDate>,
    pub open_only: bool,
    pub source: Option<(String, i64)>,
    /// Every action from one kind of source (all recommendations' actions, say).
    pub source_kind: Option<String>,
    /// Only actions still open or due on or after this day (the report's period).
    pub open_or_due_from: Option<NaiveDate>,
    /// Only what this person may see (`None`: everything, for the business unit).
    pub within: Option<Within>,
}

/// What a person who may not see every action sees: those of the bodies they may see (and those
/// of no body that are not sensitive), never one from a restricted item they are not named to
/// read.
#[derive(Clone, Debug, Default)]
pub struct Within {
    pub all_bodies: bool,
    pub bodies: Vec<String>,
    /// The restricted items they are named to read.
    pub named_items: Vec<i64>,
    /// Their account: the actions they own they see whatever body they came from.
    pub owner: Option<i64>,
}

impl Within {
    /// The actions a person may see: all for the business unit (`None`), else as their sight
    /// of the bodies says.
    pub fn of(sight: &crate::access::Sight) -> Option<Within> {
        if sight.all_restricted {
            return None;
        }
        Some(Within {
            all_bodies: sight.all_bodies,
            bodies: sight.bodies.clone(),
            named_items: sight.named_items.clone(),
            owner: sight.user_id,
        })
    }
}

/// The condition for `within`, added to a statement. The one place the tracker looks at where
/// an action came from: a restricted item's actions are as restricted as the item.
fn within_sql(within: Option<&Within>, q: &mut Statement) {
    let Some(w) = within else {
        return;
    };
    q.push(" AND ((TRUE");
    if !w.all_bodies {
        // No body: everyone's, unless raised from a restricted record.
        q.push(" AND body_key IN ('', ")
            .bind_list(w.bodies.iter().map(String::as_str))
            .push(") AND NOT (body_key = '' AND sensitive = TRUE)");
    }
    // From a restricted item: only for those named to read it.
    q.push(" AND (restricted_item_id IS NULL OR restricted_item_id IN (")
        .bind_list(w.named_items.iter().copied())
        .push("))");
    // Their own, wherever it came from.
    q.push(") OR owner_user_id = ")
        .bind(w.owner.unwrap_or(-1))
        .push(")");
}

/// Whether a person may see an action.
pub async fn visible(
    db: &Db,
    p: PartnershipId,
    id: i64,
    within: Option<&Within>,
) -> StoreResult<bool> {
    let mut q = Statement::new(
        "SELECT id FROM actions WHERE partnership_id = $1 AND id = $2",
        args![p, id],
    );
    within_sql(within, &mut q);
    let (sql, args) = q.parts();
    Ok(db.fetch_optional(sql, args).await?.is_some())
}

pub async fn list(db: &Db, p: PartnershipId, f: &Filter) -> StoreResult<Vec<Action>> {
    Ok(page(db, p, f, i64::MAX, 0).await?.0)
}

/// The condition a filter makes (after `FROM actions`), on `q`.
fn filter_sql(p: PartnershipId, f: &Filter, q: &mut Statement) {
    q.push(" FROM actions WHERE partnership_id = ").bind(p);
    if let Some(b) = &f.body {
        q.push(" AND body_key = ").bind(b.as_str());
    }
    if let Some(o) = &f.organisation {
        q.push(" AND owner_organisation = ").bind(o.as_str());
    }
    if let Some(o) = &f.owner {
        q.push(" AND owner_name = ").bind(o.as_str());
    }
    if let Some(u) = f.owned_by {
        q.push(" AND owner_user_id = ").bind(u);
    }
    if let Some(d) = f.overdue_on {
        q.push(" AND due < ").bind(d);
    }
    if let Some((kind, id)) = &f.source {
        q.push(" AND source_kind = ").bind(kind.as_str());
        q.push(" AND source_id = ").bind(*id);
    }
    if let Some(kind) = &f.source_kind {
        q.push(" AND source_kind = ").bind(kind.as_str());
    }
    if let Some(d) = f.open_or_due_from {
        q.push(" AND (status = 'open' OR due >= ").bind(d).push(")");
    }
    if f.open_only || f.overdue_on.is_some() {
        q.push(" AND status = 'open'");
    }
    within_sql(f.within.as_ref(), q);
}

/// One page of the actions a filter picks, and how many it picks in all.
pub async fn page(
    db: &Db,
    p: PartnershipId,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<Action>, i64)> {
    let mut count = Statement::new("SELECT COUNT(*) AS n", vec![]);
    filter_sql(p, f, &mut count);
    let (sql, args) = count.parts();
    let total: i64 = db.fetch_one(sql, args).await?.get("n")?;
    let mut q = Statement::new("SELECT ", vec![]);
    q.push(COLUMNS);
    filter_sql(p, f, &mut q);
    q.push(" ORDER BY due, id LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    let (sql, args) = q.parts();
    let rows = db
        .fetch_all(sql, args)
        .await?
        .iter()
        .map(action_of)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok((rows, total))
}

/// Open actions overdue, due soon (on or before `amber_until`) and on track.
pub async fn rag_counts(
    db: &Db,
    p: PartnershipId,
    today: NaiveDate,
    amber_until: NaiveDate,
    within: Option<&Within>,
) -> StoreResult<(i64, i64, i64)> {
    let mut q = Statement::new(
        "SELECT COALESCE(SUM(CASE WHEN due < $2 THEN 1 ELSE 0 END), 0) AS red, COALESCE(SUM(CASE WHEN due >= $3 AND due <= $4 THEN 1 ELSE 0 END), 0) AS amber, COALESCE(SUM(CASE WHEN due > $5 THEN 1 ELSE 0 END), 0) AS green FROM actions WHERE partnership_id = $1 AND status = 'open'",
        args![p, today, today, amber_until, amber_until],
    );
    within_sql(within, &mut q);
    let (sql, args) = q.parts();
    let r = db.fetch_one(sql, args).await?;
    Ok((r.get("red")?, r.get("amber")?, r.get("green")?))
}

/// The owners, or the owners' organisations, of open actions: the people the tracker chases.
pub async fn distinct(
    db: &Db,
    p: PartnershipId,
    organisations: bool,
    within: Option<&Within>,
) -> StoreResult<Vec<String>> {
    let mut q = Statement::new(
        if organisations {
            "SELECT DISTINCT owner_organisation AS v FROM actions WHERE partnership_id = $1 AND status = 'open' AND owner_organisation <> ''"
        } else {
            "SELECT DISTINCT owner_name AS v FROM actions WHERE partnership_id = $1 AND status = 'open' AND owner_name <> ''"
        },
        args![p],
    );
    within_sql(within, &mut q);
    q.push(" ORDER BY v");
    let (sql, args) = q.parts();
    db.fetch_all(sql, args)
        .await?
        .iter()
        .map(|r| r.get("v"))
        .collect()
}

pub async fn get(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Option<Action>> {
    db.fetch_optional(
        Sql::join(&[
            "SELECT ",
            COLUMNS,
            " FROM actions WHERE partnership_id = $1 AND id = $2",
        ]),
        args![p, id],
    )
    .await?
    .as_ref()
    .map(action_of)
    .transpose()
}

#[derive(Clone, Debug, Serialize)]
pub struct Note {
    pub noted_on: NaiveDate,
    pub note: String,
    pub created_by: String,
}

pub async fn notes(db: &Db, p: PartnershipId, action_id: i64) -> StoreResult<Vec<Note>> {
    db.fetch_all(
        "SELECT noted_on, note, created_by FROM action_notes WHERE partnership_id = $1 AND action_id = $2 ORDER BY noted_on, id",
        args![p, action_id],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(Note {
            noted_on: r.get("noted_on")?,
            note: r.get("note")?,
            created_by: r.get("created_by")?,
        })
    })
    .collect()
}

/// The latest progress note of each action that is open or due on or after a day (every
/// action when no day is given), for reports.
pub async fn latest_notes(
    db: &Db,
    p: PartnershipId,
    open_or_due_from: Option<NaiveDate>,
) -> StoreResult<std::collections::HashMap<i64, Note>> {
    let rows = match open_or_due_from {
        Some(d) => {
            db.fetch_all(
                "SELECT n.action_id, n.noted_on, n.note, n.created_by FROM action_notes n JOIN actions a ON a.id = n.action_id WHERE n.partnership_id = $1 AND (a.status = 'open' OR a.due >= $2) ORDER BY n.noted_on, n.id",
                args![p, d],
            )
            .await?
        }
        None => {
            db.fetch_all(
                "SELECT action_id, noted_on, note, created_by FROM action_notes WHERE partnership_id = $1 ORDER BY noted_on, id",
                args![p],
            )
            .await?
        }
    };
    let mut out = std::collections::HashMap::new();
    for r in rows {
        out.insert(
            r.get::<i64>("action_id")?,
            Note {
                noted_on: r.get("noted_on")?,
                note: r.get("note")?,
                created_by: r.get("created_by")?,
            },
        );
    }
    Ok(out)
}

pub use super::model::Progress;

pub async fn progress(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    id: i64,
    expected_version: i64,
    change: &Progress,
) -> StoreResult<Result<(), String>> {
    let Some(before) = get(db, p, id).await? else {
        return Ok(Err("This action no longer exists.".into()));
    };
    let today = crate::calendar::today();
    let completed = match change.status {
        super::model::Status::Done => before.completed_on.or(Some(today)),
        _ => None,
    };
    let escalated = if change.escalate {
        before.escalated_on.or(Some(today))
    } else {
        before.escalated_on
    };
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let n = tx
        .update_versioned(
            &crate::store::Versioned::new("actions", "action", p, id, expected_version),
            "status = $1, due = $2, completed_on = $3, escalated_on = $4",
            args![change.status.as_str(), change.due, completed, escalated],
            &format!("Action {}: {}", change.status.as_str(), before.title),
            &before,
            change,
        )
        .await?;
    if let Err(stale) = n {
        drop(tx);
        return Ok(Err(stale.to_string()));
    }
    if !change.note.is_empty() {
        tx.insert_keyed(
            "INSERT INTO action_notes (partnership_id, action_id, noted_on, note, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)",
            args![p, id, today, change.note.as_str(), now, actor.name.as_str()],
            &RecordRef::new(Some(p), "action", id),
            &format!("Progress note on the action: {}", before.title),
            &serde_json::json!({"noted_on": today, "note": change.note}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Ok(()))
}
