//! Policies and procedures: a document added, a new version with its amendment note, the
//! history on the signed-in and public pages; the public subscribing by an emailed link,
//! told of a change over SMTP and unsubscribing; review reminders queued once however often
//! the job runs; hostile input refused with nothing stored; another partnership's documents
//! not found on pages and in the API.

use axum::http::StatusCode;

use crate::both_engines;
use crate::support::{Client, TestApp, today, user_id};

const BU: &str = "business.unit@plymouth.example";
const DERBY: &str = "admin@derby.example";
const MEMBER: &str = "member@plymouth.example";
/// Passes the check by content: a PDF's header and end.
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

fn in_days(n: i64) -> String {
    (today() + chrono::Duration::days(n)).to_string()
}

async fn count_of(app: &TestApp, sql: &'static str, args: Vec<masa::store::Value>) -> i64 {
    app.state
        .db
        .fetch_one(sql, args)
        .await
        .expect("count")
        .get("n")
        .expect("n")
}

/// Add a document through the form: its id.
async fn add(c: &mut Client, title: &str, body: &str, review_on: &str, owner: &str) -> i64 {
    c.get("/procedures/new").await;
    let r = c
        .upload_form(
            "/procedures",
            &[
                ("title", title),
                (
                    "summary",
                    "How agencies respond when a child is neglected, and who to call.",
                ),
                ("body_key", body),
                ("owner", owner),
                ("review_on", review_on),
            ],
            Some(("file", "neglect-strategy.pdf", PDF)),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .trim_start_matches("/procedures/")
        .parse()
        .expect("id")
}

/// Put up a new version with its note.
async fn new_version(c: &mut Client, id: i64, note: &str) {
    let page = c.get(&format!("/procedures/{id}/version")).await;
    let version = page
        .body
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("version")
        .to_owned();
    let r = c
        .upload_form(
            &format!("/procedures/{id}/version"),
            &[("note", note), ("version", &version)],
            Some(("file", "neglect-strategy-v2.pdf", PDF)),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

async fn arrangements(app: &TestApp) {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
}

both_engines!(a_document_keeps_its_versions_and_is_found, |app| {
    arrangements(&app).await;
    let mut bu = app.signed_in(BU).await;
    let audit_before = app.count("audit_events").await;
    let id = add(
        &mut bu,
        "Neglect strategy and toolkit",
        "pscp-board",
        &in_days(200),
        "",
    )
    .await;
    new_version(
        &mut bu,
        id,
        "Contacts for the front door updated after the restructure",
    )
    .await;
    assert!(
        app.count("audit_events").await >= audit_before + 4,
        "added, first version, file, new version: each audited"
    );
    let page = bu.get(&format!("/procedures/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Contacts for the front door updated after the restructure");
    page.assert_contains("First version");
    page.assert_contains("by Jo Business-Unit");
    page.assert_contains(&format!("/procedures/{id}/versions/1"));
    let v1 = bu.get(&format!("/procedures/{id}/versions/1")).await;
    assert_eq!(v1.status, StatusCode::OK);
    assert_eq!(v1.bytes, PDF);
    let list = bu.get("/procedures").await;
    list.assert_contains("Neglect strategy and toolkit");
    list.assert_contains("working days left");
    list.assert_contains("govuk-tag--green");

    // The public see the document, its notes and its file, never who put it up.
    let mut public = app.client();
    let listed = public.get("/p/plymouth/procedures").await;
    assert_eq!(listed.status, StatusCode::OK);
    listed.assert_contains("Neglect strategy and toolkit");
    listed.assert_contains("Last amended");
    let shown = public.get(&format!("/p/plymouth/procedures/{id}")).await;
    assert_eq!(shown.status, StatusCode::OK);
    shown.assert_contains("Contacts for the front door updated");
    shown.assert_contains("Version 2");
    assert!(!shown.body.contains("Jo Business-Unit"), "{}", shown.body);
    let file = public
        .get(&format!("/p/plymouth/procedures/{id}/file"))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    let home = public.get("/p/plymouth").await;
    home.assert_contains("/p/plymouth/procedures\">Policies and procedures</a>");

    // Found by the search engine: signed in, and in the public library's box.
    let found = bu.get("/search?q=toolkit").await;
    found.assert_contains("Policy or procedure");
    found.assert_contains(&format!("/procedures/{id}"));
    let found = public.get("/p/plymouth/procedures?q=restructure").await;
    found.assert_contains("1 result");
    found.assert_contains(&format!("href=\"/p/plymouth/procedures/{id}\""));
    found.assert_contains("<mark>restructure</mark>");
    let none = public.get("/p/plymouth/procedures?q=zebra").await;
    none.assert_contains("0 results");

    // The API: the library and one document with every version.
    let mut api = bu.api_client("library").await;
    let all = api.get("/api/v1/procedures").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let all: serde_json::Value = serde_json::from_str(&all.body).expect("json");
    assert_eq!(all[0]["title"], "Neglect strategy and toolkit");
    assert_eq!(all[0]["current_version"], 2);
    let one = api.get(&format!("/api/v1/procedures/{id}")).await;
    let one: serde_json::Value = serde_json::from_str(&one.body).expect("json");
    assert_eq!(one["versions"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        one["versions"][0]["note"],
        "Contacts for the front door updated after the restructure"
    );
});

/// Deliver what is due: the path starting `prefix` in the newest message to `to`, and how
/// many messages `to` has had.
async fn mailed(
    app: &TestApp,
    sink: &crate::support::SmtpSink,
    to: &str,
    prefix: &str,
) -> (String, usize) {
    app.link_mailed_to(sink, to).await;
    let all: Vec<String> = sink
        .all()
        .into_iter()
        .filter(|m| m.contains(&format!("To: {to}")))
        .collect();
    let text = crate::support::decode_quoted_printable(all.last().expect("a message"));
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("{prefix} in {text}"));
    let link = text[start..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .next()
        .unwrap_or_default()
        .to_owned();
    (link, all.len())
}

const CONFIRM: &str = "/procedure-subscriptions/confirm/";
const STOP: &str = "/procedure-subscriptions/unsubscribe/";

both_engines!(
    a_subscriber_confirms_is_told_and_unsubscribes,
    |app, sink| {
        arrangements(&app).await;
        let mut bu = app.signed_in(BU).await;
        let id = add(
            &mut bu,
            "Escalation policy",
            "pscp-board",
            &in_days(300),
            "",
        )
        .await;
        let reader = "reader@example.org";
        let mut public = app.client();
        public.get(&format!("/p/plymouth/procedures/{id}")).await;
        let first = public
            .post(
                &format!("/p/plymouth/procedures/{id}/subscribe"),
                &[("email", reader)],
            )
            .await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        first.assert_contains("Check your email");
        let (confirm, _) = mailed(&app, &sink, reader, CONFIRM).await;
        assert!(
            confirm.starts_with("/procedure-subscriptions/confirm/"),
            "{confirm}"
        );
        // Following the link changes nothing: a press of the button does.
        let asked = public.get(&confirm).await;
        assert_eq!(asked.status, StatusCode::OK);
        asked.assert_contains("Confirm your subscription");
        assert_eq!(
            count_of(
                &app,
                "SELECT COUNT(*) AS n FROM procedure_subscriptions WHERE confirmed_at IS NOT NULL",
                vec![]
            )
            .await,
            0
        );
        let done = public.post(&confirm, &[]).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        done.assert_contains("You are subscribed");
        let again = public.post(&confirm, &[]).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND, "a link works once");
        again.assert_contains("expired or has already been used");

        // Asking again for an address already subscribed: the same answer, and no mail.
        let outbox = app.count("outbox").await;
        let second = public
            .post(
                &format!("/p/plymouth/procedures/{id}/subscribe"),
                &[("email", reader)],
            )
            .await;
        assert_eq!(second.status, first.status);
        assert_eq!(
            second.body, first.body,
            "the answer tells nobody who is subscribed"
        );
        assert_eq!(app.count("outbox").await, outbox);

        // Told of a change, over SMTP, with the amendment note and a link to stop.
        new_version(
            &mut bu,
            id,
            "Timescales for escalating to a senior manager shortened",
        )
        .await;
        let (stop, n) = mailed(&app, &sink, reader, STOP).await;
        let newest = sink
            .all()
            .into_iter()
            .rev()
            .find(|m| m.contains(&format!("To: {reader}")))
            .expect("message");
        let text = crate::support::decode_quoted_printable(&newest);
        assert!(text.contains("Escalation policy has changed"), "{text}");
        assert!(text.contains("Timescales for escalating"), "{text}");
        assert!(
            stop.starts_with("/procedure-subscriptions/unsubscribe/"),
            "{stop}"
        );
        // The stored copy holds no working link.
        let stored: String = app
            .state
            .db
            .fetch_one(
                "SELECT body_text FROM outbox WHERE to_address = $1 ORDER BY id DESC LIMIT 1",
                masa::args![reader],
            )
            .await
            .expect("q")
            .get("body_text")
            .expect("text");
        assert!(
            !stored.contains("/procedure-subscriptions/unsubscribe/"),
            "{stored}"
        );

        // Unsubscribing: a page with a button, then the address is gone.
        let mut scanner = app.client();
        let look = scanner.get(&stop).await;
        assert_eq!(look.status, StatusCode::OK);
        look.assert_contains("Unsubscribe");
        assert_eq!(
            app.count("procedure_subscriptions").await,
            1,
            "a GET changes nothing"
        );
        let gone = scanner.post(&stop, &[]).await;
        assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
        gone.assert_contains("You have unsubscribed");
        assert_eq!(app.count("procedure_subscriptions").await, 0);
        let twice = scanner.post(&stop, &[]).await;
        assert_eq!(twice.status, StatusCode::NOT_FOUND);
        // The audit trail never held the address.
        assert_eq!(
        count_of(
            &app,
            "SELECT COUNT(*) AS n FROM audit_events WHERE after_json LIKE '%reader@example.org%' OR before_json LIKE '%reader@example.org%' OR summary LIKE '%reader@example.org%'",
            vec![]
        )
        .await,
        0
    );
        new_version(&mut bu, id, "A third version nobody is told of").await;
        app.state
            .mailer
            .deliver_due(&app.state.db)
            .await
            .expect("deliver");
        let after = sink
            .all()
            .iter()
            .filter(|m| m.contains(&format!("To: {reader}")))
            .count();
        assert_eq!(after, n, "no mail after unsubscribing");
        // The hourly job's catch-up sends nothing more either.
        masa::procedures::hourly(&app.state).await.expect("hourly");
        assert_eq!(app.count("procedure_notices").await, 0);
    }
);

both_engines!(every_change_and_expired_links, |app, sink| {
    arrangements(&app).await;
    let mut bu = app.signed_in(BU).await;
    let id = add(
        &mut bu,
        "Missing children protocol",
        "pscp-board",
        &in_days(300),
        "",
    )
    .await;
    let mut public = app.client();
    public.get("/p/plymouth/procedures").await;
    let r = public
        .post(
            "/p/plymouth/procedures/subscribe",
            &[("email", "all@example.org")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (link, _) = mailed(&app, &sink, "all@example.org", CONFIRM).await;
    public.get(&link).await;
    let r = public.post(&link, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // A subscription to every document hears of a withdrawal too, checked before it is done.
    bu.get(&format!("/procedures/{id}/withdraw")).await;
    let check = bu
        .post(
            &format!("/procedures/{id}/withdraw"),
            &[
                ("reason", "Replaced by the peninsula protocol"),
                ("version", "1"),
                ("step", "check"),
            ],
        )
        .await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.body);
    check.assert_contains("Check before you withdraw the document");
    assert!(
        masa::procedures::store::get(&app.state.db, app.partnership("plymouth"), id)
            .await
            .expect("q")
            .is_some_and(|p| !p.withdrawn()),
        "nothing is withdrawn until confirmed"
    );
    let done = bu
        .post(
            &format!("/procedures/{id}/withdraw"),
            &[
                ("reason", "Replaced by the peninsula protocol"),
                ("version", "1"),
                ("step", "confirm"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    app.state
        .mailer
        .deliver_due(&app.state.db)
        .await
        .expect("deliver");
    let told = sink
        .all()
        .into_iter()
        .rev()
        .find(|m| m.contains("To: all@example.org"))
        .map(|m| crate::support::decode_quoted_printable(&m))
        .unwrap_or_default();
    assert!(told.contains("has been withdrawn"), "{told}");
    assert!(
        told.contains("Replaced by the peninsula protocol"),
        "{told}"
    );
    assert_eq!(
        public
            .get(&format!("/p/plymouth/procedures/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "a withdrawn document leaves the public library"
    );
    assert_eq!(
        public
            .get(&format!("/p/plymouth/procedures/{id}/file"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // An expired confirm link is refused, and the unconfirmed request is deleted.
    let id2 = add(
        &mut bu,
        "Bruising in non-mobile babies",
        "pscp-board",
        &in_days(300),
        "",
    )
    .await;
    // Following every document, they hear of a new one.
    app.state
        .mailer
        .deliver_due(&app.state.db)
        .await
        .expect("deliver");
    let added = sink
        .all()
        .into_iter()
        .rev()
        .find(|m| m.contains("To: all@example.org"))
        .map(|m| crate::support::decode_quoted_printable(&m))
        .unwrap_or_default();
    assert!(
        added.contains("Bruising in non-mobile babies has been added to the library"),
        "{added}"
    );
    public.get(&format!("/p/plymouth/procedures/{id2}")).await;
    public
        .post(
            &format!("/p/plymouth/procedures/{id2}/subscribe"),
            &[("email", "late@example.org")],
        )
        .await;
    let (late, _) = mailed(&app, &sink, "late@example.org", CONFIRM).await;
    app.state
        .db
        .fetch_optional(
            "UPDATE procedure_subscriptions SET expires_at = $1 WHERE email = $2 RETURNING id",
            masa::args![
                chrono::Utc::now() - chrono::Duration::minutes(1),
                "late@example.org"
            ],
        )
        .await
        .expect("expire");
    assert_eq!(public.get(&late).await.status, StatusCode::NOT_FOUND);
    assert_eq!(public.post(&late, &[]).await.status, StatusCode::NOT_FOUND);
    masa::procedures::hourly(&app.state).await.expect("hourly");
    assert_eq!(
        count_of(
            &app,
            "SELECT COUNT(*) AS n FROM procedure_subscriptions WHERE email = $1",
            masa::args!["late@example.org"]
        )
        .await,
        0
    );
    // A made-up link is refused the same way.
    let r = public
        .get("/procedure-subscriptions/confirm/not-a-token")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
});

both_engines!(review_reminders_go_once, |app| {
    arrangements(&app).await;
    let mut bu = app.signed_in(BU).await;
    let cal = masa::calendar::working_days::Calendar::shipped();
    let soon = cal.add_working_days(today(), 5).to_string();
    let member = user_id(&app, MEMBER).await.to_string();
    let id = add(
        &mut bu,
        "Safer recruitment procedure",
        "pscp-board",
        &soon,
        &member,
    )
    .await;
    add(
        &mut bu,
        "Private fostering guidance",
        "pscp-board",
        &in_days(400),
        "",
    )
    .await;
    let reminders = |app: &TestApp| {
        let db = app.state.db.clone();
        async move {
            db.fetch_one(
                "SELECT COUNT(*) AS n FROM outbox WHERE subject LIKE 'Review %'",
                vec![],
            )
            .await
            .expect("q")
            .get::<i64>("n")
            .expect("n")
        }
    };
    for _ in 0..3 {
        masa::procedures::hourly(&app.state).await.expect("hourly");
    }
    // Two instances at once still send it once.
    let (a, b) = tokio::join!(
        masa::procedures::send_reminders(&app.state, today()),
        masa::procedures::send_reminders(&app.state, today())
    );
    assert_eq!(a.expect("a") + b.expect("b"), 0);
    assert_eq!(reminders(&app).await, 1, "due soon: once");
    let to: String = app
        .state
        .db
        .fetch_one(
            "SELECT to_address FROM outbox WHERE subject LIKE 'Review %'",
            vec![],
        )
        .await
        .expect("q")
        .get("to_address")
        .expect("to");
    assert_eq!(to, MEMBER, "the named owner is reminded");
    // Once the date has passed: overdue, once more.
    let later = cal.add_working_days(today(), 7);
    for _ in 0..2 {
        masa::procedures::send_reminders(&app.state, later)
            .await
            .expect("later");
    }
    assert_eq!(reminders(&app).await, 2, "overdue: once more");
    // The business unit's home page has the task, with the one countdown.
    let home = bu.get("/").await;
    home.assert_contains("Review the \u{201c}Safer recruitment procedure\u{201d} procedure");
    home.assert_contains("5 working days left");
    assert!(!home.body.contains("Private fostering guidance"), "not due");
    // The named owner has it too; someone else in the partnership does not.
    let mine = app.signed_in(MEMBER).await.get("/").await;
    mine.assert_contains("Safer recruitment procedure");
    let theirs = app
        .signed_in("practitioner@plymouth.example")
        .await
        .get("/")
        .await;
    assert!(!theirs.body.contains("Safer recruitment procedure"));
    // Marked reviewed: a new date, audited, and no longer a task.
    bu.get(&format!("/procedures/{id}/reviewed")).await;
    let r = bu
        .post(
            &format!("/procedures/{id}/reviewed"),
            &[("next_review", &in_days(365)), ("version", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        count_of(
            &app,
            "SELECT COUNT(*) AS n FROM audit_events WHERE record_type = 'procedure' AND summary LIKE 'Procedure reviewed%'",
            vec![]
        )
        .await,
        1
    );
    let home = bu.get("/").await;
    assert!(
        !home.body.contains("Safer recruitment procedure"),
        "reviewed"
    );
});

/// Rows that a refused form must leave as they were.
async fn counts(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for t in [
        "procedures",
        "procedure_versions",
        "procedure_subscriptions",
        "files",
        "audit_events",
        "outbox",
    ] {
        out.push(app.count(t).await);
    }
    out
}

both_engines!(hostile_input_is_refused_and_nothing_stored, |app| {
    arrangements(&app).await;
    let mut bu = app.signed_in(BU).await;
    let id = add(&mut bu, "Neglect strategy", "pscp-board", &in_days(100), "").await;
    let before = counts(&app).await;
    let long = "x".repeat(201);
    let good = |k: &'static str, v: &str| -> Vec<(&'static str, String)> {
        let mut f = vec![
            ("title", "A title".to_owned()),
            ("summary", "A summary".to_owned()),
            ("body_key", "pscp-board".to_owned()),
            ("owner", String::new()),
            ("review_on", in_days(100)),
        ];
        for x in f.iter_mut() {
            if x.0 == k {
                x.1 = v.to_owned();
            }
        }
        f
    };
    for (field, value, message) in [
        ("title", "", "Enter the document&#39;s title"),
        ("title", long.as_str(), "Enter 200 characters or fewer"),
        ("title", "<script>alert(1)</script>", "as plain text"),
        ("summary", "", "Enter a summary"),
        ("summary", "Read this \u{202E}txt.exe", "as plain text"),
        ("body_key", "", "Select the body that owns the document"),
        (
            "body_key",
            "<script>",
            "Select the body that owns the document",
        ),
        ("owner", "999999", "Select someone in the partnership"),
        ("review_on", "2026-02-30", "Review by must be a real date"),
        (
            "review_on",
            "",
            "Enter the date the document is next to be reviewed",
        ),
        (
            "review_on",
            "2001-1-1",
            "The review date must be today or in the future",
        ),
        ("review_on", "26-1-1", "four digits"),
    ] {
        bu.get("/procedures/new").await;
        let fields = good(field, value);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = bu
            .upload_form("/procedures", &fields, Some(("file", "x.pdf", PDF)))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value:?}"
        );
        r.assert_contains(message);
        r.assert_contains(&format!("id=\"{field}-error\""));
        if field == "title" && !value.is_empty() {
            assert!(
                !r.body.contains("<script>alert(1)"),
                "escaped when shown again"
            );
        }
    }
    // A file that is not what it claims, and none at all; what was typed is kept.
    bu.get("/procedures/new").await;
    let fields = good("title", "Kept title");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = bu
        .upload_form(
            "/procedures",
            &fields,
            Some((
                "file",
                "policy.pdf",
                b"MZ\x90\x00 this is a program".as_slice(),
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("id=\"file-error\"");
    r.assert_contains("value=\"Kept title\"");
    let r = bu.upload_form("/procedures", &fields, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("Select a file");

    // A new version: its note is required and plain; its file is checked.
    for (note, file, message) in [
        ("", PDF, "Enter what changed in this version"),
        ("<img src=x onerror=alert(1)>", PDF, "as plain text"),
        (&*"y".repeat(1001), PDF, "Enter 1,000 characters or fewer"),
        (
            "Fine note",
            b"<html><script>x</script></html>".as_slice(),
            "file",
        ),
    ] {
        bu.get(&format!("/procedures/{id}/version")).await;
        let r = bu
            .upload_form(
                &format!("/procedures/{id}/version"),
                &[("note", note), ("version", "1")],
                Some(("file", "v2.pdf", file)),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{note:?}");
        r.assert_contains(message);
    }
    // Details, review and withdrawal.
    bu.get(&format!("/procedures/{id}/edit")).await;
    let mut f = good("summary", &"s".repeat(2001));
    f.push(("version", "1".to_owned()));
    let r = bu.post_owned(&format!("/procedures/{id}/edit"), &f).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("Enter 2,000 characters or fewer");
    for (date, message) in [
        ("2026-13-01", "Next review by must be a real date"),
        (&*today().to_string(), "must be in the future"),
        ("", "Enter the date of the next review"),
    ] {
        let r = bu
            .post(
                &format!("/procedures/{id}/reviewed"),
                &[("next_review", date), ("version", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{date}");
        r.assert_contains(message);
    }
    let r = bu
        .post(
            &format!("/procedures/{id}/withdraw"),
            &[("reason", "  "), ("version", "1"), ("step", "confirm")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("Enter why the document is withdrawn");
    let r = bu
        .post(
            &format!("/procedures/{id}/withdraw"),
            &[
                ("reason", "Gone"),
                ("version", "not-a-number"),
                ("step", "confirm"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // The public subscribe form.
    let mut public = app.client();
    public.get(&format!("/p/plymouth/procedures/{id}")).await;
    let too_long = format!("{}@example.org", "a".repeat(250));
    for email in ["", "not-an-address", "<script>@x.org", too_long.as_str()] {
        let r = public
            .post(
                &format!("/p/plymouth/procedures/{id}/subscribe"),
                &[("email", email)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{email}");
        r.assert_contains("id=\"email-error\"");
        assert!(!r.body.contains("<script>@"), "escaped");
    }
    assert_eq!(counts(&app).await, before, "nothing stored");
});

both_engines!(junk_queries_and_other_partnerships, |app| {
    arrangements(&app).await;
    let mut bu = app.signed_in(BU).await;
    let id = add(&mut bu, "Neglect strategy", "pscp-board", &in_days(100), "").await;
    let mut derby = app.signed_in(DERBY).await;
    let theirs = add(
        &mut derby,
        "Derby threshold guide",
        "executive-board",
        &in_days(100),
        "",
    )
    .await;
    let mut public = app.client();
    for q in [
        "?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "?q=%22%20OR%201%3D1%20--",
        "?q=NEAR(a%20b)%20*",
        "?q=%F0%9F%98%80",
        "?q=",
        "?unknown=1&q=neglect",
        &format!("?q={}", "neglect%20".repeat(100)),
    ] {
        let r = public.get(&format!("/p/plymouth/procedures{q}")).await;
        assert!(
            r.status == StatusCode::OK || r.status == StatusCode::BAD_REQUEST,
            "{q}: {}",
            r.status
        );
        assert!(!r.body.contains("<script>alert"), "{q}");
    }
    let r = public.get("/p/plymouth/procedures?q=%FF").await;
    assert_ne!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    let r = public.get("/p/plymouth/procedures?q=--").await;
    r.assert_contains("Enter words to search for");
    // Another partnership's document: not found on Plymouth's pages, public or signed in.
    for path in [
        format!("/p/plymouth/procedures/{theirs}"),
        format!("/p/plymouth/procedures/{theirs}/file"),
        format!("/p/no-such-place/procedures/{id}"),
    ] {
        assert_eq!(
            public.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let r = public
        .post(
            &format!("/p/plymouth/procedures/{theirs}/subscribe"),
            &[("email", "x@example.org")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    for path in [
        format!("/procedures/{theirs}"),
        format!("/procedures/{theirs}/versions/1"),
        format!("/procedures/{theirs}/edit"),
        format!("/procedures/{theirs}/version"),
        format!("/procedures/{theirs}/reviewed"),
        format!("/procedures/{theirs}/withdraw"),
    ] {
        assert_eq!(bu.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let r = bu
        .post(
            &format!("/procedures/{theirs}/reviewed"),
            &[("next_review", &in_days(300)), ("version", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let mut api = bu.api_client("library").await;
    assert_eq!(
        api.get(&format!("/api/v1/procedures/{theirs}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let list = api.get("/api/v1/procedures").await;
    assert!(
        !list.body.contains("Derby threshold guide"),
        "{}",
        list.body
    );
    // Derby's own see theirs.
    assert_eq!(
        derby.get(&format!("/procedures/{theirs}")).await.status,
        StatusCode::OK
    );
    assert!(
        !derby
            .get("/procedures")
            .await
            .body
            .contains("Neglect strategy"),
        "only the partnership's own"
    );
});

both_engines!(subscribing_is_rate_limited_and_edits_are_versioned, |app| {
    arrangements(&app).await;
    let mut bu = app.signed_in(BU).await;
    let id = add(&mut bu, "Neglect strategy", "pscp-board", &in_days(100), "").await;
    let mut public = app.client();
    public.get("/p/plymouth/procedures").await;
    // The list's own form: a bad address is answered against its field, what was typed kept.
    let r = public
        .post(
            "/p/plymouth/procedures/subscribe",
            &[("email", "jo at example")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("id=\"email-error\"");
    r.assert_contains("value=\"jo at example\"");
    // One address is sent at most three confirm links an hour, whatever is asked.
    let outbox = app.count("outbox").await;
    let mut answers = Vec::new();
    for _ in 0..5 {
        let r = public
            .post(
                "/p/plymouth/procedures/subscribe",
                &[("email", "flood@example.org")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        answers.push(r.body);
    }
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "the same answer each time"
    );
    assert_eq!(app.count("outbox").await, outbox + 3);
    assert_eq!(
        app.count("procedure_subscriptions").await,
        1,
        "one request, renewed"
    );
    // One network may ask ten times an hour.
    for n in 0..5 {
        let r = public
            .post(
                &format!("/p/plymouth/procedures/{id}/subscribe"),
                &[("email", &format!("reader{n}@example.org"))],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
    }
    let r = public
        .post(
            "/p/plymouth/procedures/subscribe",
            &[("email", "one.more@example.org")],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    r.assert_contains("Wait an hour");

    // A change made on a stale copy is refused with who changed it, what was typed kept.
    let edit = |version: &'static str, title: &'static str| {
        vec![
            ("title", title.to_owned()),
            ("summary", "What it is for".to_owned()),
            ("body_key", "pscp-board".to_owned()),
            ("owner", String::new()),
            ("review_on", in_days(100)),
            ("version", version.to_owned()),
        ]
    };
    bu.get(&format!("/procedures/{id}/edit")).await;
    let r = bu
        .post_owned(
            &format!("/procedures/{id}/edit"),
            &edit("1", "Neglect strategy 2027"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = bu
        .post_owned(
            &format!("/procedures/{id}/edit"),
            &edit("1", "A stale title"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    r.assert_contains("This was changed by Jo Business-Unit");
    r.assert_contains("value=\"A stale title\"");
    // The change is in the audit trail, with the record before and after.
    let (before, after): (String, String) = {
        let row = app
            .state
            .db
            .fetch_one(
                "SELECT before_json, after_json FROM audit_events WHERE record_type = 'procedure' AND summary LIKE 'Procedure''s details changed%'",
                vec![],
            )
            .await
            .expect("entry");
        (
            row.get("before_json").expect("b"),
            row.get("after_json").expect("a"),
        )
    };
    assert!(before.contains("\"Neglect strategy\""), "{before}");
    assert!(after.contains("Neglect strategy 2027"), "{after}");
});
