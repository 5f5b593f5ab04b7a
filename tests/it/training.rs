//! Multi-agency training: courses and sessions kept by the business unit, places taken by
//! practitioners, the waiting list taking a freed place, and the cut-off in working days.

use axum::http::StatusCode;

use crate::both_engines;
use crate::support::{Client, TestApp, today};

const BU: &str = "business.unit@plymouth.example";
const PRACTITIONER: &str = "practitioner@plymouth.example";
const MEMBER: &str = "member@plymouth.example";
const SCRUTINEER: &str = "scrutineer@plymouth.example";

fn date_fields(name: &str, d: chrono::NaiveDate) -> Vec<(String, String)> {
    use chrono::Datelike;
    vec![
        (format!("{name}-day"), d.day().to_string()),
        (format!("{name}-month"), d.month().to_string()),
        (format!("{name}-year"), d.year().to_string()),
    ]
}

async fn post_owned(
    c: &mut Client,
    path: &str,
    fields: Vec<(String, String)>,
) -> crate::support::Resp {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    c.post(path, &borrowed).await
}

/// A course added through its form by the business unit: its id.
async fn course(bu: &mut Client, title: &str) -> i64 {
    bu.get("/training/courses/new").await;
    let r = bu
        .post(
            "/training/courses",
            &[
                ("title", title),
                ("description", "Recognising neglect and acting on it"),
                ("outcomes", "Know the signs\nUse the neglect tool"),
                ("level", "core"),
                ("delivery", "in-person"),
                ("minutes", "180"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .trim_start_matches("/training/courses/")
        .parse()
        .expect("the course's id")
}

/// A session of a course `days` from today with `capacity` places and a cut-off of `cutoff`
/// working days: its id.
async fn session(bu: &mut Client, course: i64, days: i64, capacity: &str, cutoff: &str) -> i64 {
    let t = today();
    let held = t + chrono::Duration::days(days);
    let mut f = date_fields("held_on", held);
    f.extend(date_fields("opens_on", t));
    f.extend(date_fields("closes_on", held));
    for (k, v) in [
        ("start_time", "09:30"),
        ("end_time", "12:30"),
        ("venue", "Jan Cutting Healthy Living Centre"),
        ("capacity", capacity),
        ("cutoff_days", cutoff),
        ("status", "open"),
    ] {
        f.push((k.into(), v.into()));
    }
    bu.get(&format!("/training/courses/{course}/sessions/new"))
        .await;
    let r = post_owned(bu, &format!("/training/courses/{course}/sessions"), f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .trim_start_matches("/training/sessions/")
        .parse()
        .expect("the session's id")
}

async fn book(c: &mut Client, session: i64) -> crate::support::Resp {
    c.get(&format!("/training/sessions/{session}")).await;
    c.post(&format!("/training/sessions/{session}/book"), &[])
        .await
}

/// The (status) of each booking of a session, by the person's email, in the list's order.
async fn places(app: &TestApp, session: i64) -> Vec<(String, String)> {
    let p = app.partnership("plymouth");
    masa::training::store::bookings_of_session(&app.state.db, p, session)
        .await
        .expect("bookings")
        .into_iter()
        .map(|b| (b.email, b.status.as_str().to_owned()))
        .collect()
}

both_engines!(training_the_last_place_taken_at_once_goes_to_one, |app| {
    let mut bu = app.signed_in(BU).await;
    let c = course(&mut bu, "Neglect: core").await;
    let mut a = app.signed_in(PRACTITIONER).await;
    let mut b = app.signed_in(MEMBER).await;
    // Several races, each for the one place of its session.
    for _ in 0..4 {
        let s = session(&mut bu, c, 20, "1", "5").await;
        a.get(&format!("/training/sessions/{s}")).await;
        b.get(&format!("/training/sessions/{s}")).await;
        let path = format!("/training/sessions/{s}/book");
        let (ra, rb) = tokio::join!(a.post(&path, &[]), b.post(&path, &[]));
        assert_eq!(ra.status, StatusCode::SEE_OTHER);
        assert_eq!(rb.status, StatusCode::SEE_OTHER);
        let got = places(&app, s).await;
        let booked = got.iter().filter(|(_, st)| st == "booked").count();
        let waiting = got.iter().filter(|(_, st)| st == "waiting").count();
        assert_eq!((booked, waiting), (1, 1), "{got:?}");
    }
    // Booking twice holds one place.
    let s = session(&mut bu, c, 20, "5", "5").await;
    book(&mut a, s).await;
    let again = book(&mut a, s).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(places(&app, s).await.len(), 1);
    let page = a.get(&format!("/training/sessions/{s}")).await;
    page.assert_contains("already booked");
});

both_engines!(
    training_a_freed_place_goes_to_the_first_waiting,
    |app, sink| {
        let mut bu = app.signed_in(BU).await;
        let c = course(&mut bu, "Neglect: core").await;
        let s = session(&mut bu, c, 20, "1", "5").await;
        let mut first = app.signed_in(PRACTITIONER).await;
        let mut second = app.signed_in(MEMBER).await;
        let mut third = app.signed_in(SCRUTINEER).await;
        book(&mut first, s).await;
        let r = book(&mut second, s).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        second
            .get(&format!("/training/sessions/{s}"))
            .await
            .assert_contains("waiting list");
        book(&mut third, s).await;
        assert_eq!(
            places(&app, s).await,
            [
                (PRACTITIONER.to_owned(), "booked".to_owned()),
                (MEMBER.to_owned(), "waiting".to_owned()),
                (SCRUTINEER.to_owned(), "waiting".to_owned()),
            ]
        );
        // The first cancels (twenty days ahead: in time): the second takes the place, and is told.
        let p = app.partnership("plymouth");
        let mine = masa::training::store::bookings_of_session(&app.state.db, p, s)
            .await
            .expect("bookings");
        let audits = app.count("audit_events").await;
        first.get(&format!("/training/sessions/{s}")).await;
        let r = first
            .post(&format!("/training/bookings/{}/cancel", mine[0].id), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let got = places(&app, s).await;
        assert_eq!(got[0], (MEMBER.to_owned(), "offered".to_owned()), "{got:?}");
        assert_eq!(got[1], (SCRUTINEER.to_owned(), "waiting".to_owned()));
        assert_eq!(got[2], (PRACTITIONER.to_owned(), "cancelled".to_owned()));
        // The place is held for the second: nobody else can take it meanwhile.
        let r = book(&mut bu, s).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            places(&app, s).await[2],
            (BU.to_owned(), "waiting".to_owned())
        );
        let audits = audits + 1;
        // The cancellation and the place offered are each in the audit trail.
        assert_eq!(app.count("audit_events").await - audits, 2);
        let link = app.link_mailed_to(&sink, MEMBER).await;
        assert_eq!(link, format!("/training/sessions/{s}"));
        // Each was told, over SMTP: the place booked with its invitation, the waiting list, the
        // cancellation with the calendar's cancellation, the organiser, and the freed place.
        let mail: Vec<String> = sink
            .all()
            .iter()
            .map(|m| crate::support::decode_quoted_printable(m))
            .collect();
        let to = |who: &str, subject: &str| {
            mail.iter()
                .filter(|m| m.contains(&format!("To: {who}")) && m.contains(subject))
                .cloned()
                .collect::<Vec<_>>()
        };
        let booked = to(PRACTITIONER, "Subject: Booked: Neglect: core");
        assert_eq!(booked.len(), 1, "{mail:?}");
        assert!(booked[0].contains("BEGIN:VCALENDAR"), "{}", booked[0]);
        assert!(booked[0].contains("METHOD:PUBLISH"));
        assert!(booked[0].contains(&format!("UID:training-session-{s}@")));
        let waiting = to(SCRUTINEER, "Subject: On the waiting list");
        assert_eq!(waiting.len(), 1);
        assert!(!waiting[0].contains("BEGIN:VCALENDAR"));
        let cancelled = to(PRACTITIONER, "Subject: Cancelled: your place");
        assert_eq!(cancelled.len(), 1);
        assert!(cancelled[0].contains("METHOD:CANCEL"));
        let organiser = to("pscp@plymouth.gov.uk", "Subject: Training place cancelled");
        assert_eq!(organiser.len(), 1, "{mail:?}");
        assert!(
            organiser[0].contains("Pat Practitioner"),
            "{}",
            organiser[0]
        );
        let freed = to(MEMBER, "Subject: A place has come free");
        assert_eq!(freed.len(), 1);
        assert!(freed[0].contains("held for you until"), "{}", freed[0]);
        // The second accepts it on the session's page: booked, with the invitation.
        second
            .get(&format!("/training/sessions/{s}"))
            .await
            .assert_contains("Accept the place");
        let r = second
            .post(&format!("/training/bookings/{}/accept", mine[1].id), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            places(&app, s).await[0],
            (MEMBER.to_owned(), "booked".to_owned())
        );
        app.link_mailed_to(&sink, MEMBER).await;
        let accepted: Vec<String> = sink
            .all()
            .iter()
            .map(|m| crate::support::decode_quoted_printable(m))
            .filter(|m| m.contains(&format!("To: {MEMBER}")) && m.contains("Subject: Booked:"))
            .collect();
        assert_eq!(accepted.len(), 1);
        assert!(accepted[0].contains("BEGIN:VCALENDAR"));
        // Nobody accepts another's offer.
        let r = third
            .post(&format!("/training/bookings/{}/accept", mine[1].id), &[])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // The training officer sees the places and the list; a practitioner does not.
        let page = bu.get(&format!("/training/sessions/{s}")).await;
        page.assert_contains("Places and waiting list");
        let page = third.get(&format!("/training/sessions/{s}")).await;
        assert!(!page.body.contains("Places and waiting list"));
        assert!(!page.body.contains(PRACTITIONER));
        // The training officer cancels the second's place: it is offered to the third.
        bu.get(&format!("/training/sessions/{s}")).await;
        let r = bu
            .post(&format!("/training/bookings/{}/cancel", mine[1].id), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let got = places(&app, s).await;
        assert_eq!(
            got[0],
            (SCRUTINEER.to_owned(), "offered".to_owned()),
            "{got:?}"
        );
        // Unanswered past its time, the offer passes to the next waiting (the business unit's
        // own booking), once however often the job runs.
        crate::support::time_passes(
            &app.state,
            "UPDATE training_bookings SET offer_expires_at = $1 WHERE id = $2",
            masa::args![
                chrono::Utc::now() - chrono::Duration::minutes(1),
                mine[2].id
            ],
            "training-booking",
            "The offer's time passes",
        )
        .await;
        let outbox = app.count("outbox").await;
        masa::training::hourly(&app.state).await.expect("job");
        masa::training::hourly(&app.state).await.expect("job again");
        let got: std::collections::BTreeMap<String, String> =
            places(&app, s).await.into_iter().collect();
        assert_eq!(got[SCRUTINEER], "offer-lapsed");
        assert_eq!(got[BU], "offered");
        // The one who lapsed and the one offered are told, once each.
        assert_eq!(app.count("outbox").await - outbox, 2);
        // Too late to accept now.
        third.get(&format!("/training/sessions/{s}")).await;
        let r = third
            .post(&format!("/training/bookings/{}/accept", mine[2].id), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        third
            .get(&format!("/training/sessions/{s}"))
            .await
            .assert_contains("The offer had passed on");
        assert_eq!(
            places(&app, s)
                .await
                .into_iter()
                .find(|(e, _)| e == SCRUTINEER)
                .map(|(_, st)| st),
            Some("offer-lapsed".to_owned())
        );
        // Cancelling what is already cancelled changes nothing.
        let audits = app.count("audit_events").await;
        let r = bu
            .post(&format!("/training/bookings/{}/cancel", mine[1].id), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(app.count("audit_events").await, audits);
    }
);

both_engines!(
    training_a_place_cancelled_inside_the_cutoff_is_late,
    |app| {
        let mut bu = app.signed_in(BU).await;
        let c = course(&mut bu, "Neglect: core").await;
        // Tomorrow, with a cut-off of five working days: any cancellation now is late.
        let soon = session(&mut bu, c, 1, "10", "5").await;
        // Two months ahead, with the same cut-off: in time.
        let later = session(&mut bu, c, 60, "10", "5").await;
        let mut a = app.signed_in(PRACTITIONER).await;
        book(&mut a, soon).await;
        book(&mut a, later).await;
        let p = app.partnership("plymouth");
        for (s, want) in [(soon, "cancelled-late"), (later, "cancelled")] {
            let b = masa::training::store::bookings_of_session(&app.state.db, p, s)
                .await
                .expect("bookings");
            a.get(&format!("/training/sessions/{s}")).await;
            a.post(&format!("/training/bookings/{}/cancel", b[0].id), &[])
                .await;
            assert_eq!(places(&app, s).await[0].1, want);
        }
    }
);

both_engines!(training_forms_refuse_bad_input_and_keep_it, |app| {
    let mut bu = app.signed_in(BU).await;
    let courses = app.count("training_courses").await;
    let audits = app.count("audit_events").await;
    bu.get("/training/courses/new").await;
    let r = bu
        .post(
            "/training/courses",
            &[
                ("title", ""),
                ("description", "Kept <as typed>"),
                ("level", "expert"),
                ("delivery", "e-learning"),
                ("minutes", "ninety"),
                ("link", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for m in [
        "Enter the course&#39;s title",
        "Select the course&#39;s level",
        "length in minutes",
        "Enter a web address starting https://",
    ] {
        r.assert_contains(m);
    }
    r.assert_contains("Kept &#60;as typed&#62;");
    assert_eq!(app.count("training_courses").await, courses);
    assert_eq!(app.count("audit_events").await, audits);

    let c = course(&mut bu, "Neglect: core").await;
    let sessions = app.count("training_sessions").await;
    let audits = app.count("audit_events").await;
    let t = today();
    let mut f = date_fields("held_on", t + chrono::Duration::days(10));
    f.extend(date_fields("opens_on", t));
    f.extend(date_fields("closes_on", t + chrono::Duration::days(11)));
    for (k, v) in [
        ("start_time", "14:00"),
        ("end_time", "09:00"),
        ("venue", ""),
        ("capacity", "0"),
        ("cutoff_days", "-1"),
        ("status", "open"),
    ] {
        f.push((k.into(), v.into()));
    }
    bu.get(&format!("/training/courses/{c}/sessions/new")).await;
    let r = post_owned(&mut bu, &format!("/training/courses/{c}/sessions"), f).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for m in [
        "The end time must be after the start time",
        "on or before the day of the session",
        "Enter where the session is held",
        "Enter the number of places, from 1 to 1000",
        "Enter the cut-off in working days",
    ] {
        r.assert_contains(m);
    }
    r.assert_contains("value=\"14:00\"");
    let mut f = date_fields("held_on", t - chrono::Duration::days(1));
    f.push(("start_time".into(), "25:00".into()));
    let r = post_owned(&mut bu, &format!("/training/courses/{c}/sessions"), f).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("The session must be today or later");
    r.assert_contains("Enter a time on the 24-hour clock");
    r.assert_contains("Enter the end time");
    assert_eq!(app.count("training_sessions").await, sessions);
    assert_eq!(app.count("audit_events").await, audits);
});

both_engines!(training_is_seen_only_where_it_may_be, |app| {
    let mut bu = app.signed_in(BU).await;
    let c = course(&mut bu, "Neglect: core").await;
    let s = session(&mut bu, c, 20, "5", "5").await;
    // A planned session is the business unit's until it opens.
    let t = today();
    let mut f = date_fields("held_on", t + chrono::Duration::days(30));
    f.extend(date_fields("opens_on", t));
    f.extend(date_fields("closes_on", t + chrono::Duration::days(29)));
    for (k, v) in [
        ("start_time", "09:30"),
        ("end_time", "12:30"),
        ("venue", "Plymouth Guildhall"),
        ("capacity", "5"),
        ("cutoff_days", "5"),
        ("status", "planned"),
    ] {
        f.push((k.into(), v.into()));
    }
    let r = post_owned(&mut bu, &format!("/training/courses/{c}/sessions"), f).await;
    let planned: i64 = r
        .location()
        .trim_start_matches("/training/sessions/")
        .parse()
        .expect("id");
    let mut a = app.signed_in(PRACTITIONER).await;
    assert_eq!(
        a.get(&format!("/training/sessions/{planned}")).await.status,
        StatusCode::NOT_FOUND
    );
    a.get(&format!("/training/sessions/{s}")).await;
    assert_eq!(
        a.post(&format!("/training/sessions/{planned}/book"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        bu.get(&format!("/training/sessions/{planned}"))
            .await
            .status,
        StatusCode::OK
    );
    book(&mut a, s).await;
    let p = app.partnership("plymouth");
    let b = masa::training::store::bookings_of_session(&app.state.db, p, s)
        .await
        .expect("bookings")[0]
        .id;
    // Another person cannot cancel a practitioner's place.
    let mut m = app.signed_in(MEMBER).await;
    m.get(&format!("/training/sessions/{s}")).await;
    assert_eq!(
        m.post(&format!("/training/bookings/{b}/cancel"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Another partnership's administrator finds none of it.
    let mut derby = app.signed_in("admin@derby.example").await;
    derby.get("/training").await;
    for path in [
        format!("/training/courses/{c}"),
        format!("/training/courses/{c}/edit"),
        format!("/training/courses/{c}/sessions/new"),
        format!("/training/sessions/{s}"),
    ] {
        assert_eq!(
            derby.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    for path in [
        format!("/training/sessions/{s}/edit"),
        format!("/training/sessions/{s}/cancel"),
    ] {
        assert_eq!(
            derby.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    for path in [
        format!("/training/sessions/{s}"),
        format!("/training/sessions/{s}/cancel"),
        format!("/training/courses/{c}"),
        format!("/training/courses/{c}/sessions"),
        format!("/training/sessions/{s}/book"),
        format!("/training/bookings/{b}/cancel"),
    ] {
        assert_eq!(
            derby.post(&path, &[("title", "Taken")]).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(places(&app, s).await[0].1, "booked");
    let page = derby.get("/training").await;
    assert!(!page.body.contains("Neglect: core"));
});

/// The session form's fields as stored, with some changed, for the change form.
async fn session_fields(app: &TestApp, s: i64, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let p = app.partnership("plymouth");
    let now = masa::training::store::session(&app.state.db, p, s)
        .await
        .expect("session")
        .expect("there");
    let mut f = date_fields("held_on", now.held_on);
    f.extend(date_fields("opens_on", now.opens_on));
    f.extend(date_fields("closes_on", now.closes_on));
    let capacity = now.capacity.to_string();
    let cutoff = now.cutoff_days.to_string();
    let version = now.version.to_string();
    for (k, v) in [
        ("start_time", now.start_time.as_str()),
        ("end_time", now.end_time.as_str()),
        ("venue", now.venue.as_str()),
        ("capacity", capacity.as_str()),
        ("cutoff_days", cutoff.as_str()),
        ("status", "open"),
        ("version", version.as_str()),
    ] {
        let v = changes
            .iter()
            .find(|(ck, _)| *ck == k)
            .map_or(v, |(_, cv)| *cv);
        f.push((k.into(), v.into()));
    }
    f
}

both_engines!(
    training_a_changed_or_cancelled_session_tells_everyone,
    |app, sink| {
        let mut bu = app.signed_in(BU).await;
        let c = course(&mut bu, "Neglect: core").await;
        let s = session(&mut bu, c, 20, "2", "5").await;
        for who in [PRACTITIONER, SCRUTINEER, MEMBER] {
            let mut x = app.signed_in(who).await;
            book(&mut x, s).await;
        }
        bu.get(&format!("/training/sessions/{s}/edit")).await;
        // Fewer places than are booked is refused, and nothing changes.
        let audits = app.count("audit_events").await;
        let f = session_fields(&app, s, &[("capacity", "1")]).await;
        let r = post_owned(&mut bu, &format!("/training/sessions/{s}"), f).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("2 people hold places");
        assert_eq!(app.count("audit_events").await, audits);
        // A third place goes to the one waiting.
        let stale = session_fields(&app, s, &[("capacity", "3")]).await;
        let r = post_owned(&mut bu, &format!("/training/sessions/{s}"), stale.clone()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(
            places(&app, s)
                .await
                .iter()
                .all(|(_, st)| st == "booked" || st == "offered")
        );
        // The same form again is a stale copy: refused, with who changed it.
        let r = post_owned(&mut bu, &format!("/training/sessions/{s}"), stale).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        // Moving it an hour later tells all three, with the calendar updated.
        let f = session_fields(&app, s, &[("start_time", "10:30"), ("end_time", "13:30")]).await;
        let r = post_owned(&mut bu, &format!("/training/sessions/{s}"), f).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        app.state
            .mailer
            .deliver_due(&app.state.db)
            .await
            .expect("deliver");
        let mail: Vec<String> = sink
            .all()
            .iter()
            .map(|m| crate::support::decode_quoted_printable(m))
            .collect();
        let with = |subject: &str| {
            mail.iter()
                .filter(|m| m.contains(subject))
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(with("Subject: A place has come free").len(), 1);
        let moved = with("Subject: Changed: Neglect: core");
        assert_eq!(moved.len(), 3, "{mail:?}");
        assert!(moved[0].contains("T103000"), "{}", moved[0]);
        // Cancelling needs a reason; with one, every booking ends and everyone is told why.
        let r = bu.get(&format!("/training/sessions/{s}/cancel")).await;
        r.assert_contains("3 booked and 0 waiting");
        let version = masa::training::store::session(&app.state.db, app.partnership("plymouth"), s)
            .await
            .expect("s")
            .expect("s")
            .version
            .to_string();
        let r = bu
            .post(
                &format!("/training/sessions/{s}/cancel"),
                &[("reason", " "), ("version", &version)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("Enter why the session is cancelled");
        assert!(
            places(&app, s)
                .await
                .iter()
                .all(|(_, st)| st == "booked" || st == "offered")
        );
        let r = bu
            .post(
                &format!("/training/sessions/{s}/cancel"),
                &[("reason", "The trainer is ill"), ("version", &version)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(
            places(&app, s)
                .await
                .iter()
                .all(|(_, st)| st == "cancelled")
        );
        app.state
            .mailer
            .deliver_due(&app.state.db)
            .await
            .expect("deliver");
        let cancelled: Vec<String> = sink
            .all()
            .iter()
            .map(|m| crate::support::decode_quoted_printable(m))
            .filter(|m| m.contains("Subject: Session cancelled"))
            .collect();
        assert_eq!(cancelled.len(), 3);
        assert!(
            cancelled
                .iter()
                .all(|m| m.contains("The trainer is ill") && m.contains("METHOD:CANCEL"))
        );
        // A cancelled session takes no bookings and cannot be changed.
        let mut a = app.signed_in(PRACTITIONER).await;
        a.get(&format!("/training/sessions/{s}"))
            .await
            .assert_contains("Cancelled");
        a.post(&format!("/training/sessions/{s}/book"), &[]).await;
        assert!(
            places(&app, s)
                .await
                .iter()
                .all(|(_, st)| st == "cancelled")
        );
        assert_eq!(
            bu.get(&format!("/training/sessions/{s}/edit")).await.status,
            StatusCode::NOT_FOUND
        );
    }
);

both_engines!(training_the_register_records_who_came, |app| {
    let mut bu = app.signed_in(BU).await;
    let c = course(&mut bu, "Neglect: core").await;
    let s = session(&mut bu, c, 0, "10", "5").await;
    let later = session(&mut bu, c, 10, "10", "5").await;
    let mut pat = app.signed_in(PRACTITIONER).await;
    book(&mut pat, s).await;
    book(&mut pat, later).await;
    let mut sam = app.signed_in(SCRUTINEER).await;
    book(&mut sam, s).await;
    let p = app.partnership("plymouth");
    let ids = |v: Vec<masa::training::store::Booking>| {
        v.into_iter()
            .map(|b| (b.email.clone(), b.id))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let b = ids(
        masa::training::store::bookings_of_session(&app.state.db, p, s)
            .await
            .expect("bookings"),
    );
    let (pat_b, sam_b) = (b[PRACTITIONER], b[SCRUTINEER]);
    let member = crate::support::user_id(&app, MEMBER).await;
    // The home pages ask for it: the business unit to take the register, the learner to go.
    bu.get("/")
        .await
        .assert_contains("Take the register for Neglect: core");
    pat.get("/")
        .await
        .assert_contains("Go to Neglect: core at 09:30");
    // Not before the day.
    let lb = ids(
        masa::training::store::bookings_of_session(&app.state.db, p, later)
            .await
            .expect("bookings"),
    )[PRACTITIONER];
    bu.get(&format!("/training/sessions/{later}/register"))
        .await;
    let r = bu
        .post(
            &format!("/training/sessions/{later}/register"),
            &[(&format!("attended-{lb}"), "attended")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("on or after the day of the session");
    // Every place must be marked; what was marked is kept; nothing is stored.
    let audits = app.count("audit_events").await;
    bu.get(&format!("/training/sessions/{s}/register")).await;
    let pat_field = format!("attended-{pat_b}");
    let sam_field = format!("attended-{sam_b}");
    let r = bu
        .post(
            &format!("/training/sessions/{s}/register"),
            &[(pat_field.as_str(), "attended"), ("walk_in", "999999")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("Select whether Sam");
    r.assert_contains("Select someone in the partnership from the list");
    r.assert_contains("value=\"attended\" checked");
    assert_eq!(app.count("audit_events").await, audits);
    // Marked, with a walk-in.
    let member_s = member.to_string();
    let r = bu
        .post(
            &format!("/training/sessions/{s}/register"),
            &[
                (pat_field.as_str(), "attended"),
                (sam_field.as_str(), "did-not-attend"),
                ("walk_in", member_s.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let got: std::collections::BTreeMap<String, String> =
        places(&app, s).await.into_iter().collect();
    assert_eq!(got[PRACTITIONER], "attended");
    assert_eq!(got[SCRUTINEER], "did-not-attend");
    assert_eq!(got[MEMBER], "attended");
    // Three marks and the session delivered, each in the audit trail.
    assert_eq!(app.count("audit_events").await - audits, 4);
    let walk_in = masa::training::store::bookings_of_session(&app.state.db, p, s)
        .await
        .expect("bookings")
        .into_iter()
        .find(|b| b.email == MEMBER)
        .expect("the walk-in");
    assert_eq!(walk_in.walk_in, 1);
    let now = masa::training::store::session(&app.state.db, p, s)
        .await
        .expect("s")
        .expect("s");
    assert_eq!(now.status, masa::training::model::SessionStatus::Delivered);
    assert!(
        !bu.get("/")
            .await
            .body
            .contains("Take the register for Neglect: core")
    );
    // The figures for the day: half a day of training, two people trained (one a walk-in),
    // one place not attended of the two booked.
    let t = today();
    let day = |name: &str| {
        use chrono::Datelike;
        format!(
            "{name}-day={}&{name}-month={}&{name}-year={}",
            t.day(),
            t.month(),
            t.year()
        )
    };
    let q = format!("{}&{}", day("from"), day("to"));
    let fig = bu.get(&format!("/training/figures?{q}")).await;
    assert_eq!(fig.status, StatusCode::OK, "{}", fig.body);
    for want in [
        "0.5 (1 session;",
        "Practitioners trained</dt><dd class=\"govuk-summary-list__value\">2<",
        "2, 1 of them walk-ins",
        "1 (50% of places booked)",
    ] {
        fig.assert_contains(want);
    }
    let csv = bu.get(&format!("/training/figures.csv?{q}")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.contains("Course,Neglect: core,1,,10,2,2,1,50"),
        "{}",
        csv.body
    );
    let xlsx = bu.get(&format!("/training/figures.xlsx?{q}")).await;
    assert!(xlsx.bytes.starts_with(b"PK"));
    let tomorrow = t + chrono::Duration::days(1);
    let backwards = format!(
        "{}&to-day={}&to-month={}&to-year={}",
        day("from")
            .replace(
                &format!("from-day={}", chrono::Datelike::day(&t)),
                &format!("from-day={}", chrono::Datelike::day(&tomorrow))
            )
            .replace(
                &format!("from-month={}", chrono::Datelike::month(&t)),
                &format!("from-month={}", chrono::Datelike::month(&tomorrow))
            )
            .replace(
                &format!("from-year={}", chrono::Datelike::year(&t)),
                &format!("from-year={}", chrono::Datelike::year(&tomorrow))
            ),
        chrono::Datelike::day(&t),
        chrono::Datelike::month(&t),
        chrono::Datelike::year(&t)
    );
    let r = bu.get(&format!("/training/figures?{backwards}")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("on or after its start");
    assert_eq!(
        bu.get(&format!("/training/figures.csv?{backwards}"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // The scrutineer reads them; a practitioner does not.
    assert_eq!(
        sam.get(&format!("/training/figures?{q}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        pat.get(&format!("/training/figures?{q}")).await.status,
        StatusCode::FORBIDDEN
    );
    // The learner's record holds what they attended, not what they missed.
    let rec = pat.get("/training/record").await;
    rec.assert_contains("1 session attended, 3 hours in all");
    rec.assert_contains(&format!("/training/bookings/{pat_b}/certificate.pdf"));
    let pdf = pat
        .get(&format!("/training/bookings/{pat_b}/certificate.pdf"))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.bytes.starts_with(b"%PDF"));
    // Tagged, in English, and titled for the learner and course.
    let has = |needle: &str| {
        pdf.bytes
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    };
    for needle in [
        "/StructTreeRoot",
        "/Lang(en-GB)",
        "Certificate of attendance: Pat Practitioner, Neglect: core",
    ] {
        assert!(has(needle), "{needle} missing from the certificate");
    }
    // No certificate for a place not attended, nor for someone else's.
    assert_eq!(
        sam.get(&format!("/training/bookings/{sam_b}/certificate.pdf"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        sam.get(&format!("/training/bookings/{pat_b}/certificate.pdf"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let rec = sam.get("/training/record").await;
    rec.assert_contains("No sessions attended yet");
    // Another partnership finds no register.
    let mut derby = app.signed_in("admin@derby.example").await;
    derby.get("/training").await;
    assert_eq!(
        derby
            .get(&format!("/training/sessions/{s}/register"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        derby
            .post(
                &format!("/training/sessions/{s}/register"),
                &[(pat_field.as_str(), "did-not-attend")]
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(places(&app, s).await[0].1, "attended");
    assert_eq!(
        derby
            .get(&format!("/training/bookings/{pat_b}/certificate.pdf"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Another partnership's figures hold nothing of this one's.
    let theirs = derby.get(&format!("/training/figures.csv?{q}")).await;
    assert!(!theirs.body.contains("Neglect"), "{}", theirs.body);
});

both_engines!(training_in_the_api, |app| {
    let mut bu = app.signed_in(BU).await;
    let c = course(&mut bu, "Neglect: core").await;
    let s = session(&mut bu, c, 20, "1", "5").await;
    let mut pat = app.signed_in(PRACTITIONER).await;
    let mut api = pat.api_client("HR system").await;
    let r = api.get("/api/v1/training/sessions").await;
    assert_eq!(r.status, StatusCode::OK);
    let list: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(list[0]["id"], s);
    assert_eq!(list[0]["status"], "open");
    assert_eq!(list[0]["places_left"], 1);
    let r = api
        .post_json(&format!("/api/v1/training/sessions/{s}/bookings"), "{}")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let booked: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(booked["status"], "booked");
    let r = api
        .post_json(&format!("/api/v1/training/sessions/{s}/bookings"), "{}")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(places(&app, s).await.len(), 1);
    let r = api.get("/api/v1/training/bookings").await;
    let mine: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(mine[0]["status"], "booked");
    assert_eq!(mine[0]["session"]["id"], s);
    // The figures are the oversight's; a period that is not one is refused.
    assert_eq!(
        api.get("/api/v1/training/figures").await.status,
        StatusCode::FORBIDDEN
    );
    let mut bu_api = bu.api_client("reports").await;
    let r = bu_api.get("/api/v1/training/figures").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let f: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(f["sessions"], 0);
    assert_eq!(
        bu_api
            .get("/api/v1/training/figures?from=2027-01-01&to=2026-01-01")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        bu_api
            .get("/api/v1/training/figures?from=the-spring")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // Another partnership's token finds neither the session nor a way to book it.
    let mut derby = app.signed_in("admin@derby.example").await;
    let mut derby_api = derby.api_client("theirs").await;
    let r = derby_api.get("/api/v1/training/sessions").await;
    assert_eq!(r.body.trim(), "[]");
    let r = derby_api
        .post_json(&format!("/api/v1/training/sessions/{s}/bookings"), "{}")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(places(&app, s).await.len(), 1);
});
