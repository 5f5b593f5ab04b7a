//! Papers, the paper pack, action evidence, who sees what, and search: on both engines.

use axum::http::StatusCode;
use chrono::{Duration, NaiveDate};

use crate::both_engines;
use crate::support::{Client, TestApp, today};

async fn business_unit_in(app: &TestApp, slug: &str) -> Client {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("examples import");
    let mut c = app.signed_in("business.unit@plymouth.example").await;
    c.get("/").await;
    let id = app.partnership(slug).0.to_string();
    let r = c
        .post("/switch-partnership", &[("partnership_id", &id)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    c
}

/// A real one-page PDF.
fn a_pdf(title: &str) -> Vec<u8> {
    masa::demo::demo_paper(title).expect("pdf")
}

pub fn a_docx() -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        for (name, text) in [
            ("[Content_Types].xml", "<Types/>"),
            ("word/document.xml", "<w:document/>"),
        ] {
            z.start_file(name, zip::write::SimpleFileOptions::default())
                .expect("start");
            z.write_all(text.as_bytes()).expect("write");
        }
        z.finish().expect("finish");
    }
    out.into_inner()
}

fn pages(pdf: &[u8]) -> usize {
    hayro_syntax::Pdf::new(pdf.to_vec())
        .map(|d| d.pages().len())
        .unwrap_or(0)
}

/// Files kept on disk by the storage layer.
fn kept_files(app: &TestApp) -> usize {
    fn walk(d: &std::path::Path) -> usize {
        std::fs::read_dir(d).map_or(0, |rd| {
            rd.flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() { walk(&p) } else { 1 }
                })
                .sum()
        })
    }
    walk(&app.state.config.data_dir.join("files"))
}

both_engines!(
    papers_are_checked_versioned_flagged_late_and_packed,
    |app| {
        use masa::meetings::store as ms;
        let mut c = business_unit_in(&app, "portsmouth").await;
        let p = app.partnership("portsmouth");
        // A year of board meetings from four months ahead, and the year of September 2022.
        let first = today() + Duration::days(120);
        for day in [first.to_string(), "2022-09-20".to_owned()] {
            let r = c
                .post(
                    "/meetings/bodies/pscp-board/plan",
                    &[("first", day.as_str()), ("plan_start_time", "10:00")],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        let future = ms::between(
            &app.state.db,
            p,
            today(),
            first + Duration::days(400),
            Some("pscp-board"),
        )
        .await
        .expect("meetings")[0]
            .clone();
        let sept = ms::between(
            &app.state.db,
            p,
            NaiveDate::from_ymd_opt(2022, 9, 20).expect("date"),
            NaiveDate::from_ymd_opt(2022, 9, 20).expect("date"),
            Some("pscp-board"),
        )
        .await
        .expect("meetings")[0]
            .clone();
        for m in [future.id, sept.id] {
            let r = c
                .post(
                    &format!("/meetings/{m}/agenda"),
                    &[
                        ("title", "Neglect strategy"),
                        ("presenter", "Strategic lead"),
                        ("purpose", "decision"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
        }
        let item = ms::agenda(&app.state.db, p, future.id)
            .await
            .expect("agenda")[0]
            .clone();
        let late_item = ms::agenda(&app.state.db, p, sept.id).await.expect("agenda")[0].clone();
        let upload = format!("/meetings/items/{}/papers", item.id);
        c.get(&format!("/meetings/items/{}", item.id)).await;

        // Files that lie about their type, or are too large, or are missing: refused, nothing kept.
        let before = (
            app.count("files").await,
            app.count("papers").await,
            kept_files(&app),
        );
        let r = c
            .upload_form(
                &upload,
                &[("paper_title", "Strategy")],
                Some(("file", "strategy.pdf", &a_docx())),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("name says it is a PDF but its content is not");
        r.assert_contains("href=\"#file\"");
        // Refused for its file, the paper keeps its title as typed.
        r.assert_contains("name=\"paper_title\" type=\"text\" value=\"Strategy\"");
        let r = c
            .upload_form(
                &upload,
                &[("paper_title", "Strategy")],
                Some(("file", "figures.csv", b"MZ\x90\x00\x03\x00\x00\x00\x04")),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = c
            .upload_form(
                &upload,
                &[("paper_title", "Strategy")],
                Some(("file", "tool.exe", b"MZ")),
            )
            .await;
        r.assert_contains("must be a PDF, DOCX, XLSX, ODT or CSV");
        let mut huge = b"%PDF-1.7\n".to_vec();
        huge.resize(20 * 1024 * 1024 + 1, b' ');
        huge.extend_from_slice(b"\n%%EOF\n");
        let r = c
            .upload_form(
                &upload,
                &[("paper_title", "Strategy")],
                Some(("file", "huge.pdf", &huge)),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("The selected file must be smaller than 20 MB");
        r.assert_contains("name=\"paper_title\" type=\"text\" value=\"Strategy\"");
        let r = c
            .upload_form(&upload, &[("paper_title", "Strategy")], None)
            .await;
        r.assert_contains("Select a file");
        r.assert_contains("name=\"paper_title\" type=\"text\" value=\"Strategy\"");
        let r = c
            .upload_form(
                &upload,
                &[("paper_title", "")],
                Some(("file", "s.pdf", &a_pdf("S"))),
            )
            .await;
        r.assert_contains("Enter the paper");
        assert_eq!(
            (
                app.count("files").await,
                app.count("papers").await,
                kept_files(&app)
            ),
            before,
            "nothing stored from a refused upload"
        );

        // A good paper, in time for a meeting four months away.
        let v1 = a_pdf("Neglect strategy, first draft");
        let r = c
            .upload_form(
                &upload,
                &[("paper_title", "Neglect strategy 2026 to 2029")],
                Some(("file", "strategy.pdf", &v1)),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let papers = masa::meetings::papers::of_meeting(&app.state.db, p, future.id)
            .await
            .expect("papers");
        assert_eq!(papers.len(), 1);
        let paper = papers[0].clone();
        assert!(!paper.versions[0].late, "in time");
        assert_eq!(kept_files(&app), before.2 + 1);

        // Replaced: a new version, the old one kept and still downloadable as it was.
        c.get(&format!("/meetings/items/{}", item.id)).await;
        let r = c
            .upload_form(
                &upload,
                &[
                    ("paper", &paper.id.to_string()),
                    ("version", &paper.version.to_string()),
                    (&format!("note-{}", paper.id), "Partners' comments taken in"),
                ],
                Some((
                    &format!("replacement-{}", paper.id),
                    "strategy.docx",
                    &a_docx(),
                )),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Someone replacing from the same old page is told; their file is not taken over the new.
        let r = c
            .upload_form(
                &upload,
                &[
                    ("paper", &paper.id.to_string()),
                    ("version", &paper.version.to_string()),
                ],
                Some((
                    &format!("replacement-{}", paper.id),
                    "older.pdf",
                    &a_pdf("Old"),
                )),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("changed");
        let paper = masa::meetings::papers::get(&app.state.db, p, paper.id)
            .await
            .expect("paper")
            .expect("there");
        assert_eq!(paper.versions.len(), 2);
        assert_eq!(paper.versions[0].note, "Partners' comments taken in");
        let r = c.get(&format!("/meetings/papers/{}/1", paper.id)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.bytes, v1, "version 1 as uploaded");
        assert!(
            r.headers["content-disposition"]
                .to_str()
                .unwrap_or("")
                .starts_with("attachment")
        );
        assert_eq!(r.headers["content-type"], "application/pdf");
        let r = c.get(&format!("/meetings/papers/{}/2", paper.id)).await;
        assert!(
            r.headers["content-type"]
                .to_str()
                .unwrap_or("")
                .contains("wordprocessingml")
        );
        assert_eq!(
            c.get(&format!("/meetings/papers/{}/3", paper.id))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // A paper for 20 September 2022 arrives long after the papers went out: taken, marked late.
        c.get(&format!("/meetings/items/{}", late_item.id)).await;
        let r = c
            .upload_form(
                &format!("/meetings/items/{}/papers", late_item.id),
                &[("paper_title", "Late report")],
                Some(("file", "late.pdf", &a_pdf("Late report"))),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let late = masa::meetings::papers::of_meeting(&app.state.db, p, sept.id)
            .await
            .expect("papers");
        assert!(late[0].versions[0].late);
        c.get(&format!("/meetings/{}/papers", sept.id))
            .await
            .assert_contains("govuk-tag--red\">Late");

        // The pack: the agenda, then the PDF paper's pages, in one PDF.
        c.get(&format!("/meetings/items/{}", item.id)).await;
        c.upload_form(
            &upload,
            &[("paper_title", "Scorecard")],
            Some(("file", "scorecard.pdf", &a_pdf("Scorecard"))),
        )
        .await;
        let r = c.get(&format!("/meetings/{}/pack", future.id)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers["content-type"], "application/pdf");
        assert!(
            pages(&r.bytes) >= 3,
            "agenda, the DOCX's note and the PDF paper's page: {} pages",
            pages(&r.bytes)
        );
    }
);

both_engines!(restricted_items_papers_and_the_public, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    masa::demo::seed_meetings(&app.state)
        .await
        .expect("meetings");
    let p = app.partnership("plymouth");
    let board = masa::meetings::store::between(
        &app.state.db,
        p,
        today() - Duration::days(200),
        today() + Duration::days(200),
        Some("pscp-board"),
    )
    .await
    .expect("board");
    let next = board
        .iter()
        .find(|m| m.date >= today())
        .expect("next")
        .clone();
    let last = board
        .iter()
        .rev()
        .find(|m| m.date < today())
        .expect("last")
        .clone();
    let agenda = masa::meetings::store::agenda(&app.state.db, p, next.id)
        .await
        .expect("agenda");
    let restricted = agenda
        .iter()
        .find(|i| i.restricted)
        .expect("restricted item")
        .clone();
    let open = agenda
        .iter()
        .find(|i| !i.restricted)
        .expect("open item")
        .clone();
    let paper = masa::meetings::papers::of_meeting(&app.state.db, p, next.id)
        .await
        .expect("papers")[0]
        .clone();
    let item_url = format!("/meetings/items/{}", restricted.id);
    let paper_url = format!("/meetings/papers/{}/1", paper.id);

    // Morgan sits on the board: its meeting, papers and open items, not the restricted one.
    let mut morgan = app.signed_in("member@plymouth.example").await;
    assert_eq!(
        morgan.get(&format!("/meetings/{}", next.id)).await.status,
        StatusCode::OK
    );
    assert_eq!(morgan.get(&paper_url).await.status, StatusCode::OK);
    assert_eq!(
        morgan
            .get(&format!("/meetings/items/{}", open.id))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(morgan.get(&item_url).await.status, StatusCode::NOT_FOUND);
    morgan
        .get(&format!("/meetings/{}/agenda", next.id))
        .await
        .assert_contains("Restricted item");
    // ... nor another body's meetings.
    let other = masa::meetings::store::between(
        &app.state.db,
        p,
        today(),
        today() + Duration::days(400),
        None,
    )
    .await
    .expect("all")
    .into_iter()
    .find(|m| m.body_key != "pscp-board")
    .expect("another body's meeting");
    assert_eq!(
        morgan.get(&format!("/meetings/{}", other.id)).await.status,
        StatusCode::NOT_FOUND
    );
    let list = morgan.get("/api/v1/meetings").await;
    assert!(
        !list
            .body
            .contains(&format!("\"body\":\"{}\"", other.body_key)),
        "API lists only their bodies"
    );

    // Actions: a restricted item's, and another body's, are not in Morgan's tracker.
    let actor = masa::store::Actor::system("test");
    let action = |title: &str, body: &str, item: i64| masa::actions::store::NewAction {
        source_kind: "minute".into(),
        source_id: item,
        body_key: body.into(),
        reference: String::new(),
        title: title.into(),
        owner_name: "Sam Owner".into(),
        owner_organisation: String::new(),
        owner_user_id: None,
        due: today() + Duration::days(20),
        sensitive: false,
        // A restricted item's actions are as restricted as the item.
        restricted_item: (item == restricted.id).then_some(item),
    };
    let secret_action = masa::actions::store::add(
        &app.state.db,
        &actor,
        p,
        &action(
            "Refer Child P's case to the Panel",
            "pscp-board",
            restricted.id,
        ),
    )
    .await
    .expect("action");
    let other_action = masa::actions::store::add(
        &app.state.db,
        &actor,
        p,
        &action("Other body's follow-up", &other.body_key, 0),
    )
    .await
    .expect("action");
    let open_action = masa::actions::store::add(
        &app.state.db,
        &actor,
        p,
        &action("Circulate the annual report", "pscp-board", open.id),
    )
    .await
    .expect("action");
    let tracker = morgan.get("/actions").await;
    tracker.assert_contains("Circulate the annual report");
    assert!(
        !tracker.body.contains("Refer Child P"),
        "a restricted item's action"
    );
    assert!(
        !tracker.body.contains("Other body"),
        "another body's action"
    );
    // The same through the API, with Morgan's personal token.
    let mut api = morgan.api_client("reports").await;
    // The meeting through the API: the open item's paper listed, the restricted item's not.
    let detail: serde_json::Value =
        serde_json::from_str(&api.get(&format!("/api/v1/meetings/{}", next.id)).await.body)
            .expect("json");
    let agenda = detail["agenda"].as_array().expect("agenda");
    let listed: Vec<&str> = agenda
        .iter()
        .flat_map(|i| i["papers"].as_array().into_iter().flatten())
        .filter_map(|x| x["download"].as_str())
        .collect();
    assert!(listed.contains(&paper_url.as_str()), "{listed:?}");
    assert!(
        agenda.iter().any(|i| i["title"] == "Restricted item"
            && i["papers"].as_array().is_some_and(Vec::is_empty))
    );
    for id in [secret_action, other_action] {
        assert_eq!(
            morgan.get(&format!("/actions/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            api.get(&format!("/api/v1/actions/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        morgan.get(&format!("/actions/{open_action}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        api.get(&format!("/api/v1/actions/{open_action}"))
            .await
            .status,
        StatusCode::OK
    );
    let listed = api.get("/api/v1/actions").await;
    assert_eq!(listed.status, StatusCode::OK);
    listed.assert_contains("Circulate the annual report");
    assert!(!listed.body.contains("Refer Child P"));
    let csv = morgan.get("/actions/tracking.csv?from=2020-01-01").await;
    csv.assert_contains("Circulate the annual report");
    assert!(!csv.body.contains("Refer Child P"));

    // The scrutineer reads every body, but a restricted item only when named.
    let mut scrutineer = app.signed_in("scrutineer@plymouth.example").await;
    assert_eq!(
        scrutineer
            .get(&format!("/meetings/{}", other.id))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        scrutineer.get(&item_url).await.status,
        StatusCode::NOT_FOUND
    );
    // A practitioner sees no meetings at all.
    let mut practitioner = app.signed_in("practitioner@plymouth.example").await;
    assert_eq!(
        practitioner.get(&paper_url).await.status,
        StatusCode::FORBIDDEN
    );

    // The chair names Morgan; the business unit records it. Every reading is then audited.
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    bu.get(&item_url)
        .await
        .assert_contains("Named by the chair");
    let morgan_id = masa::accounts::store::user_by_email(&app.state.db, "member@plymouth.example")
        .await
        .expect("lookup")
        .expect("morgan")
        .0
        .id;
    let r = bu
        .post(
            &format!("{item_url}/readers"),
            &[("reader", &morgan_id.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = bu
        .post(&format!("{item_url}/readers"), &[("reader", "999999")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let before = app.count("audit_events").await;
    assert_eq!(morgan.get(&item_url).await.status, StatusCode::OK);
    assert_eq!(
        app.count("audit_events").await,
        before + 1,
        "the reading is audited"
    );
    let audit = bu.get("/audit?record_type=agenda-item").await;
    audit.assert_contains("Restricted item viewed");
    // Named, Morgan sees the item's actions too.
    morgan
        .get("/actions")
        .await
        .assert_contains("Refer Child P");
    // A restricted paper: every reading of it is in the audit trail, by name.
    bu.get(&item_url).await;
    let r = bu
        .upload_form(
            &format!("{item_url}/papers"),
            &[("paper_title", "Rapid review report")],
            Some(("file", "rapid-review.pdf", &a_pdf("Rapid review"))),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let secret_paper = masa::meetings::papers::of_meeting(&app.state.db, p, next.id)
        .await
        .expect("papers")
        .into_iter()
        .find(|x| x.agenda_item_id == restricted.id)
        .expect("the restricted paper");
    let before = app.count("audit_events").await;
    let r = morgan
        .get(&format!("/meetings/papers/{}/1", secret_paper.id))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.count("audit_events").await, before + 1);
    bu.get("/audit?record_type=agenda-item")
        .await
        .assert_contains("Restricted paper &#34;Rapid review report&#34; (version 1) read");
    // Not named, the scrutineer cannot have it.
    assert_eq!(
        scrutineer
            .get(&format!("/meetings/papers/{}/1", secret_paper.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The public: only published meetings, only their open items and papers.
    let mut public = app.client();
    let r = public.get("/p/plymouth/meetings").await;
    assert_eq!(r.status, StatusCode::OK);
    r.assert_contains(&format!("/p/plymouth/meetings/{}", last.id));
    assert!(
        !r.body
            .contains(&format!("/p/plymouth/meetings/{}\"", next.id))
    );
    assert_eq!(
        public
            .get(&format!("/p/plymouth/meetings/{}", next.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        public
            .get(&format!("/p/plymouth/papers/{}", paper.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        public
            .get(&format!("/p/plymouth/meetings/{}", last.id))
            .await
            .status,
        StatusCode::OK
    );
    // Published, the next meeting shows its open papers; never the restricted item.
    bu.get(&format!("/meetings/{}", next.id)).await;
    let r = bu
        .post(
            &format!("/meetings/{}/publish", next.id),
            &[("version", &next.version.to_string()), ("published", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The list splits what is to come (soonest first) from what was held (newest first).
    let list = public.get("/p/plymouth/meetings").await;
    let (coming, past) = list
        .body
        .split_once("id=\"past\"")
        .expect("a past meetings section");
    assert!(coming.contains("Coming meetings"));
    assert!(
        coming.contains(&format!("/p/plymouth/meetings/{}\"", next.id)),
        "the next meeting is to come"
    );
    assert!(
        past.contains(&format!("/p/plymouth/meetings/{}\"", last.id))
            && !past.contains(&format!("/p/plymouth/meetings/{}\"", next.id)),
        "the last meeting was held"
    );
    let r = public
        .get(&format!("/p/plymouth/meetings/{}", next.id))
        .await;
    r.assert_contains(&open.title);
    assert!(
        !r.body.contains(&restricted.title),
        "restricted items are never published"
    );
    r.assert_contains("1 item was taken in private");
    // Each paper with its kind, size and pages, counted when it was uploaded.
    let v = paper.current().expect("a version");
    assert_eq!(v.file.pages, Some(1), "the demo paper is one page");
    r.assert_contains(&format!("(PDF, {}, 1 page)", v.file.size_text()));
    assert_eq!(
        public
            .get(&format!("/p/plymouth/papers/{}", paper.id))
            .await
            .status,
        StatusCode::OK
    );
});

both_engines!(
    search_is_ranked_marked_and_confined_to_what_people_may_see,
    |app| {
        masa::demo::seed_arrangements(&app.state)
            .await
            .expect("arrangements");
        masa::demo::seed_meetings(&app.state)
            .await
            .expect("meetings");
        let p = app.partnership("plymouth");
        let mut bu = app.signed_in("business.unit@plymouth.example").await;
        let meetings = masa::meetings::store::between(
            &app.state.db,
            p,
            today(),
            today() + Duration::days(400),
            None,
        )
        .await
        .expect("meetings");
        let board = meetings
            .iter()
            .find(|m| m.body_key == "pscp-board")
            .expect("board")
            .clone();
        let other = meetings
            .iter()
            .find(|m| m.body_key != "pscp-board")
            .expect("other")
            .clone();
        let add = |title: &'static str, restricted: bool| masa::meetings::store::NewItem {
            title: title.into(),
            presenter: String::new(),
            organisation: String::new(),
            purpose: "discussion".into(),
            restricted,
        };
        let actor = masa::store::Actor::system("test");
        let db = &app.state.db;
        let title_hit = masa::meetings::store::add_item(
            db,
            &actor,
            p,
            board.id,
            &add("Exploitation pathway review", false),
        )
        .await
        .expect("item");
        let text_hit = masa::meetings::store::add_item(
            db,
            &actor,
            p,
            board.id,
            &add("Any other business", false),
        )
        .await
        .expect("item");
        let hidden = masa::meetings::store::add_item(
            db,
            &actor,
            p,
            other.id,
            &add("Exploitation in the other body", false),
        )
        .await
        .expect("item");
        let secret = masa::meetings::store::add_item(
            db,
            &actor,
            p,
            board.id,
            &add("Exploitation case, restricted", true),
        )
        .await
        .expect("item");
        let item = masa::meetings::store::agenda_item(db, p, text_hit)
            .await
            .expect("item")
            .expect("there");
        masa::meetings::store::save_minute(
            db,
            &actor,
            p,
            &item,
            "pscp-board",
            item.version,
            "The board noted a rise in <b>exploitation</b> referrals.",
        )
        .await
        .expect("minute")
        .expect("saved");

        // The business unit sees all four, the title match first, the words marked, text escaped.
        let r = bu.get("/search?q=exploitation").await;
        assert_eq!(r.status, StatusCode::OK);
        let at = |id: i64| {
            r.body
                .find(&format!("/meetings/items/{id}\""))
                .unwrap_or(usize::MAX)
        };
        assert!(
            at(title_hit) < at(text_hit),
            "a title match ranks above a match in the text"
        );
        for id in [title_hit, text_hit, hidden, secret] {
            assert!(at(id) < usize::MAX, "business unit finds item {id}");
        }
        r.assert_contains("<mark>Exploitation</mark> pathway review");
        // The minute's own markup is never the page's: escaped (SQLite) or dropped (PostgreSQL).
        r.assert_contains("<mark>exploitation</mark>");
        assert!(
            !r.body.contains("<b>"),
            "text from a minute is never markup"
        );
        // Prefixes match; every word must.
        bu.get("/search?q=exploit+pathw")
            .await
            .assert_contains(&format!("/meetings/items/{title_hit}\""));
        let r = bu.get("/search?q=exploitation+nonsenseword").await;
        r.assert_contains("No results");

        // Morgan sits on the board only: not the other body's item, not the restricted one.
        let mut morgan = app.signed_in("member@plymouth.example").await;
        let r = morgan.get("/search?q=exploitation").await;
        assert!(r.body.contains(&format!("/meetings/items/{title_hit}\"")));
        assert!(
            !r.body.contains(&format!("/meetings/items/{hidden}\"")),
            "another body's item"
        );
        assert!(
            !r.body.contains(&format!("/meetings/items/{secret}\"")),
            "a restricted item"
        );
        // The scrutineer: every body, still not the restricted item.
        let mut s = app.signed_in("scrutineer@plymouth.example").await;
        let r = s.get("/search?q=exploitation").await;
        assert!(r.body.contains(&format!("/meetings/items/{hidden}\"")));
        assert!(!r.body.contains(&format!("/meetings/items/{secret}\"")));

        // Hostile and empty queries are answered plainly.
        for q in ["%22%3Cscript%3E", "NEAR(a+b)+OR+*", "---"] {
            let r = bu.get(&format!("/search?q={q}")).await;
            assert_eq!(r.status, StatusCode::OK, "{q}");
            assert!(!r.body.contains("<script>"), "{q}");
        }
        bu.get("/search?q=---")
            .await
            .assert_contains("Enter words to search for");
        // Decisions, papers and actions are found too.
        bu.get("/search?q=annual+report")
            .await
            .assert_contains("#papers\"");
    }
);

both_engines!(evidence_is_attached_to_actions_checked_by_content, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    let p = app.partnership("plymouth");
    let actor = masa::store::Actor::system("test");
    let id = masa::actions::store::add(
        &app.state.db,
        &actor,
        p,
        &masa::actions::store::NewAction {
            source_kind: "audit".into(),
            source_id: 1,
            body_key: String::new(),
            reference: "Section 11 audit".into(),
            title: "Update the escalation policy".into(),
            owner_name: "Jo Bloggs".into(),
            owner_organisation: "NHS Devon".into(),
            owner_user_id: None,
            due: today() + Duration::days(30),
            sensitive: false,
            restricted_item: None,
        },
    )
    .await
    .expect("action");
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    bu.get(&format!("/actions/{id}"))
        .await
        .assert_contains("No evidence attached");
    let url = format!("/actions/{id}/evidence");
    let r = bu
        .upload_form(
            &url,
            &[("description", "The policy")],
            Some(("evidence", "policy.xlsx", &a_docx())),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("name says it is an XLSX but its content is not");
    assert_eq!(app.count("attachments").await, 0);
    let r = bu
        .upload_form(
            &url,
            &[("description", "The policy, as approved")],
            Some(("evidence", "policy.docx", &a_docx())),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = bu.get(&format!("/actions/{id}")).await;
    page.assert_contains("policy.docx");
    // The confirmation shows once, on the page after the change, then is gone.
    page.assert_contains("Evidence attached");
    let again = bu.get(&format!("/actions/{id}")).await;
    assert!(
        !again.body.contains("Evidence attached"),
        "a flash message shows once"
    );
    page.assert_contains("The policy, as approved");
    let ev = masa::actions::store::EVIDENCE
        .list(&app.state.db, p, &[id])
        .await
        .expect("evidence");
    let r = bu.get(&format!("/actions/evidence/{}", ev[0].id)).await;
    assert_eq!(r.bytes, a_docx());
    assert_eq!(ev[0].record_id, id);
    // One table holds every record's attachments: an action's is not an assurance answer's.
    assert_eq!(
        bu.get(&format!("/assurance/evidence/{}", ev[0].id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Another partnership's people cannot reach it.
    let mut derby = app.signed_in("admin@derby.example").await;
    assert_eq!(
        derby
            .get(&format!("/actions/evidence/{}", ev[0].id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

both_engines!(
    a_years_history_then_this_years_meetings_seed_and_search,
    |app| {
        masa::demo::seed_arrangements(&app.state)
            .await
            .expect("arrangements");
        let (meetings, items, actions, papers) =
            masa::demo::seed_history(&app.state, "plymouth", 1)
                .await
                .expect("history");
        assert!(
            meetings > 0 && items == meetings * 13 && papers == items && actions == meetings * 50
        );
        masa::demo::seed_meetings(&app.state)
            .await
            .expect("this year's meetings number on from the history");
        // The history is in the search index.
        let mut bu = app.signed_in("business.unit@plymouth.example").await;
        bu.get("/search?q=report")
            .await
            .assert_contains("The best 50 results");
    }
);
