//! Learning from serious cases: notifications, rapid reviews, local reviews and the learning
//! loop. This first part holds the statutory timelines as editions (`model`); the case record,
//! its workflow and pages follow.

pub mod model;
mod pages;
pub mod store;

use crate::app::Route;
use crate::web::permissions::Permission;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/reviews/rules", Permission::Governance, pages::rules),
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
