//! Signing in, two-factor, invitations, password resets, lockout.

use axum::http::StatusCode;
use masa::accounts::model::totp;
use masa::demo::DEMO_PASSWORD;

use crate::both_engines;
use crate::support::fresh_code;

both_engines!(practitioner_signs_in_with_password_only, |app| {
    let mut c = app.signed_in("practitioner@plymouth.example").await;
    let home = c.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    home.assert_contains("Welcome, Pat Practitioner");
    home.assert_contains("Plymouth Safeguarding Children Partnership");
});

both_engines!(two_factor_is_asked_for_and_checked, |app| {
    let email = "business.unit@plymouth.example";
    let mut c = app.client();
    c.get("/sign-in").await;
    let r = c
        .post("/sign-in", &[("email", email), ("password", DEMO_PASSWORD)])
        .await;
    assert!(
        r.location().starts_with("/sign-in/two-factor"),
        "{}",
        r.location()
    );
    // Half signed in: nothing restricted yet.
    assert!(
        c.get("/admin/people")
            .await
            .location()
            .starts_with("/sign-in?next=")
    );
    c.get("/sign-in/two-factor").await;
    let r = c.post("/sign-in/two-factor", &[("code", "000000")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("The code is not correct");
    let code = fresh_code(&app.totp_secret(email).expect("secret"));
    let r = c.post("/sign-in/two-factor", &[("code", &code)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get("/admin/people").await.status, StatusCode::OK);
});

both_engines!(a_recovery_code_works_once, |app| {
    let email = "scrutineer@plymouth.example";
    let code = app
        .demo
        .users
        .iter()
        .find(|u| u.email == email)
        .expect("user")
        .recovery_codes[0]
        .clone();
    for (attempt, expect_ok) in [(1, true), (2, false)] {
        let mut c = app.client();
        c.get("/sign-in").await;
        c.post("/sign-in", &[("email", email), ("password", DEMO_PASSWORD)])
            .await;
        c.get("/sign-in/two-factor").await;
        let r = c
            .post("/sign-in/two-factor", &[("code", &code.to_uppercase())])
            .await;
        assert_eq!(
            r.status == StatusCode::SEE_OTHER,
            expect_ok,
            "attempt {attempt}: {}",
            r.status
        );
    }
});

both_engines!(invitation_to_two_factor_sign_in, |app, sink| {
    let mut admin = app.signed_in("business.unit@plymouth.example").await;
    admin.get("/admin/people/invite").await;
    let r = admin
        .post(
            "/admin/people/invite",
            &[
                ("name", "Rene Reviewer"),
                ("email", "Rene@Example.org"),
                ("role", "scrutineer"),
                ("organisation", "Independent"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let link = app.link_mailed_to(&sink, "rene@example.org").await;
    let mut rene = app.client();
    let page = rene.get(&link).await;
    page.assert_contains("Join Plymouth Safeguarding Children Partnership");
    let r = rene
        .post(
            &link,
            &[("password", "short"), ("confirm_password", "short")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("Password must be 12 characters or more");
    let r = rene
        .post(
            &link,
            &[
                ("password", "a long and careful phrase"),
                ("confirm_password", "a long and careful phrase"),
            ],
        )
        .await;
    // Choosing a password does not sign the browser in: signing in does.
    assert!(
        r.location().starts_with("/sign-in?notice=invitation&next="),
        "{}",
        r.location()
    );
    rene.get(r.location())
        .await
        .assert_contains("your account is ready");
    let r = rene
        .post(
            "/sign-in",
            &[
                ("email", "rene@example.org"),
                ("password", "a long and careful phrase"),
            ],
        )
        .await;
    assert_eq!(
        r.location(),
        "/account/two-factor",
        "a scrutineer must set up two-factor first"
    );
    // Nothing else until two-factor is on.
    assert_eq!(rene.get("/audit").await.location(), "/account/two-factor");
    let setup = rene.get("/account/two-factor").await;
    let start = setup.body.find("masa-code\">").expect("key shown") + "masa-code\">".len();
    let secret = setup.body[start..]
        .split('<')
        .next()
        .expect("key")
        .to_owned();
    let now = chrono::Utc::now().timestamp() as u64;
    let code = totp::code_at(&secret, now).expect("code");
    let r = rene.post("/account/two-factor", &[("code", &code)]).await;
    assert_eq!(r.status, StatusCode::OK);
    r.assert_contains("Save your recovery codes");
    assert_eq!(rene.get("/audit").await.status, StatusCode::OK);
    // The link works once.
    assert_eq!(app.client().get(&link).await.status, StatusCode::NOT_FOUND);
});

both_engines!(password_reset_ends_other_sessions, |app, sink| {
    let email = "practitioner@plymouth.example";
    let mut old = app.signed_in(email).await;
    let mut c = app.client();
    c.get("/password-reset").await;
    let r = c.post("/password-reset", &[("email", email)]).await;
    r.assert_contains("If there is a masa account for practitioner@plymouth.example");
    // The same answer for an unknown address, and no email.
    let before = app.count("outbox").await;
    let r = c
        .post("/password-reset", &[("email", "nobody@example.org")])
        .await;
    r.assert_contains("If there is a masa account for nobody@example.org");
    assert_eq!(app.count("outbox").await, before);
    let link = app.link_mailed_to(&sink, email).await;
    c.get(&link).await;
    let r = c
        .post(
            &link,
            &[
                ("password", "a brand new passphrase"),
                ("confirm_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/sign-in?notice=password-changed");
    assert!(
        old.get("/account")
            .await
            .location()
            .starts_with("/sign-in?next="),
        "an old session survived the reset"
    );
    let mut n = app.client();
    n.sign_in(email, "a brand new passphrase", None).await;
    assert_eq!(n.get("/account").await.status, StatusCode::OK);
    assert_eq!(
        app.client().get(&link).await.status,
        StatusCode::NOT_FOUND,
        "a reset link worked twice"
    );
});

both_engines!(lockout_engages_and_holds_across_instances, |app| {
    let email = "practitioner@plymouth.example";
    let mut c = app.client();
    c.get("/sign-in").await;
    for i in 0..5 {
        let r = c
            .post(
                "/sign-in",
                &[("email", email), ("password", "wrong password here")],
            )
            .await;
        let want = if i < 4 {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(r.status, want, "attempt {i}");
    }
    // The right password is refused while locked, by this instance and by another on the same database.
    let r = c
        .post("/sign-in", &[("email", email), ("password", DEMO_PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    r.assert_contains("locked for 15 minutes");
    let other = masa::app::router(app.state.clone());
    let mut c2 = crate::support::Client {
        router: other,
        cookies: Default::default(),
        csrf: None,
        bearer: None,
    };
    c2.get("/sign-in").await;
    let r = c2
        .post("/sign-in", &[("email", email), ("password", DEMO_PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let locked: i64 = app
        .state
        .db
        .fetch_one(
            "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'locked-out'",
            vec![],
        )
        .await
        .expect("q")
        .get("n")
        .expect("n");
    assert_eq!(locked, 1);
});

both_engines!(
    switcher_changes_partnership_only_to_ones_you_belong_to,
    |app| {
        let mut c = app.signed_in("business.unit@plymouth.example").await;
        let home = c.get("/").await;
        home.assert_contains("switch-partnership");
        let ports = app.partnership("portsmouth").0.to_string();
        let r = c
            .post("/switch-partnership", &[("partnership_id", &ports)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        c.get("/").await.assert_contains(
            "<h1 class=\"govuk-heading-l\">Portsmouth Safeguarding Children Partnership</h1>",
        );
        let derby = app.partnership("derby-derbyshire").0.to_string();
        let r = c
            .post("/switch-partnership", &[("partnership_id", &derby)])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        c.get("/")
            .await
            .assert_contains("Portsmouth Safeguarding Children Partnership</h1>");
    }
);

both_engines!(reset_emails_are_limited_to_three_an_hour, |app| {
    let mut c = app.client();
    c.get("/password-reset").await;
    let before = app.count("outbox").await;
    for _ in 0..5 {
        let r = c
            .post("/password-reset", &[("email", "member@plymouth.example")])
            .await;
        r.assert_contains("Check your email");
    }
    assert_eq!(app.count("outbox").await, before + 3);
});

// A membership changed on a copy someone else has saved since is refused with who saved it,
// and what the second person chose is not stored; the first change is in the audit trail with
// its before and after.
both_engines!(a_membership_changed_on_a_stale_copy_is_refused, |app| {
    let email = "practitioner@plymouth.example";
    let p = app.partnership("plymouth");
    let (m, _) = masa::accounts::store::members_of(&app.state.db, p)
        .await
        .expect("members")
        .into_iter()
        .find(|(_, u)| u.email == email)
        .expect("pat");
    let url = format!("/admin/people/{}", m.id);
    let version = m.version.to_string();
    let mut first = app.signed_in("business.unit@plymouth.example").await;
    first.get(&url).await;
    let r = first
        .post(
            &url,
            &[
                ("role", "practitioner"),
                ("organisation", "University Hospitals Plymouth"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut second = app.signed_in("business.unit@plymouth.example").await;
    second.get(&url).await;
    let r = second
        .post(
            &url,
            &[
                ("role", "practitioner"),
                ("organisation", "Livewell Southwest"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    r.assert_contains("This was changed by");
    let (now, _) = masa::accounts::store::members_of(&app.state.db, p)
        .await
        .expect("members")
        .into_iter()
        .find(|(_, u)| u.email == email)
        .expect("pat");
    assert_eq!(now.organisation, "University Hospitals Plymouth");
    assert_eq!(now.version, m.version + 1);
    let entry = app
        .state
        .db
        .fetch_one(
            "SELECT COUNT(*) AS n FROM audit_events WHERE record_type = 'membership' AND record_id = $1 AND action = 'update' AND before_json LIKE $2 AND after_json LIKE $3",
            masa::args![m.id.to_string(), format!("%{}%", m.organisation), "%University Hospitals Plymouth%"],
        )
        .await
        .expect("audit");
    assert_eq!(entry.get::<i64>("n").expect("n"), 1);
});
