//! Meetings: each body's schedule by its own rules, the deadlines around every meeting counted
//! in working days, and what is due this week.

pub mod access;
pub mod api;
mod conduct;
pub mod index;
pub mod model;
mod pages;
pub mod papers;
pub mod people;
mod programme;
mod public;

pub(crate) use conduct::expected;
/// Meetings with their body's name and their label, for other capabilities' lists.
pub use conduct::roll;
pub use pages::{Listed, named};
pub mod store;

use crate::state::Route;
use crate::web::permissions::Permission;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/meetings", Permission::Governance, pages::index),
        Route::get("/meetings/due", Permission::Governance, pages::due),
        Route::get("/api/v1/meetings", Permission::Governance, api::meetings),
        Route::get(
            "/api/v1/meetings/{id}",
            Permission::Governance,
            api::meeting,
        ),
        Route::get("/api/v1/decisions", Permission::Governance, api::decisions),
        Route::get("/meetings/mine", Permission::Governance, people::mine),
        Route::post(
            "/meetings/mine/feed",
            Permission::Governance,
            people::new_feed,
        ),
        Route::post(
            "/meetings/mine/feed/stop",
            Permission::Governance,
            people::stop_feed,
        ),
        Route::get("/calendar/{file}", Permission::Public, people::feed),
        Route::get(
            "/admin/people/{id}/seats",
            Permission::ManagePartnership,
            people::seats_form,
        ),
        Route::post(
            "/admin/people/{id}/seats",
            Permission::ManagePartnership,
            people::seats_save,
        ),
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
        Route::get(
            "/meetings/bodies/{key}/programme",
            Permission::Governance,
            programme::programme,
        ),
        Route::post(
            "/meetings/bodies/{key}/programme",
            Permission::ManagePartnership,
            programme::plan,
        ),
        Route::post(
            "/meetings/bodies/{key}/urgent",
            Permission::ManagePartnership,
            programme::urgent,
        ),
        Route::post(
            "/meetings/programme/{id}/agenda",
            Permission::ManagePartnership,
            programme::to_agenda,
        ),
        Route::get(
            "/meetings/bodies/{key}/attendance",
            Permission::Governance,
            pages::statistics,
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
            "/meetings/{id}/change",
            Permission::ManagePartnership,
            pages::change_form,
        ),
        Route::get(
            "/meetings/{id}/agenda",
            Permission::Governance,
            pages::agenda,
        ),
        Route::post(
            "/meetings/{id}/agenda",
            Permission::ManagePartnership,
            conduct::add_item,
        ),
        Route::get(
            "/meetings/{id}/papers",
            Permission::Governance,
            pages::papers,
        ),
        Route::get(
            "/meetings/{id}/decisions",
            Permission::Governance,
            pages::decisions,
        ),
        Route::get(
            "/meetings/{id}/minutes",
            Permission::Governance,
            pages::minutes,
        ),
        Route::get(
            "/meetings/{id}/approval",
            Permission::Governance,
            pages::approval,
        ),
        Route::get(
            "/meetings/{id}/attendance",
            Permission::Governance,
            conduct::attendance,
        ),
        Route::post(
            "/meetings/{id}/attendance",
            Permission::ManagePartnership,
            conduct::save_attendance,
        ),
        Route::post(
            "/meetings/{id}/minutes",
            Permission::ManagePartnership,
            conduct::minutes,
        ),
        Route::get(
            "/meetings/items/{item}",
            Permission::Governance,
            conduct::item,
        ),
        Route::post(
            "/meetings/items/{item}/minute",
            Permission::ManagePartnership,
            conduct::save_minute,
        ),
        Route::post(
            "/meetings/items/{item}/declarations",
            Permission::ManagePartnership,
            conduct::declare,
        ),
        Route::post(
            "/meetings/items/{item}/decisions",
            Permission::ManagePartnership,
            conduct::decide,
        ),
        Route::post(
            "/meetings/items/{item}/actions",
            Permission::ManagePartnership,
            conduct::add_action,
        ),
        Route::post(
            "/meetings/items/{item}/papers",
            Permission::ManagePartnership,
            papers::upload,
        ),
        Route::post(
            "/meetings/items/{item}/readers",
            Permission::ManagePartnership,
            conduct::name_readers,
        ),
        Route::get(
            "/meetings/papers/{id}/{number}",
            Permission::Governance,
            papers::download,
        ),
        Route::get("/meetings/{id}/pack", Permission::Governance, papers::pack),
        Route::post(
            "/meetings/{id}/publish",
            Permission::ManagePartnership,
            pages::publish,
        ),
        Route::get("/p/{slug}/meetings", Permission::Public, public::list),
        Route::get(
            "/p/{slug}/meetings/{id}",
            Permission::Public,
            public::meeting,
        ),
        Route::get("/p/{slug}/papers/{id}", Permission::Public, public::paper),
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
