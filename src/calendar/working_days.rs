//! Working days: Monday to Friday less the bank holidays of England and Wales. Every deadline in
//! masa (papers, minutes, notice of meetings, serious case reviews) is counted here.
//!
//! The holidays come from the government's list (https://www.gov.uk/bank-holidays.json): masa
//! ships a copy (`data/bank-holidays.json`) and the host can load a newer one. For a year the
//! list does not cover, the standing rules give the holidays (without any one-off changes a
//! proclamation may yet make).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Deserialize;

/// The list shipped with masa: England and Wales, 2018 to 2027.
pub const SHIPPED: &str = include_str!("../../data/bank-holidays.json");

/// The division masa counts in.
pub const DIVISION: &str = "england-and-wales";

/// A bank holiday.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holiday {
    pub date: NaiveDate,
    pub title: String,
}

/// Easter Sunday (the Gregorian computus, Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

fn first_monday(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 1)
}

fn last_monday(year: i32, month: u32) -> Option<NaiveDate> {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let mut d = next - Duration::days(1);
    while d.weekday() != Weekday::Mon {
        d -= Duration::days(1);
    }
    Some(d)
}

fn weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The holidays the standing rules give for a year: New Year's Day, Good Friday, Easter Monday,
/// the first and last Mondays of May, the last Monday of August, Christmas Day and Boxing Day,
/// a holiday that falls at a weekend moving to the next weekday that is not already one.
pub fn by_the_rules(year: i32) -> Vec<Holiday> {
    let mut out = Vec::new();
    let mut push = |d: Option<NaiveDate>, title: &str| {
        if let Some(date) = d {
            out.push(Holiday {
                date,
                title: title.to_owned(),
            });
        }
    };
    let new_year = NaiveDate::from_ymd_opt(year, 1, 1);
    push(
        new_year.map(|d| match d.weekday() {
            Weekday::Sat => d + Duration::days(2),
            Weekday::Sun => d + Duration::days(1),
            _ => d,
        }),
        "New Year’s Day",
    );
    let easter = easter_sunday(year);
    push(easter.map(|d| d - Duration::days(2)), "Good Friday");
    push(easter.map(|d| d + Duration::days(1)), "Easter Monday");
    push(first_monday(year, 5), "Early May bank holiday");
    push(last_monday(year, 5), "Spring bank holiday");
    push(last_monday(year, 8), "Summer bank holiday");
    // Christmas and Boxing Day: one on a weekday keeps its day; one at a weekend takes the next
    // weekday not already a holiday (so with Christmas on a Sunday, Boxing Day stays Monday 26
    // and Christmas moves to Tuesday 27).
    if let (Some(christmas), Some(boxing)) = (
        NaiveDate::from_ymd_opt(year, 12, 25),
        NaiveDate::from_ymd_opt(year, 12, 26),
    ) {
        let both = [(christmas, "Christmas Day"), (boxing, "Boxing Day")];
        let mut taken: Vec<NaiveDate> = both
            .iter()
            .map(|(d, _)| *d)
            .filter(|d| !weekend(*d))
            .collect();
        for (day, title) in both {
            let mut d = day;
            if weekend(d) {
                while weekend(d) || taken.contains(&d) {
                    d += Duration::days(1);
                }
                taken.push(d);
            }
            push(Some(d), title);
        }
    }
    out.sort_by_key(|h| h.date);
    out
}

#[derive(Deserialize)]
struct GovUkDivision {
    division: String,
    events: Vec<GovUkEvent>,
}

#[derive(Deserialize)]
struct GovUkEvent {
    title: String,
    date: String,
}

/// Read the government's JSON list (or our copy of it): the England and Wales holidays, checked.
pub fn parse_gov_uk(bytes: &[u8]) -> Result<Vec<Holiday>, String> {
    if bytes.len() > 1024 * 1024 {
        return Err("The file is too large: the government's list is about 20 KB".into());
    }
    let text = std::str::from_utf8(bytes).map_err(|_| "The file is not UTF-8 text".to_owned())?;
    let all: BTreeMap<String, GovUkDivision> = serde_json::from_str(text).map_err(|e| {
        format!("This is not the government's bank holidays list (https://www.gov.uk/bank-holidays.json): {e}")
    })?;
    let ew = all
        .get(DIVISION)
        .ok_or_else(|| format!("The file has no \"{DIVISION}\" division"))?;
    if ew.division != DIVISION {
        return Err(format!("The \"{DIVISION}\" entry names another division"));
    }
    let mut out = Vec::new();
    for e in &ew.events {
        let date = NaiveDate::parse_from_str(&e.date, "%Y-%m-%d")
            .map_err(|_| format!("\"{}\" is not a date (expected YYYY-MM-DD)", e.date))?;
        let title = e.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(format!("The holiday on {} has no usable title", e.date));
        }
        if weekend(date) {
            return Err(format!(
                "{title} on {} falls at a weekend: a bank holiday is a weekday",
                e.date
            ));
        }
        if out.iter().any(|h: &Holiday| h.date == date) {
            return Err(format!("{} is listed twice", e.date));
        }
        out.push(Holiday {
            date,
            title: title.to_owned(),
        });
    }
    if out.is_empty() {
        return Err("The list has no holidays for England and Wales".into());
    }
    out.sort_by_key(|h| h.date);
    Ok(out)
}

/// The working-day calendar: a list of holidays for the years it covers, the rules beyond them.
#[derive(Clone, Debug, Default)]
pub struct Calendar {
    listed: BTreeMap<NaiveDate, String>,
    covered: BTreeSet<i32>,
}

impl Calendar {
    /// A calendar from lists, later lists replacing earlier ones for the years they cover.
    pub fn from_lists(lists: &[Vec<Holiday>]) -> Self {
        let mut c = Calendar::default();
        for list in lists {
            let years: BTreeSet<i32> = list.iter().map(|h| h.date.year()).collect();
            c.listed.retain(|d, _| !years.contains(&d.year()));
            for h in list {
                c.listed.insert(h.date, h.title.clone());
            }
            c.covered.extend(years);
        }
        c
    }

    /// The calendar masa ships with.
    pub fn shipped() -> Self {
        Calendar::from_lists(&[parse_gov_uk(SHIPPED.as_bytes()).unwrap_or_default()])
    }

    /// Years the list covers (beyond them, the rules).
    pub fn covered(&self) -> impl Iterator<Item = i32> + '_ {
        self.covered.iter().copied()
    }

    /// The holidays of a year, from the list when it covers the year, else by the rules.
    pub fn holidays(&self, year: i32) -> Vec<Holiday> {
        if self.covered.contains(&year) {
            self.listed
                .iter()
                .filter(|(d, _)| d.year() == year)
                .map(|(d, t)| Holiday {
                    date: *d,
                    title: t.clone(),
                })
                .collect()
        } else {
            by_the_rules(year)
        }
    }

    /// The bank holiday on a day, if it is one.
    pub fn holiday(&self, d: NaiveDate) -> Option<String> {
        if self.covered.contains(&d.year()) {
            self.listed.get(&d).cloned()
        } else {
            by_the_rules(d.year())
                .into_iter()
                .find(|h| h.date == d)
                .map(|h| h.title)
        }
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !weekend(d) && self.holiday(d).is_none()
    }

    /// The day `n` working days after `d` (before it when `n` is negative): the 5th working
    /// day after a Monday with no holidays is the next Monday. `d` itself is not counted.
    pub fn add_working_days(&self, d: NaiveDate, n: i64) -> NaiveDate {
        let step = if n < 0 { -1 } else { 1 };
        let mut left = n.abs();
        let mut day = d;
        while left > 0 {
            day += Duration::days(step);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days after `from` up to and including `to` (negative when `to` is earlier):
    /// the inverse of [`Calendar::add_working_days`] for working days.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        // Forward: the working days in (from, to]. Back: minus those in [to, from).
        if to >= from {
            self.working_days_in(from + Duration::days(1), to)
        } else {
            -self.working_days_in(to, from - Duration::days(1))
        }
    }

    /// Working days from `first` to `last`, both included: whole weeks by arithmetic, then the
    /// odd days, less the holidays that fall on weekdays. A case years old costs a few steps,
    /// not one per day.
    fn working_days_in(&self, first: NaiveDate, last: NaiveDate) -> i64 {
        if first > last {
            return 0;
        }
        let days = (last - first).num_days() + 1;
        let weeks = days / 7;
        let mut n = weeks * 5;
        let mut day = first + Duration::days(weeks * 7);
        while day <= last {
            if !weekend(day) {
                n += 1;
            }
            day += Duration::days(1);
        }
        for year in first.year()..=last.year() {
            let holidays = if self.covered.contains(&year) {
                self.listed
                    .range(first..=last)
                    .filter(|(d, _)| d.year() == year && !weekend(**d))
                    .count()
            } else {
                by_the_rules(year)
                    .iter()
                    .filter(|h| h.date >= first && h.date <= last && !weekend(h.date))
                    .count()
            };
            n -= holidays as i64;
        }
        n
    }

    /// The working day on or before `d` (papers due on a Sunday are due the Friday before).
    pub fn on_or_before(&self, d: NaiveDate) -> NaiveDate {
        let mut day = d;
        while !self.is_working_day(day) {
            day -= Duration::days(1);
        }
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    /// Every England and Wales bank holiday from 2019 to 2027, written out from the
    /// government's published list: the test of both the shipped copy and the rules.
    const EVERY_HOLIDAY: &[(i32, &[&str])] = &[
        (
            2019,
            &[
                "2019-01-01",
                "2019-04-19",
                "2019-04-22",
                "2019-05-06",
                "2019-05-27",
                "2019-08-26",
                "2019-12-25",
                "2019-12-26",
            ],
        ),
        (
            2020,
            &[
                "2020-01-01",
                "2020-04-10",
                "2020-04-13",
                "2020-05-08",
                "2020-05-25",
                "2020-08-31",
                "2020-12-25",
                "2020-12-28",
            ],
        ),
        (
            2021,
            &[
                "2021-01-01",
                "2021-04-02",
                "2021-04-05",
                "2021-05-03",
                "2021-05-31",
                "2021-08-30",
                "2021-12-27",
                "2021-12-28",
            ],
        ),
        (
            2022,
            &[
                "2022-01-03",
                "2022-04-15",
                "2022-04-18",
                "2022-05-02",
                "2022-06-02",
                "2022-06-03",
                "2022-08-29",
                "2022-09-19",
                "2022-12-26",
                "2022-12-27",
            ],
        ),
        (
            2023,
            &[
                "2023-01-02",
                "2023-04-07",
                "2023-04-10",
                "2023-05-01",
                "2023-05-08",
                "2023-05-29",
                "2023-08-28",
                "2023-12-25",
                "2023-12-26",
            ],
        ),
        (
            2024,
            &[
                "2024-01-01",
                "2024-03-29",
                "2024-04-01",
                "2024-05-06",
                "2024-05-27",
                "2024-08-26",
                "2024-12-25",
                "2024-12-26",
            ],
        ),
        (
            2025,
            &[
                "2025-01-01",
                "2025-04-18",
                "2025-04-21",
                "2025-05-05",
                "2025-05-26",
                "2025-08-25",
                "2025-12-25",
                "2025-12-26",
            ],
        ),
        (
            2026,
            &[
                "2026-01-01",
                "2026-04-03",
                "2026-04-06",
                "2026-05-04",
                "2026-05-25",
                "2026-08-31",
                "2026-12-25",
                "2026-12-28",
            ],
        ),
        (
            2027,
            &[
                "2027-01-01",
                "2027-03-26",
                "2027-03-29",
                "2027-05-03",
                "2027-05-31",
                "2027-08-30",
                "2027-12-27",
                "2027-12-28",
            ],
        ),
    ];

    /// The one-off changes by proclamation: what the rules alone would get wrong.
    const ONE_OFFS: &[(i32, &[&str], &[&str])] = &[
        // (year, added by proclamation, taken away by it)
        (2020, &["2020-05-08"], &["2020-05-04"]),
        (
            2022,
            &["2022-06-02", "2022-06-03", "2022-09-19"],
            &["2022-05-30"],
        ),
        (2023, &["2023-05-08"], &[]),
    ];

    fn dates(list: &[Holiday]) -> Vec<String> {
        list.iter().map(|h| h.date.to_string()).collect()
    }

    #[test]
    fn the_shipped_list_has_every_holiday_from_2019_to_2027() {
        let c = Calendar::shipped();
        for (year, want) in EVERY_HOLIDAY {
            assert_eq!(dates(&c.holidays(*year)), *want, "{year}");
        }
    }

    #[test]
    fn the_rules_give_every_holiday_but_the_proclaimed_changes() {
        for (year, want) in EVERY_HOLIDAY {
            let mut expected: Vec<String> = want.iter().map(|s| (*s).to_owned()).collect();
            if let Some((_, added, removed)) = ONE_OFFS.iter().find(|(y, _, _)| y == year) {
                expected.retain(|d| !added.contains(&d.as_str()));
                expected.extend(removed.iter().map(|s| (*s).to_owned()));
                expected.sort();
            }
            assert_eq!(dates(&by_the_rules(*year)), expected, "{year}");
        }
    }

    #[test]
    fn substitute_days_follow_the_weekend() {
        // Christmas on a Saturday: Monday 27 and Tuesday 28 (2021).
        let r = by_the_rules(2021);
        assert!(
            r.iter()
                .any(|h| h.date == day("2021-12-27") && h.title == "Christmas Day")
        );
        assert!(
            r.iter()
                .any(|h| h.date == day("2021-12-28") && h.title == "Boxing Day")
        );
        // Christmas on a Sunday: Boxing Day Monday 26, Christmas Tuesday 27 (2022).
        let r = by_the_rules(2022);
        assert!(
            r.iter()
                .any(|h| h.date == day("2022-12-26") && h.title == "Boxing Day")
        );
        assert!(
            r.iter()
                .any(|h| h.date == day("2022-12-27") && h.title == "Christmas Day")
        );
        // Boxing Day on a Saturday: Monday 28 (2020); New Year on a Saturday: Monday 3 (2022).
        assert!(
            by_the_rules(2020)
                .iter()
                .any(|h| h.date == day("2020-12-28"))
        );
        assert!(
            by_the_rules(2022)
                .iter()
                .any(|h| h.date == day("2022-01-03"))
        );
        // New Year on a Sunday: Monday 2 (2023).
        assert!(
            by_the_rules(2023)
                .iter()
                .any(|h| h.date == day("2023-01-02"))
        );
    }

    #[test]
    fn easter_is_right_for_a_century() {
        // A few known Easter Sundays, including the earliest and latest possible.
        for (y, d) in [
            (1818, "1818-03-22"),
            (1943, "1943-04-25"),
            (2000, "2000-04-23"),
            (2038, "2038-04-25"),
            (2285, "2285-03-22"),
            (2019, "2019-04-21"),
            (2024, "2024-03-31"),
        ] {
            assert_eq!(easter_sunday(y), Some(day(d)), "{y}");
        }
    }

    #[test]
    fn working_days_are_added_and_counted_across_holidays() {
        let c = Calendar::shipped();
        // Aware on Monday 12 September 2022: five working days on is Tuesday 20 September,
        // not Monday 19 (the Queen's state funeral).
        assert_eq!(c.add_working_days(day("2022-09-12"), 5), day("2022-09-20"));
        assert_eq!(
            c.working_days_between(day("2022-09-12"), day("2022-09-20")),
            5
        );
        // Papers one week (five working days) before a meeting on Tuesday 20 September 2022.
        assert_eq!(c.add_working_days(day("2022-09-20"), -5), day("2022-09-12"));
        // Ten working days' notice over Christmas 2022 (26 and 27 December are holidays).
        assert_eq!(c.add_working_days(day("2022-12-19"), 10), day("2023-01-05"));
        // Fifteen working days across Easter 2026 (3 and 6 April).
        assert_eq!(c.add_working_days(day("2026-03-30"), 15), day("2026-04-22"));
        // The coronation: Friday 5 May 2023 plus one is Tuesday 9 May.
        assert_eq!(c.add_working_days(day("2023-05-05"), 1), day("2023-05-09"));
        // Counting back over a weekend and a holiday, and none at all.
        assert_eq!(
            c.working_days_between(day("2023-05-09"), day("2023-05-05")),
            -1
        );
        assert_eq!(c.add_working_days(day("2023-05-06"), 0), day("2023-05-06"));
        assert_eq!(c.on_or_before(day("2022-09-19")), day("2022-09-16"));
    }

    #[test]
    fn adding_then_counting_agree_every_day_of_three_years() {
        let c = Calendar::shipped();
        let mut d = day("2021-01-01");
        while d < day("2024-01-01") {
            for n in [1, 5, 10, 15, -5, -10] {
                let to = c.add_working_days(d, n);
                assert!(
                    c.is_working_day(to),
                    "{d} + {n} = {to} is not a working day"
                );
                assert_eq!(c.working_days_between(d, to), n, "{d} {n}");
            }
            d += Duration::days(1);
        }
    }

    #[test]
    fn a_newer_list_replaces_the_years_it_covers() {
        let newer = parse_gov_uk(
            br#"{"england-and-wales":{"division":"england-and-wales","events":[
            {"title":"New Year's Day","date":"2028-01-03","notes":"Substitute day","bunting":true},
            {"title":"A one-off holiday","date":"2028-06-06","notes":"","bunting":true}]}}"#,
        )
        .expect("parses");
        let c = Calendar::from_lists(&[parse_gov_uk(SHIPPED.as_bytes()).expect("shipped"), newer]);
        assert_eq!(
            c.holiday(day("2028-06-06")).as_deref(),
            Some("A one-off holiday")
        );
        assert!(
            c.is_working_day(day("2028-04-14")),
            "2028 now comes from the list alone"
        );
        // Years the new list does not cover keep the shipped list; later years, the rules.
        assert!(!c.is_working_day(day("2022-09-19")));
        assert_eq!(
            c.holiday(day("2030-12-25")).as_deref(),
            Some("Christmas Day")
        );
    }

    #[test]
    fn a_bad_list_is_refused_with_a_reason() {
        for (bytes, why) in [
            (&b"not json"[..], "not the government"),
            (br#"{"scotland":{"division":"scotland","events":[]}}"#, "no \"england-and-wales\""),
            (br#"{"england-and-wales":{"division":"england-and-wales","events":[{"title":"X","date":"2022-02-30"}]}}"#, "not a date"),
            (br#"{"england-and-wales":{"division":"england-and-wales","events":[{"title":"X","date":"2022-09-17"}]}}"#, "weekend"),
            (br#"{"england-and-wales":{"division":"england-and-wales","events":[]}}"#, "no holidays"),
            (&[0xff, 0xfe, 0x00][..], "UTF-8"),
        ] {
            let e = parse_gov_uk(bytes).expect_err("refused");
            assert!(e.contains(why), "{e}");
        }
    }

    #[test]
    fn counting_working_days_agrees_with_walking_day_by_day() {
        let cal = Calendar::shipped();
        let walk = |from: NaiveDate, to: NaiveDate| {
            let (mut day, end, sign) = if to >= from {
                (from + Duration::days(1), to, 1)
            } else {
                (to, from - Duration::days(1), -1)
            };
            let mut n = 0;
            while day <= end {
                if cal.is_working_day(day) {
                    n += 1;
                }
                day += Duration::days(1);
            }
            n * sign
        };
        let start = NaiveDate::from_ymd_opt(2010, 1, 1).unwrap_or_default();
        // A deterministic spread of spans, from a day to eighteen years, both ways, across
        // listed years and years only the rules cover.
        let mut x: i64 = 7;
        for _ in 0..400 {
            x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
            let a = start + Duration::days(x % 7000);
            let b = a + Duration::days((x / 7000) % 6600 - 3300);
            assert_eq!(cal.working_days_between(a, b), walk(a, b), "{a} to {b}");
        }
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        assert_eq!(
            cal.working_days_between(d("2022-09-12"), d("2022-09-20")),
            5
        );
        assert_eq!(
            cal.working_days_between(d("2022-09-20"), d("2022-09-12")),
            -5
        );
    }
}
