//! The rules of the action tracker as pure functions.

use chrono::NaiveDate;

use crate::calendar::working_days::Calendar;

pub const STATUSES: &[&str] = &["open", "done", "cancelled"];

/// Red, amber or green for an action by its due date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rag {
    Done,
    Green,
    Amber,
    Red,
}

impl Rag {
    pub fn label(self) -> &'static str {
        match self {
            Rag::Done => "Done",
            Rag::Green => "On track",
            Rag::Amber => "Due soon",
            Rag::Red => "Overdue",
        }
    }
    pub fn tag(self) -> &'static str {
        match self {
            Rag::Done => "govuk-tag--grey",
            Rag::Green => "govuk-tag--green",
            Rag::Amber => "govuk-tag--yellow",
            Rag::Red => "govuk-tag--red",
        }
    }
}

/// Red when overdue, amber within `amber_days` working days of its due date, else green.
pub fn rag(due: NaiveDate, status: &str, today: NaiveDate, amber_days: i64, cal: &Calendar) -> Rag {
    if status != "open" {
        Rag::Done
    } else if today > due {
        Rag::Red
    } else if due <= amber_until(today, amber_days, cal) {
        Rag::Amber
    } else {
        Rag::Green
    }
}

/// The last day an open action is amber rather than green.
pub fn amber_until(today: NaiveDate, amber_days: i64, cal: &Calendar) -> NaiveDate {
    cal.add_working_days(today, amber_days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn actions_are_red_when_overdue_and_amber_when_close() {
        let cal = Calendar::shipped();
        let today = day("2022-09-12");
        assert_eq!(rag(day("2022-09-09"), "open", today, 10, &cal), Rag::Red);
        // Ten working days on from 12 September 2022 is 27 September (the funeral on the 19th).
        assert_eq!(rag(day("2022-09-27"), "open", today, 10, &cal), Rag::Amber);
        assert_eq!(rag(day("2022-09-28"), "open", today, 10, &cal), Rag::Green);
        assert_eq!(rag(day("2022-09-09"), "done", today, 10, &cal), Rag::Done);
    }
}
