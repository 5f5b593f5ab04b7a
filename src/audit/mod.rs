//! The audit trail's pages: who did what to which record, when, from where, with the record
//! before and after; filterable and exportable as CSV. (Entries are written by
//! [`crate::store::Tx`]; nothing here or anywhere changes them.)

mod pages;
pub mod store;

use crate::app::Route;
use crate::web::permissions::Permission;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/audit", Permission::ReadAll, pages::list),
        Route::get("/audit.csv", Permission::ReadAll, pages::csv),
        Route::get("/audit/{id}", Permission::ReadAll, pages::entry),
    ]
}
