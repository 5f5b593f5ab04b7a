//! Learning from serious cases: notifications, rapid reviews, local reviews and the learning
//! loop. This first part holds the statutory timelines as editions (`model`); the case record,
//! its workflow and pages follow.

pub mod api;
pub mod cases;
pub mod model;
mod pages;
pub mod store;

use crate::app::Route;
use crate::web::permissions::Permission;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/reviews/rules", Permission::Governance, pages::rules),
        Route::get("/reviews", Permission::Governance, cases::cases),
        Route::get("/api/v1/reviews", Permission::Governance, api::list),
        Route::get("/api/v1/reviews/{id}", Permission::Governance, api::case),
        Route::post("/reviews", Permission::ManagePartnership, cases::create),
        Route::get(
            "/reviews/new",
            Permission::ManagePartnership,
            cases::new_form,
        ),
        Route::get("/reviews/{id}", Permission::Governance, cases::case),
        Route::post(
            "/reviews/{id}/dates",
            Permission::ManagePartnership,
            cases::dates,
        ),
        Route::post(
            "/reviews/{id}/decision",
            Permission::ManagePartnership,
            cases::decide,
        ),
        Route::post(
            "/reviews/{id}/signoff",
            Permission::Governance,
            cases::signoff,
        ),
        Route::get(
            "/system/review-editions",
            Permission::ManageHost,
            pages::editions,
        ),
        Route::post(
            "/system/review-editions",
            Permission::ManageHost,
            pages::add,
        ),
    ]
}
