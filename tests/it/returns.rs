//! The statutory returns' readers on files of any size that scripts/gen_returns.py writes: the
//! figures they count are the ones the generator counted independently, in Python, from the
//! children it made up.

use std::path::Path;
use std::process::Command;

use chrono::{Months, NaiveDate};
use masa::scorecard::returns::{CinFigures, LacFigures, Rules, read_903, read_cin};
use serde::Deserialize;

#[derive(Deserialize)]
struct Expected {
    year_ending: NaiveDate,
    rules: Rules,
    census: Option<CinFigures>,
    ssda903: Option<LacFigures>,
    ssda903_previous: Option<LacFigures>,
}

fn generate(dir: &Path, args: &[&str]) -> Expected {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/gen_returns.py");
    let out = Command::new("python3")
        .arg(&script)
        .args(args)
        .arg("--out")
        .arg(dir)
        .output()
        .expect("python3 runs the generator");
    assert!(
        out.status.success(),
        "the generator failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.join("expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("expected.json reads")
}

fn tables(dir: &Path) -> Vec<(String, Vec<u8>)> {
    ["header.csv", "episodes.csv"]
        .iter()
        .map(|name| {
            let bytes = std::fs::read(dir.join(name)).expect("a 903 table");
            (name.to_string(), bytes)
        })
        .collect()
}

#[test]
fn returns_generated_census_and_903_give_the_generators_figures() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let expected = generate(
        dir.path(),
        &[
            "--children",
            "3000",
            "--lac",
            "800",
            "--episodes",
            "2400",
            "--previous",
            "--seed",
            "11",
        ],
    );
    let bytes = std::fs::read(dir.path().join("census.xml")).expect("census.xml");
    let census = read_cin("census.xml", &bytes).unwrap_or_else(|p| {
        panic!(
            "the generated census has problems: {:?}",
            &p[..p.len().min(5)]
        )
    });
    assert_eq!(Some(census), expected.census);

    let lac = read_903(
        &tables(&dir.path().join("903")),
        expected.year_ending,
        &expected.rules,
    )
    .unwrap_or_else(|p| panic!("the generated 903 has problems: {:?}", &p[..p.len().min(5)]));
    assert_eq!(Some(lac), expected.ssda903);

    let previous_year = expected
        .year_ending
        .checked_sub_months(Months::new(12))
        .expect("a year earlier");
    let previous = read_903(
        &tables(&dir.path().join("903-previous")),
        previous_year,
        &expected.rules,
    )
    .unwrap_or_else(|p| panic!("last year's 903 has problems: {:?}", &p[..p.len().min(5)]));
    assert_eq!(Some(previous), expected.ssda903_previous);
}

#[test]
fn returns_generated_returns_of_earlier_years_read_with_their_codes() {
    for year in ["2025", "2024"] {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let expected = generate(
            dir.path(),
            &[
                "--children",
                "400",
                "--lac",
                "150",
                "--episodes",
                "400",
                "--seed",
                "5",
                "--year-ending",
                year,
                "--area",
                "PL1,PL2,PL3,PL4,PL5,PL6,PL7,PL9",
            ],
        );
        let bytes = std::fs::read(dir.path().join("census.xml")).expect("census.xml");
        let census = read_cin("census.xml", &bytes).unwrap_or_else(|p| {
            panic!("the {year} census has problems: {:?}", &p[..p.len().min(5)])
        });
        assert_eq!(Some(census), expected.census);
        let lac = read_903(
            &tables(&dir.path().join("903")),
            expected.year_ending,
            &expected.rules,
        )
        .unwrap_or_else(|p| panic!("the {year} 903 has problems: {:?}", &p[..p.len().min(5)]));
        assert_eq!(Some(lac), expected.ssda903);
    }
}

/// `masa scorecard census` and `masa scorecard lac` read a return on the analyst's own machine:
/// the figures as JSON, or every problem; nothing stored, and no child's details printed.
#[test]
fn returns_read_from_the_command_line_print_only_the_figures() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let expected = generate(
        dir.path(),
        &[
            "--children",
            "500",
            "--lac",
            "200",
            "--episodes",
            "600",
            "--seed",
            "3",
        ],
    );
    let masa = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_masa"));
        c.env("MASA_DATA_DIR", dir.path()).env("MASA_LOG", "warn");
        c
    };
    let out = masa()
        .args(["scorecard", "census"])
        .arg(dir.path().join("census.xml"))
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let census: CinFigures = serde_json::from_slice(&out.stdout).expect("the figures as JSON");
    assert_eq!(Some(census), expected.census);
    let census_xml = std::fs::read_to_string(dir.path().join("census.xml")).expect("census");
    let first_id = census_xml
        .split("<LAchildID>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("a child id");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains(first_id),
        "no child's id is printed"
    );
    let inside = expected.rules.inside_area.join(",");
    let out = masa()
        .args(["scorecard", "lac", "--year-ending"])
        .arg(expected.year_ending.to_string())
        .arg("--inside")
        .arg(&inside)
        .arg(dir.path().join("903"))
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lac: LacFigures = serde_json::from_slice(&out.stdout).expect("the figures as JSON");
    assert_eq!(Some(lac), expected.ssda903);
    // A hostile census: refused with its problem, nothing counted.
    let bomb = dir.path().join("bomb.xml");
    std::fs::write(&bomb, "<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><Message>&b;</Message>").expect("write");
    let out = masa()
        .args(["scorecard", "census"])
        .arg(&bomb)
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .to_lowercase()
            .contains("doctype"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The values of one element (`<UPN>`) or one CSV column (`PL_POST`) in a generated file.
fn values_of(text: &str, element: &str) -> Vec<String> {
    if let Some(csv_column) = element.strip_prefix("csv:") {
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
        let at = header
            .iter()
            .position(|h| *h == csv_column)
            .expect("the column");
        return lines
            .filter_map(|l| l.split(',').nth(at).map(str::to_owned))
            .filter(|v| !v.is_empty())
            .collect();
    }
    text.split(&format!("<{element}>"))
        .skip(1)
        .filter_map(|s| s.split('<').next().map(str::to_owned))
        .collect()
}

/// The latest figure recorded for an indicator on a day: (numerator, denominator, value, how).
async fn figure(
    app: &crate::support::TestApp,
    code: &'static str,
    on: NaiveDate,
) -> Option<(Option<i64>, Option<i64>, Option<i64>, String)> {
    app.state
        .db
        .fetch_optional(
            "SELECT numerator, denominator, value_milli, how FROM scorecard_figures WHERE code = $1 AND ends_on = $2 ORDER BY revision DESC LIMIT 1",
            vec![code.into(), on.into()],
        )
        .await
        .expect("a query")
        .map(|r| {
            (
                r.get("numerator").expect("numerator"),
                r.get("denominator").expect("denominator"),
                r.get("value_milli").expect("value"),
                r.get("how").expect("how"),
            )
        })
}

fn milli_percentage(part: i64, whole: i64) -> Option<i64> {
    masa::scorecard::model::percentage(part, whole).map(|m| m.0)
}

/// The business unit imports a generated census and 903 return on the web: the scorecard's
/// indicators get the figures a hand count (the generator's) gives, recorded as from a return,
/// with the fact of each import; no child's identifier, date of birth or postcode is stored
/// anywhere; hostile files are refused with their problem and change nothing; only the
/// business unit imports, and only into its own partnership.
async fn imported_on_the_web(engine: masa::store::Engine) {
    use axum::http::StatusCode;
    use sha2::{Digest, Sha256};
    // A 1 MB limit on other uploads: the census and the 903 have their own, larger one.
    let app =
        crate::support::TestApp::with_settings(engine, None, &[("MASA_UPLOAD_LIMIT_MB", "1")])
            .await;
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("arrangements");
    masa::demo::seed_scorecard(&app.state)
        .await
        .expect("scorecard");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let expected = generate(
        dir.path(),
        &[
            "--children",
            "3000",
            "--lac",
            "600",
            "--episodes",
            "1800",
            "--seed",
            "21",
        ],
    );
    let census_bytes = std::fs::read(dir.path().join("census.xml")).expect("census.xml");
    assert!(
        census_bytes.len() > 1024 * 1024,
        "larger than other uploads may be"
    );
    let header = std::fs::read(dir.path().join("903/header.csv")).expect("header");
    let episodes = std::fs::read(dir.path().join("903/episodes.csv")).expect("episodes");
    let census = expected.census.clone().expect("census figures");
    let lac = expected.ssda903.clone().expect("903 figures");
    let on = expected.year_ending;
    assert_eq!(census.reference_date, on);

    // What identifies a child in the files, none of it stored before the import either.
    let census_text = String::from_utf8_lossy(&census_bytes).into_owned();
    let (header_text, episodes_text) = (
        String::from_utf8_lossy(&header).into_owned(),
        String::from_utf8_lossy(&episodes).into_owned(),
    );
    let mut identifying: Vec<String> = Vec::new();
    for (text, what) in [
        (&census_text, "LAchildID"),
        (&census_text, "UPN"),
        (&census_text, "PersonBirthDate"),
        (&header_text, "csv:CHILD"),
        (&header_text, "csv:DOB"),
        (&header_text, "csv:UPN"),
        (&episodes_text, "csv:HOME_POST"),
        (&episodes_text, "csv:PL_POST"),
    ] {
        let mut picked = 0;
        for v in values_of(text, what) {
            if picked == 3 {
                break;
            }
            if app.where_in_database(&v).await.is_empty() {
                identifying.push(v);
                picked += 1;
            }
        }
        assert!(picked > 0, "a value of {what} that is not already stored");
    }

    let mut bu = app.signed_in("business.unit@plymouth.example").await;
    let page = bu.get("/scorecard/returns").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("No child's identifier, date of birth or postcode is stored");
    page.assert_contains("PL1, PL2, PL3, PL4, PL5, PL6, PL7, PL9");

    // Hostile and broken files: each refused with what is wrong, nothing stored.
    let before = (
        app.count("scorecard_figures").await,
        app.count("scorecard_imports").await,
        app.count("audit_events").await,
    );
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend("<Message/>".encode_utf16().flat_map(u16::to_le_bytes));
    let mut cut = census_bytes[..census_bytes.len() / 2].to_vec();
    cut.extend_from_slice(b"</Child");
    for (name, bytes, says) in [
        (
            "bomb.xml",
            b"<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><Message>&b;</Message>".to_vec(),
            "DOCTYPE",
        ),
        ("utf16.xml", utf16, "UTF-16"),
        ("cut.xml", cut, "cut.xml"),
        ("empty.xml", Vec::new(), "Select the children in need census file"),
    ] {
        let r = bu
            .upload_files("/scorecard/returns/census", &[], &[("file", name, &bytes)])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(r.body.contains(says), "{name}: {says}\n{}", r.body);
        r.assert_contains("The census was not imported");
    }
    // Over the return's limit, within the body's (which is one frame here, unlike a browser's).
    let huge = vec![b' '; 32 * 1024 * 1024 + 512 * 1024];
    for (fields, files, says) in [
        (
            vec![("year-ending", on.to_string())],
            vec![("file", "header.csv", header.as_slice())],
            "episodes",
        ),
        (
            vec![("year-ending", "2019-03-31".to_owned())],
            vec![
                ("file", "header.csv", header.as_slice()),
                ("file", "episodes.csv", episodes.as_slice()),
            ],
            "Select the year the return ends",
        ),
        (
            vec![("year-ending", on.to_string())],
            vec![("file", "episodes.csv", huge.as_slice())],
            "smaller than 32 MB together",
        ),
        (
            vec![("year-ending", on.to_string())],
            vec![
                (
                    "file",
                    "header.csv",
                    b"CHILD,SEX,DOB\r\n=1+1,M,x\r\n".as_slice(),
                ),
                ("file", "episodes.csv", episodes.as_slice()),
            ],
            "header.csv",
        ),
    ] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = bu
            .upload_files("/scorecard/returns/903", &fields, &files)
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{says}: {}",
            r.body
        );
        assert!(r.body.contains(says), "{says}\n{}", r.body);
        r.assert_contains("The SSDA903 return was not imported");
    }
    let after_refusals = (
        app.count("scorecard_figures").await,
        app.count("scorecard_imports").await,
        app.count("audit_events").await,
    );
    assert_eq!(after_refusals, before, "a refused file changes nothing");

    // Nobody but the business unit imports; another partnership's business unit imports
    // nothing into Plymouth and sees none of its imports.
    for who in ["member@plymouth.example", "practitioner@plymouth.example"] {
        let mut c = app.signed_in(who).await;
        let r = c
            .upload_files(
                "/scorecard/returns/census",
                &[],
                &[("file", "census.xml", &census_bytes)],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
    }

    // The census.
    let r = bu
        .upload_files(
            "/scorecard/returns/census",
            &[],
            &[("file", "census.xml", &census_bytes)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = bu.get("/scorecard/returns").await;
    page.assert_contains(&format!(
        "The children in need census for {} was read ({} children)",
        on.format("%-d %B %Y"),
        census.children
    ));
    page.assert_contains("The files and the children&#39;s rows were not kept");
    let ret = |n: i64| Some((Some(n), None, Some(n * 1000), "return".to_owned()));
    assert_eq!(
        figure(&app, "referrals", on).await,
        ret(census.referrals_12_months)
    );
    assert_eq!(
        figure(&app, "re-referrals", on).await,
        ret(census.re_referrals_12_months)
    );
    assert_eq!(figure(&app, "cp", on).await, ret(census.cp_plans_at_date));
    for (code, category) in [
        ("cp-neglect", "NEG"),
        ("cp-physical", "PHY"),
        ("cp-sexual", "SAB"),
        ("cp-emotional", "EMO"),
    ] {
        let n = census.cp_by_category.get(category).copied().unwrap_or(0);
        assert_eq!(figure(&app, code, on).await, ret(n), "{code}");
    }
    assert_eq!(
        figure(&app, "cp-repeat-percent", on).await,
        Some((
            None,
            None,
            milli_percentage(
                census.cp_started_with_previous_plan,
                census.cp_started_12_months
            ),
            "return".to_owned()
        ))
    );
    // Not the census's children in need: sent by hand.
    assert_eq!(figure(&app, "cin", on).await, None);

    // The 903, its tables chosen together.
    let r = bu
        .upload_files(
            "/scorecard/returns/903",
            &[("year-ending", &on.to_string())],
            &[
                ("file", "header.csv", &header),
                ("file", "episodes.csv", &episodes),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(figure(&app, "cla", on).await, ret(lac.looked_after_at_date));
    assert_eq!(
        figure(&app, "cla-outside", on).await,
        Some((
            None,
            None,
            milli_percentage(lac.placed_outside, lac.placed_outside + lac.placed_inside),
            "return".to_owned()
        ))
    );
    let placed = |codes: &[&str]| {
        codes
            .iter()
            .filter_map(|c| lac.placement_types.get(*c))
            .sum::<i64>()
    };
    assert_eq!(
        figure(&app, "placed-family", on).await,
        ret(placed(&["U1", "U2", "U3", "U4", "U5", "U6"]))
    );
    assert_eq!(
        figure(&app, "placed-parents", on).await,
        ret(placed(&["P1"]))
    );

    // The fact of each import, with the files' digests; the rates follow from the counts.
    let facts = masa::scorecard::store::imports(&app.state.db, app.partnership("plymouth"))
        .await
        .expect("imports");
    assert_eq!(facts.len(), 2);
    let census_fact = facts.iter().find(|f| f.kind == "cin").expect("the census");
    assert_eq!(census_fact.children, census.children as i64);
    assert_eq!(census_fact.imported_by, "Jo Business-Unit");
    assert_eq!(
        census_fact.files()[0].sha256,
        hex::encode(Sha256::digest(&census_bytes))
    );
    assert_eq!(census_fact.files()[0].bytes, census_bytes.len() as i64);
    let lac_fact = facts.iter().find(|f| f.kind == "903").expect("the 903");
    assert_eq!(
        (lac_fact.children, lac_fact.rows_read),
        (lac.children as i64, lac.episodes as i64)
    );
    assert_eq!(lac_fact.files().len(), 2);
    let page = bu.get("/scorecard/returns").await;
    page.assert_contains(&hex::encode(Sha256::digest(&episodes)));

    // The same census again records nothing new: every figure is unchanged.
    let figures = app.count("scorecard_figures").await;
    let r = bu
        .upload_files(
            "/scorecard/returns/census",
            &[],
            &[("file", "census.xml", &census_bytes)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("scorecard_figures").await, figures);
    bu.get("/scorecard/returns")
        .await
        .assert_contains("0 figures recorded");

    // Nothing that identifies a child is stored anywhere: not in the figures, the import's
    // record, the audit trail or any other table.
    for v in &identifying {
        assert_eq!(
            app.where_in_database(v).await,
            Vec::<String>::new(),
            "{v} is stored"
        );
    }

    let mut derby = app.signed_in("admin@derby.example").await;
    let r = derby.get("/scorecard/returns").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        !r.body.contains("census.xml"),
        "Derby sees none of Plymouth's imports"
    );
    let r = derby
        .upload_files(
            "/scorecard/returns/census",
            &[],
            &[("file", "census.xml", &census_bytes)],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "Derby has no scorecard to import into"
    );
    assert_eq!(
        masa::scorecard::store::imports(&app.state.db, app.partnership("derby-derbyshire"))
            .await
            .expect("imports")
            .len(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returns_imported_on_the_web_sqlite() {
    imported_on_the_web(masa::store::Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returns_imported_on_the_web_postgres() {
    imported_on_the_web(masa::store::Engine::Postgres).await;
}
