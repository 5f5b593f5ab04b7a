//! The training pages: the programme (sessions to come and the person's own bookings), a
//! course and its sessions, a session with its places and waiting list, and the training
//! officer's forms for courses and sessions.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use std::collections::BTreeMap;

use serde::Deserialize;

use super::model::{self, BookingStatus, Delivery, Level, SessionStatus, Shown};
use super::notices::{self, Notice};
use super::store::{self, Booking, Course, CourseFields, NotBooked, Session, SessionFields};
use crate::calendar::today;
use crate::state::{AppState, Ctx};
use crate::store::PartnershipId;
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;

/// A session as a row of a list: the session, how it shows today, and the places left.
pub struct SessionRow {
    pub s: Session,
    pub shown: Shown,
}

fn rows(sessions: Vec<Session>, today: NaiveDate) -> Vec<SessionRow> {
    sessions
        .into_iter()
        .map(|s| SessionRow {
            shown: s.shown(today),
            s,
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "training/programme.html")]
pub struct ProgrammePage {
    page: Page,
    sessions: Vec<SessionRow>,
    mine: Vec<(Booking, Session)>,
    courses: usize,
    can_manage: bool,
}

/// The programme: every session to come, and the person's own bookings.
pub async fn programme(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let t = today();
    let can_manage = Permission::ManagePartnership.allows(&viewer);
    let sessions = store::sessions(&st.db, p, Some(t)).await?;
    // A planned session is the training officer's draft: others see it once it opens.
    let sessions = sessions
        .into_iter()
        .filter(|s| can_manage || s.status != SessionStatus::Planned)
        .collect();
    let mine = match viewer.user.as_ref() {
        Some(u) => store::bookings_of_user(&st.db, p, u.id).await?,
        None => Vec::new(),
    };
    Ok(ProgrammePage {
        page: Page::new(&viewer, "Training", "/training"),
        sessions: rows(sessions, t),
        mine,
        courses: store::courses(&st.db, p).await?.len(),
        can_manage,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "training/courses.html")]
pub struct CoursesPage {
    page: Page,
    courses: Vec<Course>,
    can_manage: bool,
}

pub async fn courses(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    Ok(CoursesPage {
        page: Page::new(&viewer, "Courses", "/training"),
        courses: store::courses(&st.db, p).await?,
        can_manage: Permission::ManagePartnership.allows(&viewer),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "training/course.html")]
pub struct CoursePage {
    page: Page,
    c: Course,
    sessions: Vec<SessionRow>,
    can_manage: bool,
}

pub async fn course(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let c = store::course(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let can_manage = Permission::ManagePartnership.allows(&viewer);
    let sessions = store::sessions_of_course(&st.db, p, id)
        .await?
        .into_iter()
        .filter(|s| can_manage || s.status != SessionStatus::Planned)
        .collect();
    Ok(CoursePage {
        page: Page::new(&viewer, c.title.clone(), "/training"),
        sessions: rows(sessions, today()),
        c,
        can_manage,
    }
    .into_response())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CourseForm {
    title: String,
    description: String,
    outcomes: String,
    audience: String,
    level: String,
    delivery: String,
    minutes: String,
    link: String,
    version: String,
}

impl CourseForm {
    fn of(c: &Course) -> CourseForm {
        CourseForm {
            title: c.title.clone(),
            description: c.description.clone(),
            outcomes: c.outcomes.clone(),
            audience: c.audience.clone(),
            level: c.level.as_str().to_owned(),
            delivery: c.delivery.as_str().to_owned(),
            minutes: c.minutes.to_string(),
            link: c.link.clone(),
            version: c.version.to_string(),
        }
    }

    /// The course as typed, checked: every problem against its field.
    fn check(&self, errors: &mut Errors) -> Option<CourseFields> {
        let title = errors.required_text(
            "title",
            &self.title,
            model::TITLE_MAX,
            "Enter the course's title",
        );
        let description = errors.text("description", &self.description, model::TEXT_MAX);
        let outcomes = errors.text("outcomes", &self.outcomes, model::TEXT_MAX);
        let audience = errors.text("audience", &self.audience, 500);
        let level = Level::parse(self.level.trim());
        if level.is_none() {
            errors.add("level", "Select the course's level");
        }
        let delivery = Delivery::parse(self.delivery.trim());
        if delivery.is_none() {
            errors.add("delivery", "Select how the course is delivered");
        }
        let minutes = errors.required_whole_number(
            "minutes",
            &self.minutes,
            5..=2400,
            "Enter the course's length in minutes, like 180",
            "Enter the course's length in minutes, from 5 to 2400, like 180",
        );
        let link = errors.web_address("link", &self.link);
        if delivery == Some(Delivery::ELearning) && link.is_empty() && errors.get("link").is_none()
        {
            errors.add("link", "Enter the e-learning's web address");
        }
        match (level, delivery, minutes, errors.is_empty()) {
            (Some(level), Some(delivery), Some(minutes), true) => Some(CourseFields {
                title,
                description,
                outcomes,
                audience,
                level,
                delivery,
                minutes: i64::from(minutes),
                link,
            }),
            _ => None,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "training/course_form.html")]
pub struct CourseFormPage {
    page: Page,
    form: CourseForm,
    /// The course being changed; none for a new one.
    id: Option<i64>,
    levels: Vec<(String, String)>,
    deliveries: Vec<(String, String)>,
    errors: Errors,
}

impl CourseFormPage {
    fn new(viewer: &Viewer, form: CourseForm, id: Option<i64>, errors: Errors) -> Self {
        CourseFormPage {
            page: Page::new(
                viewer,
                if id.is_some() {
                    "Change the course"
                } else {
                    "New course"
                },
                "/training",
            ),
            form,
            id,
            levels: Level::ALL
                .iter()
                .map(|l| (l.as_str().to_owned(), l.label().to_owned()))
                .collect(),
            deliveries: Delivery::ALL
                .iter()
                .map(|d| (d.as_str().to_owned(), d.label().to_owned()))
                .collect(),
            errors,
        }
    }
}

pub async fn new_course(Ctx { viewer, .. }: Ctx) -> AppResult<Response> {
    Ok(
        CourseFormPage::new(&viewer, CourseForm::default(), None, Errors::default())
            .into_response(),
    )
}

pub async fn add_course(
    Ctx { st, viewer, p }: Ctx,
    FormData(f): FormData<CourseForm>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    let Some(fields) = f.check(&mut errors) else {
        let page = CourseFormPage::new(&viewer, f, None, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let id = store::add_course(&st.db, &viewer.actor(), p, &fields).await?;
    crate::web::saved(
        &st.db,
        &viewer,
        "Course added: add its sessions",
        &format!("/training/courses/{id}"),
    )
    .await
}

pub async fn edit_course(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let c = store::course(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(
        CourseFormPage::new(&viewer, CourseForm::of(&c), Some(id), Errors::default())
            .into_response(),
    )
}

pub async fn change_course(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<CourseForm>,
) -> AppResult<Response> {
    let before = store::course(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    let Some(fields) = f.check(&mut errors) else {
        let page = CourseFormPage::new(&viewer, f, Some(id), errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let as_seen = Course { version, ..before };
    if let Err(stale) = store::update_course(&st.db, &viewer.actor(), p, &as_seen, &fields).await? {
        let mut errors = Errors::default();
        errors.add("title", stale.to_string());
        let page = CourseFormPage::new(&viewer, f, Some(id), errors);
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    crate::web::saved(
        &st.db,
        &viewer,
        "Course saved",
        &format!("/training/courses/{id}"),
    )
    .await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SessionForm {
    held_on: String,
    start_time: String,
    end_time: String,
    venue: String,
    online_link: String,
    capacity: String,
    opens_on: String,
    closes_on: String,
    cutoff_days: String,
    status: String,
    version: String,
}

impl SessionForm {
    fn of(s: &Session) -> SessionForm {
        let d = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        SessionForm {
            held_on: d(s.held_on),
            start_time: s.start_time.clone(),
            end_time: s.end_time.clone(),
            venue: s.venue.clone(),
            online_link: s.online_link.clone(),
            capacity: s.capacity.to_string(),
            opens_on: d(s.opens_on),
            closes_on: d(s.closes_on),
            cutoff_days: s.cutoff_days.to_string(),
            status: s.status.as_str().to_owned(),
            version: s.version.to_string(),
        }
    }

    fn check(&self, errors: &mut Errors, course: &Course) -> Option<SessionFields> {
        let held_on = errors.required_date(
            "held_on",
            "Date of the session",
            &self.held_on,
            "Enter the date of the session",
        );
        let held_on = errors.not_past("held_on", held_on, "The session must be today or later");
        let start = errors.time("start_time", &self.start_time, "Enter the start time");
        let end = errors.time("end_time", &self.end_time, "Enter the end time");
        let venue = errors.text("venue", &self.venue, 300);
        let online_link = errors.web_address("online_link", &self.online_link);
        let in_person = matches!(course.delivery, Delivery::InPerson | Delivery::Blended);
        if in_person && venue.is_empty() {
            errors.add("venue", "Enter where the session is held");
        }
        if course.delivery == Delivery::Online
            && online_link.is_empty()
            && errors.get("online_link").is_none()
        {
            errors.add("online_link", "Enter the link to join the session");
        }
        let capacity = errors.required_whole_number(
            "capacity",
            &self.capacity,
            1..=model::CAPACITY_MAX,
            "Enter the number of places",
            "Enter the number of places, from 1 to 1000",
        );
        let opens_on = errors.required_date(
            "opens_on",
            "Booking opens",
            &self.opens_on,
            "Enter the day booking opens",
        );
        let closes_on = errors.required_date(
            "closes_on",
            "Booking closes",
            &self.closes_on,
            "Enter the day booking closes",
        );
        let cutoff = errors.required_whole_number(
            "cutoff_days",
            &self.cutoff_days,
            0..=model::CUTOFF_MAX,
            "Enter the cut-off in working days, like 5",
            "Enter the cut-off in working days, from 0 to 30",
        );
        let status = match self.status.trim() {
            "open" => Some(SessionStatus::Open),
            "planned" => Some(SessionStatus::Planned),
            _ => {
                errors.add("status", "Select whether the session opens for booking now");
                None
            }
        };
        let (Some(held_on), Some(start), Some(end), Some(opens_on), Some(closes_on)) =
            (held_on, start, end, opens_on, closes_on)
        else {
            return None;
        };
        let times = model::SessionTimes {
            held_on,
            start,
            end,
            opens_on,
            closes_on,
        };
        for (field, message) in times.problems() {
            errors.add(field, message);
        }
        match (capacity, cutoff, status, errors.is_empty()) {
            (Some(capacity), Some(cutoff), Some(status), true) => Some(SessionFields {
                held_on,
                start_time: start.format("%H:%M").to_string(),
                end_time: end.format("%H:%M").to_string(),
                venue,
                online_link,
                capacity: i64::from(capacity),
                opens_on,
                closes_on,
                cutoff_days: i64::from(cutoff),
                status,
            }),
            _ => None,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "training/session_form.html")]
pub struct SessionFormPage {
    page: Page,
    c: Course,
    /// The session being changed, and how many hold places on it; none for a new one.
    changing: Option<(i64, i64)>,
    form: SessionForm,
    errors: Errors,
}

impl SessionFormPage {
    fn new(
        viewer: &Viewer,
        c: Course,
        changing: Option<(i64, i64)>,
        form: SessionForm,
        errors: Errors,
    ) -> Self {
        let title = if changing.is_some() {
            format!("Change the session of {}", c.title)
        } else {
            format!("New session of {}", c.title)
        };
        SessionFormPage {
            page: Page::new(viewer, title, "/training"),
            c,
            changing,
            form,
            errors,
        }
    }
}

pub async fn new_session(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let c = store::course(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = SessionForm {
        cutoff_days: "5".into(),
        status: "open".into(),
        ..SessionForm::default()
    };
    Ok(SessionFormPage::new(&viewer, c, None, form, Errors::default()).into_response())
}

pub async fn add_session(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<SessionForm>,
) -> AppResult<Response> {
    let c = store::course(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = Errors::default();
    let Some(fields) = f.check(&mut errors, &c) else {
        let page = SessionFormPage::new(&viewer, c, None, f, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let sid = store::add_session(&st.db, &viewer.actor(), p, &c, &fields).await?;
    crate::web::saved(
        &st.db,
        &viewer,
        "Session added",
        &format!("/training/sessions/{sid}"),
    )
    .await
}

/// A session the training officer may still change: neither cancelled nor delivered.
async fn changeable(st: &AppState, p: PartnershipId, id: i64) -> AppResult<(Session, Course)> {
    let s = store::session(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if matches!(
        s.status,
        SessionStatus::Cancelled | SessionStatus::Delivered
    ) {
        return Err(AppError::NotFound);
    }
    let c = store::course(&st.db, p, s.course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((s, c))
}

pub async fn edit_session(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (s, c) = changeable(&st, p, id).await?;
    let form = SessionForm::of(&s);
    Ok(SessionFormPage::new(
        &viewer,
        c,
        Some((id, s.booked + s.waiting)),
        form,
        Errors::default(),
    )
    .into_response())
}

/// Change a session; if its day, times or place moved, everyone booked or waiting is told
/// (with the invitation updated), and places a larger capacity makes go to the waiting list.
pub async fn change_session(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<SessionForm>,
) -> AppResult<Response> {
    let (s, c) = changeable(&st, p, id).await?;
    let version = crate::web::forms::version(&f.version)?;
    let changing = Some((id, s.booked + s.waiting));
    let mut errors = Errors::default();
    let Some(fields) = f.check(&mut errors, &c) else {
        let page = SessionFormPage::new(&viewer, c, changing, f, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let as_seen = Session {
        version,
        ..s.clone()
    };
    let changed = match store::update_session(&st.db, &viewer.actor(), p, &as_seen, &fields).await?
    {
        Ok(c) => c,
        Err(why) => {
            let mut errors = Errors::default();
            let status = match why {
                store::NotChanged::Stale(stale) => {
                    errors.add("held_on", stale.to_string());
                    StatusCode::CONFLICT
                }
                store::NotChanged::FewerThanBooked(n) => {
                    errors.add(
                        "capacity",
                        format!(
                            "{n} people hold places: offer at least {n}, or cancel bookings first"
                        ),
                    );
                    StatusCode::UNPROCESSABLE_ENTITY
                }
            };
            let page = SessionFormPage::new(&viewer, c, changing, f, errors);
            return Ok((status, page).into_response());
        }
    };
    let Some(now) = store::session(&st.db, p, id).await? else {
        return Err(AppError::NotFound);
    };
    let mut told = 0;
    if changed.moved {
        for b in store::bookings_of_session(&st.db, p, id).await? {
            if b.status.active() {
                notices::tell(&st, p, &b, &now, Notice::Moved).await?;
                told += 1;
            }
        }
    }
    for b in &changed.promoted {
        offer(&st, p, b, &now).await?;
    }
    let message = match (told, changed.promoted.len()) {
        (0, 0) => "Session saved".to_owned(),
        (t, 0) => format!("Session saved: {t} booked or waiting emailed the change"),
        (0, n) => format!("Session saved: {n} from the waiting list offered a place"),
        (t, n) => format!(
            "Session saved: {t} booked or waiting emailed the change, and {n} from the waiting list offered a place"
        ),
    };
    crate::web::saved(
        &st.db,
        &viewer,
        &message,
        &format!("/training/sessions/{id}"),
    )
    .await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CancelSessionForm {
    reason: String,
    version: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "training/session_cancel.html")]
pub struct CancelSessionPage {
    page: Page,
    s: Session,
    form: CancelSessionForm,
    errors: Errors,
}

/// Check before cancelling a session: who will be told, and why it is cancelled.
pub async fn cancel_session_form(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (s, _) = changeable(&st, p, id).await?;
    let form = CancelSessionForm {
        reason: String::new(),
        version: s.version.to_string(),
    };
    Ok(CancelSessionPage {
        page: Page::new(&viewer, "Cancel the session", "/training"),
        s,
        form,
        errors: Errors::default(),
    }
    .into_response())
}

pub async fn cancel_session(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<CancelSessionForm>,
) -> AppResult<Response> {
    let (s, _) = changeable(&st, p, id).await?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    let reason = errors.required_text(
        "reason",
        &f.reason,
        1000,
        "Enter why the session is cancelled: everyone booked is told",
    );
    let refuse = |s: Session, f: CancelSessionForm, errors: Errors, status: StatusCode| {
        let page = CancelSessionPage {
            page: Page::new(&viewer, "Cancel the session", "/training"),
            s,
            form: f,
            errors,
        };
        Ok((status, page).into_response())
    };
    if !errors.is_empty() {
        return refuse(s, f, errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let as_seen = Session {
        version,
        ..s.clone()
    };
    let told = match store::cancel_session(&st.db, &viewer.actor(), p, &as_seen, &reason).await? {
        Ok(told) => told,
        Err(stale) => {
            errors.add("reason", stale.to_string());
            return refuse(s, f, errors, StatusCode::CONFLICT);
        }
    };
    let Some(now) = store::session(&st.db, p, id).await? else {
        return Err(AppError::NotFound);
    };
    for b in &told {
        notices::tell(
            &st,
            p,
            b,
            &now,
            Notice::SessionCancelled { reason: &reason },
        )
        .await?;
    }
    crate::web::saved(
        &st.db,
        &viewer,
        &format!(
            "Session cancelled: {} booked or waiting emailed",
            told.len()
        ),
        &format!("/training/sessions/{id}"),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "training/session.html")]
pub struct SessionPage {
    page: Page,
    s: Session,
    shown: Shown,
    c: Course,
    /// The person's own booking on it, if they hold one, and whether it is a place.
    mine: Option<Booking>,
    booked: bool,
    /// Until when a place offered to the person is held, in words.
    offer_until: String,
    last_free_day: NaiveDate,
    /// The places and the waiting list, for the training officer.
    bookings: Vec<Booking>,
    can_manage: bool,
    register_open: bool,
}

/// A session as the person may see it: a planned one only by the training officer.
pub(super) async fn visible_session(
    st: &AppState,
    viewer: &Viewer,
    p: PartnershipId,
    id: i64,
) -> AppResult<Session> {
    let s = store::session(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if s.status == SessionStatus::Planned && !Permission::ManagePartnership.allows(viewer) {
        return Err(AppError::NotFound);
    }
    Ok(s)
}

pub async fn session(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let s = visible_session(&st, &viewer, p, id).await?;
    let c = store::course(&st.db, p, s.course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let can_manage = Permission::ManagePartnership.allows(&viewer);
    let all = store::bookings_of_session(&st.db, p, id).await?;
    let me = viewer.user.as_ref().map(|u| u.id);
    let mine = all
        .iter()
        .find(|b| Some(b.user_id) == me && b.status.active())
        .cloned();
    let cal = crate::calendar::store::current(&st.db).await?;
    Ok(SessionPage {
        page: Page::new(
            &viewer,
            format!("{}: {}", c.title, s.held_on.format("%-d %B %Y")),
            "/training",
        ),
        shown: s.shown(today()),
        last_free_day: model::last_free_day(s.held_on, s.cutoff_days, &cal),
        bookings: if can_manage { all } else { Vec::new() },
        register_open: model::register_open(s.status, s.held_on, today()),
        booked: mine
            .as_ref()
            .is_some_and(|b| b.status == BookingStatus::Booked),
        offer_until: mine
            .as_ref()
            .and_then(|b| b.offer_expires_at)
            .map(crate::calendar::display_time)
            .unwrap_or_default(),
        s,
        c,
        mine,
        can_manage,
    }
    .into_response())
}

/// Take a place (or a place on the waiting list) for a person, with the organisation of their
/// membership, and email them what they got: for the page and the API alike.
pub(super) async fn book_and_tell(
    st: &AppState,
    viewer: &Viewer,
    p: PartnershipId,
    session_id: i64,
    user_id: i64,
) -> AppResult<Result<(i64, BookingStatus), NotBooked>> {
    let organisation = viewer
        .current
        .as_ref()
        .map(|m| m.organisation.clone())
        .unwrap_or_default();
    let booked = store::book(
        &st.db,
        &viewer.actor(),
        p,
        session_id,
        user_id,
        &organisation,
    )
    .await?;
    if let Ok((bid, place)) = &booked
        && let (Some(b), Some(s)) = (
            store::booking(&st.db, p, *bid).await?,
            store::session(&st.db, p, session_id).await?,
        )
    {
        let notice = if *place == BookingStatus::Booked {
            Notice::Booked
        } else {
            Notice::Waiting
        };
        notices::tell(st, p, &b, &s, notice).await?;
    }
    Ok(booked)
}

/// Take a place (or a place on the waiting list) on a session for the person signed in.
pub async fn book(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let s = visible_session(&st, &viewer, p, id).await?;
    let u = viewer.user.as_ref().ok_or(AppError::NotFound)?;
    let back = format!("/training/sessions/{id}");
    if !s.shown(today()).bookable() {
        return crate::web::saved(
            &st.db,
            &viewer,
            "This session is not taking bookings",
            &back,
        )
        .await;
    }
    let message = match book_and_tell(&st, &viewer, p, id, u.id).await? {
        Ok((_, BookingStatus::Booked)) => {
            "You are booked on this session: the invitation is in your email"
        }
        Ok(_) => {
            "The session is full: you are on the waiting list. If a place comes free it is offered to the first on the list, by email"
        }
        Err(NotBooked::Already) => "You are already booked on this session",
        Err(NotBooked::NotTaking) => "This session is not taking bookings",
        Err(NotBooked::NoSession) => return Err(AppError::NotFound),
    };
    crate::web::saved(&st.db, &viewer, message, &back).await
}

/// Cancel a booking: the person's own, or anyone's by the training officer. A freed place
/// goes to the first on the waiting list, who is emailed.
pub async fn cancel(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let b = store::booking(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let can_manage = Permission::ManagePartnership.allows(&viewer);
    let own = viewer.user.as_ref().is_some_and(|u| u.id == b.user_id);
    if !own && !can_manage {
        return Err(AppError::NotFound);
    }
    let back = format!("/training/sessions/{}", b.session_id);
    let cal = crate::calendar::store::current(&st.db).await?;
    let Some(done) = store::cancel(&st.db, &viewer.actor(), p, &b, today(), &cal).await? else {
        return crate::web::saved(&st.db, &viewer, "That booking was already cancelled", &back)
            .await;
    };
    // The learner, the organiser and whoever took the place are each told.
    if let Some(s) = store::session(&st.db, p, b.session_id).await? {
        let late = done.status == BookingStatus::CancelledLate;
        let by = viewer.actor().name;
        let notice = Notice::Cancelled {
            late,
            by: (!own).then_some(by.as_str()),
        };
        notices::tell(&st, p, &b, &s, notice).await?;
        notices::tell_organiser(&st, p, &b, &s, late, &by).await?;
        if let Some(first) = &done.promoted {
            offer(&st, p, first, &s).await?;
        }
    }
    if own && b.status == BookingStatus::Offered {
        return crate::web::saved(
            &st.db,
            &viewer,
            "You declined the place: it passes to the next person waiting",
            &back,
        )
        .await;
    }
    let message = match (own, done.status) {
        (true, BookingStatus::CancelledLate) => {
            "Your place is cancelled. It was inside the cut-off, so it may be charged as a place not attended"
        }
        (true, _) => "Your booking is cancelled",
        (false, BookingStatus::CancelledLate) => "The booking is cancelled, inside the cut-off",
        (false, _) => "The booking is cancelled",
    };
    crate::web::saved(&st.db, &viewer, message, &back).await
}

/// One line of the register: the booking, and what the form says of it.
pub struct RegisterRow {
    pub b: Booking,
    pub field: String,
    pub marked: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "training/register.html")]
pub struct RegisterPage {
    page: Page,
    s: Session,
    open: bool,
    rows: Vec<RegisterRow>,
    /// Those cancelled inside the cut-off: on the register's record, not marked.
    late: Vec<Booking>,
    people: Vec<(String, String)>,
    walk_in: String,
    errors: Errors,
}

async fn register_page(
    st: &AppState,
    viewer: &Viewer,
    p: PartnershipId,
    s: Session,
    typed: Option<&BTreeMap<String, String>>,
    errors: Errors,
) -> AppResult<RegisterPage> {
    let all = store::bookings_of_session(&st.db, p, s.id).await?;
    let rows: Vec<RegisterRow> = all
        .iter()
        .filter(|b| b.status.on_register())
        .map(|b| {
            let field = format!("attended-{}", b.id);
            let marked = match typed {
                Some(t) => t.get(&field).cloned().unwrap_or_default(),
                None if b.status == BookingStatus::Booked => String::new(),
                None => b.status.as_str().to_owned(),
            };
            RegisterRow {
                b: b.clone(),
                field,
                marked,
            }
        })
        .collect();
    let on: Vec<i64> = rows.iter().map(|r| r.b.user_id).collect();
    let people = crate::accounts::store::members_of(&st.db, p)
        .await?
        .into_iter()
        .filter(|(_, u)| !on.contains(&u.id))
        .map(|(m, u)| {
            let label = if m.organisation.is_empty() {
                u.name.clone()
            } else {
                format!("{} ({})", u.name, m.organisation)
            };
            (u.id.to_string(), label)
        })
        .collect();
    Ok(RegisterPage {
        page: Page::new(viewer, format!("Register: {}", s.course_title), "/training"),
        open: model::register_open(s.status, s.held_on, today()),
        late: all
            .into_iter()
            .filter(|b| b.status == BookingStatus::CancelledLate)
            .collect(),
        rows,
        people,
        walk_in: typed
            .and_then(|t| t.get("walk_in").cloned())
            .unwrap_or_default(),
        s,
        errors,
    })
}

pub async fn register(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let s = store::session(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(register_page(&st, &viewer, p, s, None, Errors::default())
        .await?
        .into_response())
}

/// Take the register: every place attended or not, and anyone who came without one.
pub async fn save_register(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(typed): FormData<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let s = store::session(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = Errors::default();
    if !model::register_open(s.status, s.held_on, today()) {
        errors.add(
            "register",
            "The register is taken on or after the day of the session, for a session that went ahead",
        );
    }
    let all = store::bookings_of_session(&st.db, p, id).await?;
    let mut marks = Vec::new();
    for b in all.iter().filter(|b| b.status.on_register()) {
        let field = format!("attended-{}", b.id);
        match typed.get(&field).map(|v| v.trim()) {
            Some("attended") => marks.push((b.id, BookingStatus::Attended)),
            Some("did-not-attend") => marks.push((b.id, BookingStatus::DidNotAttend)),
            _ => errors.add(&field, format!("Select whether {} attended", b.name)),
        }
    }
    let mut walk_ins = Vec::new();
    let chosen = typed.get("walk_in").map(|v| v.trim()).unwrap_or_default();
    if !chosen.is_empty() {
        let member = match chosen.parse::<i64>() {
            Ok(uid) => crate::accounts::store::members_of(&st.db, p)
                .await?
                .into_iter()
                .find(|(_, u)| u.id == uid),
            Err(_) => None,
        };
        match member {
            Some((m, u)) => walk_ins.push((u.id, m.organisation)),
            None => errors.add("walk_in", "Select someone in the partnership from the list"),
        }
    }
    if !errors.is_empty() {
        let page = register_page(&st, &viewer, p, s, Some(&typed), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let r = store::Register { marks, walk_ins };
    store::save_register(&st.db, &viewer.actor(), p, &s, &r).await?;
    let attended = r
        .marks
        .iter()
        .filter(|(_, m)| *m == BookingStatus::Attended)
        .count()
        + r.walk_ins.len();
    let missed = r.marks.len() + r.walk_ins.len() - attended;
    crate::web::saved(
        &st.db,
        &viewer,
        &format!("Register saved: {attended} attended, {missed} did not attend"),
        &format!("/training/sessions/{id}"),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "training/record.html")]
pub struct RecordPage {
    page: Page,
    attended: Vec<(Booking, Session)>,
    minutes: i64,
}

/// The learner's record: the sessions they attended, and the time in all.
pub async fn record(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let u = viewer.user.as_ref().ok_or(AppError::NotFound)?;
    let attended: Vec<(Booking, Session)> = store::bookings_of_user(&st.db, p, u.id)
        .await?
        .into_iter()
        .filter(|(b, _)| b.status == BookingStatus::Attended)
        .collect();
    let minutes = attended.iter().map(|(_, s)| s.minutes()).sum();
    Ok(RecordPage {
        page: Page::new(&viewer, "Your training record", "/training"),
        attended,
        minutes,
    }
    .into_response())
}

/// What training asks of the person for their home page: the business unit, each register to
/// take (due the working day after the session); a learner, each place in the next five
/// working days, due on its day.
pub async fn tasks(
    st: &AppState,
    viewer: &Viewer,
    p: PartnershipId,
) -> AppResult<Vec<crate::web::tasks::Task>> {
    use crate::web::tasks::Task;
    let cal = crate::calendar::store::current(&st.db).await?;
    let t = today();
    let mut out = Vec::new();
    if Permission::ManagePartnership.allows(viewer) {
        for s in store::awaiting_register(&st.db, p, t).await? {
            out.push(Task::due(
                format!(
                    "Take the register for {} on {}",
                    s.course_title,
                    s.held_on.format("%-d %B")
                ),
                format!("/training/sessions/{}/register", s.id),
                "Training",
                cal.add_working_days(s.held_on, 1),
                (t, &cal, 1),
            ));
        }
    }
    if let Some(u) = viewer.user.as_ref() {
        let horizon = cal.add_working_days(t, 5);
        for (b, s) in store::bookings_of_user(&st.db, p, u.id).await? {
            if b.status == BookingStatus::Booked
                && s.status == SessionStatus::Open
                && s.held_on >= t
                && s.held_on <= horizon
            {
                out.push(Task::due(
                    format!(
                        "Go to {} at {}, or cancel your place for the next person waiting",
                        s.course_title, s.start_time
                    ),
                    format!("/training/sessions/{}", s.id),
                    "Training",
                    s.held_on,
                    (t, &cal, 2),
                ));
            }
        }
    }
    Ok(out)
}

/// Tell the first on the waiting list of the place held for them.
async fn offer(st: &AppState, p: PartnershipId, b: &Booking, s: &Session) -> AppResult<()> {
    let Some(until) = b.offer_expires_at else {
        return Ok(());
    };
    notices::tell(st, p, b, s, Notice::Offered { until }).await
}

/// Accept a place offered from the waiting list: the learner's own only.
pub async fn accept(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let b = store::booking(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if viewer.user.as_ref().is_none_or(|u| u.id != b.user_id) {
        return Err(AppError::NotFound);
    }
    let back = format!("/training/sessions/{}", b.session_id);
    let message = match store::accept(&st.db, &viewer.actor(), p, &b).await? {
        Ok(()) => {
            if let (Some(now), Some(s)) = (
                store::booking(&st.db, p, id).await?,
                store::session(&st.db, p, b.session_id).await?,
            ) {
                notices::tell(&st, p, &now, &s, Notice::Accepted).await?;
            }
            "You are booked on this session: the invitation is in your email"
        }
        Err(store::NotAccepted::Gone) => {
            "The offer had passed on before it was accepted: book again to join the waiting list"
        }
    };
    crate::web::saved(&st.db, &viewer, message, &back).await
}

/// Pass on the offers unanswered in time, and tell both people: run hourly on every instance
/// (each offer is passed on once, in the transaction that holds its session).
pub async fn hourly(st: &AppState) -> AppResult<()> {
    for passed in store::pass_on_offers(&st.db, chrono::Utc::now()).await? {
        let p = passed.partnership;
        let Some(s) = store::session(&st.db, p, passed.lapsed.session_id).await? else {
            continue;
        };
        notices::tell(st, p, &passed.lapsed, &s, Notice::Lapsed).await?;
        if let Some(next) = &passed.next {
            offer(st, p, next, &s).await?;
        }
    }
    Ok(())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PeriodQuery {
    from: String,
    to: String,
}

/// The year a report covers by default: 1 April to 31 March, the one today falls in.
pub(super) fn this_year(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    let start_year = if today.month() >= 4 {
        today.year()
    } else {
        today.year() - 1
    };
    let from = NaiveDate::from_ymd_opt(start_year, 4, 1).unwrap_or(today);
    let to = NaiveDate::from_ymd_opt(start_year + 1, 3, 31).unwrap_or(today);
    (from, to)
}

/// The period asked for, or this year; a day that is not one is said so and this year used.
fn period(q: &PeriodQuery, errors: &mut Errors) -> (NaiveDate, NaiveDate) {
    let (from0, to0) = this_year(today());
    let from = errors.date("from", "From", &q.from).unwrap_or(from0);
    let to = errors.date("to", "To", &q.to).unwrap_or(to0);
    if to < from {
        errors.add("to", "The end of the period must be on or after its start");
        return (from0, to0);
    }
    (from, to)
}

#[derive(Template, WebTemplate)]
#[template(path = "training/figures.html")]
pub struct FiguresPage {
    page: Page,
    f: super::figures::Figures,
    from: NaiveDate,
    to: NaiveDate,
    q: PeriodQuery,
    query: String,
    errors: Errors,
}

/// The training figures for any period, as the yearly report gives them.
pub async fn figures(
    Ctx { st, viewer, p }: Ctx,
    crate::web::forms::QueryData(q): crate::web::forms::QueryData<PeriodQuery>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    let (from, to) = period(&q, &mut errors);
    let (held, places) = store::figures_in(&st.db, p, from, to).await?;
    let q = if errors.is_empty() {
        PeriodQuery {
            from: from.format("%Y-%m-%d").to_string(),
            to: to.format("%Y-%m-%d").to_string(),
        }
    } else {
        q
    };
    let page = FiguresPage {
        page: Page::new(&viewer, "Training figures", "/training"),
        f: super::figures::figures(&held, &places),
        query: format!(
            "from={}&to={}",
            from.format("%Y-%m-%d"),
            to.format("%Y-%m-%d")
        ),
        from,
        to,
        q,
        errors,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, page).into_response())
}

fn figures_table(
    f: &super::figures::Figures,
    from: NaiveDate,
    to: NaiveDate,
) -> crate::web::export::Table {
    use crate::web::export::Cell;
    let n = |v: i64| Cell::Number(v as f64);
    let pct = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Number);
    let mut rows = vec![vec![
        Cell::from("Total"),
        Cell::from(""),
        n(f.sessions),
        Cell::Number(f.training_days),
        n(f.places_offered),
        n(f.places_booked),
        n(f.attended),
        n(f.did_not_attend),
        pct(f.did_not_attend_share()),
        n(f.cancelled),
        n(f.cancelled_late),
        n(f.walk_ins),
        n(f.practitioners),
        pct(super::figures::share(f.attended, f.places_offered)),
    ]];
    for (part, lines) in [
        ("Course", &f.by_course),
        ("Organisation", &f.by_organisation),
    ] {
        for (name, l) in lines {
            rows.push(vec![
                Cell::from(part),
                Cell::from(name.as_str()),
                if part == "Course" {
                    n(l.sessions)
                } else {
                    Cell::Empty
                },
                Cell::Empty,
                if part == "Course" {
                    n(l.capacity)
                } else {
                    Cell::Empty
                },
                n(l.booked),
                n(l.attended),
                n(l.did_not_attend),
                pct(super::figures::share(l.did_not_attend, l.booked)),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                n(l.practitioners),
                if part == "Course" {
                    pct(l.attendance_share())
                } else {
                    Cell::Empty
                },
            ]);
        }
    }
    crate::web::export::Table {
        name: format!(
            "training-figures-{}-to-{}",
            from.format("%Y-%m-%d"),
            to.format("%Y-%m-%d")
        ),
        headers: vec![
            "Part",
            "Name",
            "Sessions",
            "Training days",
            "Places offered",
            "Places booked",
            "Attended",
            "Did not attend",
            "Did not attend (%)",
            "Cancelled",
            "Cancelled late",
            "Walk-ins",
            "Practitioners",
            "Attended against places (%)",
        ],
        rows,
    }
}

async fn figures_export(
    st: &AppState,
    p: PartnershipId,
    q: &PeriodQuery,
) -> AppResult<crate::web::export::Table> {
    let mut errors = Errors::default();
    let (from, to) = period(q, &mut errors);
    if let Some((_, m)) = errors.list().first() {
        return Err(AppError::BadRequest(m.clone()));
    }
    let (held, places) = store::figures_in(&st.db, p, from, to).await?;
    Ok(figures_table(
        &super::figures::figures(&held, &places),
        from,
        to,
    ))
}

pub async fn figures_csv(
    Ctx { st, p, .. }: Ctx,
    crate::web::forms::QueryData(q): crate::web::forms::QueryData<PeriodQuery>,
) -> AppResult<Response> {
    crate::web::export::csv(&figures_export(&st, p, &q).await?)
}

pub async fn figures_xlsx(
    Ctx { st, p, .. }: Ctx,
    crate::web::forms::QueryData(q): crate::web::forms::QueryData<PeriodQuery>,
) -> AppResult<Response> {
    crate::web::export::xlsx(&figures_export(&st, p, &q).await?)
}

const CERTIFICATE: &str = include_str!("../../templates/pdf/certificate.typ");

/// A certificate of attendance, as a tagged PDF: for the learner's own attended place, or any
/// by the business unit.
pub async fn certificate(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let b = store::booking(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let own = viewer.user.as_ref().is_some_and(|u| u.id == b.user_id);
    if b.status != BookingStatus::Attended
        || !(own || Permission::ManagePartnership.allows(&viewer))
    {
        return Err(AppError::NotFound);
    }
    let s = store::session(&st.db, p, b.session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let c = store::course(&st.db, p, s.course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let partnership = crate::partnerships::store::by_id(&st.db, p)
        .await?
        .map(|x| x.name)
        .unwrap_or_default();
    let minutes = s.minutes();
    let length = match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} minutes"),
        (1, 0) => "1 hour".to_owned(),
        (h, 0) => format!("{h} hours"),
        (h, m) => format!("{h} hours {m} minutes"),
    };
    let data = serde_json::json!({
        "partnership": partnership,
        "learner": b.name,
        "organisation": b.organisation,
        "course": s.course_title,
        "held_on": s.held_on.format("%-d %B %Y").to_string(),
        "times": format!("{} to {}", s.start_time, s.end_time),
        "length": length,
        "outcomes": c.outcome_list(),
        "issued_on": today().format("%-d %B %Y").to_string(),
    });
    let bytes = crate::pdf::make(CERTIFICATE, &data, Vec::new(), today()).await?;
    let name = format!("certificate-{}-{}.pdf", s.held_on.format("%Y-%m-%d"), b.id);
    Ok(crate::pdf::private_inline(bytes, &name))
}
