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
    pub partners_told: Option<NaiveDate>,
    pub rapid_done: Option<NaiveDate>,
    /// The decision to hold a local review, once final.
    pub decided: Option<NaiveDate>,
    pub published_planned: Option<NaiveDate>,
    pub final_sent: Option<NaiveDate>,
    /// Published, or the reasons for not publishing recorded.
    pub concluded: Option<NaiveDate>,
}

/// A step, the day it is due by, and the day it was done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Due {
    pub step: &'static str,
    pub by: NaiveDate,
    pub done_on: Option<NaiveDate>,
}

impl Due {
    /// Done by its deadline (`None` while not done).
    pub fn on_time(&self) -> Option<bool> {
        self.done_on.map(|d| d <= self.by)
    }
}

pub const NOTIFY: &str = "Notify the Panel";
pub const TELL_PARTNERS: &str = "Tell the partners";
pub const RAPID_REVIEW: &str = "Complete the rapid review";
pub const PUBLISH: &str = "Publish the local review";
pub const FINAL_REPORT: &str = "Send the final report to the Panel and the Secretary of State";

/// Who owes a step: the business unit runs the case, the partners' delegates sign the decision,
/// each agency's named responder returns its information.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owes {
    BusinessUnit,
    Delegates,
    Responder,
}

/// Every deadline the dates so far give, in the order of the steps.
pub fn deadlines(e: &Edition, d: &CaseDates, cal: &Calendar) -> Vec<Due> {
    let mut out = Vec::new();
    if let Some(aware) = d.aware {
        out.push(Due {
            step: NOTIFY,
            by: cal.add_working_days(aware, e.notify_within),
            done_on: d.notified,
        });
        out.push(Due {
            step: TELL_PARTNERS,
            by: cal.add_working_days(aware, e.tell_partners_within),
            done_on: d.partners_told,
        });
    }
    let from = match e.rapid_review_from {
        RapidReviewFrom::Awareness => d.aware,
        RapidReviewFrom::Notification => d.notified,
    };
    if let Some(from) = from {
        out.push(Due {
            step: RAPID_REVIEW,
            by: cal.add_working_days(from, e.rapid_review_within),
            done_on: d.rapid_done,
        });
    }
    if let Some(decided) = d.decided {
        out.push(Due {
            step: PUBLISH,
            by: decided
                .checked_add_months(Months::new(e.publish_within_months))
                .unwrap_or(decided),
            done_on: d.concluded,
        });
    }
    if let Some(publish) = d.published_planned {
        out.push(Due {
            step: FINAL_REPORT,
            by: cal.add_working_days(publish, -e.final_report_before),
            done_on: d.final_sent,
        });
    }
    out
}

/// The questions regulation 11 (and the Panel's rapid review template) ask of every rapid
/// review, answered in the record before the decision.
pub const QUESTIONS: &[(&str, &str)] = &[
    (
        "immediate-action",
        "Is any immediate action needed to keep this or other children safe?",
    ),
    (
        "improvements",
        "Does the case highlight, or may it highlight, improvements needed to safeguard and promote the welfare of children, including improvements identified before?",
    ),
    (
        "recurrent-themes",
        "Does it highlight, or may it highlight, recurrent themes in safeguarding and promoting the welfare of children?",
    ),
    (
        "working-together",
        "Does it highlight, or may it highlight, concerns about two or more organisations or agencies working together effectively?",
    ),
    (
        "panel-view",
        "Has the Panel considered the case and concluded that a local review may be more appropriate?",
    ),
    (
        "learning-now",
        "What learning can be shared now, before any further review?",
    ),
];

/// The steps of a local review the partnership plans and records.
pub const MILESTONES: &[(&str, &str)] = &[
    ("terms-agreed", "Terms of reference agreed"),
    ("practitioner-event", "Practitioner event"),
    ("family", "Family involvement"),
    ("draft", "Draft report"),
    ("final", "Final report agreed"),
];

pub fn milestone_label(step: &str) -> &'static str {
    MILESTONES
        .iter()
        .find(|(k, _)| *k == step)
        .map_or("Milestone", |(_, l)| l)
}

/// Working days an agency has to return its information, unless the business unit says.
pub const REQUEST_WITHIN: i64 = 5;

/// Who owes each statutory step.
pub fn owes(step: &str) -> Owes {
    match step {
        NOTIFY | TELL_PARTNERS | RAPID_REVIEW | PUBLISH | FINAL_REPORT => Owes::BusinessUnit,
        _ => Owes::Delegates,
    }
}

/// Who a case's home-page tasks are for: the business unit runs the case, the scrutineer
/// watches what is late.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Follows {
    BusinessUnit,
    Scrutineer,
}

/// How far ahead the business unit sees a case's next step on its home page.
pub const TASK_AHEAD_WORKING_DAYS: i64 = 10;

/// The steps of a case that are someone's task today: for the business unit, its own steps
/// not yet done that are overdue or due within [`TASK_AHEAD_WORKING_DAYS`]; for the
/// scrutineer, every step not done that is overdue.
pub fn steps_to_do<'a>(
    rows: &'a [Due],
    who: Follows,
    today: NaiveDate,
    cal: &Calendar,
) -> Vec<&'a Due> {
    rows.iter()
        .filter(|d| d.done_on.is_none())
        .filter(|d| match who {
            Follows::BusinessUnit => {
                owes(d.step) == Owes::BusinessUnit
                    && cal.working_days_between(today, d.by) <= TASK_AHEAD_WORKING_DAYS
            }
            Follows::Scrutineer => d.by < today,
        })
        .collect()
}

/// A local review (its terms, reviewer, milestones) exists for a serious case once the partners
/// have finally decided to hold one, and for the kinds that are reviews in themselves.
pub fn may_hold_local_review(kind: &str, local_review_decided: bool) -> bool {
    match kind {
        "serious-case" => local_review_decided,
        "serious-case-review" | "local-learning" | "good-practice" | "near-miss" => true,
        // The Panel publishes its own national reviews.
        _ => false,
    }
}

/// Whether a case has a report the partnership publishes.
pub fn may_publish(kind: &str, local_review_decided: bool) -> bool {
    may_hold_local_review(kind, local_review_decided)
}

/// A report may be published on `on` only once the final report has been with the Panel and
/// the Secretary of State for the edition's working days.
pub fn publication_allowed(
    e: &Edition,
    final_sent: Option<NaiveDate>,
    on: NaiveDate,
    cal: &Calendar,
) -> Result<(), String> {
    let Some(sent) = final_sent else {
        return Err(
            "Record the day the final report went to the Panel and the Secretary of State first"
                .into(),
        );
    };
    let earliest = cal.add_working_days(sent, e.final_report_before);
    if on < earliest {
        return Err(format!(
            "The final report must be with the Panel and the Secretary of State {} working days before publication: publish on or after {}",
            e.final_report_before,
            earliest.format("%-d %B %Y")
        ));
    }
    Ok(())
}

/// What a review's learning was turned into.
pub const OUTPUT_KINDS: &[(&str, &str)] = &[
    ("briefing", "7-minute briefing"),
    ("training", "Training change"),
    ("procedure", "Procedure change"),
    ("other", "Other learning output"),
];

pub fn output_label(kind: &str) -> &'static str {
    OUTPUT_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("Learning output", |(_, l)| l)
}

/// Whether evidence (an audit, a survey, the scorecard) shows practice changed.
pub const PRACTICE: &[(&str, &str)] = &[
    ("not-yet", "Not yet shown"),
    ("shown", "Evidence shows practice changed"),
];

/// How far a recommendation has come round the learning loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Loop {
    /// No action raised from it yet.
    NoActions,
    /// Actions raised, some still open.
    ActionsOpen,
    /// Every action done, but no evidence yet that practice changed.
    ActionsDone,
    /// Every action done and evidence shows practice changed: the loop is closed.
    Closed,
}

impl Loop {
    /// In the order a recommendation goes round the loop.
    pub const ALL: [Loop; 4] = [
        Loop::NoActions,
        Loop::ActionsOpen,
        Loop::ActionsDone,
        Loop::Closed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Loop::NoActions => "No actions yet",
            Loop::ActionsOpen => "Actions open",
            Loop::ActionsDone => "Actions done; change not yet shown",
            Loop::Closed => "Loop closed",
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Loop::NoActions => "govuk-tag--red",
            Loop::ActionsOpen => "govuk-tag--yellow",
            Loop::ActionsDone => "govuk-tag--blue",
            Loop::Closed => "govuk-tag--green",
        }
    }
}

/// Where a recommendation stands: its actions (cancelled ones aside) and the evidence.
pub fn learning_loop(statuses: &[&str], practice: &str) -> Loop {
    let live: Vec<&&str> = statuses.iter().filter(|s| **s != "cancelled").collect();
    if live.is_empty() {
        Loop::NoActions
    } else if live.iter().any(|s| **s != "done") {
        Loop::ActionsOpen
    } else if practice == "shown" {
        Loop::Closed
    } else {
        Loop::ActionsDone
    }
}

/// What the yearly report needs of one case.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub dates: CaseDates,
    /// The rapid review's working days count from here (the edition's start point).
    pub rapid_from: Option<NaiveDate>,
    pub decision: String,
    /// The decision, once final.
    pub decided: Option<NaiveDate>,
    pub published: Option<NaiveDate>,
    pub due: Vec<Due>,
}

/// The figures for the yearly report over a period.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Figures {
    pub notifications: usize,
    pub notified_on_time: usize,
    pub rapid_reviews: usize,
    pub rapid_on_time: usize,
    /// Final decisions in the period, by outcome (the DECISIONS order).
    pub decisions: Vec<(&'static str, usize)>,
    pub local_commissioned: usize,
    pub local_published: usize,
    pub published_on_time: usize,
    /// The median working days of each step, where any was done in the period.
    pub medians: Vec<(&'static str, Option<f64>)>,
    pub recommendations: usize,
    pub recommendations_actions_done: usize,
}

impl Figures {
    /// A share as people read it: "3 of 4 (75%)".
    pub fn share(
        done: impl std::borrow::Borrow<usize>,
        of: impl std::borrow::Borrow<usize>,
    ) -> String {
        let (done, of) = (*done.borrow(), *of.borrow());
        match (done * 100 + of / 2).checked_div(of) {
            Some(percent) => format!("{done} of {of} ({percent}%)"),
            None => "none".into(),
        }
    }
}

fn median(mut v: Vec<i64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0
    })
}

/// The yearly report's figures for steps done from `from` to `to` inclusive; `recommendations`
/// are (the day each was recorded, where its loop stands).
pub fn figures(
    cases: &[Facts],
    recommendations: &[(NaiveDate, Loop)],
    from: NaiveDate,
    to: NaiveDate,
    cal: &Calendar,
) -> Figures {
    let within = |d: Option<NaiveDate>| d.is_some_and(|d| d >= from && d <= to);
    let on_time = |c: &Facts, step: &str| {
        c.due
            .iter()
            .find(|d| d.step == step)
            .and_then(Due::on_time)
            .unwrap_or(false)
    };
    let mut f = Figures::default();
    let (mut to_notify, mut rapid, mut to_publish) = (Vec::new(), Vec::new(), Vec::new());
    for c in cases {
        if within(c.dates.notified) {
            f.notifications += 1;
            f.notified_on_time += usize::from(on_time(c, NOTIFY));
            if let (Some(a), Some(n)) = (c.dates.aware, c.dates.notified) {
                to_notify.push(cal.working_days_between(a, n));
            }
        }
        if within(c.dates.rapid_done) {
            f.rapid_reviews += 1;
            f.rapid_on_time += usize::from(on_time(c, RAPID_REVIEW));
            if let (Some(s), Some(d)) = (c.rapid_from, c.dates.rapid_done) {
                rapid.push(cal.working_days_between(s, d));
            }
        }
        if within(c.decided) && c.decision == "local-review" {
            f.local_commissioned += 1;
        }
        if within(c.published) {
            f.local_published += 1;
            f.published_on_time += usize::from(on_time(c, PUBLISH));
            if let (Some(d), Some(p)) = (c.decided, c.published) {
                to_publish.push(cal.working_days_between(d, p));
            }
        }
    }
    f.decisions = DECISIONS
        .iter()
        .map(|(k, label)| {
            let n = cases
                .iter()
                .filter(|c| within(c.decided) && c.decision == *k)
                .count();
            (*label, n)
        })
        .collect();
    f.medians = vec![
        ("Awareness to notifying the Panel", median(to_notify)),
        ("The rapid review", median(rapid)),
        ("Decision to publication", median(to_publish)),
    ];
    let recs: Vec<&Loop> = recommendations
        .iter()
        .filter(|(d, _)| *d >= from && *d <= to)
        .map(|(_, l)| l)
        .collect();
    f.recommendations = recs.len();
    f.recommendations_actions_done = recs
        .iter()
        .filter(|l| matches!(l, Loop::ActionsDone | Loop::Closed))
        .count();
    f
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

/// Whether a kind of case must say if the child died or was seriously harmed, and if abuse or
/// neglect is known or suspected: the serious cases do; a near miss or good practice may not.
pub fn asks_harm(kind: &str) -> bool {
    matches!(
        kind,
        "serious-case" | "serious-case-review" | "local-learning"
    )
}

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
    crate::calendar::deadline::Deadline::of(due, done, None, today, cal)
        .rag(2)
        .as_str()
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

/// The statutory stages of a case, in the order they are done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseStage {
    Notification,
    Information,
    RapidReview,
    Decision,
    LocalReview,
    Publication,
    Learning,
}

impl CaseStage {
    pub const ALL: [CaseStage; 7] = [
        CaseStage::Notification,
        CaseStage::Information,
        CaseStage::RapidReview,
        CaseStage::Decision,
        CaseStage::LocalReview,
        CaseStage::Publication,
        CaseStage::Learning,
    ];

    pub fn name(self) -> &'static str {
        match self {
            CaseStage::Notification => "Notification and dates",
            CaseStage::Information => "Information from agencies",
            CaseStage::RapidReview => "Rapid review",
            CaseStage::Decision => "Decision",
            CaseStage::LocalReview => "Local review",
            CaseStage::Publication => "Publication",
            CaseStage::Learning => "Recommendations and learning",
        }
    }

    /// The stage's page under the case's address.
    pub fn path(self) -> &'static str {
        match self {
            CaseStage::Notification => "notification",
            CaseStage::Information => "information",
            CaseStage::RapidReview => "rapid",
            CaseStage::Decision => "decision",
            CaseStage::LocalReview => "local",
            CaseStage::Publication => "publication",
            CaseStage::Learning => "learning",
        }
    }
}

/// What is stored about a case, as its stages see it.
#[derive(Clone, Debug, Default)]
pub struct CaseProgress {
    pub kind: String,
    pub notified: bool,
    pub partners_told: bool,
    /// Each information request's due date, and the day it came back.
    pub requests: Vec<(NaiveDate, Option<NaiveDate>)>,
    /// Anything of the rapid review recorded: an answer, its meeting, its report.
    pub rapid_begun: bool,
    pub rapid_done: bool,
    pub proposed: bool,
    /// All three partners signed the decision.
    pub decided: bool,
    /// The final decision is to hold a local review.
    pub local_review: bool,
    /// Anything of the local review recorded: its reviewer, terms, method, a milestone.
    pub local_begun: bool,
    pub final_sent: bool,
    /// Published, or recorded as not to be published.
    pub concluded: bool,
    pub recommendations: usize,
    /// Recommendations whose learning loop is closed.
    pub closed: usize,
}

/// Where each stage of a case stands on `today`, from what is stored and the case's deadlines
/// (`dues`, from [`deadlines`]). A serious case's local review and publication wait for the
/// partners' final decision, and are not needed when it is not to hold one.
pub fn case_stages(
    c: &CaseProgress,
    dues: &[Due],
    today: NaiveDate,
    cal: &Calendar,
) -> Vec<(CaseStage, crate::web::task_list::Status)> {
    use crate::calendar::deadline::Deadline;
    use crate::web::task_list::Status;
    let due = |step: &str, done: bool| {
        dues.iter()
            .find(|d| d.step == step)
            .map(|d| Deadline::of(d.by, done || d.done_on.is_some(), d.done_on, today, cal))
    };
    // Of several deadlines, the one most overdue.
    let worst = |ds: Vec<Option<Deadline>>| {
        ds.into_iter().flatten().max_by_key(|d| match d {
            Deadline::Overdue { working_days } => *working_days,
            _ => -1,
        })
    };
    let local = may_hold_local_review(&c.kind, c.local_review);
    let waiting = if c.kind == "serious-case" && !c.decided {
        Status::CannotStartYet
    } else {
        Status::NotNeeded
    };
    CaseStage::ALL
        .into_iter()
        .map(|stage| {
            let s = match stage {
                CaseStage::Notification => {
                    let s = if c.notified && c.partners_told {
                        Status::Completed
                    } else {
                        Status::begun(c.notified || c.partners_told)
                    };
                    s.by(worst(vec![due(NOTIFY, false), due(TELL_PARTNERS, false)]))
                }
                CaseStage::Information => {
                    let back = c.requests.iter().filter(|r| r.1.is_some()).count();
                    let s = if c.requests.is_empty() {
                        Status::NotYetStarted
                    } else if back == c.requests.len() {
                        Status::Completed
                    } else {
                        Status::InProgress
                    };
                    s.by(worst(
                        c.requests
                            .iter()
                            .map(|(by, on)| Some(Deadline::of(*by, false, *on, today, cal)))
                            .collect(),
                    ))
                }
                CaseStage::RapidReview => {
                    let s = if c.rapid_done {
                        Status::Completed
                    } else {
                        Status::begun(c.rapid_begun)
                    };
                    s.by(due(RAPID_REVIEW, false))
                }
                // The decision is due with the rapid review: late by its day until all three
                // partners have signed it (its going to the Panel is a date recorded with it).
                CaseStage::Decision => {
                    let s = if c.decided {
                        Status::Completed
                    } else {
                        Status::begun(c.proposed)
                    };
                    let by = dues.iter().find(|d| d.step == RAPID_REVIEW);
                    s.by(by.map(|d| Deadline::of(d.by, c.decided, None, today, cal)))
                }
                CaseStage::LocalReview if !local => waiting,
                CaseStage::LocalReview => {
                    let s = if c.final_sent {
                        Status::Completed
                    } else {
                        Status::begun(c.local_begun)
                    };
                    s.by(due(FINAL_REPORT, false))
                }
                CaseStage::Publication if !local => waiting,
                CaseStage::Publication => {
                    let s = if c.concluded {
                        Status::Completed
                    } else {
                        Status::begun(c.final_sent)
                    };
                    s.by(due(PUBLISH, false))
                }
                CaseStage::Learning => {
                    if c.recommendations == 0 {
                        Status::NotYetStarted
                    } else if c.closed == c.recommendations {
                        Status::Completed
                    } else {
                        Status::InProgress
                    }
                }
            };
            (stage, s)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cases_steps_are_the_business_units_task_when_near_and_the_scrutineers_when_late() {
        let cal = Calendar::shipped();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        let rows = vec![
            Due {
                step: NOTIFY,
                by: day("2026-03-02"),
                done_on: Some(day("2026-03-01")),
            },
            Due {
                step: RAPID_REVIEW,
                by: day("2026-03-20"),
                done_on: None,
            },
            Due {
                step: "Decide on a local review",
                by: day("2026-03-05"),
                done_on: None,
            },
            Due {
                step: PUBLISH,
                by: day("2026-09-01"),
                done_on: None,
            },
        ];
        let today = day("2026-03-09");
        let steps = |who| {
            steps_to_do(&rows, who, today, &cal)
                .iter()
                .map(|d| d.step)
                .collect::<Vec<_>>()
        };
        // Done steps are nobody's; the partners' decision is theirs; publication is months off.
        assert_eq!(steps(Follows::BusinessUnit), vec![RAPID_REVIEW]);
        // The scrutineer sees only what is late, whoever owes it.
        assert_eq!(steps(Follows::Scrutineer), vec!["Decide on a local review"]);
    }

    #[test]
    fn a_cases_stages_follow_its_record_and_deadlines() {
        use crate::web::task_list::Status::*;
        let cal = Calendar::shipped();
        // Aware on Monday 12 September 2022: the Panel is to be told within five working days.
        let dues = vec![
            Due {
                step: NOTIFY,
                by: day("2022-09-19"),
                done_on: None,
            },
            Due {
                step: TELL_PARTNERS,
                by: day("2022-09-19"),
                done_on: None,
            },
        ];
        let fresh = CaseProgress {
            kind: "serious-case".into(),
            ..CaseProgress::default()
        };
        let at = |c: &CaseProgress, dues: &[Due], today: &str| -> Vec<_> {
            case_stages(c, dues, day(today), &cal)
                .into_iter()
                .map(|(_, s)| s)
                .collect()
        };
        let s = at(&fresh, &dues, "2022-09-14");
        assert_eq!(
            s,
            [
                NotYetStarted,
                NotYetStarted,
                NotYetStarted,
                NotYetStarted,
                CannotStartYet,
                CannotStartYet,
                NotYetStarted
            ]
        );
        // Past the day and still not notified: overdue.
        let s = at(&fresh, &dues, "2022-09-22");
        assert!(matches!(s[0], Overdue(_)), "{s:?}");
        // Notified and told; one agency has returned, one not yet, late.
        let notified = CaseProgress {
            notified: true,
            partners_told: true,
            requests: vec![
                (day("2022-09-20"), Some(day("2022-09-19"))),
                (day("2022-09-20"), None),
            ],
            rapid_begun: true,
            ..fresh.clone()
        };
        let told = [
            Due {
                done_on: Some(day("2022-09-16")),
                ..dues[0].clone()
            },
            Due {
                done_on: Some(day("2022-09-16")),
                ..dues[1].clone()
            },
            Due {
                step: RAPID_REVIEW,
                by: day("2022-10-07"),
                done_on: None,
            },
        ];
        let s = at(&notified, &told, "2022-09-22");
        assert_eq!(s[0], Completed);
        // Proposed, not yet signed by all three, past the rapid review's day: overdue; once
        // final, completed.
        let proposed = CaseProgress {
            proposed: true,
            ..notified.clone()
        };
        assert!(matches!(at(&proposed, &told, "2022-10-10")[3], Overdue(_)));
        let signed = CaseProgress {
            decided: true,
            ..proposed.clone()
        };
        assert_eq!(at(&signed, &told, "2022-10-10")[3], Completed);
        assert_eq!(s[1].label(), "Overdue by 2 working days");
        assert_eq!(s[2], InProgress);
        // Decided, with a local review: its stages open.
        let decided = CaseProgress {
            requests: vec![(day("2022-09-20"), Some(day("2022-09-21")))],
            rapid_done: true,
            proposed: true,
            decided: true,
            local_review: true,
            recommendations: 2,
            closed: 1,
            ..notified.clone()
        };
        let s = at(&decided, &told, "2022-10-05");
        assert_eq!(
            s,
            [
                Completed,
                Completed,
                Completed,
                Completed,
                NotYetStarted,
                NotYetStarted,
                InProgress
            ]
        );
        // Decided on no further review: no local review, nothing to publish.
        let no_review = CaseProgress {
            local_review: false,
            ..decided.clone()
        };
        let s = at(&no_review, &told, "2022-10-05");
        assert_eq!(s[4..6], [NotNeeded, NotNeeded]);
        // A local learning review is a review in itself.
        let learning = CaseProgress {
            kind: "local-learning".into(),
            ..fresh.clone()
        };
        assert_eq!(at(&learning, &[], "2022-10-05")[4], NotYetStarted);
    }

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
                step: NOTIFY,
                by: day("2022-09-20"),
                done_on: None,
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
                .find(|x| x.step == RAPID_REVIEW)
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
                .all(|x| x.step != RAPID_REVIEW)
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

    #[test]
    fn a_step_done_late_is_not_on_time() {
        let cal = Calendar::shipped();
        let e = shipped()[1].clone();
        let d = CaseDates {
            aware: Some(day("2025-03-03")),
            // Notified on the 5th working day: on time. Partners told a day late.
            notified: Some(day("2025-03-10")),
            partners_told: Some(day("2025-03-11")),
            ..CaseDates::default()
        };
        let due = deadlines(&e, &d, &cal);
        assert_eq!(due[0].on_time(), Some(true));
        assert_eq!(due[1].on_time(), Some(false));
        // The rapid review counts from the notification and is not done yet.
        assert_eq!(due[2].step, RAPID_REVIEW);
        assert_eq!(due[2].on_time(), None);
        assert_eq!(owes(RAPID_REVIEW), Owes::BusinessUnit);
    }

    #[test]
    fn publication_waits_for_the_final_report() {
        let cal = Calendar::shipped();
        let e = shipped()[1].clone();
        // Sent Tuesday 23 December 2025: seven working days on, over Christmas and New Year,
        // is Tuesday 6 January 2026.
        let sent = Some(day("2025-12-23"));
        assert!(publication_allowed(&e, None, day("2026-01-06"), &cal).is_err());
        let early = publication_allowed(&e, sent, day("2026-01-05"), &cal);
        assert!(
            early.as_ref().is_err_and(|m| m.contains("6 January 2026")),
            "{early:?}"
        );
        assert!(publication_allowed(&e, sent, day("2026-01-06"), &cal).is_ok());
        assert!(may_publish("serious-case", true));
        assert!(!may_publish("serious-case", false));
        assert!(may_publish("serious-case-review", false));
        assert!(!may_publish("national-review", true));
    }

    #[test]
    fn the_loop_closes_only_with_actions_done_and_practice_shown() {
        assert_eq!(learning_loop(&[], "shown"), Loop::NoActions);
        assert_eq!(learning_loop(&["cancelled"], ""), Loop::NoActions);
        assert_eq!(learning_loop(&["done", "open"], "shown"), Loop::ActionsOpen);
        assert_eq!(learning_loop(&["done", "cancelled"], ""), Loop::ActionsDone);
        assert_eq!(learning_loop(&["done"], "not-yet"), Loop::ActionsDone);
        assert_eq!(learning_loop(&["done", "done"], "shown"), Loop::Closed);
    }

    #[test]
    fn the_yearly_figures_count_what_was_done_in_the_period() {
        let cal = Calendar::shipped();
        let e = shipped()[1].clone();
        let facts = |aware: &str, notified: &str, done: &str, decision: &str, decided: &str| {
            let dates = CaseDates {
                aware: Some(day(aware)),
                notified: Some(day(notified)),
                rapid_done: Some(day(done)),
                decided: (decision == "local-review").then(|| day(decided)),
                ..CaseDates::default()
            };
            Facts {
                due: deadlines(&e, &dates, &cal),
                rapid_from: dates.notified,
                dates,
                decision: decision.into(),
                decided: Some(day(decided)),
                published: None,
            }
        };
        let cases = [
            // Notified in 4 working days; rapid review 15 (on time).
            facts(
                "2025-06-02",
                "2025-06-06",
                "2025-06-27",
                "local-review",
                "2025-07-01",
            ),
            // Notified in 7 (late); rapid review 16 (late).
            facts(
                "2025-06-02",
                "2025-06-11",
                "2025-07-03",
                "no-review",
                "2025-07-07",
            ),
            // Before the period.
            facts(
                "2024-01-08",
                "2024-01-10",
                "2024-01-31",
                "no-review",
                "2024-02-05",
            ),
        ];
        let recs = [
            (day("2025-08-01"), Loop::Closed),
            (day("2025-08-01"), Loop::ActionsOpen),
            (day("2025-09-01"), Loop::ActionsDone),
            (day("2024-08-01"), Loop::Closed),
        ];
        let f = figures(&cases, &recs, day("2025-04-01"), day("2026-03-31"), &cal);
        assert_eq!((f.notifications, f.notified_on_time), (2, 1));
        assert_eq!((f.rapid_reviews, f.rapid_on_time), (2, 1));
        assert_eq!(
            f.decisions[0],
            ("Hold a local child safeguarding practice review", 1)
        );
        assert_eq!(f.decisions[1].1, 1);
        assert_eq!(f.local_commissioned, 1);
        assert_eq!(
            f.medians[0],
            ("Awareness to notifying the Panel", Some(5.5))
        );
        assert_eq!(f.medians[1].1, Some(15.5));
        assert_eq!(f.medians[2].1, None);
        assert_eq!((f.recommendations, f.recommendations_actions_done), (3, 2));
        assert_eq!(Figures::share(1, 2), "1 of 2 (50%)");
        assert_eq!(Figures::share(0, 0), "none");
    }

    #[test]
    fn near_misses_and_good_practice_need_no_harm() {
        assert!(asks_harm("serious-case"));
        assert!(asks_harm("serious-case-review"));
        assert!(!asks_harm("near-miss"));
        assert!(!asks_harm("good-practice"));
    }
}
