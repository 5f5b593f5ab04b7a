//! Arrangements files: check, import, export, history, and refusal of bad files.

use masa::arrangements::{model, store};
use masa::store::Actor;

use crate::both_engines;
use crate::support::{TestApp, day};

const TORBAY: &str = include_str!("../fixtures/torbay.toml");

async fn import(app: &TestApp, text: &str) -> (masa::store::PartnershipId, store::ImportSummary) {
    let a = model::parse(text.as_bytes()).unwrap_or_else(|p| panic!("problems: {p:?}"));
    store::import(&app.state.db, &Actor::system("test"), &a)
        .await
        .expect("import")
}

both_engines!(export_import_export_is_identical, |app| {
    let (p, s) = import(&app, TORBAY).await;
    assert!(s.partnership_created);
    assert_eq!(s.created, 18, "{s:?}");
    let first = store::export(&app.state.db, p).await.expect("export");
    let (_, again) = import(&app, &first).await;
    assert_eq!(
        (again.created, again.updated, again.deleted),
        (0, 0, 0),
        "re-importing the export changed something"
    );
    let second = store::export(&app.state.db, p).await.expect("export");
    assert_eq!(first, second);
    // The export is itself a valid file.
    model::parse(first.as_bytes()).expect("export parses");
});

both_engines!(
    reimporting_an_edited_file_updates_in_place_with_history,
    |app| {
        let (p, _) = import(&app, TORBAY).await;
        let edited = TORBAY.replace("name = \"Quality Assurance Group\"", "name = \"Quality Assurance and Performance Group\"").replace(
        "[[memberships]]\nbody = \"board\"\norganisation = \"devon-ccg\"\nrepresentative = \"Chief Nurse\"\nrole = \"member\"\nto = 2022-06-30\n\n",
        "",
    );
        let (_, s) = import(&app, &edited).await;
        // The renamed body, and the ICB's membership that moved up a place in the file.
        assert_eq!((s.created, s.updated, s.deleted), (0, 2, 1), "{s:?}");
        let row = app
        .state
        .db
        .fetch_one("SELECT before_json, after_json FROM audit_events WHERE record_type = 'arrangements' AND record_id = 'body:qa' AND action = 'update'", vec![])
        .await
        .expect("an audit entry for the change");
        assert!(
            row.get::<Option<String>>("before_json")
                .expect("b")
                .expect("before")
                .contains("Quality Assurance Group")
        );
        assert!(
            row.get::<Option<String>>("after_json")
                .expect("a")
                .expect("after")
                .contains("Quality Assurance and Performance Group")
        );
        let version: i64 = app.state.db.fetch_one("SELECT version FROM arrangement_items WHERE partnership_id = $1 AND item_key = 'qa'", masa::args![p]).await.expect("q").get("version").expect("v");
        assert_eq!(version, 2);
    }
);

both_engines!(structure_as_at_a_date, |app| {
    let (p, _) = import(&app, TORBAY).await;
    let keys = |items: Vec<store::Item>| items.into_iter().map(|i| i.key).collect::<Vec<_>>();
    let db = &app.state.db;
    assert_eq!(
        keys(
            store::as_at(db, p, "body", day("2021-06-01"))
                .await
                .expect("q")
        ),
        ["board", "qa"]
    );
    assert_eq!(
        keys(
            store::as_at(db, p, "body", day("2022-10-01"))
                .await
                .expect("q")
        ),
        ["board", "qa-delivery"]
    );
    // A CCG succeeded by an ICB keeps its history: its membership is still there, ended.
    let on = |d: &'static str| async move {
        store::as_at(db, p, "membership", day(d))
            .await
            .expect("q")
            .into_iter()
            .map(|i| {
                store::decode::<model::Membership>(&i)
                    .expect("m")
                    .organisation
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(on("2022-06-30").await, ["torbay-council", "devon-ccg"]);
    assert_eq!(on("2022-07-01").await, ["torbay-council", "devon-icb"]);
    let all = store::items(db, p).await.expect("items");
    assert!(all.iter().any(|i| i.kind == "organisation"
        && i.key == "devon-ccg"
        && i.to == Some(day("2022-06-30"))));
});

/// Problems in a file, as "line: message".
fn problems(text: &[u8]) -> Vec<String> {
    match model::parse(text) {
        Ok(_) => Vec::new(),
        Err(ps) => ps
            .into_iter()
            .map(|p| format!("{}: {}", p.line, p.message))
            .collect(),
    }
}

#[test]
fn contradictory_files_are_refused_with_lines() {
    let bad = TORBAY
        .replace(
            "body = \"board\"\norganisation = \"torbay-council\"",
            "body = \"no-such-body\"\norganisation = \"torbay-council\"",
        )
        .replace("to = 2021-12-31", "from = 2022-05-01\nto = 2021-12-31")
        .replace(
            "representative = \"Chief Nurse\"\nrole = \"member\"\nfrom = 2022-07-01",
            "representative = \"Chief Nurse\"\nrole = \"chair\"\nfrom = 2022-07-01",
        );
    let mut bad = bad;
    bad.push_str(
        "\n[[memberships]]\nbody = \"board\"\norganisation = \"police\"\nrole = \"chair\"\n",
    );
    let ps = problems(bad.as_bytes());
    let all = ps.join("\n");
    assert!(
        all.contains("refers to body \"no-such-body\", which is not in the file"),
        "{all}"
    );
    assert!(
        all.contains("body qa ends (2021-12-31) before it starts (2022-05-01)"),
        "{all}"
    );
    assert!(all.contains("body board has two chairs at once"), "{all}");
    // Every problem names a real line of the file.
    let lines = bad.lines().count();
    assert!(
        ps.iter().all(|p| p
            .split(':')
            .next()
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| (1..=lines).contains(&n))),
        "{all}"
    );
    let chair_line = bad
        .lines()
        .position(|l| l == "organisation = \"police\"")
        .expect("line")
        + 1;
    assert!(
        ps.iter()
            .any(|p| p.starts_with(&format!("{}:", chair_line - 2))
                || p.starts_with(&format!("{}:", chair_line - 1))),
        "{all}"
    );
}

#[test]
fn malformed_and_hostile_files_are_refused() {
    assert!(problems(b"schema = \"masa-arrangements/1\"\n[partnership\n")[0].starts_with("2: "));
    let typo = TORBAY.replace("kind = \"board\"", "kind = \"board\"\nkidn = \"board\"");
    assert!(
        problems(typo.as_bytes())
            .join("")
            .contains("unknown field `kidn`")
    );
    let huge = vec![b'#'; model::MAX_BYTES + 1];
    assert!(problems(&huge)[0].contains("the limit is"));
    let deep = format!(
        "schema = \"masa-arrangements/1\"\nx = {}1{}\n",
        "[".repeat(500),
        "]".repeat(500)
    );
    assert!(problems(deep.as_bytes())[0].contains("nested more than"));
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend("schema".encode_utf16().flat_map(|u| u.to_le_bytes()));
    assert!(problems(&utf16)[0].contains("UTF-16"));
    assert!(problems(b"schema = \"\xff\xfe\xfd\"")[0].contains("not UTF-8"));
    assert!(problems(b"")[0].contains("missing field"));
}

both_engines!(a_bad_file_writes_nothing, |app| {
    let before = (
        app.count("arrangement_items").await,
        app.count("partnerships").await,
        app.count("audit_events").await,
    );
    let bad = TORBAY.replace("sector = \"health\"", "sector = \"wellbeing\"");
    assert!(model::parse(bad.as_bytes()).is_err());
    // The command line refuses it too, and writes nothing.
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, &bad).expect("write");
    if matches!(app.state.db.engine(), masa::store::Engine::Sqlite) {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_masa"))
            .args(["arrangements", "import"])
            .arg(&file)
            .env(
                "MASA_DATABASE_URL",
                format!("sqlite://{}", dir.path().join("x.sqlite").display()),
            )
            .output()
            .expect("run");
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("sector \"wellbeing\" is not one of")
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was imported"));
    }
    assert_eq!(
        (
            app.count("arrangement_items").await,
            app.count("partnerships").await,
            app.count("audit_events").await
        ),
        before
    );
});

both_engines!(the_example_files_import, |app| {
    let slugs = masa::demo::seed_arrangements(&app.state)
        .await
        .expect("examples import");
    for slug in ["derby-derbyshire", "portsmouth"] {
        assert!(
            slugs.iter().any(|s| s == slug),
            "{slug} not imported: {slugs:?}"
        );
    }
    // Each round-trips through export.
    for slug in &slugs {
        let p = masa::partnerships::store::by_slug(&app.state.db, slug)
            .await
            .expect("q")
            .expect("partnership");
        let first = store::export(&app.state.db, masa::store::PartnershipId(p.id))
            .await
            .expect("export");
        let a = model::parse(first.as_bytes()).unwrap_or_else(|e| panic!("{slug}: {e:?}"));
        let (_, s) = store::import(&app.state.db, &Actor::system("test"), &a)
            .await
            .expect("import");
        assert_eq!((s.created, s.updated, s.deleted), (0, 0, 0), "{slug}");
        assert_eq!(
            store::export(&app.state.db, masa::store::PartnershipId(p.id))
                .await
                .expect("export"),
            first,
            "{slug}"
        );
    }
    // Portsmouth names about 200 relevant agencies.
    let ports = masa::partnerships::store::by_slug(&app.state.db, "portsmouth")
        .await
        .expect("q")
        .expect("p");
    let a = store::load_as_at(
        &app.state.db,
        masa::store::PartnershipId(ports.id),
        day("2020-01-01"),
    )
    .await
    .expect("load")
    .expect("arrangements");
    let agencies = a.organisations.iter().filter(|o| o.relevant_agency).count();
    assert!(
        (190..=220).contains(&agencies),
        "{agencies} relevant agencies"
    );
});

/// Appendix 1 of the Derby and Derbyshire document, read from the seed itself: rows of four
/// quarters.
fn derby_appendix() -> Vec<[String; 4]> {
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/seeds/derby-derbyshire-scp-cabinet-2019.txt"
    ))
    .expect("the seed beside the project");
    let start = seed
        .find("Quarter 1\tQuarter 2\tQuarter 3\tQuarter 4\n")
        .expect("the appendix table");
    seed[start..]
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| {
            let mut cells = l.split('\t').map(|c| c.trim().to_owned());
            std::array::from_fn(|_| cells.next().unwrap_or_default())
        })
        .collect()
}

both_engines!(the_derby_reporting_calendar_is_the_documents_table, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("examples import");
    let expected = derby_appendix();
    assert_eq!(expected.len(), 5, "{expected:?}");
    // The published page carries every section the file has, policies and procedures included.
    let public = app.client().get("/p/derby-derbyshire/arrangements").await;
    public.assert_contains("id=\"procedures\">Policies and procedures</h2>");
    // The page shows it for the business unit.
    let mut c = app.signed_in("admin@derby.example").await;
    let page = c.get("/arrangements/reporting").await;
    assert_eq!(page.status, axum::http::StatusCode::OK, "{}", page.body);
    let table = &page.body[page.body.find("id=\"reporting-calendar\"").expect("table")..];
    let rows: Vec<[String; 4]> = table
        .split("<tr class=\"govuk-table__row\">")
        .skip(2) // the header row
        .map(|row| {
            let mut cells = row
                .split("<td class=\"govuk-table__cell\">")
                .skip(1)
                .map(|c| c.split("</td>").next().unwrap_or("").trim().to_owned());
            std::array::from_fn(|_| cells.next().unwrap_or_default())
        })
        .collect();
    assert_eq!(rows, expected);
    page.assert_contains("Reports to the Executive Board, by quarter");
});

both_engines!(plymouth_before_and_after_its_2022_restructure, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("examples import");
    let p = masa::partnerships::store::by_slug(&app.state.db, "plymouth")
        .await
        .expect("q")
        .expect("p");
    let at = |d: &'static str| {
        let db = app.state.db.clone();
        async move {
            store::load_as_at(&db, masa::store::PartnershipId(p.id), day(d))
                .await
                .expect("load")
                .expect("arrangements")
        }
    };
    let (before, after) = (at("2021-01-01").await, at("2022-10-01").await);
    let keys = |a: &store::AsAt| {
        a.bodies
            .iter()
            .map(|b| b.key.clone())
            .collect::<std::collections::BTreeSet<_>>()
    };
    let (kb, ka) = (keys(&before), keys(&after));
    let gone: Vec<_> = kb.difference(&ka).cloned().collect();
    let new: Vec<_> = ka.difference(&kb).cloned().collect();
    // The 2022 restructure (annual report 2020-21, scrutiny paper September 2022): a Strategic
    // Systems Leadership Board, a Practice Improvement and Development Group, a Quality
    // Assurance Delivery Group and the Safeguarding in Education Reference Group replace the
    // strategic partners group, the Quality Assurance Group and the Education Reference Group.
    assert_eq!(
        gone,
        [
            "education-reference-group",
            "quality-assurance-group",
            "strategic-partners"
        ]
    );
    assert_eq!(new, ["pidg", "qa-delivery-group", "serg", "sslb"]);
    let board = |a: &store::AsAt| {
        a.bodies
            .iter()
            .find(|b| b.key == "pscp-board")
            .and_then(|b| b.parent.clone())
    };
    assert_eq!(board(&before).as_deref(), Some("strategic-partners"));
    assert_eq!(board(&after).as_deref(), Some("sslb"));
    // Health: the CCG before, the ICB after.
    let health = |a: &store::AsAt| {
        a.statutory_partners
            .iter()
            .filter(|s| s.role == "health")
            .map(|s| s.organisation.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(health(&before), ["nhs-devon-ccg"]);
    assert_eq!(health(&after), ["nhs-devon-icb"]);
    // The independent scrutineer arrived in June 2022.
    let scrutiny = |a: &store::AsAt| {
        a.posts
            .iter()
            .any(|p| p.title.to_lowercase().contains("independent scrutineer"))
    };
    assert!(!scrutiny(&before) && scrutiny(&after));
});

both_engines!(the_business_unit_uploads_a_file, |app| {
    let mut c = app.signed_in("admin@derby.example").await;
    let page = c.get("/admin/arrangements").await;
    page.assert_contains("No arrangements have been imported yet");
    let file = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/arrangements/derby-derbyshire.toml"
    ))
    .expect("example");
    // Without the token in the address: refused.
    let r = c
        .upload("/admin/arrangements", "file", "dd.toml", &file, false)
        .await;
    assert_eq!(r.status, axum::http::StatusCode::FORBIDDEN);
    // A file with problems: every problem listed with its line, nothing written.
    let before = app.count("arrangement_items").await;
    let bad = String::from_utf8(file.clone()).expect("utf8").replacen(
        "sector = \"health\"",
        "sector = \"wellbeing\"",
        1,
    );
    let r = c
        .upload(
            "/admin/arrangements",
            "file",
            "dd.toml",
            bad.as_bytes(),
            true,
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("dd.toml has 1 problem: nothing was imported");
    r.assert_contains(
        "Line 58: organisation derby-and-derbyshire-ccg: sector &#34;wellbeing&#34; is not one of",
    );
    assert_eq!(app.count("arrangement_items").await, before);
    // Another partnership's file: refused.
    let other = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/torbay.toml"
    ))
    .expect("fixture");
    let r = c
        .upload("/admin/arrangements", "file", "torbay.toml", &other, true)
        .await;
    assert_eq!(r.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("This file is for the partnership");
    assert_eq!(app.count("arrangement_items").await, before);
    // The right file.
    let r = c
        .upload("/admin/arrangements", "file", "dd.toml", &file, true)
        .await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get("/admin/arrangements").await;
    page.assert_contains("Arrangements imported:");
    page.assert_contains(" added</td>");
    let download = c.get("/admin/arrangements/file").await;
    assert!(download.body.contains("slug = \"derby-derbyshire\""));
    assert!(model::parse(download.body.as_bytes()).is_ok());
});

both_engines!(the_business_units_questions_are_answered, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("examples import");
    let mut c = app.signed_in("business.unit@plymouth.example").await;
    let r = c.get("/arrangements/questions?date=2022-10-01&q=police&from=2021-01-01&to=2022-10-01&days=400").await;
    assert_eq!(r.status, axum::http::StatusCode::OK, "{}", r.body);
    // Where the police sit.
    r.assert_contains("Cornwall Police</caption>");
    // What changed across the restructure.
    let changes = &r.body[r.body.find("id=\"changes\"").expect("changes")..];
    assert!(
        changes.contains("Plymouth Children and Young People’s Strategic Systems Leadership Board")
            || changes.contains("Strategic Systems Leadership Board"),
        "{changes}"
    );
    assert!(changes.contains("now reports to"), "{changes}");
    assert!(
        changes.contains("NHS Devon Integrated Care Board")
            || changes.contains("Integrated Care Board"),
        "{changes}"
    );
    // Plymouth's documents give no reporting cycle: the calendar says so rather than showing an
    // empty table.
    c.get("/arrangements/reporting")
        .await
        .assert_contains("No body in these arrangements has a reporting cycle");
    // A bad date is explained.
    let r = c.get("/arrangements/questions?from=yesterday").await;
    assert_eq!(r.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("must be a real date");
});

both_engines!(the_api_answers_the_same_questions, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("examples import");
    let (user, _) = masa::accounts::store::user_by_email(&app.state.db, "admin@derby.example")
        .await
        .expect("q")
        .expect("user");
    let p = masa::partnerships::store::by_slug(&app.state.db, "derby-derbyshire")
        .await
        .expect("q")
        .expect("p");
    let actor = Actor::system("test");
    let mut tx = masa::store::Tx::begin(&app.state.db, &actor)
        .await
        .expect("tx");
    let (_, token) = masa::accounts::tokens::create(
        &mut tx,
        user.id,
        masa::store::PartnershipId(p.id),
        "test",
        Some(1),
        user.two_factor,
    )
    .await
    .expect("token");
    tx.commit().await.expect("commit");
    let mut api = app.client();
    api.bearer = Some(token);
    let json = |r: &crate::support::Resp| {
        serde_json::from_str::<serde_json::Value>(&r.body).unwrap_or_else(|_| panic!("{}", r.body))
    };
    let r = api.get("/api/v1/arrangements/reporting").await;
    assert_eq!(r.status, axum::http::StatusCode::OK, "{}", r.body);
    let quarters = json(&r)["quarters"].clone();
    let appendix = derby_appendix();
    for (q, col) in quarters.as_array().expect("quarters").iter().enumerate() {
        let want: Vec<&str> = appendix
            .iter()
            .map(|row| row[q].as_str())
            .filter(|c| !c.is_empty())
            .collect();
        let got: Vec<&str> = col
            .as_array()
            .expect("col")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert_eq!(got, want, "quarter {}", q + 1);
    }
    let s = json(&api.get("/api/v1/arrangements?date=2020-01-01").await);
    assert!(
        s["bodies"]
            .as_array()
            .is_some_and(|b| b.iter().any(|b| b["key"] == "executive-board")),
        "{s}"
    );
    assert_eq!(
        json(&api.get("/api/v1/arrangements/agencies").await)
            .as_array()
            .map(|a| a.is_empty()),
        Some(false)
    );
    assert_eq!(
        api.get("/api/v1/arrangements/gaps").await.status,
        axum::http::StatusCode::OK
    );
    assert_eq!(
        api.get("/api/v1/arrangements/ending?days=9999")
            .await
            .status,
        axum::http::StatusCode::BAD_REQUEST
    );
    assert_eq!(
        api.get("/api/v1/arrangements/changes").await.status,
        axum::http::StatusCode::BAD_REQUEST
    );
    assert_eq!(
        api.get("/api/v1/arrangements/changes?from=2022-01-01&to=2021-01-01")
            .await
            .status,
        axum::http::StatusCode::BAD_REQUEST
    );
    assert_eq!(
        api.get("/api/v1/arrangements/changes?from=soon")
            .await
            .status,
        axum::http::StatusCode::BAD_REQUEST
    );
    assert_eq!(
        api.get("/api/v1/arrangements/changes?from=2019-10-01")
            .await
            .status,
        axum::http::StatusCode::OK
    );
});

both_engines!(one_entry_is_edited_checked_and_audited, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("examples import");
    let mut c = app.signed_in("admin@derby.example").await;
    let page = c
        .get("/admin/arrangements/entry?kind=body&key=executive-board")
        .await;
    assert_eq!(page.status, axum::http::StatusCode::OK, "{}", page.body);
    page.assert_contains("name = &#34;Executive Board&#34;");
    let p = masa::partnerships::store::by_slug(&app.state.db, "derby-derbyshire")
        .await
        .expect("q")
        .expect("p");
    let pid = masa::store::PartnershipId(p.id);
    let (item, version) = store::entry(&app.state.db, pid, "body", "executive-board")
        .await
        .expect("q")
        .expect("entry");
    let v = version.to_string();
    let before = app.count("audit_events").await;
    // A syntax error: the line of the entry.
    let r = c
        .post(
            "/admin/arrangements/entry",
            &[
                ("kind", "body"),
                ("key", "executive-board"),
                ("version", &v),
                ("text", "name = \"x\"\nkind = \n"),
            ],
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("Line 2:");
    // A reference to a body that does not exist.
    let bad = item
        .data
        .replace("parent = \"chief-officer-group\"", "parent = \"nowhere\"");
    assert_ne!(bad, item.data);
    let r = c
        .post(
            "/admin/arrangements/entry",
            &[
                ("kind", "body"),
                ("key", "executive-board"),
                ("version", &v),
                ("text", &bad),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        r.body
    );
    r.assert_contains("which is not in the file");
    assert_eq!(
        app.count("audit_events").await,
        before,
        "a refused edit wrote something"
    );
    // A good edit.
    let good = item.data.replace(
        "name = \"Executive Board\"",
        "name = \"Partnership Executive Board\"",
    );
    let r = c
        .post(
            "/admin/arrangements/entry",
            &[
                ("kind", "body"),
                ("key", "executive-board"),
                ("version", &v),
                ("text", &good),
            ],
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
    let (after, new_version) = store::entry(&app.state.db, pid, "body", "executive-board")
        .await
        .expect("q")
        .expect("entry");
    assert!(after.data.contains("Partnership Executive Board"));
    assert_eq!(new_version, version + 1);
    let audited: i64 = app.state.db.fetch_one("SELECT COUNT(*) AS n FROM audit_events WHERE record_id = 'body:executive-board' AND action = 'update'", vec![]).await.expect("q").get("n").expect("n");
    assert_eq!(audited, 1);
    // The same form again, on the old version: refused.
    let r = c
        .post(
            "/admin/arrangements/entry",
            &[
                ("kind", "body"),
                ("key", "executive-board"),
                ("version", &v),
                ("text", &good),
            ],
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::CONFLICT);
    r.assert_contains("This was changed by Dee Derby at ");
});

both_engines!(memberships_are_added_and_ended_through_forms, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("examples import");
    let mut c = app.signed_in("admin@derby.example").await;
    let p = masa::store::PartnershipId(
        masa::partnerships::store::by_slug(&app.state.db, "derby-derbyshire")
            .await
            .expect("q")
            .expect("p")
            .id,
    );
    assert_eq!(
        c.get("/admin/arrangements/memberships").await.status,
        axum::http::StatusCode::OK
    );
    let before = app.count("arrangement_items").await;
    let r = c
        .post(
            "/admin/arrangements/memberships",
            &[
                ("body", ""),
                ("organisation", ""),
                ("role", "emperor"),
                ("voting", ""),
                ("from", "2026-02-30"),
            ],
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    for m in [
        "Select the body",
        "Select the organisation",
        "Select a role",
        "Say whether they can vote",
        "must be a real date",
    ] {
        r.assert_contains(m);
    }
    assert_eq!(app.count("arrangement_items").await, before);
    let chair = [
        ("body", "executive-board"),
        ("organisation", "derbyshire-constabulary"),
        ("post", ""),
        ("representative", "Assistant Chief Constable"),
        ("role", "chair"),
        ("voting", "yes"),
        ("from", "2026-01-01"),
    ];
    let r = c.post("/admin/arrangements/memberships", &chair).await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.count("arrangement_items").await, before + 1);
    // A second chair at the same time is refused, and nothing is written.
    c.get("/admin/arrangements/memberships").await;
    let mut second = chair;
    second[1] = ("organisation", "derby-city-council");
    let r = c.post("/admin/arrangements/memberships", &second).await;
    assert_eq!(r.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("has two chairs at once");
    assert_eq!(app.count("arrangement_items").await, before + 1);
    // End the first: it stays, with its last day.
    let added = store::items(&app.state.db, p)
        .await
        .expect("items")
        .into_iter()
        .find(|i| {
            i.kind == "membership"
                && i.key.starts_with(
                    "executive-board/derbyshire-constabulary/Assistant Chief Constable/chair/",
                )
        })
        .expect("the new membership");
    let (_, version) = store::entry(&app.state.db, p, "membership", &added.key)
        .await
        .expect("q")
        .expect("entry");
    c.get(&format!(
        "/admin/arrangements/entry?kind=membership&key={}",
        url::form_urlencoded::byte_serialize(added.key.as_bytes()).collect::<String>()
    ))
    .await;
    let r = c
        .post(
            "/admin/arrangements/memberships/end",
            &[
                ("key", &added.key),
                ("version", &version.to_string()),
                ("to", "2026-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
    let (ended, _) = store::entry(&app.state.db, p, "membership", &added.key)
        .await
        .expect("q")
        .expect("entry");
    assert_eq!(ended.to, Some(day("2026-12-31")));
});

both_engines!(a_body_is_edited_through_its_form, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("examples import");
    let mut c = app.signed_in("admin@derby.example").await;
    let p = masa::store::PartnershipId(
        masa::partnerships::store::by_slug(&app.state.db, "derby-derbyshire")
            .await
            .expect("q")
            .expect("p")
            .id,
    );
    c.get("/arrangements")
        .await
        .assert_contains("href=\"/admin/arrangements/bodies/executive-board\"");
    let page = c
        .get("/admin/arrangements/bodies/child-death-review-group")
        .await;
    assert_eq!(page.status, axum::http::StatusCode::OK, "{}", page.body);
    let (item, version) = store::entry(&app.state.db, p, "body", "child-death-review-group")
        .await
        .expect("q")
        .expect("entry");
    let before: model::Body = store::decode(&item).expect("body");
    let v = version.to_string();
    // Bad input: explained, nothing stored.
    let r = c
        .post(
            "/admin/arrangements/bodies/child-death-review-group",
            &[
                ("version", &v),
                ("name", ""),
                ("kind", "club"),
                ("from", "2026-13-01"),
                ("per_year", "many"),
            ],
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    for m in [
        "Enter the body&#39;s name",
        "Select what kind of body it is",
        "must be a real date",
        "Enter meetings a year as a number from 1 to 52",
    ] {
        assert!(
            r.body.contains(m)
                || r.body.contains(&m.replace("&#39;", "&#x27;"))
                || r.body.contains(&m.replace("&#39;", "'")),
            "{m} missing"
        );
    }
    assert_eq!(
        store::entry(&app.state.db, p, "body", "child-death-review-group")
            .await
            .expect("q")
            .expect("e")
            .1,
        version
    );
    // A good edit keeps what the form does not show.
    let r = c
        .post(
            "/admin/arrangements/bodies/child-death-review-group",
            &[
                ("version", &v),
                ("name", "Child Death Review Partnership Group"),
                ("kind", &before.kind),
                ("parent", before.parent.as_deref().unwrap_or("")),
                ("purpose", "Review every child death\nShare learning"),
                ("frequency", "quarterly"),
                ("per_year", "4"),
                ("q2", "yes"),
                ("q4", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
    let (after_item, _) = store::entry(&app.state.db, p, "body", "child-death-review-group")
        .await
        .expect("q")
        .expect("entry");
    let after: model::Body = store::decode(&after_item).expect("body");
    assert_eq!(after.name, "Child Death Review Partnership Group");
    assert_eq!(
        after.purpose,
        ["Review every child death", "Share learning"]
    );
    assert_eq!(after.reports_in_quarters, [2, 4]);
    assert_eq!(
        after.reporting_label, before.reporting_label,
        "a field the form does not show was lost"
    );
    // A stale form is refused and shows the current version.
    let r = c
        .post(
            "/admin/arrangements/bodies/child-death-review-group",
            &[
                ("version", &v),
                ("name", "Stale name"),
                ("kind", &before.kind),
            ],
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::CONFLICT);
    r.assert_contains("This was changed by Dee Derby at ");
    r.assert_contains("value=\"Child Death Review Partnership Group\"");
});

both_engines!(
    organisations_posts_partners_and_bodies_have_their_own_forms,
    |app| {
        use axum::http::StatusCode;
        masa::demo::seed_arrangements(&app.state)
            .await
            .expect("examples import");
        let mut c = app.signed_in("business.unit@plymouth.example").await;
        let p = app.partnership("plymouth");
        let count = |kind: &'static str| {
            let db = app.state.db.clone();
            async move {
                store::items(&db, p)
                    .await
                    .expect("items")
                    .iter()
                    .filter(|i| i.kind == kind)
                    .count()
            }
        };
        let list = c.get("/admin/arrangements/organisations").await;
        list.assert_contains("href=\"/admin/arrangements/organisations/nhs-devon-ccg\"");
        let orgs_before = count("organisation").await;

        // Bad input: every problem named against its field, nothing stored.
        let r = c
            .post(
                "/admin/arrangements/organisations",
                &[
                    ("version", "0"),
                    ("name", ""),
                    ("sector", "astrology"),
                    ("from", "2022-07-01"),
                    ("to", "2022-06-01"),
                    ("successor", "no-such-organisation"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for m in [
            "Enter the organisation",
            "Select a sector",
            "The end date must be the same as or after the start date",
            "Select the organisation that took over",
        ] {
            r.assert_contains(m);
        }
        assert_eq!(count("organisation").await, orgs_before);

        // A new relevant agency: stored, audited, and published in the agencies list.
        let r = c
            .post(
                "/admin/arrangements/organisations",
                &[
                    ("version", "0"),
                    ("name", "Plymouth Youth Sports Trust"),
                    ("sector", "sports-and-leisure"),
                    ("relevant_agency", "yes"),
                    ("section_11", "yes"),
                    ("why", "Runs holiday clubs for children across the city"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let (item, version) = store::entry(
            &app.state.db,
            p,
            "organisation",
            "plymouth-youth-sports-trust",
        )
        .await
        .expect("q")
        .expect("added");
        let o: model::Organisation = store::decode(&item).expect("org");
        assert!(o.relevant_agency && o.section_11 && !o.s175_157);
        assert_eq!(o.sector, "sports-and-leisure");
        c.get("/p/plymouth/agencies?q=youth+sports")
            .await
            .assert_contains("Plymouth Youth Sports Trust");

        // Edit it: the change is in the audit trail with before and after.
        let r = c
            .post(
                "/admin/arrangements/organisations/plymouth-youth-sports-trust",
                &[
                    ("version", &version.to_string()),
                    ("name", "Plymouth Youth Sports Trust"),
                    ("sector", "voluntary-and-community"),
                    ("relevant_agency", "yes"),
                    ("why", "Runs holiday clubs for children across the city"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let audit = c
        .get("/audit?record_type=arrangements&record_id=organisation:plymouth-youth-sports-trust")
        .await;
        audit.assert_contains("Organisation: Plymouth Youth Sports Trust added");
        audit.assert_contains("Organisation: Plymouth Youth Sports Trust changed");
        // The same stale form again is refused and shows what is stored now.
        let r = c
            .post(
                "/admin/arrangements/organisations/plymouth-youth-sports-trust",
                &[
                    ("version", &version.to_string()),
                    ("name", "Overwritten"),
                    ("sector", "faith"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        r.assert_contains("Your changes were not saved");
        r.assert_contains("value=\"Plymouth Youth Sports Trust\"");

        // A post, then the ICB's delegate moved to it.
        let r = c
            .post(
                "/admin/arrangements/posts",
                &[
                    ("version", "0"),
                    ("title", "Director of Nursing and Quality"),
                    ("organisation", "nhs-devon-icb"),
                    ("holder", "A. Example"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        c.get("/admin/arrangements/posts")
            .await
            .assert_contains("Director of Nursing and Quality");
        let partners = c.get("/admin/arrangements/partners").await;
        partners.assert_contains(
            "href=\"/admin/arrangements/partner?key=health%2Fnhs-devon-icb%2F2022-07-01\"",
        );
        let key = "health/nhs-devon-icb/2022-07-01";
        let (_, v) = store::entry(&app.state.db, p, "statutory-partner", key)
            .await
            .expect("q")
            .expect("icb partner");
        c.get("/admin/arrangements/partner?key=health%2Fnhs-devon-icb%2F2022-07-01")
            .await
            .assert_contains("Edit the health partner");
        let r = c
            .post(
                "/admin/arrangements/partner",
                &[
                    ("key", key),
                    ("version", &v.to_string()),
                    ("role", "health"),
                    ("organisation", "nhs-devon-icb"),
                    ("delegate", "no-such-post"),
                    ("from", "2022-07-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("Select the delegated partner");
        let r = c
            .post(
                "/admin/arrangements/partner",
                &[
                    ("key", key),
                    ("version", &v.to_string()),
                    ("role", "health"),
                    ("organisation", "nhs-devon-icb"),
                    ("delegate", "director-of-nursing-and-quality"),
                    ("from", "2022-07-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let (item, _) = store::entry(&app.state.db, p, "statutory-partner", key)
            .await
            .expect("q")
            .expect("partner");
        let s: model::StatutoryPartner = store::decode(&item).expect("partner");
        assert_eq!(
            s.delegate.as_deref(),
            Some("director-of-nursing-and-quality")
        );

        // A task and finish group needs its end date; its rules are stored as rules.
        let bodies_before = count("body").await;
        let body = |to: &'static str| {
            vec![
                ("version", "0"),
                ("name", "Neglect Task and Finish Group"),
                ("kind", "task-and-finish"),
                ("parent", "pscp-board"),
                ("from", "2026-01-01"),
                ("to", to),
                ("chair", "independent"),
                ("frequency", "monthly"),
                ("quorum", "members"),
                ("quorum_count", "3"),
                ("expected", "75"),
                ("minimum_meetings", "4"),
                ("deputy_counts", "yes"),
                ("req_description", "Education representative"),
                ("req_sector", "education-and-childcare"),
                ("req_count", "1"),
                ("req_description", ""),
                ("req_sector", ""),
                ("req_count", "1"),
            ]
        };
        let r = c.post("/admin/arrangements/bodies", &body("")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("Enter the date the task and finish group ends");
        assert_eq!(count("body").await, bodies_before);
        let r = c
            .post("/admin/arrangements/bodies", &body("2026-12-31"))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let (item, _) = store::entry(&app.state.db, p, "body", "neglect-task-and-finish-group")
            .await
            .expect("q")
            .expect("body added");
        let b: model::Body = store::decode(&item).expect("body");
        assert_eq!(b.quorum, Some(model::Quorum::Members { count: 3 }));
        assert_eq!(b.attendance.as_ref().map(|a| a.expected_share), Some(0.75));
        assert_eq!(b.required_members.len(), 1);
        // It has no members yet, so the business unit's questions show what it lacks.
        let q = c.get("/arrangements/questions?date=2026-06-01").await;
        q.assert_contains("Neglect Task and Finish Group");
        // Its form shows the rules back, field by field.
        let form = c
            .get("/admin/arrangements/bodies/neglect-task-and-finish-group")
            .await;
        form.assert_contains("id=\"quorum_count\" name=\"quorum_count\" type=\"text\" value=\"3\"");
        form.assert_contains("value=\"Education representative\"");
    }
);

both_engines!(the_published_arrangements_download_as_a_tagged_pdf, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("examples import");
    let mut public = app.client();
    public
        .get("/p/portsmouth/arrangements")
        .await
        .assert_contains("href=\"/p/portsmouth/arrangements.pdf\"");
    let r = public.get("/p/portsmouth/arrangements.pdf").await;
    assert_eq!(r.status, axum::http::StatusCode::OK);
    assert_eq!(
        r.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let pdf = r.body.as_bytes();
    assert!(pdf.starts_with(b"%PDF-1."), "not a PDF");
    let has = |needle: &str| pdf.windows(needle.len()).any(|w| w == needle.as_bytes());
    // Tagged, in British English, titled, and the chart has its text alternative.
    for needle in [
        "/StructTreeRoot",
        "/Lang(en-GB)",
        "Multi-agency safeguarding arrangements: Portsmouth Safeguarding Children Partnership",
        "/Alt(Structure chart of Portsmouth Safeguarding Children Partnership",
    ] {
        assert!(has(needle), "{needle} missing from the PDF");
    }
    // A partnership with no arrangements has no PDF.
    let r = public.get("/p/no-such-partnership/arrangements.pdf").await;
    assert_eq!(r.status, axum::http::StatusCode::NOT_FOUND);
});

both_engines!(the_published_text_is_edited_under_its_headings, |app| {
    use axum::http::StatusCode;
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("examples import");
    let mut c = app.signed_in("business.unit@plymouth.example").await;
    let p = app.partnership("plymouth");
    let form = c.get("/admin/arrangements/sections").await;
    form.assert_contains("Independent scrutiny");
    let (_, v) = store::entry(&app.state.db, p, "sections", "sections")
        .await
        .expect("q")
        .expect("sections");
    let long = "x".repeat(50_001);
    let r = c
        .post(
            "/admin/arrangements/sections",
            &[("version", &v.to_string()), ("funding", &long)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("Enter 50,000 characters or fewer");
    assert_eq!(
        store::entry(&app.state.db, p, "sections", "sections")
            .await
            .expect("q")
            .expect("s")
            .1,
        v
    );
    let r = c
        .post(
            "/admin/arrangements/sections",
            &[
                ("version", &v.to_string()),
                (
                    "scrutiny",
                    "The independent scrutineer reports to the partners.\r\n\r\nTwice a year.",
                ),
                ("funding", "Shared equally by the three partners."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.client().get("/p/plymouth/arrangements").await;
    page.assert_contains("Shared equally by the three partners.");
    page.assert_contains("<p class=\"govuk-body\">Twice a year.</p>");
    // A heading left empty is not published.
    assert!(!page.body.contains("id=\"thresholds\""));
});

both_engines!(
    the_public_page_shows_the_structure_as_at_a_day_the_reader_chooses,
    |app| {
        masa::demo::seed_arrangements(&app.state)
            .await
            .expect("examples");
        let mut public = app.client();
        let today = public.get("/p/plymouth/arrangements").await;
        assert_eq!(today.status, axum::http::StatusCode::OK);
        today.assert_contains("Shown as they stand today");
        // Figures for reading, with their source: the latest year's.
        today.assert_contains("53,292 children aged 0 to 17 (2020, The child population the Q1 2022/23 Performance Scorecard");
        assert!(
            !today
                .body
                .contains("Plymouth Strategic Safeguarding Children Partnership (PSCP")
        );
        // Each body's members by organisation and role, and no one's contact details.
        today.assert_contains("Who sits on each body");
        today.assert_contains("Plymouth City Council: Member");
        let members = today
            .body
            .split("Who sits on each body")
            .nth(1)
            .and_then(|rest| rest.split("<h2").next())
            .expect("the members");
        assert!(
            !members.contains('@') && !members.contains("tel:"),
            "no one's contact details"
        );
        // As at a day in 2021, with the day stated and the PDF of the same day.
        let then = public
            .get("/p/plymouth/arrangements?date-day=1&date-month=1&date-year=2021")
            .await;
        assert_eq!(then.status, axum::http::StatusCode::OK);
        then.assert_contains("Shown as they stood on <strong>1 January 2021</strong>");
        then.assert_contains("Plymouth Strategic Safeguarding Children Partnership (PSCP Strategic Safeguarding Partners)");
        then.assert_contains("arrangements.pdf?date=2021-01-01");
        let pdf = public
            .get("/p/plymouth/arrangements.pdf?date=2021-01-01")
            .await;
        assert_eq!(pdf.status, axum::http::StatusCode::OK);
        // A day that is not one, or out of range: said so, today shown.
        for q in [
            "date-day=31&date-month=2&date-year=2021",
            "date=1850-01-01",
            "date=nonsense",
        ] {
            let r = public.get(&format!("/p/plymouth/arrangements?{q}")).await;
            assert_eq!(
                r.status,
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "{q}"
            );
            r.assert_contains("govuk-error-summary");
            r.assert_contains("Shown as they stand today");
        }
        assert_eq!(
            public
                .get("/p/plymouth/arrangements.pdf?date=1850-01-01")
                .await
                .status,
            axum::http::StatusCode::BAD_REQUEST
        );
    }
);
