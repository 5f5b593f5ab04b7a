//! Assurance plans: drafted from a national review, issued by email, answered by each agency's
//! named responder only, seen whole by the business unit and the scrutineer (read only),
//! hostile input refused with nothing stored, actions raised where assurance is not given,
//! every change audited; the API restricted as the pages.

use axum::http::StatusCode;
use masa::store::PartnershipId;

use crate::both_engines;
use crate::support::{Client, Resp, TestApp, user_id};

const BU: &str = "business.unit@plymouth.example";
const MEMBER: &str = "member@plymouth.example";
const PRACTITIONER: &str = "practitioner@plymouth.example";
const SCRUTINEER: &str = "scrutineer@plymouth.example";
const POLICE: &str = "devon-cornwall-police";
const HOSPITAL: &str = "university-hospitals-plymouth";

async fn ids(app: &TestApp, sql: &'static str, arg: i64) -> Vec<i64> {
    ids_of(app, sql, masa::args![arg]).await
}

async fn ids_of(app: &TestApp, sql: &'static str, args: Vec<masa::store::Value>) -> Vec<i64> {
    app.state
        .db
        .fetch_all(sql, args)
        .await
        .expect("q")
        .iter()
        .map(|r| r.get("id").expect("id"))
        .collect()
}

async fn count_where(app: &TestApp, sql: &'static str) -> i64 {
    count_of(app, sql, vec![]).await
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

fn in_days(n: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(n)).to_string()
}

/// The plan form, filled for the 2022 national review with its four questions.
fn plan_fields(due: &str) -> Vec<(&'static str, String)> {
    vec![
        ("title", "Assurance on the 2022 national review".into()),
        (
            "review_title",
            masa::assurance::model::REVIEW_2022_TITLE.into(),
        ),
        ("review_year", "2022".into()),
        (
            "review_link",
            masa::assurance::model::REVIEW_2022_LINK.into(),
        ),
        ("body_key", String::new()),
        ("answers_due", due.to_owned()),
        ("questions_2022", "yes".into()),
    ]
}

/// A drafted plan with the 2022 questions and two agencies: the police answered by Morgan
/// Member, the hospital trust by Pat Practitioner. Returns (plan, police agency, hospital
/// agency, question ids).
pub(crate) async fn drafted(app: &TestApp, bu: &mut Client) -> (i64, i64, i64, Vec<i64>) {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    bu.get("/assurance/new?from=2022").await;
    let r = bu
        .post_owned("/assurance", &plan_fields(&in_days(30)))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let plan: i64 = r
        .location()
        .trim_start_matches("/assurance/")
        .parse()
        .expect("plan id");
    let member = user_id(app, MEMBER).await.to_string();
    let practitioner = user_id(app, PRACTITIONER).await.to_string();
    for (org, who) in [(POLICE, &member), (HOSPITAL, &practitioner)] {
        let r = bu
            .post(
                &format!("/assurance/{plan}/agencies"),
                &[("organisation_key", org), ("responder", who.as_str())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let agency = |org: &'static str| async move {
        ids_of(
            app,
            "SELECT id FROM assurance_agencies WHERE plan_id = $1 AND organisation_key = $2",
            masa::args![plan, org],
        )
        .await[0]
    };
    let (police, hospital) = (agency(POLICE).await, agency(HOSPITAL).await);
    let questions = ids(
        app,
        "SELECT id FROM assurance_questions WHERE plan_id = $1 ORDER BY position",
        plan,
    )
    .await;
    (plan, police, hospital, questions)
}

pub(crate) async fn issue(bu: &mut Client, plan: i64) {
    bu.get(&format!("/assurance/{plan}")).await;
    let r = bu
        .post(&format!("/assurance/{plan}/issue"), &[("version", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

async fn answer(
    c: &mut Client,
    agency: i64,
    question: i64,
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &[u8])>,
) -> Resp {
    c.get(&format!("/assurance/returns/{agency}/{question}"))
        .await;
    c.upload_form(
        &format!("/assurance/returns/{agency}/{question}"),
        fields,
        file,
    )
    .await
}

both_engines!(
    assurance_plan_is_drafted_issued_by_email_then_frozen,
    |app| {
        let mut bu = app.signed_in(BU).await;
        // One click offers the 2022 review and its four questions.
        let r = bu.get("/assurance/new?from=2022").await;
        r.assert_contains("Arthur Labinjo-Hughes and Star Hobson");
        r.assert_contains("malicious");
        // Mistaken and hostile input: refused against its field, nothing stored.
        for (field, value, message) in [
            ("title", "", "Enter the plan"),
            ("review_year", "twenty", "like 2022"),
            ("review_link", "javascript:alert(1)", "starting https://"),
            ("answers_due", "soon", "must be a real date"),
            ("answers_due", "2020-01-01", "today or in the future"),
            ("body_key", "no-such-body", "Select the body"),
        ] {
            let mut f = plan_fields(&in_days(30));
            for (k, v) in f.iter_mut() {
                if *k == field {
                    *v = value.to_owned();
                }
            }
            let r = bu.post_owned("/assurance", &f).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{field}={value}"
            );
            r.assert_contains(message);
            r.assert_contains(&format!("href=\"#{field}\""));
        }
        assert_eq!(app.count("assurance_plans").await, 0, "nothing stored");

        let (plan, _, _, questions) = drafted(&app, &mut bu).await;
        assert_eq!(
            questions.len(),
            4,
            "the 2022 questions copied into the plan"
        );
        // While a draft, questions can be changed, added and removed.
        let q1 = questions[0];
        bu.get(&format!("/assurance/questions/{q1}")).await;
        let r = bu
            .post(
                &format!("/assurance/questions/{q1}"),
                &[
                    ("version", "1"),
                    ("text", "Are strategy meetings held within a working day?"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = bu
            .post(
                &format!("/assurance/{plan}/questions"),
                &[(
                    "text",
                    "Do agencies record challenge to decisions not to assess?",
                )],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let added = ids(
            &app,
            "SELECT id FROM assurance_questions WHERE plan_id = $1 AND position = 5",
            plan,
        )
        .await[0];
        let r = bu
            .post(&format!("/assurance/questions/{added}/remove"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(app.count("assurance_questions").await, 4);
        // A person from nowhere, or an agency not in the arrangements, is refused.
        let r = bu
            .post(
                &format!("/assurance/{plan}/agencies"),
                &[
                    ("organisation_key", "nhs-devon-icb"),
                    ("responder", "999999"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("href=\"#responder\"");
        let r = bu
            .post(
                &format!("/assurance/{plan}/agencies"),
                &[("organisation_key", "<script>"), ("responder", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("Select an agency from the partnership");
        // An organisation that no longer exists (the CCG, succeeded by the ICB in 2022) neither.
        let member = user_id(&app, MEMBER).await.to_string();
        let r = bu
            .post(
                &format!("/assurance/{plan}/agencies"),
                &[
                    ("organisation_key", "nhs-devon-ccg"),
                    ("responder", member.as_str()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("Select an agency from the partnership");
        assert_eq!(app.count("assurance_agencies").await, 2);

        // Issued: each responder is emailed a link to their return.
        let outbox = app.count("outbox").await;
        issue(&mut bu, plan).await;
        assert_eq!(app.count("outbox").await, outbox + 2);
        let agencies = ids(
            &app,
            "SELECT id FROM assurance_agencies WHERE plan_id = $1 ORDER BY id",
            plan,
        )
        .await;
        for (email, agency) in [(MEMBER, agencies[0]), (PRACTITIONER, agencies[1])] {
            let body: String = app
            .state
            .db
            .fetch_one(
                "SELECT body_text FROM outbox WHERE to_address = $1 AND subject LIKE 'Assurance questions%'",
                masa::args![email],
            )
            .await
            .expect("a message to the responder")
            .get("body_text")
            .expect("body");
            assert!(
                body.contains(&format!("/assurance/returns/{agency}")),
                "{body}"
            );
        }
        // Once issued the questions are frozen: every change refused, nothing changed.
        bu.get(&format!("/assurance/questions/{q1}")).await;
        let r = bu
            .post(
                &format!("/assurance/questions/{q1}"),
                &[("version", "2"), ("text", "Something else")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("questions are fixed");
        let r = bu
            .post(
                &format!("/assurance/{plan}/questions"),
                &[("text", "Late?")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("questions are fixed");
        let r = bu
            .post(&format!("/assurance/questions/{q1}/remove"), &[])
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = bu
            .post(&format!("/assurance/agencies/{}/remove", agencies[0]), &[])
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(app.count("assurance_questions").await, 4);
        assert_eq!(app.count("assurance_agencies").await, 2);
        let q: masa::assurance::store::Question =
            masa::assurance::store::question(&app.state.db, app.partnership("plymouth"), q1)
                .await
                .expect("q")
                .expect("question");
        assert_eq!(q.text, "Are strategy meetings held within a working day?");
        // A second issue is refused.
        let r = bu
            .post(&format!("/assurance/{plan}/issue"), &[("version", "2")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Every change is in the audit trail.
        for (kind, at_least) in [
            ("assurance-plan", 2),
            ("assurance-question", 7),
            ("assurance-agency", 2),
        ] {
            let n = count_of(
                &app,
                "SELECT COUNT(*) AS n FROM audit_events WHERE record_type = $1",
                masa::args![kind],
            )
            .await;
            assert!(n >= at_least, "{kind}: {n} audit entries");
        }
    }
);

both_engines!(assurance_responders_see_only_their_own_agency, |app| {
    let mut bu = app.signed_in(BU).await;
    let (plan, police, hospital, questions) = drafted(&app, &mut bu).await;

    // Before the plan is issued a practitioner has been asked nothing and sees nothing.
    let mut pat = app.signed_in(PRACTITIONER).await;
    let r = pat.get("/assurance").await;
    assert_eq!(r.status, StatusCode::OK);
    r.assert_contains("You have no questions to answer");
    assert!(!r.body.contains("/assurance/returns/"));
    assert_eq!(
        pat.get(&format!("/assurance/{plan}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        pat.get(&format!("/assurance/returns/{hospital}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let mut pat_api = pat.api_client("assurance").await;
    let r = pat_api.get("/api/v1/assurance").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body.trim(), "[]");
    assert_eq!(
        pat_api
            .get(&format!("/api/v1/assurance/{plan}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    issue(&mut bu, plan).await;

    // Morgan answers for the police: their return only.
    let mut morgan = app.signed_in(MEMBER).await;
    let r = morgan.get("/assurance").await;
    r.assert_contains(&format!("/assurance/returns/{police}"));
    assert!(!r.body.contains(&format!("/assurance/returns/{hospital}")));
    assert!(!r.body.contains(&format!("href=\"/assurance/{plan}\"")));
    let r = morgan.get(&format!("/assurance/returns/{police}")).await;
    assert_eq!(r.status, StatusCode::OK);
    r.assert_contains("Check and submit");
    for path in [
        format!("/assurance/{plan}"),
        format!("/assurance/returns/{hospital}"),
        format!("/assurance/returns/{hospital}/{}", questions[0]),
    ] {
        assert_eq!(
            morgan.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let r = answer(
        &mut morgan,
        hospital,
        questions[0],
        &[
            ("version", "0"),
            ("rag", "green"),
            ("narrative", "Not mine"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The hospital's answer, once given, stays out of Morgan's sight, in pages and the API.
    let r = answer(
        &mut pat,
        hospital,
        questions[0],
        &[
            ("version", "0"),
            ("rag", "amber"),
            ("narrative", "Hospital narrative, for the hospital only"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut morgan_api = morgan.api_client("assurance").await;
    let r = morgan_api.get("/api/v1/assurance").await;
    assert_eq!(r.status, StatusCode::OK);
    let list: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["whole"], false);
    let r = morgan_api.get(&format!("/api/v1/assurance/{plan}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let detail: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    let agencies = detail["agencies"].as_array().expect("agencies");
    assert_eq!(agencies.len(), 1);
    assert_eq!(agencies[0]["organisation_key"], POLICE);
    assert!(!r.body.contains("Hospital narrative"));
    assert_eq!(detail["questions"].as_array().map(Vec::len), Some(4));

    // The scrutineer reads the whole plan and every return, and changes nothing.
    let mut sam = app.signed_in(SCRUTINEER).await;
    let r = sam.get(&format!("/assurance/{plan}/returns")).await;
    assert_eq!(r.status, StatusCode::OK);
    r.assert_contains("Hospital narrative");
    r.assert_contains("Devon &#38; Cornwall Police");
    assert!(!r.body.contains("Raise an action"));
    let r = sam.get(&format!("/assurance/returns/{hospital}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("Submit the return"));
    assert_eq!(
        sam.get(&format!("/assurance/returns/{police}/{}", questions[0]))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let before = app.count("assurance_answers").await;
    for r in [
        sam.post(
            &format!("/assurance/{plan}/questions"),
            &[("text", "Mine?")],
        )
        .await,
        sam.post(&format!("/assurance/returns/{police}/submit"), &[])
            .await,
        answer(
            &mut sam,
            police,
            questions[0],
            &[
                ("version", "0"),
                ("rag", "green"),
                ("narrative", "Scrutineer"),
            ],
            None,
        )
        .await,
    ] {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
    assert_eq!(app.count("assurance_answers").await, before);
    let mut sam_api = sam.api_client("assurance").await;
    let r = sam_api.get(&format!("/api/v1/assurance/{plan}")).await;
    let detail: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(detail["agencies"].as_array().map(Vec::len), Some(2));
    assert_eq!(detail["status"], "issued");

    // Another partnership's business unit finds nothing.
    let mut derby = app.signed_in("admin@derby.example").await;
    assert_eq!(
        derby.get(&format!("/assurance/{plan}")).await.status,
        StatusCode::NOT_FOUND
    );
});

both_engines!(
    assurance_answers_refuse_hostile_input_and_keep_evidence,
    |app| {
        let mut bu = app.signed_in(BU).await;
        let (plan, police, _, questions) = drafted(&app, &mut bu).await;
        issue(&mut bu, plan).await;
        let mut morgan = app.signed_in(MEMBER).await;
        let q1 = questions[0];
        let pdf = masa::demo::demo_paper("Strategy meeting audit").expect("pdf");
        let long = "x".repeat(5001);
        let files = app.count("files").await;
        for (rag, narrative, file, field, message) in [
            ("purple", "Fine", None, "rag", "Select how far"),
            ("", "Fine", None, "rag", "Select how far"),
            ("green", "   ", None, "narrative", "Say what gives"),
            (
                "green",
                long.as_str(),
                None,
                "narrative",
                "5,000 characters",
            ),
            (
                "green",
                "Fine",
                Some((
                    "evidence",
                    "audit.pdf",
                    b"<html><script>alert(1)</script></html>".as_slice(),
                )),
                "evidence",
                "The selected file",
            ),
        ] {
            let r = answer(
                &mut morgan,
                police,
                q1,
                &[("version", "0"), ("rag", rag), ("narrative", narrative)],
                file,
            )
            .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{field}: {}",
                r.body
            );
            r.assert_contains(message);
            r.assert_contains(&format!("href=\"#{field}\""));
        }
        assert_eq!(app.count("assurance_answers").await, 0, "nothing stored");
        assert_eq!(app.count("attachments").await, 0);
        assert_eq!(app.count("files").await, files);

        // A good answer with evidence; then changed; a stale copy is refused, not applied.
        let r = answer(
            &mut morgan,
            police,
            q1,
            &[
                ("version", "0"),
                ("rag", "red"),
                (
                    "narrative",
                    "Strategy meetings are late in a third of cases.",
                ),
            ],
            Some(("evidence", "audit.pdf", &pdf)),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(app.count("attachments").await, 1);
        let r = answer(
            &mut morgan,
            police,
            q1,
            &[
                ("version", "1"),
                ("rag", "amber"),
                (
                    "narrative",
                    "Late in a quarter of cases since the new rota.",
                ),
            ],
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = answer(
            &mut morgan,
            police,
            q1,
            &[
                ("version", "1"),
                ("rag", "green"),
                ("narrative", "From an old tab"),
            ],
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        r.assert_contains("This was changed by Morgan Member");
        r.assert_contains("From an old tab");
        let answers = ids(
            &app,
            "SELECT id FROM assurance_answers WHERE agency_id = $1",
            police,
        )
        .await;
        let stored =
            masa::assurance::store::answer(&app.state.db, app.partnership("plymouth"), answers[0])
                .await
                .expect("q")
                .expect("answer");
        assert_eq!(
            (stored.rag.as_str(), stored.version),
            ("amber", 2),
            "the stale copy was not applied"
        );

        // The evidence: for the responder and the overseers, not for others.
        let evidence = ids(
            &app,
            "SELECT id FROM attachments WHERE record_type = 'assurance-answer' AND record_id = $1",
            answers[0],
        )
        .await[0];
        let r = morgan.get(&format!("/assurance/evidence/{evidence}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.bytes, pdf);
        let mut pat = app.signed_in(PRACTITIONER).await;
        assert_eq!(
            pat.get(&format!("/assurance/evidence/{evidence}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            bu.get(&format!("/assurance/evidence/{evidence}"))
                .await
                .status,
            StatusCode::OK
        );

        // Submitting needs every question answered; then the return is closed and dated.
        morgan.get(&format!("/assurance/returns/{police}")).await;
        let r = morgan
            .post(&format!("/assurance/returns/{police}/submit"), &[])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("Answer every question");
        for q in &questions[1..] {
            let r = answer(
                &mut morgan,
                police,
                *q,
                &[
                    ("version", "0"),
                    ("rag", "green"),
                    ("narrative", "Assured."),
                ],
                None,
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        morgan.get(&format!("/assurance/returns/{police}")).await;
        // The main button shows every answer back; nothing is submitted by looking.
        let r = morgan
            .post(&format!("/assurance/returns/{police}/submit"), &[])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.assert_contains("Check your answers before you submit");
        r.assert_contains("Assured.");
        r.assert_contains("name=\"step\" value=\"confirm\"");
        assert_eq!(
            count_where(
                &app,
                "SELECT COUNT(*) AS n FROM assurance_agencies WHERE returned_on IS NOT NULL"
            )
            .await,
            0
        );
        let r = morgan
            .post(
                &format!("/assurance/returns/{police}/submit"),
                &[("step", "confirm")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            count_where(
                &app,
                "SELECT COUNT(*) AS n FROM assurance_agencies WHERE returned_on IS NOT NULL"
            )
            .await,
            1
        );
        let r = answer(
            &mut morgan,
            police,
            q1,
            &[
                ("version", "2"),
                ("rag", "red"),
                ("narrative", "After the event"),
            ],
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("has been submitted");
        let r = bu.get(&format!("/assurance/{plan}/returns")).await;
        r.assert_contains("Returned");
        r.assert_contains("3 assured");

        // Each answer saved, the evidence and the return are in the audit trail.
        for (kind, at_least) in [
            ("assurance-answer", 5),
            ("attachment", 1),
            ("assurance-agency", 3),
        ] {
            let n = count_of(
                &app,
                "SELECT COUNT(*) AS n FROM audit_events WHERE record_type = $1",
                masa::args![kind],
            )
            .await;
            assert!(n >= at_least, "{kind}: {n} audit entries");
        }
    }
);

both_engines!(
    assurance_actions_are_raised_where_assurance_is_not_given,
    |app| {
        let mut bu = app.signed_in(BU).await;
        let (plan, police, _, questions) = drafted(&app, &mut bu).await;
        issue(&mut bu, plan).await;
        let mut morgan = app.signed_in(MEMBER).await;
        for (q, rag) in [(questions[0], "red"), (questions[1], "green")] {
            let r = answer(
                &mut morgan,
                police,
                q,
                &[("version", "0"), ("rag", rag), ("narrative", "Our answer.")],
                None,
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        let answer = |question: i64| {
            ids_of(
                &app,
                "SELECT id FROM assurance_answers WHERE agency_id = $1 AND question_id = $2",
                masa::args![police, question],
            )
        };
        let red = answer(questions[0]).await[0];
        let green = answer(questions[1]).await[0];

        // The plan's actions page offers an action on the red answer only, prefilled with the
        // agency.
        let r = bu.get(&format!("/assurance/{plan}/actions")).await;
        r.assert_contains(&format!("/assurance/answers/{red}/action"));
        assert!(
            !r.body
                .contains(&format!("/assurance/answers/{green}/action"))
        );
        r.assert_contains("Not assured");
        let r = bu.get(&format!("/assurance/answers/{red}/action")).await;
        assert_eq!(r.status, StatusCode::OK);
        r.assert_contains("value=\"Devon &#38; Cornwall Police\"");
        assert_eq!(
            bu.get(&format!("/assurance/answers/{green}/action"))
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        // Not the responder, not the scrutineer.
        assert_eq!(
            morgan
                .get(&format!("/assurance/answers/{red}/action"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let actions = app.count("actions").await;
        let mut sam = app.signed_in(SCRUTINEER).await;
        sam.get(&format!("/assurance/{plan}")).await;
        let r = sam
            .post(
                &format!("/assurance/answers/{red}/action"),
                &[("title", "x"), ("owner_name", "x"), ("due", &in_days(30))],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // Mistakes refused with nothing added.
        bu.get(&format!("/assurance/answers/{red}/action")).await;
        for (field, value, message) in [
            ("title", "", "Describe the action"),
            ("owner_name", "", "Enter who owns"),
            ("due", "next week", "Due date must be a real date"),
        ] {
            let mut f = vec![
                ("title", "Check police systems before closing a referral"),
                ("owner_name", "Morgan Member"),
                ("owner_organisation", "Devon & Cornwall Police"),
            ];
            let due = in_days(30);
            f.push(("due", due.as_str()));
            for (k, v) in f.iter_mut() {
                if *k == field {
                    *v = value;
                }
            }
            let r = bu
                .post(&format!("/assurance/answers/{red}/action"), &f)
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
            r.assert_contains(message);
        }
        assert_eq!(app.count("actions").await, actions);
        let due = in_days(30);
        let r = bu
            .post(
                &format!("/assurance/answers/{red}/action"),
                &[
                    ("title", "Check police systems before closing a referral"),
                    ("owner_name", "Morgan Member"),
                    ("owner_organisation", "Devon & Cornwall Police"),
                    ("due", due.as_str()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(app.count("actions").await, actions + 1);
        let p: PartnershipId = app.partnership("plymouth");
        let f = masa::actions::store::Filter {
            source: Some(("assurance".into(), red)),
            ..Default::default()
        };
        let raised = masa::actions::store::list(&app.state.db, p, &f)
            .await
            .expect("actions");
        assert_eq!(raised.len(), 1);
        assert_eq!(raised[0].source_kind, "assurance");
        assert_eq!(raised[0].owner_organisation, "Devon & Cornwall Police");
        // The plan shows the action and its status, linking to the tracker.
        let r = bu.get(&format!("/assurance/{plan}/actions")).await;
        r.assert_contains(&format!("href=\"/actions/{}\"", raised[0].id));
        r.assert_contains("Check police systems before closing a referral");
        r.assert_contains(">open<");
        // The tracker leads back to the answer in its plan; not for the responder.
        let r = bu.get(&format!("/actions/{}", raised[0].id)).await;
        r.assert_contains(&format!("href=\"/assurance/answers/{red}\""));
        let r = bu.get(&format!("/assurance/answers/{red}")).await;
        assert_eq!(
            r.location(),
            format!("/assurance/{plan}/returns#agency-{police}")
        );
        assert_eq!(
            morgan
                .get(&format!("/assurance/answers/{red}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let mut api = bu.api_client("assurance").await;
        let r = api.get(&format!("/api/v1/assurance/{plan}")).await;
        r.assert_contains(&format!("\"action_ids\":[{}]", raised[0].id));

        // The agency's representative who answered owns it: it is on their home page and in
        // their tracker, they open it and record progress; they may not move its due date or
        // cancel it, which are the business unit's.
        let action = format!("/actions/{}", raised[0].id);
        let home = morgan.get("/").await;
        home.assert_contains("Your action: Check police systems before closing a referral");
        home.assert_contains(&format!("href=\"{action}\""));
        let tracker = morgan.get("/actions?show=mine").await;
        tracker.assert_contains(&format!("href=\"{action}\""));
        let page = morgan.get(&action).await;
        assert_eq!(page.status, StatusCode::OK, "the owner opens it");
        page.assert_contains("name=\"note\"");
        let version = page
            .body
            .split("name=\"version\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("version")
            .to_owned();
        assert!(
            !page.body.contains("value=\"cancelled\""),
            "not theirs to cancel"
        );
        let moved = in_days(90);
        for (status, due, message) in [
            (
                "cancelled",
                due.as_str(),
                "Only the business unit can cancel",
            ),
            (
                "open",
                moved.as_str(),
                "Only the business unit can move the due date",
            ),
        ] {
            let r = morgan
                .post(
                    &action,
                    &[
                        ("version", version.as_str()),
                        ("status", status),
                        ("due", due),
                        ("note", "Asked for more time"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{status}");
            r.assert_contains(message);
            r.assert_contains("Asked for more time");
        }
        let r = morgan
            .post(
                &action,
                &[
                    ("version", version.as_str()),
                    ("status", "done"),
                    ("due", due.as_str()),
                    ("note", "Guidance issued to every call handler"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let done = masa::actions::store::get(&app.state.db, p, raised[0].id)
            .await
            .expect("q")
            .expect("action");
        assert_eq!(done.status.as_str(), "done");
        assert!(
            !morgan
                .get("/")
                .await
                .body
                .contains("Your action: Check police"),
            "done: no longer a task"
        );
        // Someone outside governance who does not own it is refused, as by the tracker;
        // another partnership does not find it.
        let mut pat = app.signed_in("practitioner@plymouth.example").await;
        assert_eq!(pat.get(&action).await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            pat.post(
                &action,
                &[("version", "1"), ("status", "open"), ("due", due.as_str())]
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let mut derby = app.signed_in("admin@derby.example").await;
        assert_eq!(derby.get(&action).await.status, StatusCode::NOT_FOUND);
    }
);

both_engines!(assurance_demo_plan_is_seeded, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    masa::demo::seed_assurance(&app.state)
        .await
        .expect("assurance");
    assert_eq!(app.count("assurance_plans").await, 1);
    assert_eq!(app.count("assurance_answers").await, 4);
    assert_eq!(
        count_where(
            &app,
            "SELECT COUNT(*) AS n FROM actions WHERE source_kind = 'assurance'"
        )
        .await,
        1
    );
    let mut pat = app.signed_in(PRACTITIONER).await;
    let r = pat.get("/assurance").await;
    r.assert_contains("University Hospitals Plymouth");
    let mut bu = app.signed_in(BU).await;
    let r = bu.get("/assurance").await;
    r.assert_contains("Assurance on the 2022 national review");
});

both_engines!(
    assurance_owning_body_members_see_the_issued_plan_and_what_is_overdue,
    |app| {
        use masa::assurance::{model, store};
        masa::demo::seed_arrangements(&app.state)
            .await
            .expect("arrangements");
        let p = app.partnership("plymouth");
        let actor = masa::store::Actor::system("test");
        let today = chrono::Utc::now().date_naive();
        // Morgan Member sits on the partnership board, which owns this plan; the practitioner's
        // return was due three weeks ago.
        let seat = masa::arrangements::store::items(&app.state.db, p)
            .await
            .expect("items")
            .into_iter()
            .find(|i| {
                i.kind == "membership"
                    && i.parent_key == "pscp-board"
                    && i.to.is_none_or(|t| t >= today)
                    && i.from.is_none_or(|f| f <= today)
            })
            .expect("a board seat");
        let morgan = user_id(&app, MEMBER).await;
        masa::access::set_seats(&app.state.db, &actor, p, morgan, &[seat.key])
            .await
            .expect("seat");
        let id = store::add_plan(
            &app.state.db,
            &actor,
            p,
            &store::NewPlan {
                title: "Board plan".into(),
                review_title: model::REVIEW_2022_TITLE.into(),
                review_year: 2022,
                review_link: String::new(),
                body_key: "pscp-board".into(),
                answers_due: today - chrono::Duration::days(21),
                questions: vec!["Are strategy meetings held?".into()],
            },
        )
        .await
        .expect("plan");
        let plan = store::plan(&app.state.db, p, id)
            .await
            .expect("q")
            .expect("plan");
        let pat = user_id(&app, PRACTITIONER).await;
        store::add_agency(
            &app.state.db,
            &actor,
            p,
            &plan,
            (HOSPITAL, "University Hospitals Plymouth NHS Trust"),
            (pat, "Pat Practitioner"),
        )
        .await
        .expect("agency");
        let mut member = app.signed_in(MEMBER).await;
        // A draft is for the business unit; the board sees the plan once it is issued.
        assert_eq!(
            member.get(&format!("/assurance/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
        store::issue(
            &app.state.db,
            &actor,
            p,
            &plan,
            today - chrono::Duration::days(40),
        )
        .await
        .expect("q")
        .expect("issued");
        let r = member.get(&format!("/assurance/{id}")).await;
        assert_eq!(r.status, StatusCode::OK);
        r.assert_contains("Overdue by");
        assert!(!r.body.contains("Issue to the agencies"));
        let r = member.get("/assurance").await;
        r.assert_contains(&format!("href=\"/assurance/{id}\""));
        r.assert_contains("govuk-tag--red\">1<");
        // Seeing the plan is not answering for an agency, nor changing it.
        let agency = ids(
            &app,
            "SELECT id FROM assurance_agencies WHERE plan_id = $1",
            id,
        )
        .await[0];
        assert_eq!(
            member
                .get(&format!(
                    "/assurance/returns/{agency}/{}",
                    ids(
                        &app,
                        "SELECT id FROM assurance_questions WHERE plan_id = $1",
                        id
                    )
                    .await[0]
                ))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let mut api = member.api_client("board").await;
        let r = api.get(&format!("/api/v1/assurance/{id}")).await;
        let detail: serde_json::Value = serde_json::from_str(&r.body).expect("json");
        assert!(detail["agencies"][0]["overdue_working_days"].as_i64() >= Some(14));
    }
);
