//! The SSDA903 children looked after return as its CSV tables: `header.csv` (one row a child)
//! and `episodes.csv` (one row an episode of care: a period with one legal status and one
//! placement), and the return's other tables when they are given (UASC, OC2, OC3, AD1,
//! PlacedAdoption, PrevPerm, Missing, Reviews, SWEpisodes), whose columns are checked and
//! which count towards nothing here.
//!
//! Specification followed: the DfE's SSDA903 return for the year ending 31 March 2026 (the
//! "Children looked after by local authorities in England: guide to the SSDA903 collection,
//! 1 April 2025 to 31 March 2026" and its technical specification), with the code changes of
//! the two years before it read by the year the return ends:
//!
//! - SEX is 1 or 2 up to the 2023 to 2024 return, and M, F or U from the 2024 to 2025 return.
//! - PLACE gains K3 (supported accommodation) in 2024 to 2025; in 2025 to 2026 H5 and P2 go
//!   and Z1 (other placements) becomes Z11, Z12, Z13 and Z14.
//!
//! The other code lists (RNE, LS, CIN, PLACE_PROVIDER, REC, REASON_PLACE_CHANGE, ETHNIC) are
//! the same in all three years. Dates are `dd/mm/yyyy`. Cells are trimmed; a spreadsheet
//! formula is just a value that is not a code.
//!
//! Rows in any order: the header table is read first into a hashed key per child (with the
//! per-reading random key of the standard library's hasher, so no identifier is kept), then
//! each episode is checked against it. The key of the child's open episode is all that is
//! kept across episodes; every key is dropped when the reading ends.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{
    MAX_TABLE_BYTES, Problems, ReturnProblem, Rules, codes_message, codes_message_in, uk_date,
    utf8_text,
};

/// Children read from one return: England has about 84,000 looked after in a year.
pub const MAX_CHILDREN: usize = 200_000;

/// The return's figures: counts only, nothing that identifies a child.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LacFigures {
    /// The collection year's 31 March.
    pub reference_date: NaiveDate,
    /// Rows of the header table (children looked after at any time in the year).
    pub children: usize,
    /// Rows of the episodes table.
    pub episodes: usize,
    /// Children looked after at the date: an episode begun on or before it and not ceased by
    /// it, those looked after only under an agreed series of short breaks (legal status V3 or
    /// V4) left out, as the DfE's statistics do.
    pub looked_after_at_date: i64,
    /// Those children by the PLACE code of that episode (codes with none left out).
    pub placement_types: BTreeMap<String, i64>,
    /// Those children placed outside the area (by the placement postcode's district)...
    pub placed_outside: i64,
    /// ...inside it...
    pub placed_inside: i64,
    /// ...and with no placement postcode given.
    pub postcode_unknown: i64,
}

/// Reads the return's tables and counts its figures, or gives every problem in them.
///
/// `files` are (file name, bytes); names are matched without regard to case, directory,
/// `.csv`, spaces, hyphens and underscores: `header` and `episodes` are needed, and the
/// others above may be given. `year_ending` is the collection year's last day, 31 March.
pub fn read_903(
    files: &[(String, Vec<u8>)],
    year_ending: NaiveDate,
    rules: &Rules,
) -> Result<LacFigures, Vec<ReturnProblem>> {
    let mut problems = Problems::default();
    if (year_ending.month(), year_ending.day()) != (3, 31) {
        problems.push(
            "",
            0,
            "year ending",
            "not 31 March: the SSDA903 collection year ends on 31 March",
        );
        return Err(problems.finish());
    }
    let codes = Codes::for_year(year_ending);

    let mut tables: Vec<(Table, &str, &[u8])> = Vec::new();
    for (name, bytes) in files {
        match Table::of_name(name) {
            Some(t) => {
                if tables.iter().any(|(other, _, _)| *other == t) {
                    problems.push(
                        name,
                        0,
                        "",
                        format!("a second {} table: give each table once", t.title()),
                    );
                } else {
                    tables.push((t, name.as_str(), bytes.as_slice()));
                }
            }
            None => problems.push(
                name,
                0,
                "",
                "not a table of the SSDA903 return (header.csv, episodes.csv, uasc.csv, \
                 oc2.csv, oc3.csv, ad1.csv, placedadoption.csv, prevperm.csv, missing.csv, \
                 reviews.csv, swepisodes.csv)",
            ),
        }
    }
    for needed in [Table::Header, Table::Episodes] {
        if !tables.iter().any(|(t, _, _)| *t == needed) {
            problems.push(
                &format!("{}.csv", needed.title().to_lowercase()),
                0,
                "",
                format!("missing: the return's {} table is needed", needed.title()),
            );
        }
    }

    let mut reading = Reading {
        problems,
        codes,
        year_end: year_ending,
        rules,
        hasher: RandomState::new(),
        children: HashMap::new(),
        header_read: false,
        header_name: String::new(),
        episodes_read: false,
        open: HashMap::new(),
        figures: LacFigures {
            reference_date: year_ending,
            children: 0,
            episodes: 0,
            looked_after_at_date: 0,
            placement_types: BTreeMap::new(),
            placed_outside: 0,
            placed_inside: 0,
            postcode_unknown: 0,
        },
    };
    tables.sort_by_key(|(t, _, _)| *t);
    for (table, name, bytes) in tables {
        let text = match utf8_text(name, bytes, MAX_TABLE_BYTES) {
            Ok(text) => text,
            Err(p) => {
                reading.problems.push(&p.file, p.line, &p.field, p.message);
                continue;
            }
        };
        reading.table(table, name, text);
    }
    reading.finish()
}

/// The tables of the return, in the order they are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Table {
    Header,
    Episodes,
    Uasc,
    Oc2,
    Oc3,
    Ad1,
    PlacedAdoption,
    PrevPerm,
    Missing,
    Reviews,
    SwEpisodes,
}

impl Table {
    /// The table a file name is, ignoring case, directory, `.csv` and separators; a prefix
    /// before a separator (`SSDA903_Header.csv`) is allowed.
    fn of_name(name: &str) -> Option<Table> {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        let lower = base.to_ascii_lowercase();
        let stem = lower.strip_suffix(".csv").unwrap_or(&lower);
        let words: Vec<&str> = stem
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        (1..=words.len().min(3))
            .rev()
            .find_map(|n| Table::of_key(&words[words.len() - n..].concat()))
    }

    fn of_key(key: &str) -> Option<Table> {
        Some(match key {
            "header" => Table::Header,
            "episodes" => Table::Episodes,
            "uasc" => Table::Uasc,
            "oc2" => Table::Oc2,
            "oc3" => Table::Oc3,
            "ad1" => Table::Ad1,
            "placedadoption" | "placedforadoption" => Table::PlacedAdoption,
            "prevperm" | "previouspermanence" => Table::PrevPerm,
            "missing" => Table::Missing,
            "reviews" => Table::Reviews,
            "swepisodes" | "socialworkerepisodes" => Table::SwEpisodes,
            _ => return None,
        })
    }

    fn title(self) -> &'static str {
        match self {
            Table::Header => "Header",
            Table::Episodes => "Episodes",
            Table::Uasc => "UASC",
            Table::Oc2 => "OC2",
            Table::Oc3 => "OC3",
            Table::Ad1 => "AD1",
            Table::PlacedAdoption => "PlacedAdoption",
            Table::PrevPerm => "PrevPerm",
            Table::Missing => "Missing",
            Table::Reviews => "Reviews",
            Table::SwEpisodes => "SWEpisodes",
        }
    }

    /// The table's columns, as the specification names them.
    fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Header => &["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
            Table::Episodes => EPISODE_COLUMNS,
            Table::Uasc => &["CHILD", "SEX", "DOB", "DUC"],
            Table::Oc2 => &[
                "CHILD",
                "DOB",
                "SDQ_SCORE",
                "SDQ_REASON",
                "CONVICTED",
                "HEALTH_CHECK",
                "IMMUNISATIONS",
                "TEETH_CHECK",
                "HEALTH_ASSESSMENT",
                "SUBSTANCE_MISUSE",
                "INTERVENTION_RECEIVED",
                "INTERVENTION_OFFERED",
            ],
            Table::Oc3 => &["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"],
            Table::Ad1 => &[
                "CHILD",
                "DOB",
                "DATE_INT",
                "DATE_MATCH",
                "FOSTER_CARE",
                "NB_ADOPTR",
                "SEX_ADOPTR",
                "LS_ADOPTR",
            ],
            Table::PlacedAdoption => &[
                "CHILD",
                "DOB",
                "DATE_PLACED",
                "DATE_PLACED_CEASED",
                "REASON_PLACED_CEASED",
            ],
            Table::PrevPerm => &["CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"],
            Table::Missing => &["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
            Table::Reviews => &["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
            Table::SwEpisodes => &["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"],
        }
    }
}

const EPISODE_COLUMNS: &[&str] = &[
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
];

// Columns of the header and episodes tables, by their place in the lists above.
const H_CHILD: usize = 0;
const H_SEX: usize = 1;
const H_DOB: usize = 2;
const H_ETHNIC: usize = 3;
const H_UPN: usize = 4;
const H_MOTHER: usize = 5;
const H_MC_DOB: usize = 6;
const E_CHILD: usize = 0;
const E_DECOM: usize = 1;
const E_RNE: usize = 2;
const E_LS: usize = 3;
const E_CIN: usize = 4;
const E_PLACE: usize = 5;
const E_PROVIDER: usize = 6;
const E_DEC: usize = 7;
const E_REC: usize = 8;
const E_REASON: usize = 9;
const E_HOME_POST: usize = 10;
const E_PL_POST: usize = 11;
const E_URN: usize = 12;

// The return's code sets.
const ETHNIC: &[&str] = &[
    "WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN",
    "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
];
/// Reason for new episode: S started to be looked after, L a change of legal status only, P
/// of placement only, T of both; U and B the return's other two changes of placement.
const RNE: &[&str] = &["S", "P", "L", "T", "U", "B"];
/// Legal status: C1 interim care order, C2 full care order, D1 freeing order, E1 placement
/// order, V2 accommodated under section 20, V3 and V4 series of short breaks, J1 to J3
/// remanded or on a youth justice order, L1 to L3 police protection, emergency protection and
/// child assessment orders.
const LS: &[&str] = &[
    "C1", "C2", "D1", "E1", "V2", "V3", "V4", "J1", "J2", "J3", "L1", "L2", "L3",
];
/// Legal statuses of an agreed series of short breaks, left out of "looked after at 31 March".
const SHORT_BREAKS: &[&str] = &["V3", "V4"];
const CATEGORY_OF_NEED: &[&str] = &["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"];
const PROVIDER: &[&str] = &["PR0", "PR1", "PR2", "PR3", "PR4", "PR5"];
const REC: &[&str] = &[
    "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48", "E5", "E6",
    "E7", "E8", "E9", "E14", "E15", "E16", "E17", "X1",
];
const REASON_PLACE_CHANGE: &[&str] = &[
    "CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ", "PLACE",
    "CUSTOD", "OTHER",
];

/// Placement types up to the 2023 to 2024 return: A3 to A6 placed for adoption, H5 semi-
/// independent living, K1 secure children's home, K2 children's home, P1 placed with parents,
/// P2 independent living, P3 residential employment, R1 residential care home, R2 NHS or health
/// trust, R3 family centre or mother and baby unit, R5 young offender institution or prison,
/// S1 residential school, T0 to T4 temporary placements, U1 to U6 foster placements, Z1 other.
const PLACE_2024: &[&str] = &[
    "A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1", "T0",
    "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1",
];
/// 2024 to 2025: K3, supported accommodation, added.
const PLACE_2025: &[&str] = &[
    "A3", "A4", "A5", "A6", "H5", "K1", "K2", "K3", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1",
    "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1",
];
/// 2025 to 2026: H5 and P2 gone; Z1 split into Z11 to Z14.
const PLACE_2026: &[&str] = &[
    "A3", "A4", "A5", "A6", "K1", "K2", "K3", "P1", "P3", "R1", "R2", "R3", "R5", "S1", "T0", "T1",
    "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z11", "Z12", "Z13", "Z14",
];
/// Whether a code is a placement (PLACE) in any year read.
pub fn is_place_code(code: &str) -> bool {
    [PLACE_2024, PLACE_2025, PLACE_2026]
        .iter()
        .any(|list| list.contains(&code))
}

/// Placements that have no provider (temporary and other placements).
const NO_PROVIDER_2025: &[&str] = &["T0", "T1", "T2", "T3", "T4", "Z1"];
const NO_PROVIDER_2026: &[&str] = &["T0", "T1", "T2", "T3", "T4", "Z11", "Z12", "Z13", "Z14"];

/// The codes that change with the return's year.
struct Codes {
    year: &'static str,
    sex: &'static [&'static str],
    place: &'static [&'static str],
    no_provider: &'static [&'static str],
}

impl Codes {
    fn for_year(year_ending: NaiveDate) -> Codes {
        match year_ending.year() {
            ..=2024 => Codes {
                year: "2023 to 2024",
                sex: &["1", "2"],
                place: PLACE_2024,
                no_provider: NO_PROVIDER_2025,
            },
            2025 => Codes {
                year: "2024 to 2025",
                sex: &["M", "F", "U"],
                place: PLACE_2025,
                no_provider: NO_PROVIDER_2025,
            },
            _ => Codes {
                year: "2025 to 2026",
                sex: &["M", "F", "U"],
                place: PLACE_2026,
                no_provider: NO_PROVIDER_2026,
            },
        }
    }
}

/// What is known of a child from the header table while the episodes are read.
struct Known {
    line: usize,
    episodes: u32,
}

struct Reading<'r> {
    problems: Problems,
    codes: Codes,
    year_end: NaiveDate,
    rules: &'r Rules,
    hasher: RandomState,
    children: HashMap<u64, Known>,
    header_read: bool,
    header_name: String,
    episodes_read: bool,
    /// The line of each child's episode with no end date.
    open: HashMap<u64, usize>,
    figures: LacFigures,
}

impl Reading<'_> {
    fn table(&mut self, table: Table, name: &str, text: &str) {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let expected = table.columns();
        let headers = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.problems
                    .push(name, 1, "", format!("not a CSV file: {}", csv_error(&e)));
                return;
            }
        };
        if headers.is_empty() || (headers.len() == 1 && headers.get(0) == Some("")) {
            self.problems
                .push(name, 1, "", "the file is empty: it has no header row");
            return;
        }
        // Where each of the specification's columns is in the file.
        let mut at: Vec<Option<usize>> = vec![None; expected.len()];
        let mut columns_ok = true;
        for (i, h) in headers.iter().enumerate() {
            let upper = h.to_ascii_uppercase();
            match expected.iter().position(|c| *c == upper) {
                Some(k) if at[k].is_none() => at[k] = Some(i),
                Some(k) => {
                    columns_ok = false;
                    self.problems
                        .push(name, 1, expected[k], "the column is there twice");
                }
                None => {
                    columns_ok = false;
                    self.problems.push(
                        name,
                        1,
                        &short(h),
                        format!("not a column of the {} table", table.title()),
                    );
                }
            }
        }
        for (k, col) in expected.iter().enumerate() {
            if at[k].is_none() {
                columns_ok = false;
                self.problems.push(
                    name,
                    1,
                    col,
                    format!("missing: the {} table has this column", table.title()),
                );
            }
        }
        if !columns_ok {
            return;
        }
        match table {
            Table::Header => {
                self.header_read = true;
                self.header_name = name.to_string();
            }
            Table::Episodes => self.episodes_read = true,
            _ => {}
        }
        let at: Vec<usize> = at.into_iter().map(|k| k.unwrap_or(0)).collect();
        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e
                        .position()
                        .map(|p| usize::try_from(p.line()).unwrap_or(0))
                        .unwrap_or(0);
                    self.problems.push(name, line, "", csv_error(&e));
                    if matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                        continue;
                    }
                    break;
                }
            }
            let line = record
                .position()
                .map(|p| usize::try_from(p.line()).unwrap_or(0))
                .unwrap_or(0);
            let row = Row {
                record: &record,
                at: &at,
            };
            match table {
                Table::Header => self.header_row(name, line, &row),
                Table::Episodes => self.episode_row(name, line, &row),
                _ => self.other_row(name, line, &row, table),
            }
            if self.children.len() > MAX_CHILDREN {
                self.problems.push(
                    name,
                    line,
                    "",
                    format!("more than {MAX_CHILDREN} children: not one authority's return"),
                );
                break;
            }
        }
    }

    fn code(&mut self, name: &str, line: usize, field: &str, v: &str, what: &str, list: &[&str]) {
        if !list.contains(&v) {
            self.problems
                .push(name, line, field, codes_message(what, list));
        }
    }

    fn required<'v>(
        &mut self,
        name: &str,
        line: usize,
        field: &str,
        v: &'v str,
    ) -> Option<&'v str> {
        if v.is_empty() {
            self.problems.push(name, line, field, "is blank");
            None
        } else {
            Some(v)
        }
    }

    fn date(&mut self, name: &str, line: usize, field: &str, v: &str) -> Option<NaiveDate> {
        let d = uk_date(v);
        if d.is_none() {
            self.problems.push(
                name,
                line,
                field,
                "not a date (the return writes dd/mm/yyyy)",
            );
        }
        d
    }

    fn child_key(&mut self, name: &str, line: usize, v: &str) -> Option<u64> {
        let id = self.required(name, line, "CHILD", v)?;
        if id.len() > 32 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            self.problems.push(
                name,
                line,
                "CHILD",
                "not a child identifier (letters and digits, at most 32)",
            );
            return None;
        }
        Some(self.hasher.hash_one(id))
    }

    fn header_row(&mut self, name: &str, line: usize, row: &Row<'_>) {
        let key = self.child_key(name, line, row.get(H_CHILD));
        let sex = row.get(H_SEX);
        if self.required(name, line, "SEX", sex).is_some() && !self.codes.sex.contains(&sex) {
            let whose = format!("{} return", self.codes.year);
            let message = codes_message_in("sex", &whose, self.codes.sex);
            self.problems.push(name, line, "SEX", message);
        }
        let dob = row.get(H_DOB);
        if self.required(name, line, "DOB", dob).is_some()
            && let Some(d) = self.date(name, line, "DOB", dob)
            && d > self.year_end
        {
            self.problems
                .push(name, line, "DOB", "after the end of the collection year");
        }
        let ethnic = row.get(H_ETHNIC);
        if self.required(name, line, "ETHNIC", ethnic).is_some() {
            self.code(name, line, "ETHNIC", ethnic, "ethnicity", ETHNIC);
        }
        let upn = row.get(H_UPN);
        if self.required(name, line, "UPN", upn).is_some() && !upn_ok(upn) {
            self.problems.push(
                name,
                line,
                "UPN",
                "not a unique pupil number (a letter other than I, O or S and 12 digits, or 11 \
                 and a letter) or UN1 to UN5",
            );
        }
        let mother = row.get(H_MOTHER);
        if !mother.is_empty() {
            self.code(name, line, "MOTHER", mother, "mother", &["0", "1"]);
        }
        let mc_dob = row.get(H_MC_DOB);
        if !mc_dob.is_empty() {
            self.date(name, line, "MC_DOB", mc_dob);
        }
        if let Some(key) = key {
            match self.children.entry(key) {
                std::collections::hash_map::Entry::Occupied(_) => {
                    self.problems
                        .push(name, line, "CHILD", "the same child as an earlier row");
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(Known { line, episodes: 0 });
                }
            }
        }
        self.figures.children += 1;
    }

    fn episode_row(&mut self, name: &str, line: usize, row: &Row<'_>) {
        self.figures.episodes += 1;
        let key = self.child_key(name, line, row.get(E_CHILD));
        if let Some(key) = key
            && self.header_read
        {
            match self.children.get_mut(&key) {
                Some(known) => known.episodes = known.episodes.saturating_add(1),
                None => self
                    .problems
                    .push(name, line, "CHILD", "not a child of the header table"),
            }
        }
        let decom = {
            let v = row.get(E_DECOM);
            self.required(name, line, "DECOM", v)
                .and_then(|v| self.date(name, line, "DECOM", v))
        };
        if let Some(d) = decom
            && d > self.year_end
        {
            self.problems
                .push(name, line, "DECOM", "after the end of the collection year");
        }
        let rne = row.get(E_RNE);
        if self.required(name, line, "RNE", rne).is_some() {
            self.code(name, line, "RNE", rne, "reason for new episode", RNE);
        }
        let ls = row.get(E_LS);
        if self.required(name, line, "LS", ls).is_some() {
            self.code(name, line, "LS", ls, "legal status", LS);
        }
        let cin = row.get(E_CIN);
        if self.required(name, line, "CIN", cin).is_some() {
            self.code(name, line, "CIN", cin, "category of need", CATEGORY_OF_NEED);
        }
        let place = row.get(E_PLACE);
        let place_ok = self.required(name, line, "PLACE", place).is_some() && {
            let ok = self.codes.place.contains(&place);
            if !ok {
                let whose = format!("{} return", self.codes.year);
                let message = codes_message_in("placement type", &whose, self.codes.place);
                self.problems.push(name, line, "PLACE", message);
            }
            ok
        };
        let provider = row.get(E_PROVIDER);
        if !provider.is_empty() {
            self.code(
                name,
                line,
                "PLACE_PROVIDER",
                provider,
                "placement provider",
                PROVIDER,
            );
            if place_ok && self.codes.no_provider.contains(&place) {
                self.problems.push(
                    name,
                    line,
                    "PLACE_PROVIDER",
                    "given for a temporary or other placement, which has none",
                );
            }
        }
        let dec_text = row.get(E_DEC);
        let dec = if dec_text.is_empty() {
            None
        } else {
            self.date(name, line, "DEC", dec_text)
        };
        if let Some(d) = dec {
            if d > self.year_end {
                self.problems
                    .push(name, line, "DEC", "after the end of the collection year");
            }
            if let Some(start) = decom
                && d < start
            {
                self.problems.push(name, line, "DEC", "before the DECOM");
            }
        }
        let rec = row.get(E_REC);
        if !rec.is_empty() {
            self.code(name, line, "REC", rec, "reason episode ceased", REC);
        }
        if dec_text.is_empty() != rec.is_empty() {
            self.problems.push(
                name,
                line,
                if rec.is_empty() { "REC" } else { "DEC" },
                "DEC and REC are both given or both blank",
            );
        }
        let reason = row.get(E_REASON);
        if !reason.is_empty() {
            self.code(
                name,
                line,
                "REASON_PLACE_CHANGE",
                reason,
                "reason for placement change",
                REASON_PLACE_CHANGE,
            );
        }
        let home = row.get(E_HOME_POST);
        if !home.is_empty() && district(home).is_none() {
            self.problems
                .push(name, line, "HOME_POST", "not a postcode");
        }
        let pl_post = row.get(E_PL_POST);
        let pl_district = if pl_post.is_empty() {
            None
        } else {
            let d = district(pl_post);
            if d.is_none() {
                self.problems.push(name, line, "PL_POST", "not a postcode");
            }
            d
        };
        let urn = row.get(E_URN);
        let urn_ok = urn.len() <= 10 && urn.bytes().all(|b| b.is_ascii_alphanumeric());
        if !urn_ok {
            self.problems.push(
                name,
                line,
                "URN",
                "not an Ofsted unique reference number (or XXXXXXX)",
            );
        }

        // The child's one episode with no end date (children of the header table only, so
        // what is held is bounded by it).
        if dec_text.is_empty()
            && let Some(key) = key
            && self.children.contains_key(&key)
        {
            if let Some(&first) = self.open.get(&key) {
                self.problems.push(
                    name,
                    line,
                    "DEC",
                    format!(
                        "a second episode with no end date for this child (line {first} has one): \
                         only the latest episode is open"
                    ),
                );
            } else {
                self.open.insert(key, line);
            }
        }

        // Looked after at the date, by placement and where.
        let Some(start) = decom else {
            return;
        };
        let open_at_date = start <= self.year_end && dec.is_none_or(|d| d > self.year_end);
        if !open_at_date || (dec.is_none() && !dec_text.is_empty()) || SHORT_BREAKS.contains(&ls) {
            return;
        }
        self.figures.looked_after_at_date += 1;
        if place_ok {
            *self
                .figures
                .placement_types
                .entry(place.to_string())
                .or_insert(0) += 1;
        }
        match pl_district {
            _ if pl_post.is_empty() => self.figures.postcode_unknown += 1,
            Some(d) if self.rules.inside(&d) => self.figures.placed_inside += 1,
            Some(_) => self.figures.placed_outside += 1,
            None => {}
        }
    }

    /// A row of a table that counts towards nothing: its child and date of birth are checked.
    fn other_row(&mut self, name: &str, line: usize, row: &Row<'_>, table: Table) {
        self.child_key(name, line, row.get(0));
        if table.columns().get(1) == Some(&"DOB") {
            let dob = row.get(1);
            if self.required(name, line, "DOB", dob).is_some() {
                self.date(name, line, "DOB", dob);
            }
        }
    }

    fn finish(mut self) -> Result<LacFigures, Vec<ReturnProblem>> {
        if self.header_read && self.episodes_read {
            let mut lonely: Vec<usize> = self
                .children
                .values()
                .filter(|k| k.episodes == 0)
                .map(|k| k.line)
                .collect();
            lonely.sort_unstable();
            for line in lonely {
                self.problems.push(
                    &self.header_name,
                    line,
                    "CHILD",
                    "no episodes for this child in the episodes table",
                );
            }
        }
        self.children.clear();
        self.open.clear();
        if self.problems.is_empty() {
            Ok(self.figures)
        } else {
            Err(self.problems.finish())
        }
    }
}

/// A data row, its cells found by the specification's column order.
struct Row<'a> {
    record: &'a csv::StringRecord,
    at: &'a [usize],
}

impl Row<'_> {
    fn get(&self, column: usize) -> &str {
        self.at
            .get(column)
            .and_then(|&i| self.record.get(i))
            .unwrap_or("")
    }
}

/// A unique pupil number as the 903's rules have it, or an unknown-UPN code.
fn upn_ok(v: &str) -> bool {
    let b = v.as_bytes();
    if matches!(v, "UN1" | "UN2" | "UN3" | "UN4" | "UN5") {
        return true;
    }
    b.len() == 13
        && b[0].is_ascii_uppercase()
        && !matches!(b[0], b'I' | b'O' | b'S')
        && b[1..12].iter().all(u8::is_ascii_digit)
        && (b[12].is_ascii_digit() || b[12].is_ascii_uppercase())
}

/// The district (outward code) of a UK postcode, upper case, or None if it is not one: an
/// outward code of A9, A99, AA9, AA99, A9A or AA9A, then a digit and two letters, with or
/// without the space between.
pub(crate) fn district(postcode: &str) -> Option<String> {
    let compact: Vec<u8> = postcode
        .bytes()
        .filter(|b| *b != b' ')
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if !(5..=7).contains(&compact.len())
        || postcode.split(' ').filter(|p| !p.is_empty()).count() > 2
    {
        return None;
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    let alpha = |c: &u8| c.is_ascii_uppercase();
    let digit = |c: &u8| c.is_ascii_digit();
    let inward_ok = digit(&inward[0]) && alpha(&inward[1]) && alpha(&inward[2]);
    let outward_ok = match outward {
        [a, b] => alpha(a) && digit(b),
        [a, b, c] => {
            alpha(a) && ((digit(b) && digit(c)) || (alpha(b) && digit(c)) || (digit(b) && alpha(c)))
        }
        [a, b, c, d] => alpha(a) && alpha(b) && digit(c) && (digit(d) || alpha(d)),
        _ => false,
    };
    if inward_ok && outward_ok {
        String::from_utf8(outward.to_vec()).ok()
    } else {
        None
    }
}

fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} cells; the header row has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "the file is not UTF-8".to_string(),
        _ => "not a CSV row".to_string(),
    }
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n";
    const EPISODES: &str = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n";

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    fn plymouth() -> Rules {
        Rules {
            inside_area: ["PL1", "PL2", "PL3", "PL4", "PL5", "PL6", "PL7", "PL9"]
                .iter()
                .map(|d| d.to_string())
                .collect(),
        }
    }

    /// The return of the counts test, for the year ending 31 March 2026; episodes are not in
    /// the children's order.
    fn hand_903() -> (String, String) {
        let header = format!(
            "{HEADER}\
             C1,M,01/02/2012,WBRI,A123456789012,,\n\
             C2,F,03/04/2010,WBRI,B123456789012,0,\n\
             C3,F,05/06/2022,MWBC,UN1,,\n\
             C4,M,07/08/2015,WBRI,C12345678901D,,\n\
             C5,U,09/10/2019,AIND,UN2,,\n\
             C6,M,11/12/2008,WBRI,D123456789012,,\n\
             C7,F,13/01/2011,BAFR,E123456789012,0,\n"
        );
        let episodes = format!(
            "{EPISODES}\
             C7,01/08/2025,P,C2,N1,U1,PR1,,,,PL5 1AB,pl9 1ab,\n\
             C1,15/06/2025,P,C2,N1,U4,PR4,,,,PL2 1AA,PL12 3CD,\n\
             C2,10/10/2025,S,V2,N4,K2,PR4,,,,PL3 2BB,PL1 4EF,SC123456\n\
             C3,01/05/2025,S,E1,N1,A5,PR1,30/03/2026,E11,,PL4 4DD,PL6 5EE,\n\
             C4,01/01/2026,S,V3,N2,U1,PR1,,,,PL7 3CC,PL7 3CD,\n\
             C1,01/04/2020,S,C2,N1,U1,PR1,15/06/2025,X1,CARPL,PL2 1AA,PL1 2AB,\n\
             C5,01/02/2026,S,C1,N1,P1,,,,,PL4 6FF,,\n\
             C6,01/06/2025,S,V2,N5,K2,PR4,31/03/2026,E8,,PL5 2GG,PL21 9HH,XXXXXXX\n\
             C7,01/03/2024,S,C2,N1,K2,PR4,01/08/2025,X1,PLACE,PL5 1AB,PL9 1AA,SC654321\n"
        );
        (header, episodes)
    }

    fn files(header: &str, episodes: &str) -> Vec<(String, Vec<u8>)> {
        vec![
            ("header.csv".to_string(), header.as_bytes().to_vec()),
            ("episodes.csv".to_string(), episodes.as_bytes().to_vec()),
        ]
    }

    fn problems_of(header: &str, episodes: &str) -> Vec<ReturnProblem> {
        read_903(&files(header, episodes), date(2026, 3, 31), &plymouth())
            .expect_err("the return has problems")
    }

    #[test]
    fn returns_903_counts_a_hand_counted_return() {
        let (header, episodes) = hand_903();
        let f = read_903(&files(&header, &episodes), date(2026, 3, 31), &plymouth())
            .expect("a good return");
        // By hand: open on 31 March 2026 are C1 (U4, PL12: outside Plymouth), C2 (K2, PL1:
        // inside), C4 (V3, a short break: left out), C5 (P1, no placement postcode) and C7
        // (U1, pl9: inside); C3 ceased on 30 March and C6 on 31 March itself.
        assert_eq!(f.reference_date, date(2026, 3, 31));
        assert_eq!(f.children, 7);
        assert_eq!(f.episodes, 9);
        assert_eq!(f.looked_after_at_date, 4);
        let types: Vec<(&str, i64)> = f
            .placement_types
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect();
        assert_eq!(types, vec![("K2", 1), ("P1", 1), ("U1", 1), ("U4", 1)]);
        assert_eq!(
            (f.placed_outside, f.placed_inside, f.postcode_unknown),
            (1, 2, 1)
        );
        // With no districts given nothing is outside.
        let f = read_903(
            &files(&header, &episodes),
            date(2026, 3, 31),
            &Rules::default(),
        )
        .expect("a good return");
        assert_eq!(
            (f.placed_outside, f.placed_inside, f.postcode_unknown),
            (0, 3, 1)
        );
    }

    #[test]
    fn returns_903_pl12_is_outside_plymouth_and_pl1_inside() {
        let header = format!("{HEADER}A,M,01/02/2012,WBRI,UN1,,\nB,M,01/02/2012,WBRI,UN1,,\n");
        let episodes = format!(
            "{EPISODES}A,01/05/2025,S,C2,N1,U1,PR1,,,,PL1 1AA,PL12 6AA,\n\
             B,01/05/2025,S,C2,N1,U1,PR1,,,,PL12 6AA,PL1 1AA,\n"
        );
        let f = read_903(&files(&header, &episodes), date(2026, 3, 31), &plymouth())
            .expect("a good return");
        assert_eq!((f.placed_outside, f.placed_inside), (1, 1));
        assert_eq!(district("PL12 6AA").as_deref(), Some("PL12"));
        assert_eq!(district("pl16aa").as_deref(), Some("PL1"));
        assert_eq!(district("EC1A 1BB").as_deref(), Some("EC1A"));
        assert_eq!(district("W1A 0AX").as_deref(), Some("W1A"));
        assert_eq!(district("PL1"), None);
        assert_eq!(district("=HYPERLINK(\"x\")"), None);
        assert_eq!(district("PL1 1A"), None);
    }

    #[test]
    fn returns_903_names_match_without_case_and_with_a_prefix() {
        let (header, episodes) = hand_903();
        let named = vec![
            ("export/SSDA903_Header.CSV".to_string(), header.into_bytes()),
            ("Episodes.csv".to_string(), episodes.into_bytes()),
        ];
        assert!(read_903(&named, date(2026, 3, 31), &plymouth()).is_ok());
        assert_eq!(Table::of_name("sw_episodes.csv"), Some(Table::SwEpisodes));
        assert_eq!(
            Table::of_name("903 placed-for-adoption.csv"),
            Some(Table::PlacedAdoption)
        );
        assert_eq!(Table::of_name("header_last.csv"), None);
        let problems =
            read_903(&named[..1], date(2026, 3, 31), &plymouth()).expect_err("no episodes table");
        assert!(
            problems
                .iter()
                .any(|p| p.message.contains("Episodes table is needed"))
        );
    }

    #[test]
    fn returns_903_refuses_a_table_that_is_not_utf8() {
        let (header, episodes) = hand_903();
        let mut bytes = header.into_bytes();
        let at = bytes.len() - 3;
        bytes.splice(at..at, [0xE9]);
        let list = vec![
            ("header.csv".to_string(), bytes),
            ("episodes.csv".to_string(), episodes.into_bytes()),
        ];
        let problems = read_903(&list, date(2026, 3, 31), &plymouth()).expect_err("latin-1");
        let p = &problems[0];
        assert_eq!((p.file.as_str(), p.line), ("header.csv", 8));
        assert!(p.message.starts_with("the file is not UTF-8"), "{p}");
        let big = vec![
            ("header.csv".to_string(), vec![b'a'; MAX_TABLE_BYTES + 1]),
            ("episodes.csv".to_string(), EPISODES.as_bytes().to_vec()),
        ];
        let problems = read_903(&big, date(2026, 3, 31), &plymouth()).expect_err("too big");
        assert!(
            problems[0].message.contains("more than the"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn returns_903_refuses_unknown_and_missing_columns() {
        let (_, episodes) = hand_903();
        let header = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,NICKNAME\nC1,M,01/02/2012,WBRI,UN1,,x\n";
        let problems = problems_of(header, &episodes);
        assert!(
            problems.iter().any(|p| p.line == 1
                && p.field == "NICKNAME"
                && p.message.contains("not a column")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.field == "MC_DOB" && p.message.starts_with("missing"))
        );
        let ragged = format!("{HEADER}C1,M,01/02/2012,WBRI,UN1\n");
        let problems = problems_of(&ragged, &episodes);
        assert!(
            problems
                .iter()
                .any(|p| p.line == 2 && p.message.contains("has 5 cells")),
            "{problems:?}"
        );
    }

    #[test]
    fn returns_903_reports_bad_dates_codes_and_logic_with_their_lines() {
        let (header, episodes) = hand_903();
        let bad = episodes
            .replace("C2,10/10/2025,S,V2,N4,K2", "C2,31/02/2026,S,V2,N4,K2")
            .replace(
                "C5,01/02/2026,S,C1,N1,P1",
                "C5,01/02/2026,S,C1,N1,=HYPERLINK(\"http://x\")",
            )
            .replace(
                "C3,01/05/2025,S,E1,N1,A5,PR1,30/03/2026",
                "C3,01/05/2025,S,E1,N1,A5,PR1,30/03/2024",
            )
            .replace("C4,01/01/2026,S,V3,N2,U1", "C4,01/01/2026,S,V3,N2,H5")
            .replace(
                "C6,01/06/2025,S,V2,N5,K2,PR4,31/03/2026,E8",
                "C6,01/06/2025,S,V2,N5,K2,PR4,,E8",
            )
            .replace(
                "C7,01/03/2024,S,C2,N1,K2,PR4,01/08/2025,X1",
                "C7,01/03/2024,S,C2,N1,K2,PR4,,",
            );
        let problems = problems_of(&header, &bad);
        let find = |field: &str, text: &str| {
            problems
                .iter()
                .find(|p| p.field == field && p.message.contains(text))
                .unwrap_or_else(|| panic!("no {field} problem with {text:?} in {problems:?}"))
        };
        assert_eq!(find("DECOM", "not a date").line, 4);
        let place = |line: usize| {
            problems
                .iter()
                .find(|p| p.field == "PLACE" && p.line == line)
                .unwrap_or_else(|| panic!("no PLACE problem on line {line} in {problems:?}"))
        };
        assert!(place(8).message.contains("not a placement type code"));
        // H5 went in 2025 to 2026.
        assert!(
            place(6).message.contains("the 2025 to 2026 return"),
            "{}",
            place(6)
        );
        assert_eq!(find("DEC", "before the DECOM").line, 5);
        assert_eq!(find("DEC", "both given or both blank").line, 9);
        assert_eq!(find("DEC", "a second episode with no end date").line, 10);
        let all = format!("{problems:?}");
        assert!(
            !all.contains("HYPERLINK") && !all.contains("PL1") && !all.contains("C2"),
            "{all}"
        );
    }

    #[test]
    fn returns_903_reads_each_year_with_its_codes() {
        let header = format!("{HEADER}A,M,01/02/2009,WBRI,UN1,,\nB,F,01/02/2009,WBRI,UN1,,\n");
        let episodes = |a: &str, b: &str| {
            format!(
                "{EPISODES}A,01/05/2024,S,V2,N1,{a},,,,,PL1 1AA,PL1 1AB,\n\
                 B,01/05/2024,S,V2,N1,{b},,,,,PL1 1AA,PL1 1AB,\n"
            )
        };
        let year = |y: i32, a: &str, b: &str| {
            read_903(
                &files(&header, &episodes(a, b)),
                date(y, 3, 31),
                &plymouth(),
            )
        };
        // 2024 to 2025: H5 and Z1 still, K3 new; Z11 not yet.
        let f = year(2025, "H5", "K3").expect("H5 and K3 in 2024 to 2025");
        assert_eq!(f.placement_types.get("H5"), Some(&1));
        assert!(year(2025, "Z1", "K3").is_ok());
        assert!(year(2025, "Z11", "K3").is_err());
        // 2025 to 2026: Z11 to Z14 for Z1; H5 and P2 gone.
        assert!(year(2026, "Z11", "K3").is_ok());
        assert!(year(2026, "Z1", "K3").is_err());
        assert!(year(2026, "H5", "K3").is_err());
        assert!(year(2026, "P2", "K3").is_err());
        // 2023 to 2024: no K3, and SEX is 1 or 2.
        let old_header = header.replace(",M,", ",1,").replace(",F,", ",2,");
        let old = |a: &str, b: &str| {
            read_903(
                &files(&old_header, &episodes(a, b).replace("/2024", "/2023")),
                date(2024, 3, 31),
                &plymouth(),
            )
        };
        assert!(old("H5", "P2").is_ok());
        assert!(old("H5", "K3").is_err());
    }

    #[test]
    fn returns_903_matches_episodes_to_the_header() {
        let (header, episodes) = hand_903();
        let orphan = format!("{episodes}ZZ9,01/05/2025,S,C2,N1,U1,PR1,,,,PL1 1AA,PL1 1AB,\n");
        let problems = problems_of(&header, &orphan);
        assert!(
            problems
                .iter()
                .any(|p| p.line == 11 && p.message.contains("not a child of the header"))
        );
        let lonely = format!("{header}C8,M,01/02/2012,WBRI,UN1,,\n");
        let problems = problems_of(&lonely, &episodes);
        assert!(
            problems
                .iter()
                .any(|p| p.line == 9 && p.message.contains("no episodes")),
            "{problems:?}"
        );
        let twice = format!("{header}C1,M,01/02/2012,WBRI,UN1,,\n");
        let problems = problems_of(&twice, &episodes);
        assert!(
            problems
                .iter()
                .any(|p| p.line == 9 && p.message.contains("same child")),
            "{problems:?}"
        );
        let formula = header.replace("C5,U,", "=1+1,U,");
        let problems = problems_of(&formula, &episodes);
        assert!(problems.iter().any(|p| p.field == "CHILD" && p.line == 6));
        let sex_2024 = read_903(&files(&header, &episodes), date(2024, 3, 31), &plymouth())
            .expect_err("M, F and U are not the 2023 to 2024 codes");
        assert!(sex_2024.iter().any(|p| p.field == "SEX"));
        let not_march = read_903(&files(&header, &episodes), date(2026, 4, 30), &plymouth())
            .expect_err("not 31 March");
        assert!(not_march[0].message.contains("31 March"));
    }

    #[test]
    fn returns_903_never_panics_on_mangled_input() {
        let (header, episodes) = hand_903();
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let specials: &[u8] = b",\"\n\r/=\xff\xc3\x00 ";
        for i in 0..600 {
            let mut bytes = if i % 2 == 0 {
                header.clone()
            } else {
                episodes.clone()
            }
            .into_bytes();
            for _ in 0..(1 + next() % 5) {
                if bytes.is_empty() {
                    break;
                }
                let at = (next() as usize) % bytes.len();
                match next() % 3 {
                    0 => bytes[at] = specials[(next() as usize) % specials.len()],
                    1 => {
                        bytes.remove(at);
                    }
                    _ => bytes.truncate(at),
                }
            }
            let list = if i % 2 == 0 {
                vec![
                    ("header.csv".to_string(), bytes),
                    ("episodes.csv".to_string(), episodes.clone().into_bytes()),
                ]
            } else {
                vec![
                    ("header.csv".to_string(), header.clone().into_bytes()),
                    ("episodes.csv".to_string(), bytes),
                ]
            };
            let _ = read_903(&list, date(2026, 3, 31), &plymouth());
        }
    }
}
