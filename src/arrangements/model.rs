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
pub const SCHEMA: &str = "masa-arrangements/2";
/// The earlier version, which [`super::upgrade`] turns into this one.
pub const SCHEMA_1: &str = "masa-arrangements/1";

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
    pub additional_partners: Vec<Spanned<AdditionalPartner>>,
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
    /// Each published edition of the arrangements, oldest first: when it was published, from
    /// when it applied and which statutory guidance it follows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub editions: Vec<Edition>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub website: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contact_email: String,
    /// Where the published arrangements came from (a cabinet report, a web page).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

pub const GUIDANCE: &[&str] = &["working-together-2018", "working-together-2023"];

/// One published edition of the arrangements.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Edition {
    /// `working-together-2018` or `working-together-2023`.
    pub guidance: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<Day>,
    /// From when it applied, when not the day it was published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Day>,
}

impl Edition {
    /// The day it began to apply: `from`, else the day it was published.
    pub fn start(&self) -> Option<Day> {
        self.from.or(self.published)
    }

    /// The guidance in words.
    pub fn guidance_text(&self) -> &'static str {
        match self.guidance.as_str() {
            "working-together-2018" => "Working Together to Safeguard Children 2018",
            "working-together-2023" => "Working Together to Safeguard Children 2023",
            _ => "",
        }
    }
}

impl Partnership {
    /// The edition that applied on a day: the latest begun by then (the first, before any).
    pub fn edition_on(&self, day: NaiveDate) -> Option<&Edition> {
        self.editions
            .iter()
            .rev()
            .find(|e| e.start().is_none_or(|s| s.0 <= day))
            .or(self.editions.first())
    }
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
    /// When this figure replaced an earlier one for the same year (ONS revises its
    /// estimates); the earlier entry stays, with its own source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revised: Option<Day>,
}

/// An area's latest child population as known on a day, with the figures it revised.
#[derive(Clone, Debug, PartialEq)]
pub struct PopulationOn<'a> {
    pub figure: &'a Population,
    /// Earlier figures for the same year, newest first.
    pub earlier: Vec<&'a Population>,
}

impl Area {
    /// The latest year's figure as known on a day: a revision counts from its date.
    pub fn population_on(&self, day: NaiveDate) -> Option<PopulationOn<'_>> {
        let known: Vec<&Population> = self
            .child_population
            .iter()
            .filter(|p| p.revised.is_none_or(|r| r.0 <= day))
            .collect();
        let year = known.iter().map(|p| p.year).max()?;
        let mut of_year: Vec<&Population> = known.into_iter().filter(|p| p.year == year).collect();
        of_year.sort_by_key(|p| p.revised);
        let figure = of_year.pop()?;
        of_year.reverse();
        Some(PopulationOn {
            figure,
            earlier: of_year,
        })
    }
}

impl Population {
    /// The count as people read it: 52,898.
    pub fn children_text(&self) -> String {
        crate::web::forms::thousands(usize::try_from(self.children).unwrap_or(0))
    }
}

/// Working with other partnerships through shared bodies (HIPS).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Collaboration {
    pub key: String,
    pub name: String,
    /// The other partnerships taking part: by name, and by slug when on the same masa host.
    pub partners: Vec<CollaborationPartner>,
    /// Bodies in this file that the collaboration shares: this partnership hosts them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared_bodies: Vec<String>,
    /// The slug of the partnership on this host whose file holds the shared bodies, when it is
    /// not this one. Its collaboration of the same key must name this partnership by slug.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Day>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Day>,
}

/// A partnership taking part in a collaboration.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CollaborationPartner {
    pub name: String,
    /// Its slug, when it runs on the same masa host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
}

/// A name something was known by for a period, before its current `name`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FormerName {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Day>,
    pub to: Day,
}

/// The name on a day: the former name whose dates hold it, else the current one.
pub fn name_on<'a>(name: &'a str, former: &'a [FormerName], day: NaiveDate) -> &'a str {
    former
        .iter()
        .find(|f| in_force(f.from, Some(f.to), day))
        .map_or(name, |f| f.name.as_str())
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
    /// The organisations that took over: one (eight CCGs each naming the one ICB that merged
    /// them), or several when it split.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub successors: Vec<String>,
    /// Names it had before its current one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former_names: Vec<FormerName>,
}

impl Organisation {
    pub fn name_on(&self, day: NaiveDate) -> &str {
        name_on(&self.name, &self.former_names, day)
    }

    /// The same organisation as it stood on a day: named as it was then.
    pub fn on(&self, day: NaiveDate) -> Organisation {
        let mut o = self.clone();
        o.name = self.name_on(day).to_owned();
        o
    }
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

/// A partner the partnership chose beyond the three the law names (since 2023, often
/// education), with its lead and delegate like a statutory partner. It does not sign what the
/// law asks the statutory partners to sign.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AdditionalPartner {
    pub organisation: String,
    /// The sector it speaks for, from the list of sectors.
    pub sector: String,
    /// What it is there as ("Schools' representative", "Director of Education").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
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
    /// Names it had before its current one ("the Executive" before "the Executive Board").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former_names: Vec<FormerName>,
    pub kind: String,
    /// The bodies that replaced it when it ended.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub successors: Vec<String>,
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
    "rotating-partners",
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
    /// For a rotating chair: the organisations in the order the chair passes among them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rotation: Vec<String>,
    /// For a rotating chair: the months each holds it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term_months: Option<u32>,
    /// For a rotating chair: the day the first in the rotation took the chair.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_from: Option<Day>,
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
    /// Every partner present: the statutory partners and the additional partners in force.
    AllPartners,
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

/// A rotating chair's holder for one term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Turn<'a> {
    /// The organisation in the chair.
    pub organisation: &'a str,
    /// The day its term began.
    pub from: NaiveDate,
    /// The day the chair passes on.
    pub handover: NaiveDate,
    /// Who takes it then.
    pub next: &'a str,
}

/// How long before a rotating chair passes on the business unit is told, to arrange the
/// handover (papers, the chair's briefing, the public page), in working days: about two months.
pub const HANDOVER_NOTICE_WORKING_DAYS: i64 = 40;
/// Within this many working days of the handover the task is amber.
pub const HANDOVER_AMBER_WORKING_DAYS: i64 = 10;

/// Whether a handover on `handover` is near enough on `today` to tell the business unit.
pub fn handover_near(
    handover: NaiveDate,
    today: NaiveDate,
    cal: &crate::calendar::working_days::Calendar,
) -> bool {
    handover >= today && cal.working_days_between(today, handover) <= HANDOVER_NOTICE_WORKING_DAYS
}

impl ChairRule {
    /// Whether the chair passes among partners rather than being held by one.
    pub fn rotates(&self) -> bool {
        self.rule.starts_with("rotating-")
    }

    /// Who holds a rotating chair on a day, derived from the order, the term and the day the
    /// rotation began; None before it began or when the rule gives no rotation.
    pub fn turn_on(&self, day: NaiveDate) -> Option<Turn<'_>> {
        let start = self.rotation_from?.0;
        let term = self.term_months.filter(|t| *t > 0)?;
        if self.rotation.is_empty() || day < start {
            return None;
        }
        let after = |k: u32| start.checked_add_months(chrono::Months::new(k.checked_mul(term)?));
        // A first guess from the months between, corrected by a step either way.
        use chrono::Datelike;
        let months = (day.year() - start.year()) * 12 + day.month() as i32 - start.month() as i32;
        let mut k = u32::try_from(months.max(0)).ok()? / term;
        while after(k)? > day {
            k = k.checked_sub(1)?;
        }
        while after(k + 1)? <= day {
            k += 1;
        }
        let n = self.rotation.len();
        let at = |k: u32| self.rotation[k as usize % n].as_str();
        Some(Turn {
            organisation: at(k),
            from: after(k)?,
            handover: after(k + 1)?,
            next: at(k + 1),
        })
    }
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

    /// The same body as it stood on a day: its reporting line and its name resolved.
    pub fn on(&self, day: NaiveDate) -> Body {
        let mut b = self.clone();
        b.parent = self.parent_on(day).map(str::to_owned);
        b.parents.clear();
        b.name = name_on(&self.name, &self.former_names, day).to_owned();
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
    "in-attendance",
];

/// Roles that sit at a body without being members: not voting, not counted for quorum or in
/// attendance figures, and shown apart from the members.
pub const IN_ATTENDANCE: &str = "in-attendance";

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

impl Membership {
    /// A member of the body, not someone in attendance.
    pub fn is_member(&self) -> bool {
        self.role != IN_ATTENDANCE
    }

    /// Can vote: as stated, else by role.
    pub fn votes(&self) -> bool {
        self.is_member()
            && self.voting.unwrap_or(!matches!(
                self.role.as_str(),
                "participating-observer" | "independent-non-voting"
            ))
    }
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

impl Problem {
    /// A problem with the file as a whole (too large, not text, nothing chosen): on its first
    /// line, where a reader starts.
    pub fn whole_file(message: &str) -> Vec<Problem> {
        vec![Problem {
            line: 1,
            message: message.to_owned(),
        }]
    }
}

/// A key one entry of a document (thresholds, scorecard) names another by: lower-case letters,
/// numbers and hyphens, at most 60, not starting or ending with a hyphen.
pub fn is_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 60
        && k.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !k.starts_with('-')
        && !k.ends_with('-')
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

/// Read a TOML file of masa's (screened first, then its shape): the value and its text, for
/// the rules beyond the shape that each format checks with lines; or the first problem.
pub fn from_toml<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<(T, &str), Vec<Problem>> {
    let text = screen(bytes).map_err(|p| vec![p])?;
    let v = toml::from_str(text).map_err(|e| {
        vec![Problem {
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            message: e.message().trim().to_owned(),
        }]
    })?;
    Ok((v, text))
}

/// A file as read: the arrangements, and the text they were read from, which is the upgraded
/// text when the file was `/1` (what changed is listed in `upgraded`).
#[derive(Debug)]
pub struct Read {
    pub arrangements: Arrangements,
    pub text: String,
    pub upgraded: Vec<String>,
}

/// Read a file, upgrading a `/1` file first: every problem found (with its line, a line of the
/// upgraded text for a `/1` file), or the arrangements.
pub fn read(bytes: &[u8]) -> Result<Read, Vec<Problem>> {
    let text = screen(bytes).map_err(|p| vec![p])?;
    let (text, upgraded) = match super::upgrade::upgrade(text) {
        Some(u) => (u.text, u.changes),
        None => (text.to_owned(), Vec::new()),
    };
    let (a, _): (Arrangements, &str) = from_toml(text.as_bytes())?;
    let problems = check(&a, &text);
    if problems.is_empty() {
        Ok(Read {
            arrangements: a,
            text,
            upgraded,
        })
    } else {
        Err(problems)
    }
}

/// Parse a file (a `/1` file is upgraded first), reporting every problem found (with its
/// line), or the arrangements.
pub fn parse(bytes: &[u8]) -> Result<Arrangements, Vec<Problem>> {
    read(bytes).map(|r| r.arrangements)
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
    let mut last_start: Option<Day> = None;
    for (i, e) in a.partnership.editions.iter().enumerate() {
        if !GUIDANCE.contains(&e.guidance.as_str()) {
            add(
                0..0,
                format!(
                    "edition {}: guidance must be working-together-2018 or working-together-2023, not {:?}",
                    i + 1,
                    e.guidance
                ),
            );
        }
        match e.start() {
            None if i > 0 => add(
                0..0,
                format!(
                    "edition {}: say when it was published or from when it applied; only the first edition may leave both out",
                    i + 1
                ),
            ),
            Some(s) if last_start.is_some_and(|l| s <= l) => add(
                0..0,
                format!(
                    "edition {} starts on {s}, not after the edition before it: list editions oldest first",
                    i + 1
                ),
            ),
            _ => {}
        }
        last_start = e.start().or(last_start);
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
            if !years.insert((pop.year, pop.revised)) {
                add(
                    x.span(),
                    format!(
                        "area {} has two child populations for {}: give the later one the date it was revised (revised = 2021-06-25), and keep the earlier",
                        v.key, pop.year
                    ),
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
        let name = format!("collaboration {}", v.key);
        for slug in v
            .partners
            .iter()
            .filter_map(|p| p.slug.as_deref())
            .chain(v.host.as_deref())
        {
            if crate::partnerships::store::parse_slug(slug).is_err() {
                add(
                    x.span(),
                    format!(
                        "{name}: {slug:?} is not a partnership's slug (lower-case letters, numbers and hyphens)"
                    ),
                );
            }
            if slug == a.partnership.slug {
                add(
                    x.span(),
                    format!("{name} names this partnership as another: list only the others"),
                );
            }
        }
        if let Some(host) = &v.host {
            if !v.shared_bodies.is_empty() {
                add(
                    x.span(),
                    format!(
                        "{name} has a host ({host}) and shared bodies of its own: the host's file lists the shared bodies"
                    ),
                );
            }
            if !v.partners.iter().any(|p| p.slug.as_deref() == Some(host)) {
                add(
                    x.span(),
                    format!(
                        "{name}: its host {host:?} must be one of its partners, named by that slug"
                    ),
                );
            }
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
        former_names(x.span(), &name, &v.former_names, &mut add);
        if !v.successors.is_empty() && v.to.is_none() {
            add(
                x.span(),
                format!("{name} has a successor, so it needs the date it ended (to)"),
            );
        }
        for s in &v.successors {
            refer(x.span(), &orgs, s, "organisation", &name, &mut add);
            if s == &v.key {
                add(x.span(), format!("{name} names itself as its successor"));
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
        let refs = Refs {
            orgs: &orgs,
            posts: &posts,
        };
        refs.partner(
            x.span(),
            &name,
            &v.organisation,
            [&v.lead, &v.delegate],
            &mut add,
        );
        dates(x.span(), &name, v.from, v.to, &mut add);
    }
    for x in &a.additional_partners {
        let v = x.get_ref();
        let name = format!("additional partner {}", v.organisation);
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
        let refs = Refs {
            orgs: &orgs,
            posts: &posts,
        };
        refs.partner(
            x.span(),
            &name,
            &v.organisation,
            [&v.lead, &v.delegate],
            &mut add,
        );
        dates(x.span(), &name, v.from, v.to, &mut add);
        if org_by_key
            .get(v.organisation.as_str())
            .is_some_and(|o| o.statutory_partner.is_some())
        {
            add(
                x.span(),
                format!(
                    "{name} is a statutory partner: the law names it, so list it under statutory_partners only"
                ),
            );
        }
    }
    for (i, x) in a.additional_partners.iter().enumerate() {
        for y in &a.additional_partners[i + 1..] {
            let (v, w) = (x.get_ref(), y.get_ref());
            if v.organisation == w.organisation && overlaps((v.from, v.to), (w.from, w.to)) {
                add(
                    y.span(),
                    format!(
                        "{} is listed twice as an additional partner at the same time",
                        v.organisation
                    ),
                );
            }
        }
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
        former_names(x.span(), &name, &v.former_names, &mut add);
        if !v.successors.is_empty() && v.to.is_none() {
            add(
                x.span(),
                format!("{name} has a successor, so it needs the date it ended (to)"),
            );
        }
        for s in &v.successors {
            refer(x.span(), &bodies, s, "body", &name, &mut add);
            if s == &v.key {
                add(x.span(), format!("{name} names itself as its successor"));
            }
        }
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
            if !c.rotation.is_empty() || c.term_months.is_some() || c.rotation_from.is_some() {
                if !c.rotates() {
                    add(
                        x.span(),
                        format!("{name}: a rotation is only for a rotating chair rule"),
                    );
                } else if c.rotation.is_empty()
                    || c.term_months.is_none_or(|t| t == 0 || t > 120)
                    || c.rotation_from.is_none()
                {
                    add(
                        x.span(),
                        format!(
                            "{name}: a rotating chair needs all of rotation (the organisations in order), term_months (1 to 120) and rotation_from (when the first took the chair)"
                        ),
                    );
                }
                let statutory = |k: &str| {
                    org_by_key
                        .get(k)
                        .is_some_and(|o| o.statutory_partner.is_some())
                        || a.statutory_partners
                            .iter()
                            .any(|s| s.get_ref().organisation == k)
                };
                let additional = |k: &str| {
                    a.additional_partners
                        .iter()
                        .any(|s| s.get_ref().organisation == k)
                };
                for o in &c.rotation {
                    refer(x.span(), &orgs, o, "organisation", &name, &mut add);
                    let ok = match c.rule.as_str() {
                        "rotating-statutory-partners" => statutory(o),
                        _ => statutory(o) || additional(o),
                    };
                    if orgs.contains(o.as_str()) && !ok {
                        add(
                            x.span(),
                            format!(
                                "{name}: {o} is in the chair's rotation but is not {}",
                                if c.rule == "rotating-statutory-partners" {
                                    "a statutory partner"
                                } else {
                                    "a partner"
                                }
                            ),
                        );
                    }
                }
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
            "participating-observer" | "independent-non-voting" | IN_ATTENDANCE
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
    entries(&a.additional_partners, "additional partner", &mut add);
    entries(&a.bodies, "body", &mut add);
    entries(&a.memberships, "membership", &mut add);
    p.sort();
    p.dedup();
    p
}

/// A reference to a key of the file must find it.
fn refer(
    span: std::ops::Range<usize>,
    set: &BTreeSet<&str>,
    key: &str,
    what: &str,
    from: &str,
    add: &mut dyn FnMut(std::ops::Range<usize>, String),
) {
    if !set.contains(key) {
        add(
            span,
            format!("{from} refers to {what} {key:?}, which is not in the file"),
        );
    }
}

/// The keys a partner's entry may refer to.
struct Refs<'a> {
    orgs: &'a BTreeSet<&'a str>,
    posts: &'a BTreeSet<&'a str>,
}

impl Refs<'_> {
    /// A partner (statutory or additional) names its organisation, and posts for its lead and
    /// delegate, all of which must be in the file.
    fn partner(
        &self,
        span: std::ops::Range<usize>,
        name: &str,
        organisation: &str,
        posts: [&Option<String>; 2],
        add: &mut impl FnMut(std::ops::Range<usize>, String),
    ) {
        refer(
            span.clone(),
            self.orgs,
            organisation,
            "organisation",
            name,
            add,
        );
        for post in posts.into_iter().flatten() {
            refer(span.clone(), self.posts, post, "post", name, add);
        }
    }
}

/// Former names must be dated in order and not overlap.
fn former_names(
    span: std::ops::Range<usize>,
    what: &str,
    names: &[FormerName],
    add: &mut impl FnMut(std::ops::Range<usize>, String),
) {
    for (i, n) in names.iter().enumerate() {
        if n.from.is_some_and(|f| f > n.to) {
            add(
                span.clone(),
                format!("{what}: former name {:?} ends before it starts", n.name),
            );
        }
        if names[i + 1..]
            .iter()
            .any(|m| overlaps((n.from, Some(n.to)), (m.from, Some(m.to))))
        {
            add(
                span.clone(),
                format!("{what} has two former names at the same time"),
            );
        }
    }
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

#[cfg(test)]
mod over_time_tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn a_rotating_chair_passes_on_by_its_term() {
        let c = ChairRule {
            rule: "rotating-partners".into(),
            rotation: vec!["la".into(), "icb".into(), "police".into()],
            term_months: Some(12),
            rotation_from: Some(Day(d("2024-04-01"))),
            ..Default::default()
        };
        assert_eq!(c.turn_on(d("2024-03-31")), None, "before it began");
        let t = c.turn_on(d("2024-04-01")).expect("turn");
        assert_eq!((t.organisation, t.next), ("la", "icb"));
        assert_eq!((t.from, t.handover), (d("2024-04-01"), d("2025-04-01")));
        // The last day of a term, and the first of the next.
        assert_eq!(
            c.turn_on(d("2025-03-31")).map(|t| t.organisation),
            Some("la")
        );
        assert_eq!(
            c.turn_on(d("2025-04-01")).map(|t| t.organisation),
            Some("icb")
        );
        // Round again after the third.
        let t = c.turn_on(d("2026-06-15")).expect("turn");
        assert_eq!((t.organisation, t.next), ("police", "la"));
        assert_eq!(
            c.turn_on(d("2027-04-01")).map(|t| t.organisation),
            Some("la")
        );
        // A term from the 31st ends on the last day of a shorter month.
        let c = ChairRule {
            term_months: Some(1),
            rotation_from: Some(Day(d("2025-01-31"))),
            ..c
        };
        assert_eq!(
            c.turn_on(d("2025-02-28")).map(|t| t.organisation),
            Some("icb")
        );
        // No rotation, no turn.
        assert_eq!(ChairRule::default().turn_on(d("2025-01-01")), None);
    }

    #[test]
    fn names_editions_and_figures_are_as_they_stood() {
        let former = vec![FormerName {
            name: "the Executive".into(),
            from: None,
            to: Day(d("2024-11-30")),
        }];
        assert_eq!(
            name_on("Executive Board", &former, d("2024-11-30")),
            "the Executive"
        );
        assert_eq!(
            name_on("Executive Board", &former, d("2024-12-01")),
            "Executive Board"
        );
        let p = Partnership {
            slug: "x".into(),
            name: "X".into(),
            short_name: String::new(),
            editions: vec![
                Edition {
                    guidance: "working-together-2018".into(),
                    published: Some(Day(d("2019-06-28"))),
                    from: None,
                },
                Edition {
                    guidance: "working-together-2023".into(),
                    published: Some(Day(d("2024-11-20"))),
                    from: Some(Day(d("2024-12-01"))),
                },
            ],
            website: String::new(),
            contact_email: String::new(),
            source: String::new(),
        };
        let g = |day: &str| p.edition_on(d(day)).map(|e| e.guidance.as_str());
        assert_eq!(
            g("2018-01-01"),
            Some("working-together-2018"),
            "the first, before any"
        );
        assert_eq!(g("2024-11-30"), Some("working-together-2018"));
        assert_eq!(g("2024-12-01"), Some("working-together-2023"));
        let pop = |children, revised: Option<&str>| Population {
            year: 2023,
            children,
            source: String::new(),
            revised: revised.map(|r| Day(d(r))),
        };
        let area = Area {
            key: "a".into(),
            name: "A".into(),
            local_authority: "la".into(),
            child_population: vec![pop(100, None), pop(110, Some("2025-06-26"))],
        };
        let on = area.population_on(d("2025-06-26")).expect("figure");
        assert_eq!((on.figure.children, on.earlier.len()), (110, 1));
        assert_eq!(on.earlier[0].children, 100);
        let before = area.population_on(d("2025-06-25")).expect("figure");
        assert_eq!((before.figure.children, before.earlier.len()), (100, 0));
    }
}
