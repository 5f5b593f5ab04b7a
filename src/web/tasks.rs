//! What a person should do next, shown on their home page. Each capability says what it asks
//! of the person signed in (`tasks` in its module, gathered in `home.rs`), in these words and
//! with one countdown, so a return due today is "Due today" for the responder and the business
//! unit alike.

use chrono::NaiveDate;

use crate::calendar::deadline::{Deadline, Rag};
use crate::calendar::working_days::Calendar;

/// Something to do: what, where it is done, and by when.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    /// What to do, as an instruction: "Answer the information request for Devon Police".
    pub what: String,
    /// The page where it is done.
    pub href: String,
    /// Which part of the work it belongs to: "Serious cases", "Meetings".
    pub area: &'static str,
    pub due: NaiveDate,
    pub deadline: Deadline,
    /// Its colour, by the capability's own rule for "due soon".
    pub rag: Rag,
}

impl Task {
    /// Something not yet done, due on `due`: where it stands on `today`, amber within
    /// `amber_days` working days of its due date.
    pub fn due(
        what: String,
        href: String,
        area: &'static str,
        due: NaiveDate,
        (today, cal, amber_days): (NaiveDate, &Calendar, i64),
    ) -> Task {
        let deadline = Deadline::of(due, false, None, today, cal);
        Task {
            what,
            href,
            area,
            due,
            deadline,
            rag: deadline.rag(amber_days),
        }
    }

    /// "Overdue by 2 working days", "Due today", "3 working days left".
    pub fn countdown(&self) -> String {
        self.deadline.countdown()
    }
}

/// Tasks in the order to do them: the most overdue first, then by due date.
pub fn in_order(mut tasks: Vec<Task>) -> Vec<Task> {
    tasks.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.what.cmp(&b.what)));
    tasks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(what: &str, due: &str) -> Task {
        let due = NaiveDate::parse_from_str(due, "%Y-%m-%d").unwrap_or_default();
        Task {
            what: what.into(),
            href: "/".into(),
            area: "Meetings",
            due,
            deadline: Deadline::Due {
                working_days_left: 1,
            },
            rag: Rag::Amber,
        }
    }

    #[test]
    fn tasks_come_soonest_first() {
        let list = in_order(vec![
            task("Later", "2026-12-09"),
            task("Overdue", "2026-11-20"),
            task("Sooner", "2026-12-04"),
        ]);
        let order: Vec<&str> = list.iter().map(|t| t.what.as_str()).collect();
        assert_eq!(order, ["Overdue", "Sooner", "Later"]);
    }
}
