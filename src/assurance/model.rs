//! The rules of assurance plans as pure functions: the RAG an agency gives each answer, when
//! assurance is not given, where a plan stands and when a return is overdue.

use chrono::NaiveDate;

use crate::calendar::deadline::Deadline;
use crate::calendar::working_days::Calendar;

/// The national review of 2022 into the murders of Arthur Labinjo-Hughes and Star Hobson.
pub const REVIEW_2022_TITLE: &str = "Child Protection in England: the national review into the murders of Arthur Labinjo-Hughes and Star Hobson";
pub const REVIEW_2022_YEAR: i32 = 2022;
pub const REVIEW_2022_LINK: &str = "https://www.gov.uk/government/publications/national-review-into-the-murders-of-arthur-labinjo-hughes-and-star-hobson";

/// The four questions the 2022 national review asked every partnership: a starting set, copied
/// into a plan and editable there.
pub const REVIEW_2022_QUESTIONS: [&str; 4] = [
    "Are strategy meetings held when they should be, with the police, health and children's social care taking part?",
    "Are resources sufficient for multi-agency child protection processes: strategy meetings, section 47 enquiries and child protection conferences?",
    "Is information sharing between agencies robust, both in the decision to start child protection enquiries and throughout them?",
    "Are referrals thought to be 'malicious' fully considered, and the child's safety assessed, before they are dismissed?",
];

/// The longest question, narrative or title masa keeps.
pub const QUESTION_MAX: usize = 1000;
pub const NARRATIVE_MAX: usize = 5000;
pub const TITLE_MAX: usize = 200;

/// How far an agency is assured, in its own words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rag {
    Green,
    Amber,
    Red,
}

impl Rag {
    pub const ALL: [Rag; 3] = [Rag::Green, Rag::Amber, Rag::Red];

    pub fn as_str(self) -> &'static str {
        match self {
            Rag::Green => "green",
            Rag::Amber => "amber",
            Rag::Red => "red",
        }
    }

    pub fn parse(s: &str) -> Result<Rag, &'static str> {
        Rag::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or("Select how far your agency is assured")
    }

    pub fn label(self) -> &'static str {
        match self {
            Rag::Green => "Assured",
            Rag::Amber => "Partly assured",
            Rag::Red => "Not assured",
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Rag::Green => "govuk-tag--green",
            Rag::Amber => "govuk-tag--yellow",
            Rag::Red => "govuk-tag--red",
        }
    }

    /// Amber or red: the business unit may raise an action from such an answer.
    pub fn assurance_not_given(self) -> bool {
        self != Rag::Green
    }
}

/// A narrative: required, at most 5,000 characters.
pub fn narrative(s: &str) -> Result<String, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        Err("Say what gives your agency assurance, or what does not")
    } else if t.chars().count() > NARRATIVE_MAX {
        Err("Enter 5,000 characters or fewer")
    } else {
        Ok(t.to_owned())
    }
}

/// A question's text: required, at most 1,000 characters.
pub fn question(s: &str) -> Result<String, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        Err("Enter the question")
    } else if t.chars().count() > QUESTION_MAX {
        Err("Enter 1,000 characters or fewer")
    } else {
        Ok(t.to_owned())
    }
}

/// Where a plan stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanStatus {
    /// Questions and agencies may still change.
    Draft,
    /// With the agencies; some returns are still to come.
    Issued,
    /// Every agency has returned.
    Returned,
}

impl PlanStatus {
    pub fn of(issued: bool, agencies: usize, returned: usize) -> PlanStatus {
        if !issued {
            PlanStatus::Draft
        } else if agencies > 0 && returned >= agencies {
            PlanStatus::Returned
        } else {
            PlanStatus::Issued
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Issued => "issued",
            PlanStatus::Returned => "returned",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PlanStatus::Draft => "Draft",
            PlanStatus::Issued => "With the agencies",
            PlanStatus::Returned => "All returned",
        }
    }
}

/// What may be missing before a plan goes to the agencies.
pub fn ready_to_issue(questions: usize, agencies: usize) -> Result<(), &'static str> {
    if questions == 0 {
        Err("Add at least one question before issuing the plan")
    } else if agencies == 0 {
        Err("Choose at least one agency before issuing the plan")
    } else {
        Ok(())
    }
}

/// Where one agency's return stands on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReturnStatus {
    Returned {
        on: NaiveDate,
        late: bool,
    },
    /// Not yet returned; working days left to the due date (0: due today).
    Due {
        working_days_left: i64,
    },
    /// Not returned by the due date: by how many working days.
    Overdue {
        working_days: i64,
    },
}

impl ReturnStatus {
    pub fn of(
        due: NaiveDate,
        returned_on: Option<NaiveDate>,
        today: NaiveDate,
        cal: &Calendar,
    ) -> ReturnStatus {
        // Counted as every deadline is; a return is done when it has a date.
        match Deadline::of(due, false, returned_on, today, cal) {
            Deadline::Overdue { working_days } => ReturnStatus::Overdue { working_days },
            Deadline::Due { working_days_left } => ReturnStatus::Due { working_days_left },
            Deadline::Done { late, .. } => ReturnStatus::Returned {
                on: returned_on.unwrap_or(due),
                late,
            },
        }
    }

    pub fn overdue(self) -> bool {
        matches!(self, ReturnStatus::Overdue { .. })
    }

    pub fn label(self) -> String {
        match self {
            ReturnStatus::Returned { on, late } => format!(
                "Returned {}{}",
                on.format("%-d %B %Y"),
                if late { " (late)" } else { "" }
            ),
            ReturnStatus::Due {
                working_days_left: 0,
            } => "Due today".into(),
            ReturnStatus::Due { working_days_left } => format!(
                "{working_days_left} working day{} left",
                if working_days_left == 1 { "" } else { "s" }
            ),
            ReturnStatus::Overdue { working_days } => format!(
                "Overdue by {working_days} working day{}",
                if working_days == 1 { "" } else { "s" }
            ),
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            ReturnStatus::Returned { .. } => "govuk-tag--green",
            ReturnStatus::Due { .. } => "govuk-tag--grey",
            ReturnStatus::Overdue { .. } => "govuk-tag--red",
        }
    }
}

/// Answers by RAG: (green, amber, red).
pub fn rag_counts(rags: impl IntoIterator<Item = Rag>) -> (usize, usize, usize) {
    rags.into_iter().fold((0, 0, 0), |(g, a, r), x| match x {
        Rag::Green => (g + 1, a, r),
        Rag::Amber => (g, a + 1, r),
        Rag::Red => (g, a, r + 1),
    })
}

/// The stages of an assurance plan, in the order they are done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanStage {
    Questions,
    Agencies,
    Issue,
    Returns,
    Actions,
}

impl PlanStage {
    pub const ALL: [PlanStage; 5] = [
        PlanStage::Questions,
        PlanStage::Agencies,
        PlanStage::Issue,
        PlanStage::Returns,
        PlanStage::Actions,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PlanStage::Questions => "Questions",
            PlanStage::Agencies => "Agencies and who answers",
            PlanStage::Issue => "Issue the plan",
            PlanStage::Returns => "Returns",
            PlanStage::Actions => "Actions where assurance is not given",
        }
    }

    /// The stage's page under the plan's address.
    pub fn path(self) -> &'static str {
        match self {
            PlanStage::Questions => "questions",
            PlanStage::Agencies => "agencies",
            PlanStage::Issue => "issue",
            PlanStage::Returns => "returns",
            PlanStage::Actions => "actions",
        }
    }
}

/// What is stored about a plan, counted, as its stages see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanProgress {
    pub issued: bool,
    pub questions: usize,
    pub agencies: usize,
    pub returned: usize,
    pub answers_due: NaiveDate,
    /// Answers that give no assurance (partly or not assured), and how many of them have an
    /// action raised.
    pub not_assured: usize,
    pub acted_on: usize,
}

/// Where each stage of a plan stands on `today`. Questions and agencies are settled when the
/// plan is issued; returns are late after the answers' due date; actions are needed only where
/// an answer gives no assurance.
pub fn plan_stages(
    p: &PlanProgress,
    today: NaiveDate,
    cal: &Calendar,
) -> Vec<(PlanStage, crate::web::task_list::Status)> {
    use crate::web::task_list::Status;
    let all_back = p.agencies > 0 && p.returned >= p.agencies;
    PlanStage::ALL
        .into_iter()
        .map(|stage| {
            let s = match stage {
                _ if !p.issued && matches!(stage, PlanStage::Returns | PlanStage::Actions) => {
                    Status::CannotStartYet
                }
                PlanStage::Questions | PlanStage::Agencies | PlanStage::Issue if p.issued => {
                    Status::Completed
                }
                PlanStage::Questions => Status::begun(p.questions > 0),
                PlanStage::Agencies => Status::begun(p.agencies > 0),
                PlanStage::Issue => match ready_to_issue(p.questions, p.agencies) {
                    Ok(()) => Status::NotYetStarted,
                    Err(_) => Status::CannotStartYet,
                },
                PlanStage::Returns if all_back => Status::Completed,
                PlanStage::Returns => Status::begun(p.returned > 0).by(Some(Deadline::of(
                    p.answers_due,
                    false,
                    None,
                    today,
                    cal,
                ))),
                PlanStage::Actions if p.not_assured == 0 && all_back => Status::NotNeeded,
                PlanStage::Actions if p.not_assured == 0 => Status::CannotStartYet,
                PlanStage::Actions if p.acted_on >= p.not_assured && all_back => Status::Completed,
                PlanStage::Actions => Status::begun(p.acted_on > 0),
            };
            (stage, s)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plans_stages_follow_what_is_stored() {
        use crate::web::task_list::Status::*;
        let cal = Calendar::default();
        let today = day("2026-12-03");
        let draft = PlanProgress {
            issued: false,
            questions: 0,
            agencies: 0,
            returned: 0,
            answers_due: day("2026-12-10"),
            not_assured: 0,
            acted_on: 0,
        };
        let at = |p: &PlanProgress, today| -> Vec<_> {
            plan_stages(p, today, &cal)
                .into_iter()
                .map(|(_, s)| s)
                .collect()
        };
        assert_eq!(
            at(&draft, today),
            [
                NotYetStarted,
                NotYetStarted,
                CannotStartYet,
                CannotStartYet,
                CannotStartYet
            ]
        );
        let ready = PlanProgress {
            questions: 3,
            agencies: 2,
            ..draft.clone()
        };
        assert_eq!(
            at(&ready, today)[..3],
            [InProgress, InProgress, NotYetStarted]
        );
        let issued = PlanProgress {
            issued: true,
            returned: 1,
            not_assured: 2,
            ..ready.clone()
        };
        assert_eq!(
            at(&issued, today),
            [Completed, Completed, Completed, InProgress, NotYetStarted]
        );
        // A week after the due date, one return still missing.
        let s = at(&issued, day("2026-12-17"));
        assert_eq!(s[3].label(), "Overdue by 5 working days");
        let back = PlanProgress {
            returned: 2,
            acted_on: 2,
            ..issued.clone()
        };
        assert_eq!(at(&back, today)[3..], [Completed, Completed]);
        let assured = PlanProgress {
            not_assured: 0,
            acted_on: 0,
            ..back.clone()
        };
        assert_eq!(at(&assured, today)[4], NotNeeded, "every answer assured");
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn assurance_rag_is_parsed_strictly_and_amber_or_red_is_not_assurance() {
        assert_eq!(Rag::parse("red"), Ok(Rag::Red));
        assert!(Rag::parse("purple").is_err());
        assert!(Rag::parse("Red").is_err());
        assert!(Rag::parse("").is_err());
        assert!(!Rag::Green.assurance_not_given());
        assert!(Rag::Amber.assurance_not_given());
        assert!(Rag::Red.assurance_not_given());
        assert_eq!(
            rag_counts([Rag::Red, Rag::Green, Rag::Red, Rag::Amber]),
            (1, 1, 2)
        );
    }

    #[test]
    fn assurance_narrative_is_required_and_at_most_5000_characters() {
        assert!(narrative("   ").is_err());
        assert_eq!(
            narrative(" Held within a day. "),
            Ok("Held within a day.".into())
        );
        assert!(narrative(&"é".repeat(5000)).is_ok());
        assert!(narrative(&"é".repeat(5001)).is_err());
        assert!(question("").is_err());
        assert!(question(&"x".repeat(1001)).is_err());
    }

    #[test]
    fn assurance_plan_status_follows_issue_and_returns() {
        assert_eq!(PlanStatus::of(false, 3, 0), PlanStatus::Draft);
        assert_eq!(PlanStatus::of(true, 3, 2), PlanStatus::Issued);
        assert_eq!(PlanStatus::of(true, 3, 3), PlanStatus::Returned);
        assert_eq!(PlanStatus::of(true, 0, 0), PlanStatus::Issued);
        assert!(ready_to_issue(0, 2).is_err());
        assert!(ready_to_issue(4, 0).is_err());
        assert!(ready_to_issue(4, 2).is_ok());
        assert_eq!(REVIEW_2022_QUESTIONS.len(), 4);
    }

    #[test]
    fn assurance_returns_are_overdue_in_working_days() {
        let cal = Calendar::shipped();
        // Due Friday 16 September 2022; the Queen's state funeral on Monday the 19th is a bank
        // holiday, so on Wednesday the 21st the return is two working days late.
        let due = day("2022-09-16");
        assert_eq!(
            ReturnStatus::of(due, None, day("2022-09-21"), &cal),
            ReturnStatus::Overdue { working_days: 2 }
        );
        assert_eq!(
            ReturnStatus::of(due, None, day("2022-09-17"), &cal),
            ReturnStatus::Overdue { working_days: 1 }
        );
        assert_eq!(
            ReturnStatus::of(due, None, day("2022-09-16"), &cal),
            ReturnStatus::Due {
                working_days_left: 0
            }
        );
        assert_eq!(
            ReturnStatus::of(due, None, day("2022-09-14"), &cal),
            ReturnStatus::Due {
                working_days_left: 2
            }
        );
        let late = ReturnStatus::of(due, Some(day("2022-09-20")), day("2022-09-30"), &cal);
        assert_eq!(
            late,
            ReturnStatus::Returned {
                on: day("2022-09-20"),
                late: true
            }
        );
        assert!(!late.overdue());
        assert_eq!(late.label(), "Returned 20 September 2022 (late)");
    }
}
