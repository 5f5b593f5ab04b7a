//! Meetings for each person: the seats they hold (memberships of the arrangements), their own
//! meetings and deadlines, a private calendar feed, and deadline reminders by email.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate, NaiveTime, Utc};
use serde::Deserialize;

use super::model::{self, MeetingStatus};
use super::store::{self, Meeting};
use crate::args;
use crate::state::{AppState, Ctx};
use crate::store::{PartnershipId, RecordRef, StoreResult, Tx};
use crate::web::error::{AppError, AppResult};
use crate::web::forms::FormData;
use crate::web::page::Page;
use crate::web::viewer::Viewer;

use crate::calendar::today;

// ---- Seats ----

pub use crate::access::{bodies_of, seats_of, set_seats};

pub struct SeatChoice {
    pub key: String,
    pub body: String,
    pub label: String,
    pub held: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/seats.html")]
struct SeatsPage {
    page: Page,
    membership_id: i64,
    name: String,
    choices: Vec<SeatChoice>,
}

/// The person a membership of the partnership (as on the people pages) belongs to.
async fn person(st: &AppState, p: PartnershipId, membership_id: i64) -> AppResult<(i64, String)> {
    crate::accounts::store::members_of(&st.db, p)
        .await?
        .into_iter()
        .find(|(m, _)| m.id == membership_id)
        .map(|(_, u)| (u.id, u.name))
        .ok_or(AppError::NotFound)
}

/// The memberships in force today, as seats a person can be given.
async fn choices(st: &AppState, p: PartnershipId, held: &[String]) -> AppResult<Vec<SeatChoice>> {
    use crate::arrangements::{model as am, store as ast, view};
    let t = today();
    let Some(a) = ast::load_as_at(&st.db, p, t).await? else {
        return Ok(Vec::new());
    };
    let names = view::Names::new(&a.organisations, &a.posts);
    let mut out = Vec::new();
    for i in ast::items(&st.db, p).await? {
        if i.kind != "membership" {
            continue;
        }
        let m: am::Membership = ast::decode(&i)?;
        if !(m.from.is_none_or(|f| f.0 <= t) && m.to.is_none_or(|e| e.0 >= t)) {
            continue;
        }
        let body = a
            .bodies
            .iter()
            .find(|b| b.key == m.body)
            .map_or_else(|| m.body.clone(), |b| b.name.clone());
        out.push(SeatChoice {
            held: held.contains(&i.key),
            label: format!(
                "{}, {} ({})",
                names.who(&m),
                names.organisation(&m.organisation),
                view::role_label(&m.role).to_lowercase()
            ),
            key: i.key,
            body,
        });
    }
    out.sort_by(|a, b| (&a.body, &a.label).cmp(&(&b.body, &b.label)));
    Ok(out)
}

pub async fn seats_form(
    Ctx { st, viewer, p }: Ctx,
    Path(membership_id): Path<i64>,
) -> AppResult<Response> {
    let (user_id, name) = person(&st, p, membership_id).await?;
    let held = seats_of(&st.db, p, user_id).await?;
    Ok(SeatsPage {
        page: Page::new(&viewer, format!("Seats of {name}"), "/admin/people"),
        membership_id,
        name,
        choices: choices(&st, p, &held).await?,
    }
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SeatsForm {
    seat: Vec<String>,
}

pub async fn seats_save(
    Ctx { st, viewer, p }: Ctx,
    Path(membership_id): Path<i64>,
    FormData(f): FormData<SeatsForm>,
) -> AppResult<Response> {
    let (user_id, name) = person(&st, p, membership_id).await?;
    let all = choices(&st, p, &[]).await?;
    if let Some(bad) = f.seat.iter().find(|k| !all.iter().any(|c| &c.key == *k)) {
        return Err(AppError::Unprocessable(format!(
            "{bad} is not a membership in force today: refresh the page and choose again"
        )));
    }
    set_seats(&st.db, &viewer.actor(), p, user_id, &f.seat).await?;
    crate::web::saved(
        &st.db,
        &viewer,
        &format!("Seats of {name} saved"),
        &format!("/admin/people/{membership_id}/seats"),
    )
    .await
}

// ---- My meetings ----

#[derive(Template, WebTemplate)]
#[template(path = "meetings/mine.html")]
struct MinePage {
    page: Page,
    meetings: Vec<super::pages::Listed>,
    due: Vec<super::pages::Due>,
    has_seats: bool,
    feed: Option<String>,
}

async fn my_meetings(
    st: &AppState,
    p: PartnershipId,
    user_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<Meeting>> {
    let bodies = bodies_of(&st.db, p, user_id).await?;
    Ok(store::between(&st.db, p, from, to, None)
        .await?
        .into_iter()
        .filter(|m| bodies.contains(&m.body_key) && m.status != MeetingStatus::Cancelled)
        .collect())
}

/// The next few meetings for a person's home page: every body's for those who follow them all
/// (the business unit, the scrutineer), a member's own bodies' otherwise; none for others.
pub async fn next_meetings(
    st: &AppState,
    viewer: &Viewer,
    p: PartnershipId,
    n: usize,
) -> AppResult<Vec<super::Listed>> {
    use crate::web::permissions::Permission;
    let Some(user) = viewer.user.as_ref() else {
        return Ok(Vec::new());
    };
    if !Permission::Governance.allows(viewer) {
        return Ok(Vec::new());
    }
    let t = today();
    let (from, to) = (t, t + Duration::days(120));
    let ms = if Permission::ReadAll.allows(viewer) {
        store::between(&st.db, p, from, to, None)
            .await?
            .into_iter()
            .filter(|m| m.status != MeetingStatus::Cancelled)
            .collect()
    } else {
        my_meetings(st, p, user.id, from, to).await?
    };
    let mut named = super::pages::named(st, p, ms).await?;
    named.truncate(n);
    Ok(named)
}

/// A person's meetings for the next year and their deadlines this week; with the address of a
/// feed just made, shown once.
async fn mine_page(st: &AppState, viewer: &Viewer, feed: Option<String>) -> AppResult<Response> {
    let p = viewer.tenant()?;
    let user = viewer.user.as_ref().ok_or(AppError::NotFound)?;
    let t = today();
    let (rules, _) = store::rules(&st.db, p).await?;
    let cal = crate::calendar::store::current(&st.db).await?;
    let monday = t - Duration::days(i64::from(
        chrono::Datelike::weekday(&t).num_days_from_monday(),
    ));
    let around = my_meetings(
        st,
        p,
        user.id,
        monday - Duration::days(60),
        monday + Duration::days(60),
    )
    .await?;
    let (due, _) = super::pages::due_in_week(
        monday,
        super::pages::named(st, p, around).await?,
        &rules,
        &cal,
    );
    let ahead = my_meetings(st, p, user.id, t, t + Duration::days(366)).await?;
    Ok(MinePage {
        page: Page::new(viewer, "Your meetings", "/meetings"),
        has_seats: !seats_of(&st.db, p, user.id).await?.is_empty(),
        meetings: super::pages::named(st, p, ahead).await?,
        due,
        feed,
    }
    .into_response())
}

pub async fn mine(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    mine_page(&st, &viewer, None).await
}

// ---- The private calendar feed ----

/// A new feed address for the person (any earlier one stops working), shown once.
pub async fn new_feed(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let user = viewer.user.as_ref().ok_or(AppError::NotFound)?;
    let secret = crate::accounts::model::new_secret();
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    let now = tx.now();
    tx.update(
        "UPDATE calendar_feeds SET revoked_at = $1 WHERE partnership_id = $2 AND user_id = $3 AND revoked_at IS NULL",
        args![now, p, user.id],
        &RecordRef::new(Some(p), "calendar-feed", user.id),
        "Earlier calendar feed addresses stopped",
        &serde_json::json!({"revoked_at": null}),
        &serde_json::json!({"revoked_at": now}),
    )
    .await?;
    tx.insert(
        "INSERT INTO calendar_feeds (partnership_id, user_id, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        args![p, user.id, crate::accounts::model::secret_hash(&secret), now],
        Some(p),
        "calendar-feed",
        "Calendar feed address made (any earlier one stopped working)",
        &serde_json::json!({"user_id": user.id}),
    )
    .await?;
    tx.commit().await?;
    let address = format!(
        "{}/calendar/{secret}.ics",
        st.config.base_url.trim_end_matches('/')
    );
    mine_page(&st, &viewer, Some(address)).await
}

pub async fn stop_feed(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let user = viewer.user.as_ref().ok_or(AppError::NotFound)?;
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    let now = tx.now();
    tx.update(
        "UPDATE calendar_feeds SET revoked_at = $1 WHERE partnership_id = $2 AND user_id = $3 AND revoked_at IS NULL",
        args![now, p, user.id],
        &RecordRef::new(Some(p), "calendar-feed", user.id),
        "Calendar feed stopped",
        &serde_json::json!({"active": true}),
        &serde_json::json!({"active": false}),
    )
    .await?;
    tx.commit().await?;
    crate::web::saved(
        &st.db,
        &viewer,
        "Your calendar feed has stopped",
        "/meetings/mine",
    )
    .await
}

/// The feed itself: the person's meetings and their deadlines, as iCalendar. The address is the
/// credential, so an unknown or stopped one is simply not found.
pub async fn feed(State(st): State<AppState>, Path(file): Path<String>) -> AppResult<Response> {
    let secret = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let Some(r) = st
        .db
        .fetch_optional(
            "SELECT partnership_id, user_id FROM calendar_feeds WHERE token_hash = $1 AND revoked_at IS NULL",
            args![crate::accounts::model::secret_hash(secret)],
        )
        .await?
    else {
        return Err(AppError::NotFound);
    };
    let p = PartnershipId(r.get("partnership_id")?);
    let user_id: i64 = r.get("user_id")?;
    let t = today();
    let ms = super::pages::named(
        &st,
        p,
        my_meetings(
            &st,
            p,
            user_id,
            t - Duration::days(366),
            t + Duration::days(366),
        )
        .await?,
    )
    .await?;
    let (rules, _) = store::rules(&st.db, p).await?;
    let cal = crate::calendar::store::current(&st.db).await?;
    let host = url::Url::parse(&st.config.base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "masa".into());
    let ics = ics(&ms, &rules, &cal, &host);
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/calendar; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "private, max-age=300"),
        ],
        ics,
    )
        .into_response())
}

/// Meetings as timed events in UK time (an hour and a half unless known otherwise), deadlines
/// as all-day events, each with a stable identifier so calendars update rather than duplicate.
pub fn ics(
    ms: &[super::pages::Listed],
    rules: &model::Rules,
    cal: &crate::calendar::working_days::Calendar,
    host: &str,
) -> String {
    use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike};
    let mut c = Calendar::new();
    c.name("masa: your meetings and deadlines");
    for l in ms {
        let start = NaiveTime::parse_from_str(&l.m.start_time, "%H:%M").unwrap_or_default();
        let begins = l.m.date.and_time(start);
        let tz = |t: chrono::NaiveDateTime| CalendarDateTime::WithTimezone {
            date_time: t,
            tzid: "Europe/London".into(),
        };
        c.push(
            Event::new()
                .uid(&format!("meeting-{}@{host}", l.m.id))
                .summary(&format!("{}: {}", l.body, l.label))
                .location(&l.m.venue)
                .starts(tz(begins))
                .ends(tz(begins + Duration::minutes(90)))
                .done(),
        );
        for d in model::deadlines(l.m.date, rules, cal) {
            c.push(
                Event::new()
                    .uid(&format!(
                        "meeting-{}-{}@{host}",
                        l.m.id,
                        d.what.to_lowercase().replace(' ', "-")
                    ))
                    .summary(&format!(
                        "{}: {} ({})",
                        d.what,
                        l.body,
                        l.m.date.format("%-d %B")
                    ))
                    .all_day(d.due)
                    .done(),
            );
        }
    }
    c.done().to_string()
}

// ---- Reminders ----

#[derive(Template)]
#[template(path = "mail/deadlines.txt")]
struct ReminderText<'a> {
    name: &'a str,
    partnership: &'a str,
    due: &'a [(NaiveDate, &'static str, String, i64)],
    base: &'a str,
}

#[derive(Template)]
#[template(path = "mail/deadlines.html")]
struct ReminderHtml<'a> {
    name: &'a str,
    partnership: &'a str,
    due: &'a [(NaiveDate, &'static str, String, i64)],
    base: &'a str,
}

/// Email each person with seats the deadlines of their meetings that fall in the next five
/// working days and have not been sent before: one message each, through the outbox.
pub async fn send_reminders(st: &AppState, day: NaiveDate) -> AppResult<usize> {
    let cal = crate::calendar::store::current(&st.db).await?;
    let horizon = cal.add_working_days(day, 5);
    let mut sent = 0;
    let people = st
        .db
        .fetch_all(
            "SELECT DISTINCT s.partnership_id, s.user_id, u.name, u.email FROM person_seats s JOIN users u ON u.id = s.user_id JOIN memberships pm ON pm.user_id = u.id AND pm.partnership_id = s.partnership_id WHERE u.disabled = FALSE ORDER BY s.partnership_id, s.user_id",
            args![],
        )
        .await?;
    for r in people {
        let p = PartnershipId(r.get("partnership_id")?);
        let user_id: i64 = r.get("user_id")?;
        let (name, email): (String, String) = (r.get("name")?, r.get("email")?);
        let (rules, _) = store::rules(&st.db, p).await?;
        let ms = super::pages::named(
            st,
            p,
            my_meetings(
                st,
                p,
                user_id,
                day - Duration::days(30),
                day + Duration::days(60),
            )
            .await?,
        )
        .await?;
        let already: Vec<(i64, String)> = st
            .db
            .fetch_all(
                "SELECT meeting_id, what FROM deadline_reminders WHERE user_id = $1 AND partnership_id = $2",
                args![user_id, p],
            )
            .await?
            .iter()
            .map(|r| Ok((r.get("meeting_id")?, r.get("what")?)))
            .collect::<StoreResult<_>>()?;
        let mut due = Vec::new();
        for l in &ms {
            for d in model::deadlines(l.m.date, &rules, &cal) {
                if d.due >= day
                    && d.due <= horizon
                    && !already.iter().any(|(m, w)| *m == l.m.id && w == d.what)
                {
                    due.push((
                        d.due,
                        d.what,
                        format!("{}, {}", l.body, l.m.date.format("%-d %B %Y")),
                        l.m.id,
                    ));
                }
            }
        }
        if due.is_empty() {
            continue;
        }
        due.sort();
        let partnership = crate::partnerships::store::by_id(&st.db, p)
            .await?
            .map(|x| x.name)
            .unwrap_or_default();
        let base = st.config.base_url.trim_end_matches('/');
        let mail = crate::mail::Mail::from_templates(
            &email,
            &format!("Deadlines this week: {partnership}"),
            &ReminderText {
                name: &name,
                partnership: &partnership,
                due: &due,
                base,
            },
            &ReminderHtml {
                name: &name,
                partnership: &partnership,
                due: &due,
                base,
            },
        )
        .map_err(|e| AppError::Internal(e.to_string()))?;
        st.mailer.queue(&st.db, Some(p), mail).await?;
        for (_, what, _, meeting_id) in &due {
            st.db
                .execute(
                    "INSERT INTO deadline_reminders (partnership_id, user_id, meeting_id, what, sent_at) VALUES ($1, $2, $3, $4, $5)",
                    args![p, user_id, *meeting_id, *what, Utc::now()],
                )
                .await?;
        }
        sent += 1;
    }
    Ok(sent)
}

#[derive(Template)]
#[template(path = "mail/overdue.txt")]
struct OverdueText<'a> {
    name: &'a str,
    body: &'a str,
    overdue: &'a [(String, String, NaiveDate, i64)],
    base: &'a str,
}

#[derive(Template)]
#[template(path = "mail/overdue.html")]
struct OverdueHtml<'a> {
    name: &'a str,
    body: &'a str,
    overdue: &'a [(String, String, NaiveDate, i64)],
    base: &'a str,
}

/// Tell each chair (a person holding a chair's seat) of the actions of their body that are now
/// overdue, each action once.
pub async fn alert_chairs(st: &AppState, day: NaiveDate) -> AppResult<usize> {
    let chairs = st
        .db
        .fetch_all(
            "SELECT DISTINCT s.partnership_id, s.user_id, u.name, u.email, i.parent_key AS body_key FROM person_seats s JOIN users u ON u.id = s.user_id JOIN arrangement_items i ON i.partnership_id = s.partnership_id AND i.kind = 'membership' AND i.item_key = s.membership_key WHERE i.name = 'chair' AND u.disabled = FALSE ORDER BY s.partnership_id, s.user_id",
            args![],
        )
        .await?;
    let mut sent = 0;
    for r in chairs {
        let p = PartnershipId(r.get("partnership_id")?);
        let user_id: i64 = r.get("user_id")?;
        let (name, email, body_key): (String, String, String) =
            (r.get("name")?, r.get("email")?, r.get("body_key")?);
        let overdue: Vec<(String, String, NaiveDate, i64)> = st
            .db
            .fetch_all(
                "SELECT a.id, a.title, a.owner_name, a.due FROM actions a WHERE a.partnership_id = $1 AND a.body_key = $2 AND a.status = 'open' AND a.due < $3 AND NOT EXISTS (SELECT 1 FROM action_alerts x WHERE x.action_id = a.id AND x.user_id = $4) ORDER BY a.due, a.id",
                args![p, body_key.as_str(), day, user_id],
            )
            .await?
            .iter()
            .map(|r| Ok((r.get("title")?, r.get("owner_name")?, r.get("due")?, r.get("id")?)))
            .collect::<StoreResult<_>>()?;
        if overdue.is_empty() {
            continue;
        }
        let body = crate::arrangements::store::entry(&st.db, p, "body", &body_key)
            .await?
            .map_or_else(|| body_key.clone(), |(i, _)| i.name);
        let base = st.config.base_url.trim_end_matches('/');
        let mail = crate::mail::Mail::from_templates(
            &email,
            &format!("Overdue actions: {body}"),
            &OverdueText {
                name: &name,
                body: &body,
                overdue: &overdue,
                base,
            },
            &OverdueHtml {
                name: &name,
                body: &body,
                overdue: &overdue,
                base,
            },
        )
        .map_err(|e| AppError::Internal(e.to_string()))?;
        st.mailer.queue(&st.db, Some(p), mail).await?;
        for (_, _, _, id) in &overdue {
            st.db
                .execute(
                    "INSERT INTO action_alerts (partnership_id, action_id, user_id, sent_at) VALUES ($1, $2, $3, $4)",
                    args![p, *id, user_id, Utc::now()],
                )
                .await?;
        }
        sent += 1;
    }
    Ok(sent)
}

/// The meetings' hourly job (scheduled in `server.rs`): deadline reminders to those who hold a
/// seat, and overdue actions to their bodies' chairs.
pub async fn hourly(st: &AppState) -> AppResult<()> {
    send_reminders(st, today()).await?;
    alert_chairs(st, today()).await?;
    Ok(())
}

/// What meetings ask of this person for their home page: the deadlines of the next seven days
/// (papers out, agenda closes, minutes due) of the meetings of their bodies; for the business
/// unit, of every body.
pub async fn tasks(
    st: &AppState,
    viewer: &Viewer,
    p: PartnershipId,
) -> AppResult<Vec<crate::web::tasks::Task>> {
    let Some(user) = viewer.user.as_ref() else {
        return Ok(Vec::new());
    };
    let t = today();
    let (rules, _) = store::rules(&st.db, p).await?;
    let cal = crate::calendar::store::current(&st.db).await?;
    // Deadlines fall up to a few weeks either side of their meeting.
    let (from, to) = (t - Duration::days(90), t + Duration::days(120));
    let manage = crate::web::permissions::Permission::ManagePartnership.allows(viewer);
    // The scrutineer follows every body, for what is late.
    let scrutinise = !manage && crate::web::permissions::Permission::ReadAll.allows(viewer);
    let around = if manage {
        store::between(&st.db, p, from, to, None).await?
    } else {
        my_meetings(st, p, user.id, from, to).await?
    };
    let named = super::pages::named(st, p, around).await?;
    let mut out = Vec::new();
    if scrutinise {
        let every = store::between(&st.db, p, from, t, None).await?;
        for l in super::pages::named(st, p, every)
            .await?
            .iter()
            .filter(|l| l.m.status == super::model::MeetingStatus::Held)
        {
            let due = cal.add_working_days(l.m.date, rules.minutes_after);
            if due < t
                && store::minutes(&st.db, p, l.m.id)
                    .await?
                    .circulated_on
                    .is_none()
            {
                out.push(crate::web::tasks::Task::due(
                    format!(
                        "Draft minutes late: {}, {}",
                        l.body,
                        l.m.date.format("%-d %B")
                    ),
                    format!("/meetings/{}", l.m.id),
                    "Meetings",
                    due,
                    (t, &cal, 2),
                ));
            }
        }
    }
    // The business unit's loose ends: a past meeting still marked scheduled, and a held
    // meeting whose draft minutes have not gone out (overdue ones included).
    if manage {
        for l in named.iter().filter(|l| l.m.date < t) {
            let when = l.m.date.format("%-d %B");
            if super::model::to_be_marked(l.m.date, l.m.status, t) {
                out.push(crate::web::tasks::Task::due(
                    format!("Mark as held or cancelled: {}, {when}", l.body),
                    format!("/meetings/{}/change", l.m.id),
                    "Meetings",
                    l.m.date,
                    (t, &cal, 2),
                ));
            } else if l.m.status == super::model::MeetingStatus::Held
                && store::minutes(&st.db, p, l.m.id)
                    .await?
                    .circulated_on
                    .is_none()
            {
                let due = cal.add_working_days(l.m.date, rules.minutes_after);
                out.push(crate::web::tasks::Task::due(
                    format!("Circulate the draft minutes: {}, {when}", l.body),
                    format!("/meetings/{}/minutes", l.m.id),
                    "Meetings",
                    due,
                    (t, &cal, 2),
                ));
            }
        }
    }
    // Agenda items without a paper, chased while reports can still come in.
    if manage {
        for l in named.iter().filter(|l| l.m.date >= t) {
            let reports_due = cal.add_working_days(l.m.date, -rules.reports_before);
            if !super::model::chase_papers(l.m.date, l.m.status, reports_due, t, &cal) {
                continue;
            }
            let items = store::agenda(&st.db, p, l.m.id).await?;
            let papers = super::papers::of_meeting(&st.db, p, l.m.id).await?;
            let missing = items
                .iter()
                .filter(|i| !papers.iter().any(|pp| pp.agenda_item_id == i.id))
                .count();
            if missing == 0 {
                continue;
            }
            out.push(crate::web::tasks::Task::due(
                format!(
                    "Chase papers for {missing} of {} agenda {}: {}, {}",
                    items.len(),
                    if items.len() == 1 { "item" } else { "items" },
                    l.body,
                    l.m.date.format("%-d %B")
                ),
                format!("/meetings/{}/papers", l.m.id),
                "Meetings",
                reports_due,
                (t, &cal, 2),
            ));
        }
    }
    // This week and the next: the two (Monday to Sunday) cover the seven days from today once.
    for week in [t, t + Duration::days(7)] {
        let monday = week
            - Duration::days(i64::from(
                chrono::Datelike::weekday(&week).num_days_from_monday(),
            ));
        let (due, _) = super::pages::due_in_week(monday, named.clone(), &rules, &cal);
        // Only what is still to do: whether a past step was done is not recorded yet.
        for d in due.into_iter().filter(|d| {
            d.due >= t
                && d.due < t + Duration::days(7)
                && !(manage && d.meeting.m.date < t && d.what == super::model::MINUTES_OUT)
        }) {
            out.push(crate::web::tasks::Task::due(
                format!(
                    "{}: {}, {}",
                    d.what,
                    d.meeting.body,
                    d.meeting.m.date.format("%-d %B")
                ),
                format!("/meetings/{}", d.meeting.m.id),
                "Meetings",
                d.due,
                (t, &cal, 2),
            ));
        }
    }
    Ok(out)
}
