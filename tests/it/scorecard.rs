//! The scorecard: the seed's Q1 2022/23 figures reproduce its rates; small numbers hidden with
//! the cell that would give them away; a correction is a revision with its reason and the
//! publication stays as it was; a file with one bad row stores nothing; hostile files refused;
//! only the governance reads it and each sender only their organisation's figures; another
//! partnership's ids not found; late figures chased once however often the job runs.

use axum::http::StatusCode;
use masa::scorecard::store;

use crate::both_engines;
use crate::support::{TestApp, day, today};

const BU: &str = "business.unit@plymouth.example";
const MEMBER: &str = "member@plymouth.example";
const PRACTITIONER: &str = "practitioner@plymouth.example";
const DERBY: &str = "admin@derby.example";

/// Plymouth's arrangements and its example scorecard: the Q1 2022/23 period's id.
async fn plymouth(app: &TestApp) -> i64 {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    let done = masa::demo::seed_scorecard(&app.state)
        .await
        .expect("scorecard");
    assert_eq!(done, ["plymouth"]);
    store::periods(&app.state.db, app.partnership("plymouth"))
        .await
        .expect("periods")
        .into_iter()
        .find(|p| p.label == "Q1 2022/23")
        .expect("the Q1 period")
        .id
}

async fn figures_and_audit(app: &TestApp) -> (i64, i64) {
    (
        app.count("scorecard_figures").await,
        app.count("audit_events").await,
    )
}

/// The text of a table row (its cells), for checking what one indicator shows.
fn row_of<'a>(body: &'a str, name: &str) -> &'a str {
    let at = body
        .find(name)
        .unwrap_or_else(|| panic!("{name} on the page"));
    let end = body[at..].find("</tr>").map_or(body.len(), |e| at + e);
    &body[at..end]
}

both_engines!(the_seed_scorecard_reproduces_its_rates, |app| {
    let id = plymouth(&app).await;
    let mut bu = app.signed_in(BU).await;
    let page = bu.get(&format!("/scorecard/periods/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let b = &page.body;
    // 2,806 referrals among the 53,292 children behind the paper's rates is 526.5.
    let referrals = row_of(
        b,
        "Referrals received within the last 12 months - rate per 10,000 children",
    );
    for shown in [
        "598.1",
        "678.5",
        "616.4",
        "526.5",
        "494.1 (2020/21)",
        "608.5 (2020/21)",
    ] {
        assert!(referrals.contains(shown), "{shown} in {referrals}");
    }
    let cp = row_of(
        b,
        "Children subject to a Child Protection Plan - rate per 10,000 children",
    );
    for shown in ["58.6", "62.5", "61.2", "46.3"] {
        assert!(cp.contains(shown), "{shown} in {cp}");
    }
    assert!(row_of(b, "Children subject to a Child In Need Plan - rate").contains("161.0"));
    assert!(row_of(b, "Looked After Children - rate per 10,000").contains("92.5"));
    assert!(row_of(b, "% of re-referrals within 12 months").contains("22.5%"));
    assert!(
        row_of(
            b,
            "Category of abuse for current Child Protection Plan: Neglect"
        )
        .contains("46.2% (114)")
    );
    assert!(
        row_of(
            b,
            "Category of abuse for current Child Protection Plan: Sexual Abuse"
        )
        .contains("5.7% (14)")
    );
    // The columns are the paper's.
    for h in [
        "2019/20 actual",
        "2020/21 actual",
        "2021/22 actual",
        "Q1 2022/23",
        "2017/18 actual",
    ] {
        assert!(b.contains(h), "{h}");
    }
    // Lower is better for re-referrals, and they fell.
    assert!(row_of(b, "% of re-referrals within 12 months").contains("Improving"));
    // Published as the paper was, and readable as published.
    let published = bu
        .get(&format!("/scorecard/periods/{id}/publications/1"))
        .await;
    assert_eq!(published.status, StatusCode::OK);
    assert!(published.body.contains("526.5") && published.body.contains("as published"));
    assert!(
        published
            .body
            .contains("Plymouth Referrals and Assessment Service")
    );
});

both_engines!(a_publication_is_a_tagged_pdf_paper, |app| {
    let id = plymouth(&app).await;
    let mut member = app.signed_in(MEMBER).await;
    let page = member
        .get(&format!("/scorecard/periods/{id}/publications/1"))
        .await;
    assert!(
        page.body
            .contains(&format!("/scorecard/periods/{id}/publications/1/paper.pdf"))
    );
    let r = member
        .get(&format!("/scorecard/periods/{id}/publications/1/paper.pdf"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let pdf = &r.bytes;
    assert!(pdf.starts_with(b"%PDF-1."), "not a PDF");
    let has = |needle: &str| pdf.windows(needle.len()).any(|w| w == needle.as_bytes());
    for needle in [
        "/StructTreeRoot",
        "/Lang(en-GB)",
        "Children's services performance scorecard: Q1 2022/23",
    ] {
        assert!(has(needle), "{needle} missing from the PDF");
    }
    assert_eq!(
        member
            .get(&format!("/scorecard/periods/{id}/publications/2/paper.pdf"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let mut prac = app.signed_in(PRACTITIONER).await;
    assert_ne!(
        prac.get(&format!("/scorecard/periods/{id}/publications/1/paper.pdf"))
            .await
            .status,
        StatusCode::OK
    );
    let mut derby = app.signed_in(DERBY).await;
    assert_eq!(
        derby
            .get(&format!("/scorecard/periods/{id}/publications/1/paper.pdf"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

both_engines!(
    small_numbers_are_hidden_with_the_cell_that_gives_them_away,
    |app| {
        plymouth(&app).await;
        let p = app.partnership("plymouth");
        let mut bu = app.signed_in(BU).await;
        bu.get("/scorecard").await;
        let r = bu
            .post(
                "/scorecard/periods",
                &[
                    ("scorecard", "childrens-services"),
                    ("ends-day", "30"),
                    ("ends-month", "9"),
                    ("ends-year", "2022"),
                    ("due-day", &today().format("%-d").to_string()),
                    ("due-month", &today().format("%-m").to_string()),
                    ("due-year", &today().format("%Y").to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let period = store::periods(&app.state.db, p)
            .await
            .expect("periods")
            .into_iter()
            .find(|x| x.label == "Q2 2022/23")
            .expect("Q2");
        let form = format!(
            "/scorecard/periods/{}/organisations/plymouth-city-council",
            period.id
        );
        bu.get(&form).await;
        // 500 looked after: one placement type of 3 (hidden below five) beside a total, so the
        // next smallest (12) is hidden too; the share of a hidden count is hidden with it.
        let r = bu
            .post(
                &form,
                &[
                    ("v-cla", "500"),
                    ("v-placed-family", "400"),
                    ("v-placed-homes", "60"),
                    ("v-placed-hostels", "25"),
                    ("v-placed-secure", "3"),
                    ("v-placed-lodgings", "12"),
                    ("v-cp", "250"),
                    ("v-cp-neglect", "4"),
                    ("v-cp-physical", "100"),
                    ("v-cp-sexual", "46"),
                    ("v-cp-emotional", "100"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let b = bu
            .get(&format!("/scorecard/periods/{}", period.id))
            .await
            .body;
        let cell = |name: &str| {
            let row = row_of(&b, name);
            row.rsplit("<strong>")
                .next()
                .map(|s| s.split('<').next().unwrap_or("").to_owned())
                .unwrap_or_default()
        };
        assert_eq!(cell("Placement Type: Secure Units"), "x");
        assert_eq!(
            cell("Placement Type: Lodgings or Independent living (16+)"),
            "x"
        );
        assert_eq!(cell("Residential Care"), "60");
        assert_eq!(cell("Number of children subject to a Care Plan"), "500");
        assert_eq!(
            cell("Category of abuse for current Child Protection Plan: Neglect"),
            "x"
        );
        // 46 is the smallest other category: hidden, or 4 = 250 - the rest.
        assert_eq!(
            cell("Category of abuse for current Child Protection Plan: Sexual Abuse"),
            "x"
        );
        assert_eq!(
            cell("Category of abuse for current Child Protection Plan: Physical Abuse"),
            "40.0% (100)"
        );
        assert!(!row_of(&b, "Placement Type: Secure Units").contains(">3<"));
        assert!(b.contains("x: a number from 1 to 5 is not shown") || b.contains("x: a number"));
        // The trend table shows the hidden figure hidden too, never the number.
        assert!(!b.contains("(4)") && !b.contains("1.6%"));
    }
);

both_engines!(
    a_correction_is_a_revision_and_the_publication_stays,
    |app| {
        let id = plymouth(&app).await;
        let mut bu = app.signed_in(BU).await;
        let form = format!("/scorecard/periods/{id}/organisations/plymouth-city-council");
        let page = bu.get(&form).await;
        assert!(
            page.body.contains("value=\"2806\""),
            "what was sent is in the form"
        );
        // A correction needs its reason: refused, nothing stored, what was typed kept.
        let before = figures_and_audit(&app).await;
        let r = bu.post(&form, &[("v-referrals", "2,810")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body
                .contains("Say why the figures already sent are being corrected")
        );
        assert!(r.body.contains("value=\"2,810\""));
        assert_eq!(figures_and_audit(&app).await, before);
        // Bad input in any field: each named against its field.
        let r = bu
            .post(
                &form,
                &[
                    ("v-referrals", "lots"),
                    ("v-cla", "-4"),
                    ("v-cla-outside", "120"),
                    ("reason", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains(
            "Number of referrals received within the last 12 months must be a whole number"
        ));
        assert!(r.body.contains("must be 0 or more"));
        assert!(r.body.contains("must be a percentage from 0 to 100"));
        assert_eq!(figures_and_audit(&app).await, before);
        let r = bu
            .post(
                &form,
                &[
                    ("v-referrals", "2,810"),
                    ("reason", "Four referrals recorded late"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(app.count("scorecard_figures").await, before.0 + 1);
        // The revision has who, when and why; the first revision stays.
        let p = app.partnership("plymouth");
        let history = store::history(&app.state.db, p, "referrals")
            .await
            .expect("history");
        let q1: Vec<_> = history
            .iter()
            .filter(|f| f.ends_on == day("2022-06-30"))
            .collect();
        assert_eq!(q1.len(), 2);
        assert_eq!(
            (q1[0].revision, q1[0].numerator, q1[0].reason.as_str()),
            (2, Some(2810), "Four referrals recorded late")
        );
        assert_eq!((q1[1].revision, q1[1].numerator), (1, Some(2806)));
        let audited: i64 = app
        .state
        .db
        .fetch_one(
            "SELECT COUNT(*) AS n FROM audit_events WHERE record_type = 'scorecard-figure' AND summary LIKE '%corrected: revision 2%'",
            vec![],
        )
        .await
        .expect("q")
        .get("n")
        .expect("n");
        assert_eq!(audited, 1);
        // The scorecard shows the latest, marked revised; the publication as it was, with the
        // revision said beside it.
        let now = bu.get(&format!("/scorecard/periods/{id}")).await.body;
        let row = row_of(
            &now,
            "Number of referrals received within the last 12 months",
        );
        assert!(row.contains("2,810") && row.contains("Revised"), "{row}");
        let published = bu
            .get(&format!("/scorecard/periods/{id}/publications/1"))
            .await
            .body;
        let row = row_of(
            &published,
            "Number of referrals received within the last 12 months",
        );
        assert!(row.contains("2,806"), "{row}");
        assert!(
            row.contains("Revised since this publication: now 2,810"),
            "{row}"
        );
        // The business unit and scrutineer see every revision; a member does not see raw figures.
        let ind = bu.get("/scorecard/indicators/referrals").await.body;
        assert!(ind.contains("Four referrals recorded late") && ind.contains("2,806"));
        let mut member = app.signed_in(MEMBER).await;
        let ind = member.get("/scorecard/indicators/referrals").await;
        assert_eq!(ind.status, StatusCode::OK);
        assert!(!ind.body.contains("Every figure sent"));
        // Publishing again is a new number; the first stays readable.
        bu.get(&format!("/scorecard/periods/{id}/publish")).await;
        let r = bu
            .post(&format!("/scorecard/periods/{id}/publish"), &[])
            .await;
        assert_eq!(
            r.location(),
            format!("/scorecard/periods/{id}/publications/2")
        );
        let second = bu
            .get(&format!("/scorecard/periods/{id}/publications/2"))
            .await
            .body;
        assert!(
            row_of(
                &second,
                "Number of referrals received within the last 12 months"
            )
            .contains("2,810")
        );
        let first = bu
            .get(&format!("/scorecard/periods/{id}/publications/1"))
            .await
            .body;
        assert!(
            row_of(
                &first,
                "Number of referrals received within the last 12 months"
            )
            .contains("2,806")
        );
    }
);

both_engines!(a_file_with_one_bad_row_stores_nothing, |app| {
    let id = plymouth(&app).await;
    let mut bu = app.signed_in(BU).await;
    let form = format!("/scorecard/periods/{id}/organisations/plymouth-city-council");
    bu.get(&form).await;
    // The template is made for the organisation and period, with what it has sent.
    let t = bu.get(&format!("{form}/template.csv")).await;
    assert_eq!(t.status, StatusCode::OK);
    assert!(
        t.body
            .starts_with("code,indicator,value,numerator,denominator")
    );
    assert!(
        t.body
            .contains("referrals,Number of referrals received within the last 12 months,2806")
    );
    let before = figures_and_audit(&app).await;
    let bad = "code,value\nplaced-other,2\nplaced-secure,=HYPERLINK(\"http://x\")\nnot-ours,5\n";
    let r = bu
        .upload_form(
            &format!("{form}/upload"),
            &[("upload-reason", "")],
            Some(("file", "q1.csv", bad.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("q1.csv has 2 problems: nothing was kept"),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains("Line 3, value: placed-secure must be a whole number")
    );
    assert!(
        r.body
            .contains("Line 4, code: &#34;not-ours&#34; is not one of the indicators asked of you")
    );
    assert_eq!(figures_and_audit(&app).await, before);
    // Hostile files: another encoding, not text, too large.
    for (name, bytes, says) in [
        (
            "latin1.csv",
            b"code,value\nplaced-other,\xa32\n".to_vec(),
            "not UTF-8",
        ),
        (
            "binary.csv",
            b"code,value\x00\x01\n".to_vec(),
            "control characters",
        ),
        ("huge.csv", vec![b'1'; 2 * 1024 * 1024], "larger than 1 MB"),
        ("empty.csv", Vec::new(), "select a CSV file"),
    ] {
        let r = bu
            .upload_form(&format!("{form}/upload"), &[], Some(("file", name, &bytes)))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(r.body.contains(says), "{name}: {says}");
    }
    assert_eq!(figures_and_audit(&app).await, before);
    // The workbook template goes back in as it came out: nothing changes.
    let x = bu.get(&format!("{form}/template.xlsx")).await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.bytes.starts_with(b"PK\x03\x04"));
    let r = bu
        .upload_form(
            &format!("{form}/upload"),
            &[],
            Some(("file", "q1.xlsx", &x.bytes)),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(figures_and_audit(&app).await.0, before.0);
    bu.get(&form).await;
    // A good file is kept whole: new figures, and a correction with its reason.
    let good = "code,value\nplaced-other,2\nplaced-secure,1\nreferrals,2807\n";
    let r = bu
        .upload_form(
            &format!("{form}/upload"),
            &[],
            Some(("file", "q1.csv", good.as_bytes())),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a correction needs its reason"
    );
    assert_eq!(figures_and_audit(&app).await, before);
    let r = bu
        .upload_form(
            &format!("{form}/upload"),
            &[("upload-reason", "Checked against the census")],
            Some(("file", "q1.csv", good.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.count("scorecard_figures").await, before.0 + 3);
});

both_engines!(who_reads_and_who_sends, |app| {
    let id = plymouth(&app).await;
    let p = app.partnership("plymouth");
    let council = format!("/scorecard/periods/{id}/organisations/plymouth-city-council");
    // A practitioner not named to send anything sees none of it.
    let mut prac = app.signed_in(PRACTITIONER).await;
    assert_eq!(prac.get(&council).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        prac.get(&format!("{council}/template.csv")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        prac.get(&format!("/scorecard/periods/{id}/commentary/referrals"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Named to send the council's figures: that form and its sections' commentary, nothing else.
    let mut bu = app.signed_in(BU).await;
    bu.get("/scorecard/submitters").await;
    let (u, _) = masa::accounts::store::user_by_email(&app.state.db, PRACTITIONER)
        .await
        .expect("q")
        .expect("user");
    let r = bu
        .post(
            "/scorecard/submitters",
            &[
                ("organisation", "plymouth-city-council"),
                ("person", &u.id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = bu
        .post(
            "/scorecard/submitters",
            &[("organisation", "no-such-org"), ("person", "999999")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Select the organisation") && r.body.contains("Select the person"));
    assert_eq!(prac.get(&council).await.status, StatusCode::OK);
    let police = format!("/scorecard/periods/{id}/organisations/devon-cornwall-police");
    assert_eq!(prac.get(&police).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        bu.get(&police).await.status,
        StatusCode::NOT_FOUND,
        "nothing is asked of the police here"
    );
    assert_ne!(
        prac.get(&format!("/scorecard/periods/{id}")).await.status,
        StatusCode::OK
    );
    // Their home page asks for the latest quarter's figures (Q1 is published: nothing of it).
    let home = prac.get("/").await.body;
    assert!(
        home.contains("Send Plymouth City Council&#39;s scorecard figures"),
        "the task"
    );
    assert!(!home.contains("figures for Q1 2022/23"));
    let c = prac
        .get(&format!("/scorecard/periods/{id}/commentary/referrals"))
        .await;
    assert_eq!(c.status, StatusCode::OK);
    // Another partnership's ids are not found, in every page.
    let mut derby = app.signed_in(DERBY).await;
    for path in [
        format!("/scorecard/periods/{id}"),
        format!("/scorecard/periods/{id}/publish"),
        format!("/scorecard/periods/{id}/publications/1"),
        format!("/scorecard/periods/{id}/commentary/referrals"),
        council.clone(),
        format!("{council}/template.csv"),
        "/scorecard/indicators/referrals".to_owned(),
        "/scorecard/document".to_owned(),
    ] {
        assert_eq!(
            derby.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    derby.get("/scorecard").await;
    let before = figures_and_audit(&app).await;
    for path in [
        format!("/scorecard/periods/{id}/publish"),
        council.clone(),
        format!("/scorecard/periods/{id}/commentary/referrals"),
    ] {
        let r = derby
            .post(
                &path,
                &[("v-referrals", "1"), ("text", "x"), ("version", "0")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(figures_and_audit(&app).await, before);
    assert_eq!(
        store::publications(&app.state.db, p, id)
            .await
            .expect("q")
            .len(),
        1
    );
});

both_engines!(late_figures_are_chased_once, |app| {
    plymouth(&app).await;
    let p = app.partnership("plymouth");
    // The demo asks for the latest quarter; nothing of it is in yet.
    let open = store::past_due(&app.state.db, today() + chrono::Days::new(60))
        .await
        .expect("q");
    let (_, period) = open
        .into_iter()
        .find(|(pp, _)| *pp == p)
        .expect("an open period");
    let chases = || async {
        app.state
            .db
            .fetch_one(
                "SELECT COUNT(*) AS n FROM outbox WHERE subject LIKE 'Late:%'",
                vec![],
            )
            .await
            .expect("q")
            .get::<i64>("n")
            .expect("n")
    };
    assert_eq!(chases().await, 0);
    assert_eq!(
        masa::scorecard::chase(&app.state, period.due_on)
            .await
            .expect("chase"),
        0,
        "not late on its due day"
    );
    let late = period.due_on + chrono::Days::new(1);
    // Two instances at once: one chase.
    let (a, b) = tokio::join!(
        masa::scorecard::chase(&app.state, late),
        masa::scorecard::chase(&app.state, late)
    );
    assert_eq!(a.expect("a") + b.expect("b"), 1);
    assert_eq!(chases().await, 1);
    assert_eq!(
        masa::scorecard::chase(&app.state, late + chrono::Days::new(2))
            .await
            .expect("chase"),
        0,
        "not again within five working days"
    );
    assert_eq!(
        // Two weeks on, whatever bank holidays fall in them.
        masa::scorecard::chase(&app.state, late + chrono::Days::new(14))
            .await
            .expect("chase"),
        1
    );
    // The business unit, named for the council, has the task on its home page.
    let mut bu = app.signed_in(BU).await;
    let home = bu.get("/").await.body;
    assert!(
        home.contains(&format!(
            "Send Plymouth City Council&#39;s scorecard figures for {}",
            period.label
        )),
        "the task"
    );
});

both_engines!(
    the_catalogue_is_checked_whole_and_a_changed_definition_is_a_new_edition,
    |app| {
        let id = plymouth(&app).await;
        let p = app.partnership("plymouth");
        let mut bu = app.signed_in(BU).await;
        bu.get("/scorecard/indicators").await;
        let text = bu.get("/scorecard/document").await.body;
        assert!(text.contains("schema = \"masa-scorecard/1\""));
        let docs = app.count("scorecard_documents").await;
        let editions = app.count("scorecard_indicators").await;
        // A source that is not in the arrangements, named with its line; nothing kept.
        let bad = text.replacen(
            "source = \"plymouth-city-council\"",
            "source = \"nobody\"",
            1,
        );
        let r = bu
            .upload(
                "/scorecard/indicators",
                "file",
                "bad.toml",
                bad.as_bytes(),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body
                .contains("bad.toml has 1 problem: nothing was brought in"),
            "{}",
            r.body
        );
        assert!(
            r.body
                .contains("its source &#34;nobody&#34; is not an organisation in the arrangements")
        );
        for hostile in [b"\xff\xfe not text".to_vec(), b"schema = \"masa-scorecard/1\"\nindicators = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n".to_vec(), vec![b'#'; 2 * 1024 * 1024]] {
        let r = bu.upload("/scorecard/indicators", "file", "x.toml", &hostile, true).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
        assert_eq!(
            (
                app.count("scorecard_documents").await,
                app.count("scorecard_indicators").await
            ),
            (docs, editions)
        );
        // The same file again changes nothing but keeps a new document number.
        let r = bu
            .upload(
                "/scorecard/indicators",
                "file",
                "same.toml",
                text.as_bytes(),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(app.count("scorecard_indicators").await, editions);
        // A changed definition is a new edition; a changed benchmark is not.
        let changed = text
            .replace(
                "Requests for children's social care services received",
                "Requests for children's social care services (contacts excluded) received",
            )
            .replace("value = 494.1", "value = 494.2");
        let r = bu
            .upload(
                "/scorecard/indicators",
                "file",
                "changed.toml",
                changed.as_bytes(),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(app.count("scorecard_indicators").await, editions + 1);
        let eds = store::editions(&app.state.db, p, "referrals")
            .await
            .expect("q");
        assert_eq!(eds.len(), 2);
        let figures = store::history(&app.state.db, p, "referrals")
            .await
            .expect("q");
        assert!(
            figures.iter().all(|f| f.indicator_id == eds[0].id),
            "old figures keep their edition"
        );
        assert_eq!(
            store::editions(&app.state.db, p, "referrals-rate")
                .await
                .expect("q")
                .len(),
            1
        );
        // And the scorecard still reads.
        assert!(
            bu.get(&format!("/scorecard/periods/{id}"))
                .await
                .body
                .contains("494.2 (2020/21)")
        );
        // Opening a period: bad input named, nothing stored.
        bu.get("/scorecard").await;
        let periods = app.count("scorecard_periods").await;
        let r = bu
            .post(
                "/scorecard/periods",
                &[
                    ("scorecard", "childrens-services"),
                    ("ends-day", "15"),
                    ("ends-month", "5"),
                    ("ends-year", "2022"),
                    ("due-day", "1"),
                    ("due-month", "1"),
                    ("due-year", "2020"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body
                .contains("15 May 2022 is not the last day of a quarterly period"),
            "{}",
            r.body
        );
        assert!(r.body.contains("The due date must be today or later"));
        let r = bu
            .post("/scorecard/periods", &[("scorecard", "nope")])
            .await;
        assert!(r.body.contains("Select the scorecard") && r.body.contains("Enter the period"));
        assert_eq!(app.count("scorecard_periods").await, periods);
    }
);

both_engines!(
    the_api_reads_the_scorecard_and_takes_a_senders_figures,
    |app| {
        let id = plymouth(&app).await;
        let mut bu = app.signed_in(BU).await;
        let mut api = bu.api_client("scorecard").await;
        let periods = api.get("/api/v1/scorecard/periods").await;
        assert_eq!(periods.status, StatusCode::OK);
        assert!(
            periods.body.contains("\"label\":\"Q1 2022/23\"")
                && periods.body.contains("\"publications\":[1]")
        );
        let card = api.get(&format!("/api/v1/scorecard/periods/{id}")).await;
        assert_eq!(card.status, StatusCode::OK);
        assert!(card.body.contains("\"shown\":\"526.5\""), "{}", card.body);
        let published = api
            .get(&format!("/api/v1/scorecard/periods/{id}?publication=1"))
            .await;
        assert!(published.body.contains("\"publication\":1"));
        assert_eq!(
            api.get(&format!("/api/v1/scorecard/periods/{id}?publication=9"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert!(
            api.get("/api/v1/scorecard/indicators")
                .await
                .body
                .contains("\"code\":\"referrals-rate\",\"name\"")
        );
        // Sending: every problem named and nothing kept; then kept as revisions.
        let url =
            format!("/api/v1/scorecard/periods/{id}/organisations/plymouth-city-council/figures");
        let before = figures_and_audit(&app).await;
        for (body, says) in [
            (
                r#"{"figures":[{"code":"referrals","value":2810.5},{"code":"nope","value":1},{"code":"cla-outside","value":101}]}"#,
                "referrals: value must be a whole number",
            ),
            (
                r#"{"figures":[{"code":"referrals","value":2810}]}"#,
                "reason: say why",
            ),
            (
                r#"{"figures":[{"code":"referrals","value":"2810"}]}"#,
                "Bad request",
            ),
            (r#"{"figures":[],"colour":"red"}"#, "Bad request"),
            ("not json", "Bad request"),
        ] {
            let r = api.post_json(&url, body).await;
            assert!(
                r.status == StatusCode::UNPROCESSABLE_ENTITY || r.status == StatusCode::BAD_REQUEST,
                "{body}: {}",
                r.status
            );
            assert!(r.body.contains(says), "{body}: {}", r.body);
        }
        assert_eq!(figures_and_audit(&app).await, before);
        let r = api
        .post_json(&url, r#"{"figures":[{"code":"referrals","value":2810},{"code":"placed-other","value":2}],"reason":"Late referrals added"}"#)
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("\"recorded\":2") && r.body.contains("\"corrected\":1"));
        // Another organisation's figures, or another partnership's period: not found.
        let police =
            format!("/api/v1/scorecard/periods/{id}/organisations/devon-cornwall-police/figures");
        assert_eq!(
            api.post_json(&police, r#"{"figures":[]}"#).await.status,
            StatusCode::NOT_FOUND
        );
        let mut derby = app.signed_in(DERBY).await;
        let mut derby_api = derby.api_client("d").await;
        assert_eq!(
            derby_api
                .get(&format!("/api/v1/scorecard/periods/{id}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            derby_api.post_json(&url, r#"{"figures":[]}"#).await.status,
            StatusCode::NOT_FOUND
        );
        // A practitioner's token, not named to send: not found, nothing kept.
        let mut prac = app.signed_in(PRACTITIONER).await;
        let mut prac_api = prac.api_client("p").await;
        let before = figures_and_audit(&app).await;
        assert_eq!(
            prac_api
                .post_json(
                    &url,
                    r#"{"figures":[{"code":"referrals","value":1}],"reason":"x"}"#
                )
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(figures_and_audit(&app).await.0, before.0);
    }
);

both_engines!(
    the_open_data_is_what_was_published_with_small_numbers_hidden,
    |app| {
        let id = plymouth(&app).await;
        let mut public = app.client();
        let csv = public.get("/p/plymouth/scorecard.csv").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.starts_with("period,period_ends,section,code,indicator,column,shown,value,hidden,publication,published_on"));
        assert!(
            csv.body
                .contains("Q1 2022/23,30/06/2022,Referrals and re-referrals,referrals-rate,")
        );
        assert!(csv.body.contains(",Q1 2022/23,526.5,526.5,,1,"));
        // Only what was published: a period not yet published is not there, nor a later correction.
        assert!(!csv.body.contains("Q2 2026/27") && !csv.body.contains("2026/27"));
        let mut bu = app.signed_in(BU).await;
        let form = format!("/scorecard/periods/{id}/organisations/plymouth-city-council");
        bu.get(&form).await;
        let r = bu
            .post(
                &form,
                &[
                    ("v-placed-secure", "3"),
                    ("v-referrals", "2811"),
                    ("reason", "Checked"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let again = public.get("/p/plymouth/scorecard.csv").await.body;
        assert_eq!(
            again, csv.body,
            "the open data changes only when a period is published"
        );
        bu.get(&format!("/scorecard/periods/{id}/publish")).await;
        bu.post(&format!("/scorecard/periods/{id}/publish"), &[])
            .await;
        let republished = public.get("/p/plymouth/scorecard.csv").await.body;
        assert!(republished.contains(",Q1 2022/23,\"2,811\",2811,,2,"));
        // The secure units' 3 is hidden (below five), and so is the next smallest part of the total.
        let secure = republished
            .lines()
            .find(|l| l.contains("placed-secure") && l.contains(",Q1 2022/23,"))
            .expect("secure units");
        assert!(secure.contains(",x,,small number,"), "{secure}");
        assert!(republished.contains("would reveal a small number"));
        assert_eq!(
            public.get("/p/nowhere/scorecard.csv").await.status,
            StatusCode::NOT_FOUND
        );
    }
);

both_engines!(past_figures_come_in_whole_or_not_at_all, |app| {
    plymouth(&app).await;
    let p = app.partnership("plymouth");
    let day = day("2015-03-31");
    let history = |code: &'static str| {
        let db = app.state.db.clone();
        async move {
            store::history(&db, p, code)
                .await
                .expect("history")
                .into_iter()
                .filter(|f| f.ends_on == day)
                .collect::<Vec<_>>()
        }
    };
    let mut bu = app.signed_in(BU).await;
    let page = bu.get("/scorecard/history").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("nothing is kept unless the whole file is right");
    // One bad row among good ones: every problem with its line, nothing kept.
    let before = figures_and_audit(&app).await;
    let bad = "ends_on,code,value\n2015-03-31,referrals,3000\n2015-03-30,cla,480\n2015-03-31,not-ours,5\n";
    let r = bu
        .upload_form(
            "/scorecard/history",
            &[("reason", "")],
            Some(("file", "past.csv", bad.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("past.csv has 2 problems: nothing was kept");
    r.assert_contains("Line 3, ends_on: must be the last day of a month");
    r.assert_contains("Line 4, code:");
    assert_eq!(figures_and_audit(&app).await, before);
    // The file right: each figure recorded as history, for its own day and organisation.
    let good = "ends_on,code,value\n2015-03-31,referrals,3000\n2015-03-31,cla,480\n";
    let r = bu
        .upload_form(
            "/scorecard/history",
            &[("reason", "")],
            Some(("file", "past.csv", good.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    bu.get("/scorecard/history")
        .await
        .assert_contains("past.csv: 2 figures recorded for 1 day, 0 of them corrections");
    let referrals = history("referrals").await;
    assert_eq!(referrals.len(), 1);
    assert_eq!(
        (
            referrals[0].numerator,
            referrals[0].how.as_str(),
            referrals[0].organisation_key.as_str()
        ),
        (Some(3000), "history", "plymouth-city-council")
    );
    // A correction needs its reason; what was typed stays; then it is a second revision.
    let fix = "ends_on,code,value\n2015-03-31,referrals,3010\n";
    let before = figures_and_audit(&app).await;
    let r = bu
        .upload_form(
            "/scorecard/history",
            &[("reason", "")],
            Some(("file", "fix.csv", fix.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("say why they are being corrected");
    assert_eq!(figures_and_audit(&app).await, before);
    let r = bu
        .upload_form(
            "/scorecard/history",
            &[("reason", "The 2015 return was revised by the DfE")],
            Some(("file", "fix.csv", fix.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let referrals = history("referrals").await;
    assert_eq!(referrals.len(), 2);
    assert_eq!(
        (
            referrals[0].revision,
            referrals[0].numerator,
            referrals[0].reason.as_str()
        ),
        (2, Some(3010), "The 2015 return was revised by the DfE")
    );
    assert_eq!(
        referrals[1].numerator,
        Some(3000),
        "the first revision is kept"
    );
    // Nobody else brings figures in; another partnership's business unit, into Plymouth, never.
    for who in [MEMBER, PRACTITIONER] {
        let mut c = app.signed_in(who).await;
        let r = c
            .upload_form(
                "/scorecard/history",
                &[],
                Some(("file", "past.csv", good.as_bytes())),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
    }
    let mut derby = app.signed_in(DERBY).await;
    derby
        .get("/scorecard/history")
        .await
        .assert_contains("Bring in the");
    let r = derby
        .upload_form(
            "/scorecard/history",
            &[],
            Some(("file", "past.csv", good.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(history("referrals").await.len(), 2);
});
