//! The training figures for the yearly report over any period, as the seeds report them (the
//! Plymouth annual report: days of training, practitioners, places, evaluations): worked out
//! here from the sessions held in the period and their bookings, as a pure function.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{BookingStatus, SessionStatus};

/// Minutes in a training day: a session's length over this is its share of a day.
pub const DAY_MINUTES: i64 = 360;

/// A session held in the period, as the figures need it.
#[derive(Clone, Debug)]
pub struct Held {
    pub id: i64,
    pub course: String,
    pub minutes: i64,
    pub capacity: i64,
    pub status: SessionStatus,
}

/// A booking on one of those sessions.
#[derive(Clone, Debug)]
pub struct Place {
    pub session_id: i64,
    pub user_id: i64,
    pub organisation: String,
    pub status: BookingStatus,
    pub walk_in: bool,
}

/// One organisation's or one course's line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Line {
    pub sessions: i64,
    pub capacity: i64,
    /// Places held on the day (walk-ins are not booked places).
    pub booked: i64,
    pub attended: i64,
    pub did_not_attend: i64,
    pub practitioners: i64,
}

impl Line {
    /// Attendance against the places offered, to one decimal place of a percent.
    pub fn attendance_share(&self) -> Option<f64> {
        share(self.attended, self.capacity)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    /// Sessions delivered (their register taken).
    pub sessions: i64,
    /// Days of training delivered: the sessions' minutes over [`DAY_MINUTES`], to a tenth.
    pub training_days: f64,
    pub places_offered: i64,
    /// Places held on the day: attended or not (walk-ins are not booked places).
    pub places_booked: i64,
    /// Attended, walk-ins included.
    pub attended: i64,
    pub did_not_attend: i64,
    pub cancelled: i64,
    pub cancelled_late: i64,
    pub walk_ins: i64,
    /// Different people who attended at least once.
    pub practitioners: i64,
    pub by_organisation: BTreeMap<String, Line>,
    pub by_course: BTreeMap<String, Line>,
    /// Sessions cancelled by the partnership in the period.
    pub sessions_cancelled: i64,
}

impl Figures {
    /// Places held on the day and not attended, as a share of them.
    pub fn did_not_attend_share(&self) -> Option<f64> {
        share(self.did_not_attend, self.places_booked)
    }
}

/// `part` of `whole` as a percentage to one decimal place; none of nothing.
pub fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// The figures of the sessions held in a period and their bookings. Only delivered sessions
/// count towards days, places and attendance; a cancelled session counts only as cancelled.
pub fn figures(held: &[Held], places: &[Place]) -> Figures {
    let mut f = Figures::default();
    let mut minutes = 0;
    let delivered: BTreeMap<i64, &Held> = held
        .iter()
        .filter(|h| h.status == SessionStatus::Delivered)
        .map(|h| (h.id, h))
        .collect();
    f.sessions_cancelled = held
        .iter()
        .filter(|h| h.status == SessionStatus::Cancelled)
        .count() as i64;
    for h in delivered.values() {
        f.sessions += 1;
        minutes += h.minutes;
        f.places_offered += h.capacity;
        let c = f.by_course.entry(h.course.clone()).or_default();
        c.sessions += 1;
        c.capacity += h.capacity;
    }
    f.training_days = (minutes as f64 * 10.0 / DAY_MINUTES as f64).round() / 10.0;
    let mut people = BTreeSet::new();
    let mut people_of: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
    let mut people_on: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
    for p in places {
        let Some(h) = delivered.get(&p.session_id) else {
            continue;
        };
        let org = if p.organisation.trim().is_empty() {
            "Not given"
        } else {
            p.organisation.as_str()
        };
        let o = f.by_organisation.entry(org.to_owned()).or_default();
        let c = f.by_course.entry(h.course.clone()).or_default();
        match p.status {
            BookingStatus::Attended => {
                f.attended += 1;
                o.attended += 1;
                c.attended += 1;
                if p.walk_in {
                    f.walk_ins += 1;
                } else {
                    f.places_booked += 1;
                    o.booked += 1;
                    c.booked += 1;
                }
                people.insert(p.user_id);
                people_of.entry(org).or_default().insert(p.user_id);
                people_on
                    .entry(h.course.as_str())
                    .or_default()
                    .insert(p.user_id);
            }
            BookingStatus::DidNotAttend => {
                f.did_not_attend += 1;
                f.places_booked += 1;
                o.booked += 1;
                c.booked += 1;
                o.did_not_attend += 1;
                c.did_not_attend += 1;
            }
            BookingStatus::Cancelled => f.cancelled += 1,
            BookingStatus::CancelledLate => {
                f.cancelled += 1;
                f.cancelled_late += 1;
            }
            BookingStatus::Booked
            | BookingStatus::Waiting
            | BookingStatus::Offered
            | BookingStatus::Lapsed => {}
        }
    }
    f.practitioners = people.len() as i64;
    for (org, ids) in people_of {
        if let Some(o) = f.by_organisation.get_mut(org) {
            o.practitioners = ids.len() as i64;
        }
    }
    for (course, ids) in people_on {
        if let Some(c) = f.by_course.get_mut(course) {
            c.practitioners = ids.len() as i64;
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(id: i64, course: &str, minutes: i64, capacity: i64, status: SessionStatus) -> Held {
        Held {
            id,
            course: course.into(),
            minutes,
            capacity,
            status,
        }
    }

    fn place(session_id: i64, user_id: i64, org: &str, status: BookingStatus) -> Place {
        Place {
            session_id,
            user_id,
            organisation: org.into(),
            status,
            walk_in: false,
        }
    }

    #[test]
    fn training_figures_of_a_constructed_programme() {
        use BookingStatus::*;
        let held = [
            held(1, "Neglect", 360, 10, SessionStatus::Delivered),
            held(2, "Neglect", 180, 10, SessionStatus::Delivered),
            held(3, "Exploitation", 180, 20, SessionStatus::Delivered),
            held(4, "Exploitation", 180, 20, SessionStatus::Cancelled),
            held(5, "Neglect", 180, 10, SessionStatus::Open),
        ];
        let mut places = vec![
            place(1, 10, "Police", Attended),
            place(1, 11, "Police", Attended),
            place(1, 12, "Health", DidNotAttend),
            place(1, 13, "Health", CancelledLate),
            place(1, 14, "", Cancelled),
            place(2, 10, "Police", Attended),
            place(2, 12, "Health", Attended),
            place(3, 15, "School", DidNotAttend),
            // Cancelled with its session, and booked on one not yet held: neither counts.
            place(4, 10, "Police", Cancelled),
            place(5, 10, "Police", Booked),
        ];
        places.push(Place {
            walk_in: true,
            ..place(3, 16, "School", Attended)
        });
        let f = figures(&held, &places);
        assert_eq!(f.sessions, 3);
        // 720 minutes: two days.
        assert_eq!(f.training_days, 2.0);
        assert_eq!(f.places_offered, 40);
        assert_eq!(f.places_booked, 6);
        assert_eq!(f.attended, 5);
        assert_eq!(f.walk_ins, 1);
        assert_eq!(f.did_not_attend, 2);
        assert_eq!(f.did_not_attend_share(), Some(33.3));
        assert_eq!(f.cancelled, 2);
        assert_eq!(f.cancelled_late, 1);
        assert_eq!(f.sessions_cancelled, 1);
        // People 10, 11, 12 and 16.
        assert_eq!(f.practitioners, 4);
        let police = &f.by_organisation["Police"];
        assert_eq!((police.attended, police.practitioners), (3, 2));
        assert_eq!(f.by_organisation["Health"].did_not_attend, 1);
        let neglect = &f.by_course["Neglect"];
        assert_eq!(
            (neglect.sessions, neglect.capacity, neglect.attended),
            (2, 20, 4)
        );
        assert_eq!(neglect.attendance_share(), Some(20.0));
        assert_eq!(neglect.booked, 5);
        // The walk-in attended but held no booked place.
        let school = &f.by_organisation["School"];
        assert_eq!(
            (school.booked, school.attended, school.did_not_attend),
            (1, 1, 1)
        );
        assert_eq!(f.by_course["Exploitation"].sessions, 1);
        assert_eq!(figures(&[], &[]), Figures::default());
        assert_eq!(share(1, 3), Some(33.3));
        assert_eq!(share(1, 0), None);
    }
}
