//! Who sees which body's records. A body's meetings, papers, minutes, decisions and actions are
//! for its members (the seats their account holds in the arrangements), the business unit and
//! the independent scrutineer; a restricted (part II) item is for the business unit and those
//! the chair names for it. Below the capabilities, so that the meetings, the tracker, search,
//! the audit trail, reviews and assurance all ask one place. This module keeps the seats
//! (`person_seats`) and the people named for restricted items (`restricted_readers`).

use crate::args;
use crate::store::{Actor, Db, PartnershipId, RecordRef, StoreResult, Tx};
use crate::web::error::{AppError, AppResult};
use crate::web::identity::Role;
use crate::web::viewer::Viewer;

/// What one person may see of the partnership's bodies.
#[derive(Clone, Debug)]
pub struct Sight {
    pub partnership: PartnershipId,
    /// Every body's records (the business unit, the scrutineer).
    pub all_bodies: bool,
    /// The bodies they sit on otherwise.
    pub bodies: Vec<String>,
    /// Every restricted item (the business unit).
    pub all_restricted: bool,
    pub user_id: Option<i64>,
    /// The restricted items the chair named them for.
    pub named_items: Vec<i64>,
}

impl Sight {
    pub async fn of(db: &Db, viewer: &Viewer) -> AppResult<Sight> {
        let p = viewer.tenant()?;
        let role = viewer.role();
        let user_id = viewer.user.as_ref().map(|u| u.id);
        let all_bodies = matches!(role, Some(Role::PartnershipAdmin | Role::Scrutineer));
        let all_restricted = role == Some(Role::PartnershipAdmin);
        let bodies = match (all_bodies, user_id) {
            (false, Some(u)) => bodies_of(db, p, u).await?,
            _ => Vec::new(),
        };
        let named_items = match (all_restricted, user_id) {
            (false, Some(u)) => named_items(db, p, u).await?,
            _ => Vec::new(),
        };
        Ok(Sight {
            partnership: p,
            all_bodies,
            bodies,
            all_restricted,
            user_id,
            named_items,
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

    /// Whether they may read an agenda item of a body: the body's, and for a restricted item,
    /// named for it.
    pub fn item(&self, body_key: &str, item_id: i64, restricted: bool) -> bool {
        self.body(body_key)
            && (!restricted || self.all_restricted || self.named_items.contains(&item_id))
    }

    /// What they may find in search.
    pub fn search_scope(&self) -> crate::store::search::Scope {
        crate::store::search::Scope {
            partnership: self.partnership,
            all_bodies: self.all_bodies,
            bodies: self.bodies.clone(),
            all_restricted: self.all_restricted,
            named_items: self.named_items.clone(),
        }
    }
}

// ---- Seats: which memberships of the arrangements a person's account holds ----

/// The memberships (by key) a person holds.
pub async fn seats_of(db: &Db, p: PartnershipId, user_id: i64) -> StoreResult<Vec<String>> {
    db.fetch_all(
        "SELECT membership_key FROM person_seats WHERE partnership_id = $1 AND user_id = $2 ORDER BY membership_key",
        args![p, user_id],
    )
    .await?
    .iter()
    .map(|r| r.get("membership_key"))
    .collect()
}

/// The bodies a person sits on, through their seats.
pub async fn bodies_of(db: &Db, p: PartnershipId, user_id: i64) -> StoreResult<Vec<String>> {
    let seats = seats_of(db, p, user_id).await?;
    crate::arrangements::store::bodies_of_memberships(db, p, &seats).await
}

/// Give a person exactly these seats, each added or removed seat in the audit trail.
pub async fn set_seats(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    user_id: i64,
    keys: &[String],
) -> StoreResult<()> {
    let have = seats_of(db, p, user_id).await?;
    let mut tx = Tx::begin(db, actor).await?;
    for k in keys.iter().filter(|k| !have.contains(k)) {
        tx.insert(
            "INSERT INTO person_seats (partnership_id, user_id, membership_key) VALUES ($1, $2, $3) RETURNING id",
            args![p, user_id, k.as_str()],
            Some(p),
            "person-seat",
            &format!("Person {user_id} given the seat {k}"),
            &serde_json::json!({"user_id": user_id, "membership_key": k}),
        )
        .await?;
    }
    for k in have.iter().filter(|k| !keys.contains(k)) {
        tx.delete(
            "DELETE FROM person_seats WHERE partnership_id = $1 AND user_id = $2 AND membership_key = $3",
            args![p, user_id, k.as_str()],
            &RecordRef::new(Some(p), "person-seat", user_id),
            &format!("Person {user_id} no longer holds the seat {k}"),
            &serde_json::json!({"user_id": user_id, "membership_key": k}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

// ---- Restricted items: whom the chair names to read each ----

/// The restricted items a person is named for.
pub async fn named_items(db: &Db, p: PartnershipId, user_id: i64) -> StoreResult<Vec<i64>> {
    db.fetch_all(
        "SELECT agenda_item_id FROM restricted_readers WHERE partnership_id = $1 AND user_id = $2 ORDER BY agenda_item_id",
        args![p, user_id],
    )
    .await?
    .iter()
    .map(|r| r.get("agenda_item_id"))
    .collect()
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

/// Someone named to read a restricted item (the images in the trail show who, by id).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Reader {
    pub user_id: i64,
    #[serde(skip)]
    pub named_at: chrono::DateTime<chrono::Utc>,
    #[serde(skip)]
    pub named_by: String,
}

/// The readers of a restricted item, replaced together.
const READERS: crate::store::Children = crate::store::Children {
    what: "readers",
    select: "SELECT user_id, named_at, named_by FROM restricted_readers WHERE partnership_id = $1 AND agenda_item_id = $2 ORDER BY user_id",
    delete: "DELETE FROM restricted_readers WHERE partnership_id = $1 AND agenda_item_id = $2",
    insert: "INSERT INTO restricted_readers (partnership_id, agenda_item_id, user_id, named_at, named_by) VALUES ($1, $2, $3, $4, $5)",
};

impl crate::store::Child for Reader {
    fn from_row(r: &crate::store::Row) -> StoreResult<Self> {
        Ok(Reader {
            user_id: r.get("user_id")?,
            named_at: r.get("named_at")?,
            named_by: r.get("named_by")?,
        })
    }
    fn values(&self) -> Vec<crate::store::Value> {
        args![self.user_id, self.named_at, self.named_by.as_str()]
    }
}

/// Name exactly these people (id, name) to read a restricted item (`title` for the trail), in
/// one audited change against the item.
pub async fn set_readers(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    item_id: i64,
    title: &str,
    users: &[(i64, String)],
) -> StoreResult<()> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let mut chosen: Vec<Reader> = users
        .iter()
        .map(|(u, _)| Reader {
            user_id: *u,
            named_at: now,
            named_by: actor.name.clone(),
        })
        .collect();
    chosen.sort_by_key(|r| r.user_id);
    chosen.dedup_by_key(|r| r.user_id);
    let names: Vec<&str> = users.iter().map(|(_, n)| n.as_str()).collect();
    tx.replace_children(
        &READERS,
        &RecordRef::new(Some(p), "agenda-item", item_id),
        item_id,
        &format!(
            "Named to read the restricted item \"{title}\": {}",
            if names.is_empty() {
                "nobody beyond the business unit".to_owned()
            } else {
                names.join(", ")
            }
        ),
        &chosen,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sight(all_bodies: bool, all_restricted: bool) -> Sight {
        Sight {
            partnership: PartnershipId(1),
            all_bodies,
            bodies: vec!["board".into()],
            all_restricted,
            user_id: Some(7),
            named_items: vec![42],
        }
    }

    #[test]
    fn restricted_items_are_read_by_those_named_or_the_business_unit() {
        let member = sight(false, false);
        assert!(member.item("board", 1, false));
        assert!(!member.item("other", 1, false), "another body");
        assert!(!member.item("board", 2, true), "restricted, not named");
        assert!(member.item("board", 42, true), "named");
        let scrutineer = sight(true, false);
        assert!(scrutineer.item("other", 1, false));
        assert!(!scrutineer.item("other", 2, true));
        assert!(sight(true, true).item("other", 2, true));
    }
}

/// Which of a statutory partner's posts may sign for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signs {
    /// The delegated partner only (a rapid review decision).
    Delegate,
    /// The lead safeguarding partner or their delegate (the thresholds document, which Working
    /// Together 2023 has the lead partners sign off).
    LeadOrDelegate,
}

/// The statutory partner roles a person signs for, through their seats: a seat whose post is a
/// partner's delegated (or lead) post today.
pub async fn partner_roles(
    db: &Db,
    p: PartnershipId,
    user_id: i64,
    signs: Signs,
) -> crate::web::error::AppResult<Vec<String>> {
    use crate::arrangements::{model as am, store as ast};
    let Some(a) = ast::load_as_at(db, p, crate::calendar::today()).await? else {
        return Ok(Vec::new());
    };
    let seats = seats_of(db, p, user_id).await?;
    let mut posts = Vec::new();
    for i in ast::items(db, p).await? {
        if i.kind == "membership" && seats.contains(&i.key) {
            let m: am::Membership = ast::decode(&i)?;
            posts.extend(m.post);
        }
    }
    let holds = |post: &Option<String>| post.as_ref().is_some_and(|d| posts.contains(d));
    Ok(a.statutory_partners
        .iter()
        .filter(|sp| holds(&sp.delegate) || (signs == Signs::LeadOrDelegate && holds(&sp.lead)))
        .map(|sp| sp.role.clone())
        .collect())
}
