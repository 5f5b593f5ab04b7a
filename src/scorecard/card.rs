//! A scorecard for a period, worked out from the figures stored and the child population in
//! the arrangements: each section's rows with the previous years, the benchmarks and the
//! current period, small numbers hidden, RAG, direction of travel, exceptions and each
//! indicator's trend. Pure: what is published is this, stored as it was worked out, so a
//! published scorecard reads back exactly, whatever is revised or re-estimated later.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::format::{Document, Indicator, Input, Scorecard, Series, Suppression, Unit};
use super::model::{self, Exception, Hidden, Milli, Rag, Travel};
use crate::arrangements::model::Population;

/// A figure as stored (its latest revision), in the form its indicator takes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stored {
    pub id: i64,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub value: Option<Milli>,
    pub revision: i64,
}

/// Everything a scorecard is worked out from.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    pub figures: BTreeMap<(String, NaiveDate), Stored>,
    /// Each area's child population figures (area key, figures).
    pub populations: Vec<(String, Vec<Population>)>,
}

/// The child population a rate on `on` is of: for each area, its estimate for the latest year
/// whose middle (30 June) is not after `on`, summed over the areas asked for (every area when
/// `area` is empty). `None` when an area has no such estimate.
pub fn children(
    populations: &[(String, Vec<Population>)],
    area: &str,
    on: NaiveDate,
) -> Option<i64> {
    use chrono::Datelike;
    let mut total = 0;
    let mut any = false;
    for (key, figures) in populations {
        if !area.is_empty() && key != area {
            continue;
        }
        let mid = |y: i32| NaiveDate::from_ymd_opt(y, 6, 30);
        let best = figures
            .iter()
            .filter(|p| mid(p.year).is_some_and(|m| m <= on) && p.year <= on.year())
            .max_by_key(|p| (p.year, p.revised))?;
        total += best.children;
        any = true;
    }
    any.then_some(total)
}

/// An indicator's figure on a day, worked out.
#[derive(Clone, Debug, PartialEq)]
struct Worked {
    value: Milli,
    /// The count behind it (for "8.1% (20)" and for hiding small numbers).
    count: Option<i64>,
    revised: bool,
}

fn worked(i: &Indicator, on: NaiveDate, inputs: &Inputs) -> Option<Worked> {
    let fig = |code: &str| inputs.figures.get(&(code.to_owned(), on));
    let own = || fig(&i.code);
    match i.input() {
        Input::Count => {
            let f = own()?;
            let c = f.numerator?;
            Some(Worked {
                value: Milli::whole(c),
                count: Some(c),
                revised: f.revision > 1,
            })
        }
        Input::Share => {
            let f = own()?;
            let (n, dn) = (f.numerator?, f.denominator?);
            Some(Worked {
                value: model::percentage(n, dn)?,
                count: Some(n),
                revised: f.revision > 1,
            })
        }
        Input::Value => {
            let f = own()?;
            Some(Worked {
                value: f.value?,
                count: None,
                revised: f.revision > 1,
            })
        }
        Input::Derived => {
            let dv = i.derived.as_ref()?;
            let n = fig(&dv.numerator)?;
            let count = n.numerator?;
            if i.unit == Unit::Rate {
                let kids = children(&inputs.populations, &i.area, on)?;
                Some(Worked {
                    value: model::rate_per_10000(count, kids)?,
                    count: Some(count),
                    revised: n.revision > 1,
                })
            } else {
                let dn = fig(&dv.denominator)?;
                Some(Worked {
                    value: model::percentage(count, dn.numerator?)?,
                    count: Some(count),
                    revised: n.revision > 1 || dn.revision > 1,
                })
            }
        }
    }
}

/// Which submitted counts (and shares) are hidden on a day: the small ones, and a second part
/// of a total beside a single small one.
fn hidden_on(d: &Document, on: NaiveDate, inputs: &Inputs) -> BTreeMap<String, Hidden> {
    let mut hidden = BTreeMap::new();
    // A count and whether its own rule hides it.
    let count_of = |code: &str| {
        let i = d.indicator(code)?;
        let c = worked(i, on, inputs)?.count?;
        Some((c, i.suppression.hides(c)))
    };
    for i in d.all_indicators() {
        if matches!(i.input(), Input::Count | Input::Share)
            && count_of(&i.code).is_some_and(|(_, small)| small)
        {
            hidden.insert(i.code.clone(), Hidden::Small);
        }
    }
    for (total, parts) in d.parts() {
        let total_shown = count_of(total).is_some_and(|(_, small)| !small);
        let counts: Vec<(Option<i64>, bool)> = parts
            .iter()
            .map(|c| count_of(c).map_or((None, false), |(n, small)| (Some(n), small)))
            .collect();
        for (code, h) in parts
            .iter()
            .zip(model::suppress_parts(&counts, total_shown))
        {
            if let Some(h) = h {
                hidden.entry((*code).to_owned()).or_insert(h);
            }
        }
    }
    hidden
}

/// One cell as it is shown: the words, and the number only when it may be seen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cell {
    pub shown: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Milli>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<Hidden>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub revised: bool,
}

impl Cell {
    fn missing() -> Cell {
        Cell {
            shown: "Not available".into(),
            value: None,
            hidden: None,
            revised: false,
        }
    }

    pub fn is_missing(&self) -> bool {
        self.value.is_none() && self.hidden.is_none()
    }
}

/// The marker for a hidden number, as the seed prints it.
pub const HIDDEN: &str = "x";

pub fn shown(i: &Indicator, v: Milli) -> String {
    let n = v.shown(i.unit.decimals());
    match i.unit {
        Unit::Percentage => format!("{n}%"),
        Unit::Days => format!("{n} days"),
        _ => n,
    }
}

/// The cell of one indicator on one day.
fn cell(i: &Indicator, on: NaiveDate, inputs: &Inputs, hidden: &BTreeMap<String, Hidden>) -> Cell {
    let Some(w) = worked(i, on, inputs) else {
        return Cell::missing();
    };
    let h = if i.suppression == Suppression::None {
        None
    } else {
        hidden.get(&i.code).copied().or_else(|| {
            let from = i.derived.as_ref().map(|x| x.numerator.as_str())?;
            hidden.get(from).copied().or_else(|| {
                w.count
                    .filter(|c| i.suppression.hides(*c))
                    .map(|_| Hidden::Small)
            })
        })
    };
    match h {
        Some(h) => Cell {
            shown: HIDDEN.into(),
            value: None,
            hidden: Some(h),
            revised: w.revised,
        },
        None => {
            let mut text = shown(i, w.value);
            if i.show_count
                && let Some(c) = w.count
            {
                text = format!("{text} ({})", model::grouped(c));
            }
            Cell {
                shown: text,
                value: Some(w.value),
                hidden: None,
                revised: w.revised,
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub label: String,
    pub cell: Cell,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub code: String,
    pub name: String,
    pub unit: Unit,
    /// The previous years, then the current period.
    pub cells: Vec<Cell>,
    /// "494.1 (2020/21)", or "Not benchmarked".
    pub england: String,
    pub neighbours: String,
    pub rag: Option<Rag>,
    pub target: Option<String>,
    pub travel: Option<Travel>,
    pub exception: Option<Exception>,
    /// The current period and the ones before it, oldest first, for the trend chart.
    pub trend: Vec<Point>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SectionCard {
    pub key: String,
    pub title: String,
    pub owner: String,
    /// The column headings: the previous years, then the current period.
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
    #[serde(default)]
    pub commentary: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Card {
    pub scorecard: String,
    pub title: String,
    pub period: String,
    pub ends: NaiveDate,
    pub sections: Vec<SectionCard>,
}

impl Card {
    /// Every indicator's current cell, for the open data and the API.
    pub fn rows(&self) -> impl Iterator<Item = (&SectionCard, &Row)> {
        self.sections
            .iter()
            .flat_map(|s| s.rows.iter().map(move |r| (s, r)))
    }
}

fn benchmark(i: &Indicator, s: Series) -> String {
    match i.benchmark(s) {
        Some(b) => format!("{} ({})", shown(i, super::format::milli(b.value)), b.year),
        None => "Not benchmarked".into(),
    }
}

/// How many periods a trend chart shows, the current one included.
pub const TREND: u32 = 8;

/// The days a scorecard for the period ending `ends` shows figures for: each section's previous
/// years, and the periods of the trend charts.
pub fn days(c: &Scorecard, ends: NaiveDate) -> std::collections::BTreeSet<NaiveDate> {
    let mut out: std::collections::BTreeSet<NaiveDate> =
        model::earlier_periods(ends, c.frequency, TREND - 1)
            .into_iter()
            .chain([ends])
            .collect();
    for s in &c.sections {
        out.extend(s.previous_years(c, ends));
    }
    out
}

/// The scorecard `c` for the period ending `ends`.
pub fn card(d: &Document, c: &Scorecard, ends: NaiveDate, inputs: &Inputs) -> Card {
    let mut hidden_cache: BTreeMap<NaiveDate, BTreeMap<String, Hidden>> = BTreeMap::new();
    let mut hidden = |on: NaiveDate| -> BTreeMap<String, Hidden> {
        hidden_cache
            .entry(on)
            .or_insert_with(|| hidden_on(d, on, inputs))
            .clone()
    };
    let trend_days: Vec<NaiveDate> = model::earlier_periods(ends, c.frequency, TREND - 1)
        .into_iter()
        .chain([ends])
        .collect();
    let now_hidden = hidden(ends);
    let trend_hidden: Vec<BTreeMap<String, Hidden>> =
        trend_days.iter().map(|t| hidden(*t)).collect();
    let sections = c
        .sections
        .iter()
        .map(|s| {
            let start = s.year_starts.unwrap_or(c.year_starts);
            let years = s.previous_years(c, ends);
            let year_hidden: Vec<BTreeMap<String, Hidden>> =
                years.iter().map(|y| hidden(*y)).collect();
            let mut columns: Vec<String> = years
                .iter()
                .map(|y| format!("{} actual", model::year_label(*y, start)))
                .collect();
            columns.push(model::period_label(ends, c.frequency, c.year_starts));
            let rows = s
                .indicators
                .iter()
                .filter_map(|code| d.indicator(code))
                .map(|i| {
                    let mut cells: Vec<Cell> = years
                        .iter()
                        .zip(&year_hidden)
                        .map(|(y, h)| cell(i, *y, inputs, h))
                        .collect();
                    let now = cell(i, ends, inputs, &now_hidden);
                    let trend: Vec<Point> = trend_days
                        .iter()
                        .zip(&trend_hidden)
                        .map(|(t, h)| Point {
                            label: model::period_label(*t, c.frequency, c.year_starts),
                            cell: if *t == ends {
                                now.clone()
                            } else {
                                cell(i, *t, inputs, h)
                            },
                        })
                        .collect();
                    let earlier: Vec<Cell> = trend[..trend.len() - 1]
                        .iter()
                        .map(|p| p.cell.clone())
                        .collect();
                    let (rag, travel, exception) = match now.value {
                        Some(v) => {
                            let rag = i
                                .target()
                                .zip(i.higher_is_better)
                                .map(|(t, up)| model::rag(v, t, i.tolerance(), up));
                            // Judged against the last earlier period with a figure; not at all
                            // when that one is hidden (the direction would give it away).
                            let before = earlier.iter().rev().find(|x| !x.is_missing());
                            let travel = before
                                .and_then(|b| b.value)
                                .map(|b| model::travel(b, v, i.higher_is_better));
                            let known: Vec<Milli> =
                                earlier.iter().filter_map(|x| x.value).collect();
                            let exception = if earlier.iter().any(|x| x.hidden.is_some()) {
                                None
                            } else {
                                model::exception(v, &known)
                            };
                            (rag, travel, exception)
                        }
                        None => (None, None, None),
                    };
                    cells.push(now);
                    Row {
                        code: i.code.clone(),
                        name: i.name.clone(),
                        unit: i.unit,
                        cells,
                        england: benchmark(i, Series::England),
                        neighbours: benchmark(i, Series::StatisticalNeighbours),
                        rag,
                        target: i.target().map(|t| shown(i, t)),
                        travel,
                        exception,
                        trend,
                    }
                })
                .collect();
            SectionCard {
                key: s.key.clone(),
                title: s.title.clone(),
                owner: s.owner.clone(),
                columns,
                rows,
                commentary: String::new(),
            }
        })
        .collect();
    Card {
        scorecard: c.key.clone(),
        title: c.title.clone(),
        period: model::period_label(ends, c.frequency, c.year_starts),
        ends,
        sections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scorecard::format::{Known, parse};

    const DOC: &str = r#"
schema = "masa-scorecard/1"

[[indicators]]
code = "referrals"
name = "Referrals"
unit = "count"
source = "council"
frequency = "quarterly"

[[indicators]]
code = "referrals-rate"
name = "Referrals rate"
unit = "rate"
source = "council"
frequency = "quarterly"
higher_is_better = false
target = 550.0
tolerance = 20.0
derived = { numerator = "referrals" }

[[indicators]]
code = "cla"
name = "Children looked after"
unit = "count"
source = "council"
frequency = "quarterly"

[[indicators]]
code = "fostering"
name = "Placed in foster care"
unit = "count"
source = "council"
frequency = "quarterly"
part_of = "cla"

[[indicators]]
code = "secure"
name = "Secure units"
unit = "count"
source = "council"
frequency = "quarterly"
part_of = "cla"

[[indicators]]
code = "parents"
name = "Placed with parents"
unit = "count"
source = "council"
frequency = "quarterly"
part_of = "cla"

[[indicators]]
code = "secure-share"
name = "Share in secure units"
unit = "percentage"
source = "council"
frequency = "quarterly"
derived = { numerator = "secure", denominator = "cla" }
show_count = true

[[scorecards]]
key = "c"
title = "Children"
frequency = "quarterly"

[[scorecards.sections]]
key = "referrals"
title = "Referrals"
indicators = ["referrals", "referrals-rate"]

[[scorecards.sections]]
key = "cla"
title = "Looked after"
indicators = ["cla", "fostering", "secure", "parents", "secure-share"]
"#;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("present")
    }

    fn doc() -> Document {
        parse(DOC.as_bytes(), &Known::default()).expect("present")
    }

    fn count(inputs: &mut Inputs, code: &str, on: NaiveDate, n: i64) {
        inputs.figures.insert(
            (code.into(), on),
            Stored {
                id: 1,
                numerator: Some(n),
                denominator: None,
                value: Some(Milli::whole(n)),
                revision: 1,
            },
        );
    }

    fn pop(year: i32, children: i64) -> Population {
        Population {
            year,
            children,
            source: String::new(),
            revised: None,
        }
    }

    #[test]
    fn the_population_of_a_rate_is_the_latest_estimate_by_the_day() {
        let p = vec![("a".to_owned(), vec![pop(2019, 52_898), pop(2020, 53_292)])];
        assert_eq!(children(&p, "", day(2020, 3, 31)), Some(52_898));
        assert_eq!(children(&p, "", day(2021, 3, 31)), Some(53_292));
        assert_eq!(children(&p, "", day(2019, 3, 31)), None);
        let two = vec![
            ("a".to_owned(), vec![pop(2019, 100)]),
            ("b".to_owned(), vec![pop(2019, 50)]),
        ];
        assert_eq!(children(&two, "", day(2020, 1, 1)), Some(150));
        assert_eq!(children(&two, "b", day(2020, 1, 1)), Some(50));
    }

    #[test]
    fn a_card_has_the_previous_years_the_period_and_its_judgements() {
        let d = doc();
        let mut inputs = Inputs {
            populations: vec![("a".into(), vec![pop(2019, 52_898), pop(2020, 53_292)])],
            ..Default::default()
        };
        count(&mut inputs, "referrals", day(2020, 3, 31), 3164);
        count(&mut inputs, "referrals", day(2021, 3, 31), 3616);
        count(&mut inputs, "referrals", day(2022, 3, 31), 3285);
        count(&mut inputs, "referrals", day(2022, 6, 30), 2806);
        let c = card(
            &d,
            d.scorecard("c").expect("present"),
            day(2022, 6, 30),
            &inputs,
        );
        assert_eq!(c.period, "Q1 2022/23");
        let s = &c.sections[0];
        assert_eq!(
            s.columns,
            [
                "2019/20 actual",
                "2020/21 actual",
                "2021/22 actual",
                "Q1 2022/23"
            ]
        );
        let shown: Vec<&str> = s.rows[1].cells.iter().map(|x| x.shown.as_str()).collect();
        assert_eq!(shown, ["598.1", "678.5", "616.4", "526.5"]);
        assert_eq!(s.rows[0].cells[3].shown, "2,806");
        // Lower is better and it fell: improving, and on target (550 or below).
        assert_eq!(s.rows[1].travel, Some(Travel::Better));
        assert_eq!(s.rows[1].rag, Some(Rag::Green));
        assert_eq!(s.rows[1].trend.len(), TREND as usize);
        assert_eq!(s.rows[1].trend.last().expect("present").label, "Q1 2022/23");
    }

    #[test]
    fn a_card_reads_back_exactly_as_it_was_stored() {
        let d = doc();
        let mut inputs = Inputs::default();
        let on = day(2022, 6, 30);
        count(&mut inputs, "cla", on, 493);
        count(&mut inputs, "secure", on, 3);
        count(&mut inputs, "referrals", day(2022, 3, 31), 3285);
        let c = card(&d, d.scorecard("c").expect("present"), on, &inputs);
        let json = serde_json::to_string(&c).expect("stored");
        let back: Card = serde_json::from_str(&json).expect("read back");
        assert_eq!(back, c);
        assert!(
            !json.contains("\"value\":3000"),
            "a hidden count is not in what is stored"
        );
    }

    #[test]
    fn small_numbers_are_hidden_with_the_cell_that_would_give_them_away() {
        let d = doc();
        let mut inputs = Inputs::default();
        let on = day(2022, 6, 30);
        count(&mut inputs, "cla", on, 493);
        count(&mut inputs, "fostering", on, 460);
        count(&mut inputs, "secure", on, 3);
        count(&mut inputs, "parents", on, 30);
        let c = card(&d, d.scorecard("c").expect("present"), on, &inputs);
        let rows = &c.sections[1].rows;
        let now = |k: usize| &rows[k].cells[3];
        assert_eq!(now(0).shown, "493");
        assert_eq!(now(2).shown, HIDDEN);
        assert_eq!(now(2).hidden, Some(Hidden::Small));
        assert_eq!(now(2).value, None, "the hidden number is not kept");
        // 30 is the next smallest: hidden too, or 3 = 493 - 460 - 30.
        assert_eq!(now(3).shown, HIDDEN);
        assert_eq!(now(3).hidden, Some(Hidden::Secondary));
        assert_eq!(now(1).shown, "460");
        // The share worked out from the small count is hidden with it.
        assert_eq!(now(4).shown, HIDDEN);
        // Nothing to compare: no direction shown for a hidden figure.
        assert_eq!(rows[2].travel, None);
    }

    #[test]
    fn a_share_shows_its_count_and_a_revision_is_marked() {
        let d = doc();
        let mut inputs = Inputs::default();
        let on = day(2022, 6, 30);
        count(&mut inputs, "cla", on, 493);
        count(&mut inputs, "fostering", on, 450);
        count(&mut inputs, "secure", on, 20);
        count(&mut inputs, "parents", on, 23);
        inputs
            .figures
            .get_mut(&("secure".to_owned(), on))
            .expect("present")
            .revision = 2;
        let c = card(&d, d.scorecard("c").expect("present"), on, &inputs);
        let share = &c.sections[1].rows[4].cells[3];
        assert_eq!(share.shown, "4.1% (20)");
        assert!(share.revised);
        assert!(!c.sections[1].rows[0].cells[3].revised);
        assert!(c.sections[1].rows[0].cells[0].is_missing());
    }
}
