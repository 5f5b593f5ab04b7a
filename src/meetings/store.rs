//! Storage of meetings and a partnership's meeting rules. Every change goes through the
//! audited transaction; a stale edit is refused with who changed it and when.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::model::Rules;
use crate::accounts::store::stale_message;
use crate::args;
use crate::store::{Actor, Db, PartnershipId, RecordRef, Row, Sql, StoreResult, Tx};

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Meeting {
    pub id: i64,
    pub body_key: String,
    pub kind: String,
    pub date: NaiveDate,
    pub start_time: String,
    pub venue: String,
    pub status: String,
    pub notice_given: Option<NaiveDate>,
    pub urgent_reason: String,
    pub version: i64,
}

const COLUMNS: &str = "id, body_key, kind, meeting_date, start_time, venue, status, notice_given, urgent_reason, version";

fn meeting_of(r: &Row) -> StoreResult<Meeting> {
    Ok(Meeting {
        id: r.get("id")?,
        body_key: r.get("body_key")?,
        kind: r.get("kind")?,
        date: r.get("meeting_date")?,
        start_time: r.get("start_time")?,
        venue: r.get("venue")?,
        status: r.get("status")?,
        notice_given: r.get("notice_given")?,
        urgent_reason: r.get("urgent_reason")?,
        version: r.get("version")?,
    })
}

/// A partnership's rules and their version (0 while it uses the defaults).
pub async fn rules(db: &Db, p: PartnershipId) -> StoreResult<(Rules, i64)> {
    let Some(r) = db
        .fetch_optional(
            "SELECT agenda_items_before, reports_before, amendments_before, papers_before, minutes_after, disputes_after, extraordinary_notice, version FROM meeting_rules WHERE partnership_id = $1",
            args![p],
        )
        .await?
    else {
        return Ok((Rules::default(), 0));
    };
    Ok((
        Rules {
            agenda_items_before: r.get("agenda_items_before")?,
            reports_before: r.get("reports_before")?,
            amendments_before: r.get("amendments_before")?,
            papers_before: r.get("papers_before")?,
            minutes_after: r.get("minutes_after")?,
            disputes_after: r.get("disputes_after")?,
            extraordinary_notice: r.get("extraordinary_notice")?,
        },
        r.get("version")?,
    ))
}

/// Save the rules; `Err` with the reason when the copy was stale.
pub async fn save_rules(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    new: &Rules,
    expected_version: i64,
) -> StoreResult<Result<(), String>> {
    let (old, version) = rules(db, p).await?;
    if version != expected_version {
        return stale(
            db,
            "SELECT updated_by, updated_at FROM meeting_rules WHERE partnership_id = $1",
            p,
            0,
        )
        .await;
    }
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let record = RecordRef::new(Some(p), "meeting-rules", p.0);
    let values = args![
        new.agenda_items_before,
        new.reports_before,
        new.amendments_before,
        new.papers_before,
        new.minutes_after,
        new.disputes_after,
        new.extraordinary_notice,
        now,
        actor.name.as_str(),
        p
    ];
    if version == 0 {
        tx.insert_keyed(
            "INSERT INTO meeting_rules (agenda_items_before, reports_before, amendments_before, papers_before, minutes_after, disputes_after, extraordinary_notice, updated_at, updated_by, partnership_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            values,
            &record,
            "Meeting rules set",
            new,
        )
        .await?;
    } else {
        tx.update(
            "UPDATE meeting_rules SET agenda_items_before = $1, reports_before = $2, amendments_before = $3, papers_before = $4, minutes_after = $5, disputes_after = $6, extraordinary_notice = $7, updated_at = $8, updated_by = $9, version = version + 1 WHERE partnership_id = $10",
            values,
            &record,
            "Meeting rules changed",
            &old,
            new,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Ok(()))
}

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
                Sql::dynamic(format!("SELECT {COLUMNS} FROM meetings WHERE partnership_id = $1 AND meeting_date >= $2 AND meeting_date <= $3 AND body_key = $4 ORDER BY meeting_date, start_time, id")),
                args![p, from, to, b],
            )
            .await?
        }
        None => {
            db.fetch_all(
                Sql::dynamic(format!("SELECT {COLUMNS} FROM meetings WHERE partnership_id = $1 AND meeting_date >= $2 AND meeting_date <= $3 ORDER BY meeting_date, start_time, id")),
                args![p, from, to],
            )
            .await?
        }
    };
    rows.iter().map(meeting_of).collect()
}

pub async fn get(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Option<Meeting>> {
    db.fetch_optional(
        Sql::dynamic(format!(
            "SELECT {COLUMNS} FROM meetings WHERE partnership_id = $1 AND id = $2"
        )),
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
    pub status: String,
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
    let now = tx.now();
    let n = tx
        .update(
            "UPDATE meetings SET meeting_date = $1, start_time = $2, venue = $3, status = $4, version = version + 1, updated_at = $5, updated_by = $6 WHERE partnership_id = $7 AND id = $8 AND version = $9",
            args![c.date, c.start_time.as_str(), c.venue.as_str(), c.status.as_str(), now, actor.name.as_str(), p, id, expected_version],
            &RecordRef::new(Some(p), "meeting", id),
            &format!("Meeting of {} on {} changed", before.body_key, before.date.format("%-d %B %Y")),
            &MeetingChange {
                date: before.date,
                start_time: before.start_time.clone(),
                venue: before.venue.clone(),
                status: before.status.clone(),
            },
            c,
        )
        .await?;
    if n == 0 {
        drop(tx);
        return stale(
            db,
            "SELECT updated_by, updated_at FROM meetings WHERE partnership_id = $1 AND id = $2",
            p,
            id,
        )
        .await;
    }
    tx.commit().await?;
    Ok(Ok(()))
}
