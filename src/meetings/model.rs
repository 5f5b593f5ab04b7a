//! The rules of meetings as pure functions: a year's schedule from a body's frequency, the
//! deadlines around a meeting, and the notice an extraordinary meeting needs. All counting is
//! in working days (crate::calendar::working_days).

use chrono::{Datelike, Duration, Months, NaiveDate, Weekday};
use serde::Serialize;

use crate::calendar::working_days::Calendar;

pub const KINDS: &[&str] = &["ordinary", "extraordinary", "development"];

crate::states! {
    /// Whether a meeting is still to come, took place or was called off.
    pub enum MeetingStatus as "a meeting's status" {
        Scheduled = "scheduled",
        Held = "held",
        Cancelled = "cancelled",
    }
}

crate::states! {
    /// Minutes are drafted, circulated to the members, then approved at a later meeting.
    pub enum MinutesStatus as "the minutes' status" {
        Draft = "draft",
        Circulated = "circulated",
        Approved = "approved",
    }
}

pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "extraordinary" => "Extraordinary meeting",
        "development" => "Development day",
        _ => "Meeting",
    }
}

/// The partnership's working rules (deadlines, notice, the majority rule) live with the
/// partnership, since the tracker of actions reads them too.
pub use crate::partnerships::rules::Rules;

/// One deadline around a meeting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub what: &'static str,
    pub due: NaiveDate,
}

/// The deadlines of a meeting on `date`, in the order they fall.
pub fn deadlines(date: NaiveDate, rules: &Rules, cal: &Calendar) -> Vec<Deadline> {
    let before = |n: i64| cal.add_working_days(date, -n);
    let mut out = vec![
        Deadline {
            what: "Reports due",
            due: before(rules.reports_before),
        },
        Deadline {
            what: "Agenda items due",
            due: before(rules.agenda_items_before),
        },
        Deadline {
            what: "Amendments to reports due",
            due: before(rules.amendments_before),
        },
        Deadline {
            what: "Papers sent out",
            due: before(rules.papers_before),
        },
        Deadline {
            what: MINUTES_OUT,
            due: cal.add_working_days(date, rules.minutes_after),
        },
    ];
    out.sort_by_key(|d| d.due);
    out
}

/// How long before reports are due the business unit is asked to chase missing papers.
pub const CHASE_PAPERS_WORKING_DAYS: i64 = 5;

/// Whether the business unit should chase a meeting's missing papers today: from a few working
/// days before reports are due until the meeting, while it is still to be held.
pub fn chase_papers(
    meeting: NaiveDate,
    status: MeetingStatus,
    reports_due: NaiveDate,
    today: NaiveDate,
    cal: &Calendar,
) -> bool {
    status == MeetingStatus::Scheduled
        && today < meeting
        && cal.working_days_between(today, reports_due) <= CHASE_PAPERS_WORKING_DAYS
}

/// The step whose doing masa records: the draft minutes going out.
pub const MINUTES_OUT: &str = "Draft minutes sent out";

/// Where one of a meeting's steps stands on `today`. The draft minutes are done when they were
/// circulated (on that day, late if after the deadline); the steps before the meeting are done
/// once it is marked held, since it went ahead on what it had. A step past its day and not done
/// is overdue, never merely "passed".
pub fn step_state(
    step: &Deadline,
    status: MeetingStatus,
    minutes_circulated_on: Option<NaiveDate>,
    today: NaiveDate,
    cal: &Calendar,
) -> crate::calendar::deadline::Deadline {
    let (done, on) = if step.what == MINUTES_OUT {
        (minutes_circulated_on.is_some(), minutes_circulated_on)
    } else {
        (status == MeetingStatus::Held, None)
    };
    crate::calendar::deadline::Deadline::of(step.due, done, on, today, cal)
}

/// The stages of a meeting's cycle, in the order they are done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CycleStage {
    Agenda,
    Papers,
    Attendance,
    Decisions,
    MinutesCirculated,
    MinutesApproved,
}

impl CycleStage {
    pub const ALL: [CycleStage; 6] = [
        CycleStage::Agenda,
        CycleStage::Papers,
        CycleStage::Attendance,
        CycleStage::Decisions,
        CycleStage::MinutesCirculated,
        CycleStage::MinutesApproved,
    ];

    pub fn name(self) -> &'static str {
        match self {
            CycleStage::Agenda => "Agenda",
            CycleStage::Papers => "Papers",
            CycleStage::Attendance => "Attendance and quorum",
            CycleStage::Decisions => "Decisions",
            CycleStage::MinutesCirculated => "Minutes circulated",
            CycleStage::MinutesApproved => "Minutes approved",
        }
    }

    /// The stage's page under the meeting's address.
    pub fn path(self) -> &'static str {
        match self {
            CycleStage::Agenda => "agenda",
            CycleStage::Papers => "papers",
            CycleStage::Attendance => "attendance",
            CycleStage::Decisions => "decisions",
            CycleStage::MinutesCirculated => "minutes",
            CycleStage::MinutesApproved => "approval",
        }
    }

    /// The deadline (of [`deadlines`]) that says when the stage is late, if it has one.
    fn deadline(self) -> Option<&'static str> {
        match self {
            CycleStage::Agenda => Some("Agenda items due"),
            CycleStage::Papers => Some("Papers sent out"),
            CycleStage::MinutesCirculated => Some(MINUTES_OUT),
            _ => None,
        }
    }
}

/// What is stored about a meeting's cycle, counted: all its stages' statuses are worked out
/// from this.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cycle {
    pub items: usize,
    /// Papers received, over all its items.
    pub papers: usize,
    /// Those the meeting expects, and how many of them have their attendance recorded.
    pub expected: usize,
    pub recorded: usize,
    /// Items for decision, and how many of them have a decision recorded.
    pub for_decision: usize,
    pub decided: usize,
    /// Decisions recorded on any item.
    pub decisions: usize,
    /// Items with their minute written.
    pub minuted: usize,
}

/// Where each stage of a meeting's cycle stands on `today`, from what is stored. The stages
/// before the meeting are late by their deadlines (as [`step_state`] counts them); attendance
/// and minutes wait for the day of the meeting; the minutes are approved only once circulated.
pub fn cycle(
    c: &Cycle,
    (date, status): (NaiveDate, MeetingStatus),
    minutes: MinutesStatus,
    circulated_on: Option<NaiveDate>,
    (rules, today, cal): (&Rules, NaiveDate, &Calendar),
) -> Vec<(CycleStage, crate::web::task_list::Status)> {
    use crate::web::task_list::Status;
    let steps = deadlines(date, rules, cal);
    let state = |stage: CycleStage| {
        let what = stage.deadline()?;
        let step = steps.iter().find(|s| s.what == what)?;
        Some(step_state(step, status, circulated_on, today, cal))
    };
    let held = status == MeetingStatus::Held;
    // Its day has come: what happens at and after the meeting may be recorded.
    let begun = held || date <= today;
    CycleStage::ALL
        .into_iter()
        .map(|stage| {
            let s = if status == MeetingStatus::Cancelled {
                Status::NotNeeded
            } else {
                match stage {
                    // The agenda closes when its deadline passes with items on it, or when
                    // the meeting is held (it went ahead on what it had).
                    CycleStage::Agenda => {
                        let closed = state(stage).is_some_and(|d| d.overdue());
                        if held || (c.items > 0 && closed) {
                            Status::Completed
                        } else {
                            Status::begun(c.items > 0)
                        }
                    }
                    CycleStage::Papers => {
                        let sent = state(stage).is_some_and(|d| d.overdue());
                        if c.items == 0 && !held {
                            Status::CannotStartYet
                        } else if held || (c.papers > 0 && sent) {
                            Status::Completed
                        } else {
                            Status::begun(c.papers > 0)
                        }
                    }
                    CycleStage::Attendance => {
                        if c.expected > 0 && c.recorded >= c.expected {
                            Status::Completed
                        } else if !begun && c.recorded == 0 {
                            Status::CannotStartYet
                        } else {
                            Status::begun(c.recorded > 0)
                        }
                    }
                    CycleStage::Decisions => {
                        if c.recorded == 0 {
                            // The quorum is judged from who is recorded as there.
                            Status::CannotStartYet
                        } else if c.decisions > 0 && c.decided >= c.for_decision {
                            Status::Completed
                        } else {
                            Status::begun(c.decisions > 0)
                        }
                    }
                    CycleStage::MinutesCirculated => {
                        if minutes != MinutesStatus::Draft {
                            Status::Completed
                        } else if !begun && c.minuted == 0 {
                            Status::CannotStartYet
                        } else {
                            Status::begun(c.minuted > 0)
                        }
                    }
                    CycleStage::MinutesApproved => match minutes {
                        MinutesStatus::Draft => Status::CannotStartYet,
                        MinutesStatus::Circulated => Status::NotYetStarted,
                        MinutesStatus::Approved => Status::Completed,
                    },
                }
            };
            (stage, s.by(state(stage)))
        })
        .collect()
}

/// A meeting whose day has passed and that is still marked scheduled: the business unit is
/// asked to mark it held or cancelled.
pub fn to_be_marked(date: NaiveDate, status: MeetingStatus, today: NaiveDate) -> bool {
    status == MeetingStatus::Scheduled && date < today
}

/// A paper received after the day papers were due out is late: flagged, never refused.
pub fn paper_is_late(
    meeting: NaiveDate,
    received: NaiveDate,
    rules: &Rules,
    cal: &Calendar,
) -> bool {
    received > cal.add_working_days(meeting, -rules.papers_before)
}

/// Meetings a year for a frequency, unless the body states its own number.
pub fn per_year(frequency: &str, stated: Option<u32>) -> u32 {
    if let Some(n) = stated {
        return n;
    }
    match frequency {
        "monthly" => 12,
        "six-weekly" => 8,
        "bi-monthly" => 6,
        "quarterly" => 4,
        "twice-yearly" => 2,
        "annually" => 1,
        _ => 0,
    }
}

/// Which of its weekdays in the month a date is (the 2nd Tuesday: 2), or 5 for the last.
fn nth_of_month(d: NaiveDate) -> u8 {
    let n = (d.day() - 1) / 7 + 1;
    if (d + Duration::days(7)).month() != d.month() && n >= 4 {
        5
    } else {
        u8::try_from(n).unwrap_or(1)
    }
}

fn same_weekday_in(month_start: NaiveDate, weekday: Weekday, nth: u8) -> Option<NaiveDate> {
    if nth == 5 {
        let next = month_start.checked_add_months(Months::new(1))?;
        let mut d = next - Duration::days(1);
        while d.weekday() != weekday {
            d -= Duration::days(1);
        }
        Some(d)
    } else {
        NaiveDate::from_weekday_of_month_opt(month_start.year(), month_start.month(), weekday, nth)
    }
}

/// A year of meetings from the first: `count` meetings spread evenly over twelve months on the
/// same weekday of the month as the first (the second Tuesday, the last Thursday), or every six
/// weeks for a six-weekly body. A date on a bank holiday moves to the next working day.
pub fn schedule(first: NaiveDate, frequency: &str, count: u32, cal: &Calendar) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    if count == 0 {
        return out;
    }
    let working = |d: NaiveDate| {
        let mut d = d;
        while !cal.is_working_day(d) {
            d += Duration::days(1);
        }
        d
    };
    if frequency == "six-weekly" {
        for i in 0..count {
            out.push(working(first + Duration::weeks(6 * i64::from(i))));
        }
        return out;
    }
    let step = (12 / count.min(12)).max(1);
    let (weekday, nth) = (first.weekday(), nth_of_month(first));
    let Some(month_start) = first.with_day(1) else {
        return out;
    };
    for i in 0..count {
        let Some(m) = month_start.checked_add_months(Months::new(step * i)) else {
            break;
        };
        let d = if i == 0 {
            first
        } else {
            same_weekday_in(m, weekday, nth).unwrap_or(m)
        };
        out.push(working(d));
    }
    out
}

/// Whether an extraordinary meeting called on `notice_given` for `date` has the notice it needs.
pub fn notice_problem(
    notice_given: NaiveDate,
    date: NaiveDate,
    needed: i64,
    cal: &Calendar,
) -> Option<String> {
    let given = cal.working_days_between(notice_given, date);
    (given < needed).then(|| {
        format!(
            "An extraordinary meeting needs {needed} working days' notice; {} gives {given}. Choose a later date, or record it as urgent with the reason.",
            date.format("%-d %B %Y")
        )
    })
}

/// The financial year (April to March) a date falls in, by its first year: 2026 for 2026-27.
pub fn financial_year(d: NaiveDate) -> i32 {
    if d.month() >= 4 {
        d.year()
    } else {
        d.year() - 1
    }
}

crate::states! {
    /// Where a member stands at a meeting: not yet recorded, there, there by a deputy (who has
    /// the member's rights), sent apologies, or absent.
    pub enum Presence as "an attendance" {
        Expected = "expected",
        Present = "present",
        Deputy = "deputy",
        Apologies = "apologies",
        Absent = "absent",
    }
}

impl Presence {
    /// There in person or by their deputy: a deputy has the same rights as the member.
    pub fn there(self) -> bool {
        matches!(self, Presence::Present | Presence::Deputy)
    }
}

pub const PURPOSES: &[&str] = &["decision", "discussion", "information", "assurance"];
pub const PARTNER_ROLES: &[&str] = &["local-authority", "health", "police"];

/// Someone expected at a meeting, as the quorum and voting rules see them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attendee {
    pub name: String,
    pub status: Presence,
    pub voting: bool,
    /// The statutory partner their organisation is (`local-authority`, `health`, `police`),
    /// or [`ADDITIONAL_PARTNER`] for a partner the partnership chose; None for anyone else.
    pub partner_role: Option<String>,
    /// Their organisation's name, which tells the partners apart.
    pub organisation: String,
}

/// The partner role of an attendee whose organisation is one of the partnership's additional
/// partners (education, say), which "all partners present" counts beside the statutory three.
pub const ADDITIONAL_PARTNER: &str = "additional";

impl Attendee {
    /// There in person or by their deputy: a deputy has the same rights as the member.
    pub fn there(&self) -> bool {
        self.status.there()
    }
}

/// Whether a meeting can take decisions, with the reason.
#[derive(Clone, Debug, PartialEq)]
pub enum Quorate {
    Yes(String),
    No(String),
    /// The body states no quorum rule.
    NoRule,
}

impl Quorate {
    pub fn is_quorate(&self) -> bool {
        !matches!(self, Quorate::No(_))
    }
}

fn role_words(role: &str) -> &'static str {
    match role {
        "local-authority" => "the local authority",
        "health" => "health",
        _ => "the police",
    }
}

/// The statutory partners no one is there for, in words.
fn missing_statutory(there: &[&Attendee]) -> Vec<&'static str> {
    PARTNER_ROLES
        .iter()
        .filter(|r| !there.iter().any(|a| a.partner_role.as_deref() == Some(**r)))
        .map(|r| role_words(r))
        .collect()
}

/// Evaluate a body's stored quorum rule against who is there. Those in attendance rather
/// than members are not passed in: they never count.
pub fn quorum(rule: Option<&crate::arrangements::model::Quorum>, people: &[Attendee]) -> Quorate {
    use crate::arrangements::model::Quorum;
    let there: Vec<&Attendee> = people.iter().filter(|a| a.there()).collect();
    match rule {
        None => Quorate::NoRule,
        Some(Quorum::AllStatutoryPartners) => {
            let missing = missing_statutory(&there);
            if missing.is_empty() {
                Quorate::Yes("All three statutory partners are here".into())
            } else {
                Quorate::No(format!(
                    "Not quorate: no one is here for {}",
                    missing.join(" or ")
                ))
            }
        }
        Some(Quorum::AllPartners) => {
            let mut missing = missing_statutory(&there);
            let mut additional: Vec<&str> = people
                .iter()
                .filter(|a| a.partner_role.as_deref() == Some(ADDITIONAL_PARTNER))
                .map(|a| a.organisation.as_str())
                .collect();
            additional.sort();
            additional.dedup();
            missing.extend(
                additional
                    .iter()
                    .filter(|o| !there.iter().any(|a| a.organisation == **o))
                    .copied(),
            );
            if missing.is_empty() {
                Quorate::Yes(if additional.is_empty() {
                    "All three statutory partners are here".into()
                } else {
                    format!(
                        "All {} partners are here: the three statutory partners and {}",
                        additional.len() + 3,
                        additional.join(", ")
                    )
                })
            } else {
                Quorate::No(format!(
                    "Not quorate: no one is here for {}",
                    missing.join(" or ")
                ))
            }
        }
        Some(Quorum::Members { count }) => {
            let n = there.len();
            if n >= *count as usize {
                Quorate::Yes(format!("{n} members are here; {count} are needed"))
            } else {
                Quorate::No(format!(
                    "Not quorate: {n} members are here; {count} are needed"
                ))
            }
        }
        Some(Quorum::ShareOfVoting { share }) => {
            let voting = people.iter().filter(|a| a.voting).count();
            let here = there.iter().filter(|a| a.voting).count();
            let needed = (share * voting as f64).ceil() as usize;
            if here >= needed && voting > 0 {
                Quorate::Yes(format!(
                    "{here} of {voting} voting members are here; {needed} are needed"
                ))
            } else {
                Quorate::No(format!(
                    "Not quorate: {here} of {voting} voting members are here; {needed} are needed"
                ))
            }
        }
    }
}

/// A vote cast by someone at the meeting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cast {
    pub who: Attendee,
    /// `for`, `against` or `abstain`.
    pub vote: String,
}

/// What became of a decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Agreed by consent.
    Agreed,
    Carried,
    Lost,
    /// The majority did not include every statutory partner (or the vote was split): escalated
    /// to the lead representatives.
    Escalated(String),
    /// Made at an inquorate meeting: a recommendation, not a decision.
    Recommendation,
}

impl Outcome {
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::Agreed => "agreed",
            Outcome::Carried => "carried",
            Outcome::Lost => "lost",
            Outcome::Escalated(_) => "escalated",
            Outcome::Recommendation => "recommendation",
        }
    }
}

pub fn outcome_label(code: &str) -> &'static str {
    match code {
        "agreed" => "Agreed by consent",
        "carried" => "Carried",
        "lost" => "Lost",
        "escalated" => "Escalated to the lead representatives",
        "recommendation" => "Recommendation (the meeting was not quorate)",
        _ => "Recorded",
    }
}

/// The outcome of a decision by its method, the votes and the partnership's rule. An
/// inquorate meeting can only make a recommendation, and only when it is recorded as one.
pub fn decide(
    method: &str,
    casts: &[Cast],
    all_partners_rule: bool,
    quorate: bool,
    recommendation: bool,
) -> Result<Outcome, String> {
    if !quorate && !recommendation {
        return Err("The meeting is not quorate: it cannot make a decision. Record this as a recommendation instead.".into());
    }
    if recommendation {
        return Ok(Outcome::Recommendation);
    }
    match method {
        "consent" => Ok(Outcome::Agreed),
        "vote" => {
            if let Some(c) = casts.iter().find(|c| !c.who.voting) {
                return Err(format!(
                    "{} cannot vote: they are not a voting member",
                    c.who.name
                ));
            }
            if let Some(c) = casts.iter().find(|c| !c.who.there()) {
                return Err(format!(
                    "{} cannot vote: they are not recorded as here",
                    c.who.name
                ));
            }
            if casts.is_empty() {
                return Err("Record each voting member's vote".into());
            }
            let count = |v: &str| casts.iter().filter(|c| c.vote == v).count();
            let (yes, no) = (count("for"), count("against"));
            if yes == no {
                return Ok(if all_partners_rule {
                    Outcome::Escalated(format!("The vote was split, {yes} to {no}"))
                } else {
                    Outcome::Lost
                });
            }
            if yes < no {
                return Ok(Outcome::Lost);
            }
            if all_partners_rule {
                let outside: Vec<&str> = PARTNER_ROLES
                    .iter()
                    .filter(|r| {
                        let theirs: Vec<&Cast> = casts
                            .iter()
                            .filter(|c| c.who.partner_role.as_deref() == Some(**r))
                            .collect();
                        theirs.is_empty() || theirs.iter().any(|c| c.vote != "for")
                    })
                    .map(|r| role_words(r))
                    .collect();
                if !outside.is_empty() {
                    return Ok(Outcome::Escalated(format!(
                        "The majority did not include {}",
                        outside.join(" or ")
                    )));
                }
            }
            Ok(Outcome::Carried)
        }
        _ => Err("Say whether it was decided by consent or by a vote".into()),
    }
}

/// One person's attendance at one held meeting.
#[derive(Clone, Debug)]
pub struct Attended {
    pub date: NaiveDate,
    pub membership_key: String,
    pub name: String,
    pub organisation: String,
    pub status: Presence,
}

/// A member's (or an organisation's) attendance over a period against the body's expectation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AttendanceStat {
    pub name: String,
    pub organisation: String,
    pub expected: usize,
    pub attended: usize,
    pub by_deputy: usize,
    pub share: f64,
    /// Below the body's expected share, or fewer than its minimum meetings.
    pub below: bool,
    /// Missed each of the last three meetings they were expected at: for the chair to challenge.
    pub persistent: bool,
}

fn stat(
    name: String,
    organisation: String,
    rows: &[&Attended],
    expectation: Option<&crate::arrangements::model::Attendance>,
    per_person: bool,
) -> AttendanceStat {
    let expected = rows.len();
    let attended = rows.iter().filter(|r| r.status.there()).count();
    let by_deputy = rows.iter().filter(|r| r.status == Presence::Deputy).count();
    let share = if expected == 0 {
        0.0
    } else {
        attended as f64 / expected as f64
    };
    let below = expectation.is_some_and(|e| {
        let counted = if e.deputy_counts {
            attended
        } else {
            attended - by_deputy
        };
        let share = if expected == 0 {
            0.0
        } else {
            counted as f64 / expected as f64
        };
        share + 1e-9 < e.expected_share
            || e.minimum_meetings
                .is_some_and(|m| expected >= m as usize && counted < m as usize)
    });
    let mut dates: Vec<&&Attended> = rows.iter().collect();
    dates.sort_by_key(|r| r.date);
    let persistent =
        per_person && dates.len() >= 3 && dates.iter().rev().take(3).all(|r| !r.status.there());
    AttendanceStat {
        name,
        organisation,
        expected,
        attended,
        by_deputy,
        share,
        below,
        persistent,
    }
}

/// Attendance per member and per organisation over the held meetings given, against the
/// body's expectation (Portsmouth: 75%, at least four a year, a deputy counting).
pub fn attendance_stats(
    rows: &[Attended],
    expectation: Option<&crate::arrangements::model::Attendance>,
) -> (Vec<AttendanceStat>, Vec<AttendanceStat>) {
    let mut members: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.membership_key.clone(),
                r.name.clone(),
                r.organisation.clone(),
            )
        })
        .collect();
    members.sort();
    members.dedup_by(|a, b| a.0 == b.0);
    let people = members
        .into_iter()
        .map(|(key, name, org)| {
            let mine: Vec<&Attended> = rows.iter().filter(|r| r.membership_key == key).collect();
            stat(name, org, &mine, expectation, true)
        })
        .collect();
    let mut orgs: Vec<String> = rows.iter().map(|r| r.organisation.clone()).collect();
    orgs.sort();
    orgs.dedup();
    let organisations = orgs
        .into_iter()
        .map(|org| {
            // An organisation attended a meeting when any of its members (or their deputies) did.
            let mut by_meeting: Vec<Attended> = Vec::new();
            for r in rows.iter().filter(|r| r.organisation == org) {
                match by_meeting.iter_mut().find(|m| m.date == r.date) {
                    Some(m) => {
                        if r.status == Presence::Present
                            || (r.status == Presence::Deputy && m.status != Presence::Present)
                        {
                            m.status = r.status;
                        }
                    }
                    None => by_meeting.push(r.clone()),
                }
            }
            let refs: Vec<&Attended> = by_meeting.iter().collect();
            stat(org.clone(), org, &refs, expectation, false)
        })
        .collect();
    (people, organisations)
}

#[cfg(test)]
mod tests {

    #[test]
    fn missing_papers_are_chased_from_a_week_before_reports_are_due_until_the_meeting() {
        let cal = Calendar::shipped();
        // Reports due Monday 2 November for a meeting on Tuesday 17 November.
        let (meeting, reports) = (day("2026-11-17"), day("2026-11-02"));
        let chase = |today: &str, status| chase_papers(meeting, status, reports, day(today), &cal);
        assert!(
            !chase("2026-10-23", MeetingStatus::Scheduled),
            "six working days before"
        );
        assert!(
            chase("2026-10-26", MeetingStatus::Scheduled),
            "five working days before"
        );
        assert!(
            chase("2026-11-10", MeetingStatus::Scheduled),
            "reports late"
        );
        assert!(
            !chase("2026-11-17", MeetingStatus::Scheduled),
            "the day itself"
        );
        assert!(!chase("2026-11-10", MeetingStatus::Cancelled));
    }

    #[test]
    fn a_past_step_is_overdue_or_done_never_passed() {
        use crate::calendar::deadline::Deadline as D;
        let cal = Calendar::shipped();
        let (meeting, today) = (day("2026-11-10"), day("2026-12-01"));
        let steps = deadlines(meeting, &Rules::default(), &cal);
        let papers = steps
            .iter()
            .find(|s| s.what == "Papers sent out")
            .expect("papers");
        let minutes = steps
            .iter()
            .find(|s| s.what == MINUTES_OUT)
            .expect("minutes");
        let state = |s, status, circulated| step_state(s, status, circulated, today, &cal);
        assert!(state(papers, MeetingStatus::Scheduled, None).overdue());
        assert_eq!(state(papers, MeetingStatus::Held, None).countdown(), "Done");
        let late_minutes = state(minutes, MeetingStatus::Held, None);
        assert!(
            late_minutes.overdue(),
            "held, but the minutes have not gone"
        );
        assert!(late_minutes.countdown().starts_with("Overdue by"));
        let circulated = minutes.due;
        assert_eq!(
            state(minutes, MeetingStatus::Held, Some(circulated)),
            D::Done {
                on: Some(circulated),
                late: false
            }
        );
        assert!(to_be_marked(meeting, MeetingStatus::Scheduled, today));
        assert!(!to_be_marked(meeting, MeetingStatus::Held, today));
        assert!(
            !to_be_marked(today, MeetingStatus::Scheduled, today),
            "today is not past"
        );
    }

    use super::*;

    #[test]
    fn a_cycles_stages_follow_what_is_stored() {
        use crate::web::task_list::Status::*;
        let cal = Calendar::shipped();
        let rules = Rules::default();
        // A meeting on Tuesday 10 November 2026, looked at on Tuesday 3 November: the agenda
        // items were due on the 27th of October, the papers go out on the 3rd.
        let (meeting, today) = (day("2026-11-10"), day("2026-11-03"));
        let at = |c: &Cycle, status, minutes, circulated, today| -> Vec<_> {
            cycle(
                c,
                (meeting, status),
                minutes,
                circulated,
                (&rules, today, &cal),
            )
            .into_iter()
            .map(|(_, s)| s)
            .collect()
        };
        let empty = Cycle::default();
        let s = at(
            &empty,
            MeetingStatus::Scheduled,
            MinutesStatus::Draft,
            None,
            today,
        );
        assert!(
            matches!(s[0], Overdue(_)),
            "no agenda items by their day: {s:?}"
        );
        assert_eq!(
            s[1..],
            [
                CannotStartYet,
                CannotStartYet,
                CannotStartYet,
                CannotStartYet,
                CannotStartYet
            ]
        );
        // Items and papers in; the papers' day is today.
        let planned = Cycle {
            items: 3,
            papers: 1,
            expected: 8,
            for_decision: 2,
            ..Cycle::default()
        };
        let s = at(
            &planned,
            MeetingStatus::Scheduled,
            MinutesStatus::Draft,
            None,
            today,
        );
        assert_eq!(s[..3], [Completed, InProgress, CannotStartYet]);
        // The day of the meeting: attendance recorded for all, one of two decisions taken.
        let on_the_day = Cycle {
            recorded: 8,
            decisions: 1,
            decided: 1,
            minuted: 1,
            ..planned.clone()
        };
        let s = at(
            &on_the_day,
            MeetingStatus::Scheduled,
            MinutesStatus::Draft,
            None,
            meeting,
        );
        assert_eq!(
            s,
            [
                Completed,
                Completed,
                Completed,
                InProgress,
                InProgress,
                CannotStartYet
            ]
        );
        // Held; the minutes not circulated within their ten working days are overdue.
        let s = at(
            &on_the_day,
            MeetingStatus::Held,
            MinutesStatus::Draft,
            None,
            day("2026-12-01"),
        );
        assert!(matches!(s[4], Overdue(_)), "{s:?}");
        assert_eq!(s[4].label(), "Overdue by 5 working days");
        let decided = Cycle {
            decided: 2,
            decisions: 2,
            ..on_the_day.clone()
        };
        let circulated = Some(day("2026-11-20"));
        let s = at(
            &decided,
            MeetingStatus::Held,
            MinutesStatus::Circulated,
            circulated,
            day("2026-12-01"),
        );
        assert_eq!(s[3..], [Completed, Completed, NotYetStarted]);
        let s = at(
            &decided,
            MeetingStatus::Held,
            MinutesStatus::Approved,
            circulated,
            day("2026-12-01"),
        );
        assert!(s.iter().all(|x| *x == Completed), "{s:?}");
        // A cancelled meeting needs none of it.
        let s = at(
            &empty,
            MeetingStatus::Cancelled,
            MinutesStatus::Draft,
            None,
            today,
        );
        assert!(s.iter().all(|x| *x == NotNeeded), "{s:?}");
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn deadlines_count_working_days_across_the_state_funeral() {
        let cal = Calendar::shipped();
        let d = deadlines(day("2022-09-20"), &Rules::default(), &cal);
        let due = |what: &str| d.iter().find(|x| x.what == what).map(|x| x.due);
        // Papers one week (five working days) before Tuesday 20 September 2022: Monday 19 was
        // the Queen's state funeral, so they go out on Monday 12, not Tuesday 13.
        assert_eq!(due("Papers sent out"), Some(day("2022-09-12")));
        assert_eq!(due("Agenda items due"), Some(day("2022-09-05")));
        assert_eq!(
            due("Reports due"),
            Some(day("2022-08-26")),
            "across the August holiday"
        );
        assert_eq!(due("Draft minutes sent out"), Some(day("2022-10-04")));
        assert!(
            d.windows(2).all(|w| w[0].due <= w[1].due),
            "in the order they fall"
        );
    }

    #[test]
    fn a_quarterly_body_meets_on_the_same_weekday_of_the_month() {
        let cal = Calendar::shipped();
        // The second Tuesday of April 2026, then every three months.
        let s = schedule(day("2026-04-14"), "quarterly", 4, &cal);
        assert_eq!(
            s,
            [
                day("2026-04-14"),
                day("2026-07-14"),
                day("2026-10-13"),
                day("2027-01-12")
            ]
        );
        // The last Monday of the month: May 2026's is a bank holiday, so Tuesday.
        let s = schedule(day("2026-04-27"), "monthly", 12, &cal);
        assert_eq!(
            s[..3],
            [day("2026-04-27"), day("2026-05-26"), day("2026-06-29")]
        );
        assert_eq!(s.len(), 12);
        let s = schedule(day("2026-04-07"), "six-weekly", 3, &cal);
        assert_eq!(s, [day("2026-04-07"), day("2026-05-19"), day("2026-06-30")]);
        assert!(schedule(day("2026-04-07"), "as-required", 0, &cal).is_empty());
        assert_eq!(per_year("quarterly", None), 4);
        assert_eq!(per_year("quarterly", Some(5)), 5);
    }

    #[test]
    fn extraordinary_meetings_need_their_notice() {
        let cal = Calendar::shipped();
        // Ten working days from Monday 5 September 2022 is Tuesday 20 (the funeral on the 19th).
        assert!(notice_problem(day("2022-09-05"), day("2022-09-19"), 10, &cal).is_some());
        assert!(notice_problem(day("2022-09-05"), day("2022-09-20"), 10, &cal).is_none());
        let m = notice_problem(day("2022-09-12"), day("2022-09-16"), 10, &cal).unwrap_or_default();
        assert!(
            m.contains("needs 10 working days' notice; 16 September 2022 gives 4"),
            "{m}"
        );
    }

    fn person(name: &str, status: Presence, voting: bool, role: Option<&str>) -> Attendee {
        Attendee {
            name: name.into(),
            status,
            voting,
            partner_role: role.map(str::to_owned),
            organisation: name.into(),
        }
    }

    fn board() -> Vec<Attendee> {
        vec![
            person(
                "Director of Children's Services",
                Presence::Present,
                true,
                Some("local-authority"),
            ),
            person("ICB Chief Nurse", Presence::Deputy, true, Some("health")),
            person(
                "Chief Superintendent",
                Presence::Present,
                true,
                Some("police"),
            ),
            person("Headteacher", Presence::Present, true, None),
            person("Lead Member", Presence::Present, false, None),
            person("Probation", Presence::Apologies, true, None),
        ]
    }

    #[test]
    fn the_quorum_rule_counts_deputies_for_their_members() {
        use crate::arrangements::model::Quorum;
        let mut people = board();
        assert!(quorum(Some(&Quorum::AllStatutoryPartners), &people).is_quorate());
        people[2].status = Presence::Apologies;
        assert_eq!(
            quorum(Some(&Quorum::AllStatutoryPartners), &people),
            Quorate::No("Not quorate: no one is here for the police".into())
        );
        assert!(quorum(Some(&Quorum::Members { count: 4 }), &people).is_quorate());
        assert!(!quorum(Some(&Quorum::Members { count: 5 }), &people).is_quorate());
        // Five voting members, three here (the deputy counts): half needs three.
        assert!(quorum(Some(&Quorum::ShareOfVoting { share: 0.5 }), &people).is_quorate());
        assert!(!quorum(Some(&Quorum::ShareOfVoting { share: 0.75 }), &people).is_quorate());
        assert_eq!(quorum(None, &people), Quorate::NoRule);
    }

    #[test]
    fn all_partners_present_means_the_statutory_three_and_each_additional_partner() {
        use crate::arrangements::model::Quorum;
        let mut people = board();
        // The headteacher speaks for the schools, an additional partner.
        people[3].partner_role = Some(ADDITIONAL_PARTNER.into());
        people[3].organisation = "Schools' representative".into();
        assert_eq!(
            quorum(Some(&Quorum::AllPartners), &people),
            Quorate::Yes(
                "All 4 partners are here: the three statutory partners and Schools' representative"
                    .into()
            )
        );
        people[3].status = Presence::Apologies;
        assert_eq!(
            quorum(Some(&Quorum::AllPartners), &people),
            Quorate::No("Not quorate: no one is here for Schools' representative".into())
        );
        // The statutory rule does not ask for the additional partner.
        assert!(quorum(Some(&Quorum::AllStatutoryPartners), &people).is_quorate());
    }

    fn cast(p: &Attendee, vote: &str) -> Cast {
        Cast {
            who: p.clone(),
            vote: vote.into(),
        }
    }

    #[test]
    fn a_majority_stands_only_with_all_three_partners() {
        let p = board();
        let all_for = vec![
            cast(&p[0], "for"),
            cast(&p[1], "for"),
            cast(&p[2], "for"),
            cast(&p[3], "against"),
        ];
        assert_eq!(
            decide("vote", &all_for, true, true, false),
            Ok(Outcome::Carried)
        );
        let police_against = vec![
            cast(&p[0], "for"),
            cast(&p[1], "for"),
            cast(&p[2], "against"),
            cast(&p[3], "for"),
        ];
        assert_eq!(
            decide("vote", &police_against, true, true, false),
            Ok(Outcome::Escalated(
                "The majority did not include the police".into()
            ))
        );
        // Without Portsmouth's rule the same vote is carried.
        assert_eq!(
            decide("vote", &police_against, false, true, false),
            Ok(Outcome::Carried)
        );
        let split = vec![cast(&p[0], "for"), cast(&p[3], "against")];
        assert!(matches!(
            decide("vote", &split, true, true, false),
            Ok(Outcome::Escalated(_))
        ));
        assert_eq!(
            decide("vote", &split, false, true, false),
            Ok(Outcome::Lost)
        );
        let lost = vec![
            cast(&p[0], "against"),
            cast(&p[1], "against"),
            cast(&p[3], "for"),
        ];
        assert_eq!(decide("vote", &lost, true, true, false), Ok(Outcome::Lost));
    }

    #[test]
    fn only_voting_members_who_are_here_vote() {
        let p = board();
        let observer = vec![cast(&p[4], "for")];
        assert!(
            decide("vote", &observer, true, true, false)
                .expect_err("refused")
                .contains("Lead Member cannot vote")
        );
        let away = vec![cast(&p[5], "for")];
        assert!(
            decide("vote", &away, true, true, false)
                .expect_err("refused")
                .contains("not recorded as here")
        );
    }

    #[test]
    fn an_inquorate_meeting_only_recommends() {
        assert!(decide("consent", &[], true, false, false).is_err());
        assert_eq!(
            decide("consent", &[], true, false, true),
            Ok(Outcome::Recommendation)
        );
        assert_eq!(
            decide("consent", &[], true, true, false),
            Ok(Outcome::Agreed)
        );
    }

    #[test]
    fn attendance_is_measured_against_the_bodys_expectation() {
        let e = crate::arrangements::model::Attendance {
            expected_share: 0.75,
            minimum_meetings: Some(4),
            deputy_counts: true,
        };
        let mut rows = Vec::new();
        let dates = ["2022-04-12", "2022-07-12", "2022-10-11", "2023-01-10"];
        for (i, d) in dates.iter().enumerate() {
            let at = |key: &str, name: &str, org: &str, status: Presence| Attended {
                date: day(d),
                membership_key: key.into(),
                name: name.into(),
                organisation: org.into(),
                status,
            };
            rows.push(at(
                "dcs",
                "Director",
                "Council",
                if i == 1 {
                    Presence::Deputy
                } else {
                    Presence::Present
                },
            ));
            rows.push(at(
                "head",
                "Headteacher",
                "Schools",
                if i == 0 {
                    Presence::Present
                } else {
                    Presence::Apologies
                },
            ));
            rows.push(at(
                "dsl",
                "DSL lead",
                "Schools",
                if i < 3 {
                    Presence::Present
                } else {
                    Presence::Absent
                },
            ));
        }
        let (people, orgs) = attendance_stats(&rows, Some(&e));
        let find = |n: &str| people.iter().find(|p| p.name == n).cloned().expect(n);
        let dcs = find("Director");
        assert_eq!(
            (dcs.attended, dcs.by_deputy, dcs.below, dcs.persistent),
            (4, 1, false, false)
        );
        let head = find("Headteacher");
        assert_eq!(
            (head.attended, head.below, head.persistent),
            (1, true, true)
        );
        let dsl = find("DSL lead");
        assert_eq!(
            (dsl.attended, dsl.below),
            (3, true),
            "3 of 4 meets 75% but not the minimum of four"
        );
        // Schools were represented at three meetings by one member or the other, not the last.
        let schools = orgs.iter().find(|o| o.name == "Schools").expect("schools");
        assert_eq!(
            (schools.expected, schools.attended, schools.below),
            (4, 3, true)
        );
        let council = orgs.iter().find(|o| o.name == "Council").expect("council");
        assert_eq!((council.attended, council.below), (4, false));
    }

    #[test]
    fn financial_years_run_april_to_march() {
        assert_eq!(financial_year(day("2026-03-31")), 2025);
        assert_eq!(financial_year(day("2026-04-01")), 2026);
    }
}
