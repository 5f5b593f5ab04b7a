//! What training tells people, through the outbox: a place booked (with an iCalendar
//! invitation), a place on the waiting list, a freed place taken, a booking cancelled (to the
//! learner, with the calendar's cancellation, and to the organiser).

use askama::Template;

use super::store::{Booking, Session};
use crate::mail::Mail;
use crate::state::AppState;
use crate::store::PartnershipId;
use crate::web::error::AppResult;

/// The session as a calendar event in UK time. Its identifier is the session's, so a calendar
/// replaces the event when it is sent again (moved, or cancelled).
pub fn invitation(s: &Session, host: &str, link: &str, cancelled: bool) -> String {
    use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike, EventStatus};
    let time = |t: &str| super::model::clock(t).unwrap_or_default();
    let tz = |t: chrono::NaiveDateTime| CalendarDateTime::WithTimezone {
        date_time: t,
        tzid: "Europe/London".into(),
    };
    let where_ = if s.venue.is_empty() {
        "Online"
    } else {
        s.venue.as_str()
    };
    let mut c = Calendar::new();
    c.append_property(icalendar::Property::new(
        "METHOD",
        if cancelled { "CANCEL" } else { "PUBLISH" },
    ));
    let mut e = Event::new();
    e.uid(&format!("training-session-{}@{host}", s.id))
        .sequence(u32::try_from(s.version).unwrap_or(0))
        .summary(&s.course_title)
        .location(where_)
        .url(link)
        .starts(tz(s.held_on.and_time(time(&s.start_time))))
        .ends(tz(s.held_on.and_time(time(&s.end_time))))
        .status(if cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        });
    c.push(e.done());
    c.done().to_string()
}

#[derive(Template)]
#[template(path = "mail/training-notice.txt")]
struct NoticeText<'a> {
    name: &'a str,
    said: &'a str,
    s: &'a Session,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/training-notice.html")]
struct NoticeHtml<'a> {
    name: &'a str,
    said: &'a str,
    s: &'a Session,
    link: &'a str,
}

/// What happened, as the notice says it.
pub enum Notice<'a> {
    Booked,
    Waiting,
    /// A place came free and is held for the first on the waiting list until then.
    Offered {
        until: chrono::DateTime<chrono::Utc>,
    },
    /// An offered place accepted: booked.
    Accepted,
    /// An offer not accepted in time passed to the next person waiting.
    Lapsed,
    /// The learner's booking was cancelled, by them or by the training officer (`by`).
    Cancelled {
        late: bool,
        by: Option<&'a str>,
    },
    /// The session's day, times or place changed.
    Moved,
    /// The partnership cancelled the session, for this reason.
    SessionCancelled {
        reason: &'a str,
    },
}

impl Notice<'_> {
    fn subject(&self, s: &Session) -> String {
        let c = &s.course_title;
        match self {
            Notice::Booked => format!("Booked: {c}"),
            Notice::Waiting => format!("On the waiting list: {c}"),
            Notice::Offered { .. } => format!("A place has come free: {c}"),
            Notice::Accepted => format!("Booked: {c}"),
            Notice::Lapsed => format!("The place offered has passed on: {c}"),
            Notice::Cancelled { .. } => format!("Cancelled: your place on {c}"),
            Notice::Moved => format!("Changed: {c}"),
            Notice::SessionCancelled { .. } => format!("Session cancelled: {c}"),
        }
    }

    fn said(&self) -> String {
        match self {
            Notice::Booked => "You are booked on this session. The invitation attached puts it in your calendar; if you can no longer go, cancel your place so that it passes to the next person waiting.".into(),
            Notice::Waiting => "The session is full, so you are on its waiting list. If a place comes free it is offered to the first person on the list, by email, and held for them for a time to accept it.".into(),
            Notice::Offered { until } => format!("A place has come free and you are first on the waiting list. It is held for you until {}: accept it on the session's page by then, or it passes to the next person waiting. If you no longer want it, decline it there so that it passes on at once.", crate::calendar::display_time(until)),
            Notice::Accepted => "You accepted the place offered: you are booked. The invitation attached puts the session in your calendar; if you can no longer go, cancel your place so that it passes to the next person waiting.".into(),
            Notice::Lapsed => "The place offered to you was not accepted in time, so it has passed to the next person waiting, and you are no longer on the waiting list. Book again if places come free.".into(),
            Notice::Moved => "The session has changed: its day, time or place are as below. The invitation attached updates your calendar. If you can no longer go, cancel your place so that it passes to the next person waiting.".into(),
            Notice::SessionCancelled { reason } => format!("The session is cancelled, so your booking is cancelled with it, without charge. The reason given: {reason}"),
            Notice::Cancelled { late, by } => {
                let who = by.map_or_else(|| "Your place is cancelled.".to_owned(), |b| format!("Your place was cancelled by {b}."));
                if *late {
                    format!("{who} It was cancelled inside the cut-off for cancelling without charge, so it may be charged as a place not attended.")
                } else {
                    who
                }
            }
        }
    }
}

/// Queue a notice to the learner of a booking, with the invitation where they hold a place.
pub async fn tell(
    st: &AppState,
    p: PartnershipId,
    b: &Booking,
    s: &Session,
    notice: Notice<'_>,
) -> AppResult<()> {
    let base = st.config.base_url.trim_end_matches('/');
    let link = format!("{base}/training/sessions/{}", s.id);
    let host = url::Url::parse(base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "masa".into());
    let said = notice.said();
    let mut mail = Mail::from_templates(
        &b.email,
        &notice.subject(s),
        &NoticeText {
            name: &b.name,
            said: &said,
            s,
            link: &link,
        },
        &NoticeHtml {
            name: &b.name,
            said: &said,
            s,
            link: &link,
        },
    )?;
    mail = match notice {
        Notice::Booked | Notice::Accepted | Notice::Moved => {
            mail.with_calendar(invitation(s, &host, &link, false))
        }
        Notice::Cancelled { .. } | Notice::SessionCancelled { .. } => {
            mail.with_calendar(invitation(s, &host, &link, true))
        }
        Notice::Waiting | Notice::Offered { .. } | Notice::Lapsed => mail,
    };
    st.mailer.queue(&st.db, Some(p), mail).await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "mail/training-cancelled.txt")]
struct OrganiserText<'a> {
    b: &'a Booking,
    s: &'a Session,
    late: bool,
    by: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/training-cancelled.html")]
struct OrganiserHtml<'a> {
    b: &'a Booking,
    s: &'a Session,
    late: bool,
    by: &'a str,
    link: &'a str,
}

/// Tell the organiser (the partnership's contact address, the business unit's mailbox) of a
/// cancellation, and who took the place.
pub async fn tell_organiser(
    st: &AppState,
    p: PartnershipId,
    b: &Booking,
    s: &Session,
    late: bool,
    by: &str,
) -> AppResult<()> {
    let Some(partnership) = crate::partnerships::store::by_id(&st.db, p).await? else {
        return Ok(());
    };
    if partnership.contact_email.trim().is_empty() {
        return Ok(());
    }
    let base = st.config.base_url.trim_end_matches('/');
    let link = format!("{base}/training/sessions/{}", s.id);
    let mail = Mail::from_templates(
        &partnership.contact_email,
        &format!("Training place cancelled: {}", s.course_title),
        &OrganiserText {
            b,
            s,
            late,
            by,
            link: &link,
        },
        &OrganiserHtml {
            b,
            s,
            late,
            by,
            link: &link,
        },
    )?;
    st.mailer.queue(&st.db, Some(p), mail).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::model::SessionStatus;

    fn session() -> Session {
        Session {
            id: 7,
            course_id: 1,
            course_title: "Neglect, core".into(),
            held_on: chrono::NaiveDate::from_ymd_opt(2027, 6, 10).expect("day"),
            start_time: "09:30".into(),
            end_time: "12:30".into(),
            venue: "Jan Cutting Healthy Living Centre".into(),
            online_link: String::new(),
            capacity: 20,
            opens_on: chrono::NaiveDate::from_ymd_opt(2027, 5, 1).expect("day"),
            closes_on: chrono::NaiveDate::from_ymd_opt(2027, 6, 8).expect("day"),
            cutoff_days: 5,
            status: SessionStatus::Open,
            booked: 0,
            waiting: 0,
            version: 3,
        }
    }

    #[test]
    fn training_the_invitation_is_the_session_in_uk_time() {
        let ics = invitation(
            &session(),
            "masa.example",
            "https://masa.example/training/sessions/7",
            false,
        );
        for line in [
            "METHOD:PUBLISH",
            "UID:training-session-7@masa.example",
            "SEQUENCE:3",
            "DTSTART;TZID=Europe/London:20270610T093000",
            "DTEND;TZID=Europe/London:20270610T123000",
            "STATUS:CONFIRMED",
        ] {
            assert!(ics.contains(line), "{line} in {ics}");
        }
        assert!(ics.contains("SUMMARY:Neglect\\, core"), "{ics}");
        let cancel = invitation(
            &session(),
            "masa.example",
            "https://masa.example/training/sessions/7",
            true,
        );
        assert!(cancel.contains("METHOD:CANCEL"), "{cancel}");
        assert!(cancel.contains("STATUS:CANCELLED"), "{cancel}");
    }
}
