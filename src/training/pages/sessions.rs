//! A session: its page, and the training officer's forms to add, change or cancel it.

use super::*;

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
