//! A partnership's arrangements as a file: the types of the TOML format (documented in
//! docs/arrangements-format.md), and the rules a file must keep. Pure: no database here.
//!
//! Everything that can change carries `from` and `to` dates, so the structure "as at" any day
//! can be shown and nothing is lost when bodies restructure or a CCG becomes an ICB.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use toml::Spanned;

/// The format's name and version, the first line of every file.
pub const SCHEMA: &str = "masa-arrangements/1";

/// A calendar date, written in the file as a TOML date (`2022-07-01`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub NaiveDate);

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let dt = toml::value::Datetime::deserialize(d)?;
        match (dt.date, dt.time) {
            (Some(date), None) => NaiveDate::from_ymd_opt(
                i32::from(date.year),
                u32::from(date.month),
                u32::from(date.day),
            )
            .map(Day)
            .ok_or_else(|| serde::de::Error::custom("not a real date")),
            _ => Err(serde::de::Error::custom(
                "expected a date like 2022-07-01, without a time",
            )),
        }
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use chrono::Datelike;
        let d = toml::value::Date {
            year: u16::try_from(self.0.year()).unwrap_or(0),
            month: self.0.month() as u8,
            day: self.0.day() as u8,
        };
        toml::value::Datetime {
            date: Some(d),
            time: None,
            offset: None,
        }
        .serialize(s)
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

/// One partnership's arrangements file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arrangements {
    pub schema: String,
    pub partnership: Partnership,
    #[serde(default)]
    pub areas: Vec<Spanned<Area>>,
    #[serde(default)]
    pub collaborations: Vec<Spanned<Collaboration>>,
    #[serde(default)]
    pub organisations: Vec<Spanned<Organisation>>,
    #[serde(default)]
    pub posts: Vec<Spanned<Post>>,
    #[serde(default)]
    pub statutory_partners: Vec<Spanned<StatutoryPartner>>,
    #[serde(default)]
    pub bodies: Vec<Spanned<Body>>,
    #[serde(default)]
    pub memberships: Vec<Spanned<Membership>>,
    #[serde(default)]
    pub sections: Sections,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Partnership {
    /// Short name in web addresses, such as `plymouth`.
    pub slug: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub short_name: String,
    /// When these arrangements were published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<Day>,
    /// Which statutory guidance they follow: `working-together-2018` or `working-together-2023`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub guidance: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub website: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contact_email: String,
    /// Where the published arrangements came from (a cabinet report, a web page).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

/// A local authority area the partnership covers.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub key: String,
    pub name: String,
    /// The organisation that is its local authority.
    pub local_authority: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub child_population: Vec<Population>,
}

/// Children aged 0 to 17 in an area in a year (ONS mid-year estimate), for rates per 10,000.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Population {
    pub year: i32,
    pub children: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

/// Working with other partnerships through shared bodies (HIPS).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Collaboration {
    pub key: String,
    pub name: String,
    /// The partnerships taking part, by name (other partnerships need not be in masa).
    pub partners: Vec<String>,
    /// Bodies in this file that the collaboration shares.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared_bodies: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Day>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Day>,
}

pub const SECTORS: &[&str] = &[
    "local-government",
    "education-and-childcare",
    "health",
    "criminal-justice",
    "police-and-immigration",
    "voluntary-and-community",
    "sports-and-leisure",
    "faith",
    "armed-forces",
    "housing",
    "other",
];

pub const STATUTORY_ROLES: &[&str] = &["local-authority", "health", "police"];

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub key: String,
    pub name: String,
    pub sector: String,
    /// `local-authority`, `health` or `police` for a statutory safeguarding partner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statutory_partner: Option<String>,
    /// Named by the partners as a relevant agency.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub relevant_agency: bool,
    /// Why it is a relevant agency, as published.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub why: String,
    /// A designated education or childcare agency (Children's Wellbeing and Schools Act 2026).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub designated_education: bool,
    /// Has a duty under Section 11 of the Children Act 2004.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub section_11: bool,
    /// A school with a duty under s175 or s157 of the Education Act 2002.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub s175_157: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Day>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Day>,
    /// The organisation that took over (a CCG succeeded by an ICB).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
}

/// A post in an organisation, and who holds it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Post {
    pub key: String,
    pub title: String,
    pub organisation: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub holder: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Day>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Day>,
}

/// A statutory safeguarding partner's lead representative and delegate.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StatutoryPartner {
    pub role: String,
    pub organisation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delegate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Day>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Day>,
}

pub const BODY_KINDS: &[&str] = &[
    "strategic-group",
    "board",
    "executive",
    "sub-group",
    "committee",
    "network",
    "forum",
    "panel",
    "task-and-finish",
];

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Body {
    pub key: String,
    pub name: String,
    pub kind: String,
    /// The body it reports to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Reporting lines that changed over time, instead of `parent` (Plymouth's board reported to
    /// its strategic partners, then from March 2022 to the Strategic Systems Leadership Board).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<ReportingLine>,
    /// The area it serves, when not the whole partnership.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Day>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Day>,
    /// Terms of reference, as role bullets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub purpose: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chair: Option<ChairRule>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meetings: Option<Meetings>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub venue: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quorum: Option<Quorum>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attendance: Option<Attendance>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_members: Vec<RequiredMember>,
    /// Quarters of the year (1 to 4) in which it reports to its parent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reports_in_quarters: Vec<u8>,
    /// How it appears in its parent's reporting calendar, when not by its name (Derby and
    /// Derbyshire's per-area Quality Assurance groups both appear as "Quality Assurance").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporting_label: Option<String>,
    /// Reports this body receives that come from no body (a business plan, the annual report).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reports_received: Vec<ReportItem>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub may_co_opt: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub confidentiality_agreement: bool,
    /// Working days' notice an extraordinary meeting needs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_working_days: Option<u32>,
    /// Other rules of operation, as published.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
}

pub const CHAIR_RULES: &[&str] = &[
    "rotating-statutory-partners",
    "independent",
    "sector",
    "appointed-by-body",
    "post",
];

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChairRule {
    pub rule: String,
    /// For `sector`: which sector the chair comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    /// For `appointed-by-body`: the body that appoints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// For `post`: the post that chairs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

pub const FREQUENCIES: &[&str] = &[
    "monthly",
    "six-weekly",
    "bi-monthly",
    "quarterly",
    "twice-yearly",
    "annually",
    "as-required",
];

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Meetings {
    pub frequency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_year: Option<u32>,
    /// Development days a year, beyond the meetings.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub development_days: u32,
}

/// When a meeting may take decisions. Stored as a rule the meetings capability evaluates
/// against who actually attended.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(tag = "rule", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Quorum {
    /// All three statutory partners (or their deputies) present.
    AllStatutoryPartners,
    /// At least this many members present.
    Members { count: u32 },
    /// At least this share of the voting members present.
    ShareOfVoting { share: f64 },
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Attendance {
    /// Share of meetings each member should attend (Portsmouth: 0.75).
    pub expected_share: f64,
    /// At least this many meetings a year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_meetings: Option<u32>,
    /// A deputy's attendance counts for the member.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deputy_counts: bool,
}

/// A reporting line for a period.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReportingLine {
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Day>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Day>,
}

impl Body {
    /// The body it reports to on a day.
    pub fn parent_on(&self, day: NaiveDate) -> Option<&str> {
        if self.parents.is_empty() {
            return self.parent.as_deref();
        }
        self.parents
            .iter()
            .find(|l| in_force(l.from, l.to, day))
            .map(|l| l.body.as_str())
    }

    /// The same body as it stood on a day: its reporting line resolved.
    pub fn on(&self, day: NaiveDate) -> Body {
        let mut b = self.clone();
        b.parent = self.parent_on(day).map(str::to_owned);
        b.parents.clear();
        b
    }
}

/// A report on a body's calendar that no body makes.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReportItem {
    pub name: String,
    pub quarters: Vec<u8>,
}

/// A member the body must have (Plymouth: a designated doctor and nurse).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RequiredMember {
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

pub const MEMBERSHIP_ROLES: &[&str] = &[
    "chair",
    "vice-chair",
    "member",
    "deputy",
    "participating-observer",
    "independent-non-voting",
    "co-opted",
    "lay-member",
    "young-person",
];

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Membership {
    pub body: String,
    pub organisation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post: Option<String>,
    /// What the representative is, when there is no post in the file ("Headteacher").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub representative: String,
    pub role: String,
    /// Can vote. Observers, the independent scrutineer and non-voting members cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voting: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Day>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Day>,
}

/// The published text of the arrangements, section by section (Markdown-like plain text).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Sections {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub area: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub relevant_agencies: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scrutiny: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub funding: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub thresholds: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub education: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub youth_custody_and_residential: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub data_and_intelligence: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub training: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub voice_of_children: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub escalation: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub policies_and_procedures: String,
}

/// A problem in a file, at a line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Largest file accepted: the biggest real one (Portsmouth, ~200 agencies) is far smaller.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// Deepest nesting of arrays and tables accepted (the format needs 3).
pub const MAX_DEPTH: usize = 16;

/// The line of a byte offset in a file (1 for the first): problems are reported by line.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

/// Refuse what is not a text file of sensible size and shape before parsing it. Every TOML
/// file masa reads passes this first (the thresholds document too).
pub fn screen(bytes: &[u8]) -> Result<&str, Problem> {
    let at1 = |m: &str| Problem {
        line: 1,
        message: m.to_owned(),
    };
    if bytes.len() > MAX_BYTES {
        return Err(at1(&format!(
            "the file is {} bytes; the limit is {MAX_BYTES}",
            bytes.len()
        )));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(at1("the file is UTF-16: save it as UTF-8"));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| Problem {
        line: line_of(
            &String::from_utf8_lossy(&bytes[..e.valid_up_to()]),
            e.valid_up_to(),
        ),
        message: "the file is not UTF-8 text: save it as UTF-8".into(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Nesting depth, counting brackets outside strings and comments (roughly: enough to
    // refuse a hostile file before the parser recurses into it).
    let (mut depth, mut max, mut in_str, mut comment) = (0usize, 0usize, None::<char>, false);
    let mut prev = ' ';
    for (i, c) in text.char_indices() {
        match (in_str, comment, c) {
            (_, true, '\n') => comment = false,
            (_, true, _) => {}
            (None, false, '#') => comment = true,
            (None, false, '"' | '\'') => in_str = Some(c),
            (Some(q), false, _) if c == q && prev != '\\' => in_str = None,
            (None, false, '[' | '{') => {
                depth += 1;
                max = max.max(depth);
                if max > MAX_DEPTH {
                    return Err(Problem {
                        line: line_of(text, i),
                        message: format!("nested more than {MAX_DEPTH} deep"),
                    });
                }
            }
            (None, false, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        prev = c;
    }
    Ok(text)
}

/// Parse a file, reporting every problem found (with its line), or the arrangements.
pub fn parse(bytes: &[u8]) -> Result<Arrangements, Vec<Problem>> {
    let text = screen(bytes).map_err(|p| vec![p])?;
    let a: Arrangements = toml::from_str(text).map_err(|e| {
        vec![Problem {
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            message: e.message().trim().to_owned(),
        }]
    })?;
    let problems = check(&a, text);
    if problems.is_empty() {
        Ok(a)
    } else {
        Err(problems)
    }
}

fn overlaps(a: (Option<Day>, Option<Day>), b: (Option<Day>, Option<Day>)) -> bool {
    let a_before_b = matches!((a.1, b.0), (Some(end), Some(start)) if end < start);
    let b_before_a = matches!((b.1, a.0), (Some(end), Some(start)) if end < start);
    !(a_before_b || b_before_a)
}

/// Whether something with these dates exists on a day.
pub fn in_force(from: Option<Day>, to: Option<Day>, day: NaiveDate) -> bool {
    from.is_none_or(|f| f.0 <= day) && to.is_none_or(|t| day <= t.0)
}

/// The rules a file must keep beyond its shape: unique keys, references that resolve, dates in
/// order, values from the lists, one chair at a time.
pub fn check(a: &Arrangements, text: &str) -> Vec<Problem> {
    let mut p = Vec::new();
    let mut add = |span: std::ops::Range<usize>, m: String| {
        p.push(Problem {
            line: line_of(text, span.start),
            message: m,
        })
    };

    if a.schema != SCHEMA {
        add(
            0..0,
            format!("schema must be \"{SCHEMA}\", not {:?}", a.schema),
        );
    }
    if crate::partnerships::store::parse_slug(&a.partnership.slug).is_err() {
        add(
            0..0,
            format!(
                "partnership slug {:?} must be lower-case letters, numbers and hyphens",
                a.partnership.slug
            ),
        );
    }
    if !matches!(
        a.partnership.guidance.as_str(),
        "" | "working-together-2018" | "working-together-2023"
    ) {
        add(
            0..0,
            "guidance must be working-together-2018 or working-together-2023".into(),
        );
    }

    fn keys<'a, T>(
        items: &'a [Spanned<T>],
        key: impl Fn(&T) -> &str,
        what: &str,
        add: &mut impl FnMut(std::ops::Range<usize>, String),
    ) -> BTreeSet<&'a str> {
        let mut seen = BTreeSet::new();
        for i in items {
            let k = key(i.get_ref());
            if crate::partnerships::store::parse_slug(k).is_err() {
                add(
                    i.span(),
                    format!("{what} key {k:?} must be lower-case letters, numbers and hyphens"),
                );
            }
            if !seen.insert(k) {
                add(i.span(), format!("two {what}s have the key {k:?}"));
            }
        }
        seen
    }
    let areas = keys(&a.areas, |x| &x.key, "area", &mut add);
    let orgs = keys(&a.organisations, |x| &x.key, "organisation", &mut add);
    let posts = keys(&a.posts, |x| &x.key, "post", &mut add);
    let bodies = keys(&a.bodies, |x| &x.key, "body", &mut add);
    keys(&a.collaborations, |x| &x.key, "collaboration", &mut add);

    let dates = |span: std::ops::Range<usize>,
                 what: &str,
                 from: Option<Day>,
                 to: Option<Day>,
                 add: &mut dyn FnMut(std::ops::Range<usize>, String)| {
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            add(span, format!("{what} ends ({t}) before it starts ({f})"));
        }
    };
    let refer = |span: std::ops::Range<usize>,
                 set: &BTreeSet<&str>,
                 key: &str,
                 what: &str,
                 from: &str,
                 add: &mut dyn FnMut(std::ops::Range<usize>, String)| {
        if !set.contains(key) {
            add(
                span,
                format!("{from} refers to {what} {key:?}, which is not in the file"),
            );
        }
    };

    for x in &a.areas {
        let v = x.get_ref();
        refer(
            x.span(),
            &orgs,
            &v.local_authority,
            "organisation",
            &format!("area {}", v.key),
            &mut add,
        );
        let mut years = BTreeSet::new();
        for pop in &v.child_population {
            if !years.insert(pop.year) {
                add(
                    x.span(),
                    format!("area {} has two child populations for {}", v.key, pop.year),
                );
            }
            if pop.children < 0 {
                add(
                    x.span(),
                    format!("area {}: a population cannot be negative", v.key),
                );
            }
        }
    }
    for x in &a.collaborations {
        let v = x.get_ref();
        dates(
            x.span(),
            &format!("collaboration {}", v.key),
            v.from,
            v.to,
            &mut add,
        );
        for b in &v.shared_bodies {
            refer(
                x.span(),
                &bodies,
                b,
                "body",
                &format!("collaboration {}", v.key),
                &mut add,
            );
        }
    }
    let org_by_key: BTreeMap<&str, &Organisation> = a
        .organisations
        .iter()
        .map(|o| (o.get_ref().key.as_str(), o.get_ref()))
        .collect();
    for x in &a.organisations {
        let v = x.get_ref();
        let name = format!("organisation {}", v.key);
        if !SECTORS.contains(&v.sector.as_str()) {
            add(
                x.span(),
                format!(
                    "{name}: sector {:?} is not one of {}",
                    v.sector,
                    SECTORS.join(", ")
                ),
            );
        }
        if let Some(r) = &v.statutory_partner
            && !STATUTORY_ROLES.contains(&r.as_str())
        {
            add(
                x.span(),
                format!(
                    "{name}: statutory_partner must be local-authority, health or police, not {r:?}"
                ),
            );
        }
        dates(x.span(), &name, v.from, v.to, &mut add);
        if let Some(parent) = &v.parent {
            refer(x.span(), &orgs, parent, "organisation", &name, &mut add);
        }
        if let Some(s) = &v.successor {
            refer(x.span(), &orgs, s, "organisation", &name, &mut add);
            if v.to.is_none() {
                add(
                    x.span(),
                    format!("{name} has a successor, so it needs the date it ended (to)"),
                );
            }
            if let (Some(end), Some(next)) = (v.to, org_by_key.get(s.as_str()).and_then(|o| o.from))
                && next.0 <= end.0
            {
                add(
                    x.span(),
                    format!(
                        "{name} ends on {end} but its successor {s} starts on {next}: the successor must start after"
                    ),
                );
            }
        }
    }
    for x in &a.posts {
        let v = x.get_ref();
        refer(
            x.span(),
            &orgs,
            &v.organisation,
            "organisation",
            &format!("post {}", v.key),
            &mut add,
        );
        dates(x.span(), &format!("post {}", v.key), v.from, v.to, &mut add);
    }
    for x in &a.statutory_partners {
        let v = x.get_ref();
        let name = format!("statutory partner {}", v.role);
        if !STATUTORY_ROLES.contains(&v.role.as_str()) {
            add(
                x.span(),
                format!(
                    "statutory partner role must be local-authority, health or police, not {:?}",
                    v.role
                ),
            );
        }
        refer(
            x.span(),
            &orgs,
            &v.organisation,
            "organisation",
            &name,
            &mut add,
        );
        for post in [&v.lead, &v.delegate].into_iter().flatten() {
            refer(x.span(), &posts, post, "post", &name, &mut add);
        }
        dates(x.span(), &name, v.from, v.to, &mut add);
    }
    // An organisation is a statutory partner once at a time. (A partnership covering several
    // areas has several of a role: Derby and Derbyshire has two councils and two CCGs.)
    for (i, x) in a.statutory_partners.iter().enumerate() {
        for y in &a.statutory_partners[i + 1..] {
            let (v, w) = (x.get_ref(), y.get_ref());
            if v.role == w.role
                && v.organisation == w.organisation
                && overlaps((v.from, v.to), (w.from, w.to))
            {
                add(
                    y.span(),
                    format!(
                        "{} is listed twice as the {} statutory partner at the same time",
                        v.organisation, v.role
                    ),
                );
            }
        }
    }
    let body_by_key: BTreeMap<&str, &Body> = a
        .bodies
        .iter()
        .map(|b| (b.get_ref().key.as_str(), b.get_ref()))
        .collect();
    for x in &a.bodies {
        let v = x.get_ref();
        let name = format!("body {}", v.key);
        if !BODY_KINDS.contains(&v.kind.as_str()) {
            add(
                x.span(),
                format!(
                    "{name}: kind {:?} is not one of {}",
                    v.kind,
                    BODY_KINDS.join(", ")
                ),
            );
        }
        if v.kind == "task-and-finish" && v.to.is_none() {
            add(
                x.span(),
                format!("{name} is a task and finish group, so it needs the date it ends (to)"),
            );
        }
        dates(x.span(), &name, v.from, v.to, &mut add);
        if v.parent.is_some() && !v.parents.is_empty() {
            add(
                x.span(),
                format!(
                    "{name} has both parent and parents: use parents for reporting lines that changed"
                ),
            );
        }
        for parent in v.parent.iter().chain(v.parents.iter().map(|l| &l.body)) {
            refer(x.span(), &bodies, parent, "body", &name, &mut add);
            if parent == &v.key {
                add(x.span(), format!("{name} reports to itself"));
            }
        }
        for (i, l) in v.parents.iter().enumerate() {
            dates(
                x.span(),
                &format!("{name}'s reporting line to {}", l.body),
                l.from,
                l.to,
                &mut add,
            );
            if v.parents[i + 1..]
                .iter()
                .any(|m| overlaps((l.from, l.to), (m.from, m.to)))
            {
                add(x.span(), format!("{name} reports to two bodies at once"));
            }
        }
        if let Some(area) = &v.area {
            refer(x.span(), &areas, area, "area", &name, &mut add);
        }
        if let Some(c) = &v.chair {
            if !CHAIR_RULES.contains(&c.rule.as_str()) {
                add(
                    x.span(),
                    format!(
                        "{name}: chair rule {:?} is not one of {}",
                        c.rule,
                        CHAIR_RULES.join(", ")
                    ),
                );
            }
            match c.rule.as_str() {
                "sector" if c.sector.as_deref().is_none_or(|s| !SECTORS.contains(&s)) => add(
                    x.span(),
                    format!("{name}: a sector chair rule needs a sector from the list"),
                ),
                "appointed-by-body" => match &c.body {
                    Some(b) => refer(x.span(), &bodies, b, "body", &name, &mut add),
                    None => add(
                        x.span(),
                        format!("{name}: say which body appoints the chair (chair.body)"),
                    ),
                },
                "post" => match &c.post {
                    Some(pk) => refer(x.span(), &posts, pk, "post", &name, &mut add),
                    None => add(
                        x.span(),
                        format!("{name}: say which post chairs (chair.post)"),
                    ),
                },
                _ => {}
            }
        }
        if let Some(m) = &v.meetings
            && !FREQUENCIES.contains(&m.frequency.as_str())
        {
            add(
                x.span(),
                format!(
                    "{name}: meeting frequency {:?} is not one of {}",
                    m.frequency,
                    FREQUENCIES.join(", ")
                ),
            );
        }
        match &v.quorum {
            Some(Quorum::ShareOfVoting { share }) if !(*share > 0.0 && *share <= 1.0) => add(
                x.span(),
                format!("{name}: a quorum share must be more than 0 and at most 1"),
            ),
            Some(Quorum::Members { count: 0 }) => add(
                x.span(),
                format!("{name}: a quorum of 0 members is no quorum"),
            ),
            _ => {}
        }
        if let Some(att) = &v.attendance
            && !(att.expected_share > 0.0 && att.expected_share <= 1.0)
        {
            add(
                x.span(),
                format!("{name}: expected attendance must be more than 0 and at most 1"),
            );
        }
        for q in &v.reports_in_quarters {
            if !(1..=4).contains(q) {
                add(x.span(), format!("{name}: quarter {q} is not 1 to 4"));
            }
        }
        for item in &v.reports_received {
            if item.quarters.is_empty() || item.quarters.iter().any(|q| !(1..=4).contains(q)) {
                add(
                    x.span(),
                    format!("{name}: report {:?} needs quarters from 1 to 4", item.name),
                );
            }
        }
        if !v.reports_in_quarters.is_empty() && v.parent.is_none() && v.parents.is_empty() {
            add(
                x.span(),
                format!("{name} reports in quarters but has no parent body to report to"),
            );
        }
        for r in &v.required_members {
            if let Some(s) = &r.sector
                && !SECTORS.contains(&s.as_str())
            {
                add(
                    x.span(),
                    format!("{name}: required member sector {s:?} is not in the list"),
                );
            }
        }
    }
    // Reporting lines must not go round in a circle.
    for x in &a.bodies {
        let mut seen = BTreeSet::new();
        let mut at = x.get_ref().key.as_str();
        while let Some(parent) = body_by_key.get(at).and_then(|b| {
            b.parent
                .as_deref()
                .or(b.parents.last().map(|l| l.body.as_str()))
        }) {
            if !seen.insert(at) {
                add(
                    x.span(),
                    format!("body {} is in a circle of reporting lines", x.get_ref().key),
                );
                break;
            }
            at = parent;
        }
    }
    for x in &a.memberships {
        let v = x.get_ref();
        let name = format!("membership of {} by {}", v.body, v.organisation);
        refer(x.span(), &bodies, &v.body, "body", "a membership", &mut add);
        refer(
            x.span(),
            &orgs,
            &v.organisation,
            "organisation",
            "a membership",
            &mut add,
        );
        if let Some(pk) = &v.post {
            refer(x.span(), &posts, pk, "post", "a membership", &mut add);
        }
        if !MEMBERSHIP_ROLES.contains(&v.role.as_str()) {
            add(
                x.span(),
                format!(
                    "{name}: role {:?} is not one of {}",
                    v.role,
                    MEMBERSHIP_ROLES.join(", ")
                ),
            );
        }
        if matches!(
            v.role.as_str(),
            "participating-observer" | "independent-non-voting"
        ) && v.voting == Some(true)
        {
            add(
                x.span(),
                format!("{name}: a {} cannot vote", v.role.replace('-', " ")),
            );
        }
        dates(x.span(), &name, v.from, v.to, &mut add);
        if let Some(b) = body_by_key.get(v.body.as_str()) {
            let before = matches!((v.from, b.from), (Some(m), Some(bf)) if m < bf)
                || (v.from.is_none() && b.from.is_some());
            let after = matches!((v.to, b.to), (Some(m), Some(bt)) if m > bt)
                || (v.to.is_none() && b.to.is_some());
            if before || after {
                add(
                    x.span(),
                    format!("{name} runs outside the dates of the body"),
                );
            }
        }
    }
    // One chair of a body at a time.
    for (i, x) in a.memberships.iter().enumerate() {
        for y in &a.memberships[i + 1..] {
            let (v, w) = (x.get_ref(), y.get_ref());
            if v.role == "chair"
                && w.role == "chair"
                && v.body == w.body
                && overlaps((v.from, v.to), (w.from, w.to))
            {
                add(
                    y.span(),
                    format!(
                        "body {} has two chairs at once ({} and {})",
                        v.body, v.organisation, w.organisation
                    ),
                );
            }
        }
    }
    // Every field a page, the chart and the PDF lay out is bounded, so no entry can make the
    // work of showing the arrangements grow without bound.
    let whole = 0..0;
    for m in too_long(&a.partnership, false) {
        add(whole.clone(), format!("partnership: {m}"));
    }
    for m in too_long(&a.sections, true) {
        add(whole.clone(), format!("sections: {m}"));
    }
    fn entries<T: Serialize>(
        items: &[Spanned<T>],
        what: &str,
        add: &mut impl FnMut(std::ops::Range<usize>, String),
    ) {
        if items.len() > MAX_ENTRIES {
            add(
                0..0,
                format!(
                    "there are {} {what}s; the most is {MAX_ENTRIES}",
                    items.len()
                ),
            );
        }
        for i in items {
            for m in too_long(i.get_ref(), false) {
                add(i.span(), format!("{what}: {m}"));
            }
        }
    }
    entries(&a.areas, "area", &mut add);
    entries(&a.collaborations, "collaboration", &mut add);
    entries(&a.organisations, "organisation", &mut add);
    entries(&a.posts, "post", &mut add);
    entries(&a.statutory_partners, "statutory partner", &mut add);
    entries(&a.bodies, "body", &mut add);
    entries(&a.memberships, "membership", &mut add);
    p.sort();
    p.dedup();
    p
}

/// The most characters a short field (a name, a key, a title) may hold.
pub const SHORT_TEXT: usize = 500;
/// The most characters prose may hold: a section of the published arrangements, one line of a
/// body's purpose or rules, a reason, a note.
pub const LONG_TEXT: usize = 20_000;
/// The most items a list inside one entry may hold.
pub const MAX_LIST: usize = 200;
/// The most entries of one kind a file may hold (Portsmouth names about 200 organisations).
pub const MAX_ENTRIES: usize = 5_000;
/// Fields that hold prose, wherever they appear.
const PROSE: &[&str] = &["purpose", "rules", "why", "note", "source", "description"];

/// What is too long in an entry: each field over its limit, said in words.
fn too_long(entry: &impl Serialize, prose: bool) -> Vec<String> {
    fn walk(v: &serde_json::Value, field: &str, prose: bool, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => {
                let max = if prose || PROSE.contains(&field) {
                    LONG_TEXT
                } else {
                    SHORT_TEXT
                };
                let n = s.chars().count();
                if n > max {
                    out.push(format!("{field} is {n} characters long; the most is {max}"));
                }
            }
            serde_json::Value::Array(items) => {
                if items.len() > MAX_LIST {
                    out.push(format!(
                        "{field} has {} items; the most is {MAX_LIST}",
                        items.len()
                    ));
                }
                for i in items {
                    walk(i, field, prose, out);
                }
            }
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    walk(x, k, prose, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(v) = serde_json::to_value(entry) {
        walk(&v, "", prose, &mut out);
    }
    out
}

#[cfg(test)]
mod length_tests {
    use super::*;

    #[test]
    fn fields_are_bounded() {
        let body = Post {
            key: "k".into(),
            title: "x".repeat(SHORT_TEXT + 1),
            organisation: "o".into(),
            holder: String::new(),
            from: None,
            to: None,
        };
        let said = too_long(&body, false);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(
            said[0].starts_with("title is 501 characters long"),
            "{said:?}"
        );
        let prose = Sections {
            scrutiny: "y".repeat(LONG_TEXT),
            ..Sections::default()
        };
        assert!(too_long(&prose, true).is_empty());
    }
}
