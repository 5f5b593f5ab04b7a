//! The second schema of the arrangements file (`masa-arrangements/2`): partners beyond the
//! statutory three, people in attendance, rotating chairs, names over time, editions of the
//! guidance, collaborations across partnerships on one host, revised figures, comments that
//! survive, and the upgrade of `/1` files.

use axum::http::StatusCode;
use masa::arrangements::{model, store};
use masa::store::{Actor, PartnershipId};

use crate::both_engines;
use crate::support::{Client, TestApp, today};

const SEAVIEW: &str = include_str!("../fixtures/seaview.toml");
const HARBOURSIDE: &str = include_str!("../fixtures/harbourside.toml");
const TORBAY_1: &str = include_str!("../fixtures/torbay.toml");

async fn import(app: &TestApp, text: &str) -> PartnershipId {
    let r = model::read(text.as_bytes()).unwrap_or_else(|p| panic!("problems: {p:?}"));
    store::import_file(&app.state.db, &Actor::system("test"), &r)
        .await
        .expect("import")
        .0
}

/// The public page as it stood on a day.
async fn public_on(slug: &str, day: &str, c: &mut Client) -> String {
    let (y, m, d) = (&day[0..4], &day[5..7], &day[8..10]);
    let r = c
        .get(&format!(
            "/p/{slug}/arrangements?date-day={d}&date-month={m}&date-year={y}"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

/// The page says this (a failure shows the page).
fn has(page: &str, text: &str) {
    assert!(page.contains(text), "{text:?} not in:\n{page}");
}

/// The text between two markers of a page.
fn between<'a>(page: &'a str, from: &str, to: &str) -> &'a str {
    let start = page
        .find(from)
        .unwrap_or_else(|| panic!("{from:?} not on the page"));
    let rest = &page[start..];
    &rest[..rest.find(to).unwrap_or(rest.len())]
}

/// Jo from the business unit, made a partnership administrator of Seaview and working in it.
async fn seaview_business_unit(app: &TestApp, p: PartnershipId) -> Client {
    let user =
        masa::accounts::store::user_by_email(&app.state.db, "business.unit@plymouth.example")
            .await
            .expect("q")
            .expect("user")
            .0;
    let actor = Actor::system("test");
    let mut tx = masa::store::Tx::begin(&app.state.db, &actor)
        .await
        .expect("tx");
    masa::accounts::store::add_membership(
        &mut tx,
        p,
        user.id,
        masa::web::identity::Role::PartnershipAdmin,
        "Seaview business unit",
    )
    .await
    .expect("membership");
    tx.commit().await.expect("commit");
    let mut c = app.signed_in("business.unit@plymouth.example").await;
    c.get("/").await;
    let r = c
        .post(
            "/switch-partnership",
            &[("partnership_id", &p.0.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    c
}

both_engines!(partners_beyond_the_statutory_three_are_shown_apart, |app| {
    import(&app, SEAVIEW).await;
    let mut public = app.client();
    let now = public_on("seaview", &today().to_string(), &mut public).await;
    let statutory = between(&now, "Statutory safeguarding partners", "</table>");
    assert!(
        statutory.contains("Seaview Council")
            && statutory.contains("NHS Seaview Integrated Care Board")
    );
    assert!(!statutory.contains("Seaview Learning Trust"), "{statutory}");
    let additional = between(&now, "id=\"additional-partners\"", "</table>");
    assert!(
        additional.contains("Seaview Learning Trust"),
        "{additional}"
    );
    assert!(
        additional.contains("Sam Example, Chief Executive"),
        "{additional}"
    );
    assert!(additional.contains("representative"), "{additional}");
    // Designated education and childcare agencies take part, and are not partners.
    let agencies = between(&now, "id=\"education-agencies\"", "</details>");
    assert!(
        agencies.contains("2 education and childcare agencies take part"),
        "{agencies}"
    );
    assert!(agencies.contains("Seaview Early Years Alliance"));
    assert!(agencies.contains("They are not partners"));
    // Before the trust joined, there were only the three.
    let before = public_on("seaview", "2024-06-01", &mut public).await;
    assert!(!before.contains("id=\"additional-partners\""));
});

both_engines!(the_quorum_rule_says_which_partners_it_means, |app| {
    // Unit tests cover the rule itself; here the file's rule reaches the body and the API.
    let p = import(&app, SEAVIEW).await;
    let a = store::load_as_at(&app.state.db, p, today())
        .await
        .expect("load")
        .expect("arrangements");
    let exec = a
        .bodies
        .iter()
        .find(|b| b.key == "executive")
        .expect("body");
    assert_eq!(exec.quorum, Some(model::Quorum::AllPartners));
    let mut bu = seaview_business_unit(&app, p).await;
    let mut api = bu.api_client("structure").await;
    let r = api.get("/api/v1/arrangements").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(
        v["statutory_partners"].as_array().map(Vec::len),
        Some(3),
        "{v}"
    );
    assert_eq!(
        v["additional_partners"][0]["organisation"],
        "Seaview Learning Trust"
    );
    assert_eq!(
        v["additional_partners"][0]["role"],
        "education-and-childcare"
    );
    assert_eq!(v["guidance"], "working-together-2023");
});

both_engines!(people_in_attendance_are_not_members, |app| {
    let p = import(&app, SEAVIEW).await;
    let mut public = app.client();
    let now = public_on("seaview", &today().to_string(), &mut public).await;
    let exec = between(&now, "Executive Board (", "</details>");
    assert!(exec.contains("(4 members)"), "{exec}");
    let members = between(exec, "<ul", "</ul>");
    assert!(!members.contains("Business Manager"), "{members}");
    let apart = between(exec, "In attendance (not members)", "</ul>");
    assert!(
        apart.contains("Partnership Business Manager") && apart.contains("Minute-taker"),
        "{apart}"
    );
    // A person's name is not published for them.
    assert!(!now.contains("Alex Example"));
    // On the signed-in structure and in the API, apart too.
    let mut bu = seaview_business_unit(&app, p).await;
    let page = bu.get("/arrangements").await;
    page.assert_contains("In attendance (not members: do not vote, not counted for the quorum)");
    let mut api = bu.api_client("members").await;
    let v: serde_json::Value =
        serde_json::from_str(&api.get("/api/v1/arrangements").await.body).expect("json");
    let exec = v["bodies"]
        .as_array()
        .and_then(|b| b.iter().find(|b| b["key"] == "executive"))
        .expect("executive")
        .clone();
    assert_eq!(exec["members"].as_array().map(Vec::len), Some(4), "{exec}");
    assert_eq!(
        exec["in_attendance"].as_array().map(Vec::len),
        Some(2),
        "{exec}"
    );
    assert_eq!(exec["in_attendance"][0]["voting"], false);
    // Someone in attendance cannot be given a vote.
    let bad = SEAVIEW.replace(
        "role = \"in-attendance\"\n\n[[memberships]]",
        "role = \"in-attendance\"\nvoting = true\n\n[[memberships]]",
    );
    let problems = model::parse(bad.as_bytes()).expect_err("refused");
    assert!(
        problems.iter().any(|p| p.message.contains("cannot vote")),
        "{problems:?}"
    );
});

both_engines!(a_rotating_chair_is_derived_from_its_rule, |app| {
    let p = import(&app, SEAVIEW).await;
    let mut public = app.client();
    let y1 = public_on("seaview", "2025-06-01", &mut public).await;
    has(
        &y1,
        "Seaview Council (rotates to NHS Seaview Integrated Care Board on 1 December 2025)",
    );
    let y2 = public_on("seaview", "2026-06-01", &mut public).await;
    has(
        &y2,
        "NHS Seaview Integrated Care Board (rotates to Seaview Constabulary on 1 December 2026)",
    );
    // Four partners in turn: the trust after the police, then the council again.
    let y4 = public_on("seaview", "2028-01-10", &mut public).await;
    has(
        &y4,
        "Seaview Learning Trust (rotates to Seaview Council on 1 December 2028)",
    );
    // The API gives the turn as data.
    let mut bu = seaview_business_unit(&app, p).await;
    let mut api = bu.api_client("chair").await;
    let v: serde_json::Value =
        serde_json::from_str(&api.get("/api/v1/arrangements?date=2025-06-01").await.body)
            .expect("json");
    let exec = v["bodies"]
        .as_array()
        .and_then(|b| b.iter().find(|b| b["key"] == "executive"))
        .expect("executive")
        .clone();
    assert_eq!(exec["rotation"]["holder"], "Seaview Council");
    assert_eq!(exec["rotation"]["from"], "2024-12-01");
    assert_eq!(exec["rotation"]["handover"], "2025-12-01");
    assert_eq!(
        exec["rotation"]["next"],
        "NHS Seaview Integrated Care Board"
    );
});

both_engines!(the_business_unit_is_warned_before_a_handover, |app| {
    // A rotation that began eleven months ago hands over in about a month.
    let began = today()
        .checked_sub_months(chrono::Months::new(11))
        .expect("date");
    let text = SEAVIEW.replace(
        "rotation_from = 2024-12-01",
        &format!("rotation_from = {began}"),
    );
    let p = import(&app, &text).await;
    let mut bu = seaview_business_unit(&app, p).await;
    let home = bu.get("/").await;
    home.assert_contains(
        "Arrange the handover of the Executive Board chair from Seaview Council to NHS Seaview Integrated Care Board",
    );
    home.assert_contains("href=\"/arrangements#body-executive\"");
    bu.get("/arrangements")
        .await
        .assert_contains("id=\"body-executive\"");
    // A member of the public, or someone without the business unit's work, is not asked.
    let mut member = app.signed_in("member@plymouth.example").await;
    assert!(!member.get("/").await.body.contains("Arrange the handover"));
    // With the handover far off, no task.
    let far = SEAVIEW.replace(
        "rotation_from = 2024-12-01",
        &format!("rotation_from = {}", today() - chrono::Days::new(30)),
    );
    import(&app, &far).await;
    assert!(!bu.get("/").await.body.contains("Arrange the handover"));
});

both_engines!(names_change_with_history_and_successors, |app| {
    let p = import(&app, SEAVIEW).await;
    let mut public = app.client();
    let old = public_on("seaview", "2020-01-15", &mut public).await;
    assert!(old.contains("Seaview Police") && !old.contains("Seaview Constabulary"));
    let renamed = public_on("seaview", "2024-06-01", &mut public).await;
    assert!(
        renamed.contains("<strong>the Executive</strong>"),
        "named as it was then"
    );
    let now = public_on("seaview", &today().to_string(), &mut public).await;
    assert!(
        now.contains("<strong>Executive Board</strong>") && now.contains("Seaview Constabulary")
    );
    // The same memberships under both names: the body's key holds its history.
    assert!(between(&renamed, "the Executive (", "</details>").contains("members)"));
    // What changed between two days: the rename, the body replaced by two, the merger.
    let mut bu = seaview_business_unit(&app, p).await;
    let mut api = bu.api_client("changes").await;
    let changes = api
        .get("/api/v1/arrangements/changes?from=2022-06-01&to=2024-12-02")
        .await
        .body;
    assert!(
        changes.contains("replaced by Learning and Improvement Group and Scrutiny Group"),
        "{changes}"
    );
    assert!(changes.contains("\"was the Executive\""), "{changes}");
    let merged = api
        .get("/api/v1/arrangements/changes?from=2022-06-30&to=2022-07-01")
        .await
        .body;
    assert_eq!(
        merged
            .matches("succeeded by NHS Seaview Integrated Care Board")
            .count(),
        2,
        "two CCGs merge into one: {merged}"
    );
    let split = api
        .get("/api/v1/arrangements/changes?from=2023-03-31&to=2023-04-01")
        .await
        .body;
    assert!(
        split.contains("succeeded by Seaview Youth Justice Service and Seaview Early Help"),
        "{split}"
    );
    // A successor must exist, and an organisation with one must have ended.
    let bad = SEAVIEW.replace(
        "successors = [\"learning\", \"scrutiny\"]",
        "successors = [\"nowhere\"]",
    );
    let problems = model::parse(bad.as_bytes()).expect_err("refused");
    assert!(
        problems.iter().any(|p| p.message.contains("nowhere")),
        "{problems:?}"
    );
    let bad = SEAVIEW.replace(
        "to = 2023-03-31\nsuccessors = [\"youth",
        "successors = [\"youth",
    );
    let problems = model::parse(bad.as_bytes()).expect_err("refused");
    assert!(
        problems
            .iter()
            .any(|p| p.message.contains("needs the date it ended")),
        "{problems:?}"
    );
});

both_engines!(the_edition_of_the_guidance_is_dated, |app| {
    import(&app, SEAVIEW).await;
    let mut public = app.client();
    let y2023 = public_on("seaview", "2023-06-01", &mut public).await;
    has(&y2023, "Published 28 June 2019.");
    has(&y2023, "Working Together to Safeguard Children 2018");
    assert!(!y2023.contains("Working Together to Safeguard Children 2023"));
    let y2025 = public_on("seaview", "2025-06-01", &mut public).await;
    has(&y2025, "Published 20 November 2024.");
    has(&y2025, "Working Together to Safeguard Children 2023");
    // Between publication and the day it applied from, the earlier edition stands.
    let between_days = public_on("seaview", "2024-11-25", &mut public).await;
    has(&between_days, "Working Together to Safeguard Children 2018");
    // Editions out of order are refused.
    let bad = SEAVIEW.replace(
        "published = 2024-11-20, from = 2024-12-01",
        "published = 2018-01-01",
    );
    let problems = model::parse(bad.as_bytes()).expect_err("refused");
    assert!(
        problems.iter().any(|p| p.message.contains("oldest first")),
        "{problems:?}"
    );
});

both_engines!(a_collaboration_shares_a_body_across_partnerships, |app| {
    let seaview = import(&app, SEAVIEW).await;
    import(&app, HARBOURSIDE).await;
    let mut public = app.client();
    // The host shows the panel as its own, shared; the other shows it held by the host.
    let host = public_on("seaview", &today().to_string(), &mut public).await;
    let collab = between(&host, "id=\"collaborations\"", "</p>");
    assert!(collab.contains("<a class=\"govuk-link\" href=\"/p/harbourside/arrangements\">Harbourside Safeguarding Children Partnership</a>"), "{collab}");
    assert!(
        collab.contains("Isles Safeguarding Partnership")
            && collab.contains("Shared: Coast Child Death Overview Panel"),
        "{collab}"
    );
    has(
        &host,
        "Shared with Harbourside Safeguarding Children Partnership, Isles Safeguarding Partnership (Coast Child Death Overview Panel)",
    );
    let guest = public_on("harbourside", &today().to_string(), &mut public).await;
    has(
        &guest,
        "Held by Seaview Safeguarding Children Partnership for Coast Child Death Overview Panel",
    );
    // A partner named by a slug this host does not have is named, not linked.
    let elsewhere = SEAVIEW.replace("slug = \"harbourside\"", "slug = \"not-on-this-host\"");
    import(&app, &elsewhere).await;
    let page = public_on("seaview", &today().to_string(), &mut public).await;
    assert!(
        !page.contains("/p/not-on-this-host"),
        "no link to a missing page"
    );
    assert!(page.contains("With Harbourside Safeguarding Children Partnership and"));
    import(&app, SEAVIEW).await;
    // With its chair and members from the host's file; drawn dashed in the guest's chart.
    assert!(
        between(
            &guest,
            "<strong>Coast Child Death Overview Panel</strong>",
            "</li>"
        )
        .contains("Independent chair")
    );
    assert!(guest.contains("Coast Child Death Overview Panel (1 member)"));
    assert!(guest.contains("stroke-dasharray"));
    assert!(!host.contains("stroke-dasharray"));
    // Only when both files agree: a guest naming a host that does not name it back sees nothing.
    let one_sided = SEAVIEW.replace(", slug = \"harbourside\"", "");
    import(&app, &one_sided).await;
    let guest = public_on("harbourside", &today().to_string(), &mut public).await;
    assert!(
        !guest.contains("Held by Seaview"),
        "a one-sided claim shows nothing"
    );
    import(&app, SEAVIEW).await;
    // In the API, for the host's staff.
    let mut bu = seaview_business_unit(&app, seaview).await;
    let mut api = bu.api_client("collab").await;
    let v: serde_json::Value =
        serde_json::from_str(&api.get("/api/v1/arrangements").await.body).expect("json");
    assert_eq!(
        v["collaborations"][0]["partners"][0]["slug"], "harbourside",
        "{v}"
    );
    let panel = v["bodies"]
        .as_array()
        .and_then(|b| b.iter().find(|b| b["key"] == "coast-cdop"))
        .expect("panel")
        .clone();
    assert_eq!(panel["collaboration"], "coast-cdop");
    assert_eq!(panel["held_elsewhere"], false);
    // A host that is not one of the partners, or shared bodies beside a host, are refused.
    let bad = HARBOURSIDE.replace("host = \"seaview\"", "host = \"elsewhere\"");
    let problems = model::parse(bad.as_bytes()).expect_err("refused");
    assert!(
        problems
            .iter()
            .any(|p| p.message.contains("must be one of its partners")),
        "{problems:?}"
    );
    let bad = HARBOURSIDE.replace(
        "host = \"seaview\"",
        "host = \"seaview\"\nshared_bodies = [\"board\"]",
    );
    let problems = model::parse(bad.as_bytes()).expect_err("refused");
    assert!(
        problems.iter().any(|p| p
            .message
            .contains("the host's file lists the shared bodies")),
        "{problems:?}"
    );
});

both_engines!(
    figures_are_for_reading_and_revisions_keep_the_earlier,
    |app| {
        import(&app, SEAVIEW).await;
        let mut public = app.client();
        let now = public_on("seaview", &today().to_string(), &mut public).await;
        let area = between(&now, "id=\"area\"", "</ul>");
        assert!(area.contains("175,950 children aged 0 to 17 (2023, ONS mid-2023 estimate, 2025 edition, revised 26 June 2025)"), "{area}");
        assert!(
            area.contains(
                "Earlier figure: 174,200 children aged 0 to 17 (2023, ONS mid-2023 estimate)"
            ),
            "{area}"
        );
        let before = public_on("seaview", "2025-01-01", &mut public).await;
        let area = between(&before, "id=\"area\"", "</ul>");
        assert!(
            area.contains("174,200") && !area.contains("175,950"),
            "{area}"
        );
        // Two figures for a year without a revision date are refused.
        let bad = SEAVIEW.replace(", revised = 2025-06-26", "");
        let problems = model::parse(bad.as_bytes()).expect_err("refused");
        assert!(
            problems.iter().any(|p| p.message.contains("revised")),
            "{problems:?}"
        );
    }
);

both_engines!(comments_and_forms_survive_import_export_and_edits, |app| {
    let p = import(&app, SEAVIEW).await;
    let first = store::export(&app.state.db, p).await.expect("export");
    assert_eq!(first, SEAVIEW, "the file comes back as written");
    import(&app, &first).await;
    assert_eq!(
        store::export(&app.state.db, p).await.expect("export"),
        first
    );
    // An edit on a page changes only what it changes: comments and inline entries stay.
    let mut bu = seaview_business_unit(&app, p).await;
    let (item, version) = store::entry(&app.state.db, p, "organisation", "early-years")
        .await
        .expect("q")
        .expect("entry");
    let edited = item.data.replace(
        "Seaview Early Years Alliance",
        "Seaview Early Years Network",
    );
    let s = store::edit_entry(
        &app.state.db,
        &Actor::system("test"),
        p,
        "organisation",
        "early-years",
        version,
        &edited,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(s.updated, 1);
    let after = store::export(&app.state.db, p).await.expect("export");
    assert_eq!(
        after,
        SEAVIEW.replace(
            "Seaview Early Years Alliance",
            "Seaview Early Years Network"
        )
    );
    // An entry added on a page joins its neighbours in their form.
    let r = bu
        .post(
            "/admin/arrangements/posts",
            &[
                ("title", "Designated Nurse"),
                ("organisation", "seaview-icb"),
                ("holder", ""),
                ("from", ""),
                ("to", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = store::export(&app.state.db, p).await.expect("export");
    assert!(after.contains("# Provenance: written by hand"), "{after}");
    assert!(
        after.contains("holder = \"Sam Example\" }, # assumed"),
        "{after}"
    );
    assert!(after.contains("\n  { key = \"designated-nurse\", title = \"Designated Nurse\", organisation = \"seaview-icb\" },\n]"), "{after}");
    assert!(!after.contains("[[posts]]"), "{after}");
    // And it is all in the audit trail.
    let kept = app
        .state
        .db
        .fetch_all(
            "SELECT summary FROM audit_events WHERE record_type = 'arrangements' AND record_id = 'file'",
            vec![],
        )
        .await
        .expect("q");
    assert!(kept.len() >= 3, "each change of the kept file is audited");
});

both_engines!(a_file_of_the_first_schema_is_upgraded, |app| {
    // The upgraded text keeps the comments, and every line where it was.
    let up = masa::arrangements::upgrade::upgrade(TORBAY_1).expect("a /1 file");
    assert!(up.text.starts_with("# A small partnership for the tests"));
    assert!(up.text.contains("schema = \"masa-arrangements/2\""));
    assert!(
        up.text.contains(
            "editions = [\n  { guidance = \"working-together-2018\", published = 2019-06-29 }]"
        ),
        "{}",
        up.text
    );
    assert!(up.text.contains("successors = [\"devon-icb\"]"));
    assert_eq!(up.text.lines().count(), TORBAY_1.lines().count());
    assert_eq!(up.changes.len(), 3, "{:?}", up.changes);
    // Imported as it stands, it is upgraded and kept in /2.
    let p = import(&app, TORBAY_1).await;
    let text = store::export(&app.state.db, p).await.expect("export");
    assert_eq!(text, up.text);
    model::parse(text.as_bytes()).expect("a /2 file");
    // Uploading one says so.
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    bu.get("/admin/arrangements").await;
    let old = include_str!("../../examples/arrangements/plymouth.toml")
        .replace(
            "schema = \"masa-arrangements/2\"",
            "schema = \"masa-arrangements/1\"",
        )
        .replace(
            "editions = [\n  { guidance = \"working-together-2018\", published = 2020-09-15 }]",
            "published = 2020-09-15\nguidance = \"working-together-2018\"",
        )
        .replace(
            "successors = [\"nhs-devon-icb\"]",
            "successor = \"nhs-devon-icb\"",
        );
    let r = bu
        .upload(
            "/admin/arrangements",
            "file",
            "plymouth.toml",
            old.as_bytes(),
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    bu.get("/admin/arrangements")
        .await
        .assert_contains("it was upgraded to masa-arrangements/2 as it was imported");
});

both_engines!(meetings_count_partners_and_not_those_in_attendance, |app| {
    use masa::meetings::store as ms;
    // Portsmouth, had its schools been a partner from 2020 with "all partners present" as the
    // board's quorum, and a minute-taker at the board.
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("examples import");
    let text = include_str!("../../examples/arrangements/portsmouth.toml").replacen(
        "quorum = { rule = \"all-statutory-partners\" }",
        "quorum = { rule = \"all-partners\" }",
        1,
    ) + "\n[[additional_partners]]\norganisation = \"portsmouth-schools\"\nsector = \"education-and-childcare\"\ndescription = \"Schools\"\nfrom = 2020-01-01\n\n[[memberships]]\nbody = \"pscp-board\"\norganisation = \"pscp\"\nrepresentative = \"Minute-taker\"\nrole = \"in-attendance\"\nfrom = 2019-06-29\n";
    let p = import(&app, &text).await;
    let mut c = app.signed_in("business.unit@plymouth.example").await;
    c.get("/").await;
    c.post(
        "/switch-partnership",
        &[("partnership_id", &p.0.to_string())],
    )
    .await;
    let sept = crate::support::plan_portsmouth_board(&app, &mut c, p).await[0].id;
    let meeting = ms::get(&app.state.db, p, sept)
        .await
        .expect("q")
        .expect("meeting");
    let rows = masa::meetings::roll(&app.state, p, &meeting)
        .await
        .expect("roll");
    let taker = rows
        .iter()
        .find(|r| r.name == "Minute-taker")
        .expect("the minute-taker is expected");
    assert!(taker.in_attendance && !taker.voting);
    assert!(
        rows.iter().any(|r| r.partner_role == "additional"),
        "the schools are a partner"
    );
    // Everyone but the schools and the minute-taker comes: not quorate, for want of the schools.
    let form = |absent: &dyn Fn(&ms::Attendance) -> bool, rows: &[ms::Attendance]| {
        let mut f: Vec<(&'static str, String)> = Vec::new();
        for r in rows {
            f.push(("key", r.membership_key.clone()));
            f.push(("version", r.version.to_string()));
            f.push((
                "status",
                if absent(r) { "apologies" } else { "present" }.to_owned(),
            ));
            f.push(("deputy", String::new()));
        }
        f
    };
    let f = form(
        &|r| r.partner_role == "additional" || r.in_attendance,
        &rows,
    );
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = c
        .post(&format!("/meetings/{sept}/attendance"), &pairs)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(&format!("/meetings/{sept}/attendance")).await;
    page.assert_contains(
        "Not quorate: no one is here for All mainstream, special, independent and free schools",
    );
    page.assert_contains("<h2 class=\"govuk-heading-m\">In attendance</h2>");
    // The schools come and the minute-taker does not: quorate, the minute-taker not counted.
    let rows = ms::attendance(&app.state.db, p, sept).await.expect("rows");
    let f = form(&|r| r.in_attendance, &rows);
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = c
        .post(&format!("/meetings/{sept}/attendance"), &pairs)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    c.get(&format!("/meetings/{sept}/attendance"))
        .await
        .assert_contains("partners are here: the three statutory partners and All mainstream");
    // Attendance figures leave the minute-taker out.
    let stats = c
        .get("/meetings/bodies/pscp-board/attendance?year=2022")
        .await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.body);
    assert!(
        !stats.body.contains("Minute-taker"),
        "in attendance is not counted"
    );
    // And the JSON API says who was in attendance.
    let mut api = c.api_client("meeting").await;
    let v: serde_json::Value =
        serde_json::from_str(&api.get(&format!("/api/v1/meetings/{sept}")).await.body)
            .expect("json");
    let taker = v["attendance"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == "Minute-taker"))
        .expect("the minute-taker")
        .clone();
    assert_eq!(taker["in_attendance"], true);
    assert_eq!(v["quorate"], true, "{v}");
});

both_engines!(
    the_business_unit_keeps_the_other_partners_on_a_form,
    |app| {
        let p = import(&app, SEAVIEW).await;
        let mut bu = seaview_business_unit(&app, p).await;
        let list = bu.get("/admin/arrangements/additional-partners").await;
        assert_eq!(list.status, StatusCode::OK);
        list.assert_contains("Seaview Learning Trust");
        list.assert_contains(
            "href=\"/admin/arrangements/additional-partner?key=learning-trust%2F2024-12-01\"",
        );
        bu.get("/admin/arrangements/additional-partner?key=learning-trust%2F2024-12-01")
            .await
            .assert_contains("value=\"Schools&#39; representative\"");
        // Bad input: each field named, what was typed kept, nothing stored.
        let before = store::export(&app.state.db, p).await.expect("export");
        let audited = app.count("audit_events").await;
        bu.get("/admin/arrangements/additional-partner").await;
        let r = bu
            .post(
                "/admin/arrangements/additional-partner",
                &[
                    ("key", ""),
                    ("version", "0"),
                    ("organisation", "nowhere"),
                    ("sector", "knitting"),
                    ("description", "Youth justice"),
                    ("from", "2025-02-31"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        r.assert_contains("Select the organisation");
        r.assert_contains("Select the sector it speaks for");
        r.assert_contains("value=\"Youth justice\"");
        assert_eq!(
            store::export(&app.state.db, p).await.expect("export"),
            before
        );
        assert_eq!(app.count("audit_events").await, audited);
        // A statutory partner is refused by the file's rules, with a clear message.
        let r = bu
            .post(
                "/admin/arrangements/additional-partner",
                &[
                    ("key", ""),
                    ("version", "0"),
                    ("organisation", "police"),
                    ("sector", "police-and-immigration"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        r.assert_contains("list it under statutory_partners only");
        // Added: in the file with its neighbours, comments kept, and on the public page.
        let r = bu
            .post(
                "/admin/arrangements/additional-partner",
                &[
                    ("key", ""),
                    ("version", "0"),
                    ("organisation", "youth-justice"),
                    ("sector", "criminal-justice"),
                    ("description", "Youth justice"),
                    ("from", "2025-04-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let after = store::export(&app.state.db, p).await.expect("export");
        assert!(after.contains("# Provenance: written by hand"));
        assert!(
        after.contains("[[additional_partners]]\norganisation = \"youth-justice\"\nsector = \"criminal-justice\"\ndescription = \"Youth justice\"\nfrom = 2025-04-01\n"),
        "{after}"
    );
        let mut public = app.client();
        let now = public_on("seaview", &today().to_string(), &mut public).await;
        assert!(
            between(&now, "id=\"additional-partners\"", "</table>")
                .contains("Seaview Youth Justice Service")
        );
        // Another partnership's partner is not found from Derby and Derbyshire.
        let mut derby = app.signed_in("admin@derby.example").await;
        let r = derby
            .get("/admin/arrangements/additional-partner?key=learning-trust%2F2024-12-01")
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = derby
            .post(
                "/admin/arrangements/additional-partner",
                &[
                    ("key", "learning-trust/2024-12-01"),
                    ("version", "1"),
                    ("organisation", "learning-trust"),
                    ("sector", "education-and-childcare"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
);
