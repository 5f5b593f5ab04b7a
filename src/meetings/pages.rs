//! Meeting pages: the schedule of every body, a body's year, one meeting with its deadlines,
//! what is due this week, and the partnership's meeting rules.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Duration, NaiveDate};
use serde::Deserialize;

use super::access::Sight;
use super::model::{self, Deadline, MeetingStatus, MinutesStatus, Rules};
use super::store::{self, Meeting, MeetingChange, NewMeeting};
use crate::arrangements::model::Body;
use crate::state::{AppState, Ctx};
use crate::store::PartnershipId;
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;

use crate::calendar::today;

/// The bodies of the partnership as they stand today.
async fn bodies(st: &AppState, p: PartnershipId) -> AppResult<Vec<Body>> {
    Ok(crate::arrangements::store::load_as_at(&st.db, p, today())
        .await?
        .map(|a| a.bodies)
        .unwrap_or_default())
}

async fn body(st: &AppState, p: PartnershipId, key: &str) -> AppResult<Body> {
    bodies(st, p)
        .await?
        .into_iter()
        .find(|b| b.key == key)
        .ok_or(AppError::NotFound)
}

/// A body's name, or its key when it has left the arrangements.
pub async fn body_name(st: &AppState, p: PartnershipId, key: &str) -> AppResult<String> {
    Ok(bodies(st, p)
        .await?
        .into_iter()
        .find(|b| b.key == key)
        .map_or_else(|| key.to_owned(), |b| b.name))
}

/// A meeting as listed: with its body's name and what it is called.
#[derive(Clone)]
pub struct Listed {
    pub m: Meeting,
    pub body: String,
    pub label: &'static str,
}

fn listed(ms: Vec<Meeting>, bodies: &[Body]) -> Vec<Listed> {
    ms.into_iter()
        .map(|m| Listed {
            body: bodies
                .iter()
                .find(|b| b.key == m.body_key)
                .map_or_else(|| m.body_key.clone(), |b| b.name.clone()),
            label: model::kind_label(&m.kind),
            m,
        })
        .collect()
}

/// Meetings with their bodies' names, read from the stored entries without decoding them (the
/// cheap way, for pages that list many meetings).
pub async fn named(st: &AppState, p: PartnershipId, ms: Vec<Meeting>) -> AppResult<Vec<Listed>> {
    let names = crate::arrangements::store::names(&st.db, p, "body").await?;
    Ok(ms
        .into_iter()
        .map(|m| Listed {
            body: names
                .iter()
                .find(|(k, _)| *k == m.body_key)
                .map_or_else(|| m.body_key.clone(), |(_, n)| n.clone()),
            label: model::kind_label(&m.kind),
            m,
        })
        .collect())
}

/// A time as typed, as stored ("09:30"); as typed when it is refused, so the form keeps it.
fn time_field(errors: &mut Errors, field: &str, v: &str) -> String {
    match errors.time(field, v, "Enter the start time") {
        Some(t) => t.format("%H:%M").to_string(),
        None => v.trim().to_owned(),
    }
}

fn venue_field(errors: &mut Errors, field: &str, v: &str) -> String {
    let v = v.trim();
    if v.chars().count() > 200 {
        errors.add(field, "Enter a venue of 200 characters or fewer");
    }
    v.to_owned()
}

// ---- All meetings ----

#[derive(Template, WebTemplate)]
#[template(path = "meetings/index.html")]
struct IndexPage {
    page: Page,
    upcoming: Vec<Listed>,
    bodies: Vec<Body>,
    year: i32,
    can_manage: bool,
}

pub async fn index(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let sight = Sight::of(&st.db, &viewer).await?;
    let bodies: Vec<Body> = bodies(&st, p)
        .await?
        .into_iter()
        .filter(|b| sight.body(&b.key))
        .collect();
    let t = today();
    let mut upcoming = store::between(&st.db, p, t, t + Duration::days(366), None).await?;
    upcoming.retain(|m| sight.body(&m.body_key));
    Ok(IndexPage {
        page: Page::new(&viewer, "Meetings", "/meetings"),
        upcoming: listed(upcoming, &bodies),
        bodies,
        year: model::financial_year(t),
        can_manage: Permission::ManagePartnership.allows(&viewer),
    }
    .into_response())
}

// ---- A body's year ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PlanForm {
    first: String,
    // Named apart from the "Add a meeting" form's fields on the same page.
    #[serde(rename = "plan_start_time")]
    start_time: String,
    #[serde(rename = "plan_venue")]
    venue: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AddForm {
    kind: String,
    date: String,
    start_time: String,
    venue: String,
    urgent: String,
    urgent_reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/body.html")]
struct BodyYearPage {
    page: Page,
    body: Body,
    year: i32,
    meetings: Vec<Listed>,
    per_year: u32,
    notice: i64,
    can_manage: bool,
    plan: PlanForm,
    add: AddForm,
    errors: Errors,
}

async fn body_year(
    st: &AppState,
    viewer: &Viewer,
    key: &str,
    year: i32,
    plan: PlanForm,
    add: AddForm,
    errors: Errors,
) -> AppResult<BodyYearPage> {
    let p = viewer.tenant()?;
    Sight::of(&st.db, viewer).await?.require_body(key)?;
    let b = body(st, p, key).await?;
    let (from, to) = year_span(year);
    let ms = store::between(&st.db, p, from, to, Some(key)).await?;
    let (rules, _) = store::rules(&st.db, p).await?;
    let freq = b
        .meetings
        .as_ref()
        .map(|m| m.frequency.clone())
        .unwrap_or_default();
    let stated = b.meetings.as_ref().and_then(|m| m.per_year);
    Ok(BodyYearPage {
        page: Page::new(
            viewer,
            format!("{}: meetings {year} to {}", b.name, year + 1),
            "/meetings",
        ),
        per_year: model::per_year(&freq, stated),
        notice: notice_needed(&b, &rules),
        meetings: listed(ms, std::slice::from_ref(&b)),
        body: b,
        year,
        can_manage: Permission::ManagePartnership.allows(viewer),
        plan,
        add,
        errors,
    })
}

fn year_span(year: i32) -> (NaiveDate, NaiveDate) {
    let from = NaiveDate::from_ymd_opt(year, 4, 1).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(year + 1, 3, 31).unwrap_or_default();
    (from, to)
}

/// The body's own notice period, else the partnership's.
fn notice_needed(b: &Body, rules: &Rules) -> i64 {
    b.notice_working_days
        .map_or(rules.extraordinary_notice, i64::from)
}

fn year_of(q: &YearQuery) -> i32 {
    q.year
        .trim()
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| model::financial_year(today()))
}

pub async fn body_page(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(key): Path<String>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let year = year_of(&q);
    let plan = PlanForm {
        start_time: "10:00".into(),
        ..PlanForm::default()
    };
    let add = AddForm {
        kind: "ordinary".into(),
        start_time: "10:00".into(),
        ..AddForm::default()
    };
    Ok(
        body_year(&st, &viewer, &key, year, plan, add, Errors::default())
            .await?
            .into_response(),
    )
}

/// Plan a year: the body's meetings from its frequency, starting on the date given.
pub async fn plan(
    Ctx { st, viewer, p }: Ctx,
    Path(key): Path<String>,
    FormData(f): FormData<PlanForm>,
) -> AppResult<Response> {
    let b = body(&st, p, &key).await?;
    let mut errors = Errors::default();
    let first = errors.required_date(
        "first",
        "Date of the first meeting",
        &f.first,
        "Enter the date of the first meeting",
    );
    let start_time = time_field(&mut errors, "plan_start_time", &f.start_time);
    let venue = venue_field(&mut errors, "plan_venue", &f.venue);
    let freq = b
        .meetings
        .as_ref()
        .map(|m| m.frequency.clone())
        .unwrap_or_default();
    let count = model::per_year(&freq, b.meetings.as_ref().and_then(|m| m.per_year));
    if count == 0 {
        errors.add(
            "first",
            "This body has no regular meetings in the arrangements: add its meetings one at a time",
        );
    }
    let year = first.map_or_else(|| model::financial_year(today()), model::financial_year);
    if let Some(first) = first
        && errors.is_empty()
    {
        let (from, to) = year_span(year);
        if !store::between(&st.db, p, from, to, Some(&key))
            .await?
            .is_empty()
        {
            errors.add(
                "first",
                "This year already has meetings: change their dates, or add a meeting",
            );
        }
        let cal = crate::calendar::store::current(&st.db).await?;
        if errors.is_empty() {
            let venue = if venue.is_empty() {
                b.venue.clone()
            } else {
                venue
            };
            let new: Vec<NewMeeting> = model::schedule(first, &freq, count, &cal)
                .into_iter()
                .map(|date| NewMeeting {
                    body_key: key.clone(),
                    kind: "ordinary".into(),
                    date,
                    start_time: start_time.clone(),
                    venue: venue.clone(),
                    notice_given: None,
                    urgent_reason: String::new(),
                })
                .collect();
            store::add(&st.db, &viewer.actor(), p, &new).await?;
            crate::web::flash(&st.db, &viewer, &format!("{} meetings planned", new.len())).await?;
            return Ok(crate::web::redirect(&format!(
                "/meetings/bodies/{key}?year={year}"
            )));
        }
    }
    let add = AddForm {
        kind: "ordinary".into(),
        start_time: "10:00".into(),
        ..AddForm::default()
    };
    let page = body_year(&st, &viewer, &key, year, f, add, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// Add one meeting: an extraordinary meeting needs the notice, unless urgent with a reason.
pub async fn add(
    Ctx { st, viewer, p }: Ctx,
    Path(key): Path<String>,
    FormData(f): FormData<AddForm>,
) -> AppResult<Response> {
    let b = body(&st, p, &key).await?;
    let mut errors = Errors::default();
    if !model::KINDS.contains(&f.kind.as_str()) {
        errors.add("kind", "Select what kind of meeting it is");
    }
    let date = errors.required_date("date", "Date", &f.date, "Enter the date of the meeting");
    let start_time = time_field(&mut errors, "start_time", &f.start_time);
    let venue = venue_field(&mut errors, "venue", &f.venue);
    let urgent = f.urgent == "yes";
    let reason = f.urgent_reason.trim().to_owned();
    if urgent && reason.is_empty() {
        errors.add("urgent_reason", "Say why the meeting is urgent");
    }
    errors.text("urgent_reason", &reason, 2000);
    let given = today();
    if let Some(d) = date {
        if d < given {
            errors.add("date", "The date must be today or later");
        } else if f.kind == "extraordinary" && !urgent {
            let (rules, _) = store::rules(&st.db, p).await?;
            let cal = crate::calendar::store::current(&st.db).await?;
            if let Some(m) = model::notice_problem(given, d, notice_needed(&b, &rules), &cal) {
                errors.add("date", m);
            }
        }
    }
    let year = date.map_or_else(|| model::financial_year(given), model::financial_year);
    match (date, errors.is_empty()) {
        (Some(date), true) => {
            let m = NewMeeting {
                body_key: key.clone(),
                kind: f.kind.clone(),
                date,
                start_time,
                venue: if venue.is_empty() {
                    b.venue.clone()
                } else {
                    venue
                },
                notice_given: (f.kind == "extraordinary").then_some(given),
                urgent_reason: if urgent { reason } else { String::new() },
            };
            store::add(&st.db, &viewer.actor(), p, &[m]).await?;
            crate::web::flash(
                &st.db,
                &viewer,
                &format!(
                    "{} added on {}",
                    model::kind_label(&f.kind),
                    date.format("%-d %B %Y")
                ),
            )
            .await?;
            Ok(crate::web::redirect(&format!(
                "/meetings/bodies/{key}?year={year}"
            )))
        }
        _ => {
            let plan = PlanForm {
                start_time: "10:00".into(),
                ..PlanForm::default()
            };
            let page = body_year(&st, &viewer, &key, year, plan, f, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

// ---- Attendance over a period ----

#[derive(Template, WebTemplate)]
#[template(path = "meetings/statistics.html")]
struct StatisticsPage {
    page: Page,
    body: Body,
    year: i32,
    /// (caption, first column, rows, a chart of the same rows): by organisation, charted
    /// against the expectation, then by member.
    tables: Vec<(
        &'static str,
        &'static str,
        Vec<model::AttendanceStat>,
        Option<String>,
    )>,
}

/// Each organisation's attendance as a bar against the body's expected share: its words say
/// the meetings attended and whether that is below the expectation, as the table's flags do.
fn attendance_chart(
    title: String,
    rows: &[model::AttendanceStat],
    expectation: Option<&crate::arrangements::model::Attendance>,
) -> Option<String> {
    use crate::web::chart::{BarChart, Colour, counted, percent};
    if rows.is_empty() {
        return None;
    }
    let mut c = BarChart::new("attendance-chart", title).out_of(100.0);
    for s in rows {
        let (colour, flag) = if s.persistent {
            (Colour::Red, ", persistent non-attendance")
        } else if s.below {
            (Colour::Yellow, ", below expectation")
        } else if expectation.is_some() {
            (Colour::Green, "")
        } else {
            (Colour::Blue, "")
        };
        let text = format!(
            "{} of {} ({}%){flag}",
            s.attended,
            counted(s.expected as u64, "meeting", "meetings"),
            percent(s.attended as u64, s.expected as u64)
        );
        c = c.bar(s.name.clone(), s.share * 100.0, text, colour);
    }
    if let Some(e) = expectation {
        let pct = (e.expected_share * 100.0).round();
        c = c.target(pct, format!("Expected: {pct}% of meetings"));
    }
    Some(c.svg())
}

/// Attendance at a body's meetings over a financial year, per member and per organisation,
/// against the body's expectation: the table the annual report uses.
pub async fn statistics(
    Ctx { st, viewer, p }: Ctx,
    Path(key): Path<String>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    Sight::of(&st.db, &viewer).await?.require_body(&key)?;
    let b = body(&st, p, &key).await?;
    let year = year_of(&q);
    let (from, to) = year_span(year);
    let rows = store::attended(&st.db, p, &key, from, to.min(today())).await?;
    let (people, organisations) = model::attendance_stats(&rows, b.attendance.as_ref());
    let chart = attendance_chart(
        format!(
            "Attendance by organisation, April {year} to March {}",
            year + 1
        ),
        &organisations,
        b.attendance.as_ref(),
    );
    Ok(StatisticsPage {
        page: Page::new(&viewer, format!("Attendance: {}", b.name), "/meetings"),
        // The organisations first: their chart is the page's summary.
        tables: vec![
            ("By organisation", "Organisation", organisations, chart),
            ("By member", "Member", people, None),
        ],
        body: b,
        year,
    }
    .into_response())
}

// ---- One meeting ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChangeForm {
    version: String,
    date: String,
    start_time: String,
    venue: String,
    status: String,
}

/// Which page of a meeting: the summary with its cycle as a task list, one stage of the cycle
/// (attendance has its own page, in `conduct`), or the form that changes the meeting itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Summary,
    Agenda,
    Papers,
    Decisions,
    Minutes,
    Approval,
    Change,
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/meeting.html")]
struct MeetingPage {
    page: Page,
    part: Part,
    m: Meeting,
    body: String,
    label: &'static str,
    /// Each step, where it stands and its colour (none for a cancelled meeting).
    deadlines: Vec<(
        Deadline,
        crate::calendar::deadline::Deadline,
        crate::calendar::deadline::Rag,
    )>,
    /// The cycle's stages as a task list.
    stages: Vec<crate::web::task_list::Stage>,
    /// The day has passed and the meeting is still marked scheduled.
    to_be_marked: bool,
    disputes_after: i64,
    can_manage: bool,
    form: ChangeForm,
    errors: Errors,
    /// Each item, and whether this person may open it.
    agenda: Vec<(store::AgendaItem, bool)>,
    /// Per item: its id, how many papers it has, and whether any is late.
    papers: Vec<(i64, usize, bool)>,
    /// The papers of the items this person may open.
    paper_list: Vec<super::papers::Paper>,
    /// The decisions of the items this person may open and that are not restricted (a
    /// restricted item's decisions are read on its own page, where the reading is recorded).
    decisions: Vec<store::Decision>,
    /// Decisions recorded per item, by its id: counted for every item.
    decided: Vec<(i64, usize)>,
    minutes: store::Minutes,
    approved_at: Option<Meeting>,
    later: Vec<Meeting>,
    attendance: (usize, usize),
    purposes: Vec<(String, String)>,
    item: ItemValues,
    /// What was typed into the minutes' approval form, shown again with its problems.
    typed_approved_at: String,
    typed_amendments: String,
}

impl MeetingPage {
    /// Decisions recorded on an item.
    fn decided_on(&self, item: &i64) -> usize {
        self.decided
            .iter()
            .find(|(id, _)| id == item)
            .map_or(0, |(_, n)| *n)
    }
}

/// What was typed into the agenda's "add an agenda item" form.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ItemValues {
    pub title: String,
    pub presenter: String,
    pub organisation: String,
    pub purpose: String,
    pub restricted: String,
}

/// A stage's page showing problems with moving the minutes on against their fields, what was
/// typed kept: circulating on the minutes' page, approving on the approval's.
pub async fn with_minutes_errors(
    st: &AppState,
    viewer: &Viewer,
    m: Meeting,
    approving: bool,
    (approved_at, amendments): (&str, &str),
    errors: Errors,
) -> AppResult<Response> {
    let part = if approving {
        Part::Approval
    } else {
        Part::Minutes
    };
    let mut page = meeting_page(st, viewer, m, part, None, errors).await?;
    page.typed_approved_at = approved_at.to_owned();
    page.typed_amendments = amendments.to_owned();
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The agenda's page showing problems with a new agenda item against its fields.
pub async fn with_item_errors(
    st: &AppState,
    viewer: &Viewer,
    m: Meeting,
    item: ItemValues,
    errors: Errors,
) -> AppResult<Response> {
    let mut page = meeting_page(st, viewer, m, Part::Agenda, None, errors).await?;
    page.item = item;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The cycle's stages as a task list, each with its line: how far it has got, or when it is
/// due.
fn stages(
    m: &Meeting,
    c: &model::Cycle,
    minutes: &store::Minutes,
    approved_at: Option<&Meeting>,
    (rules, cal): (&Rules, &crate::calendar::working_days::Calendar),
) -> Vec<crate::web::task_list::Stage> {
    use crate::web::task_list::Stage;
    use model::CycleStage as S;
    let steps = model::deadlines(m.date, rules, cal);
    let by = |what: &str| {
        steps
            .iter()
            .find(|d| d.what == what)
            .map(|d| d.due.format("%-d %B %Y").to_string())
            .unwrap_or_default()
    };
    let many = |n: usize, one: &str, more: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {more}")
        }
    };
    model::cycle(
        c,
        (m.date, m.status),
        minutes.status,
        minutes.circulated_on,
        (rules, today(), cal),
    )
    .into_iter()
    .map(|(stage, status)| {
        let hint = match stage {
            S::Agenda => format!(
                "{}; items due by {}",
                many(c.items, "item", "items"),
                by("Agenda items due")
            ),
            S::Papers => format!(
                "{}; sent out by {}",
                many(c.papers, "paper", "papers"),
                by("Papers sent out")
            ),
            S::Attendance if c.expected > 0 => {
                format!("{} of {} expected recorded", c.recorded, c.expected)
            }
            S::Attendance => "The body had no members on the day".into(),
            S::Decisions if c.for_decision == 0 => {
                format!(
                    "No item for decision; {}",
                    many(c.decisions, "decision", "decisions")
                )
            }
            S::Decisions => format!(
                "Decided: {} of {} for decision",
                c.decided,
                many(c.for_decision, "item", "items")
            ),
            S::MinutesCirculated => match minutes.circulated_on {
                Some(d) => format!("Circulated on {}", d.format("%-d %B %Y")),
                None => format!(
                    "{} minuted; due out by {}",
                    many(c.minuted, "item", "items"),
                    by(model::MINUTES_OUT)
                ),
            },
            S::MinutesApproved => match approved_at {
                Some(a) => format!("Approved at the meeting of {}", a.date.format("%-d %B %Y")),
                None => "At a later meeting of the body".into(),
            },
        };
        Stage::new(
            stage.name(),
            format!("/meetings/{}/{}", m.id, stage.path()),
            status,
        )
        .hint(hint)
    })
    .collect()
}

async fn meeting_page(
    st: &AppState,
    viewer: &Viewer,
    m: Meeting,
    part: Part,
    form: Option<ChangeForm>,
    errors: Errors,
) -> AppResult<MeetingPage> {
    let p = viewer.tenant()?;
    let sight = Sight::of(&st.db, viewer).await?;
    sight.require_body(&m.body_key)?;
    let (rules, _) = store::rules(&st.db, p).await?;
    let cal = crate::calendar::store::current(&st.db).await?;
    let body = bodies(st, p)
        .await?
        .into_iter()
        .find(|b| b.key == m.body_key)
        .map_or_else(|| m.body_key.clone(), |b| b.name);
    let label = model::kind_label(&m.kind);
    let form = form.unwrap_or_else(|| ChangeForm {
        version: m.version.to_string(),
        date: m.date.to_string(),
        start_time: m.start_time.clone(),
        venue: m.venue.clone(),
        status: m.status.to_string(),
    });
    // A restricted item the person may not read shows only that it is there.
    let mut agenda = Vec::new();
    for mut i in store::agenda(&st.db, p, m.id).await? {
        let open = super::access::may_read(&sight, &i);
        if !open {
            i.title = "Restricted item".into();
            i.presenter.clear();
            i.organisation.clear();
        }
        agenda.push((i, open));
    }
    let all_papers = super::papers::of_meeting(&st.db, p, m.id).await?;
    let papers: Vec<(i64, usize, bool)> = agenda
        .iter()
        .map(|(i, _)| {
            let mine: Vec<_> = all_papers
                .iter()
                .filter(|x| x.agenda_item_id == i.id)
                .collect();
            let late = mine.iter().any(|x| x.current().is_some_and(|v| v.late));
            (i.id, mine.len(), late)
        })
        .collect();
    let all_decisions = store::decisions(&st.db, p, m.id).await?;
    let decided: Vec<(i64, usize)> = agenda
        .iter()
        .map(|(i, _)| {
            let n = all_decisions
                .iter()
                .filter(|d| d.agenda_item_id == i.id)
                .count();
            (i.id, n)
        })
        .collect();
    let minutes = store::minutes(&st.db, p, m.id).await?;
    let circulated_on = minutes.circulated_on;
    let approved_at = match minutes.approved_at {
        Some(id) => store::get(&st.db, p, id).await?,
        None => None,
    };
    let later = store::between(
        &st.db,
        p,
        m.date + Duration::days(1),
        m.date + Duration::days(800),
        Some(&m.body_key),
    )
    .await?;
    let roll = super::conduct::roll(st, p, &m).await?;
    let cycle = model::Cycle {
        items: agenda.len(),
        papers: all_papers.len(),
        expected: roll.len(),
        recorded: roll
            .iter()
            .filter(|a| a.status != model::Presence::Expected)
            .count(),
        for_decision: agenda
            .iter()
            .filter(|(i, _)| i.purpose == "decision")
            .count(),
        decided: agenda
            .iter()
            .filter(|(i, _)| {
                i.purpose == "decision" && decided.iter().any(|(id, n)| *id == i.id && *n > 0)
            })
            .count(),
        decisions: all_decisions.len(),
        minuted: agenda
            .iter()
            .filter(|(i, _)| i.minute_number.is_some())
            .count(),
    };
    let attendance = (roll.iter().filter(|a| a.status.there()).count(), roll.len());
    let open = |id: i64| agenda.iter().any(|(i, o)| i.id == id && *o);
    let plain = |id: i64| {
        agenda
            .iter()
            .any(|(i, o)| i.id == id && *o && !i.restricted)
    };
    Ok(MeetingPage {
        stages: stages(&m, &cycle, &minutes, approved_at.as_ref(), (&rules, &cal)),
        papers,
        paper_list: all_papers
            .into_iter()
            .filter(|x| open(x.agenda_item_id))
            .collect(),
        decisions: all_decisions
            .into_iter()
            .filter(|d| plain(d.agenda_item_id))
            .collect(),
        decided,
        item: ItemValues {
            purpose: "decision".into(),
            ..ItemValues::default()
        },
        typed_approved_at: String::new(),
        typed_amendments: String::new(),
        agenda,
        minutes,
        approved_at,
        later,
        attendance,
        purposes: model::PURPOSES
            .iter()
            .map(|p| ((*p).to_owned(), crate::arrangements::view::role_label(p)))
            .collect(),
        page: Page::new(
            viewer,
            match part {
                Part::Summary => format!("{body}: {}", m.date.format("%-d %B %Y")),
                _ => format!(
                    "{}: {body}, {}",
                    part_title(part),
                    m.date.format("%-d %B %Y")
                ),
            },
            "/meetings",
        ),
        deadlines: if m.status == MeetingStatus::Cancelled {
            Vec::new()
        } else {
            model::deadlines(m.date, &rules, &cal)
                .into_iter()
                .map(|d| {
                    let state = model::step_state(&d, m.status, circulated_on, today(), &cal);
                    (d, state, state.rag(rules.amber_working_days))
                })
                .collect()
        },
        to_be_marked: model::to_be_marked(m.date, m.status, today()),
        disputes_after: rules.disputes_after,
        can_manage: Permission::ManagePartnership.allows(viewer),
        part,
        body,
        label,
        m,
        form,
        errors,
    })
}

/// A part's heading.
fn part_title(part: Part) -> &'static str {
    use model::CycleStage as S;
    match part {
        Part::Summary => "Meeting",
        Part::Agenda => S::Agenda.name(),
        Part::Papers => S::Papers.name(),
        Part::Decisions => S::Decisions.name(),
        Part::Minutes => S::MinutesCirculated.name(),
        Part::Approval => S::MinutesApproved.name(),
        Part::Change => "Change this meeting",
    }
}

async fn part_of(ctx: Ctx, id: i64, part: Part) -> AppResult<Response> {
    let Ctx { st, viewer, p } = ctx;
    let m = store::get(&st.db, p, id).await?.ok_or(AppError::NotFound)?;
    Ok(meeting_page(&st, &viewer, m, part, None, Errors::default())
        .await?
        .into_response())
}

/// The meeting: what it is, and its cycle as a task list.
pub async fn meeting(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    part_of(ctx, id, Part::Summary).await
}

/// The agenda, with the form to add an item.
pub async fn agenda(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    part_of(ctx, id, Part::Agenda).await
}

/// The papers of each item (added on the item's page) and the pack.
pub async fn papers(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    part_of(ctx, id, Part::Papers).await
}

/// The decisions recorded on each item (recorded on the item's page).
pub async fn decisions(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    part_of(ctx, id, Part::Decisions).await
}

/// Each item's minute (written on the item's page), and circulating the draft minutes.
pub async fn minutes(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    part_of(ctx, id, Part::Minutes).await
}

/// Recording the minutes' approval at a later meeting.
pub async fn approval(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    part_of(ctx, id, Part::Approval).await
}

/// The form that changes the meeting's date, time, venue and status.
pub async fn change_form(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    part_of(ctx, id, Part::Change).await
}

pub async fn change(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<ChangeForm>,
) -> AppResult<Response> {
    let m = store::get(&st.db, p, id).await?.ok_or(AppError::NotFound)?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    let date = errors.required_date("date", "Date", &f.date, "Enter the date of the meeting");
    let start_time = time_field(&mut errors, "start_time", &f.start_time);
    let venue = venue_field(&mut errors, "venue", &f.venue);
    let status = MeetingStatus::parse(f.status.trim());
    if status.is_none() {
        errors.add(
            "status",
            "Select whether it is scheduled, held or cancelled",
        );
    }
    let (Some(date), Some(status), true) = (date, status, errors.is_empty()) else {
        let page = meeting_page(&st, &viewer, m, Part::Change, Some(f), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let c = MeetingChange {
        date,
        start_time,
        venue,
        status,
    };
    match store::change(&st.db, &viewer.actor(), p, id, version, &c).await? {
        Ok(()) => {
            crate::web::saved(&st.db, &viewer, "Meeting saved", &format!("/meetings/{id}")).await
        }
        Err(stale) => {
            let now = store::get(&st.db, p, id).await?.ok_or(AppError::NotFound)?;
            let mut errors = Errors::default();
            errors.add("date", stale);
            let page = meeting_page(&st, &viewer, now, Part::Change, None, errors).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

// ---- Due this week ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WeekQuery {
    week: String,
}

pub struct Due {
    pub due: NaiveDate,
    pub what: &'static str,
    pub meeting: Listed,
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/due.html")]
struct DuePage {
    page: Page,
    monday: NaiveDate,
    friday: NaiveDate,
    previous: NaiveDate,
    next: NaiveDate,
    due: Vec<Due>,
    meetings: Vec<Listed>,
}

/// The deadlines falling in a week (Monday to Sunday), and the meetings in it.
pub fn due_in_week(
    monday: NaiveDate,
    meetings: Vec<Listed>,
    rules: &Rules,
    cal: &crate::calendar::working_days::Calendar,
) -> (Vec<Due>, Vec<Listed>) {
    let sunday = monday + Duration::days(6);
    let mut due = Vec::new();
    let mut held = Vec::new();
    for l in meetings {
        if l.m.status == MeetingStatus::Cancelled {
            continue;
        }
        for d in model::deadlines(l.m.date, rules, cal) {
            if d.due >= monday && d.due <= sunday {
                due.push(Due {
                    due: d.due,
                    what: d.what,
                    meeting: Listed {
                        m: l.m.clone(),
                        body: l.body.clone(),
                        label: l.label,
                    },
                });
            }
        }
        if l.m.date >= monday && l.m.date <= sunday {
            held.push(l);
        }
    }
    due.sort_by_key(|d| d.due);
    (due, held)
}

pub async fn due(Ctx { st, viewer, p }: Ctx, Query(q): Query<WeekQuery>) -> AppResult<Response> {
    let day = NaiveDate::parse_from_str(q.week.trim(), "%Y-%m-%d").unwrap_or_else(|_| today());
    let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
    let (rules, _) = store::rules(&st.db, p).await?;
    let cal = crate::calendar::store::current(&st.db).await?;
    // Deadlines fall up to about six weeks either side of their meeting.
    let window = Duration::days(
        7 * ((rules
            .reports_before
            .max(rules.agenda_items_before)
            .max(rules.minutes_after)
            / 5)
            + 3),
    );
    let sight = Sight::of(&st.db, &viewer).await?;
    let mut ms = store::between(&st.db, p, monday - window, monday + window, None).await?;
    ms.retain(|m| sight.body(&m.body_key));
    let (due, meetings) = due_in_week(monday, named(&st, p, ms).await?, &rules, &cal);
    Ok(DuePage {
        page: Page::new(&viewer, "Due this week", "/meetings"),
        friday: monday + Duration::days(4),
        previous: monday - Duration::days(7),
        next: monday + Duration::days(7),
        monday,
        due,
        meetings,
    }
    .into_response())
}

// ---- Rules ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RulesForm {
    version: String,
    agenda_items_before: String,
    reports_before: String,
    amendments_before: String,
    papers_before: String,
    minutes_after: String,
    disputes_after: String,
    extraordinary_notice: String,
    majority_needs_all_partners: String,
    amber_working_days: String,
}

impl RulesForm {
    fn of(r: &Rules, version: i64) -> Self {
        RulesForm {
            version: version.to_string(),
            agenda_items_before: r.agenda_items_before.to_string(),
            reports_before: r.reports_before.to_string(),
            amendments_before: r.amendments_before.to_string(),
            papers_before: r.papers_before.to_string(),
            minutes_after: r.minutes_after.to_string(),
            disputes_after: r.disputes_after.to_string(),
            extraordinary_notice: r.extraordinary_notice.to_string(),
            majority_needs_all_partners: if r.majority_needs_all_partners {
                "yes".into()
            } else {
                String::new()
            },
            amber_working_days: r.amber_working_days.to_string(),
        }
    }

    fn rules(&self, errors: &mut Errors) -> Rules {
        let mut n = |field: &str, v: &str| -> i64 {
            match v.trim().parse::<i64>() {
                Ok(n) if (0..=60).contains(&n) => n,
                _ => {
                    errors.add(field, "Enter a number of working days from 0 to 60");
                    0
                }
            }
        };
        Rules {
            agenda_items_before: n("agenda_items_before", &self.agenda_items_before),
            reports_before: n("reports_before", &self.reports_before),
            amendments_before: n("amendments_before", &self.amendments_before),
            papers_before: n("papers_before", &self.papers_before),
            minutes_after: n("minutes_after", &self.minutes_after),
            disputes_after: n("disputes_after", &self.disputes_after),
            extraordinary_notice: n("extraordinary_notice", &self.extraordinary_notice),
            majority_needs_all_partners: self.majority_needs_all_partners == "yes",
            amber_working_days: n("amber_working_days", &self.amber_working_days),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/rules.html")]
struct RulesPage {
    page: Page,
    form: RulesForm,
    errors: Errors,
}

pub async fn rules_form(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let (r, v) = store::rules(&st.db, p).await?;
    Ok(RulesPage {
        page: Page::new(&viewer, "Meeting rules", "/meetings"),
        form: RulesForm::of(&r, v),
        errors: Errors::default(),
    }
    .into_response())
}

pub async fn rules_save(
    Ctx { st, viewer, p }: Ctx,
    FormData(f): FormData<RulesForm>,
) -> AppResult<Response> {
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    let r = f.rules(&mut errors);
    if r.reports_before < r.amendments_before && errors.is_empty() {
        errors.add(
            "amendments_before",
            "Amendments are due after reports: make this fewer days than for reports",
        );
    }
    if !errors.is_empty() {
        let page = RulesPage {
            page: Page::new(&viewer, "Meeting rules", "/meetings"),
            form: f,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    match store::save_rules(&st.db, &viewer.actor(), p, &r, version).await? {
        Ok(()) => crate::web::saved(&st.db, &viewer, "Meeting rules saved", "/meetings").await,
        Err(stale) => {
            let (now, v) = store::rules(&st.db, p).await?;
            let mut errors = Errors::default();
            errors.add("agenda_items_before", stale);
            let page = RulesPage {
                page: Page::new(&viewer, "Meeting rules", "/meetings"),
                form: RulesForm::of(&now, v),
                errors,
            };
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PublishForm {
    version: String,
    published: String,
}

/// Publish a meeting for the public (its agenda, open papers and approved minutes), or
/// withdraw it.
pub async fn publish(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<PublishForm>,
) -> AppResult<Response> {
    let m = store::get(&st.db, p, id).await?.ok_or(AppError::NotFound)?;
    let version = crate::web::forms::version(&f.version)?;
    let published = match f.published.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::BadRequest("The form could not be read.".into())),
    };
    if let Err(stale) =
        store::set_published(&st.db, &viewer.actor(), p, &m, version, published).await?
    {
        return Err(AppError::Conflict(stale));
    }
    if let Some(sess) = &viewer.session {
        let what = if published {
            "Meeting published: the public can now see it"
        } else {
            "Meeting withdrawn from the public"
        };
        crate::web::session::set_flash(&st.db, sess, what).await?;
    }
    Ok(crate::web::redirect(&format!("/meetings/{id}")))
}
