//! The action tracker: actions from minutes and decisions (and, later, from reviews, audits and
//! assurance plans), their owners, due dates, progress and RAG, in every view the partnership
//! monitors them by.

pub mod api;
pub mod model;
mod pages;
pub use pages::{Owner, chosen_owner, owner_choices, tasks};
pub mod store;

use crate::state::Route;
use crate::web::permissions::Permission;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/actions", Permission::Governance, pages::tracker),
        Route::get("/api/v1/actions", Permission::Governance, api::actions),
        Route::get("/api/v1/actions/{id}", Permission::Governance, api::action),
        Route::get("/actions/tracking", Permission::Governance, pages::tracking),
        Route::get(
            "/actions/tracking.csv",
            Permission::Governance,
            pages::tracking_csv,
        ),
        Route::get(
            "/actions/tracking.xlsx",
            Permission::Governance,
            pages::tracking_xlsx,
        ),
        // An action's owner may be any person of the partnership (a practitioner too): the
        // handlers let the owner in and keep everyone else to what the tracker shows them.
        Route::get("/actions/{id}", Permission::Partnership, pages::action),
        Route::post(
            "/actions/{id}/evidence",
            Permission::Partnership,
            pages::add_evidence,
        ),
        Route::get(
            "/actions/evidence/{id}",
            Permission::Partnership,
            pages::evidence,
        ),
        Route::post("/actions/{id}", Permission::Partnership, pages::update),
    ]
}
