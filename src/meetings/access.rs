//! Who sees what of a partnership's meetings, through [`crate::access`]: papers, minutes and
//! decisions for the body's members, the business unit and the independent scrutineer; a
//! restricted (part II) item for the business unit and those the chair names for it. Every view
//! of a restricted item or paper is in the audit trail.

use super::store::AgendaItem;
use crate::state::AppState;
use crate::store::{Action, Db, PartnershipId, RecordRef, StoreResult, record_event};
use crate::web::error::{AppError, AppResult};
use crate::web::viewer::Viewer;

pub use crate::access::Sight;

/// Whether a person may read an agenda item: its body's, and for a restricted item, named for it.
pub fn may_read(sight: &Sight, item: &AgendaItem) -> bool {
    sight.item(&item.body_key, item.id, item.restricted)
}

/// The audit trail's entries about restricted items this person may not read (the item,
/// its decisions, papers and their files, the actions from its minute and their evidence,
/// attachments and files alike):
/// listed to them, their content withheld. `None` for the business unit, who reads them all.
pub fn hidden_in_audit(sight: &Sight) -> Option<crate::store::audit::Hidden> {
    if sight.all_restricted {
        return None;
    }
    let (p, named) = (sight.partnership, sight.named_items.clone());
    Some(crate::store::audit::Hidden::new(move |q| {
        // The restricted items they are not named for.
        let items = |q: &mut crate::store::Statement| {
            q.push("SELECT i.id FROM agenda_items i WHERE i.partnership_id = ")
                .bind(p)
                .push(" AND i.restricted = TRUE");
            if !named.is_empty() {
                q.push(" AND i.id NOT IN (")
                    .bind_list(named.iter().copied())
                    .push(")");
            }
        };
        let actions = |q: &mut crate::store::Statement| {
            q.push("SELECT a.id FROM actions a WHERE a.partnership_id = ")
                .bind(p)
                .push(" AND a.source_kind = 'minute' AND a.source_id IN (");
            items(q);
            q.push(")");
        };
        q.push("((record_type = 'agenda-item' AND record_id IN (SELECT CAST(x.id AS TEXT) FROM (");
        items(q);
        q.push(") x)) OR (record_type = 'decision' AND record_id IN (SELECT CAST(d.id AS TEXT) FROM decisions d WHERE d.agenda_item_id IN (");
        items(q);
        q.push("))) OR (record_type = 'paper' AND record_id IN (SELECT CAST(pp.id AS TEXT) FROM papers pp WHERE pp.agenda_item_id IN (");
        items(q);
        q.push("))) OR (record_type = 'action' AND record_id IN (SELECT CAST(x.id AS TEXT) FROM (");
        actions(q);
        q.push(") x)) OR (record_type = 'file' AND (record_id IN (SELECT CAST(v.file_id AS TEXT) FROM paper_versions v JOIN papers pp ON pp.id = v.paper_id WHERE pp.agenda_item_id IN (");
        items(q);
        q.push(")) OR record_id IN (SELECT CAST(e.file_id AS TEXT) FROM attachments e WHERE e.record_type = 'action' AND e.record_id IN (");
        actions(q);
        q.push(")))) OR (record_type = 'attachment' AND record_id IN (SELECT CAST(e.id AS TEXT) FROM attachments e WHERE e.record_type = 'action' AND e.record_id IN (");
        actions(q);
        q.push("))))");
    }))
}

/// Let a person read an item, or refuse it as not found; a restricted item's reading is in the
/// audit trail as `what` (say "Restricted item viewed") and the item's title.
pub async fn read_item(
    st: &AppState,
    viewer: &Viewer,
    sight: &Sight,
    item: &AgendaItem,
    what: &str,
) -> AppResult<()> {
    if !may_read(sight, item) {
        return Err(AppError::NotFound);
    }
    if item.restricted {
        record_event(
            &st.db,
            &viewer.actor(),
            Action::Read,
            &RecordRef::new(Some(sight.partnership), "agenda-item", item.id),
            &format!("{what}: {}", item.title),
        )
        .await?;
    }
    Ok(())
}

/// Who the chair has named to read a restricted item.
pub async fn readers(db: &Db, p: PartnershipId, item_id: i64) -> StoreResult<Vec<i64>> {
    crate::access::readers(db, p, item_id).await
}

/// Name exactly these people to read a restricted item, in one audited change.
pub async fn set_readers(
    db: &Db,
    actor: &crate::store::Actor,
    p: PartnershipId,
    item: &AgendaItem,
    users: &[(i64, String)],
) -> StoreResult<()> {
    crate::access::set_readers(db, actor, p, item.id, &item.title, users).await
}
