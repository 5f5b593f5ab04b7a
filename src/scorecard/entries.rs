//! What a source organisation sends, read and checked: a figure typed in a form, a row of an
//! uploaded CSV file, an entry sent to the API. Each is checked against its indicator (a whole
//! number, a percentage, a numerator not above its denominator) and every problem is named
//! with its field or its row. Pure: no database here.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

use serde::Serialize;

use super::format::{Indicator, Input, Unit};
use super::model::Milli;

/// A figure as sent, in the form its indicator takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub code: String,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub value_milli: Option<i64>,
}

/// The largest count accepted: more than every child in England.
pub const MAX_COUNT: i64 = 100_000_000;
/// Largest submission file, and most rows in it.
pub const MAX_FILE: usize = 1024 * 1024;
pub const MAX_ROWS: usize = 5000;

/// Which part of an entry a problem is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Value,
    Numerator,
    Denominator,
}

impl Part {
    /// The form field's name for an indicator.
    pub fn field(self, code: &str) -> String {
        match self {
            Part::Value => format!("v-{code}"),
            Part::Numerator => format!("n-{code}"),
            Part::Denominator => format!("d-{code}"),
        }
    }

    pub fn column(self) -> &'static str {
        match self {
            Part::Value => "value",
            Part::Numerator => "numerator",
            Part::Denominator => "denominator",
        }
    }
}

/// A whole number as people type it ("2,806", " 2806 "); `Ok(None)` when blank.
pub fn count(text: &str) -> Result<Option<i64>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let digits: String = t.chars().filter(|c| *c != ',').collect();
    if t.starts_with(',') || t.ends_with(',') || t.contains(",,") {
        return Err("must be a whole number, like 2806 or 2,806".into());
    }
    if let Some(rest) = digits.strip_prefix('-')
        && !rest.is_empty()
        && rest.bytes().all(|b| b.is_ascii_digit())
    {
        return Err("must be 0 or more".into());
    }
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(
            if digits.contains('.') && digits.replace('.', "").bytes().all(|b| b.is_ascii_digit()) {
                "must be a whole number, without a decimal point".into()
            } else {
                "must be a whole number, like 2806 or 2,806".into()
            },
        );
    }
    match digits.parse::<i64>() {
        Ok(n) if n <= MAX_COUNT => Ok(Some(n)),
        _ => Err(format!(
            "must be at most {}",
            super::model::grouped(MAX_COUNT)
        )),
    }
}

/// A decimal of up to three places ("22.5", "22.5%" for a percentage, "48.5"), in thousandths;
/// `Ok(None)` when blank.
pub fn decimal(text: &str, unit: Unit) -> Result<Option<Milli>, String> {
    let mut t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if unit == Unit::Percentage {
        t = t.strip_suffix('%').unwrap_or(t).trim_end();
    }
    let bad = || match unit {
        Unit::Percentage => "must be a percentage from 0 to 100, like 22.5".to_owned(),
        _ => "must be a number, like 48.5".to_owned(),
    };
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.starts_with('-')
        && whole[1..].bytes().all(|b| b.is_ascii_digit())
        && !whole[1..].is_empty()
    {
        return Err("must be 0 or more".into());
    }
    if whole.is_empty() && frac.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || whole.len() > 12
    {
        return Err(bad());
    }
    if frac.len() > 3 {
        return Err("must have at most three decimal places".into());
    }
    let w: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let f: i64 = format!("{frac:0<3}").parse().map_err(|_| bad())?;
    let v = Milli(w * 1000 + f);
    if unit == Unit::Percentage && v > Milli::whole(100) {
        return Err("must be a percentage from 0 to 100".into());
    }
    Ok(Some(v))
}

/// One indicator's entry from what was typed for it: `Ok(None)` when nothing was.
pub fn entry(
    i: &Indicator,
    value: &str,
    numerator: &str,
    denominator: &str,
) -> Result<Option<Entry>, Vec<(Part, String)>> {
    let mut problems = Vec::new();
    let mut e = Entry {
        code: i.code.clone(),
        numerator: None,
        denominator: None,
        value_milli: None,
    };
    match i.input() {
        Input::Derived => return Ok(None),
        Input::Count => match count(value) {
            Ok(None) => return Ok(None),
            Ok(Some(n)) => {
                e.numerator = Some(n);
                e.value_milli = Some(n * 1000);
            }
            Err(m) => problems.push((Part::Value, m)),
        },
        Input::Value => match decimal(value, i.unit) {
            Ok(None) => return Ok(None),
            Ok(Some(v)) => e.value_milli = Some(v.0),
            Err(m) => problems.push((Part::Value, m)),
        },
        Input::Share => {
            let n = count(numerator).map_err(|m| (Part::Numerator, m));
            let d = count(denominator).map_err(|m| (Part::Denominator, m));
            match (n, d) {
                (Ok(None), Ok(None)) => return Ok(None),
                (Ok(Some(_)), Ok(None)) => problems.push((
                    Part::Denominator,
                    "needs the denominator as well as the numerator".into(),
                )),
                (Ok(None), Ok(Some(_))) => problems.push((
                    Part::Numerator,
                    "needs the numerator as well as the denominator".into(),
                )),
                (Ok(Some(n)), Ok(Some(d))) => {
                    if d == 0 {
                        problems.push((Part::Denominator, "must be more than 0".into()));
                    } else if n > d {
                        problems.push((
                            Part::Numerator,
                            format!(
                                "must not be more than the denominator ({})",
                                super::model::grouped(d)
                            ),
                        ));
                    } else {
                        e.numerator = Some(n);
                        e.denominator = Some(d);
                        e.value_milli = super::model::percentage(n, d).map(|m| m.0);
                    }
                }
                (n, d) => {
                    problems.extend(n.err());
                    problems.extend(d.err());
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(Some(e))
    } else {
        Err(problems)
    }
}

/// A problem in an uploaded file: its line (1 is the header), the column and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub line: usize,
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            // The file as a whole: no line to point at. Said as a sentence.
            let mut m = self.message.chars();
            let first = m
                .next()
                .map(|c| c.to_uppercase().to_string())
                .unwrap_or_default();
            write!(f, "{first}{}", m.as_str())
        } else if self.column.is_empty() {
            write!(f, "Line {}: {}", self.line, self.message)
        } else {
            write!(f, "Line {}, {}: {}", self.line, self.column, self.message)
        }
    }
}

fn at(line: usize, column: &str, message: impl Into<String>) -> RowProblem {
    RowProblem {
        line,
        column: column.to_owned(),
        message: message.into(),
    }
}

/// The template's columns.
pub const COLUMNS: [&str; 5] = ["code", "indicator", "value", "numerator", "denominator"];

/// An uploaded file of an organisation's figures (CSV, or an XLSX workbook's first sheet),
/// checked whole against what it is asked for: every entry, or every problem with its line
/// (nothing is kept from a file with any).
pub fn read_file(asked: &[&Indicator], bytes: &[u8]) -> Result<Vec<Entry>, Vec<RowProblem>> {
    Ok(read_rows(asked, bytes, false)?
        .into_iter()
        .map(|(_, e)| e)
        .collect())
}

/// Past figures brought in by the business unit (last years' scorecards): the same columns,
/// with the last day of each figure's period in an `ends_on` column (2022-03-31).
pub fn read_history(
    known: &[&Indicator],
    bytes: &[u8],
) -> Result<Vec<(NaiveDate, Entry)>, Vec<RowProblem>> {
    Ok(read_rows(known, bytes, true)?
        .into_iter()
        .filter_map(|(d, e)| d.map(|d| (d, e)))
        .collect())
}

/// A sheet of text cells: the column names, and each row with its line (CSV) or row number
/// (XLSX), as people see them in their spreadsheet.
struct Grid {
    headers: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

/// A file of figures as a grid: an XLSX workbook's first sheet, or CSV text.
fn grid(bytes: &[u8]) -> Result<Grid, Vec<RowProblem>> {
    if bytes.len() > MAX_FILE {
        return Err(vec![at(
            1,
            "",
            format!(
                "the file is {} bytes; a file of figures is at most 1 MB",
                bytes.len()
            ),
        )]);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        xlsx_grid(bytes)
    } else {
        csv_grid(bytes)
    }
}

fn csv_grid(bytes: &[u8]) -> Result<Grid, Vec<RowProblem>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(vec![at(
            1,
            "",
            "the file is not UTF-8 text: save it from your spreadsheet as \"CSV UTF-8\", or upload the .xlsx workbook",
        )]);
    };
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
    {
        return Err(vec![at(
            1,
            "",
            "the file holds control characters: it is not a CSV file",
        )]);
    }
    // Lines starting with # are notes (a code never starts with one).
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|x| x.trim().to_ascii_lowercase()).collect(),
        Err(e) => {
            return Err(vec![at(
                1,
                "",
                format!("the first line cannot be read: {e}"),
            )]);
        }
    };
    let mut rows = Vec::new();
    for (k, rec) in reader.records().enumerate() {
        if k >= MAX_ROWS {
            return Err(vec![at(
                k + 2,
                "",
                format!("a file of figures has at most {MAX_ROWS} rows"),
            )]);
        }
        match rec {
            Ok(r) => {
                let line = r.position().map_or(k + 2, |p| p.line() as usize);
                rows.push((line, r.iter().map(str::to_owned).collect()));
            }
            Err(e) => return Err(vec![at(k + 2, "", format!("cannot be read: {e}"))]),
        }
    }
    Ok(Grid { headers, rows })
}

/// Most a workbook may hold once unpacked: a sheet of figures is a few kilobytes, and a small
/// file that unpacks to gigabytes (a zip bomb) is refused before it is read.
const MAX_UNPACKED: u64 = 20 * 1024 * 1024;

fn xlsx_grid(bytes: &[u8]) -> Result<Grid, Vec<RowProblem>> {
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    let not_a_workbook = || {
        vec![at(
            1,
            "",
            "the file is not a workbook masa can read: upload an .xlsx workbook or a CSV file",
        )]
    };
    let mut unpacked = 0u64;
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| not_a_workbook())?;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|_| not_a_workbook())?;
        unpacked = unpacked.saturating_add(f.size());
    }
    if unpacked > MAX_UNPACKED {
        return Err(vec![at(
            1,
            "",
            "the workbook unpacks to more than 20 MB: save just the figures in it",
        )]);
    }
    let mut book: Xlsx<_> =
        open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|_| not_a_workbook())?;
    let Some(sheet) = book.sheet_names().first().cloned() else {
        return Err(not_a_workbook());
    };
    let range = book.worksheet_range(&sheet).map_err(|_| not_a_workbook())?;
    // A formula's value is whatever the spreadsheet last worked out, which may not be what
    // was meant: a figure is typed.
    if let Ok(formulas) = book.worksheet_formula(&sheet)
        && let Some((r, c, _)) = formulas.used_cells().find(|(_, _, f)| !f.is_empty())
    {
        let (row, col) = formulas
            .start()
            .map_or((r, c), |(r0, c0)| (r + r0 as usize, c + c0 as usize));
        return Err(vec![at(
            row + 1,
            "",
            format!(
                "cell {}{} holds a formula: type the figure itself",
                column_letters(col),
                row + 1
            ),
        )]);
    }
    let start_row = range.start().map_or(0, |(r, _)| r as usize);
    let text = |d: &Data| match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    };
    let mut rows = range.rows().enumerate().map(|(k, r)| {
        (
            start_row + k + 1,
            r.iter().map(text).collect::<Vec<String>>(),
        )
    });
    let Some((_, headers)) = rows.next() else {
        return Err(vec![at(1, "", "the sheet is empty")]);
    };
    let rows: Vec<(usize, Vec<String>)> = rows.collect();
    if rows.len() > MAX_ROWS {
        return Err(vec![at(
            1,
            "",
            format!("a file of figures has at most {MAX_ROWS} rows"),
        )]);
    }
    Ok(Grid {
        headers: headers
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect(),
        rows,
    })
}

/// A spreadsheet's column letters: 0 is A, 26 is AA.
fn column_letters(mut c: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn read_rows(
    asked: &[&Indicator],
    bytes: &[u8],
    dated: bool,
) -> Result<Vec<(Option<NaiveDate>, Entry)>, Vec<RowProblem>> {
    let Grid { headers, rows } = grid(bytes)?;
    let col = |name: &str| headers.iter().position(|h| h == name);
    let named = |h: &str| COLUMNS.contains(&h) || (dated && h == "ends_on");
    let Some(code_at) = col("code") else {
        return Err(vec![at(
            1,
            "",
            "the first line must name the columns, among them code and value (download the template)",
        )]);
    };
    let date_at = col("ends_on");
    if dated && date_at.is_none() {
        return Err(vec![at(
            1,
            "",
            "the first line must name an ends_on column: the last day of each figure's period",
        )]);
    }
    if let Some(h) = headers.iter().find(|h| !h.is_empty() && !named(h)) {
        return Err(vec![at(
            1,
            "",
            format!(
                "unknown column {h:?}: the columns are {}{}",
                if dated { "ends_on, " } else { "" },
                COLUMNS.join(", ")
            ),
        )]);
    }
    let (v_at, n_at, d_at) = (col("value"), col("numerator"), col("denominator"));
    let mut problems = Vec::new();
    let mut entries = Vec::new();
    let mut seen = BTreeSet::new();
    for (line, rec) in &rows {
        let line = *line;
        let cell = |i: Option<usize>| i.and_then(|i| rec.get(i)).map_or("", |s| s.trim());
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let code = cell(Some(code_at));
        let Some(i) = asked.iter().find(|i| i.code == code) else {
            problems.push(at(line, "code", if code.is_empty() {
                "is blank".to_owned()
            } else if dated {
                format!("{code:?} is not an indicator that is sent (or not one of this partnership's)")
            } else {
                format!("{code:?} is not one of the indicators asked of you for this period")
            }));
            continue;
        };
        let day = if dated {
            match NaiveDate::parse_from_str(cell(date_at), "%Y-%m-%d") {
                Ok(d) if d.year() >= 1990 && super::model::month_end(d) == d => Some(d),
                Ok(_) => {
                    problems.push(at(
                        line,
                        "ends_on",
                        "must be the last day of a month from 1990",
                    ));
                    continue;
                }
                Err(_) => {
                    problems.push(at(line, "ends_on", "must be a date like 2022-03-31"));
                    continue;
                }
            }
        } else {
            None
        };
        if !seen.insert((code.to_owned(), day)) {
            problems.push(at(
                line,
                "code",
                format!("{code} is on an earlier line too"),
            ));
            continue;
        }
        let needs = |part: Part, at_col: Option<usize>| at_col.is_none().then_some(part);
        let missing = match i.input() {
            Input::Share => needs(Part::Numerator, n_at).or(needs(Part::Denominator, d_at)),
            _ => needs(Part::Value, v_at),
        };
        if let Some(part) = missing {
            problems.push(at(
                line,
                part.column(),
                format!("{code} needs a {} column", part.column()),
            ));
            continue;
        }
        match entry(i, cell(v_at), cell(n_at), cell(d_at)) {
            Ok(Some(e)) => entries.push((day, e)),
            Ok(None) => {}
            Err(ps) => problems.extend(
                ps.into_iter()
                    .map(|(part, m)| at(line, part.column(), format!("{code} {m}"))),
            ),
        }
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scorecard::format::{Known, parse};

    const DOC: &str = r#"
schema = "masa-scorecard/1"

[[indicators]]
code = "referrals"
name = "Referrals"
unit = "count"
source = "council"
frequency = "quarterly"

[[indicators]]
code = "outside"
name = "Placed outside the city"
unit = "percentage"
numerator = "Children placed outside PL1 to PL7 and PL9"
denominator = "Children looked after"
source = "council"
frequency = "quarterly"

[[indicators]]
code = "attendance"
name = "Pupils attending school"
unit = "percentage"
source = "council"
frequency = "quarterly"
"#;

    #[test]
    fn numbers_as_people_type_them() {
        assert_eq!(count("2,806"), Ok(Some(2806)));
        assert_eq!(count(" 2806 "), Ok(Some(2806)));
        assert_eq!(count(""), Ok(None));
        assert!(count("-3").expect_err("refused").contains("0 or more"));
        assert!(count("2.5").expect_err("refused").contains("decimal point"));
        assert!(count("=1+1").expect_err("refused").contains("whole number"));
        assert!(count("2,,806").is_err());
        assert!(
            count("999999999999999999999")
                .expect_err("refused")
                .contains("at most")
        );
        assert_eq!(decimal("22.5%", Unit::Percentage), Ok(Some(Milli(22_500))));
        assert_eq!(decimal(".5", Unit::Average), Ok(Some(Milli(500))));
        assert!(decimal("100.1", Unit::Percentage).is_err());
        assert!(
            decimal("1.2345", Unit::Average)
                .expect_err("refused")
                .contains("three decimal")
        );
        assert!(decimal("abc", Unit::Average).is_err());
        assert!(
            decimal("-1", Unit::Days)
                .expect_err("refused")
                .contains("0 or more")
        );
    }

    #[test]
    fn a_share_needs_both_parts_and_the_first_not_above_the_second() {
        let d = parse(DOC.as_bytes(), &Known::default()).expect("present");
        let share = d.indicator("outside").expect("present");
        let e = entry(share, "", "181", "493")
            .expect("present")
            .expect("present");
        assert_eq!(e.value_milli, Some(36_700));
        assert_eq!(entry(share, "", "", ""), Ok(None));
        assert_eq!(
            entry(share, "", "500", "493").expect_err("refused")[0].0,
            Part::Numerator
        );
        assert_eq!(
            entry(share, "", "5", "").expect_err("refused")[0].0,
            Part::Denominator
        );
        assert_eq!(
            entry(share, "", "1", "0").expect_err("refused")[0].0,
            Part::Denominator
        );
    }

    #[test]
    fn a_file_with_one_bad_row_gives_every_problem_and_no_entries() {
        let d = parse(DOC.as_bytes(), &Known::default()).expect("present");
        let asked: Vec<&Indicator> = d.all_indicators().collect();
        let good = "code,indicator,value,numerator,denominator\nreferrals,Referrals,\"2,806\",,\noutside,,,181,493\nattendance,,86.4%,,\n";
        let entries = read_file(&asked, good.as_bytes()).expect("present");
        assert_eq!(entries.len(), 3);
        let bad = "code,value,numerator,denominator\nreferrals,=SUM(A1:A9),,\noutside,,500,493\nnope,1,,\nattendance,86.4,,\nreferrals,3,,\n";
        let problems = read_file(&asked, bad.as_bytes()).expect_err("refused");
        let words: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            words,
            [
                "Line 2, value: referrals must be a whole number, like 2806 or 2,806",
                "Line 3, numerator: outside must not be more than the denominator (493)",
                "Line 4, code: \"nope\" is not one of the indicators asked of you for this period",
                "Line 6, code: referrals is on an earlier line too",
            ]
        );
    }

    #[test]
    fn history_has_a_day_for_each_figure() {
        let d = parse(DOC.as_bytes(), &Known::default()).expect("present");
        let known: Vec<&Indicator> = d.all_indicators().collect();
        let good = "ends_on,code,value,numerator,denominator\n2020-03-31,referrals,3164,,\n2021-03-31,referrals,3616,,\n";
        let rows = read_history(&known, good.as_bytes()).expect("present");
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[1].0,
            NaiveDate::from_ymd_opt(2021, 3, 31).expect("present")
        );
        let bad = "ends_on,code,value\n2020-03-30,referrals,1\n31/03/2021,referrals,2\n2020-03-31,referrals,3\n2020-03-31,referrals,4\n";
        let words: Vec<String> = read_history(&known, bad.as_bytes())
            .expect_err("refused")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            words,
            [
                "Line 2, ends_on: must be the last day of a month from 1990",
                "Line 3, ends_on: must be a date like 2022-03-31",
                "Line 5, code: referrals is on an earlier line too",
            ]
        );
        assert!(
            read_history(&known, b"code,value\n").expect_err("refused")[0]
                .message
                .contains("ends_on")
        );
    }

    fn workbook(rows: &[&[&str]], formula: Option<(u32, u16, &str)>) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match v.parse::<f64>() {
                    Ok(n) => sheet.write_number(r, c, n).map(|_| ()),
                    Err(_) => sheet.write_string(r, c, *v).map(|_| ()),
                }
                .expect("cell");
            }
        }
        if let Some((r, c, f)) = formula {
            sheet.write_formula(r, c, f).expect("formula");
        }
        book.save_to_buffer().expect("xlsx")
    }

    #[test]
    fn a_workbook_is_read_as_its_first_sheet() {
        let d = parse(DOC.as_bytes(), &Known::default()).expect("present");
        let asked: Vec<&Indicator> = d.all_indicators().collect();
        let good = workbook(
            &[
                &["code", "value", "numerator", "denominator"],
                &["referrals", "2806"],
                &["outside", "", "181", "493"],
                &["attendance", "86.4"],
            ],
            None,
        );
        let entries = read_file(&asked, &good).expect("read");
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].numerator, Some(2806));
        assert_eq!(entries[2].value_milli, Some(86_400));
        let bad = workbook(
            &[&["code", "value"], &["referrals", "2806.5"], &["nope", "1"]],
            None,
        );
        let words: Vec<String> = read_file(&asked, &bad)
            .expect_err("refused")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            words,
            [
                "Line 2, value: referrals must be a whole number, without a decimal point",
                "Line 3, code: \"nope\" is not one of the indicators asked of you for this period",
            ]
        );
        let formula = workbook(
            &[&["code", "value"], &["referrals"]],
            Some((1, 1, "=2000+806")),
        );
        let p = read_file(&asked, &formula).expect_err("refused");
        assert_eq!(
            p[0].message,
            "cell B2 holds a formula: type the figure itself"
        );
        assert!(
            read_file(&asked, b"PK\x03\x04 not really a zip").expect_err("refused")[0]
                .message
                .contains("not a workbook")
        );
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(27), "AB");
    }

    #[test]
    fn files_that_are_not_csv_are_refused() {
        let d = parse(DOC.as_bytes(), &Known::default()).expect("present");
        let asked: Vec<&Indicator> = d.all_indicators().collect();
        let latin1 = b"code,value\nreferrals,\xa3100\n";
        assert!(
            read_file(&asked, latin1).expect_err("refused")[0]
                .message
                .contains("UTF-8")
        );
        assert!(
            read_file(&asked, b"value\n1\n").expect_err("refused")[0]
                .message
                .contains("code")
        );
        assert!(
            read_file(&asked, b"code,colour\n").expect_err("refused")[0]
                .message
                .contains("unknown column")
        );
        assert!(read_file(&asked, &vec![b'a'; MAX_FILE + 1]).is_err());
        assert!(read_file(&asked, b"code,value\x00\n").is_err());
    }
}
