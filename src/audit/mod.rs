//! The audit trail's pages: who did what to which record, when, from where, with the record
//! before and after; filterable and exportable as CSV. (Entries are written by
//! [`crate::store::Tx`]; nothing here or anywhere changes them.)

mod pages;
pub mod words;

use crate::state::Route;
use crate::web::permissions::Permission;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/audit", Permission::ReadAll, pages::list),
        Route::get("/audit.csv", Permission::ReadAll, pages::csv),
        Route::get("/audit/{id}", Permission::ReadAll, pages::entry),
    ]
}

/// The entries this reader sees only in outline: those about records they may not read. The
/// trail is read by those who see every record but restricted (part II) items, which are the
/// business unit's and the people the chair names.
pub async fn hidden(
    st: &crate::state::AppState,
    viewer: &crate::web::viewer::Viewer,
) -> crate::web::error::AppResult<Option<crate::store::audit::Hidden>> {
    let sight = crate::access::Sight::of(&st.db, viewer).await?;
    Ok(crate::meetings::access::hidden_in_audit(&sight))
}
