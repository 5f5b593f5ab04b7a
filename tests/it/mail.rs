//! Mail over real SMTP on loopback, and the outbox when there is no SMTP.

use axum::http::StatusCode;
use masa::accounts::model::{Email, Role};
use masa::store::{Actor, Engine};

use crate::support::{SmtpSink, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_are_delivered_over_smtp_and_kept_in_the_outbox() {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let (sink, url) = SmtpSink::start().await;
        let app = TestApp::with_smtp(engine, Some(url)).await;
        // The demo's own invitation is already queued; send everything due.
        let sent = app
            .state
            .mailer
            .deliver_due(&app.state.db)
            .await
            .expect("deliver");
        assert_eq!(sent, 1);
        let p = app.partnership("portsmouth");
        let email = Email::parse("ann.agency@example.org").expect("email");
        masa::accounts::invite(
            &app.state,
            &Actor::system("test"),
            Some((p, "Portsmouth")),
            &email,
            "Ann Agency",
            Some(Role::Practitioner),
            "Solent NHS Trust",
        )
        .await
        .expect("invite");
        app.state
            .mailer
            .deliver_due(&app.state.db)
            .await
            .expect("deliver");
        let got = sink.all();
        assert_eq!(got.len(), 2, "{engine:?}");
        let m = &got[1];
        assert!(m.contains("To: ann.agency@example.org"), "{m}");
        assert!(
            m.contains("Subject: You are invited to Portsmouth on masa"),
            "{m}"
        );
        assert!(m.contains("/invitations/"), "{m}");
        let status: String = app
            .state
            .db
            .fetch_one(
                "SELECT status FROM outbox WHERE to_address = 'ann.agency@example.org'",
                vec![],
            )
            .await
            .expect("q")
            .get("status")
            .expect("s");
        assert_eq!(status, "sent");
        // The business unit can read it.
        let mut admin = app.signed_in("business.unit@plymouth.example").await;
        admin.get("/").await;
        let r = admin
            .post(
                "/switch-partnership",
                &[("partnership_id", &p.0.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let outbox = admin.get("/admin/outbox").await;
        outbox.assert_contains("ann.agency@example.org");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_down_mail_server_is_retried_later() {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let app = TestApp::with_smtp(Engine::Sqlite, Some(format!("smtp://127.0.0.1:{port}"))).await;
    let sent = app
        .state
        .mailer
        .deliver_due(&app.state.db)
        .await
        .expect("deliver");
    assert_eq!(sent, 0);
    let row = app
        .state
        .db
        .fetch_one(
            "SELECT status, attempts, last_error, next_attempt_at FROM outbox",
            vec![],
        )
        .await
        .expect("row");
    assert_eq!(row.get::<String>("status").expect("s"), "pending");
    assert_eq!(row.get::<i64>("attempts").expect("a"), 1);
    assert!(!row.get::<String>("last_error").expect("e").is_empty());
    let next: chrono::DateTime<chrono::Utc> = row.get("next_attempt_at").expect("n");
    assert!(next > chrono::Utc::now());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_mail_stays_in_the_outbox() {
    let app = TestApp::new(Engine::Sqlite).await;
    let status: String = app
        .state
        .db
        .fetch_one("SELECT status FROM outbox", vec![])
        .await
        .expect("q")
        .get("status")
        .expect("s");
    assert_eq!(status, "outbox-only");
    let mut s = app.signed_in("business.unit@plymouth.example").await;
    let page = s.get("/admin/outbox").await;
    page.assert_contains("No mail server is set up");
    page.assert_contains("new.starter@plymouth.example");
    // The message is there to read, its one-time link not.
    let id: i64 = app
        .state
        .db
        .fetch_one("SELECT id FROM outbox", vec![])
        .await
        .expect("q")
        .get("id")
        .expect("id");
    let message = s.get(&format!("/admin/outbox/{id}")).await;
    message.assert_contains("has invited you to");
    message.assert_contains(masa::mail::SECRET_LINK);
    assert!(!message.body.contains("/invitations/"), "{}", message.body);
}
