//! The scorecard's arithmetic as pure functions: figures in exact thousandths, rates per
//! 10,000 children and percentages to one decimal place, small-number suppression (the
//! primary cell and the secondary one that would give it away), RAG against a target and
//! tolerance, direction of travel, the flag for a value outside its own recent range, and the
//! names of reporting periods. No database here.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// A figure in thousandths, so that 22.5% is 22_500 and 2,806 is 2_806_000: sums, comparisons
/// and rounding are exact on both databases and in every browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Milli(pub i64);

impl Milli {
    pub fn whole(n: i64) -> Milli {
        Milli(n.saturating_mul(1000))
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// Rounded half away from zero to `decimals` places (0 to 3), as text with thousands
    /// separators on the whole part: `2,806`, `526.5`, `22.5`.
    pub fn shown(self, decimals: u32) -> String {
        let decimals = decimals.min(3);
        let step = 10_i64.pow(3 - decimals);
        let negative = self.0 < 0;
        let abs = self.0.unsigned_abs() as i64;
        let rounded = (abs + step / 2) / step; // in units of 10^-decimals
        let scale = 10_i64.pow(decimals);
        let (whole, frac) = (rounded / scale, rounded % scale);
        let mut text = grouped(whole);
        if decimals > 0 {
            text.push('.');
            text.push_str(&format!("{frac:0width$}", width = decimals as usize));
        }
        if negative && rounded != 0 {
            text.insert(0, '-');
        }
        text
    }
}

/// 1234567 as "1,234,567".
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// `part / whole`, scaled by `scale`, rounded half up to tenths, in thousandths; `None` when
/// there is nothing to divide by.
fn tenths(part: i64, whole: i64, scale: i64) -> Option<Milli> {
    if whole <= 0 || part < 0 {
        return None;
    }
    let (part, whole) = (i128::from(part), i128::from(whole));
    let t = (part * i128::from(scale) * 10 * 2 + whole) / (2 * whole);
    i64::try_from(t * 100).ok().map(Milli)
}

/// A rate per 10,000 children aged 0 to 17, to one decimal place: 2,806 referrals among
/// 53,293 children is 526.5.
pub fn rate_per_10000(count: i64, children: i64) -> Option<Milli> {
    tenths(count, children, 10_000)
}

/// A percentage to one decimal place: 631 re-referrals of 2,806 referrals is 22.5%.
pub fn percentage(numerator: i64, denominator: i64) -> Option<Milli> {
    tenths(numerator, denominator, 100)
}

/// The small counts a rule hides, so that a child cannot be identified: DfE publications hide
/// 1 to 5; some partnerships (the Plymouth scorecard) hide below five.
pub fn is_small(count: i64, smallest_shown: i64) -> bool {
    (1..smallest_shown).contains(&count)
}

/// Why a cell is blank.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hidden {
    /// A small count, or a share or rate worked out from one.
    Small,
    /// Shown, it would let a reader work out a hidden count from the total.
    Secondary,
}

/// The parts of a published total (children looked after by placement type), each its count
/// when known and whether its own rule hides it as small. Returns which parts to hide: the
/// small ones, and, where exactly one part is hidden and the total is shown, the next smallest
/// part as well, as the DfE does, so that the hidden one cannot be found by subtracting the
/// others from the total.
///
/// The second cell hidden is the smallest count above zero: a reader knows a hidden cell is a
/// small number above zero, so hiding a 0 beside it would give nothing away. When the total is
/// itself hidden nothing can be subtracted from it, and no second cell is needed.
pub fn suppress_parts(parts: &[(Option<i64>, bool)], total_shown: bool) -> Vec<Option<Hidden>> {
    let mut hidden: Vec<Option<Hidden>> = parts
        .iter()
        .map(|(c, small)| (c.is_some() && *small).then_some(Hidden::Small))
        .collect();
    let primary = hidden.iter().filter(|h| h.is_some()).count();
    if primary == 1 && total_shown {
        let next = parts
            .iter()
            .enumerate()
            .filter(|(i, (c, _))| hidden[*i].is_none() && c.is_some_and(|c| c > 0))
            .min_by_key(|(i, (c, _))| (c.unwrap_or(i64::MAX), *i))
            .map(|(i, _)| i);
        if let Some(i) = next {
            hidden[i] = Some(Hidden::Secondary);
        }
    }
    hidden
}

/// Red, amber or green against a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rag {
    Green,
    Amber,
    Red,
}

impl Rag {
    pub fn words(self) -> &'static str {
        match self {
            Rag::Green => "On target",
            Rag::Amber => "Near target",
            Rag::Red => "Off target",
        }
    }

    /// The GOV.UK tag colour.
    pub fn tag(self) -> &'static str {
        match self {
            Rag::Green => "govuk-tag--green",
            Rag::Amber => "govuk-tag--yellow",
            Rag::Red => "govuk-tag--red",
        }
    }
}

/// Green when the value meets the target (at or above it where higher is better, at or below
/// it where lower is), amber when it misses by no more than the tolerance, red beyond.
pub fn rag(value: Milli, target: Milli, tolerance: Milli, higher_is_better: bool) -> Rag {
    let short = if higher_is_better {
        target.0 - value.0
    } else {
        value.0 - target.0
    };
    if short <= 0 {
        Rag::Green
    } else if short <= tolerance.0.abs() {
        Rag::Amber
    } else {
        Rag::Red
    }
}

/// How a value moved since the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Travel {
    Better,
    Worse,
    /// Up or down where neither is better (a count of children looked after).
    Up,
    Down,
    Same,
}

impl Travel {
    pub fn words(self) -> &'static str {
        match self {
            Travel::Better => "Improving",
            Travel::Worse => "Getting worse",
            Travel::Up => "Up",
            Travel::Down => "Down",
            Travel::Same => "No change",
        }
    }

    /// A mark people see beside the words (the words are always there too).
    pub fn arrow(self) -> &'static str {
        match self {
            Travel::Better | Travel::Worse => "",
            Travel::Up => "↑",
            Travel::Down => "↓",
            Travel::Same => "→",
        }
    }
}

/// The direction of travel from `before` to `now`, judged when the indicator says which way
/// is better.
pub fn travel(before: Milli, now: Milli, higher_is_better: Option<bool>) -> Travel {
    use std::cmp::Ordering::*;
    match (now.cmp(&before), higher_is_better) {
        (Equal, _) => Travel::Same,
        (Greater, Some(true)) | (Less, Some(false)) => Travel::Better,
        (Greater, Some(false)) | (Less, Some(true)) => Travel::Worse,
        (Greater, None) => Travel::Up,
        (Less, None) => Travel::Down,
    }
}

/// How many of an indicator's earlier values make its recent range, and how few are too few
/// to judge by.
pub const RECENT: usize = 6;
pub const RECENT_AT_LEAST: usize = 3;

/// A value outside its own recent range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exception {
    Above,
    Below,
}

impl Exception {
    pub fn words(self) -> &'static str {
        match self {
            Exception::Above => "Higher than any of its last values",
            Exception::Below => "Lower than any of its last values",
        }
    }
}

/// Whether `now` lies outside the range of the last [`RECENT`] values before it (oldest
/// first in `earlier`); nothing is flagged with fewer than [`RECENT_AT_LEAST`] to go on.
pub fn exception(now: Milli, earlier: &[Milli]) -> Option<Exception> {
    let recent = &earlier[earlier.len().saturating_sub(RECENT)..];
    if recent.len() < RECENT_AT_LEAST {
        return None;
    }
    let (lo, hi) = recent.iter().fold((i64::MAX, i64::MIN), |(lo, hi), v| {
        (lo.min(v.0), hi.max(v.0))
    });
    if now.0 > hi {
        Some(Exception::Above)
    } else if now.0 < lo {
        Some(Exception::Below)
    } else {
        None
    }
}

/// How often an indicator is counted, and so how a scorecard's periods are named.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Frequency {
    Monthly,
    Quarterly,
    Yearly,
}

impl Frequency {
    pub fn words(self) -> &'static str {
        match self {
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
            Frequency::Yearly => "yearly",
        }
    }

    fn months(self) -> u32 {
        match self {
            Frequency::Monthly => 1,
            Frequency::Quarterly => 3,
            Frequency::Yearly => 12,
        }
    }
}

/// The last day of the month `d` falls in.
pub fn month_end(d: NaiveDate) -> NaiveDate {
    let first = d.with_day(1).unwrap_or(d);
    first
        .checked_add_months(Months::new(1))
        .and_then(|n| n.pred_opt())
        .unwrap_or(d)
}

/// The year "2022/23" that a day falls in, for a year that starts in `start_month` (4 for the
/// financial year, 9 for the school year).
pub fn year_label(d: NaiveDate, start_month: u32) -> String {
    let first = if d.month() >= start_month {
        d.year()
    } else {
        d.year() - 1
    };
    if start_month == 1 {
        first.to_string()
    } else {
        format!("{first}/{:02}", (first + 1).rem_euclid(100))
    }
}

/// The last day of the year (as [`year_label`] counts years) that `d` falls in.
pub fn year_end(d: NaiveDate, start_month: u32) -> NaiveDate {
    let start_year = if d.month() >= start_month {
        d.year()
    } else {
        d.year() - 1
    };
    NaiveDate::from_ymd_opt(start_year + 1, start_month, 1)
        .and_then(|n| n.pred_opt())
        .unwrap_or(d)
}

/// The ends of the `n` whole years before the year `d` falls in, oldest first: for 30 June
/// 2022 in financial years, 31 March 2020, 2021 and 2022 (2019/20, 2020/21, 2021/22).
pub fn previous_year_ends(d: NaiveDate, start_month: u32, n: u32) -> Vec<NaiveDate> {
    let this = year_end(d, start_month);
    (1..=n)
        .rev()
        .filter_map(|k| this.checked_sub_months(Months::new(12 * k)).map(month_end))
        .collect()
}

/// Whether a day can end a period of this frequency in years starting in `start_month`: the
/// last day of a month, of a quarter of the year, or of the year.
pub fn ends_a_period(d: NaiveDate, f: Frequency, start_month: u32) -> bool {
    if month_end(d) != d {
        return false;
    }
    let since_start = (d.month() + 12 - start_month) % 12 + 1; // 1 = the year's first month
    since_start.is_multiple_of(f.months())
}

/// A period's name: "Q1 2022/23" for the quarter ending 30 June 2022 in financial years,
/// "2021/22" for the year ending 31 March 2022, "June 2022" for a month.
pub fn period_label(ends: NaiveDate, f: Frequency, start_month: u32) -> String {
    match f {
        Frequency::Monthly => ends.format("%B %Y").to_string(),
        Frequency::Yearly => year_label(ends, start_month),
        Frequency::Quarterly => {
            let since_start = (ends.month() + 12 - start_month) % 12; // 0 = first month
            format!("Q{} {}", since_start / 3 + 1, year_label(ends, start_month))
        }
    }
}

/// The ends of the periods before `ends` (newest last), `n` of them, one `f` apart.
pub fn earlier_periods(ends: NaiveDate, f: Frequency, n: u32) -> Vec<NaiveDate> {
    (1..=n)
        .rev()
        .filter_map(|k| {
            ends.checked_sub_months(Months::new(f.months() * k))
                .map(month_end)
        })
        .collect()
}

/// Whether late figures are to be chased on `day`: the due day has passed, and the last chase
/// (if any) was at least `every` working days ago.
pub fn chase_owed(
    due_on: NaiveDate,
    chased_on: Option<NaiveDate>,
    day: NaiveDate,
    every: i64,
    cal: &crate::calendar::working_days::Calendar,
) -> bool {
    day > due_on && chased_on.is_none_or(|c| cal.working_days_between(c, day) >= every)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("present")
    }

    #[test]
    fn rates_per_10000_are_to_one_decimal_place() {
        // The Plymouth Q1 2022/23 scorecard, with the child population behind its rates.
        assert_eq!(
            rate_per_10000(2806, 53_293).expect("present").shown(1),
            "526.5"
        );
        assert_eq!(
            rate_per_10000(247, 53_293).expect("present").shown(1),
            "46.3"
        );
        assert_eq!(
            rate_per_10000(858, 53_293).expect("present").shown(1),
            "161.0"
        );
        assert_eq!(
            rate_per_10000(493, 53_293).expect("present").shown(1),
            "92.5"
        );
        // 2019/20 on the mid-2019 estimate.
        assert_eq!(
            rate_per_10000(3164, 52_898).expect("present").shown(1),
            "598.1"
        );
        assert_eq!(
            rate_per_10000(310, 52_898).expect("present").shown(1),
            "58.6"
        );
        // Half rounds up: 1 in 20,000 is 0.5 per 10,000.
        assert_eq!(rate_per_10000(1, 20_000).expect("present").shown(1), "0.5");
        assert_eq!(rate_per_10000(1, 0), None);
        assert_eq!(rate_per_10000(-1, 10), None);
    }

    #[test]
    fn percentages_are_to_one_decimal_place() {
        assert_eq!(percentage(631, 2806).expect("present").shown(1), "22.5");
        assert_eq!(percentage(20, 247).expect("present").shown(1), "8.1");
        assert_eq!(percentage(99, 247).expect("present").shown(1), "40.1");
        assert_eq!(percentage(181, 493).expect("present").shown(1), "36.7");
        assert_eq!(percentage(1, 8).expect("present").shown(1), "12.5");
        assert_eq!(percentage(0, 0), None);
    }

    #[test]
    fn figures_are_shown_with_separators_and_rounded_half_away() {
        assert_eq!(Milli::whole(2806).shown(0), "2,806");
        assert_eq!(Milli(1_234_567_890).shown(0), "1,234,568");
        assert_eq!(Milli(22_450).shown(1), "22.5");
        assert_eq!(Milli(-22_450).shown(1), "-22.5");
        assert_eq!(Milli(-40).shown(1), "0.0");
        assert_eq!(Milli(48_500).shown(1), "48.5");
        assert_eq!(grouped(-1000), "-1,000");
    }

    /// The counts with the DfE's rule (1 to 5 hidden).
    fn dfe(counts: &[Option<i64>]) -> Vec<(Option<i64>, bool)> {
        counts
            .iter()
            .map(|c| (*c, c.is_some_and(|c| is_small(c, 6))))
            .collect()
    }

    #[test]
    fn small_counts_are_hidden_and_a_second_cell_with_them() {
        // Placement types of children looked after, with one small one.
        let parts = dfe(&[
            Some(332),
            Some(57),
            Some(36),
            Some(11),
            Some(3),
            Some(24),
            Some(28),
            Some(0),
        ]);
        let h = suppress_parts(&parts, true);
        assert_eq!(h[4], Some(Hidden::Small));
        // 11 is the smallest count above zero: hidden too, or 3 = total - the rest.
        assert_eq!(h[3], Some(Hidden::Secondary));
        assert_eq!(h.iter().filter(|x| x.is_some()).count(), 2);
        // The zero stays: a hidden cell is known to be above zero, so it could not be the 0.
        assert_eq!(h[7], None);
    }

    #[test]
    fn no_second_cell_when_two_are_small_or_the_total_is_hidden() {
        let two = suppress_parts(&dfe(&[Some(2), Some(4), Some(40)]), true);
        assert_eq!(two, vec![Some(Hidden::Small), Some(Hidden::Small), None]);
        let no_total = suppress_parts(&dfe(&[Some(2), Some(40)]), false);
        assert_eq!(no_total, vec![Some(Hidden::Small), None]);
        let none = suppress_parts(&dfe(&[Some(0), Some(6), None]), true);
        assert_eq!(none, vec![None, None, None]);
        // Ties go to the first.
        let tie = suppress_parts(&dfe(&[Some(9), Some(5), Some(9)]), true);
        assert_eq!(
            tie,
            vec![Some(Hidden::Secondary), Some(Hidden::Small), None]
        );
        assert!(!is_small(0, 6) && is_small(1, 6) && is_small(5, 6) && !is_small(6, 6));
        // Below five: 5 is shown.
        assert!(is_small(4, 5) && !is_small(5, 5));
    }

    #[test]
    fn rag_against_target_and_tolerance() {
        let t = Milli(22_000);
        let tol = Milli(1_000);
        // Re-referrals: lower is better.
        assert_eq!(rag(Milli(21_000), t, tol, false), Rag::Green);
        assert_eq!(rag(Milli(22_000), t, tol, false), Rag::Green);
        assert_eq!(rag(Milli(23_000), t, tol, false), Rag::Amber);
        assert_eq!(rag(Milli(23_001), t, tol, false), Rag::Red);
        // Education, employment and training: higher is better.
        assert_eq!(
            rag(Milli(90_600), Milli(93_600), Milli(2_000), true),
            Rag::Red
        );
        assert_eq!(
            rag(Milli(92_000), Milli(93_600), Milli(2_000), true),
            Rag::Amber
        );
        assert_eq!(
            rag(Milli(94_000), Milli(93_600), Milli(2_000), true),
            Rag::Green
        );
    }

    #[test]
    fn direction_of_travel() {
        assert_eq!(
            travel(Milli(22_600), Milli(22_500), Some(false)),
            Travel::Better
        );
        assert_eq!(
            travel(Milli(22_600), Milli(22_700), Some(false)),
            Travel::Worse
        );
        assert_eq!(
            travel(Milli(90_000), Milli(91_000), Some(true)),
            Travel::Better
        );
        assert_eq!(travel(Milli(490), Milli(493), None), Travel::Up);
        assert_eq!(travel(Milli(490), Milli(480), None), Travel::Down);
        assert_eq!(travel(Milli(5), Milli(5), Some(true)), Travel::Same);
    }

    #[test]
    fn a_value_outside_its_recent_range_is_flagged() {
        let earlier: Vec<Milli> = [300, 310, 320, 305, 315, 400, 330]
            .iter()
            .map(|v| Milli::whole(*v))
            .collect();
        // The last six run from 305 to 400; the 300 before them is not recent.
        assert_eq!(
            exception(Milli::whole(401), &earlier),
            Some(Exception::Above)
        );
        assert_eq!(
            exception(Milli::whole(304), &earlier),
            Some(Exception::Below)
        );
        assert_eq!(exception(Milli::whole(305), &earlier), None);
        assert_eq!(
            exception(Milli::whole(300), &earlier),
            Some(Exception::Below)
        );
        assert_eq!(exception(Milli::whole(350), &earlier), None);
        // Too few to judge.
        assert_eq!(exception(Milli::whole(999), &earlier[..2]), None);
    }

    #[test]
    fn periods_are_named_as_the_partnership_names_them() {
        assert_eq!(
            period_label(day(2022, 6, 30), Frequency::Quarterly, 4),
            "Q1 2022/23"
        );
        assert_eq!(
            period_label(day(2023, 3, 31), Frequency::Quarterly, 4),
            "Q4 2022/23"
        );
        assert_eq!(
            period_label(day(2022, 12, 31), Frequency::Quarterly, 4),
            "Q3 2022/23"
        );
        assert_eq!(
            period_label(day(2022, 3, 31), Frequency::Yearly, 4),
            "2021/22"
        );
        assert_eq!(
            period_label(day(2022, 8, 31), Frequency::Yearly, 9),
            "2021/22"
        );
        assert_eq!(
            period_label(day(2022, 12, 31), Frequency::Yearly, 1),
            "2022"
        );
        assert_eq!(
            period_label(day(2022, 6, 30), Frequency::Monthly, 4),
            "June 2022"
        );
        assert_eq!(year_label(day(2000, 1, 1), 4), "1999/00");
    }

    #[test]
    fn the_previous_years_of_a_quarter() {
        assert_eq!(
            previous_year_ends(day(2022, 6, 30), 4, 3),
            vec![day(2020, 3, 31), day(2021, 3, 31), day(2022, 3, 31)]
        );
        // A year-end itself: the three before it.
        assert_eq!(
            previous_year_ends(day(2022, 3, 31), 4, 1),
            vec![day(2021, 3, 31)]
        );
        assert_eq!(
            earlier_periods(day(2022, 6, 30), Frequency::Quarterly, 2),
            vec![day(2021, 12, 31), day(2022, 3, 31)]
        );
        assert_eq!(
            earlier_periods(day(2024, 3, 31), Frequency::Monthly, 1),
            vec![day(2024, 2, 29)]
        );
    }

    #[test]
    fn late_figures_are_chased_once_a_week() {
        let cal = crate::calendar::working_days::Calendar::default();
        let due = day(2022, 7, 29); // a Friday
        assert!(!chase_owed(due, None, due, 5, &cal));
        assert!(chase_owed(due, None, day(2022, 8, 1), 5, &cal));
        assert!(!chase_owed(
            due,
            Some(day(2022, 8, 1)),
            day(2022, 8, 5),
            5,
            &cal
        ));
        assert!(chase_owed(
            due,
            Some(day(2022, 8, 1)),
            day(2022, 8, 8),
            5,
            &cal
        ));
    }

    #[test]
    fn which_days_end_a_period() {
        assert!(ends_a_period(day(2022, 6, 30), Frequency::Quarterly, 4));
        assert!(!ends_a_period(day(2022, 5, 31), Frequency::Quarterly, 4));
        assert!(!ends_a_period(day(2022, 6, 29), Frequency::Monthly, 4));
        assert!(ends_a_period(day(2022, 5, 31), Frequency::Monthly, 4));
        assert!(ends_a_period(day(2022, 3, 31), Frequency::Yearly, 4));
        assert!(!ends_a_period(day(2022, 6, 30), Frequency::Yearly, 4));
        assert!(ends_a_period(day(2022, 8, 31), Frequency::Yearly, 9));
    }
}
