//! The markup of every page a person can reach: no id used twice on a page (a label, an error
//! link or a skip link would go to the wrong element), and every label names a control that
//! is on the page.

use std::collections::{BTreeSet, HashSet, VecDeque};

use axum::http::StatusCode;

use crate::support::TestApp;

/// The values of `attr="..."` in a page, in order.
fn values<'a>(body: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    body.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &body[i + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// What is wrong with a page's ids and labels.
fn problems(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let ids = values(body, "id");
    for id in &ids {
        if !seen.insert(*id) {
            out.push(format!("id {id:?} is used twice"));
        }
    }
    for target in values(body, "for") {
        if !seen.contains(target) {
            out.push(format!(
                "a label is for {target:?}, which is not on the page"
            ));
        }
    }
    out
}

/// Links to follow: this service's pages, not files, feeds or signing out.
fn pages(body: &str) -> Vec<String> {
    values(body, "href")
        .into_iter()
        .filter(|h| h.starts_with('/') && !h.starts_with("//") && !h.starts_with("/assets"))
        .map(|h| h.split('#').next().unwrap_or(h).replace("&amp;", "&"))
        .filter(|h| {
            let path = h.split('?').next().unwrap_or(h);
            ![".csv", ".xlsx", ".pdf", ".ics", ".toml"]
                .iter()
                .any(|x| path.ends_with(x))
                && !path.contains("/evidence/")
                && !path.contains("/files/")
                && !path.contains("/download")
                && path != "/sign-out"
        })
        .collect()
}

#[test]
fn the_checker_finds_a_repeated_id_and_a_label_for_nothing() {
    let page = r#"<h2 id="evidence">Evidence</h2><label for="evidence">File</label><input id="evidence"><label for="note">Note</label>"#;
    assert_eq!(
        problems(page),
        vec![
            "id \"evidence\" is used twice".to_owned(),
            "a label is for \"note\", which is not on the page".to_owned()
        ]
    );
    assert!(problems(r#"<label for="a">A</label><input id="a">"#).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_page_repeats_an_id_or_labels_nothing() {
    let app = TestApp::new(masa::store::Engine::Sqlite).await;
    // The demo's records, so that every kind of page has something on it.
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    masa::demo::seed_meetings(&app.state)
        .await
        .expect("meetings");
    masa::demo::seed_cases(&app.state).await.expect("cases");
    masa::demo::seed_assurance(&app.state)
        .await
        .expect("assurance");
    masa::demo::seed_procedures(&app.state)
        .await
        .expect("procedures");
    let mut failures = BTreeSet::new();
    let mut visited = 0;
    for who in [
        "business.unit@plymouth.example",
        "member@plymouth.example",
        "practitioner@plymouth.example",
    ] {
        let mut c = app.signed_in(who).await;
        let mut queue = VecDeque::from(["/".to_owned()]);
        let mut seen = HashSet::new();
        // Pages of one kind differ in their records, not their markup: a few of each will do.
        let mut of_kind = std::collections::HashMap::<String, usize>::new();
        while let Some(path) = queue.pop_front() {
            if !seen.insert(path.clone()) || seen.len() > 400 {
                continue;
            }
            let kind: String = path
                .split('?')
                .next()
                .unwrap_or(&path)
                .split('/')
                .map(|s| {
                    if s.chars().all(|c| c.is_ascii_digit()) {
                        "N"
                    } else {
                        s
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let n = of_kind.entry(kind).or_default();
            *n += 1;
            if *n > 3 {
                continue;
            }
            let r = c.get(&path).await;
            if r.status != StatusCode::OK
                || !r
                    .headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|t| t.starts_with("text/html"))
            {
                continue;
            }
            visited += 1;
            for p in problems(&r.body) {
                failures.insert(format!("{path}: {p}"));
            }
            queue.extend(pages(&r.body));
        }
    }
    assert!(visited > 150, "only {visited} pages reached");
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.into_iter().collect::<Vec<_>>().join("\n")
    );
}

/// Nouns that follow a count in the templates.
const COUNTED: &[&str] = &[
    "agencies",
    "attempts",
    "days",
    "entries",
    "months",
    "people",
    "recommendations",
    "results",
    "working days",
];

/// What a count in a template is followed by, when it is a plural noun written out: such a
/// count says "1 recommendations" when there is one. Counts agree in number through
/// askama's `pluralize` filter instead.
fn fixed_plurals(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in template.match_indices("}} ") {
        let before = &template[..i];
        let Some(open) = before.rfind("{{") else {
            continue;
        };
        let expr = before[open + 2..].trim();
        if expr.contains('|') || expr.contains('"') {
            continue;
        }
        let after = &template[i + 3..];
        for noun in COUNTED {
            if after.starts_with(noun)
                && !after[noun.len()..].starts_with(|c: char| c.is_alphanumeric())
            {
                out.push(format!("{{{{ {expr} }}}} {noun}"));
            }
        }
    }
    out
}

/// Every template under `templates/`, with its text.
fn templates() -> Vec<(std::path::PathBuf, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from("templates")];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).expect("templates") {
            let path = e.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "html" || x == "txt") {
                let text = std::fs::read_to_string(&path).expect("template");
                out.push((path, text));
            }
        }
    }
    out
}

/// Dates are typed in the design system's three boxes (the `date_input` macro), never in a
/// browser's date picker, which phones and screen readers handle each their own way.
#[test]
fn dates_are_typed_in_three_boxes_everywhere() {
    let pickers: Vec<String> = templates()
        .into_iter()
        .filter(|(_, t)| t.contains("type=\"date\"") || t.contains("\"date\", \"off\""))
        .map(|(p, _)| p.display().to_string())
        .collect();
    assert!(pickers.is_empty(), "date pickers in {pickers:?}");
}

#[test]
fn counts_agree_in_number() {
    assert_eq!(
        fixed_plurals("<p>{{ rows.len() }} recommendations, {{ n }} working days left</p>"),
        vec![
            "{{ rows.len() }} recommendations".to_owned(),
            "{{ n }} working days".to_owned()
        ]
    );
    assert!(fixed_plurals("{{ n }} recommendation{{ n|pluralize }}").is_empty());
    let mut found = Vec::new();
    for (path, text) in templates() {
        for f in fixed_plurals(&text) {
            found.push(format!("{}: {f}", path.display()));
        }
    }
    assert!(
        found.is_empty(),
        "counts that say \"1 ...s\":\n{}",
        found.join("\n")
    );
}

/// The text of a page's `<title>`.
fn title(body: &str) -> &str {
    body.split("<title>")
        .nth(1)
        .and_then(|s| s.split("</title>").next())
        .unwrap_or_default()
}

// A partnership's public pages are its website: each title names the page, then the
// partnership once; a page that is not there tells the public what to do, without asking them
// to quote a reference (that is for the business unit, when something breaks).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_pages_name_the_partnership_once() {
    let app = TestApp::new(masa::store::Engine::Sqlite).await;
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    let mut public = app.client();
    let name = "Plymouth Safeguarding Children Partnership";
    for (path, expected) in [
        ("/p/plymouth", name.to_owned()),
        (
            "/p/plymouth/arrangements",
            format!("Safeguarding arrangements – {name}"),
        ),
        (
            "/p/plymouth/agencies",
            format!("Relevant agencies – {name}"),
        ),
        ("/p/plymouth/meetings", format!("Meetings – {name}")),
        ("/p/plymouth/reviews", format!("Published reviews – {name}")),
        (
            "/p/plymouth/procedures",
            format!("Policies and procedures – {name}"),
        ),
    ] {
        let r = public.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(title(&r.body), expected, "{path}");
    }
    let r = public.get("/p/plymouth/no-such-page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    r.assert_contains("check it is correct");
    // Under a partnership's public pages, to its public home (tests/it/public_site.rs).
    r.assert_contains("href=\"/p/plymouth\">home page</a>");
    assert!(!r.body.contains("quote reference"), "{}", r.body);
}

// The contacts the business unit types become links a phone can call or write to on the public
// page; the rest of the text stays as typed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_numbers_on_the_public_page_can_be_called() {
    let app = TestApp::new(masa::store::Engine::Sqlite).await;
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    let p = app.partnership("plymouth");
    let now = masa::partnerships::store::by_id(&app.state.db, p)
        .await
        .expect("query")
        .expect("partnership");
    bu.get("/admin/partnership").await;
    let r = bu
        .post(
            "/admin/partnership",
            &[
                ("name", now.name.as_str()),
                ("contact_email", "pscp@plymouth.gov.uk"),
                (
                    "worried_contact",
                    "Call the front door on 01752 668000 (Monday to Friday).\nOut of hours: 01752 346984 or email mash@plymouth.gov.uk",
                ),
                ("version", &now.version.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.client().get("/p/plymouth").await;
    page.assert_contains(
        "Call the front door on <a class=\"govuk-link\" href=\"tel:01752668000\">01752 668000</a> (Monday to Friday).",
    );
    page.assert_contains("href=\"tel:01752346984\"");
    page.assert_contains("call <a class=\"govuk-link\" href=\"tel:999\">999</a>");
    page.assert_contains(
        "<a class=\"govuk-link\" href=\"mailto:mash@plymouth.gov.uk\">mash@plymouth.gov.uk</a>",
    );
}

/// The button that starts a page's main thing is the primary one; filters, drafts and lesser
/// actions stay secondary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_thing_on_a_page_is_its_primary_button() {
    let app = TestApp::new(masa::store::Engine::Sqlite).await;
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    masa::demo::seed_meetings(&app.state)
        .await
        .expect("meetings");
    masa::demo::seed_cases(&app.state).await.expect("cases");
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    let primary = |body: &str, words: &str| {
        body.split("class=\"govuk-button\"").skip(1).any(|rest| {
            rest.split_once('>')
                .is_some_and(|(_, after)| after.starts_with(words))
        })
    };
    let cases = bu.get("/reviews").await;
    assert!(primary(&cases.body, "Record a case"), "cases list");
    let meeting = crate::support::board_meeting(&app, &mut bu, 20, "").await;
    let agenda = bu.get(&format!("{meeting}/agenda")).await;
    assert!(primary(&agenda.body, "Add the item"), "agenda stage");
    let programme = bu.get("/meetings/bodies/pscp-board/programme").await;
    assert_eq!(programme.status, axum::http::StatusCode::OK);
    assert!(primary(&programme.body, "Plan the item"), "programme");
}
