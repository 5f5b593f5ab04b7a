//! The thresholds document: brought in from its file (refused whole with every problem and its
//! line), signed off by the three lead partners, published from a date (replacing the last on
//! that date, the old one still readable), the public tool's suggestion, its anonymous record of
//! use, the worried-about-a-child page, the figures, hostile input, another partnership's ids.

use axum::http::StatusCode;

use crate::both_engines;
use crate::support::{Client, TestApp, make_delegate, time_passes, today};

const BU: &str = "business.unit@plymouth.example";
const MEMBER: &str = "member@plymouth.example";
const PRACTITIONER: &str = "practitioner@plymouth.example";

/// A small document: three levels, two domains, five indicators, one front door.
pub const DOC: &str = r#"schema = "masa-thresholds/1"

[document]
title = "Test levels of need"
introduction = "For the tests."

[[contacts]]
key = "front-door"
name = "Test Front Door (MASH)"
telephone = "01632 960001"
out_of_hours = "01632 960002"
email = "front.door@example.gov.uk"
front_door = true

[[contacts]]
key = "early-help-hub"
name = "Early Help Hub"
telephone = "01632 960003"

[[levels]]
key = "universal"
name = "Universal"
meaning = "Needs met by everyday services."
next_steps = "Carry on supporting the family."

[[levels]]
key = "early-help"
name = "Early help"
meaning = "Some extra help is needed."
next_steps = "Talk to the family about an early help assessment."
contacts = ["early-help-hub"]

[[levels]]
key = "statutory"
name = "Statutory"
meaning = "A child in need or at risk of significant harm."
next_steps = "Contact the front door today."
legal_basis = "Children Act 1989, sections 17 and 47"
contacts = ["front-door"]

[[domains]]
key = "development"
name = "Child's developmental needs"

[[domains]]
key = "family"
name = "Family and environmental factors"

[[indicators]]
key = "u-healthy"
level = "universal"
domain = "development"
text = "Healthy and developing well"

[[indicators]]
key = "e-appointments"
level = "early-help"
domain = "development"
text = "Missed health appointments"
related = ["s-injury"]

[[indicators]]
key = "e-housing"
level = "early-help"
domain = "family"
text = "Family struggling with housing"

[[indicators]]
key = "s-injury"
level = "statutory"
domain = "development"
text = "Injury with no explanation"
guidance = "Bruising on a baby who is not yet mobile"

[[indicators]]
key = "s-violence"
level = "statutory"
domain = "family"
text = "Domestic violence witnessed by the child"
"#;

async fn count_of(app: &TestApp, sql: &'static str) -> i64 {
    app.state
        .db
        .fetch_one(sql, vec![])
        .await
        .expect("count")
        .get("n")
        .expect("n")
}

async fn edition_ids(app: &TestApp) -> Vec<i64> {
    app.state
        .db
        .fetch_all("SELECT id FROM threshold_editions ORDER BY id", vec![])
        .await
        .expect("q")
        .iter()
        .map(|r| r.get("id").expect("id"))
        .collect()
}

/// The business unit brings `doc` in; returns the new edition's id.
async fn import(app: &TestApp, bu: &mut Client, doc: &str) -> i64 {
    bu.get("/thresholds").await;
    let r = bu
        .upload("/thresholds", "file", "test.toml", doc.as_bytes(), true)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    *edition_ids(app).await.last().expect("an edition")
}

fn version_on(page: &str) -> String {
    let at = page
        .find("name=\"version\" value=\"")
        .expect("a version field")
        + 22;
    page[at..].split('"').next().expect("value").to_owned()
}

/// Everyone who must sign does: the member holds all three delegated seats.
async fn signed_off(app: &TestApp, id: i64) {
    make_delegate(&app.state, app.partnership("plymouth"), MEMBER).await;
    let mut m = app.signed_in(MEMBER).await;
    for role in ["local-authority", "health", "police"] {
        let page = m.get(&format!("/thresholds/editions/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_contains(&format!("name=\"partner\" value=\"{role}\""));
        let v = version_on(&page.body);
        let r = m
            .post(
                &format!("/thresholds/editions/{id}/sign"),
                &[("version", &v), ("partner", role)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
}

async fn publish(bu: &mut Client, id: i64, day: chrono::NaiveDate) -> crate::support::Resp {
    let page = bu.get(&format!("/thresholds/editions/{id}/publish")).await;
    let v = version_on(&page.body);
    bu.post(
        &format!("/thresholds/editions/{id}/publish"),
        &[("version", &v), ("takes_effect", &day.to_string())],
    )
    .await
}

async fn published(app: &TestApp, bu: &mut Client) -> i64 {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    let id = import(app, bu, DOC).await;
    signed_off(app, id).await;
    let r = publish(bu, id, today()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    id
}

both_engines!(
    a_document_is_imported_signed_off_published_and_used,
    |app| {
        masa::demo::seed_arrangements(&app.state)
            .await
            .expect("arrangements");
        let mut public = app.client();
        // Nothing published: the public tool is not there, the worried page falls back to the
        // partnership's own words.
        assert_eq!(
            public.get("/p/plymouth/thresholds").await.status,
            StatusCode::NOT_FOUND
        );
        let w = public.get("/p/plymouth/worried").await;
        assert_eq!(w.status, StatusCode::OK);
        w.assert_contains("999");

        let mut bu = app.signed_in(BU).await;
        let id = import(&app, &mut bu, DOC).await;
        let page = bu.get(&format!("/thresholds/editions/{id}")).await;
        page.assert_contains("Draft: 0 of 3 sign-offs");
        page.assert_contains("5 indicators");
        // Not signed off: publishing is refused, and the business unit cannot sign for a partner.
        let r = publish(&mut bu, id, today()).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        r.assert_contains("All three lead safeguarding partners must sign");
        let v = version_on(&page.body);
        let r = bu
            .post(
                &format!("/thresholds/editions/{id}/sign"),
                &[("version", &v), ("partner", "police")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            count_of(&app, "SELECT COUNT(*) AS n FROM threshold_signoffs").await,
            0
        );

        signed_off(&app, id).await;
        assert_eq!(
            count_of(&app, "SELECT COUNT(*) AS n FROM threshold_signoffs").await,
            3
        );
        let r = publish(&mut bu, id, today()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let audited = count_of(
            &app,
            "SELECT COUNT(*) AS n FROM audit_events WHERE record_type = 'threshold-edition'",
        )
        .await;
        assert!(
            audited >= 5,
            "drafted, three sign-offs, published: {audited}"
        );

        // The public tool: browse, tick, see the suggestion and whom to contact.
        let tool = public.get("/p/plymouth/thresholds").await;
        assert_eq!(tool.status, StatusCode::OK);
        tool.assert_contains("Test levels of need");
        tool.assert_contains("If a child is in immediate danger");
        tool.assert_contains("value=\"s-injury\"");
        assert_eq!(
            count_of(&app, "SELECT COUNT(*) AS n FROM threshold_uses").await,
            0,
            "browsing is not a use"
        );
        let s = public
            .get("/p/plymouth/thresholds?i=u-healthy&i=e-housing&sector=health&suggest=1")
            .await;
        assert_eq!(s.status, StatusCode::OK);
        s.assert_contains("Suggested level: Early help");
        s.assert_contains("Early Help Hub");
        s.assert_contains("supports professional judgement");
        let s = public
            .get("/p/plymouth/thresholds?i=e-housing&i=s-injury&suggest=1")
            .await;
        s.assert_contains("Suggested level: Statutory");
        s.assert_contains("Test Front Door (MASH)");
        s.assert_contains("tel:01632960001");
        assert_eq!(
            count_of(&app, "SELECT COUNT(*) AS n FROM threshold_uses").await,
            2
        );
        assert_eq!(
            count_of(&app, "SELECT COUNT(*) AS n FROM threshold_use_indicators").await,
            4
        );

        // The worried page now shows the front door from the document.
        let w = public.get("/p/plymouth/worried").await;
        w.assert_contains("Test Front Door (MASH)");
        w.assert_contains("01632 960002");
        assert!(!w.body.contains("Early Help Hub"), "only the front door");

        // The figures, for governance; the CSV.
        let u = bu.get("/thresholds/usage").await;
        assert_eq!(u.status, StatusCode::OK);
        u.assert_contains("2 uses");
        u.assert_contains("Family struggling with housing");
        let csv = bu.get("/thresholds/usage.csv").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.body.contains("level suggested,statutory,1"),
            "{}",
            csv.body
        );
        assert!(csv.body.contains("sector,health,1"), "{}", csv.body);
        // A practitioner does not see them.
        let mut pr = app.signed_in(PRACTITIONER).await;
        assert_eq!(
            pr.get("/thresholds/usage").await.status,
            StatusCode::FORBIDDEN
        );

        // The PDF and the API.
        let pdf = public.get("/p/plymouth/thresholds.pdf").await;
        assert_eq!(pdf.status, StatusCode::OK);
        assert!(pdf.bytes.starts_with(b"%PDF"));
        let api = public.get("/api/v1/p/plymouth/thresholds").await;
        assert_eq!(api.status, StatusCode::OK);
        let j: serde_json::Value = serde_json::from_str(&api.body).expect("json");
        assert_eq!(j["indicators"].as_array().map(Vec::len), Some(5));
        assert_eq!(j["in_force"], true);
    }
);

both_engines!(
    a_published_edition_replaces_the_last_on_its_date_and_the_old_stays_readable,
    |app| {
        let mut bu = app.signed_in(BU).await;
        let first = published(&app, &mut bu).await;
        // A second edition, copied and reworded, published from tomorrow.
        let r = bu
            .post("/thresholds/editions", &[("from", &first.to_string())])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let second = *edition_ids(&app).await.last().expect("second");
        let form = bu
            .get(&format!(
                "/thresholds/editions/{second}/indicators/e-housing"
            ))
            .await;
        let v = version_on(&form.body);
        let r = bu
            .post(
                &format!("/thresholds/editions/{second}/indicators/e-housing"),
                &[
                    ("version", &v),
                    ("key", "e-housing"),
                    ("level", "early-help"),
                    ("domain", "family"),
                    ("text", "Family at risk of losing their home"),
                    ("guidance", ""),
                    ("related", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        signed_off(&app, second).await;
        let before = app.client().get("/p/plymouth/thresholds").await;
        assert!(
            !before.body.contains("Edition 2 replaces"),
            "nothing else published yet"
        );
        let tomorrow = today() + chrono::Days::new(1);
        let r = publish(&mut bu, second, tomorrow).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        let mut public = app.client();
        let t = public.get("/p/plymouth/thresholds").await;
        t.assert_contains("Family struggling with housing");
        t.assert_contains("Edition 2 replaces this one on");
        // The same for every visitor: kept, with an ETag a browser can ask again with.
        let etag = t.headers["etag"].to_str().expect("etag").to_owned();
        let held = public
            .get_with("/p/plymouth/thresholds", &[("if-none-match", &etag)])
            .await;
        assert_eq!(held.status, StatusCode::NOT_MODIFIED);
        assert!(held.body.is_empty());
        let other = public
            .get_with(
                "/p/plymouth/thresholds?level=statutory",
                &[("if-none-match", &etag)],
            )
            .await;
        assert_eq!(
            other.status,
            StatusCode::OK,
            "another address is another page"
        );
        let later = public.get("/p/plymouth/thresholds?edition=2").await;
        later.assert_contains("Family at risk of losing their home");

        // The day comes (the edition's date moved back a day, as the calendar would).
        time_passes(
            &app.state,
            "UPDATE threshold_editions SET takes_effect = $1 WHERE id = $2",
            masa::args![today(), second],
            "threshold-edition",
            "test: edition 2's day arrives",
        )
        .await;
        let t = public.get("/p/plymouth/thresholds").await;
        t.assert_contains("Family at risk of losing their home");
        assert!(!t.body.contains("Family struggling with housing"));
        let old = public.get("/p/plymouth/thresholds?edition=1").await;
        assert_eq!(old.status, StatusCode::OK);
        old.assert_contains("Family struggling with housing");
        old.assert_contains("This is an earlier or later edition");
        let list = public.get("/p/plymouth/thresholds/editions").await;
        list.assert_contains("In force");
        list.assert_contains("Replaced");
        // A published edition never changes.
        let e1 = bu.get(&format!("/thresholds/editions/{first}")).await;
        assert!(!e1.body.contains("/indicators/new"));
        let r = bu
            .post(
                &format!("/thresholds/editions/{first}/indicators/e-housing"),
                &[
                    ("version", "1"),
                    ("key", "e-housing"),
                    ("level", "early-help"),
                    ("domain", "family"),
                    ("text", "Changed after publishing"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let doc: String = app
            .state
            .db
            .fetch_one(
                "SELECT document FROM threshold_editions WHERE id = $1",
                masa::args![first],
            )
            .await
            .expect("q")
            .get("document")
            .expect("d");
        assert!(!doc.contains("Changed after publishing"));
    }
);

both_engines!(a_change_to_a_draft_clears_its_sign_offs, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    let mut bu = app.signed_in(BU).await;
    let id = import(&app, &mut bu, DOC).await;
    signed_off(&app, id).await;
    let form = bu
        .get(&format!("/thresholds/editions/{id}/contacts/front-door"))
        .await;
    let v = version_on(&form.body);
    let r = bu
        .post(
            &format!("/thresholds/editions/{id}/contacts/front-door"),
            &[
                ("version", &v),
                ("name", "Test Front Door (MASH)"),
                ("telephone", "01632 960009"),
                ("front_door", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        count_of(&app, "SELECT COUNT(*) AS n FROM threshold_signoffs").await,
        0,
        "signed the old text"
    );
    let withdrawn = count_of(&app, "SELECT COUNT(*) AS n FROM audit_events WHERE record_type = 'threshold-edition' AND action = 'delete'").await;
    assert_eq!(withdrawn, 3);
    // A sign-off from a page opened before the change is refused.
    make_delegate(&app.state, app.partnership("plymouth"), MEMBER).await;
    let mut m = app.signed_in(MEMBER).await;
    m.get(&format!("/thresholds/editions/{id}")).await;
    let r = m
        .post(
            &format!("/thresholds/editions/{id}/sign"),
            &[("version", &v), ("partner", "police")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(
        count_of(&app, "SELECT COUNT(*) AS n FROM threshold_signoffs").await,
        0
    );
});

both_engines!(
    the_record_of_use_holds_nothing_that_identifies_a_person,
    |app| {
        let mut bu = app.signed_in(BU).await;
        published(&app, &mut bu).await;
        let audit_before = count_of(&app, "SELECT COUNT(*) AS n FROM audit_events").await;
        let mut public = app.client();
        let r = public
        .get("/p/plymouth/thresholds?q=Jane+Smith+12+Acacia+Road&i=s-violence&i=e-housing&sector=education-and-childcare&suggest=1")
        .await;
        assert_eq!(r.status, StatusCode::OK);
        r.assert_contains("Suggested level: Statutory");
        assert!(
            r.headers.get(axum::http::header::SET_COOKIE).is_none(),
            "the tool sets no cookie"
        );
        // The columns are only these.
        let columns_sql: &'static str = match app.state.db.engine() {
            masa::store::Engine::Sqlite => {
                "SELECT name AS c FROM pragma_table_info('threshold_uses') ORDER BY name"
            }
            masa::store::Engine::Postgres => {
                "SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'threshold_uses' ORDER BY column_name"
            }
        };
        let cols: Vec<String> = app
            .state
            .db
            .fetch_all(columns_sql, vec![])
            .await
            .expect("q")
            .iter()
            .map(|r| r.get("c").expect("c"))
            .collect();
        assert_eq!(
            cols,
            [
                "edition_id",
                "id",
                "indicator_count",
                "level_key",
                "partnership_id",
                "sector",
                "used_on"
            ]
        );
        let row = app
            .state
            .db
            .fetch_one(
                "SELECT used_on, level_key, sector, indicator_count FROM threshold_uses",
                vec![],
            )
            .await
            .expect("a use");
        assert_eq!(
            row.get::<chrono::NaiveDate>("used_on").expect("day"),
            today()
        );
        assert_eq!(row.get::<String>("level_key").expect("level"), "statutory");
        assert_eq!(
            row.get::<String>("sector").expect("sector"),
            "education-and-childcare"
        );
        assert_eq!(row.get::<i64>("indicator_count").expect("n"), 2);
        let picked: Vec<String> = app
            .state
            .db
            .fetch_all(
                "SELECT indicator_key AS k FROM threshold_use_indicators ORDER BY indicator_key",
                vec![],
            )
            .await
            .expect("q")
            .iter()
            .map(|r| r.get("k").expect("k"))
            .collect();
        assert_eq!(picked, ["e-housing", "s-violence"]);
        // No audit entry (it would hold the time and the address), and nothing typed kept anywhere.
        assert_eq!(
            count_of(&app, "SELECT COUNT(*) AS n FROM audit_events").await,
            audit_before
        );
        assert_eq!(count_of(&app, "SELECT COUNT(*) AS n FROM audit_events WHERE summary LIKE '%Acacia%' OR after_json LIKE '%Acacia%'").await, 0);
        // A sector that is not one of the list is recorded as not given.
        public
            .get("/p/plymouth/thresholds?i=e-housing&sector=%3Cscript%3E&suggest=1")
            .await;
        assert_eq!(
            count_of(
                &app,
                "SELECT COUNT(*) AS n FROM threshold_uses WHERE sector = ''"
            )
            .await,
            1
        );
    }
);

both_engines!(hostile_input_is_refused_and_changes_nothing, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    let mut bu = app.signed_in(BU).await;
    let audit = |app: &TestApp| {
        let db = app.state.db.clone();
        async move {
            db.fetch_one("SELECT COUNT(*) AS n FROM audit_events", vec![])
                .await
                .expect("q")
                .get::<i64>("n")
                .expect("n")
        }
    };
    bu.get("/thresholds").await;
    let before = audit(&app).await;
    // A file with problems: every one listed with its line, nothing stored.
    let bad = DOC
        .replace("level = \"universal\"", "level = \"nowhere\"")
        .replace("telephone = \"01632 960003\"", "telephone = \"ring us\"");
    let r = bu
        .upload("/thresholds", "file", "bad.toml", bad.as_bytes(), true)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("bad.toml has 2 problems: nothing was imported");
    r.assert_contains("no level has the key &#34;nowhere&#34;");
    r.assert_contains("Line ");
    for (name, bytes) in [
        ("utf16.toml", vec![0xff, 0xfe, b's', 0]),
        ("binary.toml", vec![0u8, 159, 146, 150]),
        (
            "deep.toml",
            format!("x = {}{}", "[".repeat(100), "]".repeat(100)).into_bytes(),
        ),
        ("empty.toml", Vec::new()),
        (
            "script.toml",
            DOC.replace("Test levels of need", "<script>alert(1)</script>")
                .replace("key = \"u-healthy\"", "key = \"<b>\"")
                .into_bytes(),
        ),
    ] {
        let r = bu.upload("/thresholds", "file", name, &bytes, true).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(!r.body.contains("<script>alert"), "{name}");
    }
    assert_eq!(
        count_of(&app, "SELECT COUNT(*) AS n FROM threshold_editions").await,
        0
    );
    assert_eq!(audit(&app).await, before);

    let id = import(&app, &mut bu, DOC).await;
    let before = audit(&app).await;
    let doc_before: String = app
        .state
        .db
        .fetch_one(
            "SELECT document FROM threshold_editions WHERE id = $1",
            masa::args![id],
        )
        .await
        .expect("q")
        .get("document")
        .expect("d");
    let form = bu
        .get(&format!("/thresholds/editions/{id}/indicators/new"))
        .await;
    let v = version_on(&form.body);
    let long = "x".repeat(1001);
    for (fields, says) in [
        (
            vec![
                ("key", "new-one"),
                ("level", "early-help"),
                ("domain", "family"),
                ("text", ""),
            ],
            "Enter the indicator",
        ),
        (
            vec![
                ("key", "new-one"),
                ("level", "sky-high"),
                ("domain", "family"),
                ("text", "A need"),
            ],
            "Choose a level of need from the list",
        ),
        (
            vec![
                ("key", "e-housing"),
                ("level", "early-help"),
                ("domain", "family"),
                ("text", "A need"),
            ],
            "Another indicator has the key e-housing",
        ),
        (
            vec![
                ("key", "Bad Key!"),
                ("level", "early-help"),
                ("domain", "family"),
                ("text", "A need"),
            ],
            "lower-case letters",
        ),
        (
            vec![
                ("key", "new-one"),
                ("level", "early-help"),
                ("domain", "family"),
                ("text", long.as_str()),
            ],
            "1,000 characters or fewer",
        ),
        (
            vec![
                ("key", "new-one"),
                ("level", "early-help"),
                ("domain", "family"),
                ("text", "A need"),
                ("related", "nope"),
            ],
            "no other indicator with the key nope",
        ),
    ] {
        let mut f = fields.clone();
        f.push(("version", &v));
        let r = bu
            .post(&format!("/thresholds/editions/{id}/indicators/new"), &f)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{says}");
        r.assert_contains(says);
        // What was typed is kept.
        if let Some((_, t)) = fields.iter().find(|(k, _)| *k == "text")
            && t.len() < 100
            && !t.is_empty()
        {
            r.assert_contains(t);
        }
    }
    // Removing an indicator another names as related is refused.
    let form = bu
        .get(&format!("/thresholds/editions/{id}/indicators/s-injury"))
        .await;
    let v2 = version_on(&form.body);
    let r = bu
        .post(
            &format!("/thresholds/editions/{id}/indicators/s-injury"),
            &[("version", &v2), ("remove", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("name this one as related");
    // A contact with a telephone that is not one, an address that is not an email.
    let r = bu
        .post(
            &format!("/thresholds/editions/{id}/contacts/front-door"),
            &[
                ("version", &v),
                ("name", "Front"),
                ("telephone", "call us<script>"),
                ("email", "not-an-email"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("is not a telephone number");
    r.assert_contains("is not an email address");
    assert!(!r.body.contains("<script>"));
    // A date in the past, a date that is not one.
    bu.get(&format!("/thresholds/editions/{id}")).await;
    let r = bu
        .post(
            &format!("/thresholds/editions/{id}/ask"),
            &[("version", &v), ("sign_by", "2020-01-01")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = bu
        .post(
            &format!("/thresholds/editions/{id}/ask"),
            &[
                ("version", &v),
                ("sign_by-day", "31"),
                ("sign_by-month", "2"),
                ("sign_by-year", "2027"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("Sign-off date must be a real date");
    // A version that is not one.
    let r = bu
        .post(
            &format!("/thresholds/editions/{id}/ask"),
            &[("version", "x"), ("sign_by", "2030-01-01")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let doc_after: String = app
        .state
        .db
        .fetch_one(
            "SELECT document FROM threshold_editions WHERE id = $1",
            masa::args![id],
        )
        .await
        .expect("q")
        .get("document")
        .expect("d");
    assert_eq!(doc_after, doc_before);
    assert_eq!(audit(&app).await, before);

    // Query strings on the public tool: junk, repeats, a forged key, an edition that is not a
    // number or not there.
    signed_off(&app, id).await;
    assert_eq!(
        publish(&mut bu, id, today()).await.status,
        StatusCode::SEE_OTHER
    );
    let mut public = app.client();
    let many = "i=s-injury&".repeat(3000);
    for (q, status) in [
        (format!("{many}suggest=1"), StatusCode::OK),
        (
            "q=%00%ff%fe&level=%3Cscript%3E&domain=nope".to_owned(),
            StatusCode::OK,
        ),
        ("i=forged-key&suggest=1".to_owned(), StatusCode::OK),
        ("edition=abc".to_owned(), StatusCode::BAD_REQUEST),
        ("edition=99".to_owned(), StatusCode::NOT_FOUND),
        (format!("q={}", "long+".repeat(2000)), StatusCode::OK),
    ] {
        let r = public.get(&format!("/p/plymouth/thresholds?{q}")).await;
        assert_eq!(r.status, status, "{}", &q[..q.len().min(60)]);
        assert!(!r.body.contains("<script>"));
    }
    // A forged key is no use: nothing suggested, nothing recorded; the repeated one counts once.
    let picked = count_of(&app, "SELECT COUNT(*) AS n FROM threshold_use_indicators").await;
    assert_eq!(picked, 1);
    assert_eq!(
        count_of(&app, "SELECT COUNT(*) AS n FROM threshold_uses").await,
        1
    );
});

both_engines!(another_partnerships_ids_are_not_found, |app| {
    let mut bu = app.signed_in(BU).await;
    let id = published(&app, &mut bu).await;
    let mut derby = app.signed_in("admin@derby.example").await;
    derby.get("/thresholds").await;
    for path in [
        format!("/thresholds/editions/{id}"),
        format!("/thresholds/editions/{id}/file"),
        format!("/thresholds/editions/{id}/publish"),
        format!("/thresholds/editions/{id}/indicators/e-housing"),
        format!("/thresholds/editions/{id}/contacts/front-door"),
    ] {
        assert_eq!(
            derby.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    for path in [
        "sign",
        "publish",
        "ask",
        "indicators/e-housing",
        "contacts/front-door",
    ] {
        let r = derby
            .post(
                &format!("/thresholds/editions/{id}/{path}"),
                &[
                    ("version", "2"),
                    ("partner", "police"),
                    ("takes_effect", "2030-01-01"),
                    ("sign_by", "2030-01-01"),
                    ("text", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    let r = derby
        .post("/thresholds/editions", &[("from", &id.to_string())])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Derby has published nothing: its public tool is not found, whatever edition is asked for.
    let mut public = app.client();
    assert_eq!(
        public
            .get("/p/derby-derbyshire/thresholds?edition=1")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        public
            .get("/api/v1/p/derby-derbyshire/thresholds")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Derby's usage figures do not count Plymouth's uses.
    public
        .get("/p/plymouth/thresholds?i=e-housing&suggest=1")
        .await;
    let u = derby.get("/thresholds/usage").await;
    u.assert_contains("0 uses");
    let mut api = derby.api_client("figures").await;
    let j: serde_json::Value =
        serde_json::from_str(&api.get("/api/v1/thresholds/usage").await.body).expect("json");
    assert_eq!(j["uses"], 0);
    let mut papi = bu.api_client("figures").await;
    let j: serde_json::Value =
        serde_json::from_str(&papi.get("/api/v1/thresholds/usage").await.body).expect("json");
    assert_eq!(j["uses"], 1);
});

both_engines!(sign_off_and_publishing_are_home_page_tasks, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    let mut bu = app.signed_in(BU).await;
    let id = import(&app, &mut bu, DOC).await;
    make_delegate(&app.state, app.partnership("plymouth"), MEMBER).await;
    let mut m = app.signed_in(MEMBER).await;
    assert!(
        !m.get("/").await.body.contains("thresholds document"),
        "not asked yet"
    );
    let page = bu.get(&format!("/thresholds/editions/{id}")).await;
    let v = version_on(&page.body);
    let by = today() + chrono::Days::new(20);
    let r = bu
        .post(
            &format!("/thresholds/editions/{id}/ask"),
            &[("version", &v), ("sign_by", &by.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let home = m.get("/").await;
    home.assert_contains("Sign off edition 1 of the thresholds document for the police");
    signed_off(&app, id).await;
    assert!(!m.get("/").await.body.contains("Sign off edition 1"));
    bu.get("/")
        .await
        .assert_contains("Publish edition 1 of the thresholds document");
});

both_engines!(the_web_export_imports_back_identically, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    let mut bu = app.signed_in(BU).await;
    let first = import(&app, &mut bu, DOC).await;
    let once = bu.get(&format!("/thresholds/editions/{first}/file")).await;
    assert_eq!(once.status, StatusCode::OK);
    assert!(
        once.headers[axum::http::header::CONTENT_DISPOSITION]
            .to_str()
            .expect("h")
            .contains("plymouth-thresholds-edition-1.toml")
    );
    let second = import(&app, &mut bu, &once.body).await;
    let twice = bu.get(&format!("/thresholds/editions/{second}/file")).await;
    assert_eq!(once.body, twice.body);
    // Replacing a draft from a file: the new text, refused whole when it has a problem.
    let page = bu.get(&format!("/thresholds/editions/{second}")).await;
    let v = version_on(&page.body);
    let changed = once
        .body
        .replace("Test levels of need", "Test levels of need, revised");
    let r = bu
        .upload_form(
            &format!("/thresholds/editions/{second}/file"),
            &[("version", &v)],
            Some(("file", "revised.toml", changed.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = bu
        .upload_form(
            &format!("/thresholds/editions/{second}/file"),
            &[("version", &(v.parse::<i64>().expect("n") + 1).to_string())],
            Some(("file", "broken.toml", b"schema = 3".as_slice())),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let now = bu.get(&format!("/thresholds/editions/{second}/file")).await;
    assert!(now.body.contains("Test levels of need, revised"));
});

both_engines!(the_demo_documents_import_and_round_trip, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    let slugs = masa::demo::seed_thresholds(&app.state)
        .await
        .expect("thresholds");
    assert_eq!(slugs, ["derby-derbyshire", "plymouth", "portsmouth"]);
    for slug in &slugs {
        let p = app.partnership(slug);
        for e in masa::thresholds::store::editions(&app.state.db, p)
            .await
            .expect("editions")
        {
            let d = masa::thresholds::model::parse(e.document.as_bytes()).expect("parses");
            assert_eq!(
                masa::thresholds::model::to_text(&d),
                e.document,
                "{slug} edition {}",
                e.number
            );
        }
        let mut public = app.client();
        assert_eq!(
            public.get(&format!("/p/{slug}/thresholds")).await.status,
            StatusCode::OK
        );
    }
    // Plymouth's second edition waits for sign-off; its year of uses shows in the figures.
    let mut bu = app.signed_in(BU).await;
    bu.get("/thresholds")
        .await
        .assert_contains("Draft: 1 of 3 sign-offs");
    let u = bu.get("/thresholds/usage").await;
    assert!(!u.body.contains(">0 uses"), "the demo's uses are counted");
});
