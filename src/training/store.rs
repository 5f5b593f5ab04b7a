//! Courses, sessions and bookings. A place is taken or freed only inside a transaction that
//! holds the session's row, so two people taking the last place at once leave one booked and
//! one on the waiting list, and a freed place goes to the first on the list in the same write.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::model::{self, BookingStatus, Delivery, Level, SessionStatus};
use crate::args;
use crate::calendar::working_days::Calendar;
use crate::store::{Actor, Db, PartnershipId, RecordRef, Row, Sql, StoreResult, Tx, Versioned};

crate::record! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Course {
        pub id: i64,
        pub title: String,
        pub description: String,
        pub outcomes: String,
        pub audience: String,
        pub level: Level,
        pub delivery: Delivery,
        pub minutes: i64,
        pub link: String,
        pub withdrawn: i64,
        pub version: i64,
    }
}

const COURSE_COLUMNS: &str = <Course as crate::store::Record>::COLUMNS;

fn course_of(r: &Row) -> StoreResult<Course> {
    <Course as crate::store::Record>::from_row(r)
}

impl Course {
    /// Its learning outcomes, one a line.
    pub fn outcome_list(&self) -> Vec<&str> {
        self.outcomes
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    }
}

crate::record! {
    /// A session, with its course's title and its places counted.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Session {
        pub id: i64 => "s.id",
        pub course_id: i64 => "s.course_id",
        pub course_title: String => "c.title",
        pub held_on: NaiveDate => "s.held_on",
        pub start_time: String => "s.start_time",
        pub end_time: String => "s.end_time",
        pub venue: String => "s.venue",
        pub online_link: String => "s.online_link",
        pub capacity: i64 => "s.capacity",
        pub opens_on: NaiveDate => "s.opens_on",
        pub closes_on: NaiveDate => "s.closes_on",
        pub cutoff_days: i64 => "s.cutoff_days",
        pub status: SessionStatus => "s.status",
        /// Places taken: booked, or offered and held.
        pub booked: i64 => "(SELECT COUNT(*) FROM training_bookings b WHERE b.session_id = s.id AND b.status IN ('booked', 'offered'))",
        pub waiting: i64 => "(SELECT COUNT(*) FROM training_bookings b WHERE b.session_id = s.id AND b.status = 'waiting')",
        pub version: i64 => "s.version",
    }
}

const SESSION_COLUMNS: &str = <Session as crate::store::Record>::COLUMNS;
const SESSION_FROM: &str =
    " FROM training_sessions s JOIN training_courses c ON c.id = s.course_id";

fn session_of(r: &Row) -> StoreResult<Session> {
    <Session as crate::store::Record>::from_row(r)
}

impl Session {
    pub fn shown(&self, today: NaiveDate) -> model::Shown {
        let window = model::Window::of(self.opens_on, self.closes_on, self.held_on, today);
        model::Shown::of(self.status, window, self.capacity, self.booked)
    }

    pub fn places_left(&self) -> i64 {
        (self.capacity - self.booked).max(0)
    }

    /// Its length in minutes, from its times as stored.
    pub fn minutes(&self) -> i64 {
        match (model::clock(&self.start_time), model::clock(&self.end_time)) {
            (Some(a), Some(b)) if b > a => (b - a).num_minutes(),
            _ => 0,
        }
    }
}

crate::record! {
    /// A person's place, or place on the waiting list, with who they are.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Booking {
        pub id: i64 => "b.id",
        pub session_id: i64 => "b.session_id",
        pub user_id: i64 => "b.user_id",
        pub name: String => "u.name",
        pub email: String => "u.email",
        pub organisation: String => "b.organisation",
        pub status: BookingStatus => "b.status",
        pub waiting_since: Option<DateTime<Utc>> => "b.waiting_since",
        pub offer_expires_at: Option<DateTime<Utc>> => "b.offer_expires_at",
        pub booked_at: Option<DateTime<Utc>> => "b.booked_at",
        pub cancelled_at: Option<DateTime<Utc>> => "b.cancelled_at",
        pub booked_by: String => "b.booked_by",
        pub walk_in: i64 => "b.walk_in",
        pub version: i64 => "b.version",
    }
}

const BOOKING_COLUMNS: &str = <Booking as crate::store::Record>::COLUMNS;
const BOOKING_FROM: &str = " FROM training_bookings b JOIN users u ON u.id = b.user_id";

fn booking_of(r: &Row) -> StoreResult<Booking> {
    <Booking as crate::store::Record>::from_row(r)
}

/// A course as the training officer typed it, checked.
#[derive(Clone, Debug, Serialize)]
pub struct CourseFields {
    pub title: String,
    pub description: String,
    pub outcomes: String,
    pub audience: String,
    pub level: Level,
    pub delivery: Delivery,
    pub minutes: i64,
    pub link: String,
}

/// A session as the training officer typed it, checked.
#[derive(Clone, Debug, Serialize)]
pub struct SessionFields {
    pub held_on: NaiveDate,
    pub start_time: String,
    pub end_time: String,
    pub venue: String,
    pub online_link: String,
    pub capacity: i64,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub cutoff_days: i64,
    pub status: SessionStatus,
}

pub async fn courses(db: &Db, p: PartnershipId) -> StoreResult<Vec<Course>> {
    db.fetch_all(
        Sql::join(&[
            "SELECT ",
            COURSE_COLUMNS,
            " FROM training_courses WHERE partnership_id = $1 ORDER BY withdrawn, title, id",
        ]),
        args![p],
    )
    .await?
    .iter()
    .map(course_of)
    .collect()
}

pub async fn course(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Option<Course>> {
    db.fetch_optional(
        Sql::join(&[
            "SELECT ",
            COURSE_COLUMNS,
            " FROM training_courses WHERE partnership_id = $1 AND id = $2",
        ]),
        args![p, id],
    )
    .await?
    .as_ref()
    .map(course_of)
    .transpose()
}

pub async fn add_course(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    f: &CourseFields,
) -> StoreResult<i64> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let id = tx
        .insert(
            "INSERT INTO training_courses (partnership_id, title, description, outcomes, audience, level, delivery, minutes, link, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            args![p, f.title.as_str(), f.description.as_str(), f.outcomes.as_str(), f.audience.as_str(), f.level, f.delivery, f.minutes, f.link.as_str(), now, now, actor.name.as_str()],
            Some(p),
            "training-course",
            &format!("Course added: {}", f.title),
            f,
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Change a course; `Ok(Err)` when someone changed it first.
pub async fn update_course(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    before: &Course,
    f: &CourseFields,
) -> StoreResult<Result<(), crate::store::Stale>> {
    let mut tx = Tx::begin(db, actor).await?;
    let v = Versioned::new(
        "training_courses",
        "training-course",
        p,
        before.id,
        before.version,
    );
    let done = tx
        .update_versioned(
            &v,
            "title = $1, description = $2, outcomes = $3, audience = $4, level = $5, delivery = $6, minutes = $7, link = $8",
            args![f.title.as_str(), f.description.as_str(), f.outcomes.as_str(), f.audience.as_str(), f.level, f.delivery, f.minutes, f.link.as_str()],
            &format!("Course changed: {}", f.title),
            before,
            f,
        )
        .await?;
    if done.is_ok() {
        tx.commit().await?;
    }
    Ok(done)
}

/// Sessions from a day on (every session when `from` is none), soonest first.
pub async fn sessions(
    db: &Db,
    p: PartnershipId,
    from: Option<NaiveDate>,
) -> StoreResult<Vec<Session>> {
    let rows = match from {
        Some(d) => {
            db.fetch_all(
                Sql::join(&[
                    "SELECT ",
                    SESSION_COLUMNS,
                    SESSION_FROM,
                    " WHERE s.partnership_id = $1 AND s.held_on >= $2 ORDER BY s.held_on, s.start_time, s.id",
                ]),
                args![p, d],
            )
            .await?
        }
        None => {
            db.fetch_all(
                Sql::join(&[
                    "SELECT ",
                    SESSION_COLUMNS,
                    SESSION_FROM,
                    " WHERE s.partnership_id = $1 ORDER BY s.held_on, s.start_time, s.id",
                ]),
                args![p],
            )
            .await?
        }
    };
    rows.iter().map(session_of).collect()
}

pub async fn sessions_of_course(
    db: &Db,
    p: PartnershipId,
    course_id: i64,
) -> StoreResult<Vec<Session>> {
    db.fetch_all(
        Sql::join(&[
            "SELECT ",
            SESSION_COLUMNS,
            SESSION_FROM,
            " WHERE s.partnership_id = $1 AND s.course_id = $2 ORDER BY s.held_on, s.start_time, s.id",
        ]),
        args![p, course_id],
    )
    .await?
    .iter()
    .map(session_of)
    .collect()
}

pub async fn session(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Option<Session>> {
    db.fetch_optional(
        Sql::join(&[
            "SELECT ",
            SESSION_COLUMNS,
            SESSION_FROM,
            " WHERE s.partnership_id = $1 AND s.id = $2",
        ]),
        args![p, id],
    )
    .await?
    .as_ref()
    .map(session_of)
    .transpose()
}

pub async fn add_session(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    course: &Course,
    f: &SessionFields,
) -> StoreResult<i64> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let id = tx
        .insert(
            "INSERT INTO training_sessions (partnership_id, course_id, held_on, start_time, end_time, venue, online_link, capacity, opens_on, closes_on, cutoff_days, status, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
            args![p, course.id, f.held_on, f.start_time.as_str(), f.end_time.as_str(), f.venue.as_str(), f.online_link.as_str(), f.capacity, f.opens_on, f.closes_on, f.cutoff_days, f.status, now, now, actor.name.as_str()],
            Some(p),
            "training-session",
            &format!("Session of {} added for {}", course.title, f.held_on.format("%-d %B %Y")),
            f,
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// The bookings of a session still holding a place or a place on the list, places first and
/// the waiting list in its order; then those cancelled.
pub async fn bookings_of_session(
    db: &Db,
    p: PartnershipId,
    session_id: i64,
) -> StoreResult<Vec<Booking>> {
    db.fetch_all(
        Sql::join(&[
            "SELECT ",
            BOOKING_COLUMNS,
            BOOKING_FROM,
            " WHERE b.partnership_id = $1 AND b.session_id = $2 ORDER BY CASE b.status WHEN 'booked' THEN 0 WHEN 'offered' THEN 1 WHEN 'waiting' THEN 2 ELSE 3 END, b.waiting_since, b.id",
        ]),
        args![p, session_id],
    )
    .await?
    .iter()
    .map(booking_of)
    .collect()
}

/// A person's bookings, newest session first, with their sessions.
pub async fn bookings_of_user(
    db: &Db,
    p: PartnershipId,
    user_id: i64,
) -> StoreResult<Vec<(Booking, Session)>> {
    let bookings: Vec<Booking> = db
        .fetch_all(
            Sql::join(&[
                "SELECT ",
                BOOKING_COLUMNS,
                BOOKING_FROM,
                " WHERE b.partnership_id = $1 AND b.user_id = $2 ORDER BY b.id DESC",
            ]),
            args![p, user_id],
        )
        .await?
        .iter()
        .map(booking_of)
        .collect::<StoreResult<_>>()?;
    // Their sessions in one query, not one each.
    let sessions: Vec<Session> = db
        .fetch_all(
            Sql::join(&[
                "SELECT ",
                SESSION_COLUMNS,
                SESSION_FROM,
                " WHERE s.partnership_id = $1 AND s.id IN (SELECT session_id FROM training_bookings WHERE partnership_id = $1 AND user_id = $2)",
            ]),
            args![p, user_id],
        )
        .await?
        .iter()
        .map(session_of)
        .collect::<StoreResult<_>>()?;
    let mut out: Vec<(Booking, Session)> = bookings
        .into_iter()
        .filter_map(|b| {
            let s = sessions.iter().find(|s| s.id == b.session_id)?.clone();
            Some((b, s))
        })
        .collect();
    out.sort_by_key(|(_, s)| std::cmp::Reverse(s.held_on));
    Ok(out)
}

/// One booking of the partnership's.
fn one_booking() -> Sql {
    Sql::join(&[
        "SELECT ",
        BOOKING_COLUMNS,
        BOOKING_FROM,
        " WHERE b.partnership_id = $1 AND b.id = $2",
    ])
}

pub async fn booking(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Option<Booking>> {
    db.fetch_optional(one_booking(), args![p, id])
        .await?
        .as_ref()
        .map(booking_of)
        .transpose()
}

/// A session as held by a transaction.
struct Held {
    capacity: i64,
    status: SessionStatus,
    /// When it starts.
    starts: DateTime<Utc>,
}

/// Holds the session's row until the transaction ends, so that places on it are counted and
/// taken one transaction at a time: an update that changes nothing takes PostgreSQL's row lock
/// (SQLite's write lock is already held from `BEGIN IMMEDIATE`).
async fn hold_session(
    tx: &mut Tx<'_>,
    p: PartnershipId,
    session_id: i64,
) -> StoreResult<Option<Held>> {
    let Some(r) = tx
        .fetch_optional(
            "UPDATE training_sessions SET capacity = capacity WHERE partnership_id = $1 AND id = $2 RETURNING capacity, status, held_on, start_time",
            args![p, session_id],
        )
        .await?
    else {
        return Ok(None);
    };
    let held_on: NaiveDate = r.get("held_on")?;
    let start: String = r.get("start_time")?;
    let start = model::clock(&start).unwrap_or_default();
    Ok(Some(Held {
        capacity: r.get("capacity")?,
        status: r.get("status")?,
        starts: crate::calendar::from_uk_local(held_on.and_time(start)),
    }))
}

async fn count_booked(tx: &mut Tx<'_>, session_id: i64) -> StoreResult<i64> {
    let r = tx
        .fetch_optional(
            "SELECT COUNT(*) AS n FROM training_bookings WHERE session_id = $1 AND status IN ('booked', 'offered')",
            args![session_id],
        )
        .await?;
    match r {
        Some(r) => r.get("n"),
        None => Ok(0),
    }
}

/// Why a place was not taken.
#[derive(Debug, PartialEq, Eq)]
pub enum NotBooked {
    /// The session is gone, or not this partnership's.
    NoSession,
    /// The session no longer takes bookings (cancelled or delivered meanwhile).
    NotTaking,
    /// The person already holds a place or a place on its list.
    Already,
}

/// Take a place for a person, or a place on the waiting list when the session is full.
pub async fn book(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    session_id: i64,
    user_id: i64,
    organisation: &str,
) -> StoreResult<Result<(i64, BookingStatus), NotBooked>> {
    let mut tx = Tx::begin(db, actor).await?;
    let Some(Held {
        capacity, status, ..
    }) = hold_session(&mut tx, p, session_id).await?
    else {
        return Ok(Err(NotBooked::NoSession));
    };
    if status != SessionStatus::Open {
        return Ok(Err(NotBooked::NotTaking));
    }
    let already = tx
        .fetch_optional(
            "SELECT id FROM training_bookings WHERE session_id = $1 AND user_id = $2 AND status IN ('booked', 'waiting', 'offered')",
            args![session_id, user_id],
        )
        .await?;
    if already.is_some() {
        return Ok(Err(NotBooked::Already));
    }
    let booked = count_booked(&mut tx, session_id).await?;
    let place = model::place(capacity, booked);
    let now = tx.now();
    let (booked_at, waiting_since) = match place {
        BookingStatus::Booked => (Some(now), None),
        _ => (None, Some(now)),
    };
    let by = actor.name.clone();
    let id = tx
        .insert(
            "INSERT INTO training_bookings (partnership_id, session_id, user_id, organisation, status, waiting_since, booked_at, booked_by, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            args![p, session_id, user_id, organisation, place, waiting_since, booked_at, by.as_str(), now, now, by.as_str()],
            Some(p),
            "training-booking",
            match place {
                BookingStatus::Booked => "Place booked on a training session",
                _ => "Put on a training session's waiting list",
            },
            &serde_json::json!({"session": session_id, "user": user_id, "organisation": organisation, "status": place}),
        )
        .await?;
    tx.commit().await?;
    Ok(Ok((id, place)))
}

/// What cancelling a booking did: what it became, and who took the place it freed.
#[derive(Debug)]
pub struct Cancelled {
    pub status: BookingStatus,
    pub promoted: Option<Booking>,
}

/// Cancel a booking; a freed place goes to the first on the waiting list in the same
/// transaction. `None` when the booking had already ended (cancelled meanwhile).
pub async fn cancel(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    b: &Booking,
    today: NaiveDate,
    cal: &Calendar,
) -> StoreResult<Option<Cancelled>> {
    let mut tx = Tx::begin(db, actor).await?;
    let Some(_) = hold_session(&mut tx, p, b.session_id).await? else {
        return Ok(None);
    };
    // Read again under the hold: the booking as it is now, not as the page showed it.
    let Some(r) = tx.fetch_optional(one_booking(), args![p, b.id]).await? else {
        return Ok(None);
    };
    let now_b = booking_of(&r)?;
    if !now_b.status.active() {
        return Ok(None);
    }
    let Some(srow) = tx
        .fetch_optional(
            "SELECT held_on, cutoff_days FROM training_sessions WHERE id = $1",
            args![b.session_id],
        )
        .await?
    else {
        return Ok(None);
    };
    let held_on: NaiveDate = srow.get("held_on")?;
    let cutoff: i64 = srow.get("cutoff_days")?;
    let status = model::cancellation(now_b.status, held_on, today, cutoff, cal);
    let summary = format!("Booking {}", status.label().to_lowercase());
    end_booking(&mut tx, p, &now_b, status, &summary).await?;
    let mut promoted = None;
    if now_b.status.holds_place() {
        promoted = promote(&mut tx, p, b.session_id).await?;
    }
    tx.commit().await?;
    Ok(Some(Cancelled { status, promoted }))
}

/// Bookings read inside a transaction.
async fn bookings_in(
    tx: &mut Tx<'_>,
    sql: Sql,
    args: Vec<crate::store::Value>,
) -> StoreResult<Vec<Booking>> {
    tx.fetch_all(sql, args)
        .await?
        .iter()
        .map(booking_of)
        .collect()
}

/// End a booking (cancelled, in time or late), stamped now.
async fn end_booking(
    tx: &mut Tx<'_>,
    p: PartnershipId,
    b: &Booking,
    status: BookingStatus,
    summary: &str,
) -> StoreResult<u64> {
    let now = tx.now();
    let by = tx.actor().name.clone();
    let record = RecordRef::new(Some(p), "training-booking", b.id);
    tx.update(
        "UPDATE training_bookings SET status = $1, cancelled_at = $2, version = version + 1, updated_at = $3, updated_by = $4 WHERE partnership_id = $5 AND id = $6",
        args![status, now, now, by.as_str(), p, b.id],
        &record,
        summary,
        b,
        &serde_json::json!({"status": status, "cancelled_at": now}),
    )
    .await
}

/// Offer a free place to the first on the waiting list (who joined it first), held for them
/// until [`model::offer_until`]: the booking offered it, if any.
async fn promote(
    tx: &mut Tx<'_>,
    p: PartnershipId,
    session_id: i64,
) -> StoreResult<Option<Booking>> {
    let Some(held) = hold_session(tx, p, session_id).await? else {
        return Ok(None);
    };
    if held.status != SessionStatus::Open || count_booked(tx, session_id).await? >= held.capacity {
        return Ok(None);
    }
    let Some(r) = tx
        .fetch_optional(
            Sql::join(&[
                "SELECT ",
                BOOKING_COLUMNS,
                BOOKING_FROM,
                " WHERE b.partnership_id = $1 AND b.session_id = $2 AND b.status = 'waiting' ORDER BY b.waiting_since, b.id LIMIT 1",
            ]),
            args![p, session_id],
        )
        .await?
    else {
        return Ok(None);
    };
    let first = booking_of(&r)?;
    let now = tx.now();
    if held.starts <= now {
        return Ok(None);
    }
    let until = model::offer_until(now, held.starts);
    let by = tx.actor().name.clone();
    let record = RecordRef::new(Some(p), "training-booking", first.id);
    tx.update(
        "UPDATE training_bookings SET status = 'offered', offer_expires_at = $1, version = version + 1, updated_at = $2, updated_by = $3 WHERE partnership_id = $4 AND id = $5",
        args![until, now, by.as_str(), p, first.id],
        &record,
        "A freed place offered to the first on the waiting list",
        &first,
        &serde_json::json!({"status": BookingStatus::Offered, "offer_expires_at": until}),
    )
    .await?;
    Ok(Some(Booking {
        status: BookingStatus::Offered,
        offer_expires_at: Some(until),
        ..first
    }))
}

/// Why an offer was not taken up.
#[derive(Debug, PartialEq, Eq)]
pub enum NotAccepted {
    /// It passed on (or was withdrawn) before it was accepted.
    Gone,
}

/// Accept an offered place: it is booked.
pub async fn accept(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    b: &Booking,
) -> StoreResult<Result<(), NotAccepted>> {
    let mut tx = Tx::begin(db, actor).await?;
    if hold_session(&mut tx, p, b.session_id).await?.is_none() {
        return Ok(Err(NotAccepted::Gone));
    }
    let now = tx.now();
    let record = RecordRef::new(Some(p), "training-booking", b.id);
    let n = tx
        .update(
            "UPDATE training_bookings SET status = 'booked', booked_at = $1, offer_expires_at = NULL, version = version + 1, updated_at = $2, updated_by = $3 WHERE partnership_id = $4 AND id = $5 AND status = 'offered' AND offer_expires_at > $6",
            args![now, now, actor.name.as_str(), p, b.id, now],
            &record,
            "The place offered accepted: booked",
            b,
            &serde_json::json!({"status": BookingStatus::Booked, "booked_at": now}),
        )
        .await?;
    if n == 0 {
        return Ok(Err(NotAccepted::Gone));
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// An offer that passed on: the one who did not answer, and whom the place went to next.
#[derive(Debug)]
pub struct PassedOn {
    pub partnership: PartnershipId,
    pub lapsed: Booking,
    pub next: Option<Booking>,
}

/// Pass on every offer unanswered by its time, in every partnership: each in a transaction
/// holding its session, and only if it is still unanswered, so that instances running this at
/// once pass each on once.
pub async fn pass_on_offers(db: &Db, now: DateTime<Utc>) -> StoreResult<Vec<PassedOn>> {
    let due = db
        .fetch_all(
            "SELECT id, partnership_id FROM training_bookings WHERE status = 'offered' AND offer_expires_at <= $1 ORDER BY id LIMIT 500",
            args![now],
        )
        .await?;
    let actor = Actor::system("training: offers passed on");
    let mut out = Vec::new();
    for r in due {
        let p = PartnershipId(r.get("partnership_id")?);
        let id: i64 = r.get("id")?;
        let Some(b) = booking(db, p, id).await? else {
            continue;
        };
        let mut tx = Tx::begin(db, &actor).await?;
        if hold_session(&mut tx, p, b.session_id).await?.is_none() {
            continue;
        }
        let at = tx.now();
        let record = RecordRef::new(Some(p), "training-booking", id);
        let n = tx
            .update(
                "UPDATE training_bookings SET status = 'offer-lapsed', version = version + 1, updated_at = $1, updated_by = $2 WHERE partnership_id = $3 AND id = $4 AND status = 'offered' AND offer_expires_at <= $5",
                args![at, actor.name.as_str(), p, id, now],
                &record,
                "The place offered was not accepted in time: passed on",
                &b,
                &serde_json::json!({"status": BookingStatus::Lapsed}),
            )
            .await?;
        if n == 0 {
            continue;
        }
        let next = promote(&mut tx, p, b.session_id).await?;
        tx.commit().await?;
        out.push(PassedOn {
            partnership: p,
            lapsed: Booking {
                status: BookingStatus::Lapsed,
                ..b
            },
            next,
        });
    }
    Ok(out)
}

/// A session as the training officer saw it, changed only while it is not cancelled.
fn changing(p: PartnershipId, s: &Session) -> Versioned {
    Versioned::new("training_sessions", "training-session", p, s.id, s.version)
        .only_if(" AND status <> 'cancelled'")
}

/// Why a session's change was not made.
#[derive(Debug)]
pub enum NotChanged {
    /// Someone changed it first.
    Stale(crate::store::Stale),
    /// Fewer places than are booked: bookings must be cancelled first.
    FewerThanBooked(i64),
}

/// What changing a session did: whether its day, times or place moved (everyone booked or
/// waiting is told), and who took the places a larger capacity made.
#[derive(Debug)]
pub struct Changed {
    pub moved: bool,
    pub promoted: Vec<Booking>,
}

/// Change a session as at the version the training officer saw.
pub async fn update_session(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    before: &Session,
    f: &SessionFields,
) -> StoreResult<Result<Changed, NotChanged>> {
    let mut tx = Tx::begin(db, actor).await?;
    if hold_session(&mut tx, p, before.id).await?.is_none() {
        return Ok(Err(NotChanged::Stale(crate::store::Stale {
            changed: None,
        })));
    }
    let booked = count_booked(&mut tx, before.id).await?;
    if f.capacity < booked {
        return Ok(Err(NotChanged::FewerThanBooked(booked)));
    }
    let v = changing(p, before);
    if let Err(stale) = tx
        .update_versioned(
            &v,
            "held_on = $1, start_time = $2, end_time = $3, venue = $4, online_link = $5, capacity = $6, opens_on = $7, closes_on = $8, cutoff_days = $9, status = $10",
            args![f.held_on, f.start_time.as_str(), f.end_time.as_str(), f.venue.as_str(), f.online_link.as_str(), f.capacity, f.opens_on, f.closes_on, f.cutoff_days, f.status],
            &format!("Session of {} changed", before.course_title),
            before,
            f,
        )
        .await?
    {
        return Ok(Err(NotChanged::Stale(stale)));
    }
    let mut promoted = Vec::new();
    while let Some(b) = promote(&mut tx, p, before.id).await? {
        promoted.push(b);
    }
    tx.commit().await?;
    let moved = before.held_on != f.held_on
        || before.start_time != f.start_time
        || before.end_time != f.end_time
        || before.venue != f.venue
        || before.online_link != f.online_link;
    Ok(Ok(Changed { moved, promoted }))
}

/// Cancel a session: every place and place on the waiting list with it, none of them late
/// (the partnership cancelled, not the learner). Gives the bookings that were active, to be
/// told; `Err` when someone changed the session first or it was already cancelled.
pub async fn cancel_session(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    before: &Session,
    reason: &str,
) -> StoreResult<Result<Vec<Booking>, crate::store::Stale>> {
    let mut tx = Tx::begin(db, actor).await?;
    let v = changing(p, before);
    if let Err(stale) = tx
        .update_versioned(
            &v,
            "status = 'cancelled'",
            args![],
            &format!("Session of {} cancelled: {reason}", before.course_title),
            before,
            &serde_json::json!({"status": SessionStatus::Cancelled, "reason": reason}),
        )
        .await?
    {
        return Ok(Err(stale));
    }
    let active = bookings_in(
        &mut tx,
        Sql::join(&[
            "SELECT ",
            BOOKING_COLUMNS,
            BOOKING_FROM,
            " WHERE b.partnership_id = $1 AND b.session_id = $2 AND b.status IN ('booked', 'waiting', 'offered') ORDER BY b.id",
        ]),
        args![p, before.id],
    )
    .await?;
    for b in &active {
        let cancelled = BookingStatus::Cancelled;
        end_booking(
            &mut tx,
            p,
            b,
            cancelled,
            "Booking cancelled with its session",
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Ok(active))
}

/// The register as the training officer (or trainer) marked it: each place attended or not,
/// and people who came without a place.
#[derive(Debug, Serialize)]
pub struct Register {
    pub marks: Vec<(i64, BookingStatus)>,
    pub walk_ins: Vec<(i64, String)>,
}

/// Mark a booking on the register.
async fn mark(
    tx: &mut Tx<'_>,
    p: PartnershipId,
    b: &Booking,
    status: BookingStatus,
) -> StoreResult<u64> {
    let now = tx.now();
    let by = tx.actor().name.clone();
    let record = RecordRef::new(Some(p), "training-booking", b.id);
    tx.update(
        "UPDATE training_bookings SET status = $1, version = version + 1, updated_at = $2, updated_by = $3 WHERE partnership_id = $4 AND id = $5",
        args![status, now, by.as_str(), p, b.id],
        &record,
        &format!("Register: {}", status.label().to_lowercase()),
        b,
        &serde_json::json!({"status": status}),
    )
    .await
}

/// Record a session's register and mark it delivered, in one transaction. Only places held on
/// the day are marked; a walk-in who already has a booking on the session is marked attended.
pub async fn save_register(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    s: &Session,
    r: &Register,
) -> StoreResult<()> {
    let mut tx = Tx::begin(db, actor).await?;
    if hold_session(&mut tx, p, s.id).await?.is_none() {
        return Ok(());
    }
    let now = tx.now();
    let by = actor.name.clone();
    let current = bookings_in(
        &mut tx,
        Sql::join(&[
            "SELECT ",
            BOOKING_COLUMNS,
            BOOKING_FROM,
            " WHERE b.partnership_id = $1 AND b.session_id = $2",
        ]),
        args![p, s.id],
    )
    .await?;
    for (id, status) in &r.marks {
        if let Some(b) = current
            .iter()
            .find(|b| b.id == *id && b.status.on_register())
            && b.status != *status
        {
            mark(&mut tx, p, b, *status).await?;
        }
    }
    for (user_id, organisation) in &r.walk_ins {
        match current.iter().find(|b| b.user_id == *user_id) {
            Some(b) if b.status == BookingStatus::Attended => {}
            Some(b) => {
                mark(&mut tx, p, b, BookingStatus::Attended).await?;
            }
            None => {
                tx.insert(
                    "INSERT INTO training_bookings (partnership_id, session_id, user_id, organisation, status, walk_in, booked_at, booked_by, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, 'attended', 1, $5, $6, $7, $8, $9) RETURNING id",
                    args![p, s.id, *user_id, organisation.as_str(), now, by.as_str(), now, now, by.as_str()],
                    Some(p),
                    "training-booking",
                    "Register: a walk-in attended",
                    &serde_json::json!({"session": s.id, "user": user_id, "organisation": organisation, "status": BookingStatus::Attended, "walk_in": true}),
                )
                .await?;
            }
        }
    }
    if s.status != SessionStatus::Delivered {
        let record = RecordRef::new(Some(p), "training-session", s.id);
        tx.update(
            "UPDATE training_sessions SET status = 'delivered', version = version + 1, updated_at = $1, updated_by = $2 WHERE partnership_id = $3 AND id = $4",
            args![now, by.as_str(), p, s.id],
            &record,
            &format!("Session of {} delivered: register taken", s.course_title),
            &serde_json::json!({"status": s.status}),
            &serde_json::json!({"status": SessionStatus::Delivered}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Sessions held (on or before `today`) whose register is not yet taken: still open.
pub async fn awaiting_register(
    db: &Db,
    p: PartnershipId,
    today: NaiveDate,
) -> StoreResult<Vec<Session>> {
    db.fetch_all(
        Sql::join(&[
            "SELECT ",
            SESSION_COLUMNS,
            SESSION_FROM,
            " WHERE s.partnership_id = $1 AND s.status = 'open' AND s.held_on <= $2 ORDER BY s.held_on, s.id",
        ]),
        args![p, today],
    )
    .await?
    .iter()
    .map(session_of)
    .collect()
}

/// The sessions held from `from` to `to` (both included) and their bookings, for the figures:
/// two queries whatever the period.
pub async fn figures_in(
    db: &Db,
    p: PartnershipId,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<(Vec<super::figures::Held>, Vec<super::figures::Place>)> {
    let sessions: Vec<Session> = db
        .fetch_all(
            Sql::join(&[
                "SELECT ",
                SESSION_COLUMNS,
                SESSION_FROM,
                " WHERE s.partnership_id = $1 AND s.held_on >= $2 AND s.held_on <= $3 ORDER BY s.held_on, s.id",
            ]),
            args![p, from, to],
        )
        .await?
        .iter()
        .map(session_of)
        .collect::<StoreResult<_>>()?;
    let held = sessions
        .iter()
        .map(|s| super::figures::Held {
            id: s.id,
            course: s.course_title.clone(),
            minutes: s.minutes(),
            capacity: s.capacity,
            status: s.status,
        })
        .collect();
    let places = db
        .fetch_all(
            "SELECT b.session_id, b.user_id, b.organisation, b.status, b.walk_in FROM training_bookings b JOIN training_sessions s ON s.id = b.session_id WHERE b.partnership_id = $1 AND s.held_on >= $2 AND s.held_on <= $3",
            args![p, from, to],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(super::figures::Place {
                session_id: r.get("session_id")?,
                user_id: r.get("user_id")?,
                organisation: r.get("organisation")?,
                status: r.get("status")?,
                walk_in: r.get::<i64>("walk_in")? == 1,
            })
        })
        .collect::<StoreResult<_>>()?;
    Ok((held, places))
}
