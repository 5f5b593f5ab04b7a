//! The working-day calendar in use: the shipped list, then the lists the host loaded. Kept in
//! memory and read again every few minutes, so every server of a hosted service agrees soon
//! after a new list is loaded on one of them.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};

use super::working_days::{Calendar, Holiday, SHIPPED, parse_gov_uk};
use crate::args;
use crate::store::{Actor, Db, StoreResult, Tx};

const FRESH_FOR: Duration = Duration::from_secs(300);

static CURRENT: Mutex<Option<(Instant, Arc<Calendar>)>> = Mutex::new(None);

/// The calendar to count in now.
pub async fn current(db: &Db) -> StoreResult<Arc<Calendar>> {
    if let Ok(c) = CURRENT.lock()
        && let Some((at, cal)) = c.as_ref()
        && at.elapsed() < FRESH_FOR
    {
        return Ok(cal.clone());
    }
    let mut lists = vec![parse_gov_uk(SHIPPED.as_bytes()).unwrap_or_default()];
    for r in db
        .fetch_all("SELECT data FROM bank_holiday_lists ORDER BY id", args![])
        .await?
    {
        // Each list was checked when it was loaded; one that no longer reads is skipped.
        if let Ok(l) = parse_gov_uk(r.get::<String>("data")?.as_bytes()) {
            lists.push(l);
        }
    }
    let cal = Arc::new(Calendar::from_lists(&lists));
    if let Ok(mut c) = CURRENT.lock() {
        *c = Some((Instant::now(), cal.clone()));
    }
    Ok(cal)
}

/// Forget the calendar in memory, so the next use reads the lists again.
pub fn forget() {
    if let Ok(mut c) = CURRENT.lock() {
        *c = None;
    }
}

/// A list loaded by the host, summarised.
pub struct Loaded {
    pub first_year: i64,
    pub last_year: i64,
    pub holidays: i64,
    pub loaded_at: chrono::DateTime<Utc>,
    pub loaded_by: String,
}

pub async fn loaded(db: &Db) -> StoreResult<Vec<Loaded>> {
    db.fetch_all(
        "SELECT first_year, last_year, holidays, loaded_at, loaded_by FROM bank_holiday_lists ORDER BY id DESC",
        args![],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(Loaded {
            first_year: r.get("first_year")?,
            last_year: r.get("last_year")?,
            holidays: r.get("holidays")?,
            loaded_at: r.get("loaded_at")?,
            loaded_by: r.get("loaded_by")?,
        })
    })
    .collect()
}

/// Store a list that has been checked with [`parse_gov_uk`].
pub async fn load(db: &Db, actor: &Actor, text: &str, list: &[Holiday]) -> StoreResult<()> {
    let first = list.iter().map(|h| h.date.year()).min().unwrap_or_default();
    let last = list.iter().map(|h| h.date.year()).max().unwrap_or_default();
    let mut tx = Tx::begin(db, actor).await?;
    tx.insert(
        "INSERT INTO bank_holiday_lists (data, first_year, last_year, holidays, loaded_at, loaded_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        args![text, i64::from(first), i64::from(last), list.len() as i64, Utc::now(), actor.name.as_str()],
        None,
        "bank-holidays",
        &format!("Bank holidays loaded for {first} to {last} ({} holidays)", list.len()),
        &serde_json::json!({"first_year": first, "last_year": last, "holidays": list.len()}),
    )
    .await?;
    tx.commit().await?;
    forget();
    Ok(())
}
