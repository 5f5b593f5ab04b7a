//! Reading the audit trail, always within one partnership (it is written by [`super::Tx`] and
//! [`super::record_event`]; nothing changes it).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Db, PartnershipId, Row, Sql, StoreResult, Value};

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
/// record): a condition on `audit_events`, written by the capability that owns the records,
/// with its values. Placeholders are `#1`, `#2`, ... for `args` in order.
#[derive(Clone, Debug)]
pub struct Hidden {
    pub condition: String,
    pub args: Vec<Value>,
}

/// The `hidden` column for a query whose arguments so far are `args`.
fn hidden_column(hide: Option<&Hidden>, args: &mut Vec<Value>) -> String {
    let Some(h) = hide else {
        return ", CAST(0 AS BIGINT) AS hidden".to_owned();
    };
    let mut cond = h.condition.clone();
    // Highest first, so #1 does not eat the start of #12.
    for i in (1..=h.args.len()).rev() {
        cond = cond.replace(&format!("#{i}"), &format!("${}", args.len() + i));
    }
    args.extend(h.args.iter().cloned());
    format!(", CAST(CASE WHEN {cond} THEN 1 ELSE 0 END AS BIGINT) AS hidden")
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

fn where_clause(p: PartnershipId, f: &Filter) -> (String, Vec<Value>) {
    let mut sql = String::from(" FROM audit_events WHERE partnership_id = $1");
    let mut args: Vec<Value> = vec![p.into()];
    let mut add = |cond: &str, v: Value| {
        args.push(v);
        sql.push_str(&format!(" AND {cond} ${}", args.len()));
    };
    if let Some(t) = &f.record_type {
        add("record_type =", t.clone().into());
    }
    if let Some(id) = &f.record_id {
        add("record_id =", id.clone().into());
    }
    if let Some(u) = f.person {
        add("actor_user_id =", u.into());
    }
    if let Some(a) = &f.action {
        add("action =", a.clone().into());
    }
    if let Some(d) = f.from.and_then(|d| d.and_hms_opt(0, 0, 0)) {
        add("at >=", d.and_utc().into());
    }
    if let Some(d) =
        f.to.and_then(|d| d.succ_opt())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    {
        add("at <", d.and_utc().into());
    }
    (sql, args)
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
    let (w, mut args) = where_clause(p, f);
    let total: i64 = db
        .fetch_one(
            Sql::dynamic(format!("SELECT COUNT(*) AS n{w}")),
            args.clone(),
        )
        .await?
        .get("n")?;
    // The hidden column's placeholders are numbered after the filter's, the limit's after both.
    let hidden = hidden_column(hide, &mut args);
    let n = args.len();
    args.push(limit.into());
    args.push(offset.into());
    let rows = db
        .fetch_all(
            Sql::dynamic(format!(
                "SELECT *{hidden}{w} ORDER BY id DESC LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            )),
            args,
        )
        .await?;
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
    let mut args = crate::args![p, id];
    let hidden = hidden_column(hide, &mut args);
    db.fetch_optional(
        Sql::dynamic(format!(
            "SELECT *{hidden} FROM audit_events WHERE partnership_id = $1 AND id = $2"
        )),
        args,
    )
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
        let (sql, args) = where_clause(PartnershipId(1), &f);
        assert!(
            sql.ends_with("AND record_type = $2 AND actor_user_id = $3 AND at < $4"),
            "{sql}"
        );
        assert_eq!(args.len(), 4);
    }
}
