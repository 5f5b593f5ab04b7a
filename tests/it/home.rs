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
        let actor = masa::store::Actor::system("test: time passes");
        let mut tx = masa::store::Tx::begin(&app.state.db, &actor)
            .await
            .expect("tx");
        tx.update(
            "UPDATE meetings SET meeting_date = $1",
            masa::args![held_on],
            &masa::store::RecordRef::new(None, "meeting", 0),
            "Meeting moved into the past for a test",
            &serde_json::json!({}),
            &serde_json::json!({"meeting_date": held_on}),
        )
        .await
        .expect("time passes");
        tx.commit().await.expect("commit");
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
    }
);
