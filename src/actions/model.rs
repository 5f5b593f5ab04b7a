//! The rules of the action tracker as pure functions.

use chrono::NaiveDate;

use crate::calendar::deadline::Deadline;
use crate::calendar::working_days::Calendar;

crate::states! {
    /// Where an action stands.
    pub enum Status as "an action's status" {
        Open = "open",
        Done = "done",
        Cancelled = "cancelled",
    }
}

/// Progress on an action as typed on its page.
pub struct ProgressTyped<'a> {
    pub status: &'a str,
    pub due: &'a str,
    pub note: &'a str,
    pub escalate: bool,
}

/// Progress on an action, checked: a dated note, its status (done, cancelled, open again), its
/// due date, and whether the chair escalates it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Progress {
    pub status: Status,
    pub due: NaiveDate,
    pub note: String,
    pub escalate: bool,
}

impl Progress {
    /// Progress as the tracker's rules allow it: a known status, a real due date, a note of
    /// at most 5,000 characters, and to mark an action done a note of what was done and the
    /// evidence. Each problem against its field.
    pub fn parse(t: &ProgressTyped, was: Status) -> Result<Progress, Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        let status = Status::parse(t.status);
        if status.is_none() {
            problems.push(("status", "Select the action's status".into()));
        }
        let due = due_date(t.due).map_err(|m| problems.push(("due", m))).ok();
        let note = t.note.trim().to_owned();
        if note.chars().count() > 5000 {
            problems.push(("note", crate::web::forms::too_long(5000)));
        } else if status == Some(Status::Done) && was != Status::Done && note.is_empty() {
            problems.push((
                "note",
                "Say what was done, and the evidence, before marking it done".into(),
            ));
        }
        match (status, due, problems.is_empty()) {
            (Some(status), Some(due), true) => Ok(Progress {
                status,
                due,
                note,
                escalate: t.escalate,
            }),
            _ => Err(problems),
        }
    }
}

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
) -> Result<Checked, Vec<(String, String)>> {
    let mut problems = Vec::new();
    let title = t.title.trim();
    if title.is_empty() || title.chars().count() > 1000 {
        problems.push((
            field("title"),
            "Describe the action, in 1000 characters or fewer".into(),
        ));
    }
    let owner = t.owner_name.trim();
    if owner.is_empty() || owner.chars().count() > 200 {
        problems.push((field("owner_name"), "Enter who owns the action".into()));
    }
    let organisation = t.owner_organisation.trim();
    if organisation.chars().count() > 200 {
        problems.push((
            field("owner_organisation"),
            crate::web::forms::too_long(200),
        ));
    }
    let due = due_date(t.due)
        .map_err(|m| problems.push((field("due"), m)))
        .ok();
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

/// An action's due date, which every action has: read by the one date reader.
fn due_date(v: &str) -> Result<NaiveDate, String> {
    crate::web::forms::read_date("Due date", v)?.ok_or_else(|| "Enter the due date".to_owned())
}

/// Red, amber or green for an action by its due date: the partnership-wide deadline type.
pub use crate::calendar::deadline::{Rag, amber_until};

#[cfg(test)]
mod progress_tests {
    use super::*;

    #[test]
    fn marking_done_needs_a_note() {
        let typed = |status, note| ProgressTyped {
            status,
            due: "2026-12-31",
            note,
            escalate: false,
        };
        assert!(Progress::parse(&typed("done", " "), Status::Open).is_err());
        assert!(Progress::parse(&typed("done", "Letter sent"), Status::Open).is_ok());
        assert!(
            Progress::parse(&typed("done", ""), Status::Done).is_ok(),
            "already done"
        );
        let bad = Progress::parse(&typed("finished", ""), Status::Open).expect_err("refused");
        assert_eq!(bad[0].0, "status");
    }
}

/// Red when overdue, amber within `amber_days` working days of its due date, else green.
pub fn rag(
    due: NaiveDate,
    status: Status,
    today: NaiveDate,
    amber_days: i64,
    cal: &Calendar,
) -> Rag {
    Deadline::of(due, status != Status::Open, None, today, cal).rag(amber_days)
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
        assert_eq!(
            rag(day("2022-09-09"), Status::Open, today, 10, &cal),
            Rag::Red
        );
        // Ten working days on from 12 September 2022 is 27 September (the funeral on the 19th).
        assert_eq!(
            rag(day("2022-09-27"), Status::Open, today, 10, &cal),
            Rag::Amber
        );
        assert_eq!(
            rag(day("2022-09-28"), Status::Open, today, 10, &cal),
            Rag::Green
        );
        assert_eq!(
            rag(day("2022-09-09"), Status::Done, today, 10, &cal),
            Rag::Done
        );
    }
}
