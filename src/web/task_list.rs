//! A long process as the GOV.UK task list: each stage of a meeting's cycle, a serious case or
//! an assurance plan as one row with its status, each stage on its own page. The capability
//! works out each stage's status from what is stored (a pure function in its `model.rs`); this
//! says how a status is worded and coloured, the same everywhere. Drawn by `task_list` in
//! `templates/macros.html`.

use crate::calendar::deadline::Deadline;

/// Where one stage stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Waits for an earlier stage: shown without a link.
    CannotStartYet,
    NotYetStarted,
    InProgress,
    Completed,
    /// Not part of this process any more (a cancelled meeting, a case with no local review).
    NotNeeded,
    /// Not done by its deadline, counted as every deadline is.
    Overdue(Deadline),
}

impl Status {
    /// A stage not yet done whose deadline has passed is overdue; anything else keeps its
    /// status (a stage that cannot start yet waits for the one before, which shows the lateness).
    pub fn by(self, deadline: Option<Deadline>) -> Status {
        match (self, deadline) {
            (Status::NotYetStarted | Status::InProgress, Some(d)) if d.overdue() => {
                Status::Overdue(d)
            }
            (s, _) => s,
        }
    }

    /// Begun when anything of it is there, else not yet started.
    pub fn begun(started: bool) -> Status {
        if started {
            Status::InProgress
        } else {
            Status::NotYetStarted
        }
    }

    /// The words, as the design system has them: "Overdue by 2 working days" for a late stage.
    pub fn label(self) -> String {
        match self {
            Status::CannotStartYet => "Cannot start yet".into(),
            Status::NotYetStarted => "Not yet started".into(),
            Status::InProgress => "In progress".into(),
            Status::Completed => "Completed".into(),
            Status::NotNeeded => "Not needed".into(),
            Status::Overdue(d) => d.countdown(),
        }
    }

    /// The tag's colour, for a status that needs the person's attention; none for the rest,
    /// which are plain text.
    pub fn tag(self) -> Option<&'static str> {
        match self {
            Status::NotYetStarted => Some("govuk-tag--blue"),
            Status::InProgress => Some("govuk-tag--light-blue"),
            Status::Overdue(_) => Some("govuk-tag--red"),
            Status::CannotStartYet | Status::Completed | Status::NotNeeded => None,
        }
    }

    /// Whether the stage's name links to its page: not while it cannot start.
    pub fn links(self) -> bool {
        self != Status::CannotStartYet
    }

    /// The status's extra class (greyed, for a stage that cannot start yet).
    pub fn class(self) -> &'static str {
        match self {
            Status::CannotStartYet | Status::NotNeeded => {
                " govuk-task-list__status--cannot-start-yet"
            }
            _ => "",
        }
    }

    pub fn done(self) -> bool {
        matches!(self, Status::Completed | Status::NotNeeded)
    }
}

/// One row of a task list: a stage of the process, the page where it is done, a line about
/// it, and where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub name: &'static str,
    pub href: String,
    /// A line under the name (when it is due, what it waits for); may be empty.
    pub hint: String,
    pub status: Status,
}

impl Stage {
    pub fn new(name: &'static str, href: String, status: Status) -> Stage {
        Stage {
            name,
            href,
            hint: String::new(),
            status,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Stage {
        self.hint = hint.into();
        self
    }
}

/// How many of the stages are done: "3 of 6 stages completed".
pub fn completed(stages: &[Stage]) -> String {
    let done = stages.iter().filter(|s| s.status.done()).count();
    format!("{done} of {} stages completed", stages.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_past_its_deadline_is_overdue_unless_done_or_waiting() {
        let late = Deadline::Overdue { working_days: 2 };
        let soon = Deadline::Due {
            working_days_left: 1,
        };
        assert_eq!(Status::NotYetStarted.by(Some(late)), Status::Overdue(late));
        assert_eq!(Status::InProgress.by(Some(late)), Status::Overdue(late));
        assert_eq!(Status::InProgress.by(Some(soon)), Status::InProgress);
        assert_eq!(Status::InProgress.by(None), Status::InProgress);
        for s in [Status::Completed, Status::CannotStartYet, Status::NotNeeded] {
            assert_eq!(s.by(Some(late)), s, "{s:?}");
        }
        assert_eq!(Status::begun(false), Status::NotYetStarted);
        assert_eq!(Status::begun(true), Status::InProgress);
    }

    #[test]
    fn statuses_are_worded_and_coloured_as_the_design_system_has_them() {
        let late = Status::Overdue(Deadline::Overdue { working_days: 3 });
        assert_eq!(late.label(), "Overdue by 3 working days", "one countdown");
        assert_eq!(late.tag(), Some("govuk-tag--red"));
        assert_eq!(Status::NotYetStarted.tag(), Some("govuk-tag--blue"));
        assert_eq!(Status::InProgress.tag(), Some("govuk-tag--light-blue"));
        assert_eq!(Status::Completed.tag(), None, "completed is plain text");
        assert_eq!(Status::Completed.label(), "Completed");
        assert!(!Status::CannotStartYet.links());
        assert!(Status::CannotStartYet.class().contains("cannot-start-yet"));
        assert!(Status::NotYetStarted.links());
        let stages = [
            Stage::new("Agenda", "/a".into(), Status::Completed),
            Stage::new("Papers", "/p".into(), Status::NotNeeded),
            Stage::new("Minutes", "/m".into(), late).hint("Due by 1 May"),
        ];
        assert_eq!(completed(&stages), "2 of 3 stages completed");
        assert_eq!(stages[2].hint, "Due by 1 May");
    }
}
