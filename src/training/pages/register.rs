//! The register of a session held, the learner's record and their certificates.

use super::*;

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

const CERTIFICATE: &str = include_str!("../../../templates/pdf/certificate.typ");

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
