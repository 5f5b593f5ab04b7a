//! The outbox pages: every message masa sent (or would send) for a partnership.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};

use super::OutboxEntry;
use crate::state::{Ctx, Route};
use crate::web::error::{AppError, AppResult};
use crate::web::page::Page;
use crate::web::permissions::Permission;

pub fn routes() -> Vec<Route> {
    vec![
        // The business unit's: the scrutineer reads records, not other people's mail.
        Route::get("/admin/outbox", Permission::ManagePartnership, list),
        Route::get("/admin/outbox/{id}", Permission::ManagePartnership, message),
    ]
}

#[derive(Template, WebTemplate)]
#[template(path = "mail/outbox.html")]
struct OutboxPage {
    page: Page,
    entries: Vec<OutboxEntry>,
    smtp: bool,
}

async fn list(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let entries = super::outbox(&st.db, p, 200, 0).await?;
    Ok(OutboxPage {
        page: Page::new(&viewer, "Outbox", "/admin/outbox"),
        entries,
        smtp: st.mailer.configured(),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "mail/message.html")]
struct MessagePage {
    page: Page,
    entry: OutboxEntry,
}

async fn message(Ctx { st, viewer, p }: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let entry = super::outbox_entry(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(MessagePage {
        page: Page::new(&viewer, entry.subject.clone(), "/admin/outbox"),
        entry,
    }
    .into_response())
}
