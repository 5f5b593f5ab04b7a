//! Storage of the thresholds document's editions, their sign-offs, and the anonymous record of
//! the public tool's use. Every change to an edition goes through the audited transaction.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use serde::Serialize;

use super::model::{self, Dated, Document};
use crate::accounts::store::stale_record;
use crate::args;
use crate::store::{Actor, Db, PartnershipId, RecordRef, Row, Sql, StoreResult, Tx, Versioned};
use crate::web::error::{AppError, AppResult};

crate::record! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Edition {
        pub id: i64,
        pub number: i64,
        pub title: String,
        pub document: String,
        pub origin: String,
        pub sign_by: Option<NaiveDate>,
        pub takes_effect: Option<NaiveDate>,
        pub published_by: String,
        pub version: i64,
        pub updated_by: String,
    }
}

const EDITION_COLUMNS: &str = <Edition as crate::store::Record>::COLUMNS;

fn edition_of(r: &Row) -> StoreResult<Edition> {
    <Edition as crate::store::Record>::from_row(r)
}

/// Parsed documents by edition and version.
type Parsed = HashMap<(i64, i64), Arc<Document>>;

impl Edition {
    pub fn dated(&self) -> Dated {
        Dated {
            id: self.id,
            number: self.number,
            takes_effect: self.takes_effect,
        }
    }

    pub fn is_draft(&self) -> bool {
        self.takes_effect.is_none()
    }

    /// The document, parsed once per edition and version and kept: a published edition never
    /// changes, and a draft's every change moves its version, so a kept copy is never stale on
    /// any instance.
    pub fn parsed(&self) -> AppResult<Arc<Document>> {
        static PARSED: Mutex<Option<Parsed>> = Mutex::new(None);
        let key = (self.id, self.version);
        if let Ok(kept) = PARSED.lock()
            && let Some(d) = kept.as_ref().and_then(|m| m.get(&key))
        {
            return Ok(d.clone());
        }
        let d = Arc::new(model::parse(self.document.as_bytes()).map_err(|p| {
            AppError::Internal(format!(
                "thresholds edition {} no longer reads: {}",
                self.id,
                p.first().map(ToString::to_string).unwrap_or_default()
            ))
        })?);
        if let Ok(mut kept) = PARSED.lock() {
            let m = kept.get_or_insert_with(HashMap::new);
            if m.len() > 512 {
                m.clear();
            }
            m.insert(key, d.clone());
        }
        Ok(d)
    }
}

/// What a sign-off is stored as.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Signoff {
    pub partner_role: String,
    pub signed_by: String,
    pub signed_at: chrono::DateTime<chrono::Utc>,
}

pub async fn editions(db: &Db, p: PartnershipId) -> StoreResult<Vec<Edition>> {
    db.fetch_all(
        Sql::join(&[
            "SELECT ",
            EDITION_COLUMNS,
            " FROM threshold_editions WHERE partnership_id = $1 ORDER BY number DESC",
        ]),
        args![p],
    )
    .await?
    .iter()
    .map(edition_of)
    .collect()
}

pub async fn edition(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Option<Edition>> {
    db.fetch_optional(
        Sql::join(&[
            "SELECT ",
            EDITION_COLUMNS,
            " FROM threshold_editions WHERE partnership_id = $1 AND id = $2",
        ]),
        args![p, id],
    )
    .await?
    .as_ref()
    .map(edition_of)
    .transpose()
}

/// The published editions, newest first (the public may read every one of them).
pub async fn published(db: &Db, p: PartnershipId) -> StoreResult<Vec<Edition>> {
    db.fetch_all(
        Sql::join(&[
            "SELECT ",
            EDITION_COLUMNS,
            " FROM threshold_editions WHERE partnership_id = $1 AND takes_effect IS NOT NULL ORDER BY takes_effect DESC, number DESC",
        ]),
        args![p],
    )
    .await?
    .iter()
    .map(edition_of)
    .collect()
}

/// The edition in force on a day, and the published ones (newest first).
pub async fn in_force(
    db: &Db,
    p: PartnershipId,
    day: NaiveDate,
) -> StoreResult<(Option<Edition>, Vec<Edition>)> {
    let all = published(db, p).await?;
    let dated: Vec<Dated> = all.iter().map(Edition::dated).collect();
    let current = model::in_force(&dated, day).and_then(|d| all.iter().find(|e| e.id == d.id));
    Ok((current.cloned(), all))
}

/// A new draft edition holding a document.
pub async fn add_edition(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    d: &Document,
    origin: &str,
) -> StoreResult<(i64, i64)> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let number: i64 = tx
        .fetch_optional(
            "SELECT COALESCE(MAX(number), 0) + 1 AS n FROM threshold_editions WHERE partnership_id = $1",
            args![p],
        )
        .await?
        .map(|r| r.get("n"))
        .transpose()?
        .unwrap_or(1);
    let text = model::to_text(d);
    let id = tx
        .insert(
            "INSERT INTO threshold_editions (partnership_id, number, title, document, origin, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            args![p, number, d.document.title.as_str(), text.as_str(), origin, now, now, actor.name.as_str()],
            Some(p),
            "threshold-edition",
            &format!("Thresholds document edition {number} drafted ({origin})"),
            &serde_json::json!({"number": number, "title": d.document.title, "origin": origin, "document": text}),
        )
        .await?;
    tx.commit().await?;
    Ok((id, number))
}

/// Clear the sign-offs of an edition whose text changed: they were of the text before.
async fn clear_signoffs(tx: &mut Tx<'_>, p: PartnershipId, e: &Edition) -> StoreResult<()> {
    for s in signoffs_in(tx, p, e.id).await? {
        tx.delete(
            "DELETE FROM threshold_signoffs WHERE partnership_id = $1 AND edition_id = $2 AND partner_role = $3",
            args![p, e.id, s.partner_role.as_str()],
            &RecordRef::new(Some(p), "threshold-edition", e.id),
            &format!(
                "Sign-off by {} withdrawn: edition {} changed after it",
                s.signed_by, e.number
            ),
            &s,
        )
        .await?;
    }
    Ok(())
}

/// Replace a draft's document (an edited indicator, a file brought in again). Refused as
/// stale when the draft moved on, and once the edition is published.
pub async fn replace_document(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    e: &Edition,
    version: i64,
    d: &Document,
    what: &str,
) -> StoreResult<Result<(), String>> {
    let mut tx = Tx::begin(db, actor).await?;
    let text = model::to_text(d);
    let changed = tx
        .update_versioned(
            &Versioned::new("threshold_editions", "threshold-edition", p, e.id, version)
                .only_if(" AND takes_effect IS NULL"),
            "title = $1, document = $2",
            args![d.document.title.as_str(), text.as_str()],
            &format!("Thresholds edition {}: {what}", e.number),
            &serde_json::json!({"title": e.title, "document": e.document}),
            &serde_json::json!({"title": d.document.title, "document": text}),
        )
        .await?;
    if let Err(stale) = changed {
        drop(tx);
        if e.takes_effect.is_some() {
            return Ok(Err(
                "This edition has been published: it can no longer change. Start a new edition from it."
                    .into(),
            ));
        }
        return Ok(Err(stale.to_string()));
    }
    clear_signoffs(&mut tx, p, e).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

async fn signoffs_in(tx: &mut Tx<'_>, p: PartnershipId, edition: i64) -> StoreResult<Vec<Signoff>> {
    tx.fetch_all(
        "SELECT partner_role, signed_by, signed_at FROM threshold_signoffs WHERE partnership_id = $1 AND edition_id = $2 ORDER BY signed_at, id",
        args![p, edition],
    )
    .await?
    .iter()
    .map(signoff_of)
    .collect()
}

fn signoff_of(r: &Row) -> StoreResult<Signoff> {
    Ok(Signoff {
        partner_role: r.get("partner_role")?,
        signed_by: r.get("signed_by")?,
        signed_at: r.get("signed_at")?,
    })
}

pub async fn signoffs(db: &Db, p: PartnershipId, edition: i64) -> StoreResult<Vec<Signoff>> {
    db.fetch_all(
        "SELECT partner_role, signed_by, signed_at FROM threshold_signoffs WHERE partnership_id = $1 AND edition_id = $2 ORDER BY signed_at, id",
        args![p, edition],
    )
    .await?
    .iter()
    .map(signoff_of)
    .collect()
}

/// A lead safeguarding partner (or their delegate) signs the draft off as it stands at
/// `version`: a draft changed since is not what they read, and is refused.
pub async fn sign(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    e: &Edition,
    version: i64,
    role: &str,
    user_id: i64,
) -> StoreResult<Result<(), String>> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let current = tx
        .fetch_optional(
            "SELECT version FROM threshold_editions WHERE partnership_id = $1 AND id = $2 AND takes_effect IS NULL",
            args![p, e.id],
        )
        .await?
        .map(|r| r.get::<i64>("version"))
        .transpose()?;
    if current != Some(version) {
        drop(tx);
        return Ok(Err(
            "This edition changed after you opened it: read it again before you sign it off."
                .into(),
        ));
    }
    tx.insert_keyed(
        "INSERT INTO threshold_signoffs (partnership_id, edition_id, partner_role, user_id, signed_by, signed_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (edition_id, partner_role) DO NOTHING",
        args![p, e.id, role, user_id, actor.name.as_str(), now],
        &RecordRef::new(Some(p), "threshold-edition", e.id),
        &format!("Thresholds edition {} signed off for {}", e.number, model::partner_words(role)),
        &serde_json::json!({"partner": role, "version": version}),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Publish a signed-off draft from a day. Fixed from then on.
pub async fn publish(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    e: &Edition,
    version: i64,
    takes_effect: NaiveDate,
) -> StoreResult<Result<(), String>> {
    let mut tx = Tx::begin(db, actor).await?;
    let signed = signoffs_in(&mut tx, p, e.id).await?;
    let roles: Vec<&str> = signed.iter().map(|s| s.partner_role.as_str()).collect();
    if !model::still_to_sign(&roles).is_empty() {
        drop(tx);
        return Ok(Err(
            "All three lead safeguarding partners must sign this edition off before it is published"
                .into(),
        ));
    }
    let now = tx.now();
    let changed = tx
        .update_versioned(
            &Versioned::new("threshold_editions", "threshold-edition", p, e.id, version)
                .only_if(" AND takes_effect IS NULL"),
            "takes_effect = $1, published_at = $2, published_by = $3",
            args![takes_effect, now, actor.name.as_str()],
            &format!(
                "Thresholds edition {} published, in force from {}",
                e.number,
                takes_effect.format("%-d %B %Y")
            ),
            &serde_json::json!({"takes_effect": null}),
            &serde_json::json!({"takes_effect": takes_effect}),
        )
        .await?;
    if let Err(stale) = changed {
        drop(tx);
        return Ok(Err(stale.to_string()));
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// Who changed an edition last, for a stale form's message.
pub async fn changed_by(db: &Db, p: PartnershipId, id: i64) -> StoreResult<String> {
    stale_record(db, "threshold_editions", p, id, "This edition has gone").await
}

/// Record one use of the public tool. Plumbing, not an audited change: an audit entry would
/// hold the time and the address the use must not (see the migration); the row holds only
/// what the issue allows, and a test reads it.
pub async fn record_use(
    db: &Db,
    p: PartnershipId,
    edition_id: i64,
    day: NaiveDate,
    level: &str,
    sector: &str,
    indicators: &[&str],
) -> StoreResult<()> {
    let actor = Actor::system("the public threshold tool");
    let mut tx = Tx::begin(db, &actor).await?;
    let use_id = tx
        .insert_plumbing(
            "INSERT INTO threshold_uses (partnership_id, edition_id, used_on, level_key, sector, indicator_count) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            args![p, edition_id, day, level, sector, indicators.len() as i64],
        )
        .await?;
    for k in indicators {
        tx.execute_plumbing(
            "INSERT INTO threshold_use_indicators (use_id, partnership_id, used_on, indicator_key) VALUES ($1, $2, $3, $4)",
            args![use_id, p, day, *k],
        )
        .await?;
    }
    tx.commit().await
}

/// A count by something, for the usage figures.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Count {
    pub what: String,
    pub uses: i64,
}

/// The usage figures over a period (both days included).
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Usage {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub uses: i64,
    /// By month, as `2026-11`.
    pub by_month: Vec<Count>,
    /// By level suggested (its key).
    pub by_level: Vec<Count>,
    /// By the sector the person chose to give ("" when not given).
    pub by_sector: Vec<Count>,
    /// The indicators chosen most (their keys), most first, at most 20.
    pub top_indicators: Vec<Count>,
    /// Levels suggested, by sector.
    pub level_by_sector: Vec<SectorLevel>,
}

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SectorLevel {
    pub sector: String,
    pub level: String,
    pub uses: i64,
}

fn counts(rows: Vec<Row>) -> StoreResult<Vec<Count>> {
    rows.iter()
        .map(|r| {
            Ok(Count {
                what: r.get("what")?,
                uses: r.get("n")?,
            })
        })
        .collect()
}

pub async fn usage(
    db: &Db,
    p: PartnershipId,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Usage> {
    let uses: i64 = db
        .fetch_one(
            "SELECT COUNT(*) AS n FROM threshold_uses WHERE partnership_id = $1 AND used_on >= $2 AND used_on <= $3",
            args![p, from, to],
        )
        .await?
        .get("n")?;
    // Months are counted here from the days, the same way on both engines.
    let days = db
        .fetch_all(
            "SELECT used_on, COUNT(*) AS n FROM threshold_uses WHERE partnership_id = $1 AND used_on >= $2 AND used_on <= $3 GROUP BY used_on ORDER BY used_on",
            args![p, from, to],
        )
        .await?;
    let mut by_month: Vec<Count> = Vec::new();
    for r in &days {
        let day: NaiveDate = r.get("used_on")?;
        let n: i64 = r.get("n")?;
        let month = day.format("%Y-%m").to_string();
        match by_month.last_mut() {
            Some(c) if c.what == month => c.uses += n,
            _ => by_month.push(Count {
                what: month,
                uses: n,
            }),
        }
    }
    let by_level = counts(db.fetch_all(
        "SELECT level_key AS what, COUNT(*) AS n FROM threshold_uses WHERE partnership_id = $1 AND used_on >= $2 AND used_on <= $3 GROUP BY level_key ORDER BY n DESC, level_key",
        args![p, from, to],
    ).await?)?;
    let by_sector = counts(db.fetch_all(
        "SELECT sector AS what, COUNT(*) AS n FROM threshold_uses WHERE partnership_id = $1 AND used_on >= $2 AND used_on <= $3 GROUP BY sector ORDER BY n DESC, sector",
        args![p, from, to],
    ).await?)?;
    let top_indicators = counts(db.fetch_all(
        "SELECT indicator_key AS what, COUNT(*) AS n FROM threshold_use_indicators WHERE partnership_id = $1 AND used_on >= $2 AND used_on <= $3 GROUP BY indicator_key ORDER BY n DESC, indicator_key LIMIT 20",
        args![p, from, to],
    ).await?)?;
    let level_by_sector = db
        .fetch_all(
            "SELECT sector, level_key, COUNT(*) AS n FROM threshold_uses WHERE partnership_id = $1 AND used_on >= $2 AND used_on <= $3 GROUP BY sector, level_key ORDER BY sector, level_key",
            args![p, from, to],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(SectorLevel {
                sector: r.get("sector")?,
                level: r.get("level_key")?,
                uses: r.get("n")?,
            })
        })
        .collect::<StoreResult<_>>()?;
    Ok(Usage {
        from,
        to,
        uses,
        by_month,
        by_level,
        by_sector,
        top_indicators,
        level_by_sector,
    })
}

/// Ask the lead partners to sign a draft off by a day (their home-page task).
pub async fn ask_to_sign(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    e: &Edition,
    version: i64,
    by: NaiveDate,
) -> StoreResult<Result<(), String>> {
    let mut tx = Tx::begin(db, actor).await?;
    let changed = tx
        .update_versioned(
            &Versioned::new("threshold_editions", "threshold-edition", p, e.id, version)
                .only_if(" AND takes_effect IS NULL"),
            "sign_by = $1",
            args![by],
            &format!(
                "Lead partners asked to sign off thresholds edition {} by {}",
                e.number,
                by.format("%-d %B %Y")
            ),
            &serde_json::json!({"sign_by": e.sign_by}),
            &serde_json::json!({"sign_by": by}),
        )
        .await?;
    if let Err(stale) = changed {
        drop(tx);
        return Ok(Err(stale.to_string()));
    }
    tx.commit().await?;
    Ok(Ok(()))
}
