//! Storage of the scorecard: the document as its file, each indicator's editions, reporting
//! periods, figures in revisions, commentaries, publications and who submits for whom. Every
//! change through the audited transaction; no figure revision is ever changed or removed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::card::{Card, Inputs, Stored};
use super::entries::Entry;
use super::format::{self, Document, Indicator, Input};
use super::model::Milli;
use crate::args;
use crate::store::{Actor, Db, PartnershipId, RecordRef, Row, Sql, Statement, StoreResult, Tx};

/// The document in use: its number, the document and its text.
pub async fn document(db: &Db, p: PartnershipId) -> StoreResult<Option<(i64, String)>> {
    db.fetch_optional(
        "SELECT number, document FROM scorecard_documents WHERE partnership_id = $1 ORDER BY number DESC LIMIT 1",
        args![p],
    )
    .await?
    .map(|r| Ok((r.get("number")?, r.get("document")?)))
    .transpose()
}

/// The number of the document in use (without reading it).
pub async fn document_number(db: &Db, p: PartnershipId) -> StoreResult<Option<i64>> {
    db.fetch_optional(
        "SELECT number FROM scorecard_documents WHERE partnership_id = $1 ORDER BY number DESC LIMIT 1",
        args![p],
    )
    .await?
    .map(|r| r.get("number"))
    .transpose()
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct Imported {
    pub number: i64,
    pub added: usize,
    pub new_editions: Vec<String>,
    pub changed: usize,
    pub unchanged: usize,
}

crate::record! {
    /// One edition of an indicator, its entry as JSON.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Edition {
        pub id: i64,
        pub code: String,
        pub edition: i64,
        pub definition: String,
        pub created_at: DateTime<Utc>,
        pub updated_by: String,
    }
}

impl Edition {
    pub fn indicator(&self) -> Option<Indicator> {
        serde_json::from_str(&self.definition).ok()
    }
}

const EDITION_COLUMNS: &str = <Edition as crate::store::Record>::COLUMNS;

fn edition_of(r: &Row) -> StoreResult<Edition> {
    <Edition as crate::store::Record>::from_row(r)
}

/// The latest edition of every indicator, by code.
pub async fn current_editions(db: &Db, p: PartnershipId) -> StoreResult<BTreeMap<String, Edition>> {
    let rows = db
        .fetch_all(
            Sql::join(&[
                "SELECT ",
                EDITION_COLUMNS,
                " FROM scorecard_indicators i WHERE partnership_id = $1 AND edition = (SELECT MAX(edition) FROM scorecard_indicators j WHERE j.partnership_id = i.partnership_id AND j.code = i.code)",
            ]),
            args![p],
        )
        .await?;
    rows.iter()
        .map(|r| edition_of(r).map(|e| (e.code.clone(), e)))
        .collect()
}

/// Every edition of one indicator, oldest first.
pub async fn editions(db: &Db, p: PartnershipId, code: &str) -> StoreResult<Vec<Edition>> {
    db.fetch_all(
        Sql::join(&[
            "SELECT ",
            EDITION_COLUMNS,
            " FROM scorecard_indicators WHERE partnership_id = $1 AND code = $2 ORDER BY edition",
        ]),
        args![p, code],
    )
    .await?
    .iter()
    .map(edition_of)
    .collect()
}

/// Keep a checked document: its text as a new number, and each indicator's edition (a new one
/// where what its figures mean changed, the one in use updated where only its name, target or
/// benchmarks did).
pub async fn import(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    d: &Document,
    text: &str,
    origin: &str,
) -> StoreResult<Imported> {
    let current = current_editions(db, p).await?;
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let number: i64 = tx
        .fetch_optional(
            "SELECT COALESCE(MAX(number), 0) + 1 AS n FROM scorecard_documents WHERE partnership_id = $1",
            args![p],
        )
        .await?
        .map(|r| r.get("n"))
        .transpose()?
        .unwrap_or(1);
    let doc_id = tx
        .insert(
            "INSERT INTO scorecard_documents (partnership_id, number, document, origin, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            args![p, number, text, origin, now, actor.name.as_str()],
            Some(p),
            "scorecard-document",
            &format!("Scorecard document {number} brought in ({origin}): {} indicators", d.indicators.len()),
            &serde_json::json!({"number": number, "origin": origin, "bytes": text.len(), "sha256": crate::files::digest(text.as_bytes())}),
        )
        .await?;
    let mut done = Imported {
        number,
        ..Default::default()
    };
    for i in d.all_indicators() {
        let json = serde_json::to_string(i).map_err(|e| crate::store::StoreError::Decode {
            column: "json".into(),
            message: e.to_string(),
        })?;
        let old = current.get(&i.code);
        let before = old.and_then(Edition::indicator);
        match (old, before) {
            (Some(_), Some(b)) if b == *i => done.unchanged += 1,
            (Some(e), Some(b)) if b.meaning() == i.meaning() => {
                tx.update(
                    "UPDATE scorecard_indicators SET definition = $1, updated_at = $2, updated_by = $3 WHERE partnership_id = $4 AND id = $5",
                    args![json.as_str(), now, actor.name.as_str(), p, e.id],
                    &RecordRef::new(Some(p), "scorecard-indicator", e.id),
                    &format!("Indicator {} changed (edition {} kept: what its figures mean is the same)", i.code, e.edition),
                    &b,
                    i,
                )
                .await?;
                done.changed += 1;
            }
            (old, _) => {
                let edition = old.map_or(1, |e| e.edition + 1);
                tx.insert(
                    "INSERT INTO scorecard_indicators (partnership_id, code, edition, definition, from_document, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    args![p, i.code.as_str(), edition, json.as_str(), doc_id, now, now, actor.name.as_str()],
                    Some(p),
                    "scorecard-indicator",
                    &if edition == 1 {
                        format!("Indicator {} added", i.code)
                    } else {
                        format!("Indicator {} edition {edition}: what its figures mean changed; earlier figures keep edition {}", i.code, edition - 1)
                    },
                    i,
                )
                .await?;
                if edition == 1 {
                    done.added += 1;
                } else {
                    done.new_editions.push(i.code.clone());
                }
            }
        }
    }
    tx.commit().await?;
    Ok(done)
}

crate::record! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Period {
        pub id: i64,
        pub scorecard_key: String,
        pub ends_on: NaiveDate,
        pub label: String,
        pub due_on: NaiveDate,
        pub chased_on: Option<NaiveDate>,
        pub version: i64,
    }
}

impl Period {
    /// Its label as part of a file's name: "q1-2022-23".
    pub fn file_name(&self) -> String {
        self.label
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect()
    }
}

const PERIOD_COLUMNS: &str = <Period as crate::store::Record>::COLUMNS;

fn period_of(r: &Row) -> StoreResult<Period> {
    <Period as crate::store::Record>::from_row(r)
}

pub async fn periods(db: &Db, p: PartnershipId) -> StoreResult<Vec<Period>> {
    db.fetch_all(
        Sql::join(&[
            "SELECT ",
            PERIOD_COLUMNS,
            " FROM scorecard_periods WHERE partnership_id = $1 ORDER BY ends_on DESC, scorecard_key",
        ]),
        args![p],
    )
    .await?
    .iter()
    .map(period_of)
    .collect()
}

pub async fn period(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Option<Period>> {
    db.fetch_optional(
        Sql::join(&[
            "SELECT ",
            PERIOD_COLUMNS,
            " FROM scorecard_periods WHERE partnership_id = $1 AND id = $2",
        ]),
        args![p, id],
    )
    .await?
    .as_ref()
    .map(period_of)
    .transpose()
}

/// A period asked for; `None` when the scorecard already has a period ending that day.
pub async fn open_period(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    scorecard: &str,
    ends_on: NaiveDate,
    label: &str,
    due_on: NaiveDate,
) -> StoreResult<Option<i64>> {
    let mut tx = Tx::begin(db, actor).await?;
    let taken = tx
        .fetch_optional(
            "SELECT id FROM scorecard_periods WHERE partnership_id = $1 AND scorecard_key = $2 AND ends_on = $3",
            args![p, scorecard, ends_on],
        )
        .await?;
    if taken.is_some() {
        return Ok(None);
    }
    let now = tx.now();
    let id = tx
        .insert(
            "INSERT INTO scorecard_periods (partnership_id, scorecard_key, ends_on, label, due_on, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            args![p, scorecard, ends_on, label, due_on, now, now, actor.name.as_str()],
            Some(p),
            "scorecard-period",
            &format!("Figures for {label} asked for by {}", due_on.format("%-d %B %Y")),
            &serde_json::json!({"scorecard": scorecard, "ends_on": ends_on, "label": label, "due_on": due_on}),
        )
        .await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Every period not yet published whose due day has passed, in every partnership.
pub async fn past_due(db: &Db, day: NaiveDate) -> StoreResult<Vec<(PartnershipId, Period)>> {
    db.fetch_all(
        Sql::join(&[
            "SELECT partnership_id, ",
            PERIOD_COLUMNS,
            " FROM scorecard_periods sp WHERE due_on < $1 AND NOT EXISTS (SELECT 1 FROM scorecard_publications pb WHERE pb.period_id = sp.id) ORDER BY partnership_id, ends_on",
        ]),
        args![day],
    )
    .await?
    .iter()
    .map(|r| Ok((PartnershipId(r.get("partnership_id")?), period_of(r)?)))
    .collect()
}

/// Claim a period's chase for `day`: true for the one instance whose claim changed it from
/// what was read.
pub async fn claim_chase(
    db: &Db,
    p: PartnershipId,
    period: &Period,
    day: NaiveDate,
) -> StoreResult<bool> {
    let actor = Actor::system("scorecard chase");
    let mut tx = Tx::begin(db, &actor).await?;
    let record = RecordRef::new(Some(p), "scorecard-period", period.id);
    let summary = format!("Late figures for {} chased", period.label);
    let (before, after) = (
        serde_json::json!({"chased_on": period.chased_on}),
        serde_json::json!({"chased_on": day}),
    );
    let n = match period.chased_on {
        None => {
            tx.update(
                "UPDATE scorecard_periods SET chased_on = $1 WHERE partnership_id = $2 AND id = $3 AND chased_on IS NULL",
                args![day, p, period.id],
                &record,
                &summary,
                &before,
                &after,
            )
            .await?
        }
        Some(last) => {
            tx.update(
                "UPDATE scorecard_periods SET chased_on = $1 WHERE partnership_id = $2 AND id = $3 AND chased_on = $4",
                args![day, p, period.id, last],
                &record,
                &summary,
                &before,
                &after,
            )
            .await?
        }
    };
    tx.commit().await?;
    Ok(n == 1)
}

crate::record! {
    /// One revision of a figure.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Figure {
        pub id: i64,
        pub indicator_id: i64,
        pub code: String,
        pub ends_on: NaiveDate,
        pub revision: i64,
        pub numerator: Option<i64>,
        pub denominator: Option<i64>,
        pub value_milli: Option<i64>,
        pub organisation_key: String,
        pub how: String,
        pub reason: String,
        pub recorded_at: DateTime<Utc>,
        pub recorded_by: String,
    }
}

const FIGURE_COLUMNS: &str = <Figure as crate::store::Record>::COLUMNS;

fn figure_of(r: &Row) -> StoreResult<Figure> {
    <Figure as crate::store::Record>::from_row(r)
}

impl Figure {
    pub fn stored(&self) -> Stored {
        Stored {
            id: self.id,
            numerator: self.numerator,
            denominator: self.denominator,
            value: self.value_milli.map(Milli),
            revision: self.revision,
        }
    }
}

/// The latest revision of every figure for the periods ending on these days: what a scorecard
/// shows, read for the days it shows and no others.
pub async fn latest_on(
    db: &Db,
    p: PartnershipId,
    days: &BTreeSet<NaiveDate>,
) -> StoreResult<Vec<Figure>> {
    if days.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Statement::new("SELECT ", Vec::new());
    q.push(FIGURE_COLUMNS)
        .push(" FROM scorecard_figures f WHERE f.partnership_id = ")
        .bind(p)
        .push(" AND f.ends_on IN (")
        .bind_list(days.iter().copied())
        .push(") AND f.revision = (SELECT MAX(g.revision) FROM scorecard_figures g WHERE g.partnership_id = f.partnership_id AND g.code = f.code AND g.ends_on = f.ends_on)");
    let (sql, args) = q.parts();
    db.fetch_all(sql, args)
        .await?
        .iter()
        .map(figure_of)
        .collect()
}

/// What a scorecard is worked out from, for these days: the figures and the child population.
pub async fn inputs(
    db: &Db,
    p: PartnershipId,
    days: &BTreeSet<NaiveDate>,
) -> crate::web::error::AppResult<Inputs> {
    let populations = populations(db, p).await?;
    inputs_with(db, p, days, populations).await
}

/// [`inputs`] with the child population already read.
pub async fn inputs_with(
    db: &Db,
    p: PartnershipId,
    days: &BTreeSet<NaiveDate>,
    populations: Vec<(String, Vec<crate::arrangements::model::Population>)>,
) -> crate::web::error::AppResult<Inputs> {
    let figures = latest_on(db, p, days)
        .await?
        .into_iter()
        .map(|f| ((f.code.clone(), f.ends_on), f.stored()))
        .collect();
    Ok(Inputs {
        figures,
        populations,
    })
}

/// Each area's child population estimates, as the arrangements give them today.
pub async fn populations(
    db: &Db,
    p: PartnershipId,
) -> crate::web::error::AppResult<Vec<(String, Vec<crate::arrangements::model::Population>)>> {
    let mut out = Vec::new();
    for item in crate::arrangements::store::as_at(db, p, "area", crate::calendar::today()).await? {
        let a: crate::arrangements::model::Area = crate::arrangements::store::decode(&item)?;
        out.push((a.key, a.child_population));
    }
    Ok(out)
}

/// How many figure revisions there are for these days, and the newest one's id: revisions are
/// only ever added, so while this is the same, so are the figures of those days.
pub async fn fingerprint(
    db: &Db,
    p: PartnershipId,
    days: &BTreeSet<NaiveDate>,
) -> StoreResult<(i64, Option<i64>)> {
    if days.is_empty() {
        return Ok((0, None));
    }
    let mut q = Statement::new(
        "SELECT COUNT(*) AS n, MAX(id) AS newest FROM scorecard_figures WHERE partnership_id = ",
        Vec::new(),
    );
    q.bind(p)
        .push(" AND ends_on IN (")
        .bind_list(days.iter().copied())
        .push(")");
    let (sql, args) = q.parts();
    let row = db.fetch_one(sql, args).await?;
    Ok((row.get("n")?, row.get("newest")?))
}

/// Every revision of an indicator's figures, newest period first and latest revision first.
pub async fn history(db: &Db, p: PartnershipId, code: &str) -> StoreResult<Vec<Figure>> {
    db.fetch_all(
        Sql::join(&[
            "SELECT ",
            FIGURE_COLUMNS,
            " FROM scorecard_figures f WHERE partnership_id = $1 AND code = $2 ORDER BY ends_on DESC, revision DESC",
        ]),
        args![p, code],
    )
    .await?
    .iter()
    .map(figure_of)
    .collect()
}

/// The latest figures an organisation has sent for one period, by code.
pub async fn sent(
    db: &Db,
    p: PartnershipId,
    ends_on: NaiveDate,
    codes: &[String],
) -> StoreResult<BTreeMap<String, Figure>> {
    let days: BTreeSet<NaiveDate> = [ends_on].into();
    Ok(latest_on(db, p, &days)
        .await?
        .into_iter()
        .filter(|f| codes.contains(&f.code))
        .map(|f| (f.code.clone(), f))
        .collect())
}

/// Whether any entry changes a figure already sent for the period (which then needs a reason).
pub async fn corrects(
    db: &Db,
    p: PartnershipId,
    ends_on: NaiveDate,
    entries: &[Entry],
) -> StoreResult<bool> {
    let codes: Vec<String> = entries.iter().map(|e| e.code.clone()).collect();
    let sent = sent(db, p, ends_on, &codes).await?;
    Ok(entries
        .iter()
        .any(|e| sent.get(&e.code).is_some_and(|f| !same_as(e, f))))
}

fn same_as(e: &Entry, f: &Figure) -> bool {
    e.numerator == f.numerator && e.denominator == f.denominator && e.value_milli == f.value_milli
}

/// Record what an organisation sent for a period, in one transaction: a figure new for the
/// period is revision 1, a changed one the next revision (with `reason`), an unchanged one
/// nothing. Returns how many were recorded and which of them were corrections. The caller has
/// checked every entry and the reason.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    ends_on: NaiveDate,
    organisation: &str,
    entries: &[Entry],
    how: &str,
    reason: &str,
) -> StoreResult<(usize, usize)> {
    let editions = current_editions(db, p).await?;
    let mut tx = Tx::begin(db, actor).await?;
    let recorded = record_in(
        &mut tx,
        &editions,
        p,
        ends_on,
        organisation,
        entries,
        how,
        reason,
    )
    .await?;
    tx.commit().await?;
    Ok(recorded)
}

/// Figures of many days and organisations at once (past years brought in by the business
/// unit), in one transaction: all or none. Returns how many were recorded and corrected.
pub async fn record_many(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    groups: &BTreeMap<(NaiveDate, String), Vec<Entry>>,
    how: &str,
    reason: &str,
) -> StoreResult<(usize, usize)> {
    let editions = current_editions(db, p).await?;
    let mut tx = Tx::begin(db, actor).await?;
    let mut all = (0, 0);
    for ((day, organisation), entries) in groups {
        let (r, c) = record_in(
            &mut tx,
            &editions,
            p,
            *day,
            organisation,
            entries,
            how,
            reason,
        )
        .await?;
        all = (all.0 + r, all.1 + c);
    }
    tx.commit().await?;
    Ok(all)
}

/// [`record`] inside a transaction of the caller's.
#[allow(clippy::too_many_arguments)]
async fn record_in(
    tx: &mut Tx<'_>,
    editions: &BTreeMap<String, Edition>,
    p: PartnershipId,
    ends_on: NaiveDate,
    organisation: &str,
    entries: &[Entry],
    how: &str,
    reason: &str,
) -> StoreResult<(usize, usize)> {
    let now = tx.now();
    let actor_name = tx.actor().name.clone();
    let mut recorded = (0, 0);
    for e in entries {
        let Some(ed) = editions.get(&e.code) else {
            continue;
        };
        let last = tx
            .fetch_optional(
                Sql::join(&[
                    "SELECT ",
                    FIGURE_COLUMNS,
                    " FROM scorecard_figures f WHERE partnership_id = $1 AND code = $2 AND ends_on = $3 ORDER BY revision DESC LIMIT 1",
                ]),
                args![p, e.code.as_str(), ends_on],
            )
            .await?
            .as_ref()
            .map(figure_of)
            .transpose()?;
        if last.as_ref().is_some_and(|l| same_as(e, l)) {
            continue;
        }
        let revision = last.as_ref().map_or(1, |l| l.revision + 1);
        let why = if revision == 1 { "" } else { reason };
        tx.insert(
            "INSERT INTO scorecard_figures (partnership_id, indicator_id, code, ends_on, revision, numerator, denominator, value_milli, organisation_key, how, reason, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            args![p, ed.id, e.code.as_str(), ends_on, revision, e.numerator, e.denominator, e.value_milli, organisation, how, why, now, actor_name.as_str()],
            Some(p),
            "scorecard-figure",
            &if revision == 1 {
                format!("Figure for {} on {ends_on} recorded ({how})", e.code)
            } else {
                format!("Figure for {} on {ends_on} corrected: revision {revision} ({how}): {why}", e.code)
            },
            &serde_json::json!({"entry": e, "revision": revision, "edition": ed.edition, "organisation": organisation, "reason": why, "before": last}),
        )
        .await?;
        recorded.0 += 1;
        if revision > 1 {
            recorded.1 += 1;
        }
    }
    Ok(recorded)
}

/// Each section's commentary for a period, by section key, with its version.
pub async fn commentaries(
    db: &Db,
    p: PartnershipId,
    period: i64,
) -> StoreResult<BTreeMap<String, (String, i64)>> {
    db.fetch_all(
        "SELECT section_key, text, version FROM scorecard_commentaries WHERE partnership_id = $1 AND period_id = $2",
        args![p, period],
    )
    .await?
    .iter()
    .map(|r| Ok((r.get("section_key")?, (r.get("text")?, r.get("version")?))))
    .collect()
}

/// Write a section's commentary; `Ok(false)` when someone else changed it since `version` was
/// read (0 for none yet).
pub async fn save_commentary(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    period: &Period,
    section: &str,
    text: &str,
    version: i64,
) -> StoreResult<bool> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let old = tx
        .fetch_optional(
            "SELECT id, text, version FROM scorecard_commentaries WHERE partnership_id = $1 AND period_id = $2 AND section_key = $3",
            args![p, period.id, section],
        )
        .await?;
    let summary = format!("Commentary on {section} for {} written", period.label);
    match old {
        None if version == 0 => {
            tx.insert(
                "INSERT INTO scorecard_commentaries (partnership_id, period_id, section_key, text, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                args![p, period.id, section, text, now, actor.name.as_str()],
                Some(p),
                "scorecard-commentary",
                &summary,
                &serde_json::json!({"period": period.id, "section": section, "text": text}),
            )
            .await?;
        }
        Some(r) if r.get::<i64>("version")? == version => {
            let id: i64 = r.get("id")?;
            let before: String = r.get("text")?;
            tx.update(
                "UPDATE scorecard_commentaries SET text = $1, version = version + 1, updated_at = $2, updated_by = $3 WHERE partnership_id = $4 AND id = $5",
                args![text, now, actor.name.as_str(), p, id],
                &RecordRef::new(Some(p), "scorecard-commentary", id),
                &summary,
                &serde_json::json!({"text": before}),
                &serde_json::json!({"text": text}),
            )
            .await?;
        }
        _ => return Ok(false),
    }
    tx.commit().await?;
    Ok(true)
}

crate::record! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Publication {
        pub id: i64,
        pub period_id: i64,
        pub number: i64,
        pub card: String,
        pub published_at: DateTime<Utc>,
        pub published_by: String,
    }
}

impl Publication {
    pub fn card(&self) -> Option<Card> {
        serde_json::from_str(&self.card).ok()
    }
}

const PUBLICATION_COLUMNS: &str = <Publication as crate::store::Record>::COLUMNS;

pub async fn publications(db: &Db, p: PartnershipId, period: i64) -> StoreResult<Vec<Publication>> {
    db.fetch_all(
        Sql::join(&[
            "SELECT ",
            PUBLICATION_COLUMNS,
            " FROM scorecard_publications WHERE partnership_id = $1 AND period_id = $2 ORDER BY number",
        ]),
        args![p, period],
    )
    .await?
    .iter()
    .map(<Publication as crate::store::Record>::from_row)
    .collect()
}

/// The latest publication of every period, newest period first.
pub async fn published(db: &Db, p: PartnershipId) -> StoreResult<Vec<(Period, Publication)>> {
    let mut out = Vec::new();
    for period in periods(db, p).await? {
        if let Some(last) = publications(db, p, period.id).await?.pop() {
            out.push((period, last));
        }
    }
    Ok(out)
}

/// Publish a period: the card as worked out now, fixed under the next number.
pub async fn publish(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    period: &Period,
    card: &Card,
) -> StoreResult<i64> {
    let json = serde_json::to_string(card).map_err(|e| crate::store::StoreError::Decode {
        column: "json".into(),
        message: e.to_string(),
    })?;
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let number: i64 = tx
        .fetch_optional(
            "SELECT COALESCE(MAX(number), 0) + 1 AS n FROM scorecard_publications WHERE partnership_id = $1 AND period_id = $2",
            args![p, period.id],
        )
        .await?
        .map(|r| r.get("n"))
        .transpose()?
        .unwrap_or(1);
    tx.insert(
        "INSERT INTO scorecard_publications (partnership_id, period_id, number, card, published_at, published_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        args![p, period.id, number, json.as_str(), now, actor.name.as_str()],
        Some(p),
        "scorecard-publication",
        &format!("{} published{}", period.label, if number > 1 { format!(" again (publication {number})") } else { String::new() }),
        &serde_json::json!({"period": period.id, "number": number, "sha256": crate::files::digest(json.as_bytes())}),
    )
    .await?;
    tx.commit().await?;
    Ok(number)
}

/// Who submits for each organisation: (organisation key, user id, name, email).
pub async fn submitters(
    db: &Db,
    p: PartnershipId,
) -> StoreResult<Vec<(String, i64, String, String)>> {
    db.fetch_all(
        "SELECT s.organisation_key, s.user_id, u.name, u.email FROM scorecard_submitters s JOIN users u ON u.id = s.user_id WHERE s.partnership_id = $1 ORDER BY s.organisation_key, u.name",
        args![p],
    )
    .await?
    .iter()
    .map(|r| Ok((r.get("organisation_key")?, r.get("user_id")?, r.get("name")?, r.get("email")?)))
    .collect()
}

/// The organisations a person submits for.
pub async fn submits_for(db: &Db, p: PartnershipId, user: i64) -> StoreResult<Vec<String>> {
    db.fetch_all(
        "SELECT organisation_key FROM scorecard_submitters WHERE partnership_id = $1 AND user_id = $2 ORDER BY organisation_key",
        args![p, user],
    )
    .await?
    .iter()
    .map(|r| r.get("organisation_key"))
    .collect()
}

pub async fn add_submitter(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    organisation: &str,
    user: (i64, &str),
) -> StoreResult<bool> {
    let mut tx = Tx::begin(db, actor).await?;
    let there = tx
        .fetch_optional(
            "SELECT id FROM scorecard_submitters WHERE partnership_id = $1 AND organisation_key = $2 AND user_id = $3",
            args![p, organisation, user.0],
        )
        .await?;
    if there.is_some() {
        return Ok(false);
    }
    let now = tx.now();
    tx.insert(
        "INSERT INTO scorecard_submitters (partnership_id, organisation_key, user_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        args![p, organisation, user.0, now],
        Some(p),
        "scorecard-submitter",
        &format!("{} sends {organisation}'s scorecard figures", user.1),
        &serde_json::json!({"organisation": organisation, "user": user.0}),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

pub async fn remove_submitter(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    organisation: &str,
    user: (i64, &str),
) -> StoreResult<bool> {
    let mut tx = Tx::begin(db, actor).await?;
    let Some(r) = tx
        .fetch_optional(
            "SELECT id FROM scorecard_submitters WHERE partnership_id = $1 AND organisation_key = $2 AND user_id = $3",
            args![p, organisation, user.0],
        )
        .await?
    else {
        return Ok(false);
    };
    let id: i64 = r.get("id")?;
    tx.delete(
        "DELETE FROM scorecard_submitters WHERE partnership_id = $1 AND id = $2",
        args![p, id],
        &RecordRef::new(Some(p), "scorecard-submitter", id),
        &format!(
            "{} no longer sends {organisation}'s scorecard figures",
            user.1
        ),
        &serde_json::json!({"organisation": organisation, "user": user.0}),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The submitted indicators a scorecard needs: those it shows, and the counts its worked-out
/// ones are worked out from.
pub fn asked<'a>(d: &'a Document, scorecard: &str) -> Vec<&'a Indicator> {
    let Some(c) = d.scorecard(scorecard) else {
        return Vec::new();
    };
    let mut codes: BTreeSet<&str> = BTreeSet::new();
    for code in c.sections.iter().flat_map(|s| s.indicators.iter()) {
        if let Some(i) = d.indicator(code) {
            if let Some(dv) = &i.derived {
                codes.insert(dv.numerator.as_str());
                if !dv.denominator.is_empty() {
                    codes.insert(dv.denominator.as_str());
                }
            } else if i.input() != Input::Derived {
                codes.insert(code);
            }
        }
    }
    d.all_indicators()
        .filter(|i| codes.contains(i.code.as_str()))
        .collect()
}

/// What one organisation is asked for by a scorecard, in the file's order.
pub fn asked_of<'a>(d: &'a Document, scorecard: &str, organisation: &str) -> Vec<&'a Indicator> {
    asked(d, scorecard)
        .into_iter()
        .filter(|i| i.source == organisation)
        .collect()
}

/// What each organisation has still to send for a period (codes with no figure yet).
pub async fn outstanding(
    db: &Db,
    p: PartnershipId,
    d: &Document,
    period: &Period,
) -> StoreResult<BTreeMap<String, Vec<String>>> {
    let days: BTreeSet<NaiveDate> = [period.ends_on].into();
    let have: BTreeSet<String> = latest_on(db, p, &days)
        .await?
        .into_iter()
        .map(|f| f.code)
        .collect();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for i in asked(d, &period.scorecard_key) {
        if !have.contains(&i.code) {
            out.entry(i.source.clone())
                .or_default()
                .push(i.code.clone());
        }
    }
    Ok(out)
}

/// Parse the stored document (it was checked when it came in).
pub fn parsed(text: &str) -> Option<Document> {
    format::parse(text.as_bytes(), &format::Known::default()).ok()
}

/// One file of an imported return, as kept: its name, digest and size, never its content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ImportedFile {
    pub name: String,
    pub sha256: String,
    pub bytes: i64,
}

/// What an import of a statutory return did, before it is stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReturnImport {
    pub which: super::returns::figures::Return,
    pub reference_date: NaiveDate,
    pub files: Vec<ImportedFile>,
    pub children: i64,
    pub rows_read: i64,
}

crate::record! {
    /// The fact of an import, as kept.
    #[derive(Clone, Debug, PartialEq)]
    pub struct ImportFact {
        pub id: i64,
        pub kind: String,
        pub reference_date: NaiveDate,
        pub files: String,
        pub children: i64,
        pub rows_read: i64,
        pub figures_recorded: i64,
        pub figures_corrected: i64,
        pub imported_at: DateTime<Utc>,
        pub imported_by: String,
    }
}

impl ImportFact {
    pub fn files(&self) -> Vec<ImportedFile> {
        serde_json::from_str(&self.files).unwrap_or_default()
    }
}

const IMPORT_COLUMNS: &str = <ImportFact as crate::store::Record>::COLUMNS;

/// Record a return's figures for its reference date and the fact of the import, in one
/// transaction: both or neither. Returns the figures recorded and corrected (a figure the return gives again unchanged is not recorded again).
pub async fn import_return(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    import: &ReturnImport,
    by_source: &BTreeMap<String, Vec<Entry>>,
) -> StoreResult<(usize, usize)> {
    let editions = current_editions(db, p).await?;
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let why = format!(
        "from the {} for {} (import on {})",
        import.which.words(),
        import.reference_date.format("%-d %B %Y"),
        now.format("%-d %B %Y %H:%M")
    );
    let (mut recorded, mut corrected) = (0, 0);
    for (organisation, entries) in by_source {
        let (r, c) = record_in(
            &mut tx,
            &editions,
            p,
            import.reference_date,
            organisation,
            entries,
            "return",
            &why,
        )
        .await?;
        recorded += r;
        corrected += c;
    }
    let files = serde_json::to_string(&import.files).unwrap_or_default();
    tx.insert(
            "INSERT INTO scorecard_imports (partnership_id, kind, reference_date, files, children, rows_read, figures_recorded, figures_corrected, imported_at, imported_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            args![p, import.which.key(), import.reference_date, files.as_str(), import.children, import.rows_read, recorded as i64, corrected as i64, now, actor.name.as_str()],
            Some(p),
            "scorecard-import",
            &format!(
                "{} for {} imported: {} figures recorded, {} of them corrections",
                import.which.key(),
                import.reference_date,
                recorded,
                corrected
            ),
            &serde_json::json!({"import": import, "recorded": recorded, "corrected": corrected}),
        )
        .await?;
    tx.commit().await?;
    Ok((recorded, corrected))
}

/// The partnership's imports, newest first.
pub async fn imports(db: &Db, p: PartnershipId) -> StoreResult<Vec<ImportFact>> {
    db.fetch_all(
        Sql::join(&[
            "SELECT ",
            IMPORT_COLUMNS,
            " FROM scorecard_imports WHERE partnership_id = $1 ORDER BY imported_at DESC, id DESC LIMIT 100",
        ]),
        args![p],
    )
    .await?
    .iter()
    .map(<ImportFact as crate::store::Record>::from_row)
    .collect()
}
