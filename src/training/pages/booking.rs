//! Taking, accepting and cancelling places, and passing on offers not taken up in time.

use super::*;

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
