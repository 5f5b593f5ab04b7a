//! Partnerships: the tenants. Their profile (name, contacts), the host's list of them, and each
//! one's public page.

pub mod model;
mod pages;
pub mod rules;
pub mod store;

use crate::state::Route;
use crate::web::permissions::Permission;

pub fn routes() -> Vec<Route> {
    use Permission::*;
    vec![
        Route::get(
            "/admin/partnership",
            ManagePartnership,
            pages::settings_form,
        ),
        Route::post(
            "/admin/partnership",
            ManagePartnership,
            pages::save_settings,
        ),
        Route::get("/p/{slug}", Public, pages::public_page),
        Route::get("/system/partnerships", ManageHost, pages::host_list),
        Route::post("/system/partnerships", ManageHost, pages::host_create),
    ]
}
