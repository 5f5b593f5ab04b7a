//! The rules of the action tracker as pure functions.

use chrono::NaiveDate;

use crate::calendar::working_days::Calendar;

pub const STATUSES: &[&str] = &["open", "done", "cancelled"];

/// A new action as typed, wherever it is raised (a minute, a review's recommendation).
pub struct Typed<'a> {
    pub title: &'a str,
    pub owner_name: &'a str,
    pub owner_organisation: &'a str,
    pub due: &'a str,
}

/// A checked new action: title, owner, owner's organisation, due date.
pub type Checked = (String, String, String, NaiveDate);

/// A new action's fields, checked; each problem is given against `field(name)`.
pub fn check_new(
    t: &Typed,
    field: impl Fn(&str) -> String,
) -> Result<Checked, Vec<(String, &'static str)>> {
    let mut problems = Vec::new();
    let title = t.title.trim();
    if title.is_empty() || title.chars().count() > 1000 {
        problems.push((
            field("title"),
            "Describe the action, in 1000 characters or fewer",
        ));
    }
    let owner = t.owner_name.trim();
    if owner.is_empty() || owner.chars().count() > 200 {
        problems.push((field("owner_name"), "Enter who owns the action"));
    }
    let organisation = t.owner_organisation.trim();
    if organisation.chars().count() > 200 {
        problems.push((field("owner_organisation"), "Enter 200 characters or fewer"));
    }
    let due = NaiveDate::parse_from_str(t.due.trim(), "%Y-%m-%d").ok();
    if due.is_none() {
        problems.push((field("due"), "Enter a real due date, like 2026-12-31"));
    }
    match due {
        Some(due) if problems.is_empty() => Ok((
            title.to_owned(),
            owner.to_owned(),
            organisation.to_owned(),
            due,
        )),
        _ => Err(problems),
    }
}

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
