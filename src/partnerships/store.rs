//! Partnership records.

use chrono::{DateTime, Utc};

use crate::accounts::store::stale_message;
use crate::args;
use crate::store::{Db, PartnershipId, RecordRef, Row, StoreResult, Tx};
use crate::web::error::{AppError, AppResult};

crate::record! {
    #[derive(Clone, Debug)]
    pub struct Partnership {
        pub id: i64,
        pub slug: String,
        pub name: String,
        pub contact_email: String,
        pub worried_contact: String,
        pub version: i64,
        pub updated_at: DateTime<Utc>,
        pub updated_by: String,
    }
}

fn from_row(r: &Row) -> StoreResult<Partnership> {
    <Partnership as crate::store::Record>::from_row(r)
}

const COLS: &str = <Partnership as crate::store::Record>::COLUMNS;

pub async fn by_id(db: &Db, p: PartnershipId) -> StoreResult<Option<Partnership>> {
    db.fetch_optional(
        crate::store::Sql::join(&["SELECT ", COLS, " FROM partnerships WHERE id = $1"]),
        args![p],
    )
    .await?
    .map(|r| from_row(&r))
    .transpose()
}

pub async fn by_slug(db: &Db, slug: &str) -> StoreResult<Option<Partnership>> {
    db.fetch_optional(
        crate::store::Sql::join(&["SELECT ", COLS, " FROM partnerships WHERE slug = $1"]),
        args![slug],
    )
    .await?
    .map(|r| from_row(&r))
    .transpose()
}

/// Every partnership: for the host, and for the public list of published arrangements.
pub async fn all(db: &Db) -> StoreResult<Vec<Partnership>> {
    db.fetch_all(
        crate::store::Sql::join(&["SELECT ", COLS, " FROM partnerships ORDER BY name"]),
        args![],
    )
    .await?
    .iter()
    .map(from_row)
    .collect()
}

/// A slug: lower-case letters, digits and hyphens, as in the partnership's public address.
pub fn parse_slug(input: &str) -> Result<String, &'static str> {
    let s = input.trim().to_lowercase();
    if s.is_empty() {
        return Err("Enter a short name for the web address");
    }
    if s.len() > 40
        || !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        || s.starts_with('-')
        || s.ends_with('-')
    {
        return Err(
            "Short name must be 40 characters or fewer: lower-case letters, numbers and hyphens only",
        );
    }
    Ok(s)
}

pub fn parse_partnership_name(input: &str) -> Result<String, &'static str> {
    let s = input.trim();
    if s.is_empty() {
        return Err("Enter the partnership's name");
    }
    if s.chars().count() > 120 {
        return Err("Name must be 120 characters or fewer");
    }
    Ok(s.to_owned())
}

pub async fn create(tx: &mut Tx<'_>, slug: &str, name: &str) -> AppResult<PartnershipId> {
    let now = tx.now();
    let by = tx.actor().name.clone();
    let after = serde_json::json!({"slug": slug, "name": name});
    let id = tx
        .insert(
            "INSERT INTO partnerships (slug, name, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            args![slug, name, now, now, by],
            None,
            "partnership",
            &format!("Partnership {name} created"),
            &after,
        )
        .await
        .map_err(|e| if e.unique_violation() { AppError::Unprocessable("A partnership with that short name already exists".into()) } else { e.into() })?;
    Ok(PartnershipId(id))
}

/// The profile fields the business unit edits.
pub struct Profile {
    pub name: String,
    pub contact_email: String,
    pub worried_contact: String,
}

pub async fn update_profile(
    db: &Db,
    tx: &mut Tx<'_>,
    p: PartnershipId,
    expected_version: i64,
    new: &Profile,
) -> AppResult<()> {
    let before = by_id(db, p).await?.ok_or(AppError::NotFound)?;
    if before.version != expected_version {
        return Err(AppError::Conflict(stale_message(
            &before.updated_by,
            before.updated_at,
        )));
    }
    let mut after = before.clone();
    after.name = new.name.clone();
    after.contact_email = new.contact_email.clone();
    after.worried_contact = new.worried_contact.clone();
    after.version += 1;
    after.updated_at = tx.now();
    after.updated_by = tx.actor().name.clone();
    let n = tx
        .update(
            "UPDATE partnerships SET name = $1, contact_email = $2, worried_contact = $3, version = version + 1, updated_at = $4, updated_by = $5 WHERE id = $6 AND version = $7",
            args![after.name.as_str(), after.contact_email.as_str(), after.worried_contact.as_str(), after.updated_at, after.updated_by.as_str(), p, expected_version],
            &RecordRef::new(Some(p), "partnership", p.0),
            "Partnership details changed",
            &before,
            &after,
        )
        .await?;
    if n == 0 {
        let now = by_id(db, p).await?.ok_or(AppError::NotFound)?;
        return Err(AppError::Conflict(stale_message(
            &now.updated_by,
            now.updated_at,
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(parse_slug(" Plymouth "), Ok("plymouth".into()));
        assert_eq!(
            parse_slug("derby-derbyshire"),
            Ok("derby-derbyshire".into())
        );
        for bad in ["", "a b", "-x", "x-", "pl/ym", "ünïcode"] {
            assert!(parse_slug(bad).is_err(), "{bad}");
        }
    }
}
