//! Storage: the database connection over two engines, migrations, tenancy and the audit trail.
//!
//! Every change to a record goes through [`Tx`], whose write methods take the record's before
//! and after images and write the audit entry in the same transaction, so no capability has to
//! remember to audit and none can forget.

pub mod audit;
mod db;
mod lite;
pub mod migrate;
mod record;
pub mod sealed;
pub mod search;
pub mod secret;

pub use db::{
    Col, Db, DbOptions, Engine, Kind, Row, Sql, Statement, StoreError, StoreResult, Typed, Value,
    Word, ts_text,
};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::args;

/// A partnership's id: the tenant every domain row belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub struct PartnershipId(pub i64);

impl Typed for PartnershipId {
    const KIND: Kind = Kind::Int;
}

impl From<PartnershipId> for Value {
    fn from(p: PartnershipId) -> Self {
        Value::Int(p.0)
    }
}

/// Who is making a change, from where.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub ip: String,
    pub request_id: String,
}

impl Actor {
    /// Changes made by masa itself or from its command line.
    pub fn system(what: &str) -> Actor {
        Actor {
            user_id: None,
            name: what.to_owned(),
            ip: "local".to_owned(),
            request_id: String::new(),
        }
    }
}

/// What happened, as the audit trail names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
    /// A restricted record was read.
    Read,
    SignIn,
    SignInFailed,
    SignOut,
    LockedOut,
    PasswordChanged,
    TwoFactorEnabled,
    TokenUsed,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Read => "read",
            Action::SignIn => "sign-in",
            Action::SignInFailed => "sign-in-failed",
            Action::SignOut => "sign-out",
            Action::LockedOut => "locked-out",
            Action::PasswordChanged => "password-changed",
            Action::TwoFactorEnabled => "two-factor-enabled",
            Action::TokenUsed => "token-used",
        }
    }

    /// The action as the audit trail's reader is told it.
    pub fn words(self) -> &'static str {
        match self {
            Action::Create => "Added",
            Action::Update => "Changed",
            Action::Delete => "Removed",
            Action::Read => "Viewed",
            Action::SignIn => "Signed in",
            Action::SignInFailed => "Sign-in refused",
            Action::SignOut => "Signed out",
            Action::LockedOut => "Locked out",
            Action::PasswordChanged => "Password changed",
            Action::TwoFactorEnabled => "Two-factor authentication set up",
            Action::TokenUsed => "API token used",
        }
    }

    /// The words for an action as stored ("update"), or the stored word itself.
    pub fn words_for(stored: &str) -> String {
        Action::ALL
            .iter()
            .find(|a| a.as_str() == stored)
            .map_or_else(|| stored.to_owned(), |a| a.words().to_owned())
    }

    pub const ALL: [Action; 11] = [
        Action::Create,
        Action::Update,
        Action::Delete,
        Action::Read,
        Action::SignIn,
        Action::SignInFailed,
        Action::SignOut,
        Action::LockedOut,
        Action::PasswordChanged,
        Action::TwoFactorEnabled,
        Action::TokenUsed,
    ];
}

/// The record an audit entry is about.
#[derive(Clone, Debug)]
pub struct RecordRef {
    pub partnership: Option<PartnershipId>,
    pub record_type: &'static str,
    pub record_id: String,
}

impl RecordRef {
    pub fn new(partnership: Option<PartnershipId>, record_type: &'static str, id: i64) -> Self {
        RecordRef {
            partnership,
            record_type,
            record_id: id.to_string(),
        }
    }
}

fn to_json<T: Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Config(format!("cannot record change: {e}")))
}

const AUDIT_INSERT: &str = "INSERT INTO audit_events (partnership_id, at, actor_user_id, actor_name, ip, request_id, action, record_type, record_id, summary, before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

fn audit_args(
    actor: &Actor,
    at: DateTime<Utc>,
    action: Action,
    record: &RecordRef,
    summary: &str,
    before: Option<String>,
    after: Option<String>,
) -> Vec<Value> {
    args![
        record.partnership.map(|p| p.0),
        at,
        actor.user_id,
        actor.name.as_str(),
        actor.ip.as_str(),
        actor.request_id.as_str(),
        action.as_str(),
        record.record_type,
        record.record_id.as_str(),
        summary,
        before,
        after
    ]
}

/// Record an event that is not a change of a stored record: a sign-in, a failed sign-in, a
/// lockout, or the reading of a restricted record.
pub async fn record_event(
    db: &Db,
    actor: &Actor,
    action: Action,
    record: &RecordRef,
    summary: &str,
) -> StoreResult<()> {
    db.execute(
        AUDIT_INSERT,
        audit_args(actor, Utc::now(), action, record, summary, None, None),
    )
    .await?;
    Ok(())
}

/// A stored record declared once with [`crate::record!`]: its struct, its columns and how a
/// row reads as it.
pub trait Record: Sized {
    /// The columns, comma-separated, in the order of the struct's fields.
    const COLUMNS: &'static str;
    fn from_row(r: &Row) -> StoreResult<Self>;
}

/// A change refused because the copy it was made on was stale: who changed the record since,
/// and when (`None` when it is gone). Shown to people as "This was changed by ... at ...".
#[derive(Clone, Debug, PartialEq)]
pub struct Stale {
    pub changed: Option<(String, DateTime<Utc>)>,
}

/// The record a versioned change is to: its table (with `id`, `partnership_id`, `version`,
/// `updated_at` and `updated_by`), its id and the version the change was made on.
pub struct Versioned {
    pub table: &'static str,
    pub record_type: &'static str,
    pub partnership: PartnershipId,
    pub id: i64,
    pub version: i64,
    /// What else must hold for the change to apply, as static text (` AND issued_on IS NULL`).
    pub only_if: &'static str,
}

impl Versioned {
    /// The record `id` of `table` (`record_type` in the audit trail), as at `version`.
    pub fn new(
        table: &'static str,
        record_type: &'static str,
        partnership: PartnershipId,
        id: i64,
        version: i64,
    ) -> Versioned {
        Versioned {
            table,
            record_type,
            partnership,
            id,
            version,
            only_if: "",
        }
    }

    /// Only while this holds too (static text, ` AND published_on IS NULL`).
    pub fn only_if(self, condition: &'static str) -> Versioned {
        Versioned {
            only_if: condition,
            ..self
        }
    }
}

/// The rows that belong to a record, declared once with their static SQL: `select` reads the
/// set (`$1` the partnership, `$2` the parent), `delete` removes it, `insert` adds one row
/// (`$1`, `$2`, then the child's values).
pub struct Children {
    /// What they are called in the trail ("votes").
    pub what: &'static str,
    pub select: &'static str,
    pub delete: &'static str,
    pub insert: &'static str,
}

/// One of a record's children: read from a row, written as values after the parent's.
pub trait Child: Serialize + Sized {
    fn from_row(r: &Row) -> StoreResult<Self>;
    fn values(&self) -> Vec<Value>;
}

/// What plumbing may write, by the start of its statement: one-time links and recovery codes
/// used up, credentials (whose change is an audited event without the secret), the search
/// index, the threshold tool's anonymous record of use. Nothing else.
pub const PLUMBING: &[&str] = &[
    "UPDATE password_resets SET used_at",
    "UPDATE invitations SET accepted_at",
    "UPDATE users SET password_hash",
    "UPDATE users SET totp_secret",
    "DELETE FROM recovery_codes",
    "INSERT INTO recovery_codes",
    "INSERT INTO search_entries",
    "DELETE FROM search_entries",
    // The public threshold tool's anonymous record of use: an audit entry would hold the time
    // and the address that the record must not (migration 0015).
    "INSERT INTO threshold_uses",
    "INSERT INTO threshold_use_indicators",
];

fn is_plumbing(sql: &str) -> bool {
    let sql = sql.trim_start();
    PLUMBING.iter().any(|p| sql.starts_with(p))
}

/// A write transaction that audits every change it makes.
pub struct Tx<'a> {
    raw: db::RawTx,
    actor: &'a Actor,
    now: DateTime<Utc>,
}

impl<'a> Tx<'a> {
    pub async fn begin(db: &Db, actor: &'a Actor) -> StoreResult<Tx<'a>> {
        Ok(Tx {
            raw: db.begin().await?,
            actor,
            now: Utc::now(),
        })
    }

    /// The time this transaction stamps on what it writes.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub fn actor(&self) -> &Actor {
        self.actor
    }

    pub async fn fetch_all(
        &mut self,
        sql: impl Into<Sql>,
        args: Vec<Value>,
    ) -> StoreResult<Vec<Row>> {
        self.raw.fetch_all(sql, args).await
    }

    pub async fn fetch_optional(
        &mut self,
        sql: impl Into<Sql>,
        args: Vec<Value>,
    ) -> StoreResult<Option<Row>> {
        self.raw.fetch_optional(sql, args).await
    }

    async fn audit(
        &mut self,
        action: Action,
        record: &RecordRef,
        summary: &str,
        before: Option<String>,
        after: Option<String>,
    ) -> StoreResult<()> {
        let a = audit_args(self.actor, self.now, action, record, summary, before, after);
        self.raw.execute(AUDIT_INSERT, a).await?;
        Ok(())
    }

    /// Insert a record. `sql` ends in `RETURNING id`; `after` is the record as stored.
    pub async fn insert<T: Serialize>(
        &mut self,
        sql: impl Into<Sql>,
        args: Vec<Value>,
        partnership: Option<PartnershipId>,
        record_type: &'static str,
        summary: &str,
        after: &T,
    ) -> StoreResult<i64> {
        let row = self
            .raw
            .fetch_optional(sql, args)
            .await?
            .ok_or(StoreError::NotFound)?;
        let id: i64 = row.get("id")?;
        let after = to_json(after)?;
        let record = RecordRef::new(partnership, record_type, id);
        self.audit(Action::Create, &record, summary, None, Some(after))
            .await?;
        Ok(id)
    }

    /// Insert a record known by its own key (an arrangements entry such as
    /// `organisation:nhs-devon-icb`), so its creation is in the same history as its changes.
    pub async fn insert_keyed<T: Serialize>(
        &mut self,
        sql: impl Into<Sql>,
        args: Vec<Value>,
        record: &RecordRef,
        summary: &str,
        after: &T,
    ) -> StoreResult<u64> {
        let n = self.raw.execute(sql, args).await?;
        let after = to_json(after)?;
        self.audit(Action::Create, record, summary, None, Some(after))
            .await?;
        Ok(n)
    }

    /// Update a record. Returns the number of rows changed: zero means the record's version
    /// moved on (or it is gone), and nothing was written.
    pub async fn update<B: Serialize, A: Serialize>(
        &mut self,
        sql: impl Into<Sql>,
        args: Vec<Value>,
        record: &RecordRef,
        summary: &str,
        before: &B,
        after: &A,
    ) -> StoreResult<u64> {
        let n = self.raw.execute(sql, args).await?;
        if n > 0 {
            let (b, a) = (to_json(before)?, to_json(after)?);
            self.audit(Action::Update, record, summary, Some(b), Some(a))
                .await?;
        }
        Ok(n)
    }

    /// Delete a record.
    pub async fn delete<B: Serialize>(
        &mut self,
        sql: impl Into<Sql>,
        args: Vec<Value>,
        record: &RecordRef,
        summary: &str,
        before: &B,
    ) -> StoreResult<u64> {
        let n = self.raw.execute(sql, args).await?;
        if n > 0 {
            let b = to_json(before)?;
            self.audit(Action::Delete, record, summary, Some(b), None)
                .await?;
        }
        Ok(n)
    }

    /// An event inside this transaction that changes no record (a password change, say).
    pub async fn event(
        &mut self,
        action: Action,
        record: &RecordRef,
        summary: &str,
    ) -> StoreResult<()> {
        self.audit(action, record, summary, None, None).await
    }

    /// Change a versioned record: `set` is static text (`status = $1, due = $2`) for `values`;
    /// the version is stamped and the stale check made here, once for every record. `Ok(Err)`
    /// says who changed it first.
    #[allow(clippy::too_many_arguments)]
    pub async fn update_versioned<B: Serialize, A: Serialize>(
        &mut self,
        v: &Versioned,
        set: &'static str,
        values: Vec<Value>,
        summary: &str,
        before: &B,
        after: &A,
    ) -> StoreResult<Result<(), Stale>> {
        let mut q = Statement::new("UPDATE ", values);
        q.push(v.table)
            .push(" SET ")
            .push(set)
            .push(", version = version + 1, updated_at = ")
            .bind(self.now)
            .push(", updated_by = ")
            .bind(self.actor.name.as_str())
            .push(" WHERE partnership_id = ")
            .bind(v.partnership)
            .push(" AND id = ")
            .bind(v.id)
            .push(" AND version = ")
            .bind(v.version)
            .push(v.only_if);
        let (sql, args) = q.parts();
        let record = RecordRef::new(Some(v.partnership), v.record_type, v.id);
        if self
            .update(sql, args, &record, summary, before, after)
            .await?
            == 1
        {
            return Ok(Ok(()));
        }
        let now = self
            .raw
            .fetch_optional(
                Sql::join(&[
                    "SELECT updated_by, updated_at FROM ",
                    v.table,
                    " WHERE partnership_id = $1 AND id = $2",
                ]),
                args![v.partnership, v.id],
            )
            .await?;
        Ok(Err(Stale {
            changed: match now {
                Some(r) => Some((r.get("updated_by")?, r.get("updated_at")?)),
                None => None,
            },
        }))
    }

    /// Replace the rows that belong to a record (the votes of a decision, the answers of a rapid
    /// review, the readers of an item) with `new`: the old set is read inside this
    /// transaction, and one audit entry against the parent record holds both sets. Nothing is
    /// written (and nothing audited) when the sets are the same.
    pub async fn replace_children<C: Child>(
        &mut self,
        children: &Children,
        parent: &RecordRef,
        parent_id: i64,
        summary: &str,
        new: &[C],
    ) -> StoreResult<()> {
        let p: Value = parent.partnership.map(|p| p.0).into();
        let old = self
            .raw
            .fetch_all(children.select, vec![p.clone(), parent_id.into()])
            .await?
            .iter()
            .map(C::from_row)
            .collect::<StoreResult<Vec<C>>>()?;
        let (before, after) = (
            to_json(&serde_json::json!({ children.what: old }))?,
            to_json(&serde_json::json!({ children.what: new }))?,
        );
        if before == after {
            return Ok(());
        }
        self.raw
            .execute(children.delete, vec![p.clone(), parent_id.into()])
            .await?;
        for c in new {
            let mut a = vec![p.clone(), parent_id.into()];
            a.extend(c.values());
            self.raw.execute(children.insert, a).await?;
        }
        self.audit(Action::Update, parent, summary, Some(before), Some(after))
            .await
    }

    /// Writes that are not records but must happen in the same transaction as an audited
    /// change: a one-time link or recovery code used, a credential set (the change itself is
    /// an audited event; the secret never enters the trail), the search index. Only the
    /// statements [`PLUMBING`] names are taken; a domain table is refused.
    pub(crate) async fn execute_plumbing(
        &mut self,
        sql: &'static str,
        args: Vec<Value>,
    ) -> StoreResult<u64> {
        if !is_plumbing(sql) {
            return Err(StoreError::Config(format!(
                "not plumbing, so it must be an audited write: {sql}"
            )));
        }
        self.raw.execute(sql, args).await
    }

    /// As [`Tx::execute_plumbing`], for an insert ending `RETURNING id`: the new row's id.
    pub(crate) async fn insert_plumbing(
        &mut self,
        sql: &'static str,
        args: Vec<Value>,
    ) -> StoreResult<i64> {
        if !is_plumbing(sql) {
            return Err(StoreError::Config(format!(
                "not plumbing, so it must be an audited write: {sql}"
            )));
        }
        self.raw
            .fetch_optional(sql, args)
            .await?
            .ok_or(StoreError::NotFound)?
            .get("id")
    }

    /// The demo's made-up content (its cases, and years of history for the benchmark), written
    /// in bulk without an audit entry per row: nobody did it. Only `demo.rs` calls it
    /// (`tests/it/layers.rs` checks).
    pub async fn execute_seed(&mut self, sql: &'static str, args: Vec<Value>) -> StoreResult<u64> {
        self.raw.execute(sql, args).await
    }

    pub async fn commit(self) -> StoreResult<()> {
        self.raw.commit().await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn plumbing_takes_only_what_it_names() {
        assert!(super::is_plumbing(
            "UPDATE password_resets SET used_at = $1 WHERE id = $2"
        ));
        assert!(super::is_plumbing(
            "  INSERT INTO search_entries (x) VALUES ($1)"
        ));
        for domain in [
            "INSERT INTO votes (decision_id) VALUES ($1)",
            "DELETE FROM review_answers WHERE case_id = $1",
            "UPDATE users SET name = $1",
            "UPDATE actions SET status = $1",
        ] {
            assert!(!super::is_plumbing(domain), "{domain}");
        }
    }
}
