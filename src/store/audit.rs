//! Reading the audit trail, always within one partnership (it is written by [`super::Tx`] and
//! [`super::record_event`]; nothing changes it).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Db, PartnershipId, Row, Statement, StoreResult};

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub ip: String,
    pub request_id: String,
    pub action: String,
    pub record_type: String,
    pub record_id: String,
    pub summary: String,
    /// The record before the change, as JSON text.
    pub before_json: Option<String>,
    /// The record after the change, as JSON text.
    pub after_json: Option<String>,
    /// The entry is about a record the reader may not read (a restricted item, say): it is
    /// listed, but its summary and record are withheld.
    pub withheld: bool,
}

/// What a reader is told in place of an entry they may not read.
pub const WITHHELD: &str = "An entry about a record you may not read: its content is not shown";

/// Which entries a reader may see only the outline of (who, when, what kind of change to what
/// record): a condition on `audit_events`, written into the statement by the capability that
/// owns the records.
pub struct Hidden(Box<dyn Fn(&mut Statement) + Send + Sync>);

impl Hidden {
    pub fn new(condition: impl Fn(&mut Statement) + Send + Sync + 'static) -> Hidden {
        Hidden(Box::new(condition))
    }
}

impl std::fmt::Debug for Hidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hidden(..)")
    }
}

/// The `hidden` column.
fn hidden_column(hide: Option<&Hidden>, q: &mut Statement) {
    match hide {
        None => {
            q.push(", CAST(0 AS BIGINT) AS hidden");
        }
        Some(h) => {
            q.push(", CAST(CASE WHEN ");
            (h.0)(q);
            q.push(" THEN 1 ELSE 0 END AS BIGINT) AS hidden");
        }
    }
}

fn from_row(r: &Row) -> StoreResult<AuditEntry> {
    let withheld = r.get::<i64>("hidden")? != 0;
    let content =
        |c: &str| -> StoreResult<Option<String>> { Ok(if withheld { None } else { r.get(c)? }) };
    Ok(AuditEntry {
        id: r.get("id")?,
        at: r.get("at")?,
        actor_user_id: r.get("actor_user_id")?,
        actor_name: r.get("actor_name")?,
        ip: r.get("ip")?,
        request_id: r.get("request_id")?,
        action: r.get("action")?,
        record_type: r.get("record_type")?,
        record_id: r.get("record_id")?,
        summary: if withheld {
            WITHHELD.to_owned()
        } else {
            r.get("summary")?
        },
        before_json: content("before_json")?,
        after_json: content("after_json")?,
        withheld,
    })
}

/// What to look for. Empty fields do not filter.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub person: Option<i64>,
    pub action: Option<String>,
    pub from: Option<NaiveDate>,
    /// Inclusive: the whole of this day.
    pub to: Option<NaiveDate>,
}

/// `FROM audit_events` and the filter's conditions, on `q`.
fn filter_sql(p: PartnershipId, f: &Filter, q: &mut Statement) {
    q.push(" FROM audit_events WHERE partnership_id = ").bind(p);
    if let Some(t) = &f.record_type {
        q.push(" AND record_type = ").bind(t.as_str());
    }
    if let Some(id) = &f.record_id {
        q.push(" AND record_id = ").bind(id.as_str());
    }
    if let Some(u) = f.person {
        q.push(" AND actor_user_id = ").bind(u);
    }
    if let Some(a) = &f.action {
        q.push(" AND action = ").bind(a.as_str());
    }
    if let Some(d) = f.from.and_then(|d| d.and_hms_opt(0, 0, 0)) {
        q.push(" AND at >= ").bind(d.and_utc());
    }
    if let Some(d) =
        f.to.and_then(|d| d.succ_opt())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    {
        q.push(" AND at < ").bind(d.and_utc());
    }
}

/// Entries a filter picks, newest first, and how many it picks in all; those `hide` names
/// come withheld.
pub async fn search(
    db: &Db,
    p: PartnershipId,
    f: &Filter,
    hide: Option<&Hidden>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<AuditEntry>, i64)> {
    let mut count = Statement::new("SELECT COUNT(*) AS n", vec![]);
    filter_sql(p, f, &mut count);
    let (sql, args) = count.parts();
    let total: i64 = db.fetch_one(sql, args).await?.get("n")?;
    let mut q = Statement::new("SELECT *", vec![]);
    hidden_column(hide, &mut q);
    filter_sql(p, f, &mut q);
    q.push(" ORDER BY id DESC LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    let (sql, args) = q.parts();
    let rows = db.fetch_all(sql, args).await?;
    Ok((
        rows.iter().map(from_row).collect::<StoreResult<_>>()?,
        total,
    ))
}

pub async fn entry(
    db: &Db,
    p: PartnershipId,
    id: i64,
    hide: Option<&Hidden>,
) -> StoreResult<Option<AuditEntry>> {
    let mut q = Statement::new("SELECT *", vec![]);
    hidden_column(hide, &mut q);
    q.push(" FROM audit_events WHERE partnership_id = ")
        .bind(p)
        .push(" AND id = ")
        .bind(id);
    let (sql, args) = q.parts();
    db.fetch_optional(sql, args)
        .await?
        .map(|r| from_row(&r))
        .transpose()
}

/// The record types that appear in a partnership's trail, for the filter.
pub async fn record_types(db: &Db, p: PartnershipId) -> StoreResult<Vec<String>> {
    db.fetch_all("SELECT DISTINCT record_type FROM audit_events WHERE partnership_id = $1 ORDER BY record_type", crate::args![p])
        .await?
        .iter()
        .map(|r| r.get("record_type"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_number_their_parameters() {
        let f = Filter {
            record_type: Some("membership".into()),
            person: Some(3),
            to: NaiveDate::from_ymd_opt(2026, 11, 24),
            ..Filter::default()
        };
        let mut q = Statement::new("SELECT *", vec![]);
        filter_sql(PartnershipId(1), &f, &mut q);
        assert!(
            q.text()
                .ends_with("AND record_type = $2 AND actor_user_id = $3 AND at < $4"),
            "{}",
            q.text()
        );
        assert_eq!(q.bound(), 4);
    }
}
