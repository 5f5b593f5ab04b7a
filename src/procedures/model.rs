//! The rules of the library as pure functions: where a document stands, when its review is
//! chased, and how long a subscription waits to be confirmed.

use chrono::{Duration, NaiveDate};

use crate::calendar::deadline::{Deadline, Rag};
use crate::calendar::working_days::Calendar;

crate::states! {
    /// Whether a document is in force.
    pub enum ProcedureStatus as "a procedure's status" {
        Current = "current",
        /// No longer in force: off the public library, kept with its history.
        Withdrawn = "withdrawn",
    }
}

impl ProcedureStatus {
    pub fn label(self) -> &'static str {
        match self {
            ProcedureStatus::Current => "Current",
            ProcedureStatus::Withdrawn => "Withdrawn",
        }
    }
}

crate::states! {
    /// Which reminder of a review has been sent.
    pub enum Reminder as "a review reminder" {
        /// The review date is within [`REMIND_WITHIN`] working days.
        DueSoon = "due-soon",
        Overdue = "overdue",
    }
}

/// The longest title, summary, amendment note and reason kept.
pub const TITLE_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 2000;
pub const NOTE_MAX: usize = 1000;
pub const REASON_MAX: usize = 1000;

/// The owner is reminded this many working days before the review date (and again once it has
/// passed); the list shows the review as due soon from then.
pub const REMIND_WITHIN: i64 = 20;

/// How long a confirm link works; an unconfirmed subscription is deleted after it.
pub const CONFIRM_LIFE: Duration = Duration::hours(24);

/// Requests to subscribe in an hour: from one network, and for one address (so that the form
/// cannot be used to flood someone's inbox).
pub const PER_NETWORK: i64 = 10;
pub const PER_ADDRESS: i64 = 3;
pub const LIMIT_WINDOW: Duration = Duration::hours(1);

/// Whether text is plain: no markup (a `<` opening a tag, such as `<script>`), no control
/// characters but line breaks and tabs, and none of the invisible characters that make text
/// read as something else. What the library keeps is shown on the public website and sent in
/// emails, so it is kept as words only.
pub fn plain(v: &str) -> bool {
    let chars: Vec<char> = v.chars().collect();
    !chars.iter().enumerate().any(|(i, c)| {
        (*c == '<'
            && chars
                .get(i + 1)
                .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')))
            || (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            || crate::web::forms::invisible(*c)
    })
}

/// Where a document's review stands on `today`: the one countdown.
pub fn review_deadline(review_on: NaiveDate, today: NaiveDate, cal: &Calendar) -> Deadline {
    Deadline::of(review_on, false, None, today, cal)
}

/// The review's colour: amber within [`REMIND_WITHIN`] working days.
pub fn review_rag(review_on: NaiveDate, today: NaiveDate, cal: &Calendar) -> Rag {
    review_deadline(review_on, today, cal).rag(REMIND_WITHIN)
}

/// The reminder a current document's owner is owed on `today`, if any: overdue once the review
/// date has passed, due soon within [`REMIND_WITHIN`] working days of it. Each is sent once
/// per review date (the store keeps what was sent); a withdrawn document is not chased.
pub fn reminder_owed(
    status: ProcedureStatus,
    review_on: NaiveDate,
    today: NaiveDate,
    cal: &Calendar,
) -> Option<Reminder> {
    if status == ProcedureStatus::Withdrawn {
        return None;
    }
    match review_deadline(review_on, today, cal) {
        Deadline::Overdue { .. } => Some(Reminder::Overdue),
        Deadline::Due { working_days_left } if working_days_left <= REMIND_WITHIN => {
            Some(Reminder::DueSoon)
        }
        _ => None,
    }
}

/// What a subscription follows: one document, or every document of the partnership.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Follows {
    One(i64),
    Every,
}

impl Follows {
    pub fn of(procedure_id: Option<i64>) -> Follows {
        procedure_id.map_or(Follows::Every, Follows::One)
    }

    pub fn procedure_id(self) -> Option<i64> {
        match self {
            Follows::One(id) => Some(id),
            Follows::Every => None,
        }
    }

    /// Whether a change to document `id` is told to this subscription.
    pub fn covers(self, id: i64) -> bool {
        match self {
            Follows::One(x) => x == id,
            Follows::Every => true,
        }
    }
}

/// What a change notice is about, as kept (so each is told once): a version, or the
/// withdrawal.
pub fn notice_key(version: Option<i64>) -> String {
    match version {
        Some(n) => format!("version {n}"),
        None => "withdrawn".to_owned(),
    }
}

/// What a change notice says happened: "has changed".
pub fn change_words(version: Option<i64>) -> &'static str {
    match version {
        Some(1) => "has been added to the library",
        Some(_) => "has changed",
        None => "has been withdrawn",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn the_owner_is_reminded_within_twenty_working_days_and_when_overdue() {
        let cal = Calendar::default();
        let today = day("2026-12-01");
        let current = ProcedureStatus::Current;
        // Far off: nothing yet.
        assert_eq!(reminder_owed(current, day("2027-06-01"), today, &cal), None);
        // Twenty working days on (four weeks of weekdays): due soon.
        let soon = cal.add_working_days(today, REMIND_WITHIN);
        assert_eq!(
            reminder_owed(current, soon, today, &cal),
            Some(Reminder::DueSoon)
        );
        let later = cal.add_working_days(today, REMIND_WITHIN + 1);
        assert_eq!(reminder_owed(current, later, today, &cal), None);
        assert_eq!(
            reminder_owed(current, today, today, &cal),
            Some(Reminder::DueSoon),
            "due today is not yet overdue"
        );
        assert_eq!(
            reminder_owed(current, day("2026-11-30"), today, &cal),
            Some(Reminder::Overdue)
        );
        assert_eq!(
            reminder_owed(ProcedureStatus::Withdrawn, day("2026-11-30"), today, &cal),
            None,
            "a withdrawn document is not chased"
        );
    }

    #[test]
    fn the_review_uses_the_one_countdown() {
        let cal = Calendar::default();
        let today = day("2026-12-03");
        assert_eq!(
            review_deadline(day("2026-12-08"), today, &cal).countdown(),
            "3 working days left"
        );
        assert_eq!(review_rag(day("2026-12-08"), today, &cal), Rag::Amber);
        assert_eq!(review_rag(day("2027-12-08"), today, &cal), Rag::Green);
        assert_eq!(review_rag(day("2026-12-01"), today, &cal), Rag::Red);
    }

    #[test]
    fn only_plain_text_is_kept() {
        assert!(plain("Neglect strategy 2026 to 2029"));
        assert!(plain("Children <5 years & their families\nsecond line"));
        for bad in [
            "<script>alert(1)</script>",
            "a </b> b",
            "<!-- x -->",
            "<img src=x onerror=alert(1)>",
            "right\u{202E}fdp",
            "bell\u{7}",
        ] {
            assert!(!plain(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_subscription_covers_its_document_or_every_one() {
        assert!(Follows::of(None).covers(7));
        assert!(Follows::of(Some(7)).covers(7));
        assert!(!Follows::of(Some(7)).covers(8));
        assert_eq!(Follows::One(3).procedure_id(), Some(3));
        assert_eq!(notice_key(Some(2)), "version 2");
        assert_eq!(notice_key(None), "withdrawn");
        assert_eq!(change_words(Some(1)), "has been added to the library");
        assert_eq!(change_words(Some(3)), "has changed");
        assert_eq!(
            ProcedureStatus::parse("withdrawn"),
            Some(ProcedureStatus::Withdrawn)
        );
        assert_eq!(Reminder::DueSoon.as_str(), "due-soon");
    }
}
