//! The scorecard document as a file (`masa-scorecard/1`, documented in
//! docs/scorecard-format.md): the indicator catalogue and the scorecards laid out from it, and
//! the rules a document keeps, each problem with its line. Pure: no database here.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::model::{Frequency, Milli};
use crate::arrangements::model::{Problem, from_toml, is_key, line_of};

/// The format's name and version, the first line of every file.
pub const SCHEMA: &str = "masa-scorecard/1";
/// Largest file accepted: a catalogue of a thousand indicators is far smaller.
pub const MAX_BYTES: usize = 1024 * 1024;
pub const MAX_INDICATORS: usize = 1000;
pub const MAX_TEXT: usize = 4000;

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub schema: String,
    /// How the local authority's statutory returns are counted for this partnership.
    #[serde(default, skip_serializing_if = "ReturnRules::is_empty")]
    pub returns: ReturnRules,
    pub indicators: Vec<Spanned<Indicator>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scorecards: Vec<Spanned<Scorecard>>,
}

/// The partnership's own rules for counting the statutory returns.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ReturnRules {
    /// Postcode districts inside the area: a placement elsewhere is outside it (Plymouth:
    /// PL1 to PL7 and PL9). Empty: every placement counts as inside.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inside_area: Vec<String>,
}

impl ReturnRules {
    fn is_empty(&self) -> bool {
        self.inside_area.is_empty()
    }

    pub fn rules(&self) -> super::returns::Rules {
        super::returns::Rules {
            inside_area: self.inside_area.clone(),
        }
    }
}

/// Whether a text is a postcode district (outward code): PL1, PL9, EC1A, M1.
pub fn is_district(d: &str) -> bool {
    let b = d.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    let rest = &b[letters..];
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let tail = &rest[digits..];
    (1..=2).contains(&letters)
        && (1..=2).contains(&digits)
        && (tail.is_empty() || (tail.len() == 1 && tail[0].is_ascii_uppercase()))
}

/// What an indicator counts in.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    Count,
    Percentage,
    /// Per 10,000 children aged 0 to 17 in the area (the child population in the arrangements).
    Rate,
    Average,
    Days,
}

impl Unit {
    pub fn words(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Percentage => "percentage",
            Unit::Rate => "rate per 10,000 children aged 0 to 17",
            Unit::Average => "average",
            Unit::Days => "days",
        }
    }

    pub fn decimals(self) -> u32 {
        match self {
            Unit::Count => 0,
            _ => 1,
        }
    }
}

/// A figure on a date, or over the twelve months to it.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PeriodType {
    #[default]
    Snapshot,
    #[serde(rename = "rolling-12-months")]
    Rolling12Months,
}

impl PeriodType {
    pub fn words(self) -> &'static str {
        match self {
            PeriodType::Snapshot => "on the last day of the period",
            PeriodType::Rolling12Months => "over the twelve months to the end of the period",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Suppression {
    /// Counts from 1 to 5, and what is worked out from them, are shown as "x" (the DfE's rule).
    #[default]
    OneToFive,
    /// Counts from 1 to 4 are hidden (the Plymouth scorecard: "below five").
    BelowFive,
    /// Nothing hidden: a figure about services, not children (schools judged good).
    None,
}

impl Suppression {
    /// The smallest count shown.
    pub fn smallest_shown(self) -> i64 {
        match self {
            Suppression::OneToFive => 6,
            Suppression::BelowFive => 5,
            Suppression::None => 1,
        }
    }

    pub fn hides(self, count: i64) -> bool {
        super::model::is_small(count, self.smallest_shown())
    }

    pub fn words(self) -> &'static str {
        match self {
            Suppression::OneToFive => "1 to 5 shown as x",
            Suppression::BelowFive => "1 to 4 shown as x",
            Suppression::None => "Shown: this is not a count of children",
        }
    }
}

/// Comparators published by the DfE and others.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Series {
    England,
    StatisticalNeighbours,
    Region,
}

impl Series {
    pub fn words(self) -> &'static str {
        match self {
            Series::England => "England",
            Series::StatisticalNeighbours => "Statistical neighbours",
            Series::Region => "Region",
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Benchmark {
    pub series: Series,
    /// The year the figure belongs to, as published: "2020/21".
    pub year: String,
    pub value: f64,
}

/// A share or rate worked out from other indicators rather than submitted.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Derived {
    /// The count it is worked out from.
    pub numerator: String,
    /// For a percentage, the count it is a share of; a rate is of the child population.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub denominator: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Its key: lower-case letters, numbers and hyphens ("referrals-rate").
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub definition: String,
    pub unit: Unit,
    /// Which way is better; absent where neither is (children looked after).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub higher_is_better: Option<bool>,
    /// The organisation (its key in the arrangements) that submits it.
    pub source: String,
    pub frequency: Frequency,
    #[serde(default)]
    pub period: PeriodType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived: Option<Derived>,
    /// For a percentage submitted as two counts: what each counts.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub numerator: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub denominator: String,
    /// The area whose child population a rate is of (its key in the arrangements); every
    /// area of the partnership together when absent.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub area: String,
    #[serde(default, skip_serializing_if = "is_default_rule")]
    pub suppression: Suppression,
    /// The total this count is one part of (placement types of children looked after): where
    /// one part is hidden, a second is too.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub part_of: String,
    /// A derived percentage also shows the count it is of: "8.1% (20)".
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub show_count: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// How far from the target is amber rather than red, in the indicator's unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub benchmarks: Vec<Benchmark>,
    /// The statutory return's count this indicator takes when a return is imported
    /// (`cin.referrals`; see [`super::returns::figures::Key`]); how a figure arrives, not what
    /// it means, so not part of an edition.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub from_return: String,
}

fn is_default_rule(s: &Suppression) -> bool {
    *s == Suppression::OneToFive
}

/// How an indicator's figure arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Input {
    /// A whole number.
    Count,
    /// Two whole numbers, the first not above the second.
    Share,
    /// A figure as it is (a percentage from a national survey, an average, days).
    Value,
    /// Worked out from other indicators: nothing to submit.
    Derived,
}

impl Indicator {
    pub fn input(&self) -> Input {
        match (self.unit, &self.derived) {
            (_, Some(_)) | (Unit::Rate, None) => Input::Derived,
            (Unit::Count, None) => Input::Count,
            (Unit::Percentage, None) if !self.numerator.is_empty() => Input::Share,
            _ => Input::Value,
        }
    }

    pub fn target(&self) -> Option<Milli> {
        self.target.map(milli)
    }

    pub fn tolerance(&self) -> Milli {
        self.tolerance.map_or(Milli(0), milli)
    }

    pub fn benchmark(&self, s: Series) -> Option<&Benchmark> {
        self.benchmarks
            .iter()
            .filter(|b| b.series == s)
            .max_by(|a, b| a.year.cmp(&b.year))
    }

    /// What changes the meaning of its figures: a change here starts a new edition, and the
    /// figures already counted keep the edition they were counted under.
    pub fn meaning(
        &self,
    ) -> (
        String,
        Unit,
        PeriodType,
        Option<Derived>,
        String,
        String,
        String,
    ) {
        (
            self.definition.clone(),
            self.unit,
            self.period,
            self.derived.clone(),
            self.numerator.clone(),
            self.denominator.clone(),
            self.area.clone(),
        )
    }
}

/// A decimal from the file, in thousandths.
pub fn milli(v: f64) -> Milli {
    Milli((v * 1000.0).round() as i64)
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scorecard {
    pub key: String,
    pub title: String,
    pub frequency: Frequency,
    /// The month its years start in: 4 for the financial year (the default), 9 for the school
    /// year, 1 for the calendar year.
    #[serde(default = "april", skip_serializing_if = "is_april")]
    pub year_starts: u32,
    /// How many whole years before the current period it shows (the seed: three).
    #[serde(default = "three", skip_serializing_if = "is_three")]
    pub previous_years: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub introduction: String,
    pub sections: Vec<Section>,
}

fn april() -> u32 {
    4
}
fn is_april(m: &u32) -> bool {
    *m == 4
}
fn three() -> u32 {
    3
}
fn is_three(n: &u32) -> bool {
    *n == 3
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub key: String,
    pub title: String,
    /// The organisation whose people write the section's commentary, beside the business unit.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub owner: String,
    /// The section's years, where they differ from the scorecard's (school years, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year_starts: Option<u32>,
    /// How many years further back its previous years are, where its figures are published
    /// late (Ofsted outcomes, exam results): 1 shows the three years before last year.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub lag_years: u32,
    pub indicators: Vec<String>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Section {
    /// The ends of the whole years this section shows before a period ending `ends`.
    pub fn previous_years(&self, c: &Scorecard, ends: chrono::NaiveDate) -> Vec<chrono::NaiveDate> {
        let start = self.year_starts.unwrap_or(c.year_starts);
        let from = ends
            .checked_sub_months(chrono::Months::new(12 * self.lag_years))
            .unwrap_or(ends);
        super::model::previous_year_ends(from, start, c.previous_years)
    }
}

/// What a document is checked against beyond itself: the arrangements' organisations and
/// areas. `None` where they are not known (checking a file on its own).
#[derive(Clone, Debug, Default)]
pub struct Known {
    pub organisations: Option<BTreeSet<String>>,
    pub areas: Option<BTreeSet<String>>,
}

/// Parse a file, reporting every problem found (with its line), or the document.
pub fn parse(bytes: &[u8], known: &Known) -> Result<Document, Vec<Problem>> {
    if bytes.len() > MAX_BYTES {
        return Err(vec![Problem {
            line: 1,
            message: format!(
                "the file is {} bytes; the limit for a scorecard document is {MAX_BYTES}",
                bytes.len()
            ),
        }]);
    }
    let (d, text): (Document, &str) = from_toml(bytes)?;
    let problems = check(&d, text, known);
    if problems.is_empty() {
        Ok(d)
    } else {
        Err(problems)
    }
}

impl Document {
    pub fn all_indicators(&self) -> impl Iterator<Item = &Indicator> {
        self.indicators.iter().map(Spanned::get_ref)
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.all_indicators().find(|i| i.code == code)
    }

    pub fn scorecard(&self, key: &str) -> Option<&Scorecard> {
        self.scorecards
            .iter()
            .map(Spanned::get_ref)
            .find(|s| s.key == key)
    }

    /// The parts of each total, in the file's order.
    pub fn parts(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut m: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for i in self.all_indicators().filter(|i| !i.part_of.is_empty()) {
            m.entry(i.part_of.as_str()).or_default().push(&i.code);
        }
        m
    }
}

/// The rules a document keeps beyond its shape.
pub fn check(d: &Document, text: &str, known: &Known) -> Vec<Problem> {
    let mut p = Vec::new();
    let mut add = |span: std::ops::Range<usize>, m: String| {
        p.push(Problem {
            line: line_of(text, span.start),
            message: m,
        })
    };
    if d.schema != SCHEMA {
        add(
            0..0,
            format!("schema must be \"{SCHEMA}\", not {:?}", d.schema),
        );
    }
    if d.indicators.is_empty() {
        add(
            0..0,
            "a scorecard document needs at least one indicator".into(),
        );
    }
    if d.indicators.len() > MAX_INDICATORS {
        add(
            0..0,
            format!(
                "at most {MAX_INDICATORS} indicators, not {}",
                d.indicators.len()
            ),
        );
    }
    if let Some(bad) = d.returns.inside_area.iter().find(|x| !is_district(x)) {
        add(
            0..0,
            format!(
                "returns.inside_area: {bad:?} is not a postcode district: write them like \"PL1\" or \"EC1A\", in capitals"
            ),
        );
    }
    if d.returns.inside_area.len() > 500 {
        add(
            0..0,
            "returns.inside_area: at most 500 postcode districts".into(),
        );
    }
    let mut codes: BTreeMap<&str, &Indicator> = BTreeMap::new();
    for s in &d.indicators {
        let i = s.get_ref();
        if !is_key(&i.code) {
            add(
                s.span(),
                format!(
                    "indicator code {:?} must be lower-case letters, numbers and hyphens (at most 60)",
                    i.code
                ),
            );
        }
        if codes.insert(&i.code, i).is_some() {
            add(
                s.span(),
                format!("two indicators have the code {:?}", i.code),
            );
        }
    }
    let long = |t: &str, n: usize| t.chars().count() > n;
    for s in &d.indicators {
        let i = s.get_ref();
        let at = s.span();
        let name = &i.code;
        if i.name.trim().is_empty() || long(&i.name, 300) {
            add(
                at.clone(),
                format!("indicator {name}: a name of 1 to 300 characters is needed"),
            );
        }
        if long(&i.definition, MAX_TEXT) || long(&i.numerator, 300) || long(&i.denominator, 300) {
            add(
                at.clone(),
                format!(
                    "indicator {name}: the definition is at most {MAX_TEXT} characters, the numerator and denominator 300"
                ),
            );
        }
        if !i.from_return.is_empty() {
            match super::returns::figures::Key::parse(&i.from_return) {
                Err(m) => add(at.clone(), format!("indicator {name}: from_return {m}")),
                Ok(key) => match i.input() {
                    Input::Derived => add(
                        at.clone(),
                        format!(
                            "indicator {name}: it is worked out from other indicators, so it takes nothing from a return: give from_return to the count it is worked out from"
                        ),
                    ),
                    Input::Share | Input::Value if i.unit != Unit::Percentage => add(
                        at.clone(),
                        format!(
                            "indicator {name}: a return gives counts and percentages, and this indicator's unit is {}",
                            i.unit.words()
                        ),
                    ),
                    Input::Share | Input::Value if !key.is_share() => add(
                        at.clone(),
                        format!(
                            "indicator {name}: {:?} is a count, not a part of a whole, so it cannot give a percentage",
                            i.from_return
                        ),
                    ),
                    _ => {}
                },
            }
        }
        if let Some(orgs) = &known.organisations
            && !orgs.contains(&i.source)
        {
            add(
                at.clone(),
                format!(
                    "indicator {name}: its source {:?} is not an organisation in the arrangements",
                    i.source
                ),
            );
        }
        if !i.area.is_empty()
            && let Some(areas) = &known.areas
            && !areas.contains(&i.area)
        {
            add(
                at.clone(),
                format!(
                    "indicator {name}: its area {:?} is not an area in the arrangements",
                    i.area
                ),
            );
        }
        let count = |c: &str| {
            codes
                .get(c)
                .is_some_and(|x| x.unit == Unit::Count && x.derived.is_none())
        };
        match (&i.derived, i.unit) {
            (Some(_), Unit::Count | Unit::Average | Unit::Days) => add(
                at.clone(),
                format!(
                    "indicator {name}: only a percentage or a rate is worked out from other indicators"
                ),
            ),
            (None, Unit::Rate) => add(
                at.clone(),
                format!(
                    "indicator {name}: a rate is worked out from a count: give derived = {{ numerator = \"the count's code\" }}"
                ),
            ),
            (Some(dv), Unit::Rate) => {
                if !count(&dv.numerator) {
                    add(
                        at.clone(),
                        format!(
                            "indicator {name}: its numerator {:?} must be a submitted count in this file",
                            dv.numerator
                        ),
                    );
                }
                if !dv.denominator.is_empty() {
                    add(
                        at.clone(),
                        format!(
                            "indicator {name}: a rate is of the child population; leave out its denominator"
                        ),
                    );
                }
            }
            (Some(dv), Unit::Percentage) => {
                if !count(&dv.numerator) || !count(&dv.denominator) {
                    add(
                        at.clone(),
                        format!(
                            "indicator {name}: a worked-out percentage needs a numerator and a denominator that are submitted counts in this file"
                        ),
                    );
                }
                if dv.numerator == dv.denominator {
                    add(
                        at.clone(),
                        format!(
                            "indicator {name}: its numerator and denominator are the same indicator"
                        ),
                    );
                }
            }
            (None, _) => {}
        }
        if i.derived.is_some() && (!i.numerator.is_empty() || !i.denominator.is_empty()) {
            add(
                at.clone(),
                format!(
                    "indicator {name}: a worked-out indicator takes its numerator and denominator from derived, not as words"
                ),
            );
        }
        if i.derived.is_none() && i.numerator.is_empty() != i.denominator.is_empty() {
            add(
                at.clone(),
                format!(
                    "indicator {name}: give both what the numerator counts and what the denominator counts, or neither"
                ),
            );
        }
        if i.derived.is_none() && !i.numerator.is_empty() && i.unit != Unit::Percentage {
            add(
                at.clone(),
                format!(
                    "indicator {name}: only a percentage is submitted as a numerator and a denominator"
                ),
            );
        }
        if !i.part_of.is_empty() {
            if !count(&i.part_of) || i.part_of == i.code {
                add(
                    at.clone(),
                    format!(
                        "indicator {name}: part_of {:?} must be another submitted count in this file",
                        i.part_of
                    ),
                );
            }
            if i.unit != Unit::Count || i.derived.is_some() {
                add(
                    at.clone(),
                    format!("indicator {name}: only a submitted count is part of a total"),
                );
            }
        }
        if i.show_count && !(i.unit == Unit::Percentage && i.derived.is_some()) {
            add(
                at.clone(),
                format!("indicator {name}: show_count is for a worked-out percentage"),
            );
        }
        if i.target.is_some() && i.higher_is_better.is_none() {
            add(
                at.clone(),
                format!(
                    "indicator {name}: a target needs higher_is_better, to say which side of it is good"
                ),
            );
        }
        if i.tolerance.is_some() && i.target.is_none() {
            add(
                at.clone(),
                format!("indicator {name}: a tolerance is of a target; give the target"),
            );
        }
        let sane = |v: f64| v.is_finite() && v.abs() < 1e12;
        if i.target.is_some_and(|v| !sane(v)) || i.tolerance.is_some_and(|v| !sane(v) || v < 0.0) {
            add(
                at.clone(),
                format!(
                    "indicator {name}: the target and tolerance must be numbers, the tolerance not below 0"
                ),
            );
        }
        if i.benchmarks.len() > 30 {
            add(
                at.clone(),
                format!("indicator {name}: at most 30 benchmarks"),
            );
        }
        for b in &i.benchmarks {
            if b.year.trim().is_empty() || long(&b.year, 20) || !sane(b.value) {
                add(
                    at.clone(),
                    format!(
                        "indicator {name}: each benchmark needs the year it belongs to (\"2020/21\") and a number"
                    ),
                );
            }
        }
        let mut years = BTreeSet::new();
        for b in &i.benchmarks {
            if !years.insert((b.series, b.year.as_str())) {
                add(
                    at.clone(),
                    format!(
                        "indicator {name}: two {} benchmarks for {}",
                        b.series.words(),
                        b.year
                    ),
                );
            }
        }
    }
    let mut keys = BTreeSet::new();
    for s in &d.scorecards {
        let c = s.get_ref();
        let at = s.span();
        if !is_key(&c.key) {
            add(
                at.clone(),
                format!(
                    "scorecard key {:?} must be lower-case letters, numbers and hyphens (at most 60)",
                    c.key
                ),
            );
        }
        if !keys.insert(c.key.as_str()) {
            add(
                at.clone(),
                format!("two scorecards have the key {:?}", c.key),
            );
        }
        if c.title.trim().is_empty() || long(&c.title, 200) || long(&c.introduction, MAX_TEXT) {
            add(
                at.clone(),
                format!(
                    "scorecard {}: a title of 1 to 200 characters is needed",
                    c.key
                ),
            );
        }
        let month_ok = |m: u32| (1..=12).contains(&m);
        if !month_ok(c.year_starts)
            || c.sections
                .iter()
                .any(|x| x.year_starts.is_some_and(|m| !month_ok(m)))
        {
            add(
                at.clone(),
                format!("scorecard {}: year_starts is a month, 1 to 12", c.key),
            );
        }
        if c.previous_years > 5 || c.sections.iter().any(|x| x.lag_years > 5) {
            add(
                at.clone(),
                format!(
                    "scorecard {}: at most 5 previous years, and a lag of at most 5",
                    c.key
                ),
            );
        }
        if c.sections.is_empty() {
            add(
                at.clone(),
                format!("scorecard {}: at least one section", c.key),
            );
        }
        let mut sections = BTreeSet::new();
        for x in &c.sections {
            if !is_key(&x.key) || !sections.insert(x.key.as_str()) {
                add(
                    at.clone(),
                    format!(
                        "scorecard {}: section key {:?} must be unique, lower-case letters, numbers and hyphens",
                        c.key, x.key
                    ),
                );
            }
            if x.title.trim().is_empty() || long(&x.title, 200) {
                add(
                    at.clone(),
                    format!(
                        "scorecard {}: section {} needs a title of 1 to 200 characters",
                        c.key, x.key
                    ),
                );
            }
            if !x.owner.is_empty()
                && let Some(orgs) = &known.organisations
                && !orgs.contains(&x.owner)
            {
                add(
                    at.clone(),
                    format!(
                        "scorecard {}: section {}'s owner {:?} is not an organisation in the arrangements",
                        c.key, x.key, x.owner
                    ),
                );
            }
            for code in &x.indicators {
                if !codes.contains_key(code.as_str()) {
                    add(
                        at.clone(),
                        format!(
                            "scorecard {}: section {} lists {:?}, which is not an indicator in this file",
                            c.key, x.key, code
                        ),
                    );
                }
            }
        }
    }
    p
}

/// The document as a file in masa's canonical form.
pub fn to_text(d: &Document) -> String {
    let body = toml::to_string_pretty(d).unwrap_or_default();
    format!(
        "# A scorecard document: indicators and scorecards. See docs/scorecard-format.md.\n# Check it with `masa scorecard check FILE`.\n\n{body}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
schema = "masa-scorecard/1"

[[indicators]]
code = "referrals"
name = "Number of referrals received within the last 12 months"
unit = "count"
higher_is_better = false
source = "council"
frequency = "quarterly"
period = "rolling-12-months"

[[indicators]]
code = "referrals-rate"
name = "Referrals - rate per 10,000 children"
unit = "rate"
source = "council"
frequency = "quarterly"
derived = { numerator = "referrals" }
benchmarks = [
  { series = "england", year = "2020/21", value = 494.1 },
  { series = "england", year = "2019/20", value = 534.8 },
]

[[scorecards]]
key = "children"
title = "Children's services"
frequency = "quarterly"

[[scorecards.sections]]
key = "referrals"
title = "Referrals"
indicators = ["referrals", "referrals-rate"]
"#;

    fn known() -> Known {
        Known {
            organisations: Some(["council".to_owned()].into()),
            areas: None,
        }
    }

    #[test]
    fn a_good_document_reads() {
        let d = parse(GOOD.as_bytes(), &known()).expect("present");
        assert_eq!(d.indicators.len(), 2);
        let rate = d.indicator("referrals-rate").expect("present");
        assert_eq!(rate.input(), Input::Derived);
        assert_eq!(
            d.indicator("referrals").expect("present").input(),
            Input::Count
        );
        assert_eq!(
            rate.benchmark(Series::England).expect("present").year,
            "2020/21"
        );
        assert_eq!(d.scorecard("children").expect("present").year_starts, 4);
        assert_eq!(
            crate::scorecard::store::asked_of(&d, "children", "council").len(),
            1
        );
        // The canonical text reads back the same.
        let again = parse(to_text(&d).as_bytes(), &known()).expect("present");
        assert_eq!(to_text(&again), to_text(&d));
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let bad = GOOD
            .replace(
                "derived = { numerator = \"referrals\" }",
                "derived = { numerator = \"nothing\" }",
            )
            .replace(
                "source = \"council\"\nfrequency = \"quarterly\"\nperiod",
                "source = \"police\"\nfrequency = \"quarterly\"\nperiod",
            )
            .replace(
                "\"referrals\", \"referrals-rate\"]",
                "\"referrals\", \"missing\"]",
            );
        let problems = parse(bad.as_bytes(), &known()).expect_err("refused");
        let words: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(problems.len(), 3, "{words:?}");
        assert!(
            words[0].starts_with("line 4:") && words[0].contains("\"police\""),
            "{words:?}"
        );
        assert!(words[1].contains("numerator \"nothing\""), "{words:?}");
        assert!(words[2].contains("\"missing\""), "{words:?}");
    }

    #[test]
    fn shapes_that_cannot_be_counted_are_refused() {
        let rate_without = GOOD.replace("derived = { numerator = \"referrals\" }\n", "");
        let p = parse(rate_without.as_bytes(), &known()).expect_err("refused");
        assert!(
            p[0].message.contains("a rate is worked out from a count"),
            "{p:?}"
        );
        let target_without_direction =
            GOOD.replace("higher_is_better = false\n", "target = 3000.0\n");
        let p = parse(target_without_direction.as_bytes(), &known()).expect_err("refused");
        assert!(
            p[0].message.contains("a target needs higher_is_better"),
            "{p:?}"
        );
        let unknown_field = GOOD.replace("unit = \"count\"", "unit = \"count\"\ncolour = \"red\"");
        let p = parse(unknown_field.as_bytes(), &known()).expect_err("refused");
        assert!(p[0].message.contains("unknown field"), "{p:?}");
        assert!(parse(&vec![b'#'; MAX_BYTES + 1], &known()).is_err());
    }
}
