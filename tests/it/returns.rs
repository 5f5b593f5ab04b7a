//! The statutory returns' readers on files of any size that scripts/gen_returns.py writes: the
//! figures they count are the ones the generator counted independently, in Python, from the
//! children it made up.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

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

/// A large authority: 60,000 children in the census, 10,000 children with 30,000 episodes in
/// the 903. Run with `cargo nextest run --run-ignored only -E 'test(returns_timing)'`; prints
/// how long each reading takes (a debug build is several times slower than a release one).
#[test]
#[ignore]
fn returns_timing_for_a_large_authority() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let expected = generate(
        dir.path(),
        &[
            "--children",
            "60000",
            "--lac",
            "10000",
            "--episodes",
            "30000",
            "--seed",
            "1",
        ],
    );
    let bytes = std::fs::read(dir.path().join("census.xml")).expect("census.xml");
    let started = Instant::now();
    let census = read_cin("census.xml", &bytes).expect("the census reads");
    let census_time = started.elapsed();
    assert_eq!(Some(census), expected.census);
    let files = tables(&dir.path().join("903"));
    let started = Instant::now();
    let lac = read_903(&files, expected.year_ending, &expected.rules).expect("the 903 reads");
    let lac_time = started.elapsed();
    assert_eq!(Some(lac), expected.ssda903);
    println!(
        "census: {} bytes in {census_time:?}; 903: {} bytes in {lac_time:?}",
        bytes.len(),
        files.iter().map(|(_, b)| b.len()).sum::<usize>()
    );
}
