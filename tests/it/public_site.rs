//! A partnership's public pages as its website: one navigation between them with a way to sign
//! in, its name once in each title, contact details as links, papers and reports with their
//! size and pages, and a page not found that says what to do.

use axum::http::StatusCode;

use crate::both_engines;
use crate::support::{TestApp, today};

const PLYMOUTH: &str = "Plymouth Safeguarding Children Partnership";

/// Each public page under /p/SLUG and its name in the navigation.
const PAGES: [(&str, &str); 8] = [
    ("", "Home"),
    ("/worried", "Worried about a child"),
    ("/thresholds", "Thresholds"),
    ("/arrangements", "Arrangements"),
    ("/agencies", "Agencies"),
    ("/meetings", "Meetings"),
    ("/reviews", "Reviews"),
    ("/procedures", "Procedures"),
];

fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let from = s
        .find(start)
        .map(|i| i + start.len())
        .unwrap_or_else(|| panic!("no {start} in:\n{s}"));
    let len = s[from..].find(end).expect("the end");
    &s[from..from + len]
}

/// The page's service navigation.
fn nav(body: &str) -> &str {
    between(body, "<nav aria-label=\"Menu\"", "</nav>")
}

/// The navigation of `slug`'s public pages, with `current` marked as the page.
fn assert_public_nav(body: &str, slug: &str, current: Option<&str>, signed_in: bool) {
    let nav = nav(body);
    for (under, text) in PAGES {
        assert!(
            nav.contains(&format!("href=\"/p/{slug}{under}\"")) && nav.contains(text),
            "{text} missing from {nav}"
        );
    }
    match current {
        Some(under) => {
            let text = PAGES
                .iter()
                .find(|(u, _)| *u == under)
                .map(|(_, t)| *t)
                .expect("a public page");
            assert!(nav.contains(&format!("href=\"/p/{slug}{under}\" aria-current=\"page\"><strong class=\"govuk-service-navigation__active-fallback\">{text}</strong>")), "{nav}");
            assert_eq!(nav.matches("aria-current").count(), 1, "{nav}");
        }
        None => assert!(!nav.contains("aria-current"), "{nav}"),
    }
    if signed_in {
        assert!(nav.contains("href=\"/\">Your home page</a>"), "{nav}");
        assert!(!nav.contains("Sign in"), "{nav}");
    } else {
        assert!(nav.contains("href=\"/sign-in\">Sign in</a>"), "{nav}");
    }
    // The name in the header goes to the partnership's public home, not masa's.
    assert!(
        body.contains(&format!(
            "<a href=\"/p/{slug}\" class=\"govuk-service-navigation__link\">"
        )),
        "header link"
    );
}

/// A meeting of Plymouth's board published by its business unit: its id.
async fn published_meeting(app: &TestApp) -> i64 {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    masa::demo::seed_meetings(&app.state)
        .await
        .expect("meetings");
    let p = app.partnership("plymouth");
    let m = masa::meetings::store::between(
        &app.state.db,
        p,
        today(),
        today() + chrono::Duration::days(400),
        Some("pscp-board"),
    )
    .await
    .expect("meetings")[0]
        .clone();
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    bu.get(&format!("/meetings/{}", m.id)).await;
    let r = bu
        .post(
            &format!("/meetings/{}/publish", m.id),
            &[("version", &m.version.to_string()), ("published", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    m.id
}

both_engines!(
    public_site_pages_share_one_navigation_and_name_once,
    |app| {
        masa::demo::seed_arrangements(&app.state)
            .await
            .expect("arrangements");
        masa::demo::seed_thresholds(&app.state)
            .await
            .expect("thresholds");
        let meeting = published_meeting(&app).await;
        let mut public = app.client();
        for (under, _) in PAGES {
            let path = format!("/p/plymouth{under}");
            let r = public.get(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert_public_nav(&r.body, "plymouth", Some(under), false);
            let title = between(&r.body, "<title>", "</title>");
            assert_eq!(title.matches(PLYMOUTH).count(), 1, "{path}: {title}");
        }
        // A meeting is under Meetings; its title says the partnership once (here in the board's
        // name, "Plymouth Safeguarding Children Partnership (PSCP Board)").
        let r = public.get(&format!("/p/plymouth/meetings/{meeting}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_public_nav(&r.body, "plymouth", Some("/meetings"), false);
        let title = between(&r.body, "<title>", "</title>");
        assert_eq!(title.matches(PLYMOUTH).count(), 1, "{title}");
        // The home page is titled with the name alone.
        let r = public.get("/p/plymouth").await;
        assert_eq!(between(&r.body, "<title>", "</title>"), PLYMOUTH);

        // Another partnership's pages link among its own.
        let r = public.get("/p/portsmouth/meetings").await;
        assert_public_nav(&r.body, "portsmouth", Some("/meetings"), false);
        assert!(!nav(&r.body).contains("/p/plymouth"));

        // Signed in, every role sees the same public pages, offered their own pages instead of
        // signing in; their usual navigation is not mixed in.
        for email in [
            "business.unit@plymouth.example",
            "scrutineer@plymouth.example",
            "member@plymouth.example",
            "practitioner@plymouth.example",
            "host@masa.example",
            "admin@derby.example",
        ] {
            let mut c = app.signed_in(email).await;
            let r = c.get("/p/plymouth/reviews").await;
            assert_eq!(r.status, StatusCode::OK, "{email}");
            assert_public_nav(&r.body, "plymouth", Some("/reviews"), true);
            assert!(!nav(&r.body).contains("href=\"/actions\""), "{email}");
        }
    }
);

both_engines!(public_site_contact_details_are_links, |app| {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    let mut public = app.client();
    // The published arrangements' own words, with the numbers to call and the address.
    let r = public.get("/p/plymouth/arrangements").await;
    assert_eq!(r.status, StatusCode::OK);
    for link in [
        "<a class=\"govuk-link\" href=\"tel:01752668000\">01752 668000</a>",
        "<a class=\"govuk-link\" href=\"mailto:gateway@plymouth.gov.uk\">gateway@plymouth.gov.uk</a>",
        "<a class=\"govuk-link\" href=\"tel:01752346984\">01752 346984</a>",
        "<a class=\"govuk-link\" href=\"tel:999\">999</a>",
    ] {
        r.assert_contains(link);
    }
    let r = public.get("/p/portsmouth/arrangements").await;
    r.assert_contains(
        "<a class=\"govuk-link\" href=\"mailto:pscb@portsmouthcc.gov.uk\">pscb@portsmouthcc.gov.uk</a>.",
    );
    // The partnership's page: who to call when worried, and its own address.
    let r = public.get("/p/plymouth").await;
    r.assert_contains("<a class=\"govuk-link\" href=\"tel:01752668000\">01752 668000</a>");
    r.assert_contains("href=\"mailto:gateway@plymouth.gov.uk\"");
    r.assert_contains("href=\"mailto:pscp@plymouth.gov.uk\"");
});

both_engines!(public_site_page_not_found_says_what_to_do, |app| {
    let meeting = published_meeting(&app).await;
    let mut public = app.client();
    let says_what_to_do = |body: &str, slug: &str, email: Option<&str>| {
        assert!(
            body.contains(&format!(
                "<a class=\"govuk-link\" href=\"/p/{slug}\">home page</a>"
            )),
            "{body}"
        );
        // Its business unit's address where the partnership has given one.
        match email {
            Some(email) => assert!(
                body.contains(&format!(
                    "<a class=\"govuk-link\" href=\"mailto:{email}\">{email}</a>"
                )),
                "{body}"
            ),
            None => assert!(
                body.contains("contact the partnership&#39;s business unit")
                    || body.contains("contact the partnership's business unit"),
                "{body}"
            ),
        }
        assert!(body.contains("check it is correct"));
        // Nothing to quote: the public are not asked for a reference.
        assert!(!body.to_lowercase().contains("reference"), "{body}");
    };
    for path in [
        "/p/plymouth/no-such-page".to_owned(),
        "/p/plymouth/meetings/999999".to_owned(),
        "/p/plymouth/reviews/999999".to_owned(),
        "/p/plymouth/papers/999999".to_owned(),
        "/p/plymouth/reviews/999999/report".to_owned(),
    ] {
        let r = public.get(&path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        says_what_to_do(&r.body, "plymouth", Some("pscp@plymouth.gov.uk"));
        assert_public_nav(&r.body, "plymouth", None, false);
        let title = between(&r.body, "<title>", "</title>");
        assert_eq!(title, format!("Page not found – {PLYMOUTH}"));
    }
    // Plymouth's published meeting asked for as Portsmouth's: not found, and the page is
    // Portsmouth's, saying nothing of Plymouth's meeting.
    assert_eq!(
        public
            .get(&format!("/p/plymouth/meetings/{meeting}"))
            .await
            .status,
        StatusCode::OK
    );
    let r = public
        .get(&format!("/p/portsmouth/meetings/{meeting}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    says_what_to_do(&r.body, "portsmouth", None);
    assert!(!r.body.contains(PLYMOUTH), "nothing of Plymouth's");
    assert!(!r.body.contains("Agenda"));
    // No such partnership: masa's own page not found, pointing home.
    let r = public.get("/p/nobody/meetings").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    r.assert_contains("<a class=\"govuk-link\" href=\"/\">Go to the home page</a>");
    assert!(!r.body.contains("mailto:"));
    assert!(!r.body.to_lowercase().contains("reference"));
    // Signed in, each role is told the same.
    for email in [
        "business.unit@plymouth.example",
        "member@plymouth.example",
        "practitioner@plymouth.example",
        "host@masa.example",
    ] {
        let mut c = app.signed_in(email).await;
        let r = c.get("/p/plymouth/no-such-page").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{email}");
        says_what_to_do(&r.body, "plymouth", Some("pscp@plymouth.gov.uk"));
    }
});

both_engines!(public_site_attachments_say_their_size_and_pages, |app| {
    // A three-page PDF as an action's evidence: counted when kept, said beside its link.
    let pdf = masa::pdf::render(
        "#set text(font: \"Noto Sans\")\n= One\n#pagebreak()\n= Two\n#pagebreak()\n= Three\n",
        &serde_json::json!({}),
        today(),
    )
    .expect("pdf");
    assert_eq!(masa::files::pdf_pages(&pdf), Some(3));
    let p = app.partnership("plymouth");
    let id = masa::actions::store::add(
        &app.state.db,
        &masa::store::Actor::system("test"),
        p,
        &masa::actions::store::NewAction {
            source_kind: "minute".into(),
            source_id: 0,
            body_key: "pscp-board".into(),
            reference: String::new(),
            title: "Audit strategy meetings".into(),
            owner_name: "Sam Owner".into(),
            owner_organisation: String::new(),
            owner_user_id: None,
            due: today(),
            sensitive: false,
            restricted_item: None,
        },
    )
    .await
    .expect("action");
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    let url = format!("/actions/{id}");
    bu.get(&url).await;
    let r = bu
        .upload_form(
            &format!("{url}/evidence"),
            &[("description", "The audit")],
            Some(("evidence", "audit.pdf", &pdf)),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = bu.get(&url).await;
    page.assert_contains(&format!(
        "audit.pdf</a> (PDF, {}, 3 pages,",
        masa::files::size_text(pdf.len() as i64)
    ));
    let stored: Option<i64> = app
        .state
        .db
        .fetch_one(
            "SELECT page_count FROM files WHERE file_name = 'audit.pdf'",
            vec![],
        )
        .await
        .expect("file")
        .get("page_count")
        .expect("pages");
    assert_eq!(stored, Some(3));
});
