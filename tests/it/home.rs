//! Each person's home page says what they should do next, from every capability, soonest
//! first, with one countdown wording; only what that person may see.

use axum::http::StatusCode;
use chrono::Duration;

use crate::both_engines;
use crate::support::today;

/// The "What to do next" part of a home page.
fn next(body: &str) -> &str {
    body.split("What to do next")
        .nth(1)
        .and_then(|s| s.split("</ul>").next())
        .unwrap_or_default()
}

both_engines!(each_role_sees_what_it_must_do_next, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    let p = app.partnership("plymouth");
    // Nothing yet: the page says so rather than showing nothing.
    let mut pat = app.signed_in("practitioner@plymouth.example").await;
    let home = pat.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    home.assert_contains("Nothing is due for you.");

    // Two overdue actions and one not yet due.
    let actor = masa::store::Actor::system("test");
    for (title, due) in [
        ("Refresh the training offer", today() - Duration::days(10)),
        ("Audit the front door", today() - Duration::days(3)),
        ("Not yet due", today() + Duration::days(30)),
    ] {
        masa::actions::store::add(
            &app.state.db,
            &actor,
            p,
            &masa::actions::store::NewAction {
                source_kind: "review".into(),
                source_id: 1,
                body_key: "pscp-board".into(),
                reference: String::new(),
                title: title.into(),
                owner_name: "Training lead".into(),
                owner_organisation: String::new(),
                owner_user_id: None,
                due,
                sensitive: false,
                restricted_item: None,
            },
        )
        .await
        .expect("action");
    }
    // A meeting twelve working days ahead: its agenda closes within the week.
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    crate::support::board_meeting(&app, &mut bu, 12, "").await;

    let home = bu.get("/").await;
    let tasks = next(&home.body);
    assert!(tasks.contains("Follow up 2 overdue actions"), "{tasks}");
    assert!(tasks.contains("href=\"/actions?show=overdue\""), "{tasks}");
    assert!(tasks.contains("Overdue by"), "{tasks}");
    assert!(tasks.contains("govuk-tag--red"), "{tasks}");
    assert!(
        tasks.contains("href=\"/meetings/"),
        "a meeting's deadline: {tasks}"
    );
    // The most overdue comes first.
    let overdue_at = tasks.find("overdue actions").unwrap_or(usize::MAX);
    let meeting_at = tasks.find("href=\"/meetings/").unwrap_or(0);
    assert!(overdue_at < meeting_at, "{tasks}");

    // The scrutineer follows every action too; a practitioner and a member do not.
    let mut scrutineer = app.signed_in("scrutineer@plymouth.example").await;
    assert!(next(&scrutineer.get("/").await.body).contains("Follow up 2 overdue actions"));
    let home = pat.get("/").await;
    assert!(!home.body.contains("overdue action"), "{}", home.body);
    let mut morgan = app.signed_in("member@plymouth.example").await;
    assert!(!morgan.get("/").await.body.contains("overdue action"));

    // In another partnership, the same business unit sees none of it.
    let ports = app.partnership("portsmouth").0.to_string();
    let r = bu
        .post("/switch-partnership", &[("partnership_id", &ports)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let home = bu.get("/").await;
    assert!(!home.body.contains("overdue action"), "{}", home.body);
    assert!(!home.body.contains("href=\"/meetings/"), "{}", home.body);
});

both_engines!(an_assurance_return_is_on_its_responders_home_page, |app| {
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    let (plan, police, _hospital, _questions) = crate::assurance::drafted(&app, &mut bu).await;
    let mut morgan = app.signed_in("member@plymouth.example").await;
    // A draft asks nothing of anyone yet.
    assert!(!morgan.get("/").await.body.contains("assurance plan"));
    crate::assurance::issue(&mut bu, plan).await;
    let home = morgan.get("/").await;
    let tasks = next(&home.body);
    assert!(tasks.contains("answers to the assurance plan"), "{tasks}");
    assert!(
        tasks.contains(&format!("href=\"/assurance/returns/{police}\"")),
        "{tasks}"
    );
    assert!(tasks.contains("working days left"), "{tasks}");
    // Pat answers for the hospital: her own return, not the police's.
    let mut pat = app.signed_in("practitioner@plymouth.example").await;
    let theirs = next(&pat.get("/").await.body).to_owned();
    assert!(
        !theirs.contains(&format!("/assurance/returns/{police}\"")),
        "{theirs}"
    );
    assert!(theirs.contains("/assurance/returns/"), "{theirs}");
    // Past the day for answers with none sent: the business unit is to chase, and the
    // scrutineer sees the same lateness.
    let late = today() - Duration::days(10);
    crate::support::time_passes(
        &app.state,
        "UPDATE assurance_plans SET answers_due = $1",
        masa::args![late],
        "assurance-plan",
        "Answers due moved into the past for a test",
    )
    .await;
    for email in [
        "business.unit@plymouth.example",
        "scrutineer@plymouth.example",
    ] {
        let mut c = app.signed_in(email).await;
        let tasks = next(&c.get("/").await.body).to_owned();
        assert!(
            tasks.contains("agencies overdue with answers"),
            "{email}: {tasks}"
        );
    }
    assert!(!next(&pat.get("/").await.body).contains("overdue with answers"));
});

both_engines!(
    a_past_meeting_is_marked_held_and_its_steps_tell_the_truth,
    |app| {
        masa::demo::seed_arrangements(&app.state)
            .await
            .expect("arrangements");
        let mut bu = app.signed_in("business.unit@plymouth.example").await;
        // A meeting arranged ahead; then time passes: its day was twelve working days ago, and
        // it is still marked scheduled.
        let meeting = crate::support::board_meeting(&app, &mut bu, 20, "Guildhall").await;
        let cal = masa::calendar::working_days::Calendar::shipped();
        let held_on = cal.add_working_days(today(), -12);
        crate::support::time_passes(
            &app.state,
            "UPDATE meetings SET meeting_date = $1",
            masa::args![held_on],
            "meeting",
            "Meeting moved into the past for a test",
        )
        .await;
        let page = bu.get(&meeting).await;
        assert!(!page.body.contains("Passed"), "never merely passed");
        page.assert_contains("This meeting's day has passed");
        page.assert_contains("Overdue by");
        page.assert_contains("govuk-tag--red");
        let home = bu.get("/").await;
        let tasks = next(&home.body);
        assert!(tasks.contains("Mark as held or cancelled"), "{tasks}");
        assert!(
            tasks.contains(&format!("href=\"{meeting}/change\"")),
            "{tasks}"
        );
        // Marked held: the steps before it are done; the draft minutes, not yet out, are
        // overdue and become the business unit's task.
        // The meeting itself is changed on its own page.
        let change = bu.get(&format!("{meeting}/change")).await;
        let version = change
            .body
            .split(&format!("action=\"{meeting}\" novalidate>"))
            .nth(1)
            .and_then(|s| s.split("name=\"version\" value=\"").nth(1))
            .and_then(|s| s.split('"').next())
            .expect("version")
            .to_owned();
        let held = held_on.to_string();
        let r = bu
            .post(
                &meeting,
                &[
                    ("version", version.as_str()),
                    ("date", held.as_str()),
                    ("start_time", "10:00"),
                    ("venue", "Guildhall"),
                    ("status", "held"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = bu.get(&meeting).await;
        assert!(!page.body.contains("This meeting's day has passed"));
        let row = |what: &str| {
            page.body
                .split(what)
                .nth(1)
                .and_then(|s| s.split("</tr>").next())
                .unwrap_or_default()
                .to_owned()
        };
        let papers = row("Papers sent out");
        assert!(papers.contains(">Done<"), "{papers}");
        // Ten working days after the meeting, and twelve have gone.
        let minutes = row("Draft minutes sent out");
        assert!(minutes.contains("Overdue by 2 working days"), "{minutes}");
        assert!(minutes.contains("govuk-tag--red"), "{minutes}");
        let home = bu.get("/").await;
        let tasks = next(&home.body);
        assert!(!tasks.contains("Mark as held or cancelled"), "{tasks}");
        assert!(tasks.contains("Circulate the draft minutes"), "{tasks}");
        assert!(
            tasks.contains(&format!("href=\"{meeting}/minutes\"")),
            "{tasks}"
        );
        // The scrutineer, who sits on no body here, sees that the minutes are late.
        let mut scrutineer = app.signed_in("scrutineer@plymouth.example").await;
        let theirs = next(&scrutineer.get("/").await.body).to_owned();
        assert!(theirs.contains("Draft minutes late: "), "{theirs}");
        assert!(theirs.contains(&format!("href=\"{meeting}\"")), "{theirs}");
        // A member not on the board is not told.
        let mut pat = app.signed_in("practitioner@plymouth.example").await;
        assert!(!pat.get("/").await.body.contains("Draft minutes late"));
    }
);

both_engines!(
    the_business_unit_is_asked_to_chase_papers_and_a_cases_statutory_steps,
    |app| {
        masa::demo::seed_arrangements(&app.state)
            .await
            .expect("arrangements");
        let mut bu = app.signed_in("business.unit@plymouth.example").await;
        // Reports for this meeting are due in three working days; for the later one in ten,
        // too early to chase.
        let soon = crate::support::board_meeting(&app, &mut bu, 18, "").await;
        let later = crate::support::board_meeting(&app, &mut bu, 25, "").await;
        for m in [&soon, &later] {
            let r = bu
                .post(
                    &format!("{m}/agenda"),
                    &[("title", "Neglect strategy"), ("purpose", "decision")],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        let tasks = next(&bu.get("/").await.body).to_owned();
        assert!(
            tasks.contains("Chase papers for 1 of 1 agenda item: "),
            "{tasks}"
        );
        assert!(
            tasks.contains(&format!("href=\"{soon}/papers\"")),
            "{tasks}"
        );
        assert!(
            !tasks.contains(&format!("href=\"{later}/papers\"")),
            "{tasks}"
        );

        // A case learnt of three days ago: the Panel must be told within five working days.
        // One learnt of a month ago and never notified: late, which the scrutineer sees too.
        for (pseudonym, days) in [("Child R", 3), ("Child S", 30)] {
            bu.get("/reviews/new").await;
            let aware = (today() - Duration::days(days)).to_string();
            let r = bu
                .post(
                    "/reviews",
                    &[
                        ("kind", "serious-case"),
                        ("pseudonym", pseudonym),
                        ("aware_on", aware.as_str()),
                        ("harm", "seriously-harmed"),
                        ("abuse", "suspected"),
                        ("body_key", "pscp-board"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        let tasks = next(&bu.get("/").await.body).to_owned();
        assert!(tasks.contains("Notify the Panel: Child R"), "{tasks}");
        assert!(tasks.contains("Notify the Panel: Child S"), "{tasks}");
        assert!(tasks.contains("href=\"/reviews/"), "{tasks}");
        let mut scrutineer = app.signed_in("scrutineer@plymouth.example").await;
        let theirs = next(&scrutineer.get("/").await.body).to_owned();
        assert!(theirs.contains("Notify the Panel: Child S"), "{theirs}");
        assert!(!theirs.contains("Child R"), "not late yet: {theirs}");
        assert!(!theirs.contains("Chase papers"), "{theirs}");
        // Members and practitioners are not asked to run the case.
        for email in ["member@plymouth.example", "practitioner@plymouth.example"] {
            let mut c = app.signed_in(email).await;
            let home = c.get("/").await;
            assert!(!home.body.contains("Notify the Panel"), "{email}");
            assert!(!home.body.contains("Chase papers"), "{email}");
        }
    }
);

// The header: the day's work in one short row, administration behind one entry and the
// account's links in one line, so a phone's first screen is the page.
both_engines!(
    the_header_is_a_short_row_and_administration_is_one_entry,
    |app| {
        let mut bu = app.signed_in("business.unit@plymouth.example").await;
        let home = bu.get("/").await;
        let header = home
            .body
            .split("<header")
            .nth(1)
            .and_then(|s| s.split("</header>").next())
            .unwrap_or_default()
            .to_owned();
        let stops = header.matches("<a ").count()
            + header.matches("<button").count()
            + header.matches("<select").count();
        // Skip link aside, it was 18 (13 links, the partnership switcher and sign out).
        assert!(stops <= 12, "{stops} tab stops in the header: {header}");
        assert!(
            !header.contains("<select"),
            "the switcher lives on the account page"
        );
        for hidden in [
            "/admin/people",
            "/audit\"",
            "/admin/outbox",
            "/admin/partnership",
        ] {
            assert!(!header.contains(hidden), "{hidden} is in the header");
        }
        assert!(header.contains("href=\"/admin\""), "{header}");
        assert!(header.contains("Sign out"));
        // The hub lists what the business unit administers, and is the current entry on them.
        let hub = bu.get("/admin").await;
        assert_eq!(hub.status, StatusCode::OK);
        for (href, text) in [
            ("/admin/people", "People"),
            ("/audit", "Audit trail"),
            ("/admin/outbox", "Outbox"),
            ("/admin/partnership", "Settings"),
        ] {
            hub.assert_contains(&format!("href=\"{href}\">{text}</a>"));
        }
        assert!(
            !hub.body.contains("/system/"),
            "the host's pages are not the partnership's"
        );
        let people = bu.get("/admin/people").await;
        people.assert_contains("href=\"/admin\" aria-current=\"page\"");
        // The scrutineer has the audit trail in the header, and no administration.
        let mut scrutineer = app.signed_in("scrutineer@plymouth.example").await;
        let home = scrutineer.get("/").await;
        home.assert_contains("href=\"/audit\"");
        assert!(!home.body.contains("href=\"/admin\""));
        // The business unit is in two partnerships: it switches on its account page.
        bu.get("/")
            .await
            .assert_contains("href=\"/account#switch-partnership\">Switch partnership</a>");
        let account = bu.get("/account").await;
        account.assert_contains("id=\"switch-partnership\"");
        account.assert_contains("type=\"radio\"");
    }
);

both_engines!(
    the_next_meetings_are_on_the_home_page_of_those_who_attend_or_run_them,
    |app| {
        masa::demo::seed_arrangements(&app.state)
            .await
            .expect("arrangements");
        masa::demo::seed_meetings(&app.state)
            .await
            .expect("meetings");
        let p = app.partnership("plymouth");
        let mut bu = app.signed_in("business.unit@plymouth.example").await;
        let next = |body: &str| {
            body.split("Next meetings")
                .nth(1)
                .and_then(|s| s.split("</ul>").next())
                .unwrap_or_default()
                .to_owned()
        };
        // The business unit: the next five of every body's, soonest first.
        let shown = next(&bu.get("/").await.body);
        let mut upcoming: Vec<chrono::NaiveDate> = masa::meetings::store::between(
            &app.state.db,
            p,
            today(),
            today() + Duration::days(120),
            None,
        )
        .await
        .expect("meetings")
        .into_iter()
        .filter(|m| m.status != masa::meetings::model::MeetingStatus::Cancelled)
        .map(|m| m.date)
        .collect();
        upcoming.sort();
        assert!(!upcoming.is_empty(), "the demo plans the year");
        assert_eq!(
            shown.matches("<li>").count(),
            upcoming.len().min(5),
            "{shown}"
        );
        for d in upcoming.iter().take(5) {
            assert!(
                shown.contains(&d.format("%A %-d %B %Y").to_string()),
                "{d}: {shown}"
            );
        }
        // Morgan sits on the board: the board's, not every body's. A practitioner attends none.
        let mut morgan = app.signed_in("member@plymouth.example").await;
        let theirs = next(&morgan.get("/").await.body);
        assert!(theirs.contains("PSCP Board"), "{theirs}");
        assert!(!theirs.contains("Practice Review Group"), "{theirs}");
        let mut pat = app.signed_in("practitioner@plymouth.example").await;
        assert!(!pat.get("/").await.body.contains("Next meetings"));
    }
);
