//! Policies and procedures: the partnership's library of documents. Each has a title, a
//! summary, the body of the arrangements that owns it, the file, a review date and every
//! version kept with its amendment note. The business unit keeps the library; everyone in the
//! partnership reads it (practitioners are the people who work to these procedures); the
//! public read the current documents on the partnership's website and may subscribe, by an
//! emailed link, to be told when one changes.
//!
//! Review dates are chased: an hourly job emails the owner (a named person, or else the
//! business unit) once when the review falls within twenty working days and once more when
//! it is overdue, and the business unit sees the same on its home page.

pub mod api;
pub mod model;
mod pages;
mod public;
pub mod store;

use askama::Template;
use chrono::{DateTime, Utc};

use crate::accounts::model::Role;
use crate::state::{AppState, Route};
use crate::store::PartnershipId;
use crate::web::error::{AppError, AppResult};
use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;
use model::{Follows, Reminder};

pub fn routes() -> Vec<Route> {
    use Permission::*;
    vec![
        // Every member of the partnership reads the library; the business unit keeps it.
        Route::get("/procedures", Partnership, pages::list),
        Route::post("/procedures", ManagePartnership, pages::create),
        Route::get("/procedures/new", ManagePartnership, pages::new_form),
        Route::get("/procedures/{id}", Partnership, pages::show),
        Route::get(
            "/procedures/{id}/versions/{number}",
            Partnership,
            pages::download,
        ),
        Route::get("/procedures/{id}/edit", ManagePartnership, pages::edit_form),
        Route::post("/procedures/{id}/edit", ManagePartnership, pages::edit),
        Route::get(
            "/procedures/{id}/version",
            ManagePartnership,
            pages::version_form,
        ),
        Route::post(
            "/procedures/{id}/version",
            ManagePartnership,
            pages::add_version,
        ),
        Route::get(
            "/procedures/{id}/reviewed",
            ManagePartnership,
            pages::reviewed_form,
        ),
        Route::post(
            "/procedures/{id}/reviewed",
            ManagePartnership,
            pages::reviewed,
        ),
        Route::get(
            "/procedures/{id}/withdraw",
            ManagePartnership,
            pages::withdraw_form,
        ),
        Route::post(
            "/procedures/{id}/withdraw",
            ManagePartnership,
            pages::withdraw,
        ),
        Route::get("/api/v1/procedures", Partnership, api::list),
        Route::get("/api/v1/procedures/{id}", Partnership, api::procedure),
        // The public library, and subscribing to it without an account.
        Route::get("/p/{slug}/procedures", Public, public::list),
        Route::post(
            "/p/{slug}/procedures/subscribe",
            Public,
            public::subscribe_all,
        ),
        Route::get("/p/{slug}/procedures/{id}", Public, public::show),
        Route::post(
            "/p/{slug}/procedures/{id}/subscribe",
            Public,
            public::subscribe_one,
        ),
        Route::get("/p/{slug}/procedures/{id}/file", Public, public::file),
        Route::get(
            "/procedure-subscriptions/confirm/{token}",
            Public,
            public::confirm_form,
        ),
        Route::post(
            "/procedure-subscriptions/confirm/{token}",
            Public,
            public::confirm,
        ),
        Route::get(
            "/procedure-subscriptions/unsubscribe/{token}",
            Public,
            public::unsubscribe_form,
        ),
        Route::post(
            "/procedure-subscriptions/unsubscribe/{token}",
            Public,
            public::unsubscribe,
        ),
    ]
}

pub use pages::tasks;

/// The library's hourly job (scheduled in `server.rs`): review reminders, change notices not
/// yet sent (should a request have stopped part-way), and unconfirmed subscriptions expired.
/// Each reminder and notice is claimed in the database before it is queued, so several
/// instances running this at once send each once.
pub async fn hourly(st: &AppState) -> AppResult<()> {
    send_reminders(st, crate::calendar::today()).await?;
    send_notices(st, Utc::now() - chrono::Duration::days(7)).await?;
    store::expire_unconfirmed(&st.db).await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "mail/procedure-review.txt")]
struct ReviewText<'a> {
    name: &'a str,
    title: &'a str,
    body: &'a str,
    id: i64,
    review_on: chrono::NaiveDate,
    overdue: bool,
    countdown: &'a str,
    base: &'a str,
}

#[derive(Template)]
#[template(path = "mail/procedure-review.html")]
struct ReviewHtml<'a> {
    name: &'a str,
    title: &'a str,
    body: &'a str,
    id: i64,
    review_on: chrono::NaiveDate,
    overdue: bool,
    countdown: &'a str,
    base: &'a str,
}

/// Who is reminded of a document's review: its named owner while they are in the partnership;
/// otherwise the business unit (its shared address when the partnership has one, else each of
/// its people). As (name, address).
async fn reminded(
    st: &AppState,
    p: PartnershipId,
    owner: Option<i64>,
) -> AppResult<Vec<(String, String)>> {
    let people = crate::accounts::store::members_of(&st.db, p).await?;
    if let Some(id) = owner
        && let Some((_, u)) = people.iter().find(|(_, u)| u.id == id && !u.disabled)
    {
        return Ok(vec![(u.name.clone(), u.email.clone())]);
    }
    if let Some(pp) = crate::partnerships::store::by_id(&st.db, p).await?
        && !pp.contact_email.is_empty()
    {
        return Ok(vec![(
            format!("{} business unit", pp.name),
            pp.contact_email,
        )]);
    }
    Ok(people
        .into_iter()
        .filter(|(m, u)| m.role == Role::PartnershipAdmin && !u.disabled)
        .map(|(_, u)| (u.name, u.email))
        .collect())
}

/// Queue the review reminders owed on `day`. Returns how many documents were chased.
pub async fn send_reminders(st: &AppState, day: chrono::NaiveDate) -> AppResult<usize> {
    let cal = crate::calendar::store::current(&st.db).await?;
    let base = st.config.base_url.trim_end_matches('/').to_owned();
    let mut sent = 0;
    for p in store::partnerships(&st.db).await? {
        for pr in store::list(&st.db, p).await? {
            let Some(what) = model::reminder_owed(pr.status, pr.review_on, day, &cal) else {
                continue;
            };
            // Claimed first: another instance, or the next hour, finds it taken.
            if !store::claim_reminder(&st.db, p, &pr, what).await? {
                continue;
            }
            let body = pages::body_name(st, p, &pr.body_key).await?;
            let countdown = model::review_deadline(pr.review_on, day, &cal).countdown();
            let overdue = what == Reminder::Overdue;
            let subject = if overdue {
                format!("Review overdue: {}", pr.title)
            } else {
                format!("Review due: {}", pr.title)
            };
            for (name, email) in reminded(st, p, pr.owner_user_id).await? {
                let mail = crate::mail::Mail::from_templates(
                    &email,
                    &subject,
                    &ReviewText {
                        name: &name,
                        title: &pr.title,
                        body: &body,
                        id: pr.id,
                        review_on: pr.review_on,
                        overdue,
                        countdown: &countdown,
                        base: &base,
                    },
                    &ReviewHtml {
                        name: &name,
                        title: &pr.title,
                        body: &body,
                        id: pr.id,
                        review_on: pr.review_on,
                        overdue,
                        countdown: &countdown,
                        base: &base,
                    },
                )
                .map_err(|e| AppError::Internal(e.to_string()))?;
                st.mailer.queue(&st.db, Some(p), mail).await?;
            }
            sent += 1;
        }
    }
    Ok(sent)
}

#[derive(Template)]
#[template(path = "mail/procedure-changed.txt")]
struct ChangedText<'a> {
    title: &'a str,
    change: &'a str,
    version: Option<i64>,
    note: &'a str,
    partnership: &'a str,
    page: &'a str,
    what: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/procedure-changed.html")]
struct ChangedHtml<'a> {
    title: &'a str,
    change: &'a str,
    version: Option<i64>,
    note: &'a str,
    partnership: &'a str,
    page: &'a str,
    what: &'a str,
    link: &'a str,
}

/// How long a message's unsubscribe link waits for delivery before the message is dropped.
const NOTICE_DELIVERY: chrono::Duration = chrono::Duration::days(7);

/// Tell the confirmed subscribers of a change made at `at` to document `id`: a new version
/// (`Some(number)`; the first is the document added, told to those following every one) or
/// its withdrawal (`None`). Each subscriber is told once, with a message
/// carrying a link of its own to unsubscribe; those who subscribed after the change are not
/// told of it. Returns how many were told.
pub async fn notify(
    st: &AppState,
    p: PartnershipId,
    id: i64,
    version: Option<i64>,
    at: DateTime<Utc>,
) -> AppResult<usize> {
    let Some(pr) = store::get(&st.db, p, id).await? else {
        return Ok(0);
    };
    let Some(pp) = crate::partnerships::store::by_id(&st.db, p).await? else {
        return Ok(0);
    };
    let note = match version {
        Some(1) => pr.summary.clone(),
        Some(n) => store::versions(&st.db, p, id)
            .await?
            .into_iter()
            .find(|v| v.number == n)
            .map(|v| v.note)
            .unwrap_or_default(),
        None => pr.withdrawn_reason.clone(),
    };
    let base = st.config.base_url.trim_end_matches('/').to_owned();
    let page = if version.is_some() && !pr.withdrawn() {
        format!("{base}/p/{}/procedures/{id}", pp.slug)
    } else {
        String::new()
    };
    let key = model::notice_key(version);
    let mut told = 0;
    for s in store::told_of(&st.db, p, id).await? {
        if s.confirmed_at.is_none_or(|c| c > at) {
            continue;
        }
        let token = crate::store::secret::new_secret();
        if !store::claim_notice(&st.db, &s, id, &key, &token).await? {
            continue;
        }
        let what = match s.follows() {
            Follows::One(_) => format!("\u{201c}{}\u{201d}", pr.title),
            Follows::Every => "any of its policies and procedures".to_owned(),
        };
        let change = model::change_words(version);
        let subject = format!("{} {change}", pr.title);
        let text = ChangedText {
            title: &pr.title,
            change,
            version: version.filter(|n| *n > 1),
            note: &note,
            partnership: &pp.name,
            page: &page,
            what: &what,
            link: crate::mail::SECRET_LINK,
        };
        let html = ChangedHtml {
            title: text.title,
            change,
            version: text.version,
            note: text.note,
            partnership: text.partnership,
            page: text.page,
            what: text.what,
            link: text.link,
        };
        let mail = crate::mail::Mail::from_templates(&s.email, &subject, &text, &html)
            .map_err(|e| AppError::Internal(e.to_string()))?
            .with_secret_link(
                format!("{base}/procedure-subscriptions/unsubscribe/{token}"),
                Utc::now() + NOTICE_DELIVERY,
            );
        st.mailer.queue(&st.db, Some(p), mail).await?;
        told += 1;
    }
    Ok(told)
}

/// Notices owed for the changes made since `since` and not yet sent.
pub async fn send_notices(st: &AppState, since: DateTime<Utc>) -> AppResult<usize> {
    let mut told = 0;
    for (p, id, version, at) in store::changes_since(&st.db, since).await? {
        told += notify(st, p, id, version, at).await?;
    }
    Ok(told)
}

/// Whether the person may keep the library (for the pages' buttons).
fn keeps(viewer: &Viewer) -> bool {
    Permission::ManagePartnership.allows(viewer)
}
