//! Meetings: each body's schedule by its own rules, the deadlines around every meeting counted
//! in working days, and what is due this week.

pub mod model;
mod pages;
pub mod store;

use crate::app::Route;
use crate::web::permissions::Permission;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/meetings", Permission::Governance, pages::index),
        Route::get("/meetings/due", Permission::Governance, pages::due),
        Route::get(
            "/meetings/bodies/{key}",
            Permission::Governance,
            pages::body_page,
        ),
        Route::post(
            "/meetings/bodies/{key}",
            Permission::ManagePartnership,
            pages::add,
        ),
        Route::post(
            "/meetings/bodies/{key}/plan",
            Permission::ManagePartnership,
            pages::plan,
        ),
        Route::get("/meetings/{id}", Permission::Governance, pages::meeting),
        Route::post(
            "/meetings/{id}",
            Permission::ManagePartnership,
            pages::change,
        ),
        Route::get(
            "/admin/meetings/rules",
            Permission::ManagePartnership,
            pages::rules_form,
        ),
        Route::post(
            "/admin/meetings/rules",
            Permission::ManagePartnership,
            pages::rules_save,
        ),
    ]
}
