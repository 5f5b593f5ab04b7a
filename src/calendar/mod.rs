//! Dates and times as people in England read them, and the working days every deadline is
//! counted in.

pub mod deadline;
pub mod pages;
pub mod store;
pub mod working_days;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};

/// The last Sunday of a month, at 01:00 UTC: when UK clocks change.
fn last_sunday_0100_utc(year: i32, month: u32) -> Option<DateTime<Utc>> {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let mut d = first_next - Duration::days(1);
    while d.weekday() != Weekday::Sun {
        d -= Duration::days(1);
    }
    Utc.from_local_datetime(&d.and_hms_opt(1, 0, 0)?).single()
}

/// UK local time: GMT in winter, BST (UTC+1) from 01:00 UTC on the last Sunday in March to
/// 01:00 UTC on the last Sunday in October.
/// Today as people in England count it (after midnight UK time, whatever the server's zone):
/// the one `today` every deadline and default date uses.
pub fn today() -> NaiveDate {
    uk_local(Utc::now()).date()
}

pub fn uk_local(t: DateTime<Utc>) -> chrono::NaiveDateTime {
    let y = t.year();
    let bst = match (last_sunday_0100_utc(y, 3), last_sunday_0100_utc(y, 10)) {
        (Some(start), Some(end)) => t >= start && t < end,
        _ => false,
    };
    let offset = if bst {
        Duration::hours(1)
    } else {
        Duration::zero()
    };
    (t + offset).naive_utc()
}

/// The moment a UK local time names (a session's start): BST or GMT as that day has it. In the
/// hour the clocks go back, the first of the two; in the hour they skip, an hour later.
pub fn from_uk_local(l: chrono::NaiveDateTime) -> DateTime<Utc> {
    let summer = Utc.from_utc_datetime(&(l - Duration::hours(1)));
    if uk_local(summer) == l {
        summer
    } else {
        Utc.from_utc_datetime(&l)
    }
}

/// "24 November 2026 at 14:02", as GOV.UK style writes dates and times.
pub fn display_time(t: impl std::borrow::Borrow<DateTime<Utc>>) -> String {
    let l = uk_local(*t.borrow());
    format!("{} at {}", l.format("%-d %B %Y"), l.format("%H:%M"))
}

/// "14:02" today, else the full date and time.
pub fn display_time_short(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let (l, n) = (uk_local(t), uk_local(now));
    if l.date() == n.date() {
        l.format("%H:%M").to_string()
    } else {
        display_time(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn a_uk_local_time_is_the_moment_it_names() {
        let l =
            |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("local");
        assert_eq!(
            from_uk_local(l("2026-07-01 09:30")),
            utc("2026-07-01T08:30:00Z")
        );
        assert_eq!(
            from_uk_local(l("2026-12-01 09:30")),
            utc("2026-12-01T09:30:00Z")
        );
        // The hour the clocks go back happens twice: the first (BST) is meant.
        assert_eq!(
            from_uk_local(l("2026-10-25 01:30")),
            utc("2026-10-25T00:30:00Z")
        );
        for t in [
            "2026-03-29T00:30:00Z",
            "2026-06-15T12:00:00Z",
            "2026-11-15T12:00:00Z",
        ] {
            assert_eq!(from_uk_local(uk_local(utc(t))), utc(t));
        }
    }

    #[test]
    fn british_summer_time_boundaries() {
        // 2026: BST from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(
            uk_local(utc("2026-03-29T00:59:59Z"))
                .format("%H:%M")
                .to_string(),
            "00:59"
        );
        assert_eq!(
            uk_local(utc("2026-03-29T01:00:00Z"))
                .format("%H:%M")
                .to_string(),
            "02:00"
        );
        assert_eq!(
            uk_local(utc("2026-10-25T00:59:00Z"))
                .format("%H:%M")
                .to_string(),
            "01:59"
        );
        assert_eq!(
            uk_local(utc("2026-10-25T01:00:00Z"))
                .format("%H:%M")
                .to_string(),
            "01:00"
        );
        assert_eq!(
            uk_local(utc("2026-07-01T13:02:00Z"))
                .format("%H:%M")
                .to_string(),
            "14:02"
        );
    }

    #[test]
    fn display_forms() {
        assert_eq!(
            display_time(utc("2026-11-24T14:02:00Z")),
            "24 November 2026 at 14:02"
        );
        let now = utc("2026-11-24T18:00:00Z");
        assert_eq!(
            display_time_short(utc("2026-11-24T14:02:00Z"), now),
            "14:02"
        );
        assert_eq!(
            display_time_short(utc("2026-11-23T14:02:00Z"), now),
            "23 November 2026 at 14:02"
        );
    }
}
