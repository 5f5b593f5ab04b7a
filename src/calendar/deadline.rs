//! Where a deadline stands, counted in working days: the one type the tracker of actions, the
//! serious cases' steps and agencies' requests, and assurance returns all use, so that
//! "overdue", "due soon" and "on track" mean the same everywhere.

use chrono::NaiveDate;

use super::working_days::Calendar;

/// A deadline on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deadline {
    /// Done (on that day, when it is known), and whether after the deadline.
    Done { on: Option<NaiveDate>, late: bool },
    /// Not done; working days left to the deadline (0: due today).
    Due { working_days_left: i64 },
    /// Not done by the deadline: by how many working days (at least one).
    Overdue { working_days: i64 },
}

impl Deadline {
    /// Where something due on `due` stands on `today`: done when `done` (on `done_on`, if
    /// known).
    pub fn of(
        due: NaiveDate,
        done: bool,
        done_on: Option<NaiveDate>,
        today: NaiveDate,
        cal: &Calendar,
    ) -> Deadline {
        if done || done_on.is_some() {
            Deadline::Done {
                on: done_on,
                late: done_on.is_some_and(|d| d > due),
            }
        } else if today > due {
            // At least one: a return due on a Friday and still missing on Saturday is late.
            Deadline::Overdue {
                working_days: cal.working_days_between(due, today).max(1),
            }
        } else {
            Deadline::Due {
                working_days_left: cal.working_days_between(today, due),
            }
        }
    }

    /// Red, amber or green: amber when due within `amber_working_days` working days.
    pub fn rag(self, amber_working_days: i64) -> Rag {
        match self {
            Deadline::Done { .. } => Rag::Done,
            Deadline::Overdue { .. } => Rag::Red,
            Deadline::Due { working_days_left } if working_days_left <= amber_working_days => {
                Rag::Amber
            }
            Deadline::Due { .. } => Rag::Green,
        }
    }

    pub fn overdue(self) -> bool {
        matches!(self, Deadline::Overdue { .. })
    }

    /// The countdown as every page words it: "Overdue by 2 working days", "Due today",
    /// "1 working day left", "Done".
    pub fn countdown(self) -> String {
        let days = |n: i64| format!("{n} working day{}", if n == 1 { "" } else { "s" });
        match self {
            Deadline::Done { .. } => "Done".into(),
            Deadline::Overdue { working_days } => format!("Overdue by {}", days(working_days)),
            Deadline::Due {
                working_days_left: 0,
            } => "Due today".into(),
            Deadline::Due { working_days_left } => format!("{} left", days(working_days_left)),
        }
    }
}

/// The last day a deadline is within `amber_working_days` working days of `today` (for counting
/// in a query what [`Deadline::rag`] says row by row).
pub fn amber_until(today: NaiveDate, amber_working_days: i64, cal: &Calendar) -> NaiveDate {
    let next = cal.add_working_days(today, amber_working_days + 1);
    next.pred_opt().unwrap_or(next)
}

/// Red, amber or green, or done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rag {
    Done,
    Green,
    Amber,
    Red,
}

impl Rag {
    pub fn as_str(self) -> &'static str {
        match self {
            Rag::Done => "done",
            Rag::Green => "green",
            Rag::Amber => "amber",
            Rag::Red => "red",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Rag::Done => "Done",
            Rag::Green => "On track",
            Rag::Amber => "Due soon",
            Rag::Red => "Overdue",
        }
    }

    /// The GOV.UK tag colour.
    pub fn tag(self) -> &'static str {
        match self {
            Rag::Done => "govuk-tag--grey",
            Rag::Green => "govuk-tag--green",
            Rag::Amber => "govuk-tag--yellow",
            Rag::Red => "govuk-tag--red",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn the_countdown_has_one_wording() {
        let cal = Calendar::default();
        let thu = day("2026-12-03");
        let at = |due: &str| Deadline::of(day(due), false, None, thu, &cal).countdown();
        assert_eq!(at("2026-12-03"), "Due today");
        assert_eq!(at("2026-12-04"), "1 working day left");
        assert_eq!(at("2026-12-08"), "3 working days left");
        assert_eq!(at("2026-12-02"), "Overdue by 1 working day");
        assert_eq!(at("2026-11-30"), "Overdue by 3 working days");
        assert_eq!(
            Deadline::of(day("2026-12-01"), true, None, thu, &cal).countdown(),
            "Done"
        );
    }

    #[test]
    fn deadlines_count_working_days_and_agree_with_the_amber_window() {
        let cal = Calendar::default();
        // Thursday 3 December 2026.
        let thu = day("2026-12-03");
        assert_eq!(
            Deadline::of(day("2026-12-04"), false, None, thu, &cal),
            Deadline::Due {
                working_days_left: 1
            }
        );
        assert_eq!(
            Deadline::of(day("2026-12-02"), false, None, thu, &cal),
            Deadline::Overdue { working_days: 1 }
        );
        assert_eq!(
            Deadline::of(day("2026-12-01"), false, Some(day("2026-12-02")), thu, &cal),
            Deadline::Done {
                on: Some(day("2026-12-02")),
                late: true
            }
        );
        // One working day of amber: Friday, and the weekend after it, are amber; Monday green.
        let until = amber_until(thu, 1, &cal);
        assert_eq!(until, day("2026-12-06"));
        for d in ["2026-12-04", "2026-12-05", "2026-12-06", "2026-12-07"] {
            let rag = Deadline::of(day(d), false, None, thu, &cal).rag(1);
            assert_eq!(rag == Rag::Amber, day(d) <= until, "{d}: {rag:?}");
        }
    }
}
