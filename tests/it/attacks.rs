//! The security review of November 2026, attack by attack: each test performs one attack the
//! penetration test found to work, named after it, and fails if it works again. The next
//! review starts from here (see SECURITY.md).

use axum::http::StatusCode;
use masa::accounts::store as accounts;
use masa::demo::DEMO_PASSWORD;

use crate::both_engines;
use crate::support::{Client, TestApp, fresh_code, user_id};

/// Every text of every outbox row, for looking for a secret in it.
async fn outbox_texts(app: &TestApp) -> String {
    app.state
        .db
        .fetch_all(
            "SELECT to_address, subject, body_text, body_html, last_error, COALESCE(secret_link, '') AS secret_link FROM outbox",
            vec![],
        )
        .await
        .expect("outbox")
        .iter()
        .map(|r| {
            ["to_address", "subject", "body_text", "body_html", "last_error", "secret_link"]
                .iter()
                .map(|c| r.get::<String>(c).expect("text"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The newest outbox message to an address.
async fn newest_to(app: &TestApp, to: &str) -> i64 {
    app.state
        .db
        .fetch_one(
            "SELECT MAX(id) AS id FROM outbox WHERE to_address = $1",
            masa::args![to],
        )
        .await
        .expect("q")
        .get("id")
        .expect("a message")
}

/// Plymouth's arrangements and meetings, and the newest agenda item that is (or is not)
/// restricted.
async fn meetings_with_an_item(app: &TestApp, restricted: bool) -> i64 {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    masa::demo::seed_meetings(&app.state)
        .await
        .expect("meetings");
    app.state
        .db
        .fetch_one(
            "SELECT MAX(id) AS id FROM agenda_items WHERE partnership_id = $1 AND restricted = $2",
            masa::args![app.partnership("plymouth"), restricted],
        )
        .await
        .expect("an item")
        .get("id")
        .expect("id")
}

/// A personal API token made on the tokens page, as a client of the API.
async fn api_token(c: &mut Client) -> Client {
    c.api_client("attack").await
}

// ---- High ----

// 1. The outbox showed live one-time links: the scrutineer became an administrator with a
// pending invitation, and a practitioner with a reset they asked for.
both_engines!(outbox_shows_live_one_time_links, |app, sink| {
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    bu.get("/admin/people/invite").await;
    let r = bu
        .post(
            "/admin/people/invite",
            &[
                ("name", "Ada Admin"),
                ("email", "ada.admin@example.org"),
                ("role", "partnership-admin"),
                ("organisation", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The scrutineer asks for a reset of the practitioner's password.
    let mut scrutineer = app.signed_in("scrutineer@plymouth.example").await;
    let mut anon = app.client();
    anon.get("/password-reset").await;
    anon.post(
        "/password-reset",
        &[("email", "practitioner@plymouth.example")],
    )
    .await;
    let invitation = newest_to(&app, "ada.admin@example.org").await;
    let reset = newest_to(&app, "practitioner@plymouth.example").await;
    // The scrutineer may not read the outbox at all.
    for path in [
        "/admin/outbox".to_owned(),
        format!("/admin/outbox/{invitation}"),
        format!("/admin/outbox/{reset}"),
    ] {
        assert_eq!(
            scrutineer.get(&path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    // The business unit reads the messages, not their links.
    for id in [invitation, reset] {
        let m = bu.get(&format!("/admin/outbox/{id}")).await;
        assert_eq!(m.status, StatusCode::OK);
        m.assert_contains(masa::mail::SECRET_LINK);
        assert!(
            !m.body.contains("/invitations/") && !m.body.contains("/password-reset/"),
            "{}",
            m.body
        );
    }
    // Delivered, the links reach the recipients and work...
    let invite_link = app.link_mailed_to(&sink, "ada.admin@example.org").await;
    let reset_link = app
        .link_mailed_to(&sink, "practitioner@plymouth.example")
        .await;
    assert!(invite_link.starts_with("/invitations/"), "{invite_link}");
    assert!(reset_link.starts_with("/password-reset/"), "{reset_link}");
    assert_eq!(app.client().get(&invite_link).await.status, StatusCode::OK);
    assert_eq!(app.client().get(&reset_link).await.status, StatusCode::OK);
    // ...and no stored copy holds them any more.
    let stored = outbox_texts(&app).await;
    for link in [&invite_link, &reset_link] {
        let secret = link.rsplit('/').next().expect("secret");
        assert!(!stored.contains(secret), "the outbox keeps {link}");
    }
});

// 1, continued: a link not delivered before it expires is forgotten, and never sent late.
both_engines!(
    outbox_keeps_undelivered_links_past_their_expiry,
    |app, sink| {
        // Delivered first: what the demo queued.
        app.state
            .mailer
            .deliver_due(&app.state.db)
            .await
            .expect("deliver");
        let before = sink.all().len();
        let mut anon = app.client();
        anon.get("/password-reset").await;
        anon.post(
            "/password-reset",
            &[("email", "practitioner@plymouth.example")],
        )
        .await;
        let id = newest_to(&app, "practitioner@plymouth.example").await;
        let kept: Option<String> = app
            .state
            .db
            .fetch_one(
                "SELECT secret_link FROM outbox WHERE id = $1",
                masa::args![id],
            )
            .await
            .expect("q")
            .get("secret_link")
            .expect("link");
        assert!(kept.is_some(), "kept for delivery until sent");
        // Time passes: the link's hour is up before the mail server answers.
        app.state
            .db
            .fetch_optional(
                "UPDATE outbox SET secret_expires_at = $1 WHERE id = $2 RETURNING id",
                masa::args![chrono::Utc::now() - chrono::Duration::minutes(1), id],
            )
            .await
            .expect("time passes");
        assert_eq!(
            masa::mail::expire_links(&app.state.db)
                .await
                .expect("expire"),
            1
        );
        app.state
            .mailer
            .deliver_due(&app.state.db)
            .await
            .expect("deliver");
        assert_eq!(sink.all().len(), before, "an expired link was sent");
        let row = app
            .state
            .db
            .fetch_one(
                "SELECT status, secret_link FROM outbox WHERE id = $1",
                masa::args![id],
            )
            .await
            .expect("q");
        assert_eq!(row.get::<String>("status").expect("s"), "expired");
        assert_eq!(row.get::<Option<String>>("secret_link").expect("l"), None);
    }
);

// 2. Accepting an invitation for an existing account checked its password without lockout,
// said whether the address had an account, and signed the browser in as that person.
both_engines!(invitation_guesses_an_existing_accounts_password, |app| {
    // Derby's business unit invites Plymouth's practitioner, and a brand-new address.
    let mut derby = app.signed_in("admin@derby.example").await;
    let mut link_for = async |email: &str| {
        derby.get("/admin/people/invite").await;
        let r = derby
            .post(
                "/admin/people/invite",
                &[
                    ("name", "Someone"),
                    ("email", email),
                    ("role", "practitioner"),
                    ("organisation", ""),
                ],
            )
            .await;
        // No mail server: the inviter is shown the link, once.
        r.assert_contains("Invitation made");
        let start = r.body.find("id=\"invitation-link\">").expect("link shown")
            + "id=\"invitation-link\">".len();
        let link = r.body[start..]
            .split('<')
            .next()
            .expect("link")
            .trim()
            .to_owned();
        link[link.find("/invitations/").expect("path")..].to_owned()
    };
    let existing = link_for("practitioner@plymouth.example").await;
    let fresh = link_for("nobody.yet@example.org").await;
    // The page does not say which address already has an account.
    let shape = |body: &str| {
        body.replace("%2F", "/")
            .replace(&existing, "LINK")
            .replace(&fresh, "LINK")
            .replace("practitioner@plymouth.example", "EMAIL")
            .replace("nobody.yet@example.org", "EMAIL")
    };
    let mut attacker = app.client();
    let a = attacker.get(&existing).await;
    let b = attacker.get(&fresh).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(shape(&a.body), shape(&b.body), "the pages differ");
    // Twelve guesses at the practitioner's password, the last one right: none signs anyone
    // in, none joins the account to Derby, and the answer is the same as for a new address.
    let derby_id = app.partnership("derby-derbyshire");
    let members_before = accounts::members_of(&app.state.db, derby_id)
        .await
        .expect("m")
        .len();
    for guess in (0..11)
        .map(|i| format!("guess number {i} at it"))
        .chain([DEMO_PASSWORD.to_owned()])
    {
        attacker.get(&existing).await;
        let r = attacker
            .post(
                &existing,
                &[
                    ("current_password", guess.as_str()),
                    ("password", guess.as_str()),
                    ("confirm_password", guess.as_str()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(
            r.location().starts_with("/sign-in?notice=invitation"),
            "{}",
            r.location()
        );
        assert!(
            attacker
                .get("/account")
                .await
                .location()
                .starts_with("/sign-in"),
            "the browser was signed in"
        );
    }
    assert_eq!(
        accounts::members_of(&app.state.db, derby_id)
            .await
            .expect("m")
            .len(),
        members_before,
        "the account was joined to Derby without its owner"
    );
    // The practitioner's password did not change.
    let mut pat = app.client();
    pat.sign_in("practitioner@plymouth.example", DEMO_PASSWORD, None)
        .await;
    // Only its owner, signed in, accepts it.
    let page = pat.get(&existing).await;
    page.assert_contains("Accept invitation");
    let r = pat.post(&existing, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        accounts::members_of(&app.state.db, derby_id)
            .await
            .expect("m")
            .len(),
        members_before + 1
    );
    // Someone else signed in is told it is not theirs, and nothing changes.
    let mut morgan = app.signed_in("member@plymouth.example").await;
    let r = morgan.get(&fresh).await;
    r.assert_contains("This invitation is for someone else");
    let r = morgan.post(&fresh, &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        accounts::members_of(&app.state.db, derby_id)
            .await
            .expect("m")
            .len(),
        members_before + 1
    );
});

// ---- Medium ----

// 3. The audit trail showed the scrutineer a restricted item's title, minute and papers.
both_engines!(audit_trail_shows_restricted_content, |app| {
    let item = meetings_with_an_item(&app, true).await;
    let p = app.partnership("plymouth");
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    let url = format!("/meetings/items/{item}");
    bu.get(&url).await;
    let r = bu
        .upload_form(
            &format!("{url}/papers"),
            &[("paper_title", "Chronology of Child P")],
            Some((
                "file",
                "child-p.pdf",
                &masa::demo::demo_paper("Child P").expect("pdf"),
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // An action from the item's minute, with evidence attached: withheld alike.
    let action = masa::actions::store::add(
        &app.state.db,
        &masa::store::Actor::system("test"),
        p,
        &masa::actions::store::NewAction {
            source_kind: "minute".into(),
            source_id: item,
            body_key: String::new(),
            reference: "Part II".into(),
            title: "Safety plan".into(),
            owner_name: "Jo Bloggs".into(),
            owner_organisation: String::new(),
            owner_user_id: None,
            due: masa::calendar::today() + chrono::Duration::days(30),
            sensitive: false,
            restricted_item: Some(item),
        },
    )
    .await
    .expect("action");
    let r = bu
        .upload_form(
            &format!("/actions/{action}/evidence"),
            &[("description", "Plan agreed for Child P")],
            Some((
                "evidence",
                "child-p-plan.pdf",
                &masa::demo::demo_paper("Plan").expect("pdf"),
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let secrets = [
        "Rapid review: Child P",
        "Chronology of Child P",
        "child-p.pdf",
        "Plan agreed for Child P",
        "child-p-plan.pdf",
    ];
    // The business unit reads it all.
    let csv = bu.get("/audit.csv").await;
    for s in secrets {
        assert!(csv.body.contains(s), "the business unit's trail lacks {s}");
    }
    // The scrutineer sees that entries exist, not what they say.
    let mut sam = app.signed_in("scrutineer@plymouth.example").await;
    let list = sam
        .get(&format!("/audit?record_type=agenda-item&record_id={item}"))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_contains(masa::store::audit::WITHHELD);
    let csv = sam.get("/audit.csv").await;
    let mut sam_api = api_token(&mut sam).await;
    let api = sam_api.get("/api/v1/audit?limit=1000").await;
    assert_eq!(api.status, StatusCode::OK);
    let ids: Vec<i64> = app
        .state
        .db
        .fetch_all(
            "SELECT id FROM audit_events WHERE partnership_id = $1 AND (summary LIKE '%Child P%' OR summary LIKE '%child-p%') AND record_type IN ('agenda-item', 'paper', 'file', 'attachment') ORDER BY id",
            masa::args![p],
        )
        .await
        .expect("q")
        .iter()
        .map(|r| r.get("id").expect("id"))
        .collect();
    assert!(ids.len() >= 5, "{ids:?}");
    let mut pages = String::new();
    for id in &ids {
        let e = sam.get(&format!("/audit/{id}")).await;
        assert_eq!(e.status, StatusCode::OK);
        pages.push_str(&e.body);
    }
    for s in secrets {
        for (what, body) in [
            ("list", &list.body),
            ("CSV", &csv.body),
            ("API", &api.body),
            ("entry pages", &pages),
        ] {
            assert!(!body.contains(s), "the scrutineer's {what} shows {s:?}");
        }
    }
    // Named by the chair, they read it like the business unit.
    let sam_id = user_id(&app, "scrutineer@plymouth.example").await;
    let agenda_item = masa::meetings::store::agenda_item(&app.state.db, p, item)
        .await
        .expect("q")
        .expect("item");
    masa::meetings::access::set_readers(
        &app.state.db,
        &masa::store::Actor::system("test: the chair names the scrutineer"),
        p,
        &agenda_item,
        &[(sam_id, "Sam Scrutineer".to_owned())],
    )
    .await
    .expect("named");
    // An entry whose summary names the child (others name only a file called child-p).
    let named: i64 = app
        .state
        .db
        .fetch_one(
            "SELECT MIN(id) AS id FROM audit_events WHERE partnership_id = $1 AND summary LIKE '%Child P%' AND record_type IN ('agenda-item', 'paper', 'file', 'attachment')",
            masa::args![p],
        )
        .await
        .expect("q")
        .get("id")
        .expect("id");
    sam.get(&format!("/audit/{named}"))
        .await
        .assert_contains("Child P");
});

// 4. A practitioner made an administrator kept a password-only session, and their token
// gained the new rights.
both_engines!(promotion_keeps_a_password_only_session_and_token, |app| {
    let email = "practitioner@plymouth.example";
    let mut pat = app.signed_in(email).await;
    let mut pat_api = api_token(&mut pat).await;
    assert_eq!(pat_api.get("/api/v1/me").await.status, StatusCode::OK);
    let p = app.partnership("plymouth");
    let (m, _) = accounts::members_of(&app.state.db, p)
        .await
        .expect("m")
        .into_iter()
        .find(|(_, u)| u.email == email)
        .expect("pat");
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    bu.get(&format!("/admin/people/{}", m.id)).await;
    let r = bu
        .post(
            &format!("/admin/people/{}", m.id),
            &[
                ("role", "partnership-admin"),
                ("organisation", "Business unit"),
                ("version", &m.version.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The old session is over; the token is refused, with the reason.
    assert!(
        pat.get("/admin/people")
            .await
            .location()
            .starts_with("/sign-in"),
        "the password-only session survived"
    );
    let r = pat_api.get("/api/v1/people").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    // Signing in again, nothing but setting up two-factor.
    let mut again = app.client();
    again.get("/sign-in").await;
    let r = again
        .post("/sign-in", &[("email", email), ("password", DEMO_PASSWORD)])
        .await;
    assert_eq!(r.location(), "/account/two-factor");
    assert_eq!(
        again.get("/admin/people").await.location(),
        "/account/two-factor"
    );
    // However the role arrives (here a practitioner elsewhere made a scrutineer in Portsmouth
    // by a write that ends no session), a session without two-factor cannot act in it.
    let mut pat2 = app.client();
    let actor = masa::store::Actor::system("test");
    let derby_pat = "derby.practitioner@example.org";
    let mut tx = masa::store::Tx::begin(&app.state.db, &actor)
        .await
        .expect("tx");
    let email_d = masa::accounts::model::Email::parse(derby_pat).expect("email");
    let hash = masa::accounts::model::hash_password(DEMO_PASSWORD).expect("hash");
    let uid = accounts::create_user(&mut tx, &email_d, "Dana Practitioner", Some(&hash), false)
        .await
        .expect("user");
    accounts::add_membership(
        &mut tx,
        app.partnership("derby-derbyshire"),
        uid,
        masa::accounts::model::Role::Practitioner,
        "",
    )
    .await
    .expect("membership");
    tx.commit().await.expect("commit");
    pat2.sign_in(derby_pat, DEMO_PASSWORD, None).await;
    assert_eq!(pat2.get("/account").await.status, StatusCode::OK);
    let mut tx = masa::store::Tx::begin(&app.state.db, &actor)
        .await
        .expect("tx");
    accounts::add_membership(
        &mut tx,
        app.partnership("portsmouth"),
        uid,
        masa::accounts::model::Role::Scrutineer,
        "",
    )
    .await
    .expect("membership");
    tx.commit().await.expect("commit");
    assert_eq!(
        pat2.get("/account/tokens").await.location(),
        "/account/two-factor",
        "a role needing two-factor was used without it"
    );
});

// 5. A right password reset the count of wrong two-factor codes: twelve wrong codes, no lockout.
both_engines!(right_password_forgives_wrong_codes, |app| {
    let email = "scrutineer@plymouth.example";
    let mut locked = false;
    for attempt in 0..12 {
        let mut c = app.client();
        c.get("/sign-in").await;
        let r = c
            .post("/sign-in", &[("email", email), ("password", DEMO_PASSWORD)])
            .await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            locked = true;
            assert!(attempt >= 5, "locked too early, at attempt {attempt}");
            break;
        }
        assert!(r.location().starts_with("/sign-in/two-factor"));
        c.get("/sign-in/two-factor").await;
        let r = c.post("/sign-in/two-factor", &[("code", "000000")]).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            locked = true;
            assert_eq!(attempt, 4, "locked after the fifth wrong code");
            // Locked, even the right code is refused.
            let code = fresh_code(&app.totp_secret(email).expect("secret"));
            let r = c.post("/sign-in/two-factor", &[("code", &code)]).await;
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
            break;
        }
    }
    assert!(locked, "twelve wrong codes and no lockout");
    let lockouts: i64 = app
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
    assert!(lockouts >= 1, "the lockout is in the audit trail");
});

// 6. `/sign-in?next=/%09/evil.example` sent the person to evil.example after signing in.
both_engines!(sign_in_redirects_to_another_host, |app| {
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "//evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "https://evil.example",
        " /evil.example",
    ] {
        let mut c = app.client();
        c.get("/sign-in").await;
        let r = c
            .post(
                "/sign-in",
                &[
                    ("email", "practitioner@plymouth.example"),
                    ("password", DEMO_PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/", "next={next:?}");
        // Signed in already, the sign-in page follows `next` too.
        let r = c
            .get(&format!(
                "/sign-in?next={}",
                url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            ))
            .await;
        assert_eq!(r.location(), "/", "next={next:?}");
    }
    // And through the two-factor step.
    let email = "member@plymouth.example";
    let mut c = app.client();
    c.get("/sign-in").await;
    let r = c
        .post(
            "/sign-in",
            &[
                ("email", email),
                ("password", DEMO_PASSWORD),
                ("next", "/\t/evil.example"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/sign-in/two-factor?next=%2F");
    c.get("/sign-in/two-factor").await;
    let code = fresh_code(&app.totp_secret(email).expect("secret"));
    let r = c
        .post(
            "/sign-in/two-factor",
            &[("code", &code), ("next", "/\t/evil.example")],
        )
        .await;
    assert_eq!(r.location(), "/");
});

// ---- Low ----

// 7. API tokens kept working after the password was changed or reset.
both_engines!(tokens_survive_a_password_change, |app, sink| {
    let email = "practitioner@plymouth.example";
    let mut pat = app.signed_in(email).await;
    let mut api = api_token(&mut pat).await;
    assert_eq!(api.get("/api/v1/me").await.status, StatusCode::OK);
    pat.get("/account/password").await;
    let r = pat
        .post(
            "/account/password",
            &[
                ("current_password", DEMO_PASSWORD),
                ("password", "another long passphrase"),
                ("confirm_password", "another long passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(api.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    pat.get("/account")
        .await
        .assert_contains("Your API token was revoked");
    // A reset ends them too.
    let mut api = api_token(&mut pat).await;
    assert_eq!(api.get("/api/v1/me").await.status, StatusCode::OK);
    let mut anon = app.client();
    anon.get("/password-reset").await;
    anon.post("/password-reset", &[("email", email)]).await;
    let link = app.link_mailed_to(&sink, email).await;
    anon.get(&link).await;
    let r = anon
        .post(
            &link,
            &[
                ("password", "a third long passphrase"),
                ("confirm_password", "a third long passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(api.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    let revoked: i64 = app
        .state
        .db
        .fetch_one(
            "SELECT COUNT(*) AS n FROM audit_events WHERE record_type = 'api-token' AND summary LIKE '%revoked: the password was changed'",
            vec![],
        )
        .await
        .expect("q")
        .get("n")
        .expect("n");
    assert_eq!(revoked, 2, "each revocation is in the audit trail");
});

// 8. Using one password-reset link left the person's other links valid.
both_engines!(other_reset_links_survive_a_reset, |app, sink| {
    let email = "practitioner@plymouth.example";
    let mut anon = app.client();
    anon.get("/password-reset").await;
    anon.post("/password-reset", &[("email", email)]).await;
    let first = app.link_mailed_to(&sink, email).await;
    anon.get("/password-reset").await;
    anon.post("/password-reset", &[("email", email)]).await;
    let second = app.link_mailed_to(&sink, email).await;
    assert_ne!(first, second);
    anon.get(&second).await;
    let r = anon
        .post(
            &second,
            &[
                ("password", "a brand new passphrase"),
                ("confirm_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        app.client().get(&first).await.status,
        StatusCode::NOT_FOUND,
        "the other link still works"
    );
});

// 9. Actions raised from a case with no reviewing body were shown, with the child's pseudonym,
// to every member, in the tracker, the API and search.
both_engines!(case_actions_shown_to_every_member, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    let p = app.partnership("plymouth");
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    bu.get("/reviews/new").await;
    let r = bu
        .post(
            "/reviews",
            &[
                ("kind", "good-practice"),
                ("pseudonym", "Child Zed"),
                ("aware_on", "2025-05-06"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let url = r.location().to_owned();
    bu.get(&url).await;
    bu.post(
        &format!("{url}/recommendations"),
        &[
            ("finding", "Found."),
            ("recommendation", "Share the learning."),
        ],
    )
    .await;
    let rid = masa::reviews::learning::recommendations(&app.state.db, p, None)
        .await
        .expect("recs")
        .into_iter()
        .find(|r| r.recommendation == "Share the learning.")
        .expect("rec")
        .id;
    bu.get(&url).await;
    let r = bu
        .post(
            &format!("/reviews/recommendations/{rid}/actions"),
            &[
                (&format!("title-{rid}"), "Brief every team on Child Zed"),
                (&format!("owner_name-{rid}"), "Head of service"),
                (&format!("due-{rid}"), "2027-03-31"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let action: i64 = app
        .state
        .db
        .fetch_one(
            "SELECT id FROM actions WHERE title = 'Brief every team on Child Zed'",
            vec![],
        )
        .await
        .expect("action")
        .get("id")
        .expect("id");
    // The case is not for Morgan; nor is what was raised from it.
    let mut morgan = app.signed_in("member@plymouth.example").await;
    assert_eq!(morgan.get(&url).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        morgan.get(&format!("/actions/{action}")).await.status,
        StatusCode::NOT_FOUND
    );
    for path in ["/actions", "/actions?show=open", "/search?q=Zed"] {
        let r = morgan.get(path).await;
        assert!(!r.body.contains("Child Zed"), "{path} shows the case");
    }
    let mut api = api_token(&mut morgan).await;
    let r = api.get("/api/v1/actions").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("Child Zed"), "the API shows the case");
    assert_eq!(
        api.get(&format!("/api/v1/actions/{action}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Those who may read the case see it.
    for who in [
        "business.unit@plymouth.example",
        "scrutineer@plymouth.example",
    ] {
        let mut c = app.signed_in(who).await;
        c.get("/actions")
            .await
            .assert_contains("Brief every team on Child Zed");
    }
});

// 10. Calendar feed secrets were written to the server log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_feed_secrets_in_the_log() {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Log(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Log {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("log").extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let log = Log::default();
    let writer = log.clone();
    let _ = tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish(),
    );
    let app = TestApp::new(masa::store::Engine::Sqlite).await;
    let mut morgan = app.signed_in("member@plymouth.example").await;
    morgan.get("/meetings/mine").await;
    let made = morgan.post("/meetings/mine/feed", &[]).await;
    let url = made
        .body
        .split("id=\"feed-url\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the feed address")
        .to_owned();
    let path = &url[url.find("/calendar/").expect("path")..];
    assert_eq!(app.client().get(path).await.status, StatusCode::OK);
    let secret = path
        .trim_start_matches("/calendar/")
        .trim_end_matches(".ics");
    let text = String::from_utf8_lossy(&log.0.lock().expect("log")).into_owned();
    assert!(
        text.contains("/calendar/[secret]"),
        "the feed request was not logged:\n{text}"
    );
    assert!(!text.contains(secret), "the log holds the feed secret");
}

// 11. The authenticator could be replaced while signed in, without the password or a code.
both_engines!(authenticator_replaced_without_proof, |app| {
    let email = "business.unit@plymouth.example";
    let old_secret = app.totp_secret(email).expect("secret");
    let recovery = app
        .demo
        .users
        .iter()
        .find(|u| u.email == email)
        .expect("user")
        .recovery_codes[0]
        .clone();
    let mut c = app.signed_in(email).await;
    let setup = c.get("/account/two-factor").await;
    setup.assert_contains("Your password");
    let start = setup
        .body
        .find("p class=\"govuk-body\">Key: <span class=\"masa-code\">")
        .map(|i| i + "p class=\"govuk-body\">Key: <span class=\"masa-code\">".len());
    let new_secret = setup.body[start.expect("key shown")..]
        .split('<')
        .next()
        .expect("key")
        .to_owned();
    let new_code = || {
        masa::accounts::model::totp::code_at(&new_secret, chrono::Utc::now().timestamp() as u64)
            .expect("code")
    };
    let stored = async || -> Option<String> {
        let sealed: Option<String> = app
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
        app.state.secrets.open(
            masa::store::sealed::Purpose::Authenticator,
            &sealed.expect("a key"),
        )
    };
    for fields in [
        vec![("code", new_code())],
        vec![
            ("code", new_code()),
            ("current_password", "not the password".to_owned()),
            ("current_code", recovery.clone()),
        ],
        vec![
            ("code", new_code()),
            ("current_password", DEMO_PASSWORD.to_owned()),
            ("current_code", "000000".to_owned()),
        ],
    ] {
        c.get("/account/two-factor").await;
        let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = c.post("/account/two-factor", &f).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert_eq!(stored().await.as_deref(), Some(old_secret.as_str()));
    }
    c.get("/account/two-factor").await;
    let r = c
        .post(
            "/account/two-factor",
            &[
                ("code", &new_code()),
                ("current_password", DEMO_PASSWORD),
                ("current_code", &fresh_code(&old_secret)),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(stored().await.as_deref(), Some(new_secret.as_str()));
});

// 12. A 250,000-character body name was accepted, and the public PDF ran past the timeout.
both_engines!(arrangements_take_fields_of_any_length, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    let pid = app.partnership("derby-derbyshire");
    let mut c = app.signed_in("admin@derby.example").await;
    c.get("/admin/arrangements/entry?kind=body&key=executive-board")
        .await;
    let (item, version) =
        masa::arrangements::store::entry(&app.state.db, pid, "body", "executive-board")
            .await
            .expect("q")
            .expect("entry");
    let huge = item.data.replace(
        "name = \"Executive Board\"",
        &format!("name = \"{}\"", "B".repeat(250_000)),
    );
    assert_ne!(huge, item.data);
    let before = app.count("audit_events").await;
    let r = c
        .post(
            "/admin/arrangements/entry",
            &[
                ("kind", "body"),
                ("key", "executive-board"),
                ("version", &version.to_string()),
                ("text", &huge),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("name is 250000 characters long; the most is 500");
    assert_eq!(app.count("audit_events").await, before, "nothing stored");
    // The file itself, checked on import, says the same.
    let file = masa::arrangements::store::export(&app.state.db, pid)
        .await
        .expect("export")
        .replace(
            "name = \"Executive Board\"",
            &format!("name = \"{}\"", "B".repeat(250_000)),
        );
    let problems = masa::arrangements::model::parse(file.as_bytes()).expect_err("refused");
    assert!(
        problems
            .iter()
            .any(|p| p.message.contains("name is 250000 characters long")),
        "{problems:?}"
    );
    // Whatever reaches the PDF maker is bounded too.
    let big = serde_json::json!({ "text": "x".repeat(masa::pdf::MAX_DATA) });
    let r = masa::pdf::make(
        "#let d = json(\"data.json\")\n#d.text",
        &big,
        Vec::new(),
        chrono::NaiveDate::default(),
    )
    .await;
    assert!(
        matches!(r, Err(masa::web::error::AppError::Unprocessable(_))),
        "too much data was laid out"
    );
});

// 13. A huge `page=` on /audit or /actions answered 500 (overflow).
both_engines!(huge_page_number_overflows, |app| {
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    for path in ["/audit", "/actions"] {
        for page in ["9223372036854775807", "99999999999999999999", "-3", "abc"] {
            let r = bu.get(&format!("{path}?page={page}")).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path}?page={page}"
            );
            r.assert_contains("The page number must be a whole number from 1 to 100000");
        }
        assert_eq!(
            bu.get(&format!("{path}?page=100000")).await.status,
            StatusCode::OK
        );
    }
});

// 14. A client-sent X-Request-Id was stored in the audit trail as sent.
both_engines!(client_request_id_in_the_audit_trail, |app| {
    use axum::body::Body;
    use axum::http::{Method, Request, header};
    use tower::ServiceExt;
    let forged = "forged-by-the-client";
    let mut c = app.client();
    let form = c.get("/sign-in").await;
    let cookie = form
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("form cookie")
        .to_owned();
    let token = c.csrf.clone().expect("token");
    let body = format!("email=nobody%40example.org&password=wrong-password&csrf_token={token}");
    let mut req = Request::builder()
        .method(Method::POST)
        .uri("/sign-in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .header("x-request-id", forged)
        .body(Body::from(body))
        .expect("request");
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            40000,
        ))));
    let res = app.router.clone().oneshot(req).await.expect("response");
    let answered = res
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_ne!(answered, forged);
    let stored: String = app
        .state
        .db
        .fetch_one(
            "SELECT request_id FROM audit_events WHERE action = 'sign-in-failed' ORDER BY id DESC LIMIT 1",
            vec![],
        )
        .await
        .expect("the failure is audited")
        .get("request_id")
        .expect("rid");
    assert_eq!(stored, answered, "the trail has masa's own id");
    assert!(uuid::Uuid::parse_str(&stored).is_ok(), "{stored}");
});

// 15. Anonymous requests made session rows: 100 in 0.8 s from cookie-less GET /sign-in.
both_engines!(anonymous_requests_create_sessions, |app| {
    let before = app.count("sessions").await;
    for path in ["/sign-in", "/password-reset", "/invitations/nothing-here"] {
        for _ in 0..40 {
            assert!(app.client().get(path).await.status.as_u16() < 500);
        }
    }
    assert_eq!(
        app.count("sessions").await,
        before,
        "visitors made sessions"
    );
    // Their forms still work: the token comes in a cookie, checked as a session's would be.
    let mut c = app.client();
    c.sign_in("practitioner@plymouth.example", DEMO_PASSWORD, None)
        .await;
    assert_eq!(app.count("sessions").await, before + 1);
    let mut forger = app.client();
    forger.get("/sign-in").await;
    forger.csrf = Some("a token of the attacker's own".into());
    let r = forger
        .post(
            "/sign-in",
            &[
                ("email", "practitioner@plymouth.example"),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a forged form token was taken"
    );
});

// 16. The yearly figures counted cases a member cannot open.
both_engines!(figures_count_cases_a_member_cannot_open, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    let figures = async |c: &mut Client| -> i64 {
        let r = c
            .get("/api/v1/reviews/figures?from=2020-01-01&to=2030-12-31")
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        serde_json::from_str::<serde_json::Value>(&r.body).expect("json")["notifications"]
            .as_i64()
            .expect("a count")
    };
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    let mut bu_api = api_token(&mut bu).await;
    let mut morgan = app.signed_in("member@plymouth.example").await;
    let mut morgan_api = api_token(&mut morgan).await;
    let (bu_before, morgan_before) = (figures(&mut bu_api).await, figures(&mut morgan_api).await);
    // A case with no reviewing body: Morgan cannot open it.
    bu.get("/reviews/new").await;
    let r = bu
        .post(
            "/reviews",
            &[
                ("kind", "serious-case"),
                ("pseudonym", "Child Q"),
                ("aware_on", "2025-05-06"),
                ("harm", "seriously-harmed"),
                ("abuse", "suspected"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r
        .location()
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("id");
    let actor = masa::store::Actor::system("test: the case is notified");
    let mut tx = masa::store::Tx::begin(&app.state.db, &actor)
        .await
        .expect("tx");
    tx.update(
        "UPDATE review_cases SET notified_on = $1 WHERE id = $2",
        masa::args![chrono::NaiveDate::from_ymd_opt(2025, 5, 8), id],
        &masa::store::RecordRef::new(None, "review-case", id),
        "Notified, for a test",
        &serde_json::json!({}),
        &serde_json::json!({}),
    )
    .await
    .expect("notified");
    tx.commit().await.expect("commit");
    assert_eq!(
        morgan.get(&format!("/reviews/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(figures(&mut bu_api).await, bu_before + 1);
    assert_eq!(
        figures(&mut morgan_api).await,
        morgan_before,
        "the member's figures count a case they cannot open"
    );
});

// 16, continued: an uploaded file's name held U+202E, so a shown name could be spoofed.
both_engines!(file_name_spoofed_with_right_to_left_override, |app| {
    let item = meetings_with_an_item(&app, false).await;
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    let url = format!("/meetings/items/{item}");
    bu.get(&url).await;
    let spoof = "minutes\u{202E}xcod.pdf";
    let r = bu
        .upload_form(
            &format!("{url}/papers"),
            &[("paper_title", "Spoof")],
            Some((
                "file",
                spoof,
                &masa::demo::demo_paper("Spoof").expect("pdf"),
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let names: Vec<String> = app
        .state
        .db
        .fetch_all("SELECT file_name FROM files", vec![])
        .await
        .expect("files")
        .iter()
        .map(|r| r.get("file_name").expect("name"))
        .collect();
    assert!(names.iter().any(|n| n == "minutesxcod.pdf"), "{names:?}");
    assert!(!names.iter().any(|n| n.contains('\u{202E}')), "{names:?}");
    let page = bu.get(&url).await;
    assert!(!page.body.contains('\u{202E}'));
});
