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
