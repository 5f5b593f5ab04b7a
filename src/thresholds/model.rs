//! A partnership's thresholds document ("levels of need") as data: the TOML format (documented in
//! docs/thresholds-format.md), the rules a document keeps, the rule that suggests a level from
//! the indicators a practitioner ticks, and which edition is in force on a day. Pure: no
//! database here.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::arrangements::model::{Problem, from_toml, is_key, line_of};

/// The format's name and version, the first line of every file.
pub const SCHEMA: &str = "masa-thresholds/1";

/// The line every suggestion carries, whatever the partnership writes.
pub const JUDGEMENT: &str = "This tool supports professional judgement; it never replaces it. If you are unsure, talk to your safeguarding lead or the front door.";

/// One thresholds document.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub schema: String,
    pub document: About,
    /// Whom to contact (the front door, out of hours, early help ...), named by the levels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Spanned<Contact>>,
    /// The levels of need, lowest first.
    pub levels: Vec<Spanned<Level>>,
    /// The areas of a child's life the indicators are grouped in.
    pub domains: Vec<Spanned<Domain>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<Spanned<Indicator>>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct About {
    /// "Plymouth levels of need".
    pub title: String,
    /// What the document is for, shown above the tool.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub introduction: String,
    /// How a level is suggested from the ticked indicators.
    #[serde(default, skip_serializing_if = "Rule::is_default")]
    pub rule: Rule,
}

/// How the ticked indicators suggest a level.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// The highest level at which any indicator is ticked (the usual rule).
    #[default]
    Highest,
    /// The level with the most ticked indicators (the higher on a tie); a ticked indicator
    /// marked `decisive` still suggests at least its own level.
    Most,
}

impl Rule {
    fn is_default(&self) -> bool {
        *self == Rule::Highest
    }

    pub fn words(self) -> &'static str {
        match self {
            Rule::Highest => "the highest level at which you ticked an indicator",
            Rule::Most => {
                "the level at which you ticked the most indicators (the higher on a tie), or the level of a decisive indicator if that is higher"
            }
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub key: String,
    /// "Plymouth Gateway (multi-agency safeguarding hub)".
    pub name: String,
    /// What to contact it for.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub purpose: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub telephone: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub out_of_hours: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    /// The online referral form's address.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub referral_url: String,
    /// "Monday to Thursday 8:30am to 5pm, Friday to 4:30pm".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hours: String,
    /// The front door: shown on the "worried about a child" page.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub front_door: bool,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub key: String,
    /// "Targeted early help".
    pub name: String,
    /// What this level of need means.
    pub meaning: String,
    /// What a practitioner should do at this level.
    pub next_steps: String,
    /// The law this level acts under, where it does ("Section 47, Children Act 1989").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub legal_basis: String,
    /// Whom to contact at this level (contact keys).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    pub key: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub key: String,
    pub level: String,
    pub domain: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub guidance: String,
    /// Indicators at other levels that describe the same need, less or more serious.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// Under the `most` rule, this indicator alone suggests at least its level.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub decisive: bool,
}

/// Largest document accepted: a real one with a few hundred indicators is far smaller.
pub const MAX_BYTES: usize = 1024 * 1024;
/// The most indicators a document may hold, and a practitioner may tick at once.
pub const MAX_INDICATORS: usize = 2000;
/// Longest text of one entry's field (a level's meaning, an indicator's guidance).
pub const MAX_TEXT: usize = 4000;

/// Parse a file, reporting every problem found (with its line), or the document.
pub fn parse(bytes: &[u8]) -> Result<Document, Vec<Problem>> {
    if bytes.len() > MAX_BYTES {
        return Err(vec![Problem {
            line: 1,
            message: format!(
                "the file is {} bytes; the limit for a thresholds document is {MAX_BYTES}",
                bytes.len()
            ),
        }]);
    }
    let (d, text): (Document, &str) = from_toml(bytes)?;
    let problems = check(&d, text);
    if problems.is_empty() {
        Ok(d)
    } else {
        Err(problems)
    }
}

/// The document as its file: the same document always gives the same bytes, so export →
/// import → export is identical.
pub fn to_text(d: &Document) -> String {
    let body = toml::to_string_pretty(d).unwrap_or_default();
    format!(
        "# A thresholds document (levels of need): see docs/thresholds-format.md.\n# Check it with `masa thresholds check FILE`.\n\n{body}"
    )
}

fn looks_like_telephone(t: &str) -> bool {
    t.chars().filter(char::is_ascii_digit).count() >= 3
        && t.len() <= 40
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '(' | ')' | '-'))
}

/// The rules a document keeps beyond its shape: unique keys, references that resolve, text
/// within limits, contacts that can be used.
pub fn check(d: &Document, text: &str) -> Vec<Problem> {
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
    if d.document.title.trim().is_empty() {
        add(0..0, "the document needs a title".into());
    }
    let long = |s: &str| s.chars().count() > MAX_TEXT;
    if long(&d.document.introduction) || d.document.title.chars().count() > 200 {
        add(
            0..0,
            format!(
                "the title must be at most 200 characters and the introduction at most {MAX_TEXT}"
            ),
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
            if !is_key(k) {
                add(
                    i.span(),
                    format!(
                        "{what} key {k:?} must be lower-case letters, numbers and hyphens (at most 60)"
                    ),
                );
            }
            if !seen.insert(k) {
                add(i.span(), format!("two {what}s have the key {k:?}"));
            }
        }
        seen
    }
    let contacts = keys(&d.contacts, |x| &x.key, "contact", &mut add);
    let levels = keys(&d.levels, |x| &x.key, "level", &mut add);
    let domains = keys(&d.domains, |x| &x.key, "domain", &mut add);
    let indicators = keys(&d.indicators, |x| &x.key, "indicator", &mut add);

    if d.levels.len() < 2 {
        add(
            0..0,
            "a thresholds document needs at least two levels of need".into(),
        );
    }
    if d.domains.is_empty() {
        add(
            0..0,
            "a thresholds document needs at least one domain".into(),
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
    for c in &d.contacts {
        let (s, c) = (c.span(), c.get_ref());
        if c.name.trim().is_empty() || c.name.chars().count() > 200 {
            add(
                s.clone(),
                format!("contact {}: name must be 1 to 200 characters", c.key),
            );
        }
        for (what, t) in [
            ("telephone", &c.telephone),
            ("out_of_hours", &c.out_of_hours),
        ] {
            if !t.is_empty() && !looks_like_telephone(t) {
                add(
                    s.clone(),
                    format!(
                        "contact {}: {what} {t:?} is not a telephone number (digits, spaces, + and brackets)",
                        c.key
                    ),
                );
            }
        }
        if !c.email.is_empty() && crate::accounts::model::Email::parse(&c.email).is_err() {
            add(
                s.clone(),
                format!(
                    "contact {}: email {:?} is not an email address",
                    c.key, c.email
                ),
            );
        }
        let web = |u: &str| u.starts_with("https://") || u.starts_with("http://");
        if !c.referral_url.is_empty() && !web(&c.referral_url) {
            add(
                s.clone(),
                format!("contact {}: referral_url must start with https://", c.key),
            );
        }
        if c.telephone.is_empty() && c.email.is_empty() && c.referral_url.is_empty() {
            add(
                s.clone(),
                format!(
                    "contact {}: give a telephone number, an email address or a referral_url",
                    c.key
                ),
            );
        }
        if [&c.purpose, &c.hours].iter().any(|t| long(t)) {
            add(
                s.clone(),
                format!("contact {}: text longer than {MAX_TEXT} characters", c.key),
            );
        }
    }
    for l in &d.levels {
        let (s, l) = (l.span(), l.get_ref());
        if l.name.trim().is_empty() || l.name.chars().count() > 100 {
            add(
                s.clone(),
                format!("level {}: name must be 1 to 100 characters", l.key),
            );
        }
        if l.meaning.trim().is_empty() || l.next_steps.trim().is_empty() {
            add(
                s.clone(),
                format!(
                    "level {}: say what it means (meaning) and what to do (next_steps)",
                    l.key
                ),
            );
        }
        if [&l.meaning, &l.next_steps, &l.legal_basis]
            .iter()
            .any(|t| long(t))
        {
            add(
                s.clone(),
                format!("level {}: text longer than {MAX_TEXT} characters", l.key),
            );
        }
        for c in &l.contacts {
            if !contacts.contains(c.as_str()) {
                add(
                    s.clone(),
                    format!("level {}: no contact has the key {c:?}", l.key),
                );
            }
        }
    }
    for x in &d.domains {
        let (s, x) = (x.span(), x.get_ref());
        if x.name.trim().is_empty() || x.name.chars().count() > 200 || long(&x.description) {
            add(
                s,
                format!("domain {}: name must be 1 to 200 characters", x.key),
            );
        }
    }
    for i in &d.indicators {
        let (s, i) = (i.span(), i.get_ref());
        if !levels.contains(i.level.as_str()) {
            add(
                s.clone(),
                format!("indicator {}: no level has the key {:?}", i.key, i.level),
            );
        }
        if !domains.contains(i.domain.as_str()) {
            add(
                s.clone(),
                format!("indicator {}: no domain has the key {:?}", i.key, i.domain),
            );
        }
        if i.text.trim().is_empty() || i.text.chars().count() > 1000 {
            add(
                s.clone(),
                format!("indicator {}: text must be 1 to 1000 characters", i.key),
            );
        }
        if long(&i.guidance) {
            add(
                s.clone(),
                format!(
                    "indicator {}: guidance longer than {MAX_TEXT} characters",
                    i.key
                ),
            );
        }
        for r in &i.related {
            if r == &i.key {
                add(
                    s.clone(),
                    format!("indicator {}: is related to itself", i.key),
                );
            } else if !indicators.contains(r.as_str()) {
                add(
                    s.clone(),
                    format!("indicator {}: no indicator has the key {r:?}", i.key),
                );
            }
        }
    }
    p.sort();
    p
}

impl Document {
    pub fn all_levels(&self) -> Vec<&Level> {
        self.levels.iter().map(Spanned::get_ref).collect()
    }

    pub fn all_contacts(&self) -> Vec<&Contact> {
        self.contacts.iter().map(Spanned::get_ref).collect()
    }

    pub fn all_indicators(&self) -> Vec<&Indicator> {
        self.indicators.iter().map(Spanned::get_ref).collect()
    }

    pub fn level(&self, key: &str) -> Option<&Level> {
        self.levels
            .iter()
            .map(Spanned::get_ref)
            .find(|l| l.key == key)
    }

    /// A level's place, lowest first.
    pub fn rank(&self, key: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.get_ref().key == key)
    }

    pub fn domain(&self, key: &str) -> Option<&Domain> {
        self.domains
            .iter()
            .map(Spanned::get_ref)
            .find(|x| x.key == key)
    }

    pub fn indicator(&self, key: &str) -> Option<&Indicator> {
        self.indicators
            .iter()
            .map(Spanned::get_ref)
            .find(|i| i.key == key)
    }

    pub fn contact(&self, key: &str) -> Option<&Contact> {
        self.contacts
            .iter()
            .map(Spanned::get_ref)
            .find(|c| c.key == key)
    }

    /// The contacts to show anyone worried about a child: the front door, or every contact
    /// when none is marked.
    pub fn front_door(&self) -> Vec<&Contact> {
        let marked: Vec<&Contact> = self
            .contacts
            .iter()
            .map(Spanned::get_ref)
            .filter(|c| c.front_door)
            .collect();
        if marked.is_empty() {
            self.contacts.iter().map(Spanned::get_ref).collect()
        } else {
            marked
        }
    }

    /// How many indicators a level has.
    pub fn count_at(&self, level: &str) -> usize {
        self.indicators
            .iter()
            .filter(|i| i.get_ref().level == level)
            .count()
    }

    /// The indicators of a level in a domain, as written.
    pub fn indicators_at<'a>(
        &'a self,
        level: &'a str,
        domain: &'a str,
    ) -> impl Iterator<Item = &'a Indicator> + 'a {
        self.indicators
            .iter()
            .map(Spanned::get_ref)
            .filter(move |i| i.level == level && i.domain == domain)
    }
}

/// What the ticked indicators suggest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// The level suggested (its key).
    pub level: String,
    /// How many indicators were ticked at each level, lowest first.
    pub ticked_per_level: Vec<usize>,
}

/// The ticked indicators that are in the document, each once, in the document's order:
/// anything else sent (a key from another edition, a forged one) is dropped.
pub fn known_ticks<'a>(d: &'a Document, sent: &[String]) -> Vec<&'a Indicator> {
    let sent: BTreeSet<&str> = sent
        .iter()
        .map(String::as_str)
        .take(MAX_INDICATORS)
        .collect();
    d.indicators
        .iter()
        .map(Spanned::get_ref)
        .filter(|i| sent.contains(i.key.as_str()))
        .collect()
}

/// The level the ticked indicators suggest, by the document's rule; none when nothing is
/// ticked.
pub fn suggest(d: &Document, ticked: &[&Indicator]) -> Option<Suggestion> {
    let mut per = vec![0usize; d.levels.len()];
    let mut decisive: Option<usize> = None;
    for i in ticked {
        if let Some(r) = d.rank(&i.level) {
            per[r] += 1;
            if i.decisive {
                decisive = decisive.max(Some(r));
            }
        }
    }
    let highest = per.iter().rposition(|n| *n > 0)?;
    let rank = match d.document.rule {
        Rule::Highest => highest,
        Rule::Most => {
            let most = per.iter().copied().max().unwrap_or(0);
            let by_count = per.iter().rposition(|n| *n == most).unwrap_or(highest);
            by_count.max(decisive.unwrap_or(0))
        }
    };
    Some(Suggestion {
        level: d.levels[rank].get_ref().key.clone(),
        ticked_per_level: per,
    })
}

/// The words of a search, lower-cased: letters and numbers only, at most eight.
pub fn search_words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .take(8)
        .collect()
}

/// The indicators whose text or guidance holds every word searched for (as the start of a
/// word: "neglect" finds "neglected").
pub fn search<'a>(d: &'a Document, words: &[String]) -> Vec<&'a Indicator> {
    if words.is_empty() {
        return Vec::new();
    }
    d.indicators
        .iter()
        .map(Spanned::get_ref)
        .filter(|i| {
            let hay: Vec<String> = format!("{} {}", i.text, i.guidance)
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect();
            words
                .iter()
                .all(|w| hay.iter().any(|h| h.starts_with(w.as_str())))
        })
        .collect()
}

/// An edition as far as the calendar is concerned: published from a day, or not yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dated {
    pub id: i64,
    pub number: i64,
    pub takes_effect: Option<NaiveDate>,
}

/// The edition in force on a day: of those published, the one taking effect latest on or before
/// that day (the higher number on the same day). An edition published from a later day
/// replaces it on that day; until then the earlier one stands.
pub fn in_force(editions: &[Dated], day: NaiveDate) -> Option<Dated> {
    editions
        .iter()
        .filter(|e| e.takes_effect.is_some_and(|t| t <= day))
        .max_by_key(|e| (e.takes_effect, e.number))
        .copied()
}

/// Who must sign a document off before it is published: the lead safeguarding partners
/// (Working Together 2023), one for each of the three.
pub const SIGNERS: &[&str] = &["local-authority", "health", "police"];

/// The partners still to sign.
pub fn still_to_sign(signed: &[&str]) -> Vec<&'static str> {
    SIGNERS
        .iter()
        .copied()
        .filter(|s| !signed.contains(s))
        .collect()
}

pub fn partner_words(role: &str) -> &'static str {
    match role {
        "local-authority" => "The local authority",
        "health" => "Health (the integrated care board)",
        "police" => "The police",
        _ => "A partner",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const SMALL: &str = r#"
schema = "masa-thresholds/1"

[document]
title = "Levels of need"

[[contacts]]
key = "front-door"
name = "Front door"
telephone = "01752 668000"
out_of_hours = "01752 346984"
front_door = true

[[levels]]
key = "universal"
name = "Universal"
meaning = "Needs met by everyday services."
next_steps = "Carry on."

[[levels]]
key = "early-help"
name = "Early help"
meaning = "Some extra help."
next_steps = "Talk to the family about early help."

[[levels]]
key = "statutory"
name = "Statutory"
meaning = "A child in need or at risk of significant harm."
next_steps = "Contact the front door today."
legal_basis = "Sections 17 and 47, Children Act 1989"
contacts = ["front-door"]

[[domains]]
key = "development"
name = "Child's developmental needs"

[[domains]]
key = "family"
name = "Family and environmental factors"

[[indicators]]
key = "u1"
level = "universal"
domain = "development"
text = "Healthy and developing well"

[[indicators]]
key = "e1"
level = "early-help"
domain = "development"
text = "Missed health appointments"
related = ["s1"]

[[indicators]]
key = "e2"
level = "early-help"
domain = "family"
text = "Family struggling with housing"

[[indicators]]
key = "s1"
level = "statutory"
domain = "development"
text = "Injury with no explanation"
guidance = "Bruising on a baby who is not yet mobile"
decisive = true
"#;

    fn small() -> Document {
        parse(SMALL.as_bytes()).expect("the small document parses")
    }

    fn ticks<'a>(d: &'a Document, keys: &[&str]) -> Vec<&'a Indicator> {
        let sent: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
        known_ticks(d, &sent)
    }

    #[test]
    fn the_highest_level_ticked_is_suggested() {
        let d = small();
        let s = suggest(&d, &ticks(&d, &["u1", "e1", "e2"])).expect("a suggestion");
        assert_eq!(s.level, "early-help");
        assert_eq!(s.ticked_per_level, vec![1, 2, 0]);
        let s = suggest(&d, &ticks(&d, &["u1", "s1"])).expect("a suggestion");
        assert_eq!(s.level, "statutory");
        assert_eq!(suggest(&d, &[]), None);
    }

    #[test]
    fn the_most_rule_counts_and_respects_decisive_indicators() {
        let mut d = small();
        d.document.rule = Rule::Most;
        // Two at early help outweigh one universal.
        assert_eq!(
            suggest(&d, &ticks(&d, &["u1", "e1", "e2"])).map(|s| s.level),
            Some("early-help".into())
        );
        // A tie goes to the higher level.
        assert_eq!(
            suggest(&d, &ticks(&d, &["u1", "e1"])).map(|s| s.level),
            Some("early-help".into())
        );
        // A decisive statutory indicator outweighs two early help ones.
        assert_eq!(
            suggest(&d, &ticks(&d, &["e1", "e2", "s1"])).map(|s| s.level),
            Some("statutory".into())
        );
        // Without decisive, the count wins.
        for i in &mut d.indicators {
            i.get_mut().decisive = false;
        }
        assert_eq!(
            suggest(&d, &ticks(&d, &["e1", "e2", "s1"])).map(|s| s.level),
            Some("early-help".into())
        );
    }

    #[test]
    fn unknown_and_repeated_ticks_are_dropped() {
        let d = small();
        let t = ticks(&d, &["e1", "e1", "nope", "<script>"]);
        assert_eq!(t.len(), 1);
        assert_eq!(
            suggest(&d, &t).map(|s| s.ticked_per_level),
            Some(vec![0, 1, 0])
        );
    }

    #[test]
    fn export_import_export_is_identical() {
        let d = small();
        let once = to_text(&d);
        let again = parse(once.as_bytes()).expect("the export parses");
        assert_eq!(again, d);
        assert_eq!(to_text(&again), once);
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let bad = SMALL
            .replace("level = \"universal\"", "level = \"nowhere\"")
            .replace("related = [\"s1\"]", "related = [\"e1\", \"zz\"]")
            .replace("telephone = \"01752 668000\"", "telephone = \"call us\"");
        let problems = parse(bad.as_bytes()).expect_err("refused");
        let words: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(
            words
                .iter()
                .any(|w| w.contains("no level has the key \"nowhere\"")),
            "{words:?}"
        );
        assert!(
            words.iter().any(|w| w.contains("is related to itself")),
            "{words:?}"
        );
        assert!(
            words
                .iter()
                .any(|w| w.contains("no indicator has the key \"zz\"")),
            "{words:?}"
        );
        assert!(
            words
                .iter()
                .any(|w| w.contains("is not a telephone number")),
            "{words:?}"
        );
        let line_of_u1 = SMALL
            .lines()
            .position(|l| l.contains("key = \"u1\""))
            .expect("u1 is in the text");
        let p = problems
            .iter()
            .find(|p| p.message.contains("nowhere"))
            .expect("the level problem");
        // The entry's table starts a line above its key.
        assert_eq!(p.line, line_of_u1);
    }

    #[test]
    fn shape_problems_are_refused() {
        for (bad, says) in [
            ("schema = \"masa-thresholds/9\"\n", "missing field"),
            ("[document]\ntitle = 3\n", "invalid type"),
            (
                &SMALL.replace("[document]", "[document]\ncolour = \"red\""),
                "unknown field",
            ),
            (
                &SMALL.replace("masa-thresholds/1", "masa-thresholds/2"),
                "schema must be",
            ),
            (
                &SMALL.replace("key = \"e2\"", "key = \"e1\""),
                "two indicators have the key",
            ),
            (
                &SMALL.replace("key = \"family\"", "key = \"Family Factors\""),
                "lower-case",
            ),
        ] {
            let p = parse(bad.as_bytes()).expect_err("refused");
            assert!(p.iter().any(|p| p.message.contains(says)), "{says}: {p:?}");
        }
        assert!(parse(&[0xff, 0xfe, 0x41]).is_err());
        assert!(parse(&vec![b'#'; MAX_BYTES + 1]).is_err());
    }

    #[test]
    fn search_finds_every_word_as_a_word_start() {
        let d = small();
        let found = |q: &str| -> Vec<String> {
            search(&d, &search_words(q))
                .iter()
                .map(|i| i.key.clone())
                .collect()
        };
        assert_eq!(found("missed appointment"), vec!["e1"]);
        assert_eq!(found("BRUIS"), vec!["s1"]);
        assert_eq!(found("housing injury"), Vec::<String>::new());
        assert_eq!(found("   "), Vec::<String>::new());
        assert_eq!(found("'; DROP TABLE"), Vec::<String>::new());
    }

    #[test]
    fn the_edition_in_force_is_the_latest_to_take_effect() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date");
        let eds = [
            Dated {
                id: 1,
                number: 1,
                takes_effect: Some(day("2021-04-01")),
            },
            Dated {
                id: 2,
                number: 2,
                takes_effect: Some(day("2024-09-01")),
            },
            Dated {
                id: 3,
                number: 3,
                takes_effect: None,
            },
        ];
        assert_eq!(in_force(&eds, day("2021-03-31")), None);
        assert_eq!(in_force(&eds, day("2024-08-31")).map(|e| e.id), Some(1));
        assert_eq!(in_force(&eds, day("2024-09-01")).map(|e| e.id), Some(2));
        assert_eq!(in_force(&eds, day("2030-01-01")).map(|e| e.id), Some(2));
    }

    #[test]
    fn all_three_partners_sign() {
        assert_eq!(
            still_to_sign(&["health", "police"]),
            vec!["local-authority"]
        );
        assert!(still_to_sign(&["police", "health", "local-authority"]).is_empty());
    }

    #[test]
    fn the_front_door_is_the_marked_contacts_or_all() {
        let mut d = small();
        assert_eq!(d.front_door().len(), 1);
        d.contacts[0].get_mut().front_door = false;
        assert_eq!(d.front_door().len(), 1);
    }
}
