//! The action tracker: actions from minutes and decisions (and, later, from reviews, audits and
//! assurance plans), their owners, due dates, progress and RAG, in every view the partnership
//! monitors them by.

pub mod api;
pub mod model;
mod pages;
pub mod store;

use crate::app::Route;
use crate::web::forms::Errors;
use crate::web::permissions::Permission;

/// What every new action needs, wherever it arises (a minute, an assurance answer): a
/// description, an owner and, if given, the owner's organisation, each within its length.
/// Problems go against their fields; returns the trimmed (title, owner, organisation).
pub fn check_new(
    errors: &mut Errors,
    title: &str,
    owner: &str,
    organisation: &str,
) -> (String, String, String) {
    let (title, owner, organisation) = (title.trim(), owner.trim(), organisation.trim());
    if title.is_empty() || title.chars().count() > 1000 {
        errors.add("title", "Describe the action, in 1000 characters or fewer");
    }
    if owner.is_empty() || owner.chars().count() > 200 {
        errors.add("owner_name", "Enter who owns the action");
    }
    if organisation.chars().count() > 200 {
        errors.add("owner_organisation", "Enter 200 characters or fewer");
    }
    (title.to_owned(), owner.to_owned(), organisation.to_owned())
}

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
        Route::get("/actions/{id}", Permission::Governance, pages::action),
        Route::post(
            "/actions/{id}/evidence",
            Permission::ManagePartnership,
            pages::add_evidence,
        ),
        Route::get(
            "/actions/evidence/{id}",
            Permission::Governance,
            pages::evidence,
        ),
        Route::post(
            "/actions/{id}",
            Permission::ManagePartnership,
            pages::update,
        ),
    ]
}
