//! The rules of multi-agency training as pure functions: who gets a place, when booking is
//! open, and when a cancellation is late.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

use crate::calendar::working_days::Calendar;

crate::states! {
    /// How far into a subject a course goes.
    pub enum Level as "a course's level" {
        Introductory = "introductory",
        Core = "core",
        Advanced = "advanced",
    }
}

crate::states! {
    /// How a course is delivered.
    pub enum Delivery as "a course's delivery" {
        InPerson = "in-person",
        Online = "online",
        ELearning = "e-learning",
        Blended = "blended",
    }
}

crate::states! {
    /// Where a session stands, as the training officer sets it; "full" is worked out.
    pub enum SessionStatus as "a session's status" {
        Planned = "planned",
        Open = "open",
        Cancelled = "cancelled",
        Delivered = "delivered",
    }
}

crate::states! {
    /// A person's place on a session.
    pub enum BookingStatus as "a booking's status" {
        /// A place.
        Booked = "booked",
        /// On the waiting list: the first on it takes the next place freed.
        Waiting = "waiting",
        /// Cancelled in time, or a place on the waiting list given up.
        Cancelled = "cancelled",
        /// Cancelled inside the cut-off: charged as a place not attended, unless waived.
        CancelledLate = "cancelled-late",
        /// A place freed and offered to the first on the waiting list, held until the offer's
        /// time: accepted, it is booked; unanswered, it passes on.
        Offered = "offered",
        /// An offer not accepted in time: the place passed to the next person waiting.
        Lapsed = "offer-lapsed",
        /// On the register as there (a walk-in too).
        Attended = "attended",
        /// Held a place and did not come: charged as a place not attended, unless waived.
        DidNotAttend = "did-not-attend",
    }
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Introductory => "Introductory",
            Level::Core => "Core",
            Level::Advanced => "Advanced",
        }
    }
}

impl Delivery {
    pub fn label(self) -> &'static str {
        match self {
            Delivery::InPerson => "In person",
            Delivery::Online => "Online",
            Delivery::ELearning => "E-learning",
            Delivery::Blended => "Blended",
        }
    }
}

impl BookingStatus {
    /// Whether the booking still holds a place or a place on the list.
    pub fn active(self) -> bool {
        matches!(
            self,
            BookingStatus::Booked | BookingStatus::Waiting | BookingStatus::Offered
        )
    }

    /// Whether it takes one of the session's places (an offer holds its place until it lapses).
    pub fn holds_place(self) -> bool {
        matches!(self, BookingStatus::Booked | BookingStatus::Offered)
    }

    pub fn label(self) -> &'static str {
        match self {
            BookingStatus::Booked => "Booked",
            BookingStatus::Waiting => "On the waiting list",
            BookingStatus::Cancelled => "Cancelled",
            BookingStatus::CancelledLate => "Cancelled late",
            BookingStatus::Offered => "Place offered",
            BookingStatus::Lapsed => "Offer passed on",
            BookingStatus::Attended => "Attended",
            BookingStatus::DidNotAttend => "Did not attend",
        }
    }

    /// Whether the booking is on the register: a place held on the day.
    pub fn on_register(self) -> bool {
        matches!(
            self,
            BookingStatus::Booked | BookingStatus::Attended | BookingStatus::DidNotAttend
        )
    }
}

/// Longest title; longest description or list of outcomes.
pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 5000;
/// The most places a session may offer, and the longest cut-off.
pub const CAPACITY_MAX: u32 = 1000;
pub const CUTOFF_MAX: u32 = 30;

/// A new booking's place: a place while there is one, else the waiting list.
pub fn place(capacity: i64, booked: i64) -> BookingStatus {
    if booked < capacity {
        BookingStatus::Booked
    } else {
        BookingStatus::Waiting
    }
}

/// A session as people see it: the training officer's status, or full when it is open and
/// every place is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    Planned,
    Open,
    Full,
    Closed,
    Cancelled,
    Delivered,
}

impl Shown {
    pub fn of(status: SessionStatus, window: Window, capacity: i64, booked: i64) -> Shown {
        match status {
            SessionStatus::Planned => Shown::Planned,
            SessionStatus::Cancelled => Shown::Cancelled,
            SessionStatus::Delivered => Shown::Delivered,
            SessionStatus::Open if window != Window::Open => Shown::Closed,
            SessionStatus::Open if booked >= capacity => Shown::Full,
            SessionStatus::Open => Shown::Open,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Shown::Planned => "Planned",
            Shown::Open => "Open for booking",
            Shown::Full => "Full: waiting list",
            Shown::Closed => "Booking closed",
            Shown::Cancelled => "Cancelled",
            Shown::Delivered => "Delivered",
        }
    }

    /// The word the API gives it.
    pub fn as_str(self) -> &'static str {
        match self {
            Shown::Planned => "planned",
            Shown::Open => "open",
            Shown::Full => "full",
            Shown::Closed => "closed",
            Shown::Cancelled => "cancelled",
            Shown::Delivered => "delivered",
        }
    }

    /// The GOV.UK tag colour.
    pub fn tag(self) -> &'static str {
        match self {
            Shown::Planned => "govuk-tag--grey",
            Shown::Open => "govuk-tag--green",
            Shown::Full => "govuk-tag--yellow",
            Shown::Closed | Shown::Delivered => "govuk-tag--blue",
            Shown::Cancelled => "govuk-tag--red",
        }
    }

    /// Whether a place (or a place on the waiting list) may be taken.
    pub fn bookable(self) -> bool {
        matches!(self, Shown::Open | Shown::Full)
    }
}

/// Where today falls against a session's booking window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    NotYet,
    Open,
    Closed,
}

impl Window {
    /// Booking is open from `opens` to `closes`, both days included, and never after the day.
    pub fn of(opens: NaiveDate, closes: NaiveDate, held_on: NaiveDate, today: NaiveDate) -> Window {
        if today < opens {
            Window::NotYet
        } else if today > closes || today > held_on {
            Window::Closed
        } else {
            Window::Open
        }
    }
}

/// What cancelling a booking today makes of it: a place on the waiting list is given up
/// freely; a place is cancelled in time when at least `cutoff` working days remain before the
/// day (counted as the calendar counts them, today not included), and late otherwise.
pub fn cancellation(
    was: BookingStatus,
    held_on: NaiveDate,
    today: NaiveDate,
    cutoff: i64,
    cal: &Calendar,
) -> BookingStatus {
    if was == BookingStatus::Booked && cal.working_days_between(today, held_on) < cutoff {
        BookingStatus::CancelledLate
    } else {
        BookingStatus::Cancelled
    }
}

/// The last day a place can be cancelled without charge.
pub fn last_free_day(held_on: NaiveDate, cutoff: i64, cal: &Calendar) -> NaiveDate {
    cal.add_working_days(held_on, -cutoff)
}

/// A session's time as stored ("09:30", UK time).
pub fn clock(t: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(t, "%H:%M").ok()
}

/// How long a freed place is held for the first on the waiting list.
pub const OFFER_HOURS: i64 = 48;

/// Until when an offer made at `now` holds its place: two days, but ending two hours before the
/// session starts so that someone else can still take it; at least an hour, unless the session
/// starts sooner than that.
pub fn offer_until(now: DateTime<Utc>, starts: DateTime<Utc>) -> DateTime<Utc> {
    let until = (now + Duration::hours(OFFER_HOURS)).min(starts - Duration::hours(2));
    if until < now + Duration::hours(1) {
        (now + Duration::hours(1)).min(starts)
    } else {
        until
    }
}

/// Whether the register can be taken: on or after the day, for a session that was open.
pub fn register_open(status: SessionStatus, held_on: NaiveDate, today: NaiveDate) -> bool {
    matches!(status, SessionStatus::Open | SessionStatus::Delivered) && today >= held_on
}

/// A session's dates and times as typed, checked together.
pub struct SessionTimes {
    pub held_on: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

impl SessionTimes {
    /// Each problem against its field: the end after the start, booking opening no later than
    /// it closes, and closing no later than the day.
    pub fn problems(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        if self.end <= self.start {
            out.push(("end_time", "The end time must be after the start time"));
        }
        if self.opens_on > self.closes_on {
            out.push((
                "closes_on",
                "Booking must close on or after the day it opens",
            ));
        }
        if self.closes_on > self.held_on {
            out.push((
                "closes_on",
                "Booking must close on or before the day of the session",
            ));
        }
        out
    }

    /// The session's length in minutes (a training day is counted from them).
    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
    }

    #[test]
    fn training_a_place_while_there_is_one_then_the_waiting_list() {
        assert_eq!(place(2, 0), BookingStatus::Booked);
        assert_eq!(place(2, 1), BookingStatus::Booked);
        assert_eq!(place(2, 2), BookingStatus::Waiting);
        assert_eq!(place(2, 3), BookingStatus::Waiting);
    }

    #[test]
    fn training_cancelling_inside_the_cutoff_counts_working_days() {
        let cal = Calendar::shipped();
        // Thursday 10 December 2026, a cut-off of 3 working days: Monday 7th is the last
        // free day (Tue 8, Wed 9, Thu 10 remain).
        let held = d("2026-12-10");
        assert_eq!(last_free_day(held, 3, &cal), d("2026-12-07"));
        let on = |today: &str| cancellation(BookingStatus::Booked, held, d(today), 3, &cal);
        assert_eq!(on("2026-12-04"), BookingStatus::Cancelled);
        assert_eq!(on("2026-12-07"), BookingStatus::Cancelled);
        assert_eq!(on("2026-12-08"), BookingStatus::CancelledLate);
        // A weekend day counts none of itself: Saturday 5th has Mon, Tue, Wed, Thu ahead.
        assert_eq!(
            cancellation(BookingStatus::Booked, held, d("2026-12-05"), 4, &cal),
            BookingStatus::Cancelled
        );
        // Christmas: a session on Tuesday 29 December 2026 with a cut-off of 2; the 25th and the
        // 28th (Boxing Day's substitute) are holidays, so the last free day is Wednesday 23rd.
        let after_christmas = d("2026-12-29");
        assert_eq!(last_free_day(after_christmas, 2, &cal), d("2026-12-23"));
        assert_eq!(
            cancellation(
                BookingStatus::Booked,
                after_christmas,
                d("2026-12-24"),
                2,
                &cal
            ),
            BookingStatus::CancelledLate
        );
        // Leaving the waiting list is never late.
        assert_eq!(
            cancellation(BookingStatus::Waiting, held, d("2026-12-10"), 3, &cal),
            BookingStatus::Cancelled
        );
    }

    #[test]
    fn training_a_session_shows_full_closed_or_open() {
        let (opens, closes, held) = (d("2026-11-01"), d("2026-12-01"), d("2026-12-10"));
        let w = |today: &str| Window::of(opens, closes, held, d(today));
        assert_eq!(w("2026-10-31"), Window::NotYet);
        assert_eq!(w("2026-11-01"), Window::Open);
        assert_eq!(w("2026-12-01"), Window::Open);
        assert_eq!(w("2026-12-02"), Window::Closed);
        let open = Window::Open;
        assert_eq!(Shown::of(SessionStatus::Open, open, 10, 9), Shown::Open);
        assert_eq!(Shown::of(SessionStatus::Open, open, 10, 10), Shown::Full);
        assert!(Shown::Full.bookable());
        assert_eq!(
            Shown::of(SessionStatus::Open, Window::Closed, 10, 0),
            Shown::Closed
        );
        assert!(!Shown::Closed.bookable());
        assert_eq!(
            Shown::of(SessionStatus::Cancelled, open, 10, 0),
            Shown::Cancelled
        );
        assert_eq!(
            Shown::of(SessionStatus::Planned, open, 10, 0),
            Shown::Planned
        );
    }

    #[test]
    fn training_an_offer_holds_the_place_for_two_days_or_until_just_before() {
        let t = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .expect("a time")
                .with_timezone(&Utc)
        };
        let now = t("2026-12-01T10:00:00Z");
        // A week ahead: two days.
        assert_eq!(
            offer_until(now, t("2026-12-08T09:30:00Z")),
            t("2026-12-03T10:00:00Z")
        );
        // Tomorrow morning: until two hours before it starts.
        assert_eq!(
            offer_until(now, t("2026-12-02T09:30:00Z")),
            t("2026-12-02T07:30:00Z")
        );
        // In ninety minutes: an hour; in thirty: until it starts.
        assert_eq!(
            offer_until(now, t("2026-12-01T11:30:00Z")),
            t("2026-12-01T11:00:00Z")
        );
        assert_eq!(
            offer_until(now, t("2026-12-01T10:30:00Z")),
            t("2026-12-01T10:30:00Z")
        );
        assert!(BookingStatus::Offered.holds_place());
        assert!(BookingStatus::Offered.active());
        assert!(!BookingStatus::Offered.on_register());
        assert!(!BookingStatus::Lapsed.active());
    }

    #[test]
    fn training_the_register_is_taken_on_or_after_the_day() {
        let day = d("2026-12-10");
        assert!(!register_open(SessionStatus::Open, day, d("2026-12-09")));
        assert!(register_open(SessionStatus::Open, day, day));
        assert!(register_open(
            SessionStatus::Delivered,
            day,
            d("2027-01-09")
        ));
        assert!(!register_open(SessionStatus::Cancelled, day, day));
        assert!(!register_open(SessionStatus::Planned, day, day));
        assert!(BookingStatus::DidNotAttend.on_register());
        assert!(!BookingStatus::CancelledLate.on_register());
        assert!(!BookingStatus::Waiting.on_register());
    }

    #[test]
    fn training_session_times_are_checked_together() {
        let t = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").expect("a time");
        let good = SessionTimes {
            held_on: d("2026-12-10"),
            start: t("09:30"),
            end: t("12:30"),
            opens_on: d("2026-11-01"),
            closes_on: d("2026-12-08"),
        };
        assert!(good.problems().is_empty());
        assert_eq!(good.minutes(), 180);
        let bad = SessionTimes {
            end: t("09:00"),
            closes_on: d("2026-12-11"),
            ..good
        };
        let fields: Vec<_> = bad.problems().iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["end_time", "closes_on"]);
    }
}
