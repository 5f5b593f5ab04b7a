//! What of the meetings can be found by search: each agenda item with its minute, each
//! decision and each paper, with the body and restriction that decide who may find it. The
//! write paths call these in their own transaction; `reindex` rebuilds a partnership's entries.

use crate::args;
use crate::store::{Actor, Db, PartnershipId, StoreResult, Tx};

// The statements' shared parts, as macros so that each statement is one static text.
macro_rules! upsert {
    () => {
        " ON CONFLICT (kind, record_id) DO UPDATE SET body_key = excluded.body_key, agenda_item_id = excluded.agenda_item_id, restricted = excluded.restricted, link = excluded.link, title = excluded.title, content = excluded.content, on_date = excluded.on_date"
    };
}
macro_rules! columns {
    () => {
        "INSERT INTO search_entries (partnership_id, kind, record_id, body_key, agenda_item_id, restricted, link, title, content, on_date) "
    };
}

/// An agenda item, or with `None` every item of the partnership.
pub async fn items(tx: &mut Tx<'_>, p: PartnershipId, only: Option<i64>) -> StoreResult<()> {
    const SQL: &str = concat!(
        columns!(),
        "SELECT i.partnership_id, 'agenda-item', i.id, i.body_key, i.id, i.restricted, '/meetings/items/' || i.id, i.title, CASE WHEN i.minute_number IS NULL THEN '' ELSE 'Minute ' || i.minute_number || '. ' END || i.minute_text || ' ' || i.presenter || ' ' || i.organisation, m.meeting_date FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id WHERE i.partnership_id = $1 AND ($2 = 0 OR i.id = $2)",
        upsert!()
    );
    tx.execute_plumbing(SQL, args![p, only.unwrap_or(0)])
        .await?;
    Ok(())
}

/// A decision, or every decision of the partnership.
pub async fn decisions(tx: &mut Tx<'_>, p: PartnershipId, only: Option<i64>) -> StoreResult<()> {
    const SQL: &str = concat!(
        columns!(),
        "SELECT d.partnership_id, 'decision', d.id, i.body_key, i.id, i.restricted, '/meetings/items/' || i.id, 'Decision: ' || i.title, d.text || ' ' || d.dissent, m.meeting_date FROM decisions d JOIN agenda_items i ON i.id = d.agenda_item_id JOIN meetings m ON m.id = d.meeting_id WHERE d.partnership_id = $1 AND ($2 = 0 OR d.id = $2)",
        upsert!()
    );
    tx.execute_plumbing(SQL, args![p, only.unwrap_or(0)])
        .await?;
    Ok(())
}

/// A paper, or every paper of the partnership.
pub async fn papers(tx: &mut Tx<'_>, p: PartnershipId, only: Option<i64>) -> StoreResult<()> {
    const SQL: &str = concat!(
        columns!(),
        "SELECT pa.partnership_id, 'paper', pa.id, i.body_key, i.id, i.restricted, '/meetings/items/' || i.id || '#papers', pa.title, 'Paper for ' || i.title, m.meeting_date FROM papers pa JOIN agenda_items i ON i.id = pa.agenda_item_id JOIN meetings m ON m.id = pa.meeting_id WHERE pa.partnership_id = $1 AND ($2 = 0 OR pa.id = $2)",
        upsert!()
    );
    tx.execute_plumbing(SQL, args![p, only.unwrap_or(0)])
        .await?;
    Ok(())
}

/// Rebuild every search entry of a partnership's meetings and actions (after a bulk load).
pub async fn reindex(db: &Db, p: PartnershipId) -> StoreResult<()> {
    let actor = Actor::system("search index");
    let mut tx = Tx::begin(db, &actor).await?;
    items(&mut tx, p, None).await?;
    decisions(&mut tx, p, None).await?;
    papers(&mut tx, p, None).await?;
    crate::actions::store::index(&mut tx, p, None).await?;
    tx.commit().await
}
