//! `masa demo`: a fresh database with three example partnerships (from the published documents in
//! shared/seeds) and a person in every role, so the product can be tried at once.

use crate::accounts::model::{Email, Role, hash_password, new_recovery_codes, totp};
use crate::accounts::store as accounts;
use crate::config::Config;
use crate::partnerships::store as partnerships;
use crate::state::AppState;
use crate::store::{Actor, PartnershipId, Tx};

/// The demo's one password (it is a demo: every account shares it).
pub const DEMO_PASSWORD: &str = "demo-password-2026";

/// A demo account and what signing in as it needs.
pub struct DemoUser {
    pub email: &'static str,
    pub name: &'static str,
    pub what: &'static str,
    pub totp_secret: Option<String>,
    pub recovery_codes: Vec<String>,
}

pub struct DemoPartnership {
    pub id: PartnershipId,
    pub slug: &'static str,
    pub name: &'static str,
}

pub struct Demo {
    pub partnerships: Vec<DemoPartnership>,
    pub users: Vec<DemoUser>,
}

const PARTNERSHIPS: &[(&str, &str, &str, &str)] = &[
    (
        "plymouth",
        "Plymouth Safeguarding Children Partnership",
        "pscp@plymouth.gov.uk",
        "If you're worried about a child or young person or think they're being abused, even if you're unsure, call 01752 668000 or email gateway@plymouth.gov.uk.\nOutside normal working hours call Plymouth Out of Hours Service on 01752 346984.",
    ),
    (
        "portsmouth",
        "Portsmouth Safeguarding Children Partnership",
        "",
        "",
    ),
    (
        "derby-derbyshire",
        "Derby and Derbyshire Safeguarding Children Partnership",
        "",
        "",
    ),
];

/// (email, name, what, partnership memberships, host?, two-factor?)
type UserSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(usize, Role, &'static str)],
    bool,
    bool,
);

const USERS: &[UserSpec] = &[
    (
        "host@masa.example",
        "Hosting Administrator",
        "system administrator (the host)",
        &[],
        true,
        true,
    ),
    (
        "business.unit@plymouth.example",
        "Jo Business-Unit",
        "partnership administrator in Plymouth and Portsmouth (try the switcher)",
        &[
            (
                0,
                Role::PartnershipAdmin,
                "Plymouth Safeguarding Children Partnership business unit",
            ),
            (
                1,
                Role::PartnershipAdmin,
                "Portsmouth Safeguarding Children Partnership business unit",
            ),
        ],
        false,
        true,
    ),
    (
        "scrutineer@plymouth.example",
        "Sam Scrutineer",
        "independent scrutineer in Plymouth",
        &[(0, Role::Scrutineer, "Independent Quality Assurance Lead")],
        false,
        true,
    ),
    (
        "member@plymouth.example",
        "Morgan Member",
        "member of a body in Plymouth",
        &[(0, Role::Member, "Devon and Cornwall Police")],
        false,
        true,
    ),
    (
        "practitioner@plymouth.example",
        "Pat Practitioner",
        "practitioner in Plymouth (no two-factor)",
        &[(
            0,
            Role::Practitioner,
            "University Hospitals Plymouth NHS Trust",
        )],
        false,
        false,
    ),
    (
        "admin@derby.example",
        "Dee Derby",
        "partnership administrator in Derby and Derbyshire",
        &[(
            2,
            Role::PartnershipAdmin,
            "Derby and Derbyshire Safeguarding Children Partnership business unit",
        )],
        false,
        true,
    ),
];

/// An example file the demo could not read, with every problem in it.
fn unreadable(path: &str, problems: &[impl std::fmt::Display]) -> anyhow::Error {
    let all: Vec<String> = problems.iter().map(ToString::to_string).collect();
    anyhow::anyhow!("{path}: {}", all.join("; "))
}

/// Fill an empty database with the demo content.
pub async fn seed(state: &AppState) -> anyhow::Result<Demo> {
    let actor = Actor::system("masa demo");
    let err = |e: crate::web::error::AppError| anyhow::anyhow!(e.to_string());
    let mut tx = Tx::begin(&state.db, &actor).await?;
    let mut ps = Vec::new();
    for (slug, name, contact, worried) in PARTNERSHIPS {
        let id = partnerships::create(&mut tx, slug, name)
            .await
            .map_err(err)?;
        ps.push(DemoPartnership { id, slug, name });
        tx.execute_seed(
            "UPDATE partnerships SET contact_email = $1, worried_contact = $2 WHERE id = $3",
            crate::args![*contact, *worried, id],
        )
        .await?;
    }
    let hash = hash_password(DEMO_PASSWORD).map_err(anyhow::Error::msg)?;
    let mut users = Vec::new();
    for (email, name, what, memberships, host, two_factor) in USERS {
        let e = Email::parse(email).map_err(anyhow::Error::msg)?;
        let uid = accounts::create_user(&mut tx, &e, name, Some(&hash), *host)
            .await
            .map_err(err)?;
        for (i, role, org) in *memberships {
            accounts::add_membership(&mut tx, ps[*i].id, uid, *role, org)
                .await
                .map_err(err)?;
        }
        let (mut secret, mut codes) = (None, Vec::new());
        if *two_factor {
            let s = totp::new_secret();
            codes = new_recovery_codes();
            accounts::enable_totp(&mut tx, &state.secrets, uid, email, &s, 0, &codes)
                .await
                .map_err(err)?;
            secret = Some(s);
        }
        users.push(DemoUser {
            email,
            name,
            what,
            totp_secret: secret,
            recovery_codes: codes,
        });
    }
    tx.commit().await?;
    // An invitation waiting to be accepted, so the outbox has a message in it.
    let invitee = Email::parse("new.starter@plymouth.example").map_err(anyhow::Error::msg)?;
    crate::accounts::invite(
        state,
        &actor,
        Some((ps[0].id, ps[0].name)),
        &invitee,
        "Nia New-Starter",
        Some(Role::Practitioner),
        "Livewell Southwest",
    )
    .await
    .map_err(err)?;
    Ok(Demo {
        partnerships: ps,
        users,
    })
}

#[derive(rust_embed::RustEmbed)]
#[folder = "examples/arrangements/"]
struct ExampleArrangements;

/// Import the example arrangements files (examples/arrangements, built into the binary) into
/// the partnerships of the same slug. Returns the slugs imported.
pub async fn seed_arrangements(state: &AppState) -> anyhow::Result<Vec<String>> {
    let actor = Actor::system("masa demo");
    let mut done = Vec::new();
    let mut names: Vec<_> = ExampleArrangements::iter()
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    for name in names {
        let Some(file) = ExampleArrangements::get(&name) else {
            continue;
        };
        let read = crate::arrangements::model::read(&file.data)
            .map_err(|problems| unreadable(&format!("examples/arrangements/{name}"), &problems))?;
        crate::arrangements::store::import_file(&state.db, &actor, &read)
            .await
            .map_err(|e| anyhow::anyhow!(e.to_string()))?;
        done.push(read.arrangements.partnership.slug.clone());
    }
    Ok(done)
}

#[derive(rust_embed::RustEmbed)]
#[folder = "examples/scorecard/"]
struct ExampleScorecards;

/// The commentary of the Q1 2022/23 Plymouth scorecard, as the paper printed it.
const PLYMOUTH_Q1_COMMENTARY: &[(&str, &str)] = &[
    (
        "referrals",
        "In the 12 months to the end of quarter one, the Plymouth Referrals and Assessment Service (PRAS) received 2,806 referrals, this is 861 less than the 12 months to June 2021 and 434 less than the 12 months to June 2020. At a rate per 10,000 children (enabling comparisons against other authorities) Plymouth is reporting at 526.5 at the end of quarter one.\n\nThe proportion of re-referrals received (where a referral had been received for the same child in the 12 months prior) has seen an improvement. The end of quarter one position was reported at 22.5%, down 1.3 percentage points from Plymouth's published 2020/21 figure and 0.1 on the provisional figure for 2021/22.",
    ),
    (
        "child-protection",
        "At the end of quarter one (30 June 2022) there were 247 children who were subject to a Child Protect Plan. This is a rate of 46.3 children per 10,000 children, which is lower than the 2021/22 position due to be published in December 2022. The rate per 10,000 children is currently between the England and Statistical Neighbour averages, which represents some positive progress.",
    ),
    (
        "looked-after",
        "On the 30 June 2022, there were 493 children/young people who are children in care. This is an increase of three children on the end of 2021/22 and only eight more children than the published figure for the end of 2020/21.\n\n312 (63.3%) of children in care are placed within the city, the remaining 181 children (36.7%) are placed outside of the city. This measure is simply based on the postcode of the child's placement address. Those not within PL1 to PL7 or PL9 are considered outside of the city.",
    ),
];

/// The example scorecard documents (examples/scorecard), each with the figures in
/// `SLUG-figures.csv` beside it: for Plymouth, the Q1 2022/23 scorecard as the paper printed
/// it, published, with its commentary; the business unit named to send the council's figures;
/// and the latest quarter asked for. Returns the slugs.
pub async fn seed_scorecard(state: &AppState) -> anyhow::Result<Vec<String>> {
    use crate::scorecard::{entries, format, model, store};
    let actor = Actor::system("masa demo");
    let err = |e: crate::web::error::AppError| anyhow::anyhow!(e.to_string());
    let mut done = Vec::new();
    let mut names: Vec<_> = ExampleScorecards::iter()
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    for name in names {
        let slug = name.trim_end_matches(".toml");
        let (Some(file), Some(p)) = (
            ExampleScorecards::get(&name),
            crate::partnerships::store::by_slug(&state.db, slug).await?,
        ) else {
            continue;
        };
        let pid = PartnershipId(p.id);
        let known = crate::scorecard::known(state, pid).await.map_err(err)?;
        let d = format::parse(&file.data, &known)
            .map_err(|problems| unreadable(&format!("examples/scorecard/{name}"), &problems))?;
        let text = String::from_utf8_lossy(&file.data).into_owned();
        store::import(
            &state.db,
            &actor,
            pid,
            &d,
            &text,
            &format!("imported from {name}"),
        )
        .await?;
        if let Some(figures) = ExampleScorecards::get(&format!("{slug}-figures.csv")) {
            let sent: Vec<&format::Indicator> = d
                .all_indicators()
                .filter(|i| i.input() != format::Input::Derived)
                .collect();
            let rows = entries::read_history(&sent, &figures.data).map_err(|problems| {
                unreadable(&format!("examples/scorecard/{slug}-figures.csv"), &problems)
            })?;
            let by_day = crate::scorecard::history::by_day_and_source(&sent, rows);
            store::record_many(&state.db, &actor, pid, &by_day, "history", "").await?;
        }
        if let Some(c) = d.scorecards.first().map(|s| s.get_ref()) {
            let q1 = chrono::NaiveDate::from_ymd_opt(2022, 6, 30).unwrap_or_default();
            let due = chrono::NaiveDate::from_ymd_opt(2022, 8, 31).unwrap_or_default();
            let label = model::period_label(q1, c.frequency, c.year_starts);
            if let Some(id) =
                store::open_period(&state.db, &actor, pid, &c.key, q1, &label, due).await?
            {
                let period = store::period(&state.db, pid, id)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("period"))?;
                if slug == "plymouth" {
                    for (section, text) in PLYMOUTH_Q1_COMMENTARY {
                        store::save_commentary(&state.db, &actor, pid, &period, section, text, 0)
                            .await?;
                    }
                }
                let inputs = store::inputs(&state.db, pid, &crate::scorecard::card::days(c, q1))
                    .await
                    .map_err(err)?;
                let mut card = crate::scorecard::card::card(&d, c, q1, &inputs);
                let notes = store::commentaries(&state.db, pid, id).await?;
                for s in &mut card.sections {
                    if let Some((t, _)) = notes.get(&s.key) {
                        s.commentary.clone_from(t);
                    }
                }
                store::publish(&state.db, &actor, pid, &period, &card).await?;
            }
            // The business unit sends the council's figures, and the latest quarter is asked for.
            if let Some((u, _)) =
                crate::accounts::store::user_by_email(&state.db, "business.unit@plymouth.example")
                    .await?
            {
                for org in d
                    .all_indicators()
                    .map(|i| i.source.clone())
                    .collect::<std::collections::BTreeSet<_>>()
                {
                    store::add_submitter(&state.db, &actor, pid, &org, (u.id, &u.name)).await?;
                }
            }
            let today = crate::calendar::today();
            let latest = (0..13)
                .filter_map(|k| {
                    today
                        .checked_sub_months(chrono::Months::new(k))
                        .map(model::month_end)
                })
                .find(|e| model::ends_a_period(*e, c.frequency, c.year_starts) && *e < today);
            if let Some(ends) = latest {
                let cal = crate::calendar::store::current(&state.db).await?;
                let due = cal.add_working_days(today, 10);
                let label = model::period_label(ends, c.frequency, c.year_starts);
                if let Some(id) =
                    store::open_period(&state.db, &actor, pid, &c.key, ends, &label, due).await?
                {
                    let period = store::period(&state.db, pid, id)
                        .await?
                        .ok_or_else(|| anyhow::anyhow!("period"))?;
                    crate::scorecard::ask(state, pid, &period, false)
                        .await
                        .map_err(err)?;
                }
            }
        }
        done.push(slug.to_owned());
    }
    Ok(done)
}

#[derive(rust_embed::RustEmbed)]
#[folder = "examples/thresholds/"]
struct ExampleThresholds;

/// The example thresholds documents (examples/thresholds, built into the binary), each the
/// first edition of its partnership's document, signed off and in force since April 2024;
/// Plymouth also has a second edition in draft, waiting for two of its three sign-offs, and a
/// year of the public tool's (made-up) use. Returns the slugs.
pub async fn seed_thresholds(state: &AppState) -> anyhow::Result<Vec<String>> {
    use crate::thresholds::{model, store};
    let actor = Actor::system("masa demo");
    let err = |e: crate::store::StoreError| anyhow::anyhow!(e.to_string());
    let mut done = Vec::new();
    let mut names: Vec<_> = ExampleThresholds::iter()
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    let Some(signer) =
        crate::accounts::store::user_by_email(&state.db, "business.unit@plymouth.example")
            .await?
            .map(|(u, _)| u.id)
    else {
        return Ok(done);
    };
    for name in names {
        let slug = name.trim_end_matches(".toml");
        let (Some(file), Some(p)) = (
            ExampleThresholds::get(&name),
            crate::partnerships::store::by_slug(&state.db, slug).await?,
        ) else {
            continue;
        };
        let d = model::parse(&file.data)
            .map_err(|problems| unreadable(&format!("examples/thresholds/{name}"), &problems))?;
        let pid = PartnershipId(p.id);
        let (id, _) =
            store::add_edition(&state.db, &actor, pid, &d, &format!("imported from {name}"))
                .await
                .map_err(err)?;
        let e = store::edition(&state.db, pid, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("edition"))?;
        for role in model::SIGNERS {
            store::sign(&state.db, &actor, pid, &e, e.version, role, signer)
                .await
                .map_err(err)?
                .map_err(anyhow::Error::msg)?;
        }
        let start = chrono::NaiveDate::from_ymd_opt(2024, 4, 1).unwrap_or_default();
        store::publish(&state.db, &actor, pid, &e, e.version, start)
            .await
            .map_err(err)?
            .map_err(anyhow::Error::msg)?;
        if slug == "plymouth" {
            // The next edition: the front door's hours revised, two partners still to sign.
            let mut next = d.clone();
            if let Some(c) = next.contacts.iter_mut().find(|c| c.get_ref().front_door) {
                c.get_mut().hours = "Monday to Thursday 8:30am to 5pm, Friday 8:30am to 4:30pm; the out-of-hours service at all other times".into();
            }
            let (id2, _) =
                store::add_edition(&state.db, &actor, pid, &next, "copied from edition 1")
                    .await
                    .map_err(err)?;
            let e2 = store::edition(&state.db, pid, id2)
                .await?
                .ok_or_else(|| anyhow::anyhow!("edition"))?;
            let cal = crate::calendar::store::current(&state.db).await?;
            let by = cal.add_working_days(crate::calendar::today(), 8);
            store::ask_to_sign(&state.db, &actor, pid, &e2, e2.version, by)
                .await
                .map_err(err)?
                .map_err(anyhow::Error::msg)?;
            let e2 = store::edition(&state.db, pid, id2)
                .await?
                .ok_or_else(|| anyhow::anyhow!("edition"))?;
            store::sign(&state.db, &actor, pid, &e2, e2.version, "health", signer)
                .await
                .map_err(err)?
                .map_err(anyhow::Error::msg)?;
            seed_threshold_uses(state, pid, e.id, &d).await?;
        }
        done.push(slug.to_owned());
    }
    Ok(done)
}

/// A year of made-up uses of the public tool: more at early help than at the statutory level,
/// a few with a sector given, as the usage page expects to show.
async fn seed_threshold_uses(
    state: &AppState,
    p: PartnershipId,
    edition_id: i64,
    d: &crate::thresholds::model::Document,
) -> anyhow::Result<()> {
    use crate::thresholds::model;
    let today = crate::calendar::today();
    let indicators = d.all_indicators();
    let sectors = [
        "",
        "",
        "education-and-childcare",
        "health",
        "police-and-immigration",
        "voluntary-and-community",
    ];
    let mut n: u64 = 7;
    for k in 0..600u64 {
        // A small fixed generator: the same demo every time.
        n = n
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let day = today - chrono::Days::new((n >> 33) % 365);
        let count = 1 + ((n >> 20) % 4) as usize;
        // Lower levels more often: pick from the front half of the list more.
        let ticked: Vec<&model::Indicator> = (0..count)
            .map(|j| {
                let r = ((n >> (j * 7 + 3)) as usize) % indicators.len().max(1);
                let r = if k % 3 == 0 { r } else { r / 2 };
                indicators[r]
            })
            .collect();
        let mut keys: Vec<&str> = ticked.iter().map(|i| i.key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        let ticked =
            model::known_ticks(d, &keys.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>());
        let Some(s) = model::suggest(d, &ticked) else {
            continue;
        };
        let keys: Vec<&str> = ticked.iter().map(|i| i.key.as_str()).collect();
        let sector = sectors[(k % 6) as usize];
        crate::thresholds::store::record_use(
            &state.db, p, edition_id, day, &s.level, sector, &keys,
        )
        .await?;
    }
    Ok(())
}

/// A year of meetings for every body of every demo partnership that meets regularly: the
/// current financial year, from the second Tuesday of April, as a business unit would plan it.
/// Plymouth's tracker as it might stand today: one action overdue, one due soon, one on
/// track, so the home page and the tracker show what they are for.
pub async fn seed_actions_due(state: &AppState) -> anyhow::Result<()> {
    use crate::actions::store::{NewAction, add};
    let actor = Actor::system("masa demo");
    let today = crate::calendar::today();
    let Some(p) = crate::partnerships::store::by_slug(&state.db, "plymouth").await? else {
        return Ok(());
    };
    let pid = crate::store::PartnershipId(p.id);
    for (title, owner, organisation, days) in [
        (
            "Refresh the neglect toolkit training for school designated leads",
            "Workforce development lead",
            "Plymouth City Council",
            -8,
        ),
        (
            "Audit a sample of strategy discussions held out of hours",
            "Head of the front door",
            "Plymouth City Council",
            -21,
        ),
        (
            "Present the exploitation profile to the board",
            "Detective Inspector, exploitation team",
            "Devon and Cornwall Police",
            -2,
        ),
        (
            "Agree a joint protocol for children missing from education",
            "Head of education welfare",
            "Plymouth City Council",
            1,
        ),
        (
            "Publish the threshold document's update for practitioners",
            "Business manager",
            "Plymouth Safeguarding Children Partnership",
            12,
        ),
        (
            "Report on the take-up of early help assessments by GPs",
            "Designated doctor",
            "NHS Devon Integrated Care Board",
            25,
        ),
        (
            "Review the neglect strategy's outcomes framework",
            "Neglect strategy lead",
            "Plymouth City Council",
            60,
        ),
        (
            "Include the voice of the child in every multi-agency audit",
            "Quality assurance lead",
            "Plymouth Safeguarding Children Partnership",
            90,
        ),
        (
            "Report on the use of the escalation policy by health visitors",
            "Named nurse",
            "Livewell Southwest",
            3,
        ),
        (
            "Share the learning brief on bruising in non-mobile babies",
            "Business manager",
            "Plymouth Safeguarding Children Partnership",
            40,
        ),
    ] {
        add(
            &state.db,
            &actor,
            pid,
            &NewAction {
                // Agreed at the board; the demo has no minute to link them to.
                source_kind: "board".into(),
                source_id: 0,
                body_key: "pscp-board".into(),
                reference: String::new(),
                title: title.into(),
                owner_name: owner.into(),
                owner_organisation: organisation.into(),
                owner_user_id: None,
                due: today + chrono::Duration::days(days),
                sensitive: false,
                restricted_item: None,
            },
        )
        .await?;
    }
    Ok(())
}

pub async fn seed_meetings(state: &AppState) -> anyhow::Result<usize> {
    use crate::meetings::{model, store};
    let actor = Actor::system("masa demo");
    let today = crate::calendar::today();
    let year = model::financial_year(today);
    let first = chrono::NaiveDate::from_weekday_of_month_opt(year, 4, chrono::Weekday::Tue, 2)
        .ok_or_else(|| anyhow::anyhow!("no second Tuesday in April {year}"))?;
    let cal = crate::calendar::store::current(&state.db).await?;
    let mut planned = 0;
    for p in crate::partnerships::store::all(&state.db).await? {
        let pid = crate::store::PartnershipId(p.id);
        let Some(a) = crate::arrangements::store::load_as_at(&state.db, pid, today).await? else {
            continue;
        };
        let mut new = Vec::new();
        for b in &a.bodies {
            let Some(m) = &b.meetings else { continue };
            for date in model::schedule(
                first,
                &m.frequency,
                model::per_year(&m.frequency, m.per_year),
                &cal,
            ) {
                new.push(store::NewMeeting {
                    body_key: b.key.clone(),
                    kind: "ordinary".into(),
                    date,
                    start_time: "10:00".into(),
                    venue: b.venue.clone(),
                    notice_given: None,
                    urgent_reason: String::new(),
                });
            }
        }
        planned += new.len();
        store::add(&state.db, &actor, pid, &new).await?;
        // The year's meetings already past took place: marked held, as the business unit
        // would have, so that only what is really late shows as late.
        let yesterday = today.pred_opt().unwrap_or(today);
        for m in store::between(&state.db, pid, first, yesterday, None).await? {
            let held = store::MeetingChange {
                date: m.date,
                start_time: m.start_time.clone(),
                venue: m.venue.clone(),
                status: model::MeetingStatus::Held,
            };
            store::change(&state.db, &actor, pid, m.id, m.version, &held)
                .await?
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        // The board's meetings held: most there, some apologies and deputies, and one agency
        // missing every other meeting, so the attendance figures have something to say.
        let held = store::between(&state.db, pid, first, yesterday, None).await?;
        for (k, m) in held
            .iter()
            .filter(|m| m.body_key == "pscp-board")
            .enumerate()
        {
            let e = crate::meetings::expected(state, pid, m)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            store::list_expected(&state.db, &actor, pid, m.id, &e).await?;
            let rows = store::attendance(&state.db, pid, m.id).await?;
            let changes: Vec<store::AttendanceChange> = rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let status = if r.organisation.contains("Police") && k % 2 == 0 {
                        model::Presence::Absent
                    } else if (i + k) % 7 == 0 {
                        model::Presence::Apologies
                    } else if (i + k) % 11 == 0 {
                        model::Presence::Deputy
                    } else {
                        model::Presence::Present
                    };
                    store::AttendanceChange {
                        id: r.id,
                        version: r.version,
                        status,
                        deputy_name: if status == model::Presence::Deputy {
                            format!("Deputy for {}", r.name)
                        } else {
                            String::new()
                        },
                        confidentiality_signed: false,
                    }
                })
                .collect();
            store::save_attendance(&state.db, &actor, pid, m.id, &changes)
                .await?
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        // Their minutes went out on time and were approved at the body's next meeting; the
        // board's latest draft minutes are still due, which the business unit's home shows.
        let past = store::between(&state.db, pid, first, yesterday, None).await?;
        for m in &past {
            let next = past
                .iter()
                .filter(|n| n.body_key == m.body_key && n.date > m.date)
                .min_by_key(|n| n.date);
            let status = match next {
                Some(_) => model::MinutesStatus::Approved,
                None if m.body_key == "pscp-board" => continue,
                None => model::MinutesStatus::Circulated,
            };
            let minutes = store::Minutes {
                status,
                circulated_on: Some(cal.add_working_days(m.date, 5).min(yesterday)),
                approved_at: next.map(|n| n.id),
                amendments: String::new(),
                version: 0,
            };
            store::set_minutes(&state.db, &actor, pid, m.id, 0, &minutes)
                .await?
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    // Morgan Member sits on Plymouth's board, so "Your meetings" has something to show.
    if let (Some(ply), Some((morgan, _))) = (
        crate::partnerships::store::by_slug(&state.db, "plymouth").await?,
        crate::accounts::store::user_by_email(&state.db, "member@plymouth.example").await?,
    ) {
        let pid = crate::store::PartnershipId(ply.id);
        let seat = crate::arrangements::store::items(&state.db, pid)
            .await?
            .into_iter()
            .find(|i| {
                i.kind == "membership"
                    && i.parent_key == "pscp-board"
                    && i.from.is_none_or(|f| f <= today)
                    && i.to.is_none_or(|t| t >= today)
            });
        if let Some(seat) = seat {
            crate::access::set_seats(&state.db, &actor, pid, morgan.id, &[seat.key]).await?;
        }
        seed_board_papers(state, &actor, pid, today).await?;
    }
    Ok(planned)
}

/// Plymouth's next board meeting gets an agenda with papers (one late, one restricted item);
/// its last one, minuted, is published for the public.
async fn seed_board_papers(
    state: &AppState,
    actor: &Actor,
    pid: crate::store::PartnershipId,
    today: chrono::NaiveDate,
) -> anyhow::Result<()> {
    use crate::meetings::{papers, store};
    let board = store::between(
        &state.db,
        pid,
        today - chrono::Duration::days(200),
        today + chrono::Duration::days(200),
        Some("pscp-board"),
    )
    .await?;
    let item = |title: &str, presenter: &str, organisation: &str, purpose: &str, restricted| {
        store::NewItem {
            title: title.into(),
            presenter: presenter.into(),
            organisation: organisation.into(),
            purpose: purpose.into(),
            restricted,
        }
    };
    if let Some(next) = board.iter().find(|m| m.date >= today) {
        let items = [
            item(
                "Annual report 2025 to 2026",
                "Business manager",
                "Plymouth Safeguarding Children Partnership",
                "decision",
                false,
            ),
            item(
                "Neglect strategy: progress",
                "Head of children's social care",
                "Plymouth City Council",
                "assurance",
                false,
            ),
            item(
                "Rapid review: Child P",
                "Chair of the case review group",
                "",
                "information",
                true,
            ),
        ];
        for (n, new) in items.iter().enumerate() {
            let id = store::add_item(&state.db, actor, pid, next.id, new).await?;
            if n < 2 {
                let Some(ai) = store::agenda_item(&state.db, pid, id).await? else {
                    continue;
                };
                let bytes = demo_paper(&new.title)?;
                papers::add(
                    &state.db,
                    &state.files,
                    actor,
                    pid,
                    &ai,
                    &new.title,
                    n == 1,
                    today,
                    (
                        format!("paper-{}.pdf", n + 1),
                        crate::files::FileType::Pdf,
                        bytes,
                    ),
                )
                .await?;
            }
        }
    }
    if let Some(last) = board.iter().rev().find(|m| m.date < today) {
        let new = item(
            "Partnership scorecard: quarter two",
            "Performance lead",
            "Plymouth City Council",
            "discussion",
            false,
        );
        let id = store::add_item(&state.db, actor, pid, last.id, &new).await?;
        if let Some(ai) = store::agenda_item(&state.db, pid, id).await? {
            let _ = store::save_minute(&state.db, actor, pid, &ai, "pscp-board", ai.version, "The board considered the scorecard and asked the performance lead to report on the timeliness of initial health assessments.").await?;
        }
        let _ = store::set_published(&state.db, actor, pid, last, last.version, true).await?;
    }
    Ok(())
}

/// Plymouth's serious cases: Child P's rapid review under way (agencies asked, the chronology
/// filling), Child N's local review running, and Child L's published. Made-up, written
/// directly: pseudonyms only, as in life.
pub async fn seed_cases(state: &AppState) -> anyhow::Result<()> {
    use crate::args;
    let Some(ply) = crate::partnerships::store::by_slug(&state.db, "plymouth").await? else {
        return Ok(());
    };
    let p = crate::store::PartnershipId(ply.id);
    let today = crate::calendar::today();
    let cal = crate::calendar::store::current(&state.db).await?;
    let editions = crate::reviews::store::editions(&state.db).await?;
    let user = |e: &'static str| async move {
        crate::accounts::store::user_by_email(&state.db, e)
            .await
            .map(|u| u.map(|(u, _)| u.id).unwrap_or_default())
    };
    let (pat, morgan) = (
        user("practitioner@plymouth.example").await?,
        user("member@plymouth.example").await?,
    );
    let actor = Actor::system("masa demo");
    let mut tx = Tx::begin(&state.db, &actor).await?;
    let now = tx.now();
    let back = |n: i64| cal.add_working_days(today, -n);
    let edition = |d: chrono::NaiveDate| {
        crate::reviews::model::in_force(&editions, d)
            .map(|e| e.key.clone())
            .unwrap_or_default()
    };
    // (pseudonym, kind, age, aware, harm, abuse, categories, agencies)
    let cases = [
        (
            "Child P",
            back(8),
            "1 to 5",
            "seriously-harmed",
            "suspected",
            "Physical abuse",
            "Children's social care; health visiting; emergency department; police",
        ),
        (
            "Child N",
            back(90),
            "under 1",
            "died",
            "suspected",
            "Neglect; unsafe sleeping",
            "Midwifery; health visiting; GP; children's social care",
        ),
        (
            "Child L",
            back(260),
            "11 to 15",
            "seriously-harmed",
            "known",
            "Child criminal exploitation",
            "Schools; youth justice; police; children's social care",
        ),
    ];
    let mut ids = Vec::new();
    for (name, aware, age, harm, abuse, cats, agencies) in cases {
        let id: i64 = tx
            .fetch_optional(
                "INSERT INTO review_cases (partnership_id, kind, pseudonym, age_band, aware_on, harm, abuse, categories, agencies, edition_key, body_key, notified_on, partners_told_on, panel_reference, created_at, updated_at, updated_by) VALUES ($1, 'serious-case', $2, $3, $4, $5, $6, $7, $8, $9, 'cspr-group', $10, $11, $12, $13, $14, 'masa demo') RETURNING id",
                args![p, name, age, aware, harm, abuse, cats, agencies, edition(aware), cal.add_working_days(aware, 3), cal.add_working_days(aware, 4), format!("CSPRP-{}", 4100 + ids.len()), now, now],
            )
            .await?
            .ok_or_else(|| anyhow::anyhow!("no case id"))?
            .get("id")?;
        ids.push((id, aware));
    }
    // Child P: two agencies asked; the council has started its chronology.
    let (p_id, p_aware) = ids[0];
    for (org, who, due) in [
        (
            "Plymouth City Council",
            pat,
            cal.add_working_days(p_aware, 8),
        ),
        (
            "Devon & Cornwall Police",
            morgan,
            cal.add_working_days(p_aware, 9),
        ),
    ] {
        let rid: i64 = tx
            .fetch_optional(
                "INSERT INTO review_requests (partnership_id, case_id, organisation, responder_id, asked, asked_on, due_on, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'masa demo') RETURNING id",
                args![p, p_id, org, who, "Your agency's involvement with the child and family in the last 12 months, as a chronology, and any learning you can see already.", cal.add_working_days(p_aware, 4), due, now, now],
            )
            .await?
            .ok_or_else(|| anyhow::anyhow!("no request id"))?
            .get("id")?;
        if org == "Plymouth City Council" {
            for (days, event) in [
                (
                    40,
                    "Referral from the health visitor about bruising; strategy discussion held the same day.",
                ),
                (12, "Home visit: parents engaged; safety plan agreed."),
            ] {
                tx.execute_seed(
                    "INSERT INTO review_chronology (partnership_id, case_id, request_id, organisation, happened_on, event, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, 'Pat Practitioner')",
                    args![p, p_id, rid, org, p_aware - chrono::Duration::days(days), event, now],
                )
                .await?;
            }
        }
    }
    // Child N and Child L: decided, signed, with local reviews.
    for (n, (id, aware)) in ids.iter().enumerate().skip(1) {
        let done = cal.add_working_days(*aware, 14);
        let decided = cal.add_working_days(*aware, 16);
        tx.execute_seed(
            "UPDATE review_cases SET rapid_done_on = $1, decision = 'local-review', decision_reasons = $2, scrutineer_advice = $3, decided_on = $4, sent_to_panel_on = $5, reviewer = $6, terms_of_reference = $7, methodology = $8, publish_planned_on = $9 WHERE id = $10",
            args![done, "The case highlights concerns about agencies working together and recurrent themes seen in earlier reviews.", "Agrees a local review is appropriate, with the family involved.", decided, cal.add_working_days(decided, 1), "An independent reviewer (made up for the demo)", "How agencies shared what they knew, and how the family's voice was heard.", "A systems approach: a practitioner learning event, conversations with the family, a draft tested with the agencies.", decided.checked_add_months(chrono::Months::new(6)).unwrap_or(decided), *id],
        )
        .await?;
        for (k, _) in crate::reviews::model::QUESTIONS {
            tx.execute_seed(
                "INSERT INTO review_answers (partnership_id, case_id, question, answer) VALUES ($1, $2, $3, $4)",
                args![p, *id, *k, "Yes: see the rapid review report."],
            )
            .await?;
        }
        for (role, signer) in [
            ("local-authority", "Director of Children's Services"),
            ("health", "Chief Nurse, NHS Devon"),
            ("police", "BCU Commander"),
        ] {
            tx.execute_seed(
                "INSERT INTO review_signoffs (partnership_id, case_id, partner_role, user_id, signed_by, signed_at) VALUES ($1, $2, $3, $4, $5, $6)",
                args![p, *id, role, morgan, signer, now],
            )
            .await?;
        }
        let steps: &[(&str, i64)] = if n == 1 {
            &[
                ("terms-agreed", 20),
                ("practitioner-event", 45),
                ("family", 60),
                ("draft", 100),
                ("final", 115),
            ]
        } else {
            &[
                ("terms-agreed", 20),
                ("practitioner-event", 45),
                ("family", 60),
                ("draft", 90),
                ("final", 105),
            ]
        };
        for (step, after) in steps {
            let planned = cal.add_working_days(decided, *after);
            let done = (planned < today).then_some(planned);
            tx.execute_seed(
                "INSERT INTO review_milestones (partnership_id, case_id, step, planned_on, done_on) VALUES ($1, $2, $3, $4, $5)",
                args![p, *id, *step, planned, done],
            )
            .await?;
        }
    }
    // Child L: published, its final report with the Panel and the Secretary of State first.
    let (l_id, l_aware) = ids[2];
    let decided = cal.add_working_days(l_aware, 16);
    let published = cal.add_working_days(decided, 118);
    let bytes = demo_paper("Local child safeguarding practice review: Child L")?;
    let file = state
        .files
        .put(
            &mut tx,
            p,
            "child-l-review.pdf",
            crate::files::FileType::Pdf,
            bytes,
        )
        .await?;
    tx.execute_seed(
        "UPDATE review_cases SET final_sent_on = $1, published_on = $2, report_file_id = $3, public_title = $4, public_summary = $5 WHERE id = $6",
        args![cal.add_working_days(published, -10), published, file.id, "Local child safeguarding practice review: Child L", "Child L was exploited by adults who used them to carry drugs. The review found that school, youth justice and police each held part of the picture and that information was not brought together early enough. The partnership has agreed a shared exploitation screening tool and joint training; progress is reported to the board.", l_id],
    )
    .await?;
    // Child L's recommendations and where their learning stands: one loop closed (its action
    // done and the change shown), one with its action open, one with no action yet.
    for (number, finding, recommendation, changed, action) in [
        (
            1_i64,
            "School, youth justice and police each held part of the picture.",
            "Adopt one exploitation screening tool across the partnership's agencies.",
            "shown",
            Some((
                "Roll out the shared exploitation screening tool",
                "Exploitation lead",
                "Plymouth City Council",
                -30,
                "done",
            )),
        ),
        (
            2,
            "Practitioners did not know who to tell about concerns outside their own agency.",
            "Train practitioners together on exploitation and the pathway for concerns.",
            "",
            Some((
                "Run joint exploitation training for school and youth justice staff",
                "Workforce development lead",
                "Plymouth City Council",
                45,
                "open",
            )),
        ),
        (
            3,
            "The family's view was not sought until late in the work.",
            "Hear from the family early in any multi-agency response to exploitation.",
            "",
            None,
        ),
    ] {
        let rec_id: i64 = tx
            .fetch_optional(
                "INSERT INTO review_recommendations (partnership_id, case_id, number, finding, recommendation, practice_changed, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 'masa demo') RETURNING id",
                args![p, l_id, number, finding, recommendation, changed, now],
            )
            .await?
            .ok_or_else(|| anyhow::anyhow!("no recommendation id"))?
            .get("id")?;
        if let Some((title, owner, organisation, days, status)) = action {
            let due = today + chrono::Duration::days(days);
            tx.execute_seed(
                "INSERT INTO actions (partnership_id, source_kind, source_id, body_key, reference, title, owner_name, owner_organisation, due, status, completed_on, created_at, updated_at, updated_by, sensitive) VALUES ($1, 'recommendation', $2, 'cspr-group', $3, $4, $5, $6, $7, $8, $9, $10, $10, 'masa demo', TRUE)",
                args![p, rec_id, format!("Child L recommendation {number}"), title, owner, organisation, due, status, (status == "done").then_some(due), now],
            )
            .await?;
        }
    }
    crate::actions::store::index(&mut tx, p, None).await?;
    tx.commit().await?;
    Ok(())
}

/// Plymouth's assurance plan on the 2022 national review: issued to the police (Morgan Member
/// answers for it) and the acute hospital trust (Pat Practitioner). The police have returned,
/// one answer red with an action raised from it; the hospital has not answered yet.
pub async fn seed_assurance(state: &AppState) -> anyhow::Result<()> {
    use crate::assurance::{model, store};
    let actor = Actor::system("masa demo");
    let today = crate::calendar::today();
    let user = |email: &'static str| async move {
        crate::accounts::store::user_by_email(&state.db, email)
            .await
            .map(|u| u.map(|(u, _)| u))
    };
    let (Some(ply), Some(morgan), Some(pat)) = (
        crate::partnerships::store::by_slug(&state.db, "plymouth").await?,
        user("member@plymouth.example").await?,
        user("practitioner@plymouth.example").await?,
    ) else {
        return Ok(());
    };
    let pid = crate::store::PartnershipId(ply.id);
    let organisations = crate::arrangements::store::names(&state.db, pid, "organisation").await?;
    let org = |key: &str| organisations.iter().find(|(k, _)| k == key).cloned();
    let (Some(police), Some(hospital)) = (
        org("devon-cornwall-police"),
        org("university-hospitals-plymouth"),
    ) else {
        return Ok(());
    };
    let new = store::NewPlan {
        title: "Assurance on the 2022 national review".into(),
        review_title: model::REVIEW_2022_TITLE.into(),
        review_year: model::REVIEW_2022_YEAR.into(),
        review_link: model::REVIEW_2022_LINK.into(),
        body_key: "qa-delivery-group".into(),
        answers_due: today + chrono::Duration::days(14),
        questions: model::REVIEW_2022_QUESTIONS
            .iter()
            .map(|q| (*q).to_owned())
            .collect(),
    };
    let id = store::add_plan(&state.db, &actor, pid, &new).await?;
    let err = |m: String| anyhow::anyhow!(m);
    let Some(plan) = store::plan(&state.db, pid, id).await? else {
        return Ok(());
    };
    store::add_agency(
        &state.db,
        &actor,
        pid,
        &plan,
        (police.0.as_str(), police.1.as_str()),
        (morgan.id, morgan.name.as_str()),
    )
    .await?;
    store::add_agency(
        &state.db,
        &actor,
        pid,
        &plan,
        (hospital.0.as_str(), hospital.1.as_str()),
        (pat.id, pat.name.as_str()),
    )
    .await?;
    store::issue(
        &state.db,
        &actor,
        pid,
        &plan,
        today - chrono::Duration::days(14),
    )
    .await?
    .map_err(err)?;
    let questions = store::questions(&state.db, pid, id).await?;
    let Some(agency) = store::agencies(&state.db, pid, id)
        .await?
        .into_iter()
        .find(|a| a.organisation_key == police.0)
    else {
        return Ok(());
    };
    let answers = [
        (
            "green",
            "Strategy meetings are held within one working day of a referral in 96% of cases sampled in the last quarter; the police attend every one.",
        ),
        (
            "amber",
            "Resources are sufficient for strategy meetings but not for joint visits out of hours: a business case for two more officers goes to the chief officer group in the spring.",
        ),
        (
            "green",
            "The MASH shares police intelligence on every contact; audit of 20 cases found information shared at every stage.",
        ),
        (
            "red",
            "Referrals described as malicious are closed without a check of police systems in some cases: we cannot give assurance until the new guidance is in place.",
        ),
    ];
    let mut red = None;
    for (q, (rag, narrative)) in questions.iter().zip(answers) {
        let answer_id = store::save_answer(
            &state.db,
            &state.files,
            &actor,
            pid,
            &agency,
            q,
            0,
            rag,
            narrative,
            None,
        )
        .await?
        .map_err(err)?;
        if rag == "red" {
            red = Some((answer_id, q.position));
        }
    }
    store::submit(
        &state.db,
        &actor,
        pid,
        &agency,
        today - chrono::Duration::days(2),
    )
    .await?
    .map_err(err)?;
    if let Some((answer_id, position)) = red {
        let a = crate::actions::store::NewAction {
            source_kind: "assurance".into(),
            source_id: answer_id,
            body_key: plan.body_key.clone(),
            reference: format!("{}, question {position}", plan.title),
            title: "Guidance for call handlers: check police systems before closing a referral thought malicious".into(),
            owner_name: morgan.name.clone(),
            owner_organisation: police.1.clone(),
            owner_user_id: Some(morgan.id),
            due: today + chrono::Duration::days(42),
            sensitive: true,
            restricted_item: None,
        };
        crate::actions::store::add(&state.db, &actor, pid, &a).await?;
    }
    Ok(())
}

/// Plymouth's policies and procedures, in our own words: a neglect strategy in its second
/// version, an escalation policy whose review is due within days (so the reminder and the home
/// page's task show), and a safer recruitment procedure reviewed not long ago.
/// A small training programme for Plymouth: four courses, sessions to come (one full, with a
/// waiting list; one planned) and two already delivered, and a few places booked.
pub async fn seed_training(state: &AppState) -> anyhow::Result<()> {
    use crate::training::model::{Delivery, Level, SessionStatus};
    use crate::training::store::{self, CourseFields, SessionFields};
    let actor = Actor::system("masa demo");
    let today = crate::calendar::today();
    let Some(ply) = crate::partnerships::store::by_slug(&state.db, "plymouth").await? else {
        return Ok(());
    };
    let p = crate::store::PartnershipId(ply.id);
    let courses = [
        (
            "Neglect: recognising it and acting on it",
            Level::Core,
            Delivery::InPerson,
            180,
            "Know the signs of neglect at each age\nUse the neglect screening tool with a family\nKnow when and how to refer",
        ),
        (
            "Working Together: an introduction to safeguarding children",
            Level::Introductory,
            Delivery::Online,
            120,
            "Know each agency's part in safeguarding\nKnow what to do when worried about a child",
        ),
        (
            "Professional curiosity and challenge",
            Level::Core,
            Delivery::Blended,
            180,
            "Ask the questions behind what is seen\nUse the escalation policy when you disagree",
        ),
        (
            "Child exploitation: criminal and sexual",
            Level::Advanced,
            Delivery::InPerson,
            360,
            "Recognise exploitation and its signs\nShare information through the exploitation pathway",
        ),
    ];
    let mut ids = Vec::new();
    for (title, level, delivery, minutes, outcomes) in courses {
        let f = CourseFields {
            title: title.to_owned(),
            description: String::new(),
            outcomes: outcomes.to_owned(),
            audience: "Practitioners in every agency who work with children and families".into(),
            level,
            delivery,
            minutes,
            link: String::new(),
        };
        ids.push(store::add_course(&state.db, &actor, p, &f).await?);
    }
    let mut sessions = Vec::new();
    // (course, days from today, capacity, status)
    for (course, days, capacity, status) in [
        (0, -40, 20, SessionStatus::Open),
        (1, -20, 40, SessionStatus::Open),
        (0, 12, 20, SessionStatus::Open),
        (1, 19, 1, SessionStatus::Open),
        (2, 26, 16, SessionStatus::Open),
        (3, 33, 24, SessionStatus::Open),
        (0, 54, 20, SessionStatus::Open),
        (2, 75, 16, SessionStatus::Planned),
    ] {
        // Training is held on weekdays.
        let mut held_on = today + chrono::Duration::days(days);
        while chrono::Datelike::weekday(&held_on).number_from_monday() > 5 {
            held_on += chrono::Duration::days(1);
        }
        let online = course == 1;
        let f = SessionFields {
            held_on,
            start_time: "09:30".into(),
            end_time: if course == 3 { "15:30" } else { "12:30" }.into(),
            venue: if online {
                String::new()
            } else {
                "Jan Cutting Healthy Living Centre, Scott Road".into()
            },
            online_link: if online {
                "https://meet.example/plymouth-working-together".into()
            } else {
                String::new()
            },
            capacity,
            opens_on: held_on - chrono::Duration::days(60),
            closes_on: held_on - chrono::Duration::days(2),
            cutoff_days: 5,
            status,
        };
        let Some(c) = store::course(&state.db, p, ids[course]).await? else {
            continue;
        };
        sessions.push(store::add_session(&state.db, &actor, p, &c, &f).await?);
    }
    let user = |email: &'static str| async move {
        crate::accounts::store::user_by_email(&state.db, email)
            .await
            .map(|u| u.map(|(u, _)| u.id))
    };
    // The practitioner holds a place; the one place on the online session is taken and the
    // member waits for it.
    for (email, org, session) in [
        (
            "practitioner@plymouth.example",
            "Livewell Southwest",
            sessions[2],
        ),
        ("scrutineer@plymouth.example", "", sessions[3]),
        (
            "member@plymouth.example",
            "Plymouth City Council",
            sessions[3],
        ),
        (
            "practitioner@plymouth.example",
            "Livewell Southwest",
            sessions[4],
        ),
    ] {
        if let Some(uid) = user(email).await? {
            let _ = store::book(&state.db, &actor, p, session, uid, org).await?;
        }
    }
    // The two sessions already held: booked, then their registers taken (one did not come).
    for session in [sessions[0], sessions[1]] {
        for (email, org) in [
            ("practitioner@plymouth.example", "Livewell Southwest"),
            ("member@plymouth.example", "Plymouth City Council"),
        ] {
            if let Some(uid) = user(email).await? {
                let _ = store::book(&state.db, &actor, p, session, uid, org).await?;
            }
        }
        let Some(s) = store::session(&state.db, p, session).await? else {
            continue;
        };
        let marks = store::bookings_of_session(&state.db, p, session)
            .await?
            .into_iter()
            .map(|b| {
                let came = b.email.starts_with("practitioner") || session == sessions[1];
                (
                    b.id,
                    if came {
                        crate::training::model::BookingStatus::Attended
                    } else {
                        crate::training::model::BookingStatus::DidNotAttend
                    },
                )
            })
            .collect();
        let register = store::Register {
            marks,
            walk_ins: Vec::new(),
        };
        store::save_register(&state.db, &actor, p, &s, &register).await?;
    }
    Ok(())
}

pub async fn seed_procedures(state: &AppState) -> anyhow::Result<()> {
    use crate::procedures::store::{self, Details};
    let actor = Actor::system("masa demo");
    let today = crate::calendar::today();
    let Some(ply) = crate::partnerships::store::by_slug(&state.db, "plymouth").await? else {
        return Ok(());
    };
    let pid = crate::store::PartnershipId(ply.id);
    let bodies = crate::arrangements::store::as_at(&state.db, pid, "body", today).await?;
    let Some(board) = bodies
        .iter()
        .find(|b| b.key == "pscp-board")
        .or(bodies.first())
        .map(|b| b.key.clone())
    else {
        return Ok(());
    };
    let cal = crate::calendar::store::current(&state.db).await?;
    let docs = [
        (
            "Neglect strategy and practitioner toolkit",
            "How the partnership's agencies recognise neglect early, the tools they use to weigh it, and when to step up to children's social care.",
            today + chrono::Duration::days(240),
        ),
        (
            "Escalation and resolution of professional disagreements",
            "What a practitioner does when they disagree with another agency's decision about a child, step by step, and who to go to at each step.",
            cal.add_working_days(today, 6),
        ),
        (
            "Safer recruitment and allegations against staff",
            "Checks every agency makes before someone works with children, and how an allegation against a member of staff or a volunteer is reported to the designated officer.",
            today + chrono::Duration::days(500),
        ),
    ];
    let mut ids = Vec::new();
    for (title, summary, review_on) in docs {
        let d = Details {
            title: title.to_owned(),
            summary: summary.to_owned(),
            body_key: board.clone(),
            owner_user_id: None,
            review_on,
        };
        let file = (
            format!("{}.pdf", title.to_lowercase().replace(' ', "-")),
            crate::files::FileType::Pdf,
            demo_paper(title)?,
        );
        ids.push(store::add(&state.db, &state.files, &actor, pid, &d, today, file).await?);
    }
    if let Some(first) = ids.first()
        && let Some(pr) = store::get(&state.db, pid, *first).await?
    {
        let file = (
            "neglect-strategy-v2.pdf".to_owned(),
            crate::files::FileType::Pdf,
            demo_paper("Neglect strategy and practitioner toolkit, version 2")?,
        );
        let _ = store::add_version(
            &state.db,
            &state.files,
            &actor,
            pid,
            &pr,
            "Graded care profile 2 replaces the old checklist; contacts for the front door updated.",
            today,
            file,
        )
        .await?;
    }
    Ok(())
}

/// Years of serious cases, for the benchmark: twenty a year, each notified and rapidly reviewed,
/// half decided for a local review and published, each with four recommendations of two actions
/// and a chronology of twenty entries. Written directly, like the meetings' history.
pub async fn seed_case_history(
    state: &AppState,
    slug: &str,
    years: i32,
) -> anyhow::Result<(usize, usize)> {
    use crate::args;
    let p = crate::partnerships::store::by_slug(&state.db, slug)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no partnership {slug}"))?;
    let pid = crate::store::PartnershipId(p.id);
    let today = crate::calendar::today();
    let cal = crate::calendar::store::current(&state.db).await?;
    let editions = crate::reviews::store::editions(&state.db).await?;
    let actor = Actor::system("masa demo");
    let mut tx = Tx::begin(&state.db, &actor).await?;
    let now = tx.now();
    let (mut cases, mut recs) = (0, 0);
    for n in 0..(years * 20) {
        let aware = cal.add_working_days(today, -i64::from(n) * 12 - 300);
        let Some(e) = crate::reviews::model::in_force(&editions, aware) else {
            continue;
        };
        let notified = cal.add_working_days(aware, 3 + i64::from(n % 4));
        let done = cal.add_working_days(notified, 13 + i64::from(n % 5));
        let decided = cal.add_working_days(done, 3);
        let local = n % 2 == 0;
        let published = local.then(|| cal.add_working_days(decided, 110 + i64::from(n % 30)));
        let case_id: i64 = tx
            .fetch_optional(
                "INSERT INTO review_cases (partnership_id, kind, pseudonym, age_band, aware_on, harm, abuse, edition_key, body_key, notified_on, partners_told_on, rapid_done_on, decision, decision_reasons, decided_on, published_on, public_title, public_summary, created_at, updated_at, updated_by) VALUES ($1, 'serious-case', $2, '1 to 5', $3, 'seriously-harmed', 'suspected', $4, 'cspr-group', $5, $5, $6, $7, 'Made up for the benchmark.', $8, $9, $10, 'Made up for the benchmark.', $11, $11, 'masa demo') RETURNING id",
                args![pid, format!("Child H{n}"), aware, e.key.as_str(), notified, done, if local { "local-review" } else { "no-review" }, decided, published, format!("Practice review: Child H{n}"), now],
            )
            .await?
            .ok_or_else(|| anyhow::anyhow!("no case id"))?
            .get("id")?;
        cases += 1;
        for k in 0..20 {
            tx.execute_seed(
                "INSERT INTO review_chronology (partnership_id, case_id, organisation, happened_on, event, created_at, created_by) VALUES ($1, $2, 'Plymouth City Council', $3, 'A contact with the family, made up for the benchmark.', $4, 'masa demo')",
                args![pid, case_id, aware - chrono::Duration::days(k * 9), now],
            )
            .await?;
        }
        for r in 1..=4_i64 {
            let rec_id: i64 = tx
                .fetch_optional(
                    "INSERT INTO review_recommendations (partnership_id, case_id, number, finding, recommendation, practice_changed, created_at, updated_at, updated_by) VALUES ($1, $2, $3, 'A finding.', 'A recommendation, made up for the benchmark.', $4, $5, $5, 'masa demo') RETURNING id",
                    args![pid, case_id, r, if r % 2 == 0 { "shown" } else { "" }, now],
                )
                .await?
                .ok_or_else(|| anyhow::anyhow!("no recommendation id"))?
                .get("id")?;
            recs += 1;
            for a in 0..2_i64 {
                let due = cal.add_working_days(decided, 40 + a * 20);
                let status = if due < today && r != 3 {
                    "done"
                } else {
                    "open"
                };
                tx.execute_seed(
                    "INSERT INTO actions (partnership_id, source_kind, source_id, body_key, reference, title, owner_name, owner_organisation, due, status, completed_on, created_at, updated_at, updated_by, sensitive) VALUES ($1, 'recommendation', $2, 'cspr-group', $3, 'An action from a review, made up for the benchmark', 'Head of service', 'Plymouth City Council', $4, $5, $6, $7, $7, 'masa demo', TRUE)",
                    args![pid, rec_id, format!("Child H{n} recommendation {r}"), due, status, (status == "done").then_some(due), now],
                )
                .await?;
            }
        }
    }
    tx.commit().await?;
    Ok((cases, recs))
}

/// A small real PDF standing in for a paper.
pub fn demo_paper(title: &str) -> anyhow::Result<Vec<u8>> {
    let template = r#"#let d = json("data.json")
#set document(title: d.title)
#set text(font: "Noto Sans", lang: "en")
= #d.title
#d.body
"#;
    crate::pdf::render(
        template,
        &serde_json::json!({
            "title": title,
            "body": "A paper for the meeting, made up for the masa demo. It holds no one's real information."
        }),
        crate::calendar::today(),
    )
    .map_err(anyhow::Error::msg)
}

/// Years of a partnership's life, for the benchmark (the meetings issue's figures for ten
/// years: about 400 meetings, 5,000 papers, 20,000 actions): each body's meetings at its own
/// frequency or more often, thirteen minuted agenda items each with a paper (a real PDF kept by
/// the storage layer), and fifty actions from each meeting (those long past done, with a
/// progress note). Written directly, in one transaction: this is made-up history, not a record
/// of anyone's work, so only the files it keeps are in the audit trail.
pub async fn seed_history(
    state: &AppState,
    slug: &str,
    years: i32,
) -> anyhow::Result<(usize, usize, usize, usize)> {
    use crate::args;
    use crate::meetings::model;
    let p = crate::partnerships::store::by_slug(&state.db, slug)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no partnership {slug}"))?;
    let pid = crate::store::PartnershipId(p.id);
    let today = crate::calendar::today();
    let Some(a) = crate::arrangements::store::load_as_at(&state.db, pid, today).await? else {
        anyhow::bail!("{slug} has no arrangements");
    };
    let cal = crate::calendar::store::current(&state.db).await?;
    let actor = Actor::system("masa demo history");
    let mut tx = crate::store::Tx::begin(&state.db, &actor).await?;
    let now = tx.now();
    let (mut meetings, mut items, mut actions, mut papers) = (0, 0, 0, 0);
    let paper = demo_paper("A report to the board")?;
    let this = model::financial_year(today);
    let meeting_bodies = a
        .bodies
        .iter()
        .filter(|b| b.meetings.is_some())
        .count()
        .max(1);
    // About forty meetings a year across the bodies that meet.
    let at_least = 40_u32.div_ceil(u32::try_from(meeting_bodies).unwrap_or(1));
    for b in &a.bodies {
        let Some(m) = &b.meetings else { continue };
        let count = model::per_year(&m.frequency, m.per_year)
            .max(at_least)
            .min(12);
        let mut minute = 0i64;
        for year in this - years..this {
            let Some(first) =
                chrono::NaiveDate::from_weekday_of_month_opt(year, 4, chrono::Weekday::Tue, 2)
            else {
                continue;
            };
            for date in model::schedule(first, &m.frequency, count, &cal) {
                let id: i64 = tx
                    .fetch_optional(
                        "INSERT INTO meetings (partnership_id, body_key, kind, meeting_date, start_time, venue, status, created_at, updated_at, updated_by) VALUES ($1, $2, 'ordinary', $3, '10:00', $4, 'held', $5, $6, 'masa demo') RETURNING id",
                        args![pid, b.key.as_str(), date, b.venue.as_str(), now, now],
                    )
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("no meeting id"))?
                    .get("id")?;
                meetings += 1;
                let mut item_ids = Vec::new();
                for n in 1..=13i64 {
                    minute += 1;
                    let item: i64 = tx
                        .fetch_optional(
                            "INSERT INTO agenda_items (partnership_id, meeting_id, body_key, position, title, purpose, minute_number, minute_text, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, 'discussion', $6, $7, $8, 'masa demo') RETURNING id",
                            args![pid, id, b.key.as_str(), n, format!("Item {n}: report to the {}", b.name), minute, format!("The {} received the report and discussed its findings.", b.name), now],
                        )
                        .await?
                        .ok_or_else(|| anyhow::anyhow!("no item id"))?
                        .get("id")?;
                    items += 1;
                    item_ids.push((item, minute));
                    let file = state
                        .files
                        .put(
                            &mut tx,
                            pid,
                            &format!("report-{minute}.pdf"),
                            crate::files::FileType::Pdf,
                            paper.clone(),
                        )
                        .await?;
                    let paper_id: i64 = tx
                        .fetch_optional(
                            "INSERT INTO papers (partnership_id, meeting_id, agenda_item_id, title, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, 'masa demo') RETURNING id",
                            args![pid, id, item, format!("Report for item {n}"), now, now],
                        )
                        .await?
                        .ok_or_else(|| anyhow::anyhow!("no paper id"))?
                        .get("id")?;
                    tx.execute_seed(
                        "INSERT INTO paper_versions (partnership_id, paper_id, number, file_id, late, uploaded_on, created_at, created_by) VALUES ($1, $2, 1, $3, FALSE, $4, $5, 'masa demo')",
                        args![pid, paper_id, file.id, date - chrono::Duration::days(10), now],
                    )
                    .await?;
                    papers += 1;
                }
                for k in 0..50i64 {
                    let (item, minute) = item_ids[(k % 13) as usize];
                    let due = date + chrono::Duration::days(30 + (k * 7) % 120);
                    let done = due < today - chrono::Duration::days(60);
                    let action: i64 = tx
                        .fetch_optional(
                            "INSERT INTO actions (partnership_id, source_kind, source_id, body_key, reference, title, owner_name, owner_organisation, due, status, completed_on, created_at, updated_at, updated_by) VALUES ($1, 'minute', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'masa demo') RETURNING id",
                            args![pid, item, b.key.as_str(), format!("Minute {minute}"), format!("Follow up item {} of the meeting of {}", k % 13 + 1, date.format("%-d %B %Y")), format!("Officer {}", k % 17 + 1), ["Plymouth City Council", "NHS Devon", "Devon and Cornwall Police", "Schools"][(k % 4) as usize], due, if done { "done" } else { "open" }, if done { Some(due) } else { None }, now, now],
                        )
                        .await?
                        .ok_or_else(|| anyhow::anyhow!("no action id"))?
                        .get("id")?;
                    actions += 1;
                    if done {
                        tx.execute_seed(
                            "INSERT INTO action_notes (partnership_id, action_id, noted_on, note, created_at, created_by) VALUES ($1, $2, $3, 'Done, with evidence sent to the business unit.', $4, 'masa demo')",
                            args![pid, action, due, now],
                        )
                        .await?;
                    }
                }
            }
        }
    }
    tx.commit().await?;
    crate::meetings::index::reindex(&state.db, pid).await?;
    Ok((meetings, items, actions, papers))
}

pub async fn run(mut config: Config) -> anyhow::Result<()> {
    let path = config.data_dir.join("demo.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let p = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        if p.exists() {
            std::fs::remove_file(&p)?;
        }
    }
    config.database_url = format!("sqlite://{}", path.display());
    // For the benchmark on PostgreSQL: an empty database of its own (the bench makes it).
    let on_postgres = std::env::var("MASA_DEMO_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres://"));
    if let Some(url) = &on_postgres {
        config.database_url.clone_from(url);
    }
    // The demo's papers start afresh with its database.
    if config.files_url.is_none() {
        let files = config.data_dir.join("demo-files");
        if files.exists() {
            std::fs::remove_dir_all(&files)?;
        }
        config.files_url = Some(files.display().to_string());
    }
    let db = crate::server::open(&config, true).await?;
    if on_postgres.is_some() && !crate::partnerships::store::all(&db).await?.is_empty() {
        anyhow::bail!(
            "MASA_DEMO_DATABASE_URL must name an empty database: the demo makes its own partnerships"
        );
    }
    let state = crate::server::state(config, db)?;
    let demo = seed(&state).await?;
    let arrangements = seed_arrangements(&state).await?;
    // For the benchmark: MASA_DEMO_HISTORY_YEARS=10 gives Plymouth ten years of meetings before
    // this year's (so this year's minutes number on from them).
    if let Some(years) = std::env::var("MASA_DEMO_HISTORY_YEARS")
        .ok()
        .and_then(|v| v.parse::<i32>().ok())
        .filter(|y| (1..=30).contains(y))
    {
        let (m, i, a, papers) = seed_history(&state, "plymouth", years).await?;
        let (cases, recs) = seed_case_history(&state, "plymouth", years).await?;
        println!(
            "Plymouth history: {m} meetings, {i} minuted agenda items, {papers} papers, {a} actions, {cases} serious cases with {recs} recommendations over {years} years"
        );
    }
    seed_meetings(&state).await?;
    seed_actions_due(&state).await?;
    seed_cases(&state).await?;
    seed_assurance(&state).await?;
    let thresholds = seed_thresholds(&state).await?;
    seed_procedures(&state).await?;
    seed_training(&state).await?;
    seed_scorecard(&state).await?;
    // For the benchmark: MASA_DEMO_SCORECARD_YEARS=10 gives Plymouth a monthly scorecard of 100
    // indicators with ten years of figures, and MASA_DEMO_SCORECARD_PARTNERSHIPS=130 as many
    // other partnerships the same (a national host's).
    if let Some(years) = std::env::var("MASA_DEMO_SCORECARD_YEARS")
        .ok()
        .and_then(|v| v.parse::<i32>().ok())
        .filter(|y| (1..=30).contains(y))
    {
        let others = std::env::var("MASA_DEMO_SCORECARD_PARTNERSHIPS")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| *n <= 500)
            .unwrap_or(0);
        let started = std::time::Instant::now();
        let figures = seed_scorecard_scale(&state, others, years).await?;
        println!(
            "Scorecard history: {figures} monthly figures of 100 indicators over {years} years, for Plymouth and {others} other partnerships ({:.1} s to load)",
            started.elapsed().as_secs_f64()
        );
    }
    let base = &state.config.base_url;
    println!("\nmasa demo is running at {base}\n");
    println!("Every demo account's password is: {DEMO_PASSWORD}\n");
    for u in &demo.users {
        println!("  {:<34} {}", u.email, u.what);
        if let Some(s) = &u.totp_secret {
            println!(
                "  {:<34} two-factor key (add to an authenticator app): {s}",
                ""
            );
            println!(
                "  {:<34} or a one-time recovery code: {}",
                "",
                u.recovery_codes
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("  ")
            );
        }
    }
    println!(
        "\nPublic pages: {}",
        demo.partnerships
            .iter()
            .map(|p| format!("{base}/p/{}", p.slug))
            .collect::<Vec<_>>()
            .join("  ")
    );
    for slug in &arrangements {
        println!("Published arrangements: {base}/p/{slug}/arrangements");
    }
    for slug in &thresholds {
        println!("Threshold tool: {base}/p/{slug}/thresholds");
    }
    println!("Stop with Ctrl-C.\n");
    crate::server::serve(state).await
}

/// A monthly scorecard of `groups` × 5 indicators for the scale benchmark, as document text
/// (without the schema line): in each group two counts, a share of them worked out, a rate of
/// the first, and a percentage sent as two counts. Codes say how each arrives: `mc-` a count,
/// `ms-` two counts, `md-` worked out.
pub fn monthly_scorecard(groups: usize, source: &str) -> String {
    let mut t = String::new();
    let mut sections = String::new();
    for g in 1..=groups {
        let (a, b) = (format!("mc-{g:03}-a"), format!("mc-{g:03}-b"));
        let (share, rate, sent) = (
            format!("md-{g:03}-share"),
            format!("md-{g:03}-rate"),
            format!("ms-{g:03}"),
        );
        t.push_str(&format!(
            "[[indicators]]\ncode = \"{a}\"\nname = \"Measure {g}: all\"\nunit = \"count\"\nsource = \"{source}\"\nfrequency = \"monthly\"\n\n\
             [[indicators]]\ncode = \"{b}\"\nname = \"Measure {g}: within timescale\"\nunit = \"count\"\nsource = \"{source}\"\nfrequency = \"monthly\"\n\n\
             [[indicators]]\ncode = \"{share}\"\nname = \"Measure {g}: % within timescale\"\nunit = \"percentage\"\nhigher_is_better = true\nsource = \"{source}\"\nfrequency = \"monthly\"\nderived = {{ numerator = \"{b}\", denominator = \"{a}\" }}\ntarget = 80.0\ntolerance = 5.0\nbenchmarks = [{{ series = \"england\", year = \"2024/25\", value = 78.5 }}]\n\n\
             [[indicators]]\ncode = \"{rate}\"\nname = \"Measure {g}: rate per 10,000 children\"\nunit = \"rate\"\nsource = \"{source}\"\nfrequency = \"monthly\"\nderived = {{ numerator = \"{a}\" }}\n\n\
             [[indicators]]\ncode = \"{sent}\"\nname = \"Measure {g}: % seen by a practitioner\"\nunit = \"percentage\"\nhigher_is_better = true\nsource = \"{source}\"\nfrequency = \"monthly\"\nnumerator = \"seen\"\ndenominator = \"all\"\n\n"
        ));
        if (g - 1) % 2 == 0 {
            sections.push_str(&format!(
                "[[scorecards.sections]]\nkey = \"s{g:03}\"\ntitle = \"Measures {g} and {}\"\nindicators = [",
                g + 1
            ));
        }
        sections.push_str(&format!(
            "\"{a}\", \"{b}\", \"{share}\", \"{rate}\", \"{sent}\", "
        ));
        if g % 2 == 0 || g == groups {
            sections.push_str("]\n\n");
        }
    }
    t.push_str("[[scorecards]]\nkey = \"monthly\"\ntitle = \"Monthly performance\"\nfrequency = \"monthly\"\n\n");
    t.push_str(&sections);
    t
}

/// For the benchmark: Plymouth's document gains a monthly scorecard of 100 indicators with
/// `years` of monthly figures, and `others` partnerships of their own carry the same (a national
/// host's), bulk-written (one statement a month, not a request a figure). Returns the figures
/// written.
pub async fn seed_scorecard_scale(
    state: &AppState,
    others: usize,
    years: i32,
) -> anyhow::Result<i64> {
    use crate::scorecard::{format, model, store};
    let actor = Actor::system("masa demo history");
    const GROUPS: usize = 20;
    let mut targets = Vec::new();
    if let (Some(p), Some(file)) = (
        partnerships::by_slug(&state.db, "plymouth").await?,
        ExampleScorecards::get("plymouth.toml"),
    ) {
        let mut text = String::from_utf8_lossy(&file.data).into_owned();
        text.push_str("\n# For the benchmark: a monthly scorecard of made-up measures.\n");
        text.push_str(&monthly_scorecard(GROUPS, "plymouth-city-council"));
        targets.push((PartnershipId(p.id), text));
    }
    for n in 1..=others {
        let mut tx = Tx::begin(&state.db, &actor).await?;
        let pid = partnerships::create(
            &mut tx,
            &format!("bench-{n:03}"),
            &format!("Bench area {n:03}"),
        )
        .await
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
        tx.commit().await?;
        let text = format!(
            "schema = \"masa-scorecard/1\"\n\n{}",
            monthly_scorecard(GROUPS, "bench-council")
        );
        targets.push((pid, text));
    }
    let today = crate::calendar::today();
    let last = model::month_end(
        chrono::NaiveDate::from_ymd_opt(
            chrono::Datelike::year(&today),
            chrono::Datelike::month(&today),
            1,
        )
        .and_then(|d| d.pred_opt())
        .unwrap_or(today),
    );
    let months: Vec<chrono::NaiveDate> = (0..years.max(1) * 12)
        .filter_map(|k| {
            last.checked_sub_months(chrono::Months::new(u32::try_from(k).unwrap_or(0)))
                .map(model::month_end)
        })
        .collect();
    let mut written = 0i64;
    for (pid, text) in targets {
        let d = format::parse(text.as_bytes(), &format::Known::default())
            .map_err(|problems| unreadable("the benchmark's scorecard", &problems))?;
        store::import(&state.db, &actor, pid, &d, &text, "made for the benchmark").await?;
        let mut tx = Tx::begin(&state.db, &actor).await?;
        let now = tx.now();
        for (k, day) in months.iter().enumerate() {
            let k = k as i64;
            // Counts between 20 and 419, the second of a pair not above the first; shares of
            // 5 to 94 in 100 to 149.
            written += tx.execute_seed(
                "INSERT INTO scorecard_figures (partnership_id, indicator_id, code, ends_on, revision, numerator, value_milli, organisation_key, how, recorded_at, recorded_by) SELECT partnership_id, id, code, $2, 1, CASE WHEN code LIKE '%-a' THEN 420 + (id * 37 + $3 * 11) % 400 ELSE 20 + (id * 37 + $3 * 11) % 400 END, 1000 * CASE WHEN code LIKE '%-a' THEN 420 + (id * 37 + $3 * 11) % 400 ELSE 20 + (id * 37 + $3 * 11) % 400 END, 'bench', 'history', $4, 'masa demo' FROM scorecard_indicators WHERE partnership_id = $1 AND code LIKE 'mc-%'",
                crate::args![pid, *day, k, now],
            )
            .await? as i64;
            written += tx.execute_seed(
                "INSERT INTO scorecard_figures (partnership_id, indicator_id, code, ends_on, revision, numerator, denominator, value_milli, organisation_key, how, recorded_at, recorded_by) SELECT partnership_id, id, code, $2, 1, 5 + (id * 13 + $3 * 7) % 90, 100 + id % 50, (5 + (id * 13 + $3 * 7) % 90) * 100000 / (100 + id % 50), 'bench', 'history', $4, 'masa demo' FROM scorecard_indicators WHERE partnership_id = $1 AND code LIKE 'ms-%'",
                crate::args![pid, *day, k, now],
            )
            .await? as i64;
        }
        tx.commit().await?;
        // This month's period, asked for and not yet published.
        if let Some(c) = d.scorecard("monthly") {
            let label = model::period_label(last, c.frequency, c.year_starts);
            store::open_period(&state.db, &actor, pid, &c.key, last, &label, today).await?;
        }
    }
    Ok(written)
}
