//! The programme (sessions to come, the person's own bookings), the courses, a course, and
//! what training asks of people on their home page.

use super::*;

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
