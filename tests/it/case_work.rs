//! The work of a serious case: information requests answered by each agency (who sees its own
//! request only), the merged chronology, the rapid review and its questions, the local review,
//! publication (public page or reasons) and reminders to whoever owes the next step.

use axum::http::StatusCode;
use chrono::NaiveDate;
use masa::store::PartnershipId;

use crate::both_engines;
use crate::support::{Client, TestApp, today, user_id};

async fn record(c: &mut Client, fields: &[(&str, &str)]) -> String {
    c.get("/reviews/new").await;
    let r = c.post("/reviews", fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location().to_owned()
}

async fn case(app: &TestApp, p: PartnershipId, url: &str) -> masa::reviews::cases::Case {
    let id: i64 = url
        .rsplit('/')
        .next()
        .and_then(|x| x.parse().ok())
        .expect("id");
    masa::reviews::cases::get(&app.state.db, p, id)
        .await
        .expect("q")
        .expect("case")
}

async fn make_delegate(app: &TestApp, p: PartnershipId) {
    crate::support::make_delegate(&app.state, p, "member@plymouth.example").await;
}

both_engines!(
    each_agency_answers_its_own_request_into_one_chronology,
    |app| {
        masa::demo::seed_arrangements(&app.state)
            .await
            .expect("arrangements");
        masa::demo::seed_meetings(&app.state).await.expect("seats");
        let p = app.partnership("plymouth");
        let mut bu = app.signed_in("business.unit@plymouth.example").await;
        let url = record(
            &mut bu,
            &[
                ("kind", "serious-case"),
                ("pseudonym", "Child E"),
                ("aware_on", &today().to_string()),
                ("harm", "seriously-harmed"),
                ("abuse", "suspected"),
                ("body_key", "pscp-board"),
            ],
        )
        .await;
        let pat = user_id(&app, "practitioner@plymouth.example").await;
        let morgan = user_id(&app, "member@plymouth.example").await;
        let due = (today() + chrono::Duration::days(7)).to_string();
        let pat_s = pat.to_string();
        let good = [
            ("organisation", "Plymouth City Council"),
            ("responder", pat_s.as_str()),
            (
                "asked",
                "Your involvement with the child and family in the last year.",
            ),
            ("due_on", due.as_str()),
        ];
        let with = |field: &str, value: &'static str| {
            good.iter()
                .map(|(k, v)| (*k, if *k == field { value } else { *v }))
                .collect::<Vec<_>>()
        };
        // Bad input: each refused against its field; nothing stored, nobody emailed.
        let mails = app.count("outbox").await;
        for (field, value, message) in [
            ("organisation", "Acme Ltd", "Select the agency"),
            ("responder", "999999", "Select the person who answers"),
            ("responder", "'; DROP TABLE users; --", "Select the person"),
            ("asked", "", "Say what the agency is asked for"),
            ("due_on", "2001-01-01", "today or later"),
            ("due_on", "soon", "must be a real date"),
            ("due_on", "", "Enter the date the information is due"),
        ] {
            bu.get(&url).await;
            let r = bu
                .post(&format!("{url}/requests"), &with(field, value))
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{field}={value}"
            );
            r.assert_contains(message);
        }
        assert_eq!(app.count("review_requests").await, 0, "nothing stored");
        assert_eq!(app.count("outbox").await, mails, "nobody emailed");

        bu.get(&url).await;
        let r = bu.post(&format!("{url}/requests"), &good).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // A second agency, answered by Morgan.
        let morgan_s = morgan.to_string();
        let second: Vec<(&str, &str)> = good
            .iter()
            .map(|(k, v)| match *k {
                "organisation" => (*k, "Devon & Cornwall Police"),
                "responder" => (*k, morgan_s.as_str()),
                _ => (*k, *v),
            })
            .collect();
        bu.get(&url).await;
        bu.post(&format!("{url}/requests"), &second).await;
        let c = case(&app, p, &url).await;
        let reqs = masa::reviews::rapid::requests(&app.state.db, p, c.id)
            .await
            .expect("requests");
        assert_eq!(reqs.len(), 2);
        let council = reqs
            .iter()
            .find(|r| r.organisation == "Plymouth City Council")
            .expect("council")
            .id;
        let police = reqs
            .iter()
            .find(|r| r.organisation != "Plymouth City Council")
            .expect("police")
            .id;
        // The person named is emailed through the outbox, with the way to the request.
        let to_pat = app
            .state
            .db
            .fetch_all(
                "SELECT subject, body_text FROM outbox WHERE to_address = 'practitioner@plymouth.example'",
                vec![],
            )
            .await
            .expect("outbox");
        assert_eq!(to_pat.len(), 1);
        let text: String = to_pat[0].get("body_text").expect("text");
        assert!(
            text.contains(&format!("/reviews/requests/{council}")),
            "{text}"
        );

        // Pat sees the council's request only: not the case, not the police's request.
        let mut pc = app.signed_in("practitioner@plymouth.example").await;
        // Her home page says what is asked, where, and by when, in the one countdown wording.
        let home = pc.get("/").await;
        home.assert_contains("Answer the information request for Plymouth City Council");
        home.assert_contains(&format!("href=\"/reviews/requests/{council}\""));
        home.assert_contains("working days left");
        assert!(!home.body.contains("Devon &amp; Cornwall Police"));
        let mine = pc.get("/reviews/requests").await;
        mine.assert_contains("Child E");
        mine.assert_contains("Plymouth City Council");
        assert!(!mine.body.contains("Devon &amp; Cornwall Police"));
        let before = app.count("audit_events").await;
        let page = pc.get(&format!("/reviews/requests/{council}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(
            app.count("audit_events").await,
            before + 1,
            "the view is recorded"
        );
        assert_eq!(
            pc.get(&format!("/reviews/requests/{police}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(pc.get(&url).await.status, StatusCode::FORBIDDEN);
        // The same through the API.
        let mut api = pc.api_client("requests").await;
        let listed: serde_json::Value =
            serde_json::from_str(&api.get("/api/v1/review-requests").await.body).expect("json");
        assert_eq!(listed.as_array().map(Vec::len), Some(1));
        assert_eq!(listed[0]["organisation"], "Plymouth City Council");
        assert_eq!(
            api.get(&format!("/api/v1/review-requests/{police}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            api.get(&format!("/api/v1/reviews/{}", c.id)).await.status,
            StatusCode::FORBIDDEN
        );

        // Pat adds to the chronology: bad input first, nothing stored.
        let entry = format!("/reviews/requests/{council}/entries");
        for (fields, message) in [
            (
                vec![("happened_on", "last week"), ("event", "Visit")],
                "must be a real date",
            ),
            (
                vec![("happened_on", "2099-01-01"), ("event", "Visit")],
                "today or in the past",
            ),
            (
                vec![("happened_on", "2025-01-10"), ("event", "  ")],
                "Say what happened",
            ),
        ] {
            pc.get(&format!("/reviews/requests/{council}")).await;
            let r = pc.post(&entry, &fields).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            r.assert_contains(message);
        }
        assert_eq!(app.count("review_chronology").await, 0);
        for (d, e) in [
            (
                "2025-01-20",
                "Home visit by social worker; no concerns seen.",
            ),
            ("2025-01-05", "=HYPERLINK(\"http://evil.example\")"),
        ] {
            pc.get(&format!("/reviews/requests/{council}")).await;
            let r = pc.post(&entry, &[("happened_on", d), ("event", e)]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        // Pat cannot write into the police's request.
        assert_eq!(
            pc.post(
                &format!("/reviews/requests/{police}/entries"),
                &[("happened_on", "2025-01-01"), ("event", "x")]
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        // Returning: a summary is needed; then it is returned and closed to more entries.
        let ret = format!("/reviews/requests/{council}/return");
        pc.get(&format!("/reviews/requests/{council}")).await;
        let r = pc.post(&ret, &[("version", "1"), ("summary", "")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("Summarise");
        // A draft first: saved, not returned, still owed.
        let r = pc
            .post(
                &ret,
                &[
                    ("version", "1"),
                    ("summary", "Two contacts so far"),
                    ("step", "draft"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = pc.get(&format!("/reviews/requests/{council}")).await;
        page.assert_contains("Draft saved");
        page.assert_contains("Two contacts so far");
        page.assert_contains("Save as draft");
        // The main button shows it back before anything is sent.
        let r = pc
            .post(
                &ret,
                &[
                    ("version", "2"),
                    ("summary", "Two contacts; learning about home visits."),
                    ("step", "check"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.assert_contains("Check the information before you return it");
        r.assert_contains("Two contacts; learning about home visits.");
        r.assert_contains("name=\"step\" value=\"confirm\"");
        let stored = masa::reviews::rapid::requests(&app.state.db, p, case(&app, p, &url).await.id)
            .await
            .expect("requests");
        let council_request = stored
            .iter()
            .find(|q| q.id == council)
            .expect("council's request");
        assert_eq!(
            council_request.returned_on, None,
            "not returned by checking"
        );
        let version = council_request.version.to_string();
        let r = pc
            .post(
                &ret,
                &[
                    ("version", version.as_str()),
                    ("summary", "Two contacts; learning about home visits."),
                    ("step", "confirm"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(
            !pc.get("/")
                .await
                .body
                .contains("Answer the information request"),
            "nothing owed now"
        );
        pc.get(&format!("/reviews/requests/{council}")).await;
        let r = pc
            .post(&entry, &[("happened_on", "2025-02-01"), ("event", "Late")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("has been returned");

        // Morgan answers the police's.
        let mut m = app.signed_in("member@plymouth.example").await;
        m.get(&format!("/reviews/requests/{police}")).await;
        let r = m
            .post(
                &format!("/reviews/requests/{police}/entries"),
                &[
                    ("happened_on", "2025-01-12"),
                    ("event", "Domestic incident attended."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);

        // The business unit sees one chronology, merged by date across the agencies.
        let page = bu.get(&format!("{url}/information")).await;
        let a = page.body.find("5 Jan 2025").expect("5 Jan");
        let b = page.body.find("12 Jan 2025").expect("12 Jan");
        let d = page.body.find("20 Jan 2025").expect("20 Jan");
        assert!(a < b && b < d, "merged by date");
        page.assert_contains("Returned");
        let csv = bu.get(&format!("{url}/chronology.csv")).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.contains("Devon & Cornwall Police"));
        assert!(
            csv.body.contains("'=HYPERLINK"),
            "formulas defused: {}",
            csv.body
        );
        // Every change is in the audit trail.
        let audit = bu.get("/audit?record_type=review-request").await;
        audit.assert_contains("Information requested for Child E");
        audit.assert_contains("Information returned for Child E");
    }
);

both_engines!(a_case_goes_from_rapid_review_to_publication, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    masa::demo::seed_meetings(&app.state).await.expect("seats");
    let p = app.partnership("plymouth");
    make_delegate(&app, p).await;
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    let url = record(
        &mut bu,
        &[
            ("kind", "serious-case"),
            ("pseudonym", "Child G"),
            ("aware_on", "2025-03-03"),
            ("harm", "died"),
            ("abuse", "known"),
            ("body_key", "pscp-board"),
        ],
    )
    .await;
    let c = case(&app, p, &url).await;

    // The rapid review: a completion date needs every question answered; a meeting must be
    // one of the reviewing body's.
    let mut fields = vec![
        ("version".to_owned(), c.version.to_string()),
        ("rapid_done_on".to_owned(), "2025-03-20".to_owned()),
        ("rapid_meeting_id".to_owned(), "999999".to_owned()),
    ];
    fields.push(("answer-improvements".to_owned(), "Yes".to_owned()));
    bu.get(&url).await;
    let r = bu.post_owned(&format!("{url}/rapid"), &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("Answer each question before the rapid review is completed");
    r.assert_contains("Select a meeting of the body");
    r.assert_contains("href=\"#answer-recurrent-themes\"");
    assert_eq!(app.count("review_answers").await, 0, "nothing stored");
    assert_eq!(case(&app, p, &url).await.rapid_done_on, None);
    fields.retain(|(k, _)| k != "rapid_meeting_id" && !k.starts_with("answer-"));
    for (k, _) in masa::reviews::model::QUESTIONS {
        fields.push((format!("answer-{k}"), format!("Answer to {k}")));
    }
    bu.get(&url).await;
    let r = bu.post_owned(&format!("{url}/rapid"), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let c = case(&app, p, &url).await;
    assert_eq!(c.rapid_done_on, NaiveDate::from_ymd_opt(2025, 3, 20));
    // Under the 2023 rules the rapid review counts from the notification; with none recorded
    // there is no such deadline yet, and the answers are kept.
    assert_eq!(app.count("review_answers").await, 6);
    // The answers are in the trail against the case, the old set and the new.
    let (before, after) = crate::audited::last_change(&app, "review-case", c.id, "answers").await;
    assert_eq!(before, serde_json::json!({"answers": []}));
    assert_eq!(after["answers"].as_array().map(Vec::len), Some(6));
    bu.get(&format!("{url}/rapid"))
        .await
        .assert_contains("Answer to working-together");
    // A stale copy of the form is told, not applied.
    bu.get(&url).await;
    let r = bu.post_owned(&format!("{url}/rapid"), &fields).await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // The report: checked by content; restricted like the case.
    let files = app.count("files").await;
    bu.get(&url).await;
    let r = bu
        .upload_form(
            &format!("{url}/rapid-report"),
            &[("version", &c.version.to_string())],
            Some((
                "rapid_report",
                "report.pdf",
                b"<html><script>x</script></html>",
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("files").await, files, "nothing stored");
    let pdf = masa::demo::demo_paper("Rapid review: Child G").expect("pdf");
    bu.get(&url).await;
    let r = bu
        .upload_form(
            &format!("{url}/rapid-report"),
            &[("version", &c.version.to_string())],
            Some(("rapid_report", "rapid-review.pdf", &pdf)),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut s = app.signed_in("scrutineer@plymouth.example").await;
    let got = s.get(&format!("{url}/rapid-report")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(
        app.client()
            .get(&format!("{url}/rapid-report"))
            .await
            .status,
        StatusCode::SEE_OTHER,
        "the public is sent to sign in"
    );

    // No local review before the partners decide to hold one.
    let c = case(&app, p, &url).await;
    bu.get(&url).await;
    let r = bu
        .post(
            &format!("{url}/local"),
            &[
                ("version", &c.version.to_string()),
                ("reviewer", "A. Reviewer"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("the partners have not decided to hold one");
    // The decision, signed by all three.
    bu.post(
        &format!("{url}/decision"),
        &[
            ("version", &c.version.to_string()),
            ("decision", "local-review"),
            ("decision_reasons", "Agencies did not share information."),
        ],
    )
    .await;
    let mut m = app.signed_in("member@plymouth.example").await;
    for partner in ["local-authority", "health", "police"] {
        m.get(&url).await;
        let r = m
            .post(&format!("{url}/signoff"), &[("partner", partner)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    // Time passes: the decision was made on 1 April 2025.
    crate::support::backdate_decisions(
        &app.state,
        NaiveDate::from_ymd_opt(2025, 4, 1).expect("day"),
    )
    .await;
    let c = case(&app, p, &url).await;
    assert!(c.local_review());

    // The local review: bad dates refused, nothing stored.
    let v = c.version.to_string();
    bu.get(&url).await;
    let r = bu
        .post(
            &format!("{url}/local"),
            &[
                ("version", &v),
                ("reviewer", "Dr A. Reviewer"),
                ("planned-draft", "31/02/2025"),
                ("done-practitioner-event", "2099-01-01"),
                ("final_sent_on", "2025-03-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("href=\"#planned-draft\"");
    r.assert_contains("href=\"#done-practitioner-event\"");
    r.assert_contains("before the decision to review");
    assert_eq!(app.count("review_milestones").await, 0);
    let r = bu
        .post(
            &format!("{url}/local"),
            &[
                ("version", &v),
                ("reviewer", "Dr A. Reviewer"),
                ("terms_of_reference", "How agencies shared information."),
                ("methodology", "Systems approach with a practitioner event."),
                ("planned-practitioner-event", "2025-05-01"),
                ("done-practitioner-event", "2025-05-02"),
                ("planned-draft", "2025-07-01"),
                ("publish_planned_on", "2025-09-30"),
                ("final_sent_on", "2025-09-15"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.count("review_milestones").await, 2);
    let (before, after) =
        crate::audited::last_change(&app, "review-case", c.id, "milestones").await;
    assert_eq!(before, serde_json::json!({"milestones": []}));
    assert_eq!(after["milestones"].as_array().map(Vec::len), Some(2));
    bu.get(&format!("{url}/local"))
        .await
        .assert_contains("Dr A. Reviewer");
    let page = bu.get(&url).await;
    // Planned publication Tue 30 Sept 2025: the final report was due 7 working days before,
    // Fri 19 September; it went on the 15th, so that deadline shows done.
    page.assert_contains("Fri 19 September 2025");

    // Publication: only 7 working days after the final report went; the report a PDF.
    let c = case(&app, p, &url).await;
    let v = c.version.to_string();
    let publish = |on: &'static str| {
        vec![
            ("version", v.clone()),
            ("public_title", "Practice review: Child G".to_owned()),
            (
                "public_summary",
                "What we learned about sharing information.".to_owned(),
            ),
            ("published_on", on.to_owned()),
        ]
    };
    let refs = |f: &[(&'static str, String)]| -> Vec<(&'static str, String)> { f.to_vec() };
    let early = refs(&publish("2025-09-23"));
    let early: Vec<(&str, &str)> = early.iter().map(|(k, v)| (*k, v.as_str())).collect();
    bu.get(&url).await;
    let r = bu
        .upload_form(
            &format!("{url}/publish"),
            &early,
            Some(("report", "final.pdf", &pdf)),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("publish on or after 24 September 2025");
    let good = refs(&publish("2025-09-30"));
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let docx = crate::papers::a_docx();
    bu.get(&url).await;
    let r = bu
        .upload_form(
            &format!("{url}/publish"),
            &good,
            Some(("report", "final.docx", &docx)),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("must be a PDF");
    assert_eq!(case(&app, p, &url).await.published_on, None);
    // Nothing of it is public yet.
    let public = format!("/p/plymouth/reviews/{}", c.id);
    assert_eq!(
        app.client().get(&public).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !app.client()
            .get("/p/plymouth/reviews")
            .await
            .body
            .contains("Child G")
    );
    bu.get(&url).await;
    let r = bu
        .upload_form(
            &format!("{url}/publish"),
            &good,
            Some(("report", "final.pdf", &pdf)),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let c = case(&app, p, &url).await;
    assert_eq!(c.published_on, NaiveDate::from_ymd_opt(2025, 9, 30));
    // The public sees the published report: the page and the PDF.
    let mut public_client = app.client();
    public_client
        .get("/p/plymouth/reviews")
        .await
        .assert_contains("Practice review: Child G");
    let page = public_client.get(&public).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("What we learned about sharing information.");
    // The report's kind, size and pages beside its link, counted when it was uploaded.
    let n = masa::files::pdf_pages(&pdf).expect("a readable PDF");
    page.assert_contains(&format!(
        "Download the report</a> (PDF, {}, {n} page{})",
        masa::files::size_text(pdf.len() as i64),
        if n == 1 { "" } else { "s" }
    ));
    let report = public_client.get(&format!("{public}/report")).await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.body.starts_with("%PDF"));
    // ... never the restricted record, its rapid review report or another partnership's.
    assert!(!page.body.contains("Agencies did not share information."));
    assert_eq!(
        public_client
            .get(&format!("/p/portsmouth/reviews/{}", c.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Published once: a second publication or reasons are refused.
    bu.get(&url).await;
    let r = bu
        .post(
            &format!("{url}/not-published"),
            &[
                ("version", &c.version.to_string()),
                ("not_published_on", "2025-10-01"),
                ("not_published_reasons", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("already recorded");
    let page = bu.get(&url).await;
    page.assert_contains("Published");
    // Done on time: publication within six months of the decision.
    let audit = bu.get("/audit?record_type=review-case").await;
    audit.assert_contains("Review of Child G published");
    audit.assert_contains("Local review of Child G recorded");
    audit.assert_contains("Rapid review of Child G recorded");

    // A local learning review the partnership decides not to publish: reasons recorded.
    let url2 = record(
        &mut bu,
        &[
            ("kind", "local-learning"),
            ("pseudonym", "Child H"),
            ("aware_on", "2025-06-02"),
            ("harm", "seriously-harmed"),
            ("abuse", "suspected"),
        ],
    )
    .await;
    let c2 = case(&app, p, &url2).await;
    bu.get(&url2).await;
    let r = bu
        .post(
            &format!("{url2}/not-published"),
            &[
                ("version", &c2.version.to_string()),
                ("not_published_on", "2025-11-01"),
                ("not_published_reasons", " "),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("Give the reasons");
    let r = bu
        .post(
            &format!("{url2}/not-published"),
            &[
                ("version", &c2.version.to_string()),
                ("not_published_on", "2025-11-01"),
                (
                    "not_published_reasons",
                    "Publishing would identify the child's siblings.",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    bu.get(&format!("{url2}/publication"))
        .await
        .assert_contains("Publishing would identify the child");
    assert_eq!(
        app.client()
            .get(&format!("/p/plymouth/reviews/{}", c2.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

both_engines!(reminders_go_to_whoever_owes_the_next_step_once, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    let p = app.partnership("plymouth");
    make_delegate(&app, p).await;
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    // Aware today: the Panel is to be told within five working days.
    let url = record(
        &mut bu,
        &[
            ("kind", "serious-case"),
            ("pseudonym", "Child J"),
            ("aware_on", &today().to_string()),
            ("harm", "died"),
            ("abuse", "known"),
        ],
    )
    .await;
    let c = case(&app, p, &url).await;
    let pat = user_id(&app, "practitioner@plymouth.example")
        .await
        .to_string();
    bu.get(&url).await;
    let due = (today() + chrono::Duration::days(2)).to_string();
    bu.post(
        &format!("{url}/requests"),
        &[
            ("organisation", "Plymouth City Council"),
            ("responder", &pat),
            ("asked", "Your chronology."),
            ("due_on", &due),
        ],
    )
    .await;
    bu.get(&url).await;
    bu.post(
        &format!("{url}/decision"),
        &[
            ("version", &c.version.to_string()),
            ("decision", "local-review"),
            ("decision_reasons", "Reasons."),
        ],
    )
    .await;
    let sent = masa::reviews::reminders::send(&app.state, today())
        .await
        .expect("reminders");
    assert_eq!(sent, 3, "the business unit, the delegate and the responder");
    let to = |who: &'static str| {
        let db = app.state.db.clone();
        async move {
            db.fetch_all(
                "SELECT body_text FROM outbox WHERE to_address = $1 AND subject = 'Serious case reviews: steps due'",
                masa::args![who],
            )
            .await
            .expect("outbox")
            .iter()
            .map(|r| r.get::<String>("body_text").expect("text"))
            .collect::<Vec<_>>()
        }
    };
    let bu_mail = to("business.unit@plymouth.example").await;
    assert_eq!(bu_mail.len(), 1);
    assert!(
        bu_mail[0].contains("Child J: Notify the Panel"),
        "{}",
        bu_mail[0]
    );
    let delegate = to("member@plymouth.example").await;
    assert!(delegate[0].contains("sign off the rapid review's decision"));
    let responder = to("practitioner@plymouth.example").await;
    assert!(responder[0].contains("Return the information of Plymouth City Council"));
    // Each reminder is sent once.
    assert_eq!(
        masa::reviews::reminders::send(&app.state, today())
            .await
            .expect("again"),
        0
    );
    // Once the Panel is notified, that step is no longer owed; a corrected awareness date
    // (a new deadline) reminds again.
    let c = case(&app, p, &url).await;
    bu.get(&url).await;
    let earlier = today() - chrono::Duration::days(14);
    let r = bu
        .post(
            &format!("{url}/dates"),
            &[
                ("version", &c.version.to_string()),
                ("aware_on", &earlier.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        masa::reviews::reminders::send(&app.state, today())
            .await
            .expect("after correction"),
        1
    );
});

both_engines!(the_learning_loop_and_the_yearly_figures, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    let p = app.partnership("plymouth");
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    let url = record(
        &mut bu,
        &[
            ("kind", "local-learning"),
            ("pseudonym", "Child K"),
            ("aware_on", "2025-05-06"),
            ("harm", "seriously-harmed"),
            ("abuse", "suspected"),
        ],
    )
    .await;
    let c = case(&app, p, &url).await;
    // A good-practice case need not say the child was harmed; a wrong value is still refused.
    bu.get("/reviews/new").await;
    let good_practice = [
        ("kind", "good-practice"),
        ("pseudonym", "Family M"),
        ("aware_on", "2025-05-06"),
    ];
    let r = bu
        .post(
            "/reviews",
            &[good_practice.as_slice(), &[("harm", "bruised")]].concat(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = bu.post("/reviews", &good_practice).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // A national review received from the Panel becomes an assurance plan in one step.
    bu.get("/reviews/new").await;
    let r = bu
        .post(
            "/reviews",
            &[
                ("kind", "national-review"),
                ("pseudonym", "Arthur and Star"),
                ("aware_on", "2022-05-26"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let national = r.location().to_owned();
    bu.get(&national)
        .await
        .assert_contains("Turn this national review into an assurance plan");
    let id = national.rsplit('/').next().unwrap_or_default();
    let form = bu.get(&format!("/assurance/new?review={id}")).await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains("National review: Arthur and Star");
    // Recommendations: one is needed; they number in order.
    bu.get(&url).await;
    let r = bu
        .post(
            &format!("{url}/recommendations"),
            &[("recommendation", " ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("Enter the recommendation");
    assert_eq!(app.count("review_recommendations").await, 0);
    for text in [
        "Strategy meetings are held whenever a child may be at risk of significant harm.",
        "Referrers are told what happened to their referral.",
    ] {
        bu.get(&url).await;
        let r = bu
            .post(
                &format!("{url}/recommendations"),
                &[("finding", "Found."), ("recommendation", text)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let recs = masa::reviews::learning::recommendations(&app.state.db, p, Some(c.id))
        .await
        .expect("recs");
    assert_eq!(recs.iter().map(|r| r.number).collect::<Vec<_>>(), [1, 2]);
    let rid = recs[0].id;
    let f = |n: &str| format!("{n}-{rid}");
    // An action from recommendation 1: bad input against its own fields, nothing stored.
    bu.get(&url).await;
    let (t, o, d) = (f("title"), f("owner_name"), f("due"));
    let r = bu
        .post(
            &format!("/reviews/recommendations/{rid}/actions"),
            &[
                (t.as_str(), ""),
                (o.as_str(), ""),
                (d.as_str(), "31/12/2026"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains(&format!("href=\"#{t}\""));
    r.assert_contains(&format!("href=\"#{d}\""));
    assert_eq!(app.count("actions").await, 0, "nothing stored");
    let r = bu
        .post(
            &format!("/reviews/recommendations/{rid}/actions"),
            &[
                (t.as_str(), "Audit strategy meetings quarterly"),
                (o.as_str(), "Head of service"),
                (d.as_str(), "2026-03-31"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let action: (i64, String) = {
        let rows = app
            .state
            .db
            .fetch_all("SELECT id, source_kind FROM actions", vec![])
            .await
            .expect("actions");
        (
            rows[0].get("id").expect("id"),
            rows[0].get("source_kind").expect("kind"),
        )
    };
    assert_eq!(action.1, "recommendation", "in the shared tracker");
    bu.get("/reviews/learning")
        .await
        .assert_contains("Actions open");
    // A learning output: its kind and link are checked.
    let (k, ot, l, on) = (f("kind"), f("output_title"), f("link"), f("produced_on"));
    bu.get(&url).await;
    let r = bu
        .post(
            &format!("/reviews/recommendations/{rid}/outputs"),
            &[
                (k.as_str(), "poster"),
                (ot.as_str(), "Briefing"),
                (l.as_str(), "javascript:alert(1)"),
                (on.as_str(), "2026-01-10"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("Select what kind of learning output");
    r.assert_contains("web address starting https://");
    assert_eq!(app.count("learning_outputs").await, 0);
    let r = bu
        .post(
            &format!("/reviews/recommendations/{rid}/outputs"),
            &[
                (k.as_str(), "briefing"),
                (ot.as_str(), "7-minute briefing: strategy meetings"),
                (l.as_str(), "https://example.org/briefing.pdf"),
                (on.as_str(), "2025-10-10"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The action is done, through the tracker.
    bu.get(&format!("/actions/{}", action.0)).await;
    let r = bu
        .post(
            &format!("/actions/{}", action.0),
            &[
                ("version", "1"),
                ("status", "done"),
                ("due", "2026-03-31"),
                ("note", "Audit in place."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    bu.get("/reviews/learning")
        .await
        .assert_contains("Actions done; change not yet shown");
    // Practice changed: the evidence is needed.
    let (pc, pe, v) = (f("practice_changed"), f("practice_evidence"), f("version"));
    bu.get(&url).await;
    let r = bu
        .post(
            &format!("/reviews/recommendations/{rid}/practice"),
            &[(v.as_str(), "1"), (pc.as_str(), "shown"), (pe.as_str(), "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("Say what evidence shows practice changed");
    let r = bu
        .post(
            &format!("/reviews/recommendations/{rid}/practice"),
            &[
                (v.as_str(), "1"),
                (pc.as_str(), "shown"),
                (
                    pe.as_str(),
                    "The March audit found strategy meetings in 9 of 10 cases.",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = bu.get("/reviews/learning").await;
    page.assert_contains("Loop closed");
    page.assert_contains("2 recommendations: 1 with every action done; 1 with the loop closed");
    // The same as a chart, beside a table of the same numbers.
    let (title, desc) = crate::charts::chart_text(&page.body, "loop-chart");
    assert_eq!(
        title,
        "Where the recommendations stand in the learning loop"
    );
    assert_eq!(
        desc,
        "2 recommendations. No actions yet: 1 (50%). Actions open: 0 (0%). Actions done; change not yet shown: 0 (0%). Loop closed: 1 (50%)."
    );
    for (state, n) in [
        ("No actions yet", 1),
        ("Actions open", 0),
        ("Actions done; change not yet shown", 0),
        ("Loop closed", 1),
        ("In all", 2),
    ] {
        assert_eq!(crate::charts::row_number(&page.body, state), n, "{state}");
    }
    // A stale assessment is told.
    let r = bu
        .post(
            &format!("/reviews/recommendations/{rid}/practice"),
            &[
                (v.as_str(), "1"),
                (pc.as_str(), "not-yet"),
                (pe.as_str(), ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let audit = bu.get("/audit?record_type=review-recommendation").await;
    audit.assert_contains("Recommendation 1 for Child K");
    audit.assert_contains("Practice change assessed");

    // The yearly figures: the recommendations recorded today, one with its actions complete.
    let r = bu.get("/reviews/figures?from=yesterday").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("must be a real date");
    let t = today().to_string();
    let r = bu.get(&format!("/reviews/figures?from={t}&to={t}")).await;
    assert_eq!(r.status, StatusCode::OK);
    r.assert_contains("2, every action complete 1 of 2 (50%)");
    // The shares done in time and the decisions, charted with the table's numbers.
    let (title, desc) = crate::charts::chart_text(&r.body, "on-time-chart");
    assert_eq!(title, "Done within the deadline");
    for (row, bar) in [
        (
            "Notifications to the Panel",
            "Notifications to the Panel on time",
        ),
        ("Rapid reviews completed", "Rapid reviews completed on time"),
        (
            "Local reviews published",
            "Local reviews published within six months",
        ),
    ] {
        let cell = r
            .body
            .split(&format!("<th scope=\"row\" class=\"govuk-table__header\">{row}</th><td class=\"govuk-table__cell\">"))
            .nth(1)
            .and_then(|c| c.split("</td>").next())
            .unwrap_or_else(|| panic!("no row {row}"));
        let share = cell.rsplit(" time ").next().unwrap_or_default();
        let share = share.rsplit("months ").next().unwrap_or_default();
        let words = if share == "none" {
            "none in the period"
        } else {
            share
        };
        assert!(
            desc.contains(&format!("{bar}: {words}.")),
            "{desc} / {cell}"
        );
    }
    let (title, desc) = crate::charts::chart_text(&r.body, "decisions-chart");
    assert_eq!(title, "Decisions in the period");
    for label in r.body.split(">Decided: ").skip(1) {
        let (label, rest) = label.split_once("</th>").expect("a row");
        let n: usize = rest
            .split_once('>')
            .and_then(|(_, v)| v.split_once('<'))
            .and_then(|(v, _)| v.parse().ok())
            .expect("a count");
        let cases = if n == 1 { "case" } else { "cases" };
        assert!(desc.contains(&format!("{label}: {n} {cases}.")), "{desc}");
    }
    let csv = bu
        .get(&format!("/reviews/figures.csv?from={t}&to={t}"))
        .await;
    assert!(
        csv.body
            .contains("Recommendations with every action complete,1"),
        "{}",
        csv.body
    );
    // The same through the API.
    let mut api = bu.api_client("figures").await;
    let r = api
        .get(&format!("/api/v1/reviews/figures?from={t}&to={t}"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let f: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(f["recommendations"], 2);
    assert_eq!(f["recommendations_actions_complete"], 1);
    assert_eq!(
        api.get("/api/v1/reviews/figures?from=soon").await.status,
        StatusCode::BAD_REQUEST
    );
    // The dashboard as CSV and XLSX; the export is in the audit trail.
    let csv = bu.get("/reviews.csv").await;
    assert!(
        csv.body
            .contains("Child K,Local learning review,06/05/2025"),
        "{}",
        csv.body
    );
    let xlsx = bu.get("/reviews.xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.starts_with("PK"), "a zip package");
    bu.get("/audit?record_type=review-case")
        .await
        .assert_contains("Serious case dashboard exported (3 cases)");
    // The second recommendation's action is given to Morgan, who is in masa: another
    // partnership's person cannot be picked; Morgan then has it on their home page.
    let rid2 = recs[1].id;
    let g = |n: &str| format!("{n}-{rid2}");
    let learning = bu.get(&format!("{url}/learning")).await;
    learning.assert_contains(&format!("name=\"{}\"", g("owner_user_id")));
    let morgan = user_id(&app, "member@plymouth.example").await.to_string();
    let derby = user_id(&app, "admin@derby.example").await.to_string();
    let (t2, u2, d2) = (g("title"), g("owner_user_id"), g("due"));
    let r = bu
        .post(
            &format!("/reviews/recommendations/{rid2}/actions"),
            &[
                (t2.as_str(), "Tell referrers the outcome within a week"),
                (u2.as_str(), derby.as_str()),
                (d2.as_str(), "2026-06-30"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("Select someone in the partnership");
    r.assert_contains("Tell referrers the outcome within a week");
    let r = bu
        .post(
            &format!("/reviews/recommendations/{rid2}/actions"),
            &[
                (t2.as_str(), "Tell referrers the outcome within a week"),
                (u2.as_str(), morgan.as_str()),
                (d2.as_str(), "2026-06-30"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let owned: i64 = app
        .state
        .db
        .fetch_one(
            "SELECT COUNT(*) AS n FROM actions WHERE owner_user_id IS NOT NULL AND source_kind = 'recommendation'",
            vec![],
        )
        .await
        .expect("q")
        .get("n")
        .expect("n");
    assert_eq!(owned, 1);
    // Someone who may not read the case sees none of it.
    let mut morgan = app.signed_in("member@plymouth.example").await;
    assert!(
        !morgan
            .get("/reviews/learning")
            .await
            .body
            .contains("Child K")
    );
    assert!(!morgan.get("/reviews.csv").await.body.contains("Child K"));
});
