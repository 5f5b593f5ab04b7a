//! Who sees what of a partnership's meetings. Papers, minutes and decisions are for the body's
//! members (the seats they hold), the business unit and the independent scrutineer; a
//! restricted (part II) item is for the business unit and those the chair names for it. Every
//! view of a restricted item or paper is in the audit trail.

use super::store::AgendaItem;
use crate::accounts::model::Role;
use crate::args;
use crate::state::AppState;
use crate::store::{Action, Db, PartnershipId, RecordRef, StoreResult, Tx, record_event, search};
use crate::web::error::{AppError, AppResult};
use crate::web::viewer::Viewer;

/// What one person may see of the partnership's meetings.
#[derive(Clone, Debug)]
pub struct Sight {
    pub partnership: PartnershipId,
    pub all_bodies: bool,
    pub bodies: Vec<String>,
    pub all_restricted: bool,
    pub user_id: Option<i64>,
}

impl Sight {
    pub async fn of(db: &Db, viewer: &Viewer) -> AppResult<Sight> {
        let p = viewer.tenant()?;
        let role = viewer.role();
        let user_id = viewer.user.as_ref().map(|u| u.id);
        let all_bodies = matches!(role, Some(Role::PartnershipAdmin | Role::Scrutineer));
        let bodies = match (all_bodies, user_id) {
            (false, Some(u)) => super::people::bodies_of(db, p, u).await?,
            _ => Vec::new(),
        };
        Ok(Sight {
            partnership: p,
            all_bodies,
            bodies,
            all_restricted: role == Some(Role::PartnershipAdmin),
            user_id,
        })
    }

    /// Whether they may see a body's meetings, papers and minutes.
    pub fn body(&self, key: &str) -> bool {
        self.all_bodies || self.bodies.iter().any(|b| b == key)
    }

    /// Refuse, as if it were not there, a body they may not see.
    pub fn require_body(&self, key: &str) -> AppResult<()> {
        if self.body(key) {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Whether they may read an item: its body's, and for a restricted item, named for it.
    pub async fn item(&self, db: &Db, item: &AgendaItem) -> StoreResult<bool> {
        if !self.body(&item.body_key) {
            return Ok(false);
        }
        if !item.restricted || self.all_restricted {
            return Ok(true);
        }
        let Some(u) = self.user_id else {
            return Ok(false);
        };
        Ok(db
            .fetch_optional(
                "SELECT id FROM restricted_readers WHERE partnership_id = $1 AND agenda_item_id = $2 AND user_id = $3",
                args![self.partnership, item.id, u],
            )
            .await?
            .is_some())
    }

    /// The actions they may see: all for the business unit, else as `Within` says.
    pub fn actions_within(&self) -> Option<crate::actions::store::Within> {
        if self.all_restricted {
            return None;
        }
        Some(crate::actions::store::Within {
            all_bodies: self.all_bodies,
            bodies: self.bodies.clone(),
            user_id: self.user_id.unwrap_or(0),
        })
    }

    /// The audit trail's entries about restricted items this person may not read (the item,
    /// its decisions, papers and their files, the actions from its minute and their evidence):
    /// listed to them, their content withheld. `None` for the business unit, who reads them all.
    pub fn hidden_in_audit(&self) -> Option<crate::store::audit::Hidden> {
        if self.all_restricted {
            return None;
        }
        let items = "SELECT i.id FROM agenda_items i WHERE i.partnership_id = #1 AND i.restricted = TRUE AND NOT EXISTS (SELECT 1 FROM restricted_readers r WHERE r.agenda_item_id = i.id AND r.user_id = #2)";
        let actions = format!(
            "SELECT a.id FROM actions a WHERE a.partnership_id = #1 AND a.source_kind = 'minute' AND a.source_id IN ({items})"
        );
        let condition = format!(
            "(record_type = 'agenda-item' AND record_id IN (SELECT CAST(x.id AS TEXT) FROM ({items}) x)) \
             OR (record_type = 'decision' AND record_id IN (SELECT CAST(d.id AS TEXT) FROM decisions d WHERE d.agenda_item_id IN ({items}))) \
             OR (record_type = 'paper' AND record_id IN (SELECT CAST(pp.id AS TEXT) FROM papers pp WHERE pp.agenda_item_id IN ({items}))) \
             OR (record_type = 'action' AND record_id IN (SELECT CAST(x.id AS TEXT) FROM ({actions}) x)) \
             OR (record_type = 'file' AND (record_id IN (SELECT CAST(v.file_id AS TEXT) FROM paper_versions v JOIN papers pp ON pp.id = v.paper_id WHERE pp.agenda_item_id IN ({items})) \
                 OR record_id IN (SELECT CAST(e.file_id AS TEXT) FROM action_evidence e WHERE e.action_id IN ({actions}))))"
        );
        Some(crate::store::audit::Hidden {
            condition,
            args: crate::args![self.partnership, self.user_id.unwrap_or(0)],
        })
    }

    pub fn search_scope(&self) -> search::Scope {
        search::Scope {
            partnership: self.partnership,
            all_bodies: self.all_bodies,
            bodies: self.bodies.clone(),
            all_restricted: self.all_restricted,
            user_id: self.user_id,
        }
    }
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
    if !sight.item(&st.db, item).await? {
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
    db.fetch_all(
        "SELECT user_id FROM restricted_readers WHERE partnership_id = $1 AND agenda_item_id = $2 ORDER BY user_id",
        args![p, item_id],
    )
    .await?
    .iter()
    .map(|r| r.get("user_id"))
    .collect()
}

/// Name exactly these people to read a restricted item, in one audited change.
pub async fn set_readers(
    db: &Db,
    actor: &crate::store::Actor,
    p: PartnershipId,
    item: &AgendaItem,
    users: &[(i64, String)],
) -> StoreResult<()> {
    let before = readers(db, p, item.id).await?;
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    tx.execute_plumbing(
        "DELETE FROM restricted_readers WHERE partnership_id = $1 AND agenda_item_id = $2",
        args![p, item.id],
    )
    .await?;
    for (u, _) in users {
        tx.execute_plumbing(
            "INSERT INTO restricted_readers (partnership_id, agenda_item_id, user_id, named_at, named_by) VALUES ($1, $2, $3, $4, $5)",
            args![p, item.id, *u, now, actor.name.as_str()],
        )
        .await?;
    }
    let names: Vec<&str> = users.iter().map(|(_, n)| n.as_str()).collect();
    tx.update(
        "UPDATE agenda_items SET updated_at = updated_at WHERE id = $1",
        args![item.id],
        &RecordRef::new(Some(p), "agenda-item", item.id),
        &format!(
            "Named to read the restricted item \"{}\": {}",
            item.title,
            if names.is_empty() {
                "nobody beyond the business unit".to_owned()
            } else {
                names.join(", ")
            }
        ),
        &before,
        &users.iter().map(|(u, _)| *u).collect::<Vec<_>>(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
