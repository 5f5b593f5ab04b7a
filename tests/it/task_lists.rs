//! Long processes as task lists: a meeting's cycle, a serious case and an assurance plan each
//! show their stages with a status worked out from what is stored, each stage on its own page
//! holding its forms. Every stage page is seen by exactly those who see the record's own page,
//! and another partnership's records are not found.

use axum::http::StatusCode;

use crate::both_engines;
use crate::support::{Client, TestApp, today};

const BU: &str = "business.unit@plymouth.example";
const MEMBER: &str = "member@plymouth.example";
const PRACTITIONER: &str = "practitioner@plymouth.example";
const SCRUTINEER: &str = "scrutineer@plymouth.example";
const DERBY: &str = "admin@derby.example";

/// The status a task list shows for the stage named `name`, as its words.
fn status_of(body: &str, name: &str) -> String {
    let row = body
        .split("<li class=\"govuk-task-list__item")
        .skip(1)
        .find(|row| row.contains(&format!(">{name}<")))
        .unwrap_or_else(|| panic!("no stage {name} in:\n{body}"));
    let cell = row
        .split_once("govuk-task-list__status")
        .map(|(_, rest)| rest)
        .and_then(|s| s.split_once('>'))
        .map(|(_, rest)| rest.split("</div>").next().unwrap_or_default())
        .unwrap_or_default();
    // The words, without the tag around them.
    let mut words = String::new();
    let mut in_tag = false;
    for ch in cell.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => words.push(c),
            _ => {}
        }
    }
    words.trim().to_owned()
}

/// Each of these people sees each stage page exactly as they see the record's own page: the
/// same status (allowed, refused, sent to sign in, or not found).
async fn same_sight(app: &TestApp, record: &str, stages: &[String], refused: &[&str]) {
    let mut public = app.client();
    public.get("/sign-in").await;
    let mut clients: Vec<(&str, Client)> = vec![("public", public)];
    for who in [BU, MEMBER, PRACTITIONER, SCRUTINEER, DERBY] {
        clients.push((who, app.signed_in(who).await));
    }
    for (who, c) in clients.iter_mut() {
        let own = c.get(record).await;
        for stage in stages {
            let r = c.get(stage).await;
            // A page only the business unit may use (changing the meeting) is narrower: refused
            // to everyone signed in without that permission.
            let expected = if refused.iter().any(|s| stage.ends_with(s))
                && own.status != StatusCode::SEE_OTHER
                && *who != BU
                && *who != DERBY
            {
                StatusCode::FORBIDDEN
            } else {
                own.status
            };
            assert_eq!(
                r.status, expected,
                "{who} {stage} (the record: {})",
                own.status
            );
            // Sent to sign in alike (each back to its own page afterwards).
            let to = |l: &str| l.split('?').next().unwrap_or_default().to_owned();
            assert_eq!(to(r.location()), to(own.location()), "{who} {stage}");
        }
    }
    // Another partnership's business unit: not found, as if it did not exist.
    let mut derby = app.signed_in(DERBY).await;
    for stage in stages {
        assert_eq!(
            derby.get(stage).await.status,
            StatusCode::NOT_FOUND,
            "{stage}"
        );
    }
}

both_engines!(a_meetings_cycle_is_a_task_list_of_its_stages, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    masa::demo::seed_meetings(&app.state).await.expect("seats");
    let p = app.partnership("plymouth");
    let mut bu = app.signed_in(BU).await;
    let meeting = crate::support::board_meeting(&app, &mut bu, 20, "Guildhall").await;
    let id: i64 = meeting["/meetings/".len()..].parse().expect("id");

    // A meeting still weeks away: the agenda is open, what happens on the day cannot start.
    let page = bu.get(&meeting).await;
    page.assert_contains("class=\"govuk-task-list\"");
    assert_eq!(status_of(&page.body, "Agenda"), "Not yet started");
    assert_eq!(status_of(&page.body, "Papers"), "Cannot start yet");
    assert_eq!(
        status_of(&page.body, "Attendance and quorum"),
        "Cannot start yet"
    );
    assert_eq!(status_of(&page.body, "Decisions"), "Cannot start yet");
    assert_eq!(
        status_of(&page.body, "Minutes approved"),
        "Cannot start yet"
    );
    assert!(
        !page.body.contains(&format!("action=\"{meeting}/agenda\"")),
        "the summary holds no stage's form"
    );

    // Each stage's page holds its form.
    let stage = |s: &str| format!("{meeting}/{s}");
    bu.get(&stage("agenda"))
        .await
        .assert_contains(&format!("action=\"{meeting}/agenda\""));
    bu.get(&stage("attendance"))
        .await
        .assert_contains(&format!("action=\"{meeting}/attendance\""));
    bu.get(&stage("minutes"))
        .await
        .assert_contains("name=\"step\" value=\"circulate\"");
    bu.get(&stage("change"))
        .await
        .assert_contains(&format!("action=\"{meeting}\" novalidate"));

    // A refused agenda item: on the agenda's page, the error summary and what was typed.
    let r = bu
        .post(
            &stage("agenda"),
            &[
                ("title", ""),
                ("presenter", "Typed presenter"),
                ("purpose", "decision"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("govuk-error-summary");
    r.assert_contains("value=\"Typed presenter\"");
    r.assert_contains("<h1 class=\"govuk-heading-l\" id=\"agenda\">Agenda</h1>");
    // An item added: back on the agenda's page; the agenda is in progress, papers may come.
    let r = bu
        .post(
            &stage("agenda"),
            &[("title", "Neglect strategy"), ("purpose", "decision")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), stage("agenda"));
    let page = bu.get(&meeting).await;
    assert_eq!(status_of(&page.body, "Agenda"), "In progress");
    assert_eq!(status_of(&page.body, "Papers"), "Not yet started");
    let item = masa::meetings::store::agenda(&app.state.db, p, id)
        .await
        .expect("agenda")[0]
        .clone();
    bu.get(&stage("papers"))
        .await
        .assert_contains(&format!("href=\"/meetings/items/{}#papers\"", item.id));
    bu.get(&stage("decisions"))
        .await
        .assert_contains(&format!("href=\"/meetings/items/{}#decisions\"", item.id));

    // Attendance recorded for everyone expected: completed; decisions can now be taken.
    let m = masa::meetings::store::get(&app.state.db, p, id)
        .await
        .expect("q")
        .expect("meeting");
    let rows = masa::meetings::roll(&app.state, p, &m).await.expect("roll");
    assert!(!rows.is_empty(), "the board's members are expected");
    let mut f: Vec<(&str, String)> = Vec::new();
    for r in &rows {
        f.push(("key", r.membership_key.clone()));
        f.push(("version", r.version.to_string()));
        f.push(("status", "present".into()));
        f.push(("deputy", String::new()));
    }
    bu.get(&stage("attendance")).await;
    let r = bu.post_owned(&stage("attendance"), &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), stage("attendance"));
    let page = bu.get(&meeting).await;
    assert_eq!(status_of(&page.body, "Attendance and quorum"), "Completed");
    assert_eq!(status_of(&page.body, "Decisions"), "Not yet started");

    // A minute written and the draft circulated: back on the task list, circulated completed
    // and the approval open, with its form on its own page.
    let r = bu
        .post(
            &format!("/meetings/items/{}/minute", item.id),
            &[("version", &item.version.to_string()), ("text", "Agreed.")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = bu
        .post(
            &stage("minutes"),
            &[("version", "0"), ("step", "circulate")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), meeting);
    let page = bu.get(&meeting).await;
    page.assert_contains("Minutes circulated");
    assert_eq!(status_of(&page.body, "Minutes circulated"), "Completed");
    assert_eq!(status_of(&page.body, "Minutes approved"), "Not yet started");
    bu.get(&stage("approval"))
        .await
        .assert_contains("name=\"step\" value=\"approve\"");
    // A refused approval keeps what was typed, on the approval's page.
    let r = bu
        .post(
            &stage("minutes"),
            &[
                ("version", "1"),
                ("step", "approve"),
                ("approved_at", &id.to_string()),
                ("amendments", "Typed amendment"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("id=\"approved_at-error\"");
    r.assert_contains("Typed amendment");
    r.assert_contains(">Minutes approved</h1>");

    let stages: Vec<String> = [
        "agenda",
        "papers",
        "attendance",
        "decisions",
        "minutes",
        "approval",
        "change",
    ]
    .iter()
    .map(|s| stage(s))
    .collect();
    same_sight(&app, &meeting, &stages, &["/change"]).await;
});

both_engines!(
    a_serious_case_is_a_task_list_of_its_statutory_stages,
    |app| {
        masa::demo::seed_arrangements(&app.state)
            .await
            .expect("arrangements");
        masa::demo::seed_meetings(&app.state).await.expect("seats");
        let mut bu = app.signed_in(BU).await;
        let aware = today().to_string();
        let record = |kind: &'static str, who: &'static str| {
            vec![
                ("kind", kind.to_owned()),
                ("pseudonym", who.to_owned()),
                ("aware_on", aware.clone()),
                ("harm", "seriously-harmed".to_owned()),
                ("abuse", "suspected".to_owned()),
                ("body_key", "pscp-board".to_owned()),
            ]
        };
        bu.get("/reviews/new").await;
        let r = bu
            .post_owned("/reviews", &record("serious-case", "Child T"))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let url = r.location().to_owned();
        let stage = |s: &str| format!("{url}/{s}");

        let page = bu.get(&url).await;
        assert_eq!(
            status_of(&page.body, "Notification and dates"),
            "Not yet started"
        );
        assert_eq!(status_of(&page.body, "Local review"), "Cannot start yet");
        assert_eq!(status_of(&page.body, "Publication"), "Cannot start yet");
        page.assert_contains("Once the partners decide to hold one");

        // Each stage's page holds its forms, and each view is in the audit trail.
        for (s, form) in [
            ("notification", "/dates"),
            ("information", "/requests"),
            ("rapid", "/rapid"),
            ("decision", "/decision"),
            ("learning", "/recommendations"),
        ] {
            let before = app.count("audit_events").await;
            let r = bu.get(&stage(s)).await;
            assert_eq!(r.status, StatusCode::OK, "{s}");
            r.assert_contains(&format!("action=\"{url}{form}\""));
            assert_eq!(app.count("audit_events").await, before + 1, "{s} viewed");
        }
        bu.get(&stage("local"))
            .await
            .assert_contains("A local review begins once all three partners have signed");

        // Bad dates: on the notification page, the error summary and what was typed.
        let c = masa::reviews::cases::list(&app.state.db, app.partnership("plymouth"))
            .await
            .expect("cases")[0]
            .clone();
        let version = c.version.to_string();
        let r = bu
            .post(
                &stage("dates"),
                &[
                    ("version", version.as_str()),
                    ("aware_on", aware.as_str()),
                    ("notified_on", "2999-01-01"),
                    ("panel_reference", "TYPED-REF-1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("govuk-error-summary");
        r.assert_contains("value=\"TYPED-REF-1\"");
        r.assert_contains(">Notification and dates</h1>");
        // Notified and the partners told: the stage is completed.
        let r = bu
            .post(
                &stage("dates"),
                &[
                    ("version", version.as_str()),
                    ("aware_on", aware.as_str()),
                    ("notified_on", aware.as_str()),
                    ("partners_told_on", aware.as_str()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), url);
        let page = bu.get(&url).await;
        assert_eq!(status_of(&page.body, "Notification and dates"), "Completed");
        // A proposed decision: in progress, and back on the decision's page.
        let c = masa::reviews::cases::list(&app.state.db, app.partnership("plymouth"))
            .await
            .expect("cases")[0]
            .clone();
        let r = bu
            .post(
                &stage("decision"),
                &[
                    ("version", &c.version.to_string()),
                    ("decision", "local-review"),
                    ("decision_reasons", "Agencies working together."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), stage("decision"));
        let page = bu.get(&url).await;
        assert_eq!(status_of(&page.body, "Decision"), "In progress");

        // A local learning review is a review in itself: its local review and publication are
        // open, with their forms.
        bu.get("/reviews/new").await;
        let r = bu
            .post_owned("/reviews", &record("local-learning", "Child U"))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let learning = r.location().to_owned();
        let page = bu.get(&learning).await;
        assert_eq!(status_of(&page.body, "Local review"), "Not yet started");
        bu.get(&format!("{learning}/local"))
            .await
            .assert_contains(&format!("action=\"{learning}/local\""));
        bu.get(&format!("{learning}/publication"))
            .await
            .assert_contains(&format!("action=\"{learning}/not-published\""));

        let stages: Vec<String> = [
            "notification",
            "information",
            "rapid",
            "decision",
            "local",
            "publication",
            "learning",
        ]
        .iter()
        .map(|s| stage(s))
        .collect();
        same_sight(&app, &url, &stages, &[]).await;
    }
);

both_engines!(an_assurance_plan_is_a_task_list_of_its_stages, |app| {
    let mut bu = app.signed_in(BU).await;
    let (plan, _, _, _) = crate::assurance::drafted(&app, &mut bu).await;
    let url = format!("/assurance/{plan}");
    let stage = |s: &str| format!("{url}/{s}");

    let page = bu.get(&url).await;
    assert_eq!(status_of(&page.body, "Questions"), "In progress");
    assert_eq!(
        status_of(&page.body, "Agencies and who answers"),
        "In progress"
    );
    assert_eq!(status_of(&page.body, "Issue the plan"), "Not yet started");
    assert_eq!(status_of(&page.body, "Returns"), "Cannot start yet");
    for (s, form) in [
        ("questions", "/questions"),
        ("agencies", "/agencies"),
        ("issue", "/issue"),
    ] {
        bu.get(&stage(s))
            .await
            .assert_contains(&format!("action=\"{url}{form}\""));
    }
    // A question too long: on the questions' page, what was typed kept.
    let long = format!("Typed question {}", "x".repeat(1000));
    let r = bu
        .post(&stage("questions"), &[("text", long.as_str())])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("govuk-error-summary");
    r.assert_contains(&long);
    r.assert_contains(">Questions</h1>");
    // Issued: back on the task list, the drafting stages completed and the returns open.
    let r = bu.post(&stage("issue"), &[("version", "1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), url);
    let page = bu.get(&url).await;
    for s in ["Questions", "Agencies and who answers", "Issue the plan"] {
        assert_eq!(status_of(&page.body, s), "Completed", "{s}");
    }
    assert_eq!(status_of(&page.body, "Returns"), "Not yet started");
    bu.get(&stage("returns"))
        .await
        .assert_contains("Answers by agency and question");

    let stages: Vec<String> = ["questions", "agencies", "issue", "returns", "actions"]
        .iter()
        .map(|s| stage(s))
        .collect();
    same_sight(&app, &url, &stages, &[]).await;
});
