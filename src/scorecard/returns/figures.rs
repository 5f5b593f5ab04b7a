//! Which of a return's counts an indicator takes: an indicator says `from_return =
//! "cin.referrals"` in the scorecard document, and an import records that count as the
//! indicator's figure for the return's reference date. Pure: the key's words and the count.

use super::{CinFigures, LacFigures};

/// The two returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Return {
    /// The children in need census.
    #[serde(rename = "cin")]
    Cin,
    /// The SSDA903 children looked after return.
    #[serde(rename = "903")]
    Lac,
}

impl Return {
    /// How an import of it is recorded: `cin` or `903`.
    pub fn key(self) -> &'static str {
        match self {
            Return::Cin => "cin",
            Return::Lac => "903",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Return::Cin => "children in need census",
            Return::Lac => "SSDA903 children looked after return",
        }
    }
}

/// One count a return gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    Referrals,
    /// Of the referrals.
    ReReferrals,
    ChildrenInNeed,
    CpPlans,
    /// Of the plans: NEG, PHY, SAB, EMO or MUL.
    CpCategory(&'static str),
    CpStarted,
    /// Of the plans started: those for a child who had a plan before.
    CpRepeat,
    LookedAfter,
    /// Of the children looked after with a placement postcode.
    PlacedOutside,
    PlacedInside,
    /// Of the children looked after: those whose placement is one of these PLACE codes.
    Placements(Vec<String>),
}

/// A count, or a count of a whole (from which a percentage is worked out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted {
    Count(i64),
    Share { part: i64, whole: i64 },
}

impl Counted {
    /// The count itself (the part of a share).
    pub fn count(self) -> i64 {
        match self {
            Counted::Count(n) | Counted::Share { part: n, .. } => n,
        }
    }
}

const CATEGORIES: &[(&str, &str)] = &[
    ("neglect", "NEG"),
    ("physical", "PHY"),
    ("sexual", "SAB"),
    ("emotional", "EMO"),
    ("multiple", "MUL"),
];

/// Every key, for the message that lists them.
pub const KEYS: &str = "cin.referrals, cin.re-referrals, cin.children-in-need, cin.cp-plans, \
    cin.cp-neglect, cin.cp-physical, cin.cp-sexual, cin.cp-emotional, cin.cp-multiple, \
    cin.cp-started, cin.cp-repeat, 903.looked-after, 903.placed-outside, 903.placed-inside, \
    903.placement:CODE,CODE...";

impl Key {
    /// Reads `cin.referrals`, `903.placement:U1,U2`; `Err` says what is wrong.
    pub fn parse(text: &str) -> Result<Key, String> {
        let unknown = || format!("{text:?} is not a count a return gives; one of {KEYS}");
        if let Some(codes) = text.strip_prefix("903.placement:") {
            let codes: Vec<String> = codes.split(',').map(|c| c.trim().to_owned()).collect();
            if let Some(bad) = codes.iter().find(|c| !super::ssda903::is_place_code(c)) {
                return Err(format!(
                    "{text:?}: {bad:?} is not an SSDA903 placement (PLACE) code"
                ));
            }
            return Ok(Key::Placements(codes));
        }
        let key = match text {
            "cin.referrals" => Key::Referrals,
            "cin.re-referrals" => Key::ReReferrals,
            "cin.children-in-need" => Key::ChildrenInNeed,
            "cin.cp-plans" => Key::CpPlans,
            "cin.cp-started" => Key::CpStarted,
            "cin.cp-repeat" => Key::CpRepeat,
            "903.looked-after" => Key::LookedAfter,
            "903.placed-outside" => Key::PlacedOutside,
            "903.placed-inside" => Key::PlacedInside,
            _ => {
                let category = text
                    .strip_prefix("cin.cp-")
                    .and_then(|c| CATEGORIES.iter().find(|(w, _)| *w == c));
                match category {
                    Some((_, code)) => Key::CpCategory(code),
                    None => return Err(unknown()),
                }
            }
        };
        Ok(key)
    }

    pub fn of_return(&self) -> Return {
        match self {
            Key::Referrals
            | Key::ReReferrals
            | Key::ChildrenInNeed
            | Key::CpPlans
            | Key::CpCategory(_)
            | Key::CpStarted
            | Key::CpRepeat => Return::Cin,
            _ => Return::Lac,
        }
    }

    /// Whether it is a part of a whole (so it can give a percentage).
    pub fn is_share(&self) -> bool {
        matches!(
            self,
            Key::ReReferrals
                | Key::CpCategory(_)
                | Key::CpRepeat
                | Key::PlacedOutside
                | Key::PlacedInside
                | Key::Placements(_)
        )
    }

    /// The census's count; `None` for a key of the other return.
    pub fn of_cin(&self, f: &CinFigures) -> Option<Counted> {
        Some(match self {
            Key::Referrals => Counted::Count(f.referrals_12_months),
            Key::ReReferrals => Counted::Share {
                part: f.re_referrals_12_months,
                whole: f.referrals_12_months,
            },
            Key::ChildrenInNeed => Counted::Count(f.children_in_need_at_date),
            Key::CpPlans => Counted::Count(f.cp_plans_at_date),
            Key::CpCategory(c) => Counted::Share {
                part: f.cp_by_category.get(*c).copied().unwrap_or(0),
                whole: f.cp_plans_at_date,
            },
            Key::CpStarted => Counted::Count(f.cp_started_12_months),
            Key::CpRepeat => Counted::Share {
                part: f.cp_started_with_previous_plan,
                whole: f.cp_started_12_months,
            },
            _ => return None,
        })
    }

    /// The 903's count; `None` for a key of the other return.
    pub fn of_903(&self, f: &LacFigures) -> Option<Counted> {
        Some(match self {
            Key::LookedAfter => Counted::Count(f.looked_after_at_date),
            // Children with no placement postcode are neither inside nor outside.
            Key::PlacedOutside => Counted::Share {
                part: f.placed_outside,
                whole: f.placed_outside + f.placed_inside,
            },
            Key::PlacedInside => Counted::Share {
                part: f.placed_inside,
                whole: f.placed_outside + f.placed_inside,
            },
            Key::Placements(codes) => Counted::Share {
                part: codes.iter().filter_map(|c| f.placement_types.get(c)).sum(),
                whole: f.looked_after_at_date,
            },
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::NaiveDate;

    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 31).expect("a date")
    }

    fn census() -> CinFigures {
        CinFigures {
            reference_date: day(),
            children: 5000,
            referrals_12_months: 2806,
            re_referrals_12_months: 631,
            children_in_need_at_date: 2400,
            cp_plans_at_date: 247,
            cp_by_category: BTreeMap::from([("NEG".into(), 99), ("EMO".into(), 120)]),
            cp_started_12_months: 300,
            cp_started_with_previous_plan: 60,
        }
    }

    fn lac() -> LacFigures {
        LacFigures {
            reference_date: day(),
            children: 700,
            episodes: 2000,
            looked_after_at_date: 493,
            placement_types: BTreeMap::from([
                ("U1".into(), 100),
                ("U4".into(), 200),
                ("K2".into(), 40),
            ]),
            placed_outside: 181,
            placed_inside: 300,
            postcode_unknown: 12,
        }
    }

    #[test]
    fn keys_read_and_say_which_return() {
        assert_eq!(Key::parse("cin.referrals"), Ok(Key::Referrals));
        assert_eq!(Key::parse("cin.cp-neglect"), Ok(Key::CpCategory("NEG")));
        assert_eq!(
            Key::parse("903.placement:U1, U4"),
            Ok(Key::Placements(vec!["U1".into(), "U4".into()]))
        );
        assert_eq!(
            Key::parse("903.looked-after").map(|k| k.of_return()),
            Ok(Return::Lac)
        );
        assert_eq!(
            Key::parse("cin.cp-repeat").map(|k| k.of_return()),
            Ok(Return::Cin)
        );
        let bad = Key::parse("cin.referals").expect_err("a misspelling");
        assert!(bad.contains("cin.referrals, cin.re-referrals"), "{bad}");
        let bad = Key::parse("903.placement:U1,XX").expect_err("not a code");
        assert!(bad.contains("\"XX\" is not an SSDA903 placement"), "{bad}");
        assert!(Key::parse("903.placement:").is_err());
        assert!(Key::parse("cin.cp-").is_err());
    }

    #[test]
    fn a_return_is_recorded_by_the_same_key_everywhere() {
        for r in [Return::Cin, Return::Lac] {
            let json = serde_json::to_string(&r).expect("json");
            assert_eq!(json, format!("\"{}\"", r.key()));
        }
    }

    #[test]
    fn counts_come_from_their_return_only() {
        let (c, l) = (census(), lac());
        assert_eq!(Key::Referrals.of_cin(&c), Some(Counted::Count(2806)));
        assert_eq!(
            Key::ReReferrals.of_cin(&c),
            Some(Counted::Share {
                part: 631,
                whole: 2806
            })
        );
        assert_eq!(Key::Referrals.of_903(&l), None);
        assert_eq!(Key::LookedAfter.of_cin(&c), None);
        // A category no plan has counts 0 of the plans.
        assert_eq!(
            Key::CpCategory("SAB").of_cin(&c),
            Some(Counted::Share {
                part: 0,
                whole: 247
            })
        );
        assert_eq!(
            Key::CpRepeat.of_cin(&c),
            Some(Counted::Share {
                part: 60,
                whole: 300
            })
        );
    }

    #[test]
    fn placements_add_their_codes_and_outside_leaves_out_unknown_postcodes() {
        let l = lac();
        assert_eq!(
            Key::Placements(vec!["U1".into(), "U4".into(), "U6".into()]).of_903(&l),
            Some(Counted::Share {
                part: 300,
                whole: 493
            })
        );
        assert_eq!(
            Key::PlacedOutside.of_903(&l),
            Some(Counted::Share {
                part: 181,
                whole: 481
            })
        );
        assert_eq!(Key::PlacedInside.of_903(&l).map(Counted::count), Some(300));
        assert!(Key::PlacedOutside.is_share() && !Key::LookedAfter.is_share());
    }
}
