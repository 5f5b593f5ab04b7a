//! Who may read a case: its body's members, the partners' delegates, the business unit and
//! the scrutineer; every reading recorded.

use super::*;

/// The statutory partner roles a person is the delegate of (`access::partner_roles`).
pub async fn delegate_roles(db: &Db, p: PartnershipId, user_id: i64) -> AppResult<Vec<String>> {
    crate::access::partner_roles(db, p, user_id, crate::access::Signs::Delegate).await
}

/// What one person may read of the partnership's cases.
pub struct CaseSight {
    all: bool,
    bodies: Vec<String>,
}

impl CaseSight {
    pub async fn of(db: &Db, viewer: &Viewer) -> AppResult<CaseSight> {
        let p = viewer.tenant()?;
        // The business unit and the independent scrutineer; the partners' delegates.
        let mut all = matches!(
            viewer.role(),
            Some(Role::PartnershipAdmin | Role::Scrutineer)
        );
        let mut bodies = Vec::new();
        if let (false, Some(u)) = (all, viewer.user.as_ref()) {
            all = !delegate_roles(db, p, u.id).await?.is_empty();
            bodies = crate::access::bodies_of(db, p, u.id).await?;
        }
        Ok(CaseSight { all, bodies })
    }

    /// The case review body's members read its cases.
    pub fn case(&self, c: &Case) -> bool {
        self.all || (!c.body_key.is_empty() && self.bodies.contains(&c.body_key))
    }
}

/// A case the person may read, its reading in the audit trail; otherwise not found.
pub async fn read(st: &AppState, viewer: &Viewer, id: i64) -> AppResult<Case> {
    let p = viewer.tenant()?;
    let c = get(&st.db, p, id).await?.ok_or(AppError::NotFound)?;
    if !CaseSight::of(&st.db, viewer).await?.case(&c) {
        return Err(AppError::NotFound);
    }
    crate::store::record_event(
        &st.db,
        &viewer.actor(),
        Action::Read,
        &RecordRef::new(Some(p), "review-case", c.id),
        &format!("Case viewed: {}", c.pseudonym),
    )
    .await?;
    Ok(c)
}
