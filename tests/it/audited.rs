//! Every write is in the audit trail: the sets of rows that belong to a record (votes, notes,
//! readers, answers, milestones, signatures) with the old set and the new, and nothing else
//! written unaudited.

use masa::store::Actor;

use crate::both_engines;
use crate::support::TestApp;

/// The newest audit entry about a record whose after-image holds `key`: its before and after.
pub async fn last_change(
    app: &TestApp,
    record_type: &str,
    id: i64,
    key: &str,
) -> (serde_json::Value, serde_json::Value) {
    let rows = app
        .state
        .db
        .fetch_all(
            "SELECT before_json, after_json FROM audit_events WHERE record_type = $1 AND record_id = $2 ORDER BY id DESC",
            masa::args![record_type, id.to_string()],
        )
        .await
        .expect("audit");
    for r in rows {
        let after: Option<String> = r.get("after_json").expect("after");
        let after: serde_json::Value =
            serde_json::from_str(&after.unwrap_or_default()).unwrap_or_default();
        if after.get(key).is_some() {
            let before: Option<String> = r.get("before_json").expect("before");
            let before = serde_json::from_str(&before.unwrap_or_default()).unwrap_or_default();
            return (before, after);
        }
    }
    panic!("no audit entry of {record_type} {id} with {key}");
}

both_engines!(the_sets_a_record_owns_are_audited_old_and_new, |app| {
    use masa::meetings::store as ms;
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    masa::demo::seed_meetings(&app.state)
        .await
        .expect("meetings");
    let p = app.partnership("plymouth");
    let actor = Actor::system("test");
    let item: i64 = app
        .state
        .db
        .fetch_one(
            "SELECT MAX(id) AS id FROM agenda_items WHERE partnership_id = $1 AND restricted = TRUE",
            masa::args![p],
        )
        .await
        .expect("item")
        .get("id")
        .expect("id");
    let item = ms::agenda_item(&app.state.db, p, item)
        .await
        .expect("q")
        .expect("item");

    // Votes, written with their decision.
    let d = ms::Decision {
        id: 0,
        agenda_item_id: item.id,
        text: "Refer to the Panel".into(),
        method: "vote".into(),
        outcome: "carried".into(),
        votes_for: 2,
        votes_against: 0,
        abstentions: 0,
        dissent: String::new(),
    };
    let votes = vec![
        ms::VoteCast {
            membership_key: "a".into(),
            name: "Ann".into(),
            vote: "for".into(),
        },
        ms::VoteCast {
            membership_key: "b".into(),
            name: "Bo".into(),
            vote: "for".into(),
        },
    ];
    let decision = ms::record_decision(&app.state.db, &actor, p, item.meeting_id, &d, &votes)
        .await
        .expect("decision");
    let (before, after) = last_change(&app, "decision", decision, "votes").await;
    assert_eq!(before, serde_json::json!({"votes": []}));
    assert_eq!(after["votes"][1]["name"], "Bo");

    // Readers of a restricted item: the old set read inside the transaction.
    let member = masa::accounts::store::user_by_email(&app.state.db, "member@plymouth.example")
        .await
        .expect("q")
        .expect("user")
        .0;
    masa::access::set_readers(
        &app.state.db,
        &actor,
        p,
        item.id,
        &item.title,
        &[(member.id, member.name.clone())],
    )
    .await
    .expect("named");
    masa::access::set_readers(&app.state.db, &actor, p, item.id, &item.title, &[])
        .await
        .expect("unnamed");
    let (before, after) = last_change(&app, "agenda-item", item.id, "readers").await;
    assert_eq!(before["readers"][0]["user_id"], member.id);
    assert_eq!(after, serde_json::json!({"readers": []}));

    // A progress note on an action.
    let action = masa::actions::store::add(
        &app.state.db,
        &actor,
        p,
        &masa::actions::store::NewAction {
            source_kind: "minute".into(),
            source_id: item.id,
            body_key: item.body_key.clone(),
            reference: String::new(),
            title: "Write to the Panel".into(),
            owner_name: "Jo".into(),
            owner_organisation: String::new(),
            owner_user_id: None,
            due: chrono::NaiveDate::from_ymd_opt(2027, 1, 1).expect("day"),
            sensitive: false,
            restricted_item: Some(item.id),
        },
    )
    .await
    .expect("action");
    masa::actions::store::progress(
        &app.state.db,
        &actor,
        p,
        action,
        1,
        &masa::actions::store::Progress {
            status: masa::actions::model::Status::Open,
            due: chrono::NaiveDate::from_ymd_opt(2027, 1, 1).expect("day"),
            note: "Letter drafted".into(),
            escalate: false,
        },
    )
    .await
    .expect("q")
    .expect("saved");
    let (_, after) = last_change(&app, "action", action, "note").await;
    assert_eq!(after["note"], "Letter drafted");
});

both_engines!(the_trail_says_what_changed_in_words, |app| {
    use axum::http::StatusCode;
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    let meeting = crate::support::board_meeting(&app, &mut bu, 20, "Guildhall").await;
    let id = meeting.trim_start_matches("/meetings/");
    let date = masa::calendar::working_days::Calendar::shipped()
        .add_working_days(crate::support::today(), 20)
        .to_string();
    let r = bu
        .post(
            &format!("/meetings/{id}"),
            &[
                ("version", "1"),
                ("date", date.as_str()),
                ("start_time", "10:00"),
                ("venue", "Council House"),
                ("status", "scheduled"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The list names the kind of record and the action in words, not machine names.
    let list = bu
        .get(&format!("/audit?record_type=meeting&record_id={id}"))
        .await;
    list.assert_contains("<td class=\"govuk-table__cell\">Changed</td>");
    list.assert_contains("<td class=\"govuk-table__cell\">Meeting ");
    assert!(!list.body.contains(">update<"), "no machine words");
    let entry = list
        .body
        .split("href=\"/audit/")
        .filter_map(|s| s.split('"').next())
        .find(|s| s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty())
        .map(|s| format!("/audit/{s}"))
        .expect("an entry");
    let page = bu.get(&entry).await;
    page.assert_contains("What changed");
    let row = page
        .body
        .split("<th scope=\"row\" class=\"govuk-table__header\">Venue</th>")
        .nth(1)
        .and_then(|s| s.split("</tr>").next())
        .unwrap_or_default()
        .to_owned();
    assert!(
        row.contains("Guildhall") && row.contains("Council House"),
        "venue: before and after in words: {row}"
    );
    page.assert_contains("The record as stored");
});
