//! Search: one function over SQLite's FTS5 and PostgreSQL's full text. Capabilities put what
//! people may find into `search_entries` (each entry says which body it belongs to and whether
//! it is restricted); `find` answers a query within what the person may see, best first, with
//! the matched words marked.

use chrono::NaiveDate;
use serde::Serialize;

use super::db::{Db, Engine, Statement, StoreResult};
use super::{PartnershipId, Row};

/// Markers the engines put around matched words (private-use characters), turned into
/// `<mark>` after the text is escaped.
const START: char = '\u{E000}';
const STOP: char = '\u{E001}';

/// What a person may see, for the query to filter by.
#[derive(Clone, Debug)]
pub struct Scope {
    pub partnership: PartnershipId,
    /// Every body's records (the business unit, the scrutineer).
    pub all_bodies: bool,
    /// The bodies whose records they may see otherwise (their seats).
    pub bodies: Vec<String>,
    /// Every restricted item (the business unit).
    pub all_restricted: bool,
    /// The restricted items they were named for.
    pub named_items: Vec<i64>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Hit {
    pub kind: String,
    pub record_id: i64,
    pub link: String,
    pub body_key: String,
    pub on_date: Option<NaiveDate>,
    /// Escaped HTML with the matched words in `<mark>`.
    pub title_html: String,
    pub snippet_html: String,
}

/// The words of a query: letters and digits only (so nothing in a query is ever syntax), at
/// most eight, each at most 40 characters.
pub fn terms(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(40).collect::<String>().to_lowercase())
        .take(8)
        .collect()
}

/// Escape text for a page, then turn the engine's markers into `<mark>`, always balanced
/// (a marker that was already in someone's text cannot open a tag it does not close).
pub fn marked(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut open = false;
    for c in text.chars() {
        match c {
            START if !open => {
                out.push_str("<mark>");
                open = true;
            }
            STOP if open => {
                out.push_str("</mark>");
                open = false;
            }
            START | STOP => {}
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

/// The entries matching every word of the query (each as a prefix), within the scope, best
/// first: a match in a title counts more than one in the text. Two steps, so that only the
/// entries shown are marked up: the best `limit` are chosen first, then highlighted.
pub async fn find(db: &Db, scope: &Scope, query: &str, limit: i64) -> StoreResult<Vec<Hit>> {
    find_in(db, scope, None, query, limit).await
}

/// [`find`], among the entries of one kind only (the public library searches its documents).
pub async fn find_kind(
    db: &Db,
    scope: &Scope,
    kind: &str,
    query: &str,
    limit: i64,
) -> StoreResult<Vec<Hit>> {
    find_in(db, scope, Some(kind), query, limit).await
}

async fn find_in(
    db: &Db,
    scope: &Scope,
    kind: Option<&str>,
    query: &str,
    limit: i64,
) -> StoreResult<Vec<Hit>> {
    let words = terms(query);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let (start, stop) = (START.to_string(), STOP.to_string());
    let engine = db.engine();
    // The words as the engine's query: letters and digits only (see `terms`), bound as a value.
    let m = match engine {
        Engine::Sqlite => words
            .iter()
            .map(|w| format!("\"{w}\"*"))
            .collect::<Vec<_>>()
            .join(" AND "),
        Engine::Postgres => words
            .iter()
            .map(|w| format!("{w}:*"))
            .collect::<Vec<_>>()
            .join(" & "),
    };
    let sight = |q: &mut Statement| {
        q.push(" AND e.partnership_id = ").bind(scope.partnership);
        if let Some(k) = kind {
            q.push(" AND e.kind = ").bind(k);
        }
        if !scope.all_bodies {
            // No body: everyone's, unless it came from a restricted record.
            q.push(" AND e.body_key IN ('', ")
                .bind_list(scope.bodies.iter().map(String::as_str))
                .push(") AND NOT (e.body_key = '' AND e.sensitive = TRUE)");
        }
        if !scope.all_restricted {
            q.push(" AND (e.restricted = FALSE OR e.agenda_item_id IN (")
                .bind_list(scope.named_items.iter().copied())
                .push("))");
        }
    };
    let limit = limit.clamp(1, 500);
    let mut q = Statement::default();
    match engine {
        // CROSS JOIN keeps the full-text index as the outer loop (the planner would otherwise
        // walk every entry of the partnership and probe the index for each).
        Engine::Sqlite => {
            q.push("WITH best AS (SELECT e.id, bm25(search_fts, 10.0, 1.0) AS score, e.on_date FROM search_fts CROSS JOIN search_entries e ON e.id = search_fts.rowid WHERE search_fts MATCH ")
                .bind(m.as_str());
            sight(&mut q);
            q.push(" ORDER BY score, e.on_date DESC LIMIT ")
                .bind(limit)
                .push(") SELECT e.kind, e.record_id, e.link, e.body_key, e.on_date, highlight(search_fts, 0, ")
                .bind(start.as_str())
                .push(", ")
                .bind(stop.as_str())
                .push(") AS title_hl, snippet(search_fts, 1, ")
                .bind(start.as_str())
                .push(", ")
                .bind(stop.as_str())
                .push(", '…', 24) AS snippet_hl FROM best CROSS JOIN search_fts ON search_fts.rowid = best.id CROSS JOIN search_entries e ON e.id = best.id WHERE search_fts MATCH ")
                .bind(m.as_str())
                .push(" ORDER BY best.score, best.on_date DESC");
        }
        Engine::Postgres => {
            let t = format!("StartSel={start}, StopSel={stop}, HighlightAll=true");
            let x = format!(
                "StartSel={start}, StopSel={stop}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \""
            );
            q.push("WITH best AS (SELECT e.id, ts_rank(e.document, to_tsquery('english', ")
                .bind(m.as_str())
                .push(")) AS score, e.on_date FROM search_entries e WHERE e.document @@ to_tsquery('english', ")
                .bind(m.as_str())
                .push(")");
            sight(&mut q);
            q.push(" ORDER BY score DESC, e.on_date DESC LIMIT ")
                .bind(limit)
                .push(") SELECT e.kind, e.record_id, e.link, e.body_key, e.on_date, ts_headline('english', e.title, to_tsquery('english', ")
                .bind(m.as_str())
                .push("), ")
                .bind(t)
                .push(") AS title_hl, ts_headline('english', e.content, to_tsquery('english', ")
                .bind(m.as_str())
                .push("), ")
                .bind(x)
                .push(") AS snippet_hl FROM best JOIN search_entries e ON e.id = best.id ORDER BY best.score DESC, best.on_date DESC");
        }
    }
    let (sql, args) = q.parts();
    let rows = db.fetch_all(sql, args).await?;
    rows.iter().map(hit_of).collect()
}

fn hit_of(r: &Row) -> StoreResult<Hit> {
    let title: String = r.get("title_hl")?;
    let snippet: String = r.get("snippet_hl")?;
    Ok(Hit {
        kind: r.get("kind")?,
        record_id: r.get("record_id")?,
        link: r.get("link")?,
        body_key: r.get("body_key")?,
        on_date: r.get("on_date")?,
        title_html: marked(&title),
        snippet_html: marked(&snippet),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_words_only() {
        assert_eq!(
            terms("\"neglect\" OR NEAR(x) -strategy* AND"),
            vec!["neglect", "or", "near", "x", "strategy", "and"]
        );
        assert!(terms("  --  \" ").is_empty());
        assert_eq!(terms("a b c d e f g h i j").len(), 8);
    }

    #[test]
    fn marks_survive_escaping_and_nothing_else_does() {
        let t = format!("<b>{START}Neglect{STOP}</b> & \"more\"");
        assert_eq!(
            marked(&t),
            "&lt;b&gt;<mark>Neglect</mark>&lt;/b&gt; &amp; &quot;more&quot;"
        );
        assert_eq!(marked(&format!("a{STOP}b{START}c")), "ab<mark>c</mark>");
    }
}
