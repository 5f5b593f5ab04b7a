//! The rules of meetings as pure functions: a year's schedule from a body's frequency, the
//! deadlines around a meeting, and the notice an extraordinary meeting needs. All counting is
//! in working days (crate::calendar::working_days).

use chrono::{Datelike, Duration, Months, NaiveDate, Weekday};
use serde::Serialize;

use crate::calendar::working_days::Calendar;

pub const KINDS: &[&str] = &["ordinary", "extraordinary", "development"];
pub const STATUSES: &[&str] = &["scheduled", "held", "cancelled"];

pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "extraordinary" => "Extraordinary meeting",
        "development" => "Development day",
        _ => "Meeting",
    }
}

/// A partnership's rules for its meetings, in working days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rules {
    /// Agenda items may be submitted up to this many working days before (Portsmouth: two weeks).
    pub agenda_items_before: i64,
    /// Reports are due this many working days before (three weeks).
    pub reports_before: i64,
    /// Amendments to reports are due this many working days before (one week).
    pub amendments_before: i64,
    /// Papers go out this many working days before (one week).
    pub papers_before: i64,
    /// Minutes go out within this many working days after (two weeks).
    pub minutes_after: i64,
    /// Disputes to the minutes within this many working days of their circulation (two weeks).
    pub disputes_after: i64,
    /// Notice an extraordinary meeting needs, unless urgent (ten working days).
    pub extraordinary_notice: i64,
}

impl Default for Rules {
    /// Portsmouth's rules of operation, typical of partnerships.
    fn default() -> Self {
        Rules {
            agenda_items_before: 10,
            reports_before: 15,
            amendments_before: 5,
            papers_before: 5,
            minutes_after: 10,
            disputes_after: 10,
            extraordinary_notice: 10,
        }
    }
}

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
            what: "Draft minutes sent out",
            due: cal.add_working_days(date, rules.minutes_after),
        },
    ];
    out.sort_by_key(|d| d.due);
    out
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn financial_years_run_april_to_march() {
        assert_eq!(financial_year(day("2026-03-31")), 2025);
        assert_eq!(financial_year(day("2026-04-01")), 2026);
    }
}
