//! The review rules' editions: shipped as data, added by the host, the one in force chosen by
//! date, and bad input refused with nothing stored.

use axum::http::StatusCode;
use chrono::NaiveDate;

use crate::both_engines;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

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
        ("in_force_from", "next year", "the day it comes into force"),
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
