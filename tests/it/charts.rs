//! The charts on the pages where the numbers are: each an SVG image with a title and a
//! description that say the same numbers as the table beside it.

use axum::http::StatusCode;
use chrono::Duration;

use crate::both_engines;
use crate::support::today;

/// Text as it was before the page escaped it.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// Text as askama writes it into a page.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end)?;
    Some(&s[from..from + len])
}

/// The chart with this id on a page: its title and description, after checking that it is an
/// image labelled by them.
pub fn chart_text(body: &str, id: &str) -> (String, String) {
    let svg = between(
        body,
        &format!("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"masa-bar-chart\" id=\"{id}\""),
        "</svg>",
    )
    .unwrap_or_else(|| panic!("no chart #{id} in the page:\n{body}"));
    assert!(svg.contains("role=\"img\""), "{svg}");
    assert!(
        svg.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")),
        "{svg}"
    );
    let title = between(svg, &format!("<title id=\"{id}-title\">"), "</title>").expect("title");
    let desc = between(svg, &format!("<desc id=\"{id}-desc\">"), "</desc>").expect("desc");
    (unescape(title), unescape(desc))
}

/// The number in a two-column table's row with this header.
pub fn row_number(body: &str, header: &str) -> i64 {
    let cell = between(
        body,
        &format!("<th scope=\"row\" class=\"govuk-table__header\">{header}</th><td class=\"govuk-table__cell govuk-table__cell--numeric\">"),
        "</td>",
    )
    .unwrap_or_else(|| panic!("no row {header}"));
    cell.trim().parse().expect("a number")
}

fn actions(n: i64) -> String {
    format!("{n} action{}", if n == 1 { "" } else { "s" })
}

both_engines!(the_tracker_charts_its_rag_beside_the_same_numbers, |app| {
    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    let counts = |body: &str| {
        (
            row_number(body, "Overdue"),
            row_number(body, "Due soon"),
            row_number(body, "On track"),
        )
    };
    let agree = |body: &str, (red, amber, green): (i64, i64, i64)| {
        let (title, desc) = chart_text(body, "rag-chart");
        assert_eq!(title, "Open actions by where they stand");
        assert_eq!(
            desc,
            format!(
                "Overdue: {}. Due soon: {}. On track: {}.",
                actions(red),
                actions(amber),
                actions(green)
            )
        );
        assert_eq!(row_number(body, "Open in all"), red + amber + green);
        // Each bar carries its words and number, not only its colour.
        assert!(body.contains(&format!(">Overdue: {}</text>", actions(red))));
    };
    let page = bu.get("/actions").await;
    assert_eq!(page.status, StatusCode::OK);
    let before = counts(&page.body);
    agree(&page.body, before);

    // Two overdue, one due today, one far off; and one of Portsmouth's, which is not counted.
    let add = |p: masa::store::PartnershipId, title: &'static str, due: chrono::NaiveDate| {
        let db = app.state.db.clone();
        async move {
            masa::actions::store::add(
                &db,
                &masa::store::Actor::system("test"),
                p,
                &masa::actions::store::NewAction {
                    source_kind: "minute".into(),
                    source_id: 0,
                    body_key: "pscp-board".into(),
                    reference: String::new(),
                    title: title.into(),
                    owner_name: "Sam Owner".into(),
                    owner_organisation: String::new(),
                    owner_user_id: None,
                    due,
                    sensitive: false,
                    restricted_item: None,
                },
            )
            .await
            .expect("action");
        }
    };
    let ply = app.partnership("plymouth");
    add(ply, "Late one", today() - Duration::days(20)).await;
    add(ply, "Late two", today() - Duration::days(3)).await;
    add(ply, "Due today", today()).await;
    add(ply, "Far off", today() + Duration::days(120)).await;
    add(
        app.partnership("portsmouth"),
        "Portsmouth's late one",
        today() - Duration::days(5),
    )
    .await;

    let page = bu.get("/actions").await;
    let after = counts(&page.body);
    assert_eq!(
        after,
        (before.0 + 2, before.1 + 1, before.2 + 1),
        "only this partnership's open actions"
    );
    agree(&page.body, after);
    // The table sits in its own scrolling region, as every table does.
    assert!(page.body.contains(
        "<div class=\"masa-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Open actions by where they stand\">"
    ));
});

both_engines!(attendance_is_charted_against_the_expectation, |app| {
    use masa::meetings::store as ms;
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("examples import");
    let mut c = app.signed_in("business.unit@plymouth.example").await;
    c.get("/").await;
    let ports = app.partnership("portsmouth");
    let r = c
        .post(
            "/switch-partnership",
            &[("partnership_id", &ports.0.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Without meetings held there is nothing to chart.
    let empty = c
        .get("/meetings/bodies/pscp-board/attendance?year=2022")
        .await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(!empty.body.contains("attendance-chart"));

    let year = crate::support::plan_portsmouth_board(&app, &mut c, ports).await;
    let sept = year[0].id;
    let meeting = ms::get(&app.state.db, ports, sept)
        .await
        .expect("q")
        .expect("meeting");
    let rows = masa::meetings::roll(&app.state, ports, &meeting)
        .await
        .expect("roll");
    // The police send apologies; everyone else comes.
    let mut f: Vec<(&str, String)> = Vec::new();
    for r in &rows {
        let status = if r.partner_role == "police" {
            "apologies"
        } else {
            "present"
        };
        f.push(("key", r.membership_key.clone()));
        f.push(("version", r.version.to_string()));
        f.push(("status", status.to_owned()));
        f.push(("deputy", String::new()));
        f.push(("signed", r.membership_key.clone()));
    }
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = c
        .post(&format!("/meetings/{sept}/attendance"), &pairs)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let page = c
        .get("/meetings/bodies/pscp-board/attendance?year=2022")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let (title, desc) = chart_text(&page.body, "attendance-chart");
    assert_eq!(
        title,
        "Attendance by organisation, April 2022 to March 2023"
    );
    let police: Vec<&str> = rows
        .iter()
        .filter(|r| r.partner_role == "police")
        .map(|r| r.organisation.as_str())
        .collect();
    let police = police.first().expect("the police are members");
    assert!(
        desc.contains(&format!(
            "{police}: 0 of 1 meeting (0%), below expectation."
        )),
        "{desc}"
    );
    let council = rows
        .iter()
        .find(|r| r.partner_role == "local-authority")
        .map(|r| r.organisation.clone())
        .expect("the council");
    assert!(
        desc.contains(&format!("{council}: 1 of 1 meeting (100%).")),
        "{desc}"
    );
    assert!(desc.ends_with("Expected: 75% of meetings."), "{desc}");
    // The table beside it holds the same numbers for the police.
    let table = page
        .body
        .split("aria-label=\"By organisation\"")
        .nth(1)
        .expect("the organisations' table");
    let row = table
        .split(&format!("{}</th>", escape(police)))
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .expect("the police's row");
    assert!(
        row.contains(">1</td><td class=\"govuk-table__cell govuk-table__cell--numeric\">0</td>"),
        "{row}"
    );
    assert!(row.contains(">0%</td>"), "{row}");
    // Every organisation with a row in the table has a bar in the chart.
    let bars = desc.matches("%)").count();
    let orgs = table
        .split("</tbody>")
        .next()
        .unwrap_or_default()
        .matches("<tr class=\"govuk-table__row\"><th scope=\"row\"")
        .count();
    assert_eq!(bars, orgs, "{desc}");
});

/// A helper of these tests: they must not pass on a page without the chart.
#[test]
fn chart_text_finds_only_a_labelled_image() {
    let page = "<p>x</p><svg xmlns=\"http://www.w3.org/2000/svg\" class=\"masa-bar-chart\" id=\"c\" role=\"img\" aria-labelledby=\"c-title c-desc\"><title id=\"c-title\">T &amp; U</title><desc id=\"c-desc\">1 &lt; 2</desc></svg>";
    assert_eq!(chart_text(page, "c"), ("T & U".into(), "1 < 2".into()));
    assert!(std::panic::catch_unwind(|| chart_text("<p>no chart</p>", "c")).is_err());
}
