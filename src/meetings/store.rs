//! Storage of meetings. Every change goes through the
//! audited transaction; a stale edit is refused with who changed it and when.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::model::{MeetingStatus, MinutesStatus, Presence};
use crate::accounts::store::stale_message;
use crate::args;
use crate::store::{
    Actor, Child, Children, Db, PartnershipId, RecordRef, Row, Sql, StoreResult, Tx,
};

crate::record! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Meeting {
        pub id: i64,
        pub body_key: String,
        pub kind: String,
        pub date: NaiveDate => "meeting_date",
        pub start_time: String,
        pub venue: String,
        pub status: MeetingStatus,
        pub notice_given: Option<NaiveDate>,
        pub urgent_reason: String,
        /// Shown to the public (agenda, open papers, approved minutes).
        pub published: bool,
        pub version: i64,
    }
}

const COLUMNS: &str = <Meeting as crate::store::Record>::COLUMNS;

fn meeting_of(r: &Row) -> StoreResult<Meeting> {
    <Meeting as crate::store::Record>::from_row(r)
}

pub use crate::partnerships::rules::{rules, save_rules};

async fn stale(
    db: &Db,
    sql: &'static str,
    p: PartnershipId,
    id: i64,
) -> StoreResult<Result<(), String>> {
    let r = if id == 0 {
        db.fetch_optional(sql, args![p]).await?
    } else {
        db.fetch_optional(sql, args![p, id]).await?
    };
    Ok(Err(match r {
        Some(r) => stale_message(
            &r.get::<String>("updated_by")?,
            r.get::<DateTime<Utc>>("updated_at")?,
        ),
        None => "This was removed while you were editing it.".into(),
    }))
}

/// Meetings from `from` to `to` inclusive, of one body or all, by date.
pub async fn between(
    db: &Db,
    p: PartnershipId,
    from: NaiveDate,
    to: NaiveDate,
    body: Option<&str>,
) -> StoreResult<Vec<Meeting>> {
    let rows = match body {
        Some(b) => {
            db.fetch_all(
                Sql::join(&["SELECT ", COLUMNS, " FROM meetings WHERE partnership_id = $1 AND meeting_date >= $2 AND meeting_date <= $3 AND body_key = $4 ORDER BY meeting_date, start_time, id"]),
                args![p, from, to, b],
            )
            .await?
        }
        None => {
            db.fetch_all(
                Sql::join(&["SELECT ", COLUMNS, " FROM meetings WHERE partnership_id = $1 AND meeting_date >= $2 AND meeting_date <= $3 ORDER BY meeting_date, start_time, id"]),
                args![p, from, to],
            )
            .await?
        }
    };
    rows.iter().map(meeting_of).collect()
}

pub async fn get(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Option<Meeting>> {
    db.fetch_optional(
        Sql::join(&[
            "SELECT ",
            COLUMNS,
            " FROM meetings WHERE partnership_id = $1 AND id = $2",
        ]),
        args![p, id],
    )
    .await?
    .as_ref()
    .map(meeting_of)
    .transpose()
}

/// A meeting to add.
#[derive(Clone, Debug, Serialize)]
pub struct NewMeeting {
    pub body_key: String,
    pub kind: String,
    pub date: NaiveDate,
    pub start_time: String,
    pub venue: String,
    pub notice_given: Option<NaiveDate>,
    pub urgent_reason: String,
}

/// Add meetings in one transaction (a year's schedule, or one meeting).
pub async fn add(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    meetings: &[NewMeeting],
) -> StoreResult<Vec<i64>> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let mut ids = Vec::new();
    for m in meetings {
        let id = tx
            .insert(
                "INSERT INTO meetings (partnership_id, body_key, kind, meeting_date, start_time, venue, notice_given, urgent_reason, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                args![p, m.body_key.as_str(), m.kind.as_str(), m.date, m.start_time.as_str(), m.venue.as_str(), m.notice_given, m.urgent_reason.as_str(), now, now, actor.name.as_str()],
                Some(p),
                "meeting",
                &format!(
                    "{} of {} on {} scheduled",
                    super::model::kind_label(&m.kind),
                    m.body_key,
                    m.date.format("%-d %B %Y")
                ),
                m,
            )
            .await?;
        ids.push(id);
    }
    tx.commit().await?;
    Ok(ids)
}

/// What the business unit may change about a scheduled meeting.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MeetingChange {
    pub date: NaiveDate,
    pub start_time: String,
    pub venue: String,
    pub status: MeetingStatus,
}

/// Move a meeting, change its time or venue, or cancel it; refused when the copy is stale.
pub async fn change(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    id: i64,
    expected_version: i64,
    c: &MeetingChange,
) -> StoreResult<Result<(), String>> {
    let Some(before) = get(db, p, id).await? else {
        return Ok(Err("This meeting no longer exists.".into()));
    };
    let mut tx = Tx::begin(db, actor).await?;
    let n = tx
        .update_versioned(
            &crate::store::Versioned::new("meetings", "meeting", p, id, expected_version),
            "meeting_date = $1, start_time = $2, venue = $3, status = $4",
            args![
                c.date,
                c.start_time.as_str(),
                c.venue.as_str(),
                c.status.as_str()
            ],
            &format!(
                "Meeting of {} on {} changed",
                before.body_key,
                before.date.format("%-d %B %Y")
            ),
            &MeetingChange {
                date: before.date,
                start_time: before.start_time.clone(),
                venue: before.venue.clone(),
                status: before.status,
            },
            c,
        )
        .await?;
    if let Err(stale) = n {
        drop(tx);
        return Ok(Err(stale.to_string()));
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// Publish a meeting for the public, or withdraw it.
pub async fn set_published(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    m: &Meeting,
    expected_version: i64,
    published: bool,
) -> StoreResult<Result<(), String>> {
    let mut tx = Tx::begin(db, actor).await?;
    let n = tx
        .update_versioned(
            &crate::store::Versioned::new("meetings", "meeting", p, m.id, expected_version),
            "published = $1",
            args![published],
            &format!(
                "Meeting of {} on {} {}",
                m.body_key,
                m.date.format("%-d %B %Y"),
                if published {
                    "published"
                } else {
                    "withdrawn from the public"
                }
            ),
            &serde_json::json!({"published": m.published}),
            &serde_json::json!({"published": published}),
        )
        .await?;
    if let Err(stale) = n {
        drop(tx);
        return Ok(Err(stale.to_string()));
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// A partnership's published meetings, newest first.
pub async fn published(db: &Db, p: PartnershipId) -> StoreResult<Vec<Meeting>> {
    db.fetch_all(
        Sql::join(&["SELECT ", COLUMNS, " FROM meetings WHERE partnership_id = $1 AND published = TRUE ORDER BY meeting_date DESC, id DESC"]),
        args![p],
    )
    .await?
    .iter()
    .map(meeting_of)
    .collect()
}

// ---- Agenda ----

crate::record! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct AgendaItem {
        pub id: i64,
        pub meeting_id: i64,
        pub body_key: String,
        pub position: i64,
        pub title: String,
        pub presenter: String,
        pub organisation: String,
        pub purpose: String,
        pub restricted: bool,
        pub minute_number: Option<i64>,
        pub minute_text: String,
        pub version: i64,
    }
}

fn item_of(r: &Row) -> StoreResult<AgendaItem> {
    <AgendaItem as crate::store::Record>::from_row(r)
}

const ITEM_COLUMNS: &str = <AgendaItem as crate::store::Record>::COLUMNS;

pub async fn agenda(db: &Db, p: PartnershipId, meeting_id: i64) -> StoreResult<Vec<AgendaItem>> {
    db.fetch_all(
        Sql::join(&[
            "SELECT ",
            ITEM_COLUMNS,
            " FROM agenda_items WHERE partnership_id = $1 AND meeting_id = $2 ORDER BY position",
        ]),
        args![p, meeting_id],
    )
    .await?
    .iter()
    .map(item_of)
    .collect()
}

pub async fn agenda_item(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Option<AgendaItem>> {
    db.fetch_optional(
        Sql::join(&[
            "SELECT ",
            ITEM_COLUMNS,
            " FROM agenda_items WHERE partnership_id = $1 AND id = $2",
        ]),
        args![p, id],
    )
    .await?
    .as_ref()
    .map(item_of)
    .transpose()
}

#[derive(Clone, Debug, Serialize)]
pub struct NewItem {
    pub title: String,
    pub presenter: String,
    pub organisation: String,
    pub purpose: String,
    pub restricted: bool,
}

pub async fn add_item(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    meeting_id: i64,
    item: &NewItem,
) -> StoreResult<i64> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let id = tx
        .insert(
            "INSERT INTO agenda_items (partnership_id, meeting_id, body_key, position, title, presenter, organisation, purpose, restricted, updated_at, updated_by) VALUES ($1, $2, (SELECT body_key FROM meetings WHERE id = $3), (SELECT COALESCE(MAX(position), 0) + 1 FROM agenda_items WHERE meeting_id = $4), $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            args![p, meeting_id, meeting_id, meeting_id, item.title.as_str(), item.presenter.as_str(), item.organisation.as_str(), item.purpose.as_str(), item.restricted, now, actor.name.as_str()],
            Some(p),
            "agenda-item",
            &format!("Agenda item added: {}", item.title),
            item,
        )
        .await?;
    super::index::items(&mut tx, p, Some(id)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Write the minute of an item. The first time an item is minuted it takes the next number in
/// its body's run of minutes (the run goes on across meetings: 86, 87, 88 ...). Two minutes of
/// one body saved at the same instant would take the same number: the second is refused by the
/// database's unique index and tried again with the next.
pub async fn save_minute(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    item: &AgendaItem,
    body_key: &str,
    expected_version: i64,
    text: &str,
) -> StoreResult<Result<i64, String>> {
    let mut tries = 0;
    loop {
        match save_minute_once(db, actor, p, item, body_key, expected_version, text).await {
            Err(e) if e.unique_violation() && tries < 20 => tries += 1,
            other => return other,
        }
    }
}

async fn save_minute_once(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    item: &AgendaItem,
    body_key: &str,
    expected_version: i64,
    text: &str,
) -> StoreResult<Result<i64, String>> {
    let mut tx = Tx::begin(db, actor).await?;
    let number = match item.minute_number {
        Some(n) => n,
        None => tx
            .fetch_optional(
                "SELECT COALESCE(MAX(minute_number), 0) + 1 AS n FROM agenda_items WHERE partnership_id = $1 AND body_key = $2",
                args![p, body_key],
            )
            .await?
            .map_or(Ok(1), |r| r.get("n"))?,
    };
    let n = tx
        .update_versioned(
            &crate::store::Versioned::new("agenda_items", "agenda-item", p, item.id, expected_version),
            "minute_text = $1, minute_number = $2",
            args![text, number],            &format!("Minute {number} written: {}", item.title),
            &serde_json::json!({"minute_number": item.minute_number, "minute_text": item.minute_text}),
            &serde_json::json!({"minute_number": number, "minute_text": text}),
        )
        .await?;
    if let Err(stale) = n {
        drop(tx);
        return Ok(Err(stale.to_string()));
    }
    super::index::items(&mut tx, p, Some(item.id)).await?;
    tx.commit().await?;
    Ok(Ok(number))
}

// ---- Attendance ----

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Attendance {
    pub id: i64,
    pub membership_key: String,
    pub name: String,
    pub organisation: String,
    pub partner_role: String,
    pub voting: bool,
    /// There without being a member (a minute-taker, say): shown apart, never counted.
    pub in_attendance: bool,
    pub status: Presence,
    pub deputy_name: String,
    pub confidentiality_signed: bool,
    pub version: i64,
}

pub async fn attendance(
    db: &Db,
    p: PartnershipId,
    meeting_id: i64,
) -> StoreResult<Vec<Attendance>> {
    db.fetch_all(
        "SELECT id, membership_key, name, organisation, partner_role, voting, in_attendance, status, deputy_name, confidentiality_signed, version FROM attendance WHERE partnership_id = $1 AND meeting_id = $2 ORDER BY in_attendance, id",
        args![p, meeting_id],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(Attendance {
            id: r.get("id")?,
            membership_key: r.get("membership_key")?,
            name: r.get("name")?,
            organisation: r.get("organisation")?,
            partner_role: r.get("partner_role")?,
            voting: r.get("voting")?,
            in_attendance: r.get("in_attendance")?,
            status: r.get("status")?,
            deputy_name: r.get("deputy_name")?,
            confidentiality_signed: r.get("confidentiality_signed")?,
            version: r.get("version")?,
        })
    })
    .collect()
}

/// Someone the meeting expects, from the body's memberships on the day.
#[derive(Clone, Debug, Serialize)]
pub struct Expected {
    pub membership_key: String,
    pub name: String,
    pub organisation: String,
    pub partner_role: String,
    pub voting: bool,
    pub in_attendance: bool,
}

/// The meeting's roll: everyone listed, then those expected who are not listed yet (not
/// recorded: no id, version 0). Reading it writes nothing; saving the form lists them.
pub async fn roll(
    db: &Db,
    p: PartnershipId,
    meeting_id: i64,
    expected: &[Expected],
) -> StoreResult<Vec<Attendance>> {
    let mut rows = attendance(db, p, meeting_id).await?;
    for e in expected {
        if !rows.iter().any(|r| r.membership_key == e.membership_key) {
            rows.push(Attendance {
                id: 0,
                membership_key: e.membership_key.clone(),
                name: e.name.clone(),
                organisation: e.organisation.clone(),
                partner_role: e.partner_role.clone(),
                voting: e.voting,
                in_attendance: e.in_attendance,
                status: Presence::Expected,
                deputy_name: String::new(),
                confidentiality_signed: false,
                version: 0,
            });
        }
    }
    Ok(rows)
}

/// List those expected who are not listed yet (a membership that began since is added).
pub async fn list_expected(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    meeting_id: i64,
    expected: &[Expected],
) -> StoreResult<usize> {
    let have = attendance(db, p, meeting_id).await?;
    let new: Vec<&Expected> = expected
        .iter()
        .filter(|e| !have.iter().any(|h| h.membership_key == e.membership_key))
        .collect();
    if new.is_empty() {
        return Ok(0);
    }
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    for e in &new {
        tx.insert(
            "INSERT INTO attendance (partnership_id, meeting_id, membership_key, name, organisation, partner_role, voting, in_attendance, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            args![p, meeting_id, e.membership_key.as_str(), e.name.as_str(), e.organisation.as_str(), e.partner_role.as_str(), e.voting, e.in_attendance, now, actor.name.as_str()],
            Some(p),
            "attendance",
            &format!("Expected at meeting {meeting_id}: {}", e.name),
            e,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(new.len())
}

/// One attendee's record as changed on the form.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AttendanceChange {
    pub id: i64,
    pub version: i64,
    pub status: Presence,
    pub deputy_name: String,
    pub confidentiality_signed: bool,
}

/// Save the attendance form: every changed row, or none when any row was changed meanwhile.
pub async fn save_attendance(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    meeting_id: i64,
    changes: &[AttendanceChange],
) -> StoreResult<Result<(), String>> {
    let before = attendance(db, p, meeting_id).await?;
    let mut tx = Tx::begin(db, actor).await?;
    for c in changes {
        let Some(b) = before.iter().find(|b| b.id == c.id) else {
            return Ok(Err(
                "The attendance list changed while you were editing it. Check it and save again."
                    .into(),
            ));
        };
        if b.status == c.status
            && b.deputy_name == c.deputy_name
            && b.confidentiality_signed == c.confidentiality_signed
        {
            continue;
        }
        let n = tx
            .update_versioned(
                &crate::store::Versioned::new("attendance", "attendance", p, c.id, c.version),
                "status = $1, deputy_name = $2, confidentiality_signed = $3",
                args![c.status.as_str(), c.deputy_name.as_str(), c.confidentiality_signed],                &format!("Attendance at meeting {meeting_id}: {} {}", b.name, c.status),
                &serde_json::json!({"status": b.status, "deputy_name": b.deputy_name, "confidentiality_signed": b.confidentiality_signed}),
                c,
            )
            .await?;
        if let Err(stale) = n {
            drop(tx);
            return Ok(Err(stale.to_string()));
        }
    }
    tx.commit().await?;
    Ok(Ok(()))
}

// ---- Declarations of interest ----

#[derive(Clone, Debug, Serialize)]
pub struct Declaration {
    pub agenda_item_id: i64,
    pub name: String,
    pub interest: String,
}

pub async fn declarations(
    db: &Db,
    p: PartnershipId,
    meeting_id: i64,
) -> StoreResult<Vec<Declaration>> {
    db.fetch_all(
        "SELECT agenda_item_id, name, interest FROM declarations WHERE partnership_id = $1 AND meeting_id = $2 ORDER BY id",
        args![p, meeting_id],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(Declaration {
            agenda_item_id: r.get("agenda_item_id")?,
            name: r.get("name")?,
            interest: r.get("interest")?,
        })
    })
    .collect()
}

pub async fn declare(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    meeting_id: i64,
    d: &Declaration,
) -> StoreResult<()> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    tx.insert(
        "INSERT INTO declarations (partnership_id, meeting_id, agenda_item_id, name, interest, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        args![p, meeting_id, d.agenda_item_id, d.name.as_str(), d.interest.as_str(), now, actor.name.as_str()],
        Some(p),
        "declaration",
        &format!("Interest declared by {}", d.name),
        d,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---- Decisions ----

#[derive(Clone, Debug, Serialize)]
pub struct Decision {
    pub id: i64,
    pub agenda_item_id: i64,
    pub text: String,
    pub method: String,
    pub outcome: String,
    pub votes_for: i64,
    pub votes_against: i64,
    pub abstentions: i64,
    pub dissent: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct VoteCast {
    pub membership_key: String,
    pub name: String,
    pub vote: String,
}

/// A decision's votes, written with it.
const VOTES: Children = Children {
    what: "votes",
    select: "SELECT membership_key, name, vote FROM votes WHERE partnership_id = $1 AND decision_id = $2 ORDER BY id",
    delete: "DELETE FROM votes WHERE partnership_id = $1 AND decision_id = $2",
    insert: "INSERT INTO votes (partnership_id, decision_id, membership_key, name, vote) VALUES ($1, $2, $3, $4, $5)",
};

impl Child for VoteCast {
    fn from_row(r: &Row) -> StoreResult<Self> {
        Ok(VoteCast {
            membership_key: r.get("membership_key")?,
            name: r.get("name")?,
            vote: r.get("vote")?,
        })
    }
    fn values(&self) -> Vec<crate::store::Value> {
        args![
            self.membership_key.as_str(),
            self.name.as_str(),
            self.vote.as_str()
        ]
    }
}

pub async fn decisions(db: &Db, p: PartnershipId, meeting_id: i64) -> StoreResult<Vec<Decision>> {
    db.fetch_all(
        "SELECT id, agenda_item_id, text, method, outcome, votes_for, votes_against, abstentions, dissent FROM decisions WHERE partnership_id = $1 AND meeting_id = $2 ORDER BY id",
        args![p, meeting_id],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(Decision {
            id: r.get("id")?,
            agenda_item_id: r.get("agenda_item_id")?,
            text: r.get("text")?,
            method: r.get("method")?,
            outcome: r.get("outcome")?,
            votes_for: r.get("votes_for")?,
            votes_against: r.get("votes_against")?,
            abstentions: r.get("abstentions")?,
            dissent: r.get("dissent")?,
        })
    })
    .collect()
}

pub async fn record_decision(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    meeting_id: i64,
    d: &Decision,
    votes: &[VoteCast],
) -> StoreResult<i64> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let id = tx
        .insert(
            "INSERT INTO decisions (partnership_id, meeting_id, agenda_item_id, text, method, outcome, votes_for, votes_against, abstentions, dissent, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            args![p, meeting_id, d.agenda_item_id, d.text.as_str(), d.method.as_str(), d.outcome.as_str(), d.votes_for, d.votes_against, d.abstentions, d.dissent.as_str(), now, actor.name.as_str()],
            Some(p),
            "decision",
            &format!("Decision recorded ({}): {}", d.outcome, d.text),
            d,
        )
        .await?;
    tx.replace_children(
        &VOTES,
        &RecordRef::new(Some(p), "decision", id),
        id,
        &format!("Votes recorded on the decision: {}", d.text),
        votes,
    )
    .await?;
    super::index::decisions(&mut tx, p, Some(id)).await?;
    tx.commit().await?;
    Ok(id)
}

// ---- Minutes ----

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Minutes {
    pub status: MinutesStatus,
    pub circulated_on: Option<NaiveDate>,
    pub approved_at: Option<i64>,
    pub amendments: String,
    pub version: i64,
}

pub async fn minutes(db: &Db, p: PartnershipId, meeting_id: i64) -> StoreResult<Minutes> {
    let r = db
        .fetch_optional(
            "SELECT status, circulated_on, approved_at, amendments, version FROM minutes WHERE partnership_id = $1 AND meeting_id = $2",
            args![p, meeting_id],
        )
        .await?;
    Ok(match r {
        Some(r) => Minutes {
            status: r.get("status")?,
            circulated_on: r.get("circulated_on")?,
            approved_at: r.get("approved_at")?,
            amendments: r.get("amendments")?,
            version: r.get("version")?,
        },
        None => Minutes {
            status: MinutesStatus::Draft,
            circulated_on: None,
            approved_at: None,
            amendments: String::new(),
            version: 0,
        },
    })
}

/// Move the minutes on: circulated, or approved at a later meeting with any amendments.
pub async fn set_minutes(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    meeting_id: i64,
    expected_version: i64,
    new: &Minutes,
) -> StoreResult<Result<(), String>> {
    let old = minutes(db, p, meeting_id).await?;
    if old.version != expected_version {
        return stale(
            db,
            "SELECT updated_by, updated_at FROM minutes WHERE partnership_id = $1 AND meeting_id = $2",
            p,
            meeting_id,
        )
        .await;
    }
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let record = RecordRef::new(Some(p), "minutes", meeting_id);
    let summary = format!("Minutes of meeting {meeting_id} {}", new.status);
    if old.version == 0 {
        tx.insert_keyed(
            "INSERT INTO minutes (status, circulated_on, approved_at, amendments, updated_at, updated_by, partnership_id, meeting_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            args![new.status.as_str(), new.circulated_on, new.approved_at, new.amendments.as_str(), now, actor.name.as_str(), p, meeting_id],
            &record,
            &summary,
            new,
        )
        .await?;
    } else {
        tx.update(
            "UPDATE minutes SET status = $1, circulated_on = $2, approved_at = $3, amendments = $4, updated_at = $5, updated_by = $6, version = version + 1 WHERE partnership_id = $7 AND meeting_id = $8",
            args![new.status.as_str(), new.circulated_on, new.approved_at, new.amendments.as_str(), now, actor.name.as_str(), p, meeting_id],
            &record,
            &summary,
            &old,
            new,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// Attendance at a body's meetings in a period, for the statistics: meetings not cancelled.
pub async fn attended(
    db: &Db,
    p: PartnershipId,
    body_key: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<super::model::Attended>> {
    db.fetch_all(
        "SELECT m.meeting_date, a.membership_key, a.name, a.organisation, a.status FROM attendance a JOIN meetings m ON m.id = a.meeting_id WHERE m.partnership_id = $1 AND m.body_key = $2 AND m.meeting_date >= $3 AND m.meeting_date <= $4 AND m.status <> 'cancelled' AND m.kind <> 'development' AND a.in_attendance = FALSE ORDER BY m.meeting_date, a.id",
        args![p, body_key, from, to],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(super::model::Attended {
            date: r.get("meeting_date")?,
            membership_key: r.get("membership_key")?,
            name: r.get("name")?,
            organisation: r.get("organisation")?,
            status: r.get("status")?,
        })
    })
    .collect()
}
