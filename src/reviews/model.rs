//! The rules of learning from serious cases, as editions: each edition of the statutory
//! timelines has a start date; a partnership works to the edition in force, and a case keeps the
//! edition it began under. Deadlines are counted in working days (or months) by these pure
//! functions, so a corrected date recomputes everything.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::working_days::Calendar;

/// Where the rapid review's working days are counted from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RapidReviewFrom {
    /// Working Together 2018: from when the local authority became aware.
    Awareness,
    /// The Panel's 2025 guidance: from the date the notification was sent.
    Notification,
}

/// One edition of the rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edition {
    pub key: String,
    pub name: String,
    /// In force for cases the authority became aware of on or after this day.
    pub in_force_from: NaiveDate,
    /// Notify the Panel within this many working days of becoming aware.
    pub notify_within: i64,
    /// Tell the partners within this many working days of becoming aware.
    pub tell_partners_within: i64,
    /// Complete the rapid review within this many working days ...
    pub rapid_review_within: i64,
    /// ... counted from here.
    pub rapid_review_from: RapidReviewFrom,
    /// Publish a local review within this many months of the decision to hold one.
    pub publish_within_months: u32,
    /// Send the final report to the Panel and the Secretary of State at least this many
    /// working days before publication.
    pub final_report_before: i64,
}

/// The editions masa ships with (the host may add more; they are stored, not compiled in).
pub fn shipped() -> Vec<Edition> {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    vec![
        Edition {
            key: "wt2018".into(),
            name: "Working Together to Safeguard Children 2018".into(),
            in_force_from: day(2018, 6, 29),
            notify_within: 5,
            tell_partners_within: 5,
            rapid_review_within: 15,
            rapid_review_from: RapidReviewFrom::Awareness,
            publish_within_months: 6,
            final_report_before: 7,
        },
        Edition {
            key: "wt2023-panel2025".into(),
            name: "Working Together to Safeguard Children 2023, with the Panel's 2025 guidance"
                .into(),
            in_force_from: day(2025, 1, 1),
            notify_within: 5,
            tell_partners_within: 5,
            rapid_review_within: 15,
            rapid_review_from: RapidReviewFrom::Notification,
            publish_within_months: 6,
            final_report_before: 7,
        },
    ]
}

/// The edition in force on a day: the latest to have started by then.
pub fn in_force(editions: &[Edition], on: NaiveDate) -> Option<&Edition> {
    editions
        .iter()
        .filter(|e| e.in_force_from <= on)
        .max_by_key(|e| e.in_force_from)
}

/// The dates a case has reached so far.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDates {
    pub aware: Option<NaiveDate>,
    pub notified: Option<NaiveDate>,
    pub decided: Option<NaiveDate>,
    pub published_planned: Option<NaiveDate>,
}

/// A step and the day it is due by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Due {
    pub step: &'static str,
    pub by: NaiveDate,
}

/// Every deadline the dates so far give, in the order of the steps.
pub fn deadlines(e: &Edition, d: &CaseDates, cal: &Calendar) -> Vec<Due> {
    let mut out = Vec::new();
    if let Some(aware) = d.aware {
        out.push(Due {
            step: "Notify the Panel",
            by: cal.add_working_days(aware, e.notify_within),
        });
        out.push(Due {
            step: "Tell the partners",
            by: cal.add_working_days(aware, e.tell_partners_within),
        });
    }
    let from = match e.rapid_review_from {
        RapidReviewFrom::Awareness => d.aware,
        RapidReviewFrom::Notification => d.notified,
    };
    if let Some(from) = from {
        out.push(Due {
            step: "Complete the rapid review",
            by: cal.add_working_days(from, e.rapid_review_within),
        });
    }
    if let Some(decided) = d.decided {
        out.push(Due {
            step: "Publish the local review",
            by: decided
                .checked_add_months(Months::new(e.publish_within_months))
                .unwrap_or(decided),
        });
    }
    if let Some(publish) = d.published_planned {
        out.push(Due {
            step: "Send the final report to the Panel and the Secretary of State",
            by: cal.add_working_days(publish, -e.final_report_before),
        });
    }
    out
}

/// What kind of case a record is.
pub const KINDS: &[(&str, &str)] = &[
    ("serious-case", "Serious child safeguarding case"),
    (
        "serious-case-review",
        "Serious case review (transitional rules)",
    ),
    ("local-learning", "Local learning review"),
    ("near-miss", "Near miss"),
    ("good-practice", "Good practice"),
    ("national-review", "National review received from the Panel"),
];

pub fn kind_label(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("Case", |(_, l)| l)
}

pub const AGE_BANDS: &[&str] = &["under 1", "1 to 5", "6 to 10", "11 to 15", "16 to 17"];
pub const HARMS: &[(&str, &str)] = &[("died", "Died"), ("seriously-harmed", "Seriously harmed")];
pub const ABUSE: &[(&str, &str)] = &[
    ("known", "Abuse or neglect known"),
    ("suspected", "Abuse or neglect suspected"),
    ("neither", "Neither known nor suspected"),
];

/// Where a deadline stands: done (its date recorded), overdue, due within two working days,
/// or in time.
pub fn rag(due: NaiveDate, done: bool, today: NaiveDate, cal: &Calendar) -> &'static str {
    if done {
        "done"
    } else if due < today {
        "red"
    } else if cal.working_days_between(today, due) <= 2 {
        "amber"
    } else {
        "green"
    }
}

/// What a rapid review can decide.
pub const DECISIONS: &[(&str, &str)] = &[
    (
        "local-review",
        "Hold a local child safeguarding practice review",
    ),
    ("no-review", "No further review"),
    (
        "national-review",
        "Recommend a national review to the Panel",
    ),
];

pub fn decision_label(d: &str) -> &'static str {
    DECISIONS
        .iter()
        .find(|(k, _)| *k == d)
        .map_or("Not yet decided", |(_, l)| l)
}

/// The name a case goes by: never the child's real name, so short and plain ("Child C",
/// "Harry", "Child WR").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pseudonym(String);

impl Pseudonym {
    pub fn parse(s: &str) -> Result<Pseudonym, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("Enter the name the case goes by, like Child C".into());
        }
        if s.chars().count() > 30 {
            return Err("Enter a pseudonym of 30 characters or fewer, like Child C".into());
        }
        if !s
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || c == '-' || c == '\'')
        {
            return Err("Use letters, numbers, spaces and hyphens only, like Child C".into());
        }
        if s.split_whitespace().count() > 3 {
            return Err(
                "A pseudonym is one to three words, like Child C: never the child's real name"
                    .into(),
            );
        }
        Ok(Pseudonym(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A serious child safeguarding case: abuse or neglect known or suspected, and the child died
/// or was seriously harmed.
pub fn is_serious(abuse_known_or_suspected: bool, died_or_seriously_harmed: bool) -> bool {
    abuse_known_or_suspected && died_or_seriously_harmed
}

/// The three statutory partners, whose delegates each sign a rapid review decision.
pub const PARTNERS: &[&str] = &["local-authority", "health", "police"];

/// A decision is final only when each of the three statutory partners' delegates has signed it
/// off: two signatures are not a decision. Returns the partners still to sign.
pub fn still_to_sign(signed_by: &[&str]) -> Vec<&'static str> {
    PARTNERS
        .iter()
        .copied()
        .filter(|p| !signed_by.contains(p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn the_state_funeral_moves_the_notification() {
        // Aware on Monday 12 September 2022: five weekdays on is Monday 19th, the state
        // funeral, so the Panel must be told by Tuesday 20th.
        let cal = Calendar::shipped();
        let eds = shipped();
        let e = in_force(&eds, day("2022-09-12")).expect("an edition");
        let d = CaseDates {
            aware: Some(day("2022-09-12")),
            ..CaseDates::default()
        };
        let due = deadlines(e, &d, &cal);
        assert_eq!(e.key, "wt2018");
        assert_eq!(
            due[0],
            Due {
                step: "Notify the Panel",
                by: day("2022-09-20")
            }
        );
        assert_eq!(due[1].by, day("2022-09-20"));
    }

    #[test]
    fn each_edition_counts_the_rapid_review_from_its_own_start() {
        let cal = Calendar::shipped();
        let eds = shipped();
        let old = in_force(&eds, day("2024-03-04")).expect("2018 edition");
        let new = in_force(&eds, day("2025-03-03")).expect("2023 edition");
        assert_eq!(old.key, "wt2018");
        assert_eq!(new.key, "wt2023-panel2025");
        let d = CaseDates {
            aware: Some(day("2025-03-03")),
            notified: Some(day("2025-03-07")),
            ..CaseDates::default()
        };
        let rr = |e: &Edition| {
            deadlines(e, &d, &cal)
                .into_iter()
                .find(|x| x.step == "Complete the rapid review")
                .map(|x| x.by)
        };
        // From awareness (Mon 3 March): 15 working days is Monday 24 March.
        assert_eq!(rr(old), Some(day("2025-03-24")));
        // From the notification (Fri 7 March): Friday 28 March.
        assert_eq!(rr(new), Some(day("2025-03-28")));
        // Not yet notified: the new edition has no rapid review deadline to show.
        let early = CaseDates {
            notified: None,
            ..d
        };
        assert!(
            deadlines(new, &early, &cal)
                .iter()
                .all(|x| x.step != "Complete the rapid review")
        );
    }

    #[test]
    fn pseudonyms_are_short_and_plain() {
        assert_eq!(
            Pseudonym::parse(" Child C ").map(|p| p.as_str().to_owned()),
            Ok("Child C".into())
        );
        assert!(Pseudonym::parse("Harry").is_ok());
        assert!(Pseudonym::parse("Child WR").is_ok());
        assert!(Pseudonym::parse("").is_err());
        assert!(Pseudonym::parse("<script>").is_err());
        assert!(
            Pseudonym::parse("Jane Mary Anne Smith").is_err(),
            "a full name is refused"
        );
        assert!(Pseudonym::parse(&"x".repeat(31)).is_err());
    }

    #[test]
    fn serious_means_both_harm_and_abuse_or_neglect() {
        assert!(is_serious(true, true));
        assert!(!is_serious(true, false));
        assert!(!is_serious(false, true));
    }

    #[test]
    fn deadlines_are_red_amber_green_or_done() {
        let cal = Calendar::shipped();
        // Friday 16 September 2022; the Monday after was the state funeral.
        let fri = day("2022-09-16");
        assert_eq!(rag(day("2022-09-15"), false, fri, &cal), "red");
        assert_eq!(rag(day("2022-09-15"), true, fri, &cal), "done");
        assert_eq!(
            rag(day("2022-09-21"), false, fri, &cal),
            "amber",
            "two working days on"
        );
        assert_eq!(rag(day("2022-09-22"), false, fri, &cal), "green");
    }

    #[test]
    fn two_signatures_are_not_a_decision() {
        assert_eq!(
            still_to_sign(&["local-authority", "health"]),
            vec!["police"]
        );
        assert_eq!(
            still_to_sign(&["police", "health", "police"]),
            vec!["local-authority"]
        );
        assert!(still_to_sign(&["police", "health", "local-authority"]).is_empty());
        assert_eq!(still_to_sign(&[]).len(), 3);
    }

    #[test]
    fn publication_and_the_final_report() {
        let cal = Calendar::shipped();
        let e = shipped()[1].clone();
        let d = CaseDates {
            decided: Some(day("2025-08-31")),
            // Publication planned for Tuesday 6 January 2026: seven working days before,
            // over New Year's Day, Boxing Day and Christmas Day, is Tuesday 23 December 2025.
            published_planned: Some(day("2026-01-06")),
            ..CaseDates::default()
        };
        let due = deadlines(&e, &d, &cal);
        assert_eq!(
            due[0].by,
            day("2026-02-28"),
            "six months, to the month's last day"
        );
        assert_eq!(due[1].by, day("2025-12-23"));
    }
}
