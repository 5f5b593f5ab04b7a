//! Storage: migrations, the append-only audit trail, tenancy, versions.

use masa::accounts::model::Role;
use masa::accounts::store as accounts;
use masa::store::{Actor, Tx, migrate::migrate};
use masa::web::error::AppError;

use crate::both_engines;

both_engines!(migrations_are_idempotent, |app| {
    let again = migrate(&app.state.db).await.expect("migrate again");
    assert!(again.is_empty(), "applied twice: {again:?}");
});

both_engines!(audit_trail_is_append_only, |app| {
    let n = app.count("audit_events").await;
    assert!(n > 0);
    let db = &app.state.db;
    let upd = db
        .fetch_optional(
            "UPDATE audit_events SET summary = 'tampered' RETURNING id",
            vec![],
        )
        .await;
    assert!(upd.is_err(), "an audit entry was changed");
    let del = db
        .fetch_optional("DELETE FROM audit_events RETURNING id", vec![])
        .await;
    assert!(del.is_err(), "an audit entry was deleted");
    assert_eq!(app.count("audit_events").await, n);
    let s: String = db
        .fetch_one(
            "SELECT summary FROM audit_events ORDER BY id LIMIT 1",
            vec![],
        )
        .await
        .expect("row")
        .get("summary")
        .expect("summary");
    assert_ne!(s, "tampered");
});

both_engines!(queries_stay_inside_their_partnership, |app| {
    let (ply, derby) = (
        app.partnership("plymouth"),
        app.partnership("derby-derbyshire"),
    );
    let db = &app.state.db;
    let ply_people = accounts::members_of(db, ply).await.expect("members");
    let derby_people = accounts::members_of(db, derby).await.expect("members");
    assert!(ply_people.iter().all(|(m, _)| m.partnership_id == ply.0));
    assert!(!derby_people.is_empty());
    let derby_id = derby_people[0].0.id;
    assert!(
        accounts::member(db, ply, derby_id)
            .await
            .expect("query")
            .is_none(),
        "another partnership's member was returned"
    );
    assert!(
        accounts::member(db, derby, derby_id)
            .await
            .expect("query")
            .is_some()
    );
});

both_engines!(a_stale_edit_is_refused_with_who_and_when, |app| {
    let p = app.partnership("plymouth");
    let db = &app.state.db;
    let (m, _) = accounts::members_of(db, p)
        .await
        .expect("members")
        .into_iter()
        .find(|(m, _)| m.role == Role::Practitioner)
        .expect("practitioner");
    let alice = Actor {
        user_id: None,
        name: "Alice Admin".into(),
        ip: "127.0.0.1".into(),
        request_id: "t1".into(),
    };
    let mut tx = Tx::begin(db, &alice).await.expect("tx");
    accounts::update_member(db, &mut tx, p, m.id, m.version, Role::Member, "NHS Devon")
        .await
        .expect("first edit");
    tx.commit().await.expect("commit");
    // Bob edits the copy he opened before Alice saved.
    let bob = Actor {
        name: "Bob Admin".into(),
        ..alice.clone()
    };
    let mut tx = Tx::begin(db, &bob).await.expect("tx");
    let e = accounts::update_member(db, &mut tx, p, m.id, m.version, Role::Scrutineer, "Other")
        .await
        .expect_err("stale edit accepted");
    drop(tx);
    match e {
        AppError::Conflict(msg) => assert!(msg.contains("changed by Alice Admin at "), "{msg}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let (now, _) = accounts::member(db, p, m.id)
        .await
        .expect("q")
        .expect("row");
    assert_eq!(
        (now.role, now.organisation.as_str(), now.version),
        (Role::Member, "NHS Devon", m.version + 1)
    );
});

both_engines!(timestamps_round_trip_and_sort, |app| {
    let db = &app.state.db;
    let rows = db
        .fetch_all("SELECT at FROM audit_events ORDER BY at", vec![])
        .await
        .expect("rows");
    let times: Vec<chrono::DateTime<chrono::Utc>> =
        rows.iter().map(|r| r.get("at").expect("at")).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    let t = chrono::DateTime::parse_from_rfc3339("2026-11-24T14:02:03.456789Z")
        .expect("t")
        .with_timezone(&chrono::Utc);
    let back: chrono::DateTime<chrono::Utc> = db
        .fetch_one("SELECT $1 AS t", masa::args![t])
        .await
        .expect("row")
        .get("t")
        .expect("t");
    assert_eq!(back, t);
});

both_engines!(reading_a_restricted_record_is_recorded_and_shown, |app| {
    // Later capabilities mark records restricted and call this on every view; the trail
    // must keep and show it like any other entry.
    let p = app.partnership("plymouth");
    let viewer = Actor {
        user_id: None,
        name: "Sam Scrutineer".into(),
        ip: "10.1.2.3".into(),
        request_id: "r-1".into(),
    };
    let record = masa::store::RecordRef {
        partnership: Some(p),
        record_type: "case",
        record_id: "42".into(),
    };
    masa::store::record_event(
        &app.state.db,
        &viewer,
        masa::store::Action::Read,
        &record,
        "Viewed the case record of Child C",
    )
    .await
    .expect("record");
    let mut c = app.signed_in("scrutineer@plymouth.example").await;
    let page = c.get("/audit?action=read&record_type=case").await;
    page.assert_contains("Viewed the case record of Child C");
    page.assert_contains("10.1.2.3");
    // Sign-ins appear in the partnership's own trail too.
    let page = c.get("/audit?action=sign-in").await;
    page.assert_contains("Signed in with a password and two-factor code");
});

both_engines!(parameters_bind_by_number_wherever_they_stand, |app| {
    let r = app
        .state
        .db
        .fetch_one(
            "SELECT $2 AS b, $1 AS a, $2 AS b2",
            masa::args![7_i64, "seven"],
        )
        .await
        .expect("row");
    assert_eq!(r.get::<String>("b").expect("b"), "seven");
    assert_eq!(r.get::<i64>("a").expect("a"), 7);
    assert_eq!(r.get::<String>("b2").expect("b2"), "seven");
    let none: Option<i64> = app
        .state
        .db
        .fetch_one("SELECT $1 AS n", masa::args![None::<i64>])
        .await
        .expect("row")
        .get("n")
        .expect("n");
    assert_eq!(none, None);
});

both_engines!(
    a_transaction_dropped_without_commit_changes_nothing,
    |app| {
        let before = (
            app.count("partnerships").await,
            app.count("audit_events").await,
        );
        {
            let actor = Actor::system("test");
            let mut tx = Tx::begin(&app.state.db, &actor).await.expect("tx");
            masa::partnerships::store::create(&mut tx, "torbay", "Torbay")
                .await
                .expect("create");
            // dropped here: an error path that returns early
        }
        assert_eq!(
            (
                app.count("partnerships").await,
                app.count("audit_events").await
            ),
            before
        );
        // The connection went back to the pool in a usable state.
        let actor = Actor::system("test");
        let mut tx = Tx::begin(&app.state.db, &actor).await.expect("tx");
        masa::partnerships::store::create(&mut tx, "torbay", "Torbay")
            .await
            .expect("create");
        tx.commit().await.expect("commit");
        assert_eq!(app.count("partnerships").await, before.0 + 1);
    }
);

// Migration 0012 moves the evidence of actions and of assurance answers into `attachments`:
// replayed over the two old tables, each row arrives under its record's type, nothing lost.
both_engines!(evidence_moves_into_attachments_whole, |app| {
    let db = &app.state.db;
    let p = app.partnership("plymouth");
    let actor = Actor::system("test");
    let action = masa::actions::store::add(
        db,
        &actor,
        p,
        &masa::actions::store::NewAction {
            source_kind: "audit".into(),
            source_id: 1,
            body_key: String::new(),
            reference: "Section 11 audit".into(),
            title: "Update the escalation policy".into(),
            owner_name: "Jo Bloggs".into(),
            owner_organisation: String::new(),
            owner_user_id: None,
            due: masa::calendar::today(),
            sensitive: false,
            restricted_item: None,
        },
    )
    .await
    .expect("action");
    let a = masa::actions::store::get(db, p, action)
        .await
        .expect("q")
        .expect("action");
    let pdf = masa::demo::demo_paper("Policy").expect("pdf");
    let attached = masa::actions::store::add_evidence(
        db,
        &app.state.files,
        &actor,
        p,
        &a,
        "The policy",
        ("policy.pdf".into(), masa::files::FileType::Pdf, pdf),
    )
    .await
    .expect("evidence");
    let file = attached.file.id;
    // As the database stood before 0012.
    let (id, ts) = match db.engine() {
        masa::store::Engine::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT"),
        masa::store::Engine::Postgres => ("BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ"),
    };
    let mut tx = db.begin().await.expect("tx");
    tx.execute_script(format!(
        "DROP TABLE attachments;
         DELETE FROM schema_migrations WHERE version = 12;
         CREATE TABLE action_evidence (id {id}, partnership_id BIGINT NOT NULL, action_id BIGINT NOT NULL, file_id BIGINT NOT NULL, description TEXT NOT NULL DEFAULT '', created_at {ts} NOT NULL, created_by TEXT NOT NULL DEFAULT '');
         CREATE TABLE assurance_evidence (id {id}, partnership_id BIGINT NOT NULL, answer_id BIGINT NOT NULL, file_id BIGINT NOT NULL, created_at {ts} NOT NULL, created_by TEXT NOT NULL);
         INSERT INTO action_evidence (partnership_id, action_id, file_id, description, created_at, created_by) VALUES ({p}, {action}, {file}, 'The policy', '2026-11-30T10:00:00Z', 'Jo');
         INSERT INTO assurance_evidence (partnership_id, answer_id, file_id, created_at, created_by) VALUES ({p}, 77, {file}, '2026-11-30T11:00:00Z', 'Morgan');",
        p = p.0
    ))
    .await
    .expect("the old tables");
    tx.commit().await.expect("commit");
    assert_eq!(migrate(db).await.expect("migrate"), vec![12]);
    let rows = db
        .fetch_all(
            "SELECT record_type, record_id, file_id, description, created_by FROM attachments ORDER BY id",
            vec![],
        )
        .await
        .expect("q");
    let got: Vec<(String, i64, i64, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.get("record_type").expect("c"),
                r.get("record_id").expect("c"),
                r.get("file_id").expect("c"),
                r.get("description").expect("c"),
                r.get("created_by").expect("c"),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "action".into(),
                action,
                file,
                "The policy".into(),
                "Jo".into()
            ),
            (
                "assurance-answer".into(),
                77,
                file,
                String::new(),
                "Morgan".into()
            ),
        ]
    );
    let e = masa::actions::store::EVIDENCE
        .list(db, p, &[action])
        .await
        .expect("list");
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].file.name, "policy.pdf");
    for old in ["action_evidence", "assurance_evidence"] {
        let gone = db
            .fetch_optional(masa::store::Sql::join(&["SELECT 1 FROM ", old]), vec![])
            .await;
        assert!(gone.is_err(), "{old} is gone");
    }
});
