//! What the council's IT security team will try.

use axum::http::StatusCode;
use masa::accounts::store as accounts;

use crate::both_engines;
use crate::support::TestApp;

async fn member_of(app: &TestApp, slug: &str) -> i64 {
    accounts::members_of(&app.state.db, app.partnership(slug))
        .await
        .expect("members")[0]
        .0
        .id
}

both_engines!(a_form_without_its_csrf_token_is_refused, |app| {
    let mut c = app.signed_in("business.unit@plymouth.example").await;
    let before = (
        app.count("invitations").await,
        app.count("audit_events").await,
    );
    let r = c
        .post_raw(
            "/admin/people/invite",
            "name=Eve&email=eve%40example.org&role=partnership-admin",
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Refused; what was sent comes back to be saved on purpose, with a fresh token.
    r.assert_contains("has not been saved yet");
    let r = c
        .post_raw(
            "/admin/people/invite",
            "name=Eve&email=eve%40example.org&role=partnership-admin&csrf_token=guess",
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        (
            app.count("invitations").await,
            app.count("audit_events").await
        ),
        before
    );
});

both_engines!(a_cookie_from_before_sign_in_is_useless_after, |app| {
    let mut c = app.client();
    c.get("/sign-in").await;
    let before = c.cookies.clone();
    assert!(!before.is_empty(), "the sign-in page sets a form cookie");
    c.sign_in(
        "practitioner@plymouth.example",
        masa::demo::DEMO_PASSWORD,
        None,
    )
    .await;
    assert_ne!(c.cookies, before, "the session id was not rotated");
    assert_eq!(c.get("/account").await.status, StatusCode::OK);
    let mut attacker = app.client();
    attacker.cookies = before;
    let r = attacker.get("/account").await;
    assert!(
        r.location().starts_with("/sign-in?next="),
        "the old cookie still works: {}",
        r.status
    );
});

both_engines!(another_partnerships_records_are_not_found, |app| {
    let derby_member = member_of(&app, "derby-derbyshire").await;
    let mut c = app.signed_in("business.unit@plymouth.example").await;
    assert_eq!(
        c.get(&format!("/admin/people/{derby_member}")).await.status,
        StatusCode::NOT_FOUND
    );
    c.get("/admin/people").await;
    let before = app.count("audit_events").await;
    let r = c
        .post(
            &format!("/admin/people/{derby_member}"),
            &[
                ("role", "scrutineer"),
                ("organisation", "x"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = c
        .post(&format!("/admin/people/{derby_member}/remove"), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("audit_events").await, before);
    let derby_audit: i64 = app
        .state
        .db
        .fetch_one(
            "SELECT MAX(id) AS id FROM audit_events WHERE partnership_id = $1",
            masa::args![app.partnership("derby-derbyshire")],
        )
        .await
        .expect("q")
        .get("id")
        .expect("id");
    assert_eq!(
        c.get(&format!("/audit/{derby_audit}")).await.status,
        StatusCode::NOT_FOUND
    );
    // And through the API, with the admin's own token.
    c.get("/account/tokens").await;
    let r = c
        .post("/account/tokens", &[("name", "probe"), ("expiry", "30")])
        .await;
    let start = r.body.find("id=\"new-token\">").expect("token shown") + "id=\"new-token\">".len();
    let token = r.body[start..].split('<').next().expect("token").to_owned();
    let mut api = app.client();
    api.bearer = Some(token);
    assert_eq!(api.get("/api/v1/people").await.status, StatusCode::OK);
    let r = api.get(&format!("/api/v1/people/{derby_member}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("\"status\":404"), "{}", r.body);
    let r = api.get("/api/v1/people").await;
    assert!(
        !r.body.contains("derby.example"),
        "another partnership's people listed"
    );
});

both_engines!(every_write_leaves_its_audit_entry, |app| {
    let mut c = app.signed_in("business.unit@plymouth.example").await;
    let p = app.partnership("plymouth");
    let practitioner = accounts::members_of(&app.state.db, p)
        .await
        .expect("m")
        .into_iter()
        .find(|(_, u)| u.email.starts_with("practitioner"))
        .expect("practitioner")
        .0;
    c.get(&format!("/admin/people/{}", practitioner.id)).await;
    let v = practitioner.version.to_string();
    let r = c
        .post(
            &format!("/admin/people/{}", practitioner.id),
            &[
                ("role", "member"),
                ("organisation", "Livewell Southwest"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let row = app
        .state
        .db
        .fetch_one("SELECT actor_name, ip, action, before_json, after_json FROM audit_events WHERE record_type = 'membership' AND record_id = $1 ORDER BY id DESC LIMIT 1", masa::args![practitioner.id.to_string()])
        .await
        .expect("an audit entry");
    assert_eq!(row.get::<String>("action").expect("a"), "update");
    assert_eq!(
        row.get::<String>("actor_name").expect("a"),
        "Jo Business-Unit"
    );
    assert_eq!(row.get::<String>("ip").expect("ip"), "127.0.0.1");
    assert!(
        row.get::<Option<String>>("before_json")
            .expect("b")
            .expect("before")
            .contains("University Hospitals Plymouth")
    );
    assert!(
        row.get::<Option<String>>("after_json")
            .expect("a")
            .expect("after")
            .contains("Livewell Southwest")
    );
    // Removal is a delete with the record as it was.
    c.get(&format!("/admin/people/{}", practitioner.id)).await;
    c.post(&format!("/admin/people/{}/remove", practitioner.id), &[])
        .await;
    let del: i64 = app.state.db.fetch_one("SELECT COUNT(*) AS n FROM audit_events WHERE record_type = 'membership' AND action = 'delete' AND before_json IS NOT NULL", vec![]).await.expect("q").get("n").expect("n");
    assert_eq!(del, 1);
    // The audit page finds it, and the CSV export carries it.
    let page = c
        .get(&format!(
            "/audit?record_type=membership&record_id={}",
            practitioner.id
        ))
        .await;
    page.assert_contains("removed from the partnership");
    let csv = c.get("/audit.csv?record_type=membership").await;
    assert_eq!(
        csv.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/csv; charset=utf-8")
    );
    assert!(csv.body.starts_with("id,at_utc,person_id,person,ip"));
    assert!(csv.body.contains("Livewell Southwest"));
});

both_engines!(bad_input_gets_a_clear_answer_and_changes_nothing, |app| {
    let mut c = app.signed_in("business.unit@plymouth.example").await;
    let before = (
        app.count("invitations").await,
        app.count("audit_events").await,
        app.count("outbox").await,
    );
    c.get("/admin/people/invite").await;
    let r = c
        .post(
            "/admin/people/invite",
            &[("name", ""), ("email", "not-an-email"), ("role", "emperor")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("There is a problem");
    r.assert_contains("Enter a full name");
    r.assert_contains("Enter an email address in the correct format");
    r.assert_contains("Select a role");
    r.assert_contains("value=\"not-an-email\"");
    // A version that is not a number, on the settings form.
    c.get("/admin/partnership").await;
    let r = c
        .post(
            "/admin/partnership",
            &[("name", "New name"), ("version", "abc")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    r.assert_contains("could not be read");
    // A bad filter.
    let r = c.get("/audit?from=2026-13-45").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("The start date must be a real date");
    // Unknown and malformed ids.
    assert_eq!(
        c.get("/admin/people/999999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get("/admin/people/abc").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(c.get("/no/such/page").await.status, StatusCode::NOT_FOUND);
    // Too large a body.
    let big = format!("name={}", "x".repeat(400 * 1024));
    let r = c.post_raw("/admin/people/invite", &big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        (
            app.count("invitations").await,
            app.count("audit_events").await,
            app.count("outbox").await
        ),
        before
    );
});

both_engines!(a_stale_form_is_refused_and_shows_the_other_change, |app| {
    let mut a = app.signed_in("business.unit@plymouth.example").await;
    a.get("/admin/partnership").await;
    let v = app
        .state
        .db
        .fetch_one(
            "SELECT version FROM partnerships WHERE slug = 'plymouth'",
            vec![],
        )
        .await
        .expect("q")
        .get::<i64>("version")
        .expect("v")
        .to_string();
    let r = a
        .post(
            "/admin/partnership",
            &[
                ("name", "Plymouth SCP"),
                ("contact_email", ""),
                ("worried_contact", ""),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // A second edit on the same (now stale) version.
    a.get("/admin/partnership").await;
    let r = a
        .post(
            "/admin/partnership",
            &[
                ("name", "Plymouth Partnership"),
                ("contact_email", ""),
                ("worried_contact", ""),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    r.assert_contains("This was changed by Jo Business-Unit at ");
    r.assert_contains("value=\"Plymouth SCP\"");
    let name: String = app
        .state
        .db
        .fetch_one(
            "SELECT name FROM partnerships WHERE slug = 'plymouth'",
            vec![],
        )
        .await
        .expect("q")
        .get("name")
        .expect("n");
    assert_eq!(name, "Plymouth SCP");
});

both_engines!(a_database_error_shows_no_internals, |app| {
    let mut c = app.signed_in("business.unit@plymouth.example").await;
    app.state
        .db
        .fetch_optional("DROP TABLE outbox", vec![])
        .await
        .expect("drop");
    let r = c.get("/admin/outbox").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    r.assert_contains("Sorry, there is a problem with the service");
    let rid = r
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("request id")
        .to_owned();
    r.assert_contains(&rid);
    for leak in [
        "FROM outbox",
        "SELECT",
        "sqlx",
        "no such table",
        "relation \"outbox\"",
        "panicked",
        ".rs:",
        "database error",
    ] {
        assert!(!r.body.contains(leak), "the error page shows {leak:?}");
    }
});

both_engines!(responses_carry_security_headers, |app| {
    let mut c = app.client();
    let r = c.get("/").await;
    let h = |k: &str| {
        r.headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert!(h("content-security-policy").contains("script-src 'self'"));
    assert_eq!(h("x-frame-options"), "DENY");
    assert_eq!(h("cache-control"), "no-store");
    let r = c.get("/sign-in").await;
    let set = r
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("a session cookie")
        .to_owned();
    // No session for a visitor: the sign-in form's token comes in a cookie of its own.
    assert!(set.starts_with("masa_form="), "{set}");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"),
        "{set}"
    );
});

both_engines!(secrets_at_rest_are_sealed, |app, sink| {
    // Authenticator keys: never in the database as they are.
    let email = "business.unit@plymouth.example";
    let plain = app.totp_secret(email).expect("secret");
    let stored: String = app
        .state
        .db
        .fetch_one(
            "SELECT totp_secret FROM users WHERE email = $1",
            masa::args![email],
        )
        .await
        .expect("q")
        .get("totp_secret")
        .expect("s");
    assert!(
        stored.starts_with("sealed1:") && !stored.contains(&plain),
        "{stored}"
    );
    // A key stored before sealing began is sealed at start-up, and still signs in.
    app.state
        .db
        .fetch_optional(
            "UPDATE users SET totp_secret = $1 WHERE email = $2 RETURNING id",
            masa::args![plain.as_str(), email],
        )
        .await
        .expect("an old, unsealed key");
    let n = masa::accounts::store::seal_stored_keys(&app.state.db, &app.state.secrets)
        .await
        .expect("seal");
    assert_eq!(n, 1);
    assert_eq!(
        masa::accounts::store::seal_stored_keys(&app.state.db, &app.state.secrets)
            .await
            .expect("seal"),
        0,
        "sealed twice"
    );
    let mut c = app.signed_in(email).await;
    assert_eq!(c.get("/admin/people").await.status, StatusCode::OK);
    // A link waiting for delivery is sealed too.
    let mut anon = app.client();
    anon.get("/password-reset").await;
    anon.post(
        "/password-reset",
        &[("email", "practitioner@plymouth.example")],
    )
    .await;
    let waiting: String = app
        .state
        .db
        .fetch_one(
            "SELECT secret_link FROM outbox WHERE to_address = 'practitioner@plymouth.example'",
            vec![],
        )
        .await
        .expect("q")
        .get("secret_link")
        .expect("l");
    assert!(waiting.starts_with("sealed1:"), "{waiting}");
    let link = app
        .link_mailed_to(&sink, "practitioner@plymouth.example")
        .await;
    assert!(!waiting.contains(link.rsplit('/').next().expect("secret")));
    assert_eq!(app.client().get(&link).await.status, StatusCode::OK);
});

both_engines!(typed_work_survives_the_end_of_a_session, |app| {
    use crate::support::hidden_fields;
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    let p = app.partnership("plymouth");
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    let meeting = crate::support::board_meeting(&app, &mut bu, 20, "").await;
    let id: i64 = meeting
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("id");
    let agenda = |app: &TestApp| {
        let db = app.state.db.clone();
        async move {
            masa::meetings::store::agenda(&db, p, id)
                .await
                .expect("agenda")
                .len()
        }
    };
    bu.get(&meeting).await;
    // An hour and more without a click: the session has ended when the form is sent.
    let two_hours_ago = chrono::Utc::now() - chrono::Duration::hours(2);
    crate::support::time_passes(
        &app.state,
        "UPDATE sessions SET last_seen_at = $1",
        masa::args![two_hours_ago],
        "session",
        "Sessions left idle for a test",
    )
    .await;
    let add = format!("{meeting}/agenda");
    let typed = "Neglect strategy: \"one year on\" & what next";
    let r = bu
        .post(&add, &[("title", typed), ("purpose", "decision")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    r.assert_contains("Sign in again to save what you typed");
    r.assert_contains("Neglect strategy: &#34;one year on&#34; &#38; what next");
    assert_eq!(agenda(&app).await, 0, "nothing saved yet");
    // Signing in on that page carries the work through the password and the code.
    let mut fields = hidden_fields(&r.body, "/sign-in");
    assert!(fields.iter().any(|(k, v)| k == "kept_path" && *v == add));
    fields.push(("email".into(), "business.unit@plymouth.example".into()));
    fields.push(("password".into(), masa::demo::DEMO_PASSWORD.into()));
    let r = bu.post_raw("/sign-in", &form(&fields)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.assert_contains("Enter your security code");
    let mut fields = hidden_fields(&r.body, "/sign-in/two-factor");
    let secret = app
        .totp_secret("business.unit@plymouth.example")
        .expect("secret");
    fields.push(("code".into(), crate::support::fresh_code(&secret)));
    let r = bu.post_raw("/sign-in/two-factor", &form(&fields)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.assert_contains("Save what you typed");
    assert_eq!(agenda(&app).await, 0, "saved only when the person says so");
    let fields = hidden_fields(&r.body, &add);
    let r = bu.post_raw(&add, &form(&fields)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let items = masa::meetings::store::agenda(&app.state.db, p, id)
        .await
        .expect("agenda");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].title, typed, "saved as typed");

    // Still signed in, but the page's token is stale (signed in again in another tab): the
    // work comes back with a fresh token to save it with.
    bu.csrf = Some("a token from an older page".into());
    let r = bu
        .post(
            &add,
            &[("title", "Second item"), ("purpose", "information")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    r.assert_contains("Save what you typed");
    let fields = hidden_fields(&r.body, &add);
    assert!(
        !fields
            .iter()
            .any(|(_, v)| v == "a token from an older page")
    );
    let r = bu.post_raw(&add, &form(&fields)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(agenda(&app).await, 2);

    // A form from another site is refused outright: never offered for saving.
    let r = bu
        .post_from_another_site(&add, "title=Forged&purpose=decision")
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    r.assert_contains("page had expired");
    assert!(!r.body.contains("Forged"));
    assert!(!r.body.contains("Save it"));
    assert_eq!(agenda(&app).await, 2);
});

/// Fields as a form posts them: exactly these, the page's own token among them.
fn form(fields: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}
