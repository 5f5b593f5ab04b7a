//! A partnership's own working rules, in working days: when agenda items, reports, amendments
//! and papers are due before a meeting, minutes and disputes after it, the notice an
//! extraordinary meeting needs, whether a majority needs all three statutory partners, and
//! when an open action turns amber. Edited on the meetings' rules page; read by the meetings
//! and the tracker of actions.

use serde::Serialize;

use crate::accounts::store::stale_message;
use crate::args;
use crate::store::{Actor, Db, PartnershipId, RecordRef, StoreResult, Tx};

/// A partnership's rules for its meetings, in working days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rules {
    /// Agenda items may be submitted up to this many working days before (Portsmouth: two weeks).
    pub agenda_items_before: i64,
    /// Reports are due this many working days before (three weeks).
    pub reports_before: i64,
    /// Amendments to reports are due this many working days before (one week).
    pub amendments_before: i64,
    /// Papers go out this many working days before (one week).
    pub papers_before: i64,
    /// Minutes go out within this many working days after (two weeks).
    pub minutes_after: i64,
    /// Disputes to the minutes within this many working days of their circulation (two weeks).
    pub disputes_after: i64,
    /// Notice an extraordinary meeting needs, unless urgent (ten working days).
    pub extraordinary_notice: i64,
    /// A majority decision stands only if all three statutory partners are in the majority.
    pub majority_needs_all_partners: bool,
    /// An open action turns amber this many working days before it is due.
    pub amber_working_days: i64,
}

impl Default for Rules {
    /// Portsmouth's rules of operation, typical of partnerships.
    fn default() -> Self {
        Rules {
            agenda_items_before: 10,
            reports_before: 15,
            amendments_before: 5,
            papers_before: 5,
            minutes_after: 10,
            disputes_after: 10,
            extraordinary_notice: 10,
            majority_needs_all_partners: true,
            amber_working_days: 10,
        }
    }
}

/// A partnership's rules and their version (0 while it uses the defaults).
pub async fn rules(db: &Db, p: PartnershipId) -> StoreResult<(Rules, i64)> {
    let Some(r) = db
        .fetch_optional(
            "SELECT agenda_items_before, reports_before, amendments_before, papers_before, minutes_after, disputes_after, extraordinary_notice, majority_needs_all_partners, amber_working_days, version FROM meeting_rules WHERE partnership_id = $1",
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
            majority_needs_all_partners: r.get("majority_needs_all_partners")?,
            amber_working_days: r.get("amber_working_days")?,
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
        let r = db
            .fetch_optional(
                "SELECT updated_by, updated_at FROM meeting_rules WHERE partnership_id = $1",
                args![p],
            )
            .await?;
        return Ok(Err(match r {
            Some(r) => stale_message(&r.get::<String>("updated_by")?, r.get("updated_at")?),
            None => "These rules were changed while you were editing them.".to_owned(),
        }));
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
        new.majority_needs_all_partners,
        new.amber_working_days,
        now,
        actor.name.as_str(),
        p
    ];
    if version == 0 {
        tx.insert_keyed(
            "INSERT INTO meeting_rules (agenda_items_before, reports_before, amendments_before, papers_before, minutes_after, disputes_after, extraordinary_notice, majority_needs_all_partners, amber_working_days, updated_at, updated_by, partnership_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            values,
            &record,
            "Meeting rules set",
            new,
        )
        .await?;
    } else {
        tx.update(
            "UPDATE meeting_rules SET agenda_items_before = $1, reports_before = $2, amendments_before = $3, papers_before = $4, minutes_after = $5, disputes_after = $6, extraordinary_notice = $7, majority_needs_all_partners = $8, amber_working_days = $9, updated_at = $10, updated_by = $11, version = version + 1 WHERE partnership_id = $12",
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
