//! The local authority's statutory returns brought into the scorecard by the business unit:
//! the children in need census (one XML file) and the SSDA903 return (its CSV tables). The
//! readers (`returns`) check the files and count; an import records each count as the figure
//! of the indicator that names it (`from_return`) for the return's reference date, and keeps
//! the fact of the import: file names, SHA-256 digests, sizes, how many children and rows,
//! who and when. The files and every child's row are dropped when the request ends.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use sha2::{Digest, Sha256};

use super::entries::Entry;
use super::format::{Document, Input};
use super::model::percentage;
use super::returns::figures::{Counted, Key, Return};
use super::returns::{self, ReturnProblem};
use super::store::{self, ImportFact, ImportedFile, ReturnImport};
use crate::state::Ctx;
use crate::web::error::{AppError, AppResult};
use crate::web::page::Page;

/// The largest census taken through the web: a large authority's (60,000 children) is about
/// 61 MB. Held in memory while it is read, by the business unit only.
pub const MAX_CENSUS: usize = 128 * 1024 * 1024;
/// The largest set of SSDA903 tables together (30,000 episodes are about 3 MB).
pub const MAX_903: usize = 32 * 1024 * 1024;

/// The figure an indicator takes from a count, by how the indicator is sent: a count, two
/// counts (part of a whole), or the percentage itself. `None` when there is nothing to record
/// (a percentage of nothing).
pub fn entry(code: &str, input: Input, counted: Counted) -> Option<Entry> {
    let mut e = Entry {
        code: code.to_owned(),
        numerator: None,
        denominator: None,
        value_milli: None,
    };
    match (input, counted) {
        (Input::Count, c) => {
            e.numerator = Some(c.count());
            e.value_milli = Some(c.count() * 1000);
        }
        (Input::Share, Counted::Share { part, whole }) if whole > 0 => {
            e.numerator = Some(part);
            e.denominator = Some(whole);
            e.value_milli = percentage(part, whole).map(|m| m.0);
        }
        (Input::Value, Counted::Share { part, whole }) if whole > 0 => {
            e.value_milli = percentage(part, whole).map(|m| m.0);
        }
        // The document's check refuses the rest; a whole of 0 gives no percentage.
        _ => return None,
    }
    Some(e)
}

/// What a return gives the document's indicators, by source organisation (the figures are
/// recorded as that organisation's).
pub fn entries(
    d: &Document,
    which: Return,
    count: impl Fn(&Key) -> Option<Counted>,
) -> BTreeMap<String, Vec<Entry>> {
    let mut out: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for i in d.all_indicators() {
        let Ok(key) = Key::parse(&i.from_return) else {
            continue;
        };
        if key.of_return() != which {
            continue;
        }
        if let Some(e) = count(&key).and_then(|c| entry(&i.code, i.input(), c)) {
            out.entry(i.source.clone()).or_default().push(e);
        }
    }
    out
}

/// An indicator that takes a count from a return, for the page.
pub struct Takes {
    pub code: String,
    pub name: String,
    pub key: String,
}

fn takes(d: &Document, which: Return) -> Vec<Takes> {
    d.all_indicators()
        .filter(|i| Key::parse(&i.from_return).is_ok_and(|k| k.of_return() == which))
        .map(|i| Takes {
            code: i.code.clone(),
            name: i.name.clone(),
            key: i.from_return.clone(),
        })
        .collect()
}

/// The 31 Marches a 903 return may end on: this collection year's and the two before.
pub fn year_endings(today: NaiveDate) -> Vec<NaiveDate> {
    let last = if (today.month(), today.day()) >= (3, 31) {
        today.year()
    } else {
        today.year() - 1
    };
    (0..3)
        .filter_map(|k| NaiveDate::from_ymd_opt(last - k, 3, 31))
        .collect()
}

pub struct ImportRow {
    pub fact: ImportFact,
    pub files: Vec<ImportedFile>,
}

#[derive(Template, WebTemplate)]
#[template(path = "scorecard/returns.html")]
struct ReturnsPage {
    page: Page,
    has_document: bool,
    cin: Vec<Takes>,
    lac: Vec<Takes>,
    inside_area: String,
    year_endings: Vec<(String, String)>,
    chosen_year: String,
    imports: Vec<ImportRow>,
    /// Which form the problems are about: `cin` or `903`.
    refused: &'static str,
    problems: Vec<ReturnProblem>,
}

async fn returns_page(
    ctx: &Ctx,
    refused: &'static str,
    problems: Vec<ReturnProblem>,
    chosen_year: String,
) -> AppResult<ReturnsPage> {
    let doc = super::document(&ctx.st, ctx.p).await?;
    let (cin, lac, inside) = match &doc {
        Some((_, d)) => (
            takes(d, Return::Cin),
            takes(d, Return::Lac),
            d.returns.inside_area.join(", "),
        ),
        None => (Vec::new(), Vec::new(), String::new()),
    };
    let imports = store::imports(&ctx.st.db, ctx.p)
        .await?
        .into_iter()
        .map(|fact| ImportRow {
            files: fact.files(),
            fact,
        })
        .collect();
    Ok(ReturnsPage {
        page: Page::new(&ctx.viewer, "Statutory returns", "/scorecard"),
        has_document: doc.is_some(),
        cin,
        lac,
        inside_area: inside,
        year_endings: year_endings(crate::calendar::today())
            .into_iter()
            .map(|d| (d.to_string(), d.format("%-d %B %Y").to_string()))
            .collect(),
        chosen_year,
        imports,
        refused,
        problems,
    })
}

pub async fn page(ctx: Ctx) -> AppResult<Response> {
    Ok(returns_page(&ctx, "", Vec::new(), String::new())
        .await?
        .into_response())
}

fn problem(file: &str, message: impl Into<String>) -> Vec<ReturnProblem> {
    vec![ReturnProblem {
        file: file.to_owned(),
        line: 0,
        field: String::new(),
        message: message.into(),
    }]
}

fn kept(name: &str, bytes: &[u8]) -> ImportedFile {
    ImportedFile {
        name: name.to_owned(),
        sha256: hex::encode(Sha256::digest(bytes)),
        bytes: bytes.len() as i64,
    }
}

async fn refuse(
    ctx: &Ctx,
    which: &'static str,
    problems: Vec<ReturnProblem>,
    chosen_year: String,
) -> AppResult<Response> {
    let page = returns_page(ctx, which, problems, chosen_year).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// Record what a return gave, with the fact of the import, and say so.
async fn record(
    ctx: &Ctx,
    import: ReturnImport,
    by_source: BTreeMap<String, Vec<Entry>>,
) -> AppResult<Response> {
    let (recorded, corrected) =
        store::import_return(&ctx.st.db, &ctx.viewer.actor(), ctx.p, &import, &by_source).await?;
    let words = import.which.words();
    crate::web::saved(
        &ctx.st.db,
        &ctx.viewer,
        &format!(
            "The {words} for {} was read ({} children): {recorded} figure{} recorded, {corrected} of them correction{}. The files and the children's rows were not kept.",
            import.reference_date.format("%-d %B %Y"),
            import.children,
            if recorded == 1 { "" } else { "s" },
            if corrected == 1 { "" } else { "s" },
        ),
        "/scorecard/returns",
    )
    .await
}

/// The census: one XML file, its reference date its own.
pub async fn census(ctx: Ctx, form: axum::extract::Multipart) -> AppResult<Response> {
    let up = crate::files::Upload::read(form, MAX_CENSUS).await?;
    let Some((_, d)) = super::document(&ctx.st, ctx.p).await? else {
        return Err(AppError::NotFound);
    };
    if up.too_large {
        let m = format!(
            "The file must be smaller than {} MB",
            MAX_CENSUS / 1024 / 1024
        );
        return refuse(&ctx, "cin", problem("", m), String::new()).await;
    }
    let (name, bytes) = match &up.file {
        Some((n, b)) if !b.is_empty() && up.more.is_empty() => (crate::files::clean_name(n), b),
        Some(_) if !up.more.is_empty() => {
            let m = "Select one file: the census is a single XML file";
            return refuse(&ctx, "cin", problem("", m), String::new()).await;
        }
        _ => {
            let m = "Select the children in need census file (XML) to import";
            return refuse(&ctx, "cin", problem("", m), String::new()).await;
        }
    };
    let figures = match returns::read_cin(&name, bytes) {
        Ok(f) => f,
        Err(problems) => return refuse(&ctx, "cin", problems, String::new()).await,
    };
    let by_source = entries(&d, Return::Cin, |k| k.of_cin(&figures));
    let import = ReturnImport {
        which: Return::Cin,
        reference_date: figures.reference_date,
        files: vec![kept(&name, bytes)],
        children: figures.children as i64,
        rows_read: figures.children as i64,
    };
    record(&ctx, import, by_source).await
}

/// The SSDA903 return: its tables (header and episodes at least), for a year ending 31 March.
pub async fn ssda903(ctx: Ctx, form: axum::extract::Multipart) -> AppResult<Response> {
    let up = crate::files::Upload::read(form, MAX_903).await?;
    let Some((_, d)) = super::document(&ctx.st, ctx.p).await? else {
        return Err(AppError::NotFound);
    };
    let chosen = up.field("year-ending").to_owned();
    if up.too_large {
        let m = format!(
            "The files must be smaller than {} MB together",
            MAX_903 / 1024 / 1024
        );
        return refuse(&ctx, "903", problem("", m), chosen).await;
    }
    let Some(year_ending) = year_endings(crate::calendar::today())
        .into_iter()
        .find(|y| y.to_string() == chosen)
    else {
        let m = "Select the year the return ends";
        return refuse(&ctx, "903", problem("year ending", m), chosen).await;
    };
    let files: Vec<(String, Vec<u8>)> = up
        .file
        .iter()
        .chain(up.more.iter())
        .map(|(n, b)| (crate::files::clean_name(n), b.clone()))
        .collect();
    if files.is_empty() {
        let m = "Select the return's CSV files (Header and Episodes at least) to import";
        return refuse(&ctx, "903", problem("", m), chosen).await;
    }
    let figures = match returns::read_903(&files, year_ending, &d.returns.rules()) {
        Ok(f) => f,
        Err(problems) => return refuse(&ctx, "903", problems, chosen).await,
    };
    let by_source = entries(&d, Return::Lac, |k| k.of_903(&figures));
    let import = ReturnImport {
        which: Return::Lac,
        reference_date: figures.reference_date,
        files: files.iter().map(|(n, b)| kept(n, b)).collect(),
        children: figures.children as i64,
        rows_read: figures.episodes as i64,
    };
    record(&ctx, import, by_source).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_goes_to_a_count_a_share_to_two_counts_or_a_percentage() {
        let share = Counted::Share {
            part: 631,
            whole: 2806,
        };
        let e = entry("re-referrals", Input::Count, share).expect("a figure");
        assert_eq!(
            (e.numerator, e.denominator, e.value_milli),
            (Some(631), None, Some(631_000))
        );
        let e = entry("re-referrals-percent", Input::Share, share).expect("a figure");
        assert_eq!(
            (e.numerator, e.denominator, e.value_milli),
            (Some(631), Some(2806), Some(22_500))
        );
        let e = entry("cla-outside", Input::Value, share).expect("a figure");
        assert_eq!((e.numerator, e.value_milli), (None, Some(22_500)));
        // Nothing to divide by: no figure rather than a made-up 0%.
        let none = Counted::Share { part: 0, whole: 0 };
        assert_eq!(entry("x", Input::Value, none), None);
        assert_eq!(entry("x", Input::Derived, Counted::Count(4)), None);
        assert_eq!(entry("x", Input::Value, Counted::Count(4)), None);
    }

    #[test]
    fn a_903_may_end_this_year_or_the_two_before() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("a date");
        assert_eq!(
            year_endings(d(2026, 12, 3)),
            vec![d(2026, 3, 31), d(2025, 3, 31), d(2024, 3, 31)]
        );
        assert_eq!(year_endings(d(2026, 3, 30))[0], d(2025, 3, 31));
        assert_eq!(year_endings(d(2026, 3, 31))[0], d(2026, 3, 31));
    }

    #[test]
    fn only_the_indicators_that_name_the_return_take_its_counts() {
        let text = r#"
schema = "masa-scorecard/1"

[[indicators]]
code = "referrals"
name = "Referrals"
unit = "count"
source = "council"
frequency = "quarterly"
from_return = "cin.referrals"

[[indicators]]
code = "cla"
name = "Looked after"
unit = "count"
source = "council"
frequency = "quarterly"
from_return = "903.looked-after"

[[indicators]]
code = "police"
name = "Police referrals"
unit = "count"
source = "police"
frequency = "quarterly"
"#;
        let d = super::super::format::parse(text.as_bytes(), &Default::default())
            .expect("a good document");
        let got = entries(&d, Return::Cin, |k| match k {
            Key::Referrals => Some(Counted::Count(2806)),
            _ => None,
        });
        let council = got.get("council").expect("the council's");
        assert_eq!(council.len(), 1);
        assert_eq!(
            (council[0].code.as_str(), council[0].numerator),
            ("referrals", Some(2806))
        );
        assert!(!got.contains_key("police"));
    }
}
