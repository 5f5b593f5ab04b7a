//! The two statutory returns an English local authority makes about children's social care,
//! read to count the scorecard's standard indicators: the children in need census (one XML
//! file, [`cin`]) and the SSDA903 children looked after return (CSV tables, [`ssda903`]).
//!
//! Pure: no database, no web. Each reader checks its file against the return's published
//! specification (structure, codes, dates, and the logic the counting rests on) and reports
//! every problem with its file, line and field; a file with any problem gives no figures.
//!
//! Data minimisation: the readers hold a child's rows only while reading that child (the
//! census) or a hashed key per child (the 903, to match episodes to the header table), and
//! give back counts only. No identifier, date of birth or postcode leaves a reader, and no
//! problem repeats the value it is about: it names the file, line and field.
//!
//! Specifications followed: the children in need census 2025 to 2026 and the SSDA903 return
//! for the year ending 31 March 2026, with the code changes of the two years before them read
//! by the return's year (see each module), so the 2023 to 2024 and 2024 to 2025 returns read too.

pub mod cin;
pub mod figures;
pub mod ssda903;
pub mod stream;

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use cin::{CinFigures, read_cin};
pub use ssda903::{LacFigures, read_903};

/// The largest file read at all: a census of 60,000 children is about 70 MB.
pub const MAX_BYTES: usize = 512 * 1024 * 1024;
/// The largest SSDA903 table read: 30,000 episodes are about 3 MB.
pub const MAX_TABLE_BYTES: usize = 64 * 1024 * 1024;
/// Problems kept in full; the rest are counted in one last problem.
pub const MAX_PROBLEMS: usize = 1000;

/// One thing wrong with a return: where it is and what is wrong, never the value itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnProblem {
    pub file: String,
    /// 1 for the first line; 0 when the problem is the file's (or the settings') as a whole.
    pub line: usize,
    /// The element or column; empty when the problem is not one field's.
    pub field: String,
    pub message: String,
}

impl fmt::Display for ReturnProblem {
    /// `census.xml, line 12, CPPstartDate: not a date`; the line and field are left out when
    /// the problem has none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::with_capacity(3);
        if !self.file.is_empty() {
            parts.push(self.file.clone());
        }
        if self.line > 0 {
            parts.push(format!("line {}", self.line));
        }
        if !self.field.is_empty() {
            parts.push(self.field.clone());
        }
        if parts.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", parts.join(", "), self.message)
        }
    }
}

impl std::error::Error for ReturnProblem {}

/// What the figures need to know about the area.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    /// Postcode districts (outward codes) inside the area, e.g. `["PL1", ..., "PL7", "PL9"]`
    /// for Plymouth. A placement whose postcode's district is not in the list is outside the
    /// area; with an empty list every placement with a postcode counts as inside.
    pub inside_area: Vec<String>,
}

impl Rules {
    /// Whether a district (already upper case, no spaces) is inside the area.
    pub(crate) fn inside(&self, district: &str) -> bool {
        self.inside_area.is_empty()
            || self
                .inside_area
                .iter()
                .any(|d| normalise_district(d) == district)
    }
}

fn normalise_district(d: &str) -> String {
    d.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Every problem of one reading, the first [`MAX_PROBLEMS`] in full.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    kept: Vec<ReturnProblem>,
    more: usize,
}

impl Problems {
    pub(crate) fn push(
        &mut self,
        file: &str,
        line: usize,
        field: &str,
        message: impl Into<String>,
    ) {
        if self.kept.len() < MAX_PROBLEMS {
            self.kept.push(ReturnProblem {
                file: file.to_string(),
                line,
                field: field.to_string(),
                message: message.into(),
            });
        } else {
            self.more += 1;
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    pub(crate) fn finish(mut self) -> Vec<ReturnProblem> {
        if self.more > 0 {
            let message = format!(
                "and {} more problem{} not listed",
                self.more,
                if self.more == 1 { "" } else { "s" }
            );
            self.kept.push(ReturnProblem {
                file: String::new(),
                line: 0,
                field: String::new(),
                message,
            });
        }
        self.kept
    }
}

/// The file's text, or why it is refused: too large, or not UTF-8 (UTF-16, NUL bytes, or a
/// byte sequence that is not UTF-8, with its line). A UTF-8 byte order mark is dropped.
pub(crate) fn utf8_text<'a>(
    name: &str,
    bytes: &'a [u8],
    max: usize,
) -> Result<&'a str, ReturnProblem> {
    let refuse = |line: usize, message: String| ReturnProblem {
        file: name.to_string(),
        line,
        field: String::new(),
        message,
    };
    if bytes.len() > max {
        return Err(too_large(name, bytes.len(), max));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(refuse(
            0,
            "the file is not UTF-8 (it is UTF-16): save it as UTF-8".to_string(),
        ));
    }
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(text) => {
            if let Some(at) = body.iter().position(|&b| b == 0) {
                return Err(refuse(
                    line_at(body, at),
                    "the file is not UTF-8 (it has NUL bytes, as UTF-16 does): save it as UTF-8"
                        .to_string(),
                ));
            }
            Ok(text)
        }
        Err(e) => Err(refuse(
            line_at(body, e.valid_up_to()),
            "the file is not UTF-8: save it as UTF-8".to_string(),
        )),
    }
}

/// The refusal of a file larger than a reader reads.
pub(crate) fn too_large(name: &str, len: usize, max: usize) -> ReturnProblem {
    ReturnProblem {
        file: name.to_string(),
        line: 0,
        field: String::new(),
        message: format!("the file is {len} bytes, more than the {max} read"),
    }
}

/// The line (from 1) of a byte offset.
pub(crate) fn line_at(bytes: &[u8], offset: usize) -> usize {
    let end = offset.min(bytes.len());
    bytes[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

/// `yyyy-mm-dd` exactly (the census's xs:date, without a time zone), a real date.
pub(crate) fn iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

/// `dd/mm/yyyy` exactly (the 903's dates), a real date.
pub(crate) fn uk_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[2] != b'/' || b[5] != b'/' {
        return None;
    }
    let day = digits(&b[0..2])?;
    let month = digits(&b[3..5])?;
    let year = digits(&b[6..10])?;
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut n: u32 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(c - b'0');
    }
    Some(n)
}

/// The first day of the twelve months that end on `end` (1 April for 31 March).
pub(crate) fn year_start(end: NaiveDate) -> NaiveDate {
    end.checked_sub_months(chrono::Months::new(12))
        .and_then(|d| d.succ_opt())
        .unwrap_or(end)
}

/// A code list for a problem's message: short lists in full, long ones by their size.
pub(crate) fn codes_message(what: &str, list: &[&str]) -> String {
    codes_message_in(what, "specification", list)
}

/// The same, naming whose list it is (`2025 to 2026 return`).
pub(crate) fn codes_message_in(what: &str, whose: &str, list: &[&str]) -> String {
    if list.len() <= 14 {
        format!("not a {what} code (the {whose}'s are {})", list.join(", "))
    } else {
        format!(
            "not a {what} code (not one of the {} the {whose} lists)",
            list.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_reads_as_file_line_field_and_message() {
        let p = ReturnProblem {
            file: "census.xml".into(),
            line: 12,
            field: "CPPstartDate".into(),
            message: "not a date".into(),
        };
        assert_eq!(
            p.to_string(),
            "census.xml, line 12, CPPstartDate: not a date"
        );
        let whole = ReturnProblem {
            file: "header.csv".into(),
            line: 0,
            field: String::new(),
            message: "the file is not UTF-8".into(),
        };
        assert_eq!(whole.to_string(), "header.csv: the file is not UTF-8");
    }

    #[test]
    fn dates_are_real_and_in_the_returns_own_form() {
        assert_eq!(iso_date("2025-03-31"), NaiveDate::from_ymd_opt(2025, 3, 31));
        assert_eq!(iso_date("2025-02-29"), None);
        assert_eq!(iso_date("2025-3-31"), None);
        assert_eq!(iso_date("31/03/2025"), None);
        assert_eq!(uk_date("31/03/2025"), NaiveDate::from_ymd_opt(2025, 3, 31));
        assert_eq!(uk_date("29/02/2024"), NaiveDate::from_ymd_opt(2024, 2, 29));
        assert_eq!(uk_date("31/04/2025"), None);
        assert_eq!(uk_date("2025-03-31"), None);
        let end = NaiveDate::from_ymd_opt(2025, 3, 31).expect("a date");
        assert_eq!(
            year_start(end),
            NaiveDate::from_ymd_opt(2024, 4, 1).expect("a date")
        );
    }

    #[test]
    fn problems_past_the_cap_are_counted_in_one_more() {
        let mut problems = Problems::default();
        for i in 0..(MAX_PROBLEMS + 5) {
            problems.push("f.csv", i + 1, "DOB", "not a date");
        }
        let list = problems.finish();
        assert_eq!(list.len(), MAX_PROBLEMS + 1);
        assert_eq!(list[MAX_PROBLEMS].message, "and 5 more problems not listed");
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_with_its_line() {
        let latin1 = b"a,b\nc,\xe9\n";
        let err = utf8_text("header.csv", latin1, MAX_TABLE_BYTES).expect_err("latin-1");
        assert_eq!(err.line, 2);
        assert!(err.message.starts_with("the file is not UTF-8"), "{err}");
        let utf16 = b"\xff\xfe<\0M\0";
        let err = utf8_text("census.xml", utf16, MAX_BYTES).expect_err("utf-16");
        assert!(err.message.contains("UTF-16"), "{err}");
        let with_bom = b"\xef\xbb\xbfCHILD";
        assert_eq!(
            utf8_text("header.csv", with_bom, MAX_TABLE_BYTES).expect("utf-8"),
            "CHILD"
        );
        let err = utf8_text("header.csv", b"0123456789", 4).expect_err("too big");
        assert!(err.message.contains("more than the 4 read"), "{err}");
    }

    #[test]
    fn districts_inside_the_area_match_whole() {
        let rules = Rules {
            inside_area: vec!["PL1".into(), " pl9 ".into()],
        };
        assert!(rules.inside("PL1"));
        assert!(rules.inside("PL9"));
        assert!(!rules.inside("PL12"));
        assert!(Rules::default().inside("TR1"));
    }
}
