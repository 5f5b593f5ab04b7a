//! The review rules' editions: shipped as data, added by the host, the one in force chosen by
//! date, and bad input refused with nothing stored.

use axum::http::StatusCode;

use crate::both_engines;
use crate::support::day;

both_engines!(editions_are_data_the_host_adds_to, |app| {
    use masa::reviews::{model, store};
    // The editions the migration ships are the ones the rules describe.
    assert_eq!(
        store::editions(&app.state.db).await.expect("editions"),
        model::shipped()
    );

    let mut host = app.signed_in("host@masa.example").await;
    host.get("/system/review-editions")
        .await
        .assert_contains("Working Together to Safeguard Children 2023");
    let good = [
        ("key", "wt2027"),
        ("name", "Working Together 2027"),
        ("in_force_from", "2027-04-01"),
        ("notify_within", "5"),
        ("tell_partners_within", "5"),
        ("rapid_review_within", "20"),
        ("rapid_review_from", "notification"),
        ("publish_within_months", "9"),
        ("final_report_before", "10"),
    ];
    let with = |field: &str, value: &'static str| {
        good.iter()
            .map(|(k, v)| (*k, if *k == field { value } else { *v }))
            .collect::<Vec<_>>()
    };
    // Bad input: every problem named against its field, nothing stored.
    for (field, value, message) in [
        ("key", "Bad Key!", "lower-case letters"),
        ("name", "", "title, in 200 characters or fewer"),
        ("in_force_from", "next year", "must be a real date"),
        ("in_force_from", "", "the day it comes into force"),
        ("rapid_review_within", "0", "from 1 to 60"),
        ("rapid_review_from", "whenever", "Select when"),
        ("publish_within_months", "99", "from 1 to 24"),
        ("key", "wt2018", "already an edition called wt2018"),
        (
            "in_force_from",
            "2025-01-01",
            "already comes into force on that day",
        ),
    ] {
        let r = host
            .post("/system/review-editions", &with(field, value))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}"
        );
        r.assert_contains(message);
        r.assert_contains(&format!("href=\"#{field}\""));
    }
    assert_eq!(app.count("review_editions").await, 2, "nothing stored");
    let r = host.post("/system/review-editions", &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let editions = store::editions(&app.state.db).await.expect("editions");
    assert_eq!(editions.len(), 3);
    // A case the authority becomes aware of before the new edition keeps the old one.
    assert_eq!(
        model::in_force(&editions, day("2027-03-31")).map(|e| e.key.as_str()),
        Some("wt2023-panel2025")
    );
    assert_eq!(
        model::in_force(&editions, day("2027-04-01")).map(|e| e.key.as_str()),
        Some("wt2027")
    );
    assert_eq!(model::in_force(&editions, day("2018-01-01")), None);
    let audited = app
        .state
        .db
        .fetch_all(
            "SELECT summary FROM audit_events WHERE record_type = 'review-edition'",
            vec![],
        )
        .await
        .expect("audit");
    assert_eq!(audited.len(), 1, "the addition is in the audit trail");

    // The partnership sees the rules in force; it cannot add an edition.
    let mut member = app.signed_in("member@plymouth.example").await;
    let r = member.get("/reviews/rules").await;
    assert_eq!(r.status, StatusCode::OK);
    r.assert_contains("In force today");
    assert!(!r.body.contains("Add an edition"));
});

/// Post a new case; returns the response.
async fn record(c: &mut crate::support::Client, fields: &[(&str, &str)]) -> crate::support::Resp {
    c.get("/reviews/new").await;
    c.post("/reviews", fields).await
}

both_engines!(
    case_records_are_restricted_audited_and_count_working_days,
    |app| {
        masa::demo::seed_arrangements(&app.state)
            .await
            .expect("arrangements");
        let p = app.partnership("plymouth");
        let mut bu = app.signed_in("business.unit@plymouth.example").await;
        let good = [
            ("kind", "serious-case"),
            ("pseudonym", "Child C"),
            ("la_reference", "PCC/2022/0042"),
            ("age_band", "1 to 5"),
            ("incident_on", "2022-09-09"),
            ("aware_on", "2022-09-12"),
            ("harm", "seriously-harmed"),
            ("abuse", "suspected"),
            ("categories", "Neglect"),
            (
                "agencies",
                "Children's social care; health visiting; police",
            ),
            ("body_key", "pscp-board"),
        ];
        let with = |field: &str, value: &'static str| {
            good.iter()
                .map(|(k, v)| (*k, if *k == field { value } else { *v }))
                .collect::<Vec<_>>()
        };
        // Hostile and mistaken input: each refused against its field, nothing stored.
        for (field, value, message) in [
            ("pseudonym", "", "Enter the name the case goes by"),
            ("pseudonym", "<script>alert(1)</script>", "letters, numbers"),
            ("pseudonym", "Jane Mary Anne Smith", "never the child"),
            ("kind", "murder", "Select what kind of case"),
            ("aware_on", "yesterday", "must be a real date"),
            ("aware_on", "2099-01-01", "today or in the past"),
            ("aware_on", "2022-09-01", "before the incident"),
            ("harm", "bruised", "died or was seriously harmed"),
            ("abuse", "maybe", "known or suspected"),
            ("body_key", "no-such-body", "the body that reviews"),
            ("age_band", "42", "Select an age band"),
        ] {
            let r = record(&mut bu, &with(field, value)).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{field}={value}"
            );
            r.assert_contains(message);
            assert!(!r.body.contains("<script>alert"), "input is escaped");
        }
        // Before any edition: the host must add one first.
        let mut early = with("aware_on", "2017-01-01");
        early.retain(|(k, _)| *k != "incident_on");
        let r = record(&mut bu, &early).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("No edition of the rules was in force");
        assert_eq!(app.count("review_cases").await, 0, "nothing stored");

        let r = record(&mut bu, &good).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let case_url = r.location().to_owned();
        let cases = masa::reviews::cases::list(&app.state.db, p)
            .await
            .expect("cases");
        assert_eq!(
            cases[0].edition_key, "wt2018",
            "the edition in force when the authority became aware"
        );
        // Aware on Monday 12 September 2022: notify the Panel by Tuesday 20th (the 19th was the
        // state funeral), not Monday 19th.
        let page = bu.get(&case_url).await;
        page.assert_contains("Tue 20 September 2022");
        assert!(!page.body.contains("Mon 19 September 2022"));
        // Under the 2018 rules the rapid review runs from awareness: 15 working days is 4 October.
        page.assert_contains("Tue 4 October 2022");

        // Correcting the date the authority became aware recomputes the deadlines, and the
        // correction is in the audit trail; the case keeps its edition.
        bu.get(&case_url).await;
        let r = bu
            .post(
                &format!("{case_url}/dates"),
                &[
                    ("version", "1"),
                    ("aware_on", "2022-09-13"),
                    ("notified_on", "2022-09-15"),
                    ("panel_reference", "CSPRP-2022-123"),
                    ("partners_told_on", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = bu.get(&case_url).await;
        page.assert_contains("Wed 21 September 2022");
        page.assert_contains("CSPRP-2022-123");
        // A stale copy of the form is told, not applied.
        let r = bu
            .post(
                &format!("{case_url}/dates"),
                &[
                    ("version", "1"),
                    ("aware_on", "2022-09-12"),
                    ("notified_on", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        // A notification before awareness is refused.
        let r = bu
            .post(
                &format!("{case_url}/dates"),
                &[
                    ("version", "2"),
                    ("aware_on", "2022-09-13"),
                    ("notified_on", "2022-09-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("before the authority became aware");

        // Who may read it: the business unit, the scrutineer, the reviewing body's members.
        let mut scrutineer = app.signed_in("scrutineer@plymouth.example").await;
        let before = app.count("audit_events").await;
        assert_eq!(scrutineer.get(&case_url).await.status, StatusCode::OK);
        assert_eq!(
            app.count("audit_events").await,
            before + 1,
            "every view is recorded"
        );
        bu.get("/audit?record_type=review-case")
            .await
            .assert_contains("Case viewed: Child C");
        let mut practitioner = app.signed_in("practitioner@plymouth.example").await;
        assert_eq!(
            practitioner.get(&case_url).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.client().get(&case_url).await.status,
            StatusCode::SEE_OTHER,
            "the public is sent to sign in"
        );
        // Morgan Member holds no seat yet: not theirs to read, not even listed.
        let mut morgan = app.signed_in("member@plymouth.example").await;
        assert_eq!(morgan.get(&case_url).await.status, StatusCode::NOT_FOUND);
        assert!(!morgan.get("/reviews").await.body.contains("Child C"));
        // Given a seat on the reviewing body, Morgan reads it.
        masa::demo::seed_meetings(&app.state).await.expect("seats");
        assert_eq!(morgan.get(&case_url).await.status, StatusCode::OK);
        morgan.get("/reviews").await.assert_contains("Child C");
        // The same through the API, with Morgan's token: listed, read, and the reading recorded.
        let mut api = morgan.api_client("reviews").await;
        let listed: serde_json::Value =
            serde_json::from_str(&api.get("/api/v1/reviews").await.body).expect("json");
        assert_eq!(listed[0]["pseudonym"], "Child C");
        let id = listed[0]["id"].as_i64().expect("id");
        let before = app.count("audit_events").await;
        let one = api.get(&format!("/api/v1/reviews/{id}")).await;
        assert_eq!(one.status, StatusCode::OK);
        assert_eq!(
            app.count("audit_events").await,
            before + 1,
            "the API reading is recorded"
        );
        let one: serde_json::Value = serde_json::from_str(&one.body).expect("json");
        assert_eq!(one["edition"], "wt2018");
        assert_eq!(one["serious"], true);
        assert_eq!(one["deadlines"][0]["by"], "2022-09-21");
        assert_eq!(one["deadlines"][0]["status"], "done");
        // Another partnership's people never see it.
        let mut derby = app.signed_in("admin@derby.example").await;
        assert_eq!(derby.get(&case_url).await.status, StatusCode::NOT_FOUND);
    }
);

both_engines!(a_decision_needs_all_three_partners_signatures, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    let p = app.partnership("plymouth");
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    let r = record(
        &mut bu,
        &[
            ("kind", "serious-case"),
            ("pseudonym", "Child D"),
            ("aware_on", "2025-03-03"),
            ("harm", "died"),
            ("abuse", "known"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let url = r.location().to_owned();
    let version = || async {
        masa::reviews::cases::list(&app.state.db, p)
            .await
            .expect("cases")[0]
            .version
            .to_string()
    };

    // Not sent to the Panel before there is a decision.
    bu.get(&url).await;
    let r = bu
        .post(
            &format!("{url}/dates"),
            &[
                ("version", &version().await),
                ("aware_on", "2025-03-03"),
                ("sent_to_panel_on", "2025-03-20"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("all three partners sign it off first");

    // Morgan holds the three delegates' seats (the council's, the ICB's, the police's).
    crate::support::make_delegate(&app.state, p, "member@plymouth.example").await;
    let mut m = app.signed_in("member@plymouth.example").await;
    // Nothing to sign before a decision is proposed.
    assert!(!m.get(&url).await.body.contains("Sign off for"));

    // The business unit proposes: bad input first.
    bu.get(&url).await;
    let v = version().await;
    let r = bu
        .post(
            &format!("{url}/decision"),
            &[
                ("version", &v),
                ("decision", "maybe"),
                ("decision_reasons", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("Select what the rapid review decided");
    r.assert_contains("Give the reasons");
    let r = bu
        .post(
            &format!("{url}/decision"),
            &[
                ("version", &v),
                ("decision", "local-review"),
                (
                    "decision_reasons",
                    "Concerns about how agencies worked together.",
                ),
                ("scrutineer_advice", "Agrees a local review is appropriate."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // The scrutineer advises but does not sign; nor does the business unit.
    let mut s = app.signed_in("scrutineer@plymouth.example").await;
    s.get(&url).await;
    assert_eq!(
        s.post(&format!("{url}/signoff"), &[("partner", "police")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    bu.get(&url).await;
    assert_eq!(
        bu.post(&format!("{url}/signoff"), &[("partner", "police")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Two signatures are not a decision.
    let page = m.get(&format!("{url}/decision")).await;
    page.assert_contains("Sign off for the");
    for partner in ["local-authority", "health"] {
        m.get(&url).await;
        let r = m
            .post(&format!("{url}/signoff"), &[("partner", partner)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{partner}");
    }
    let c = masa::reviews::cases::list(&app.state.db, p)
        .await
        .expect("cases")[0]
        .clone();
    assert_eq!(c.decided_on, None, "two signatures are not a decision");
    m.get(&format!("{url}/decision"))
        .await
        .assert_contains("Not yet a decision");
    // Changing the proposal withdraws the signatures given to the old one.
    bu.get(&url).await;
    let r = bu
        .post(
            &format!("{url}/decision"),
            &[
                ("version", &version().await),
                ("decision", "local-review"),
                (
                    "decision_reasons",
                    "Concerns about how agencies worked together; and the Panel asked.",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("review_signoffs").await,
        0,
        "signatures withdrawn"
    );
    for partner in ["local-authority", "health"] {
        m.get(&url).await;
        m.post(&format!("{url}/signoff"), &[("partner", partner)])
            .await;
    }
    assert_eq!(app.count("review_signoffs").await, 2);
    // Signing twice for the same partner changes nothing.
    m.get(&url).await;
    assert_eq!(
        m.post(&format!("{url}/signoff"), &[("partner", "health")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The third makes it final, dated today; the local review's publication deadline follows.
    m.get(&url).await;
    m.post(&format!("{url}/signoff"), &[("partner", "police")])
        .await;
    let c = masa::reviews::cases::list(&app.state.db, p)
        .await
        .expect("cases")[0]
        .clone();
    assert_eq!(
        c.decided_on,
        Some(masa::calendar::uk_local(chrono::Utc::now()).date())
    );
    let page = bu.get(&url).await;
    page.assert_contains("Final");
    page.assert_contains("Publish the local review");
    // Sent to the Panel: only once final, recorded with the dates.
    let c = masa::reviews::cases::list(&app.state.db, p)
        .await
        .expect("cases")[0]
        .clone();
    bu.get(&url).await;
    let r = bu
        .post(
            &format!("{url}/dates"),
            &[
                ("version", &c.version.to_string()),
                ("aware_on", "2025-03-03"),
                (
                    "sent_to_panel_on",
                    &masa::calendar::uk_local(chrono::Utc::now())
                        .date()
                        .to_string(),
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    bu.get(&format!("{url}/decision"))
        .await
        .assert_contains("Sent to the Panel with the rapid review on");
    // A final decision is not reopened.
    let r = bu
        .post(
            &format!("{url}/decision"),
            &[
                ("version", &version().await),
                ("decision", "no-review"),
                ("decision_reasons", "Changed our minds."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("The decision is final");
});
