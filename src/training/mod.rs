//! Multi-agency training: the partnership's courses and their sessions, places booked by the
//! practitioners of its agencies, a waiting list that takes a freed place by itself, and
//! cancellation inside or outside the cut-off counted in working days.
//!
//! Who sees what: everyone with a role in the partnership sees the programme and books for
//! themself; the training officer (the business unit) adds courses and sessions, sees each
//! session's places and waiting list and cancels anyone's booking. A planned session, not yet
//! open, is the training officer's alone. A person's bookings are theirs: nobody else learns
//! who is booked on what.

pub mod api;
pub mod figures;
pub mod model;
pub mod notices;
mod pages;
pub use pages::{hourly, tasks};
pub mod store;

use crate::state::Route;
use crate::web::permissions::Permission;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/training", Permission::Partnership, pages::programme),
        Route::get("/training/courses", Permission::Partnership, pages::courses),
        Route::post(
            "/training/courses",
            Permission::ManagePartnership,
            pages::add_course,
        ),
        Route::get(
            "/training/courses/new",
            Permission::ManagePartnership,
            pages::new_course,
        ),
        Route::get(
            "/training/courses/{id}",
            Permission::Partnership,
            pages::course,
        ),
        Route::post(
            "/training/courses/{id}",
            Permission::ManagePartnership,
            pages::change_course,
        ),
        Route::get(
            "/training/courses/{id}/edit",
            Permission::ManagePartnership,
            pages::edit_course,
        ),
        Route::get(
            "/training/courses/{id}/sessions/new",
            Permission::ManagePartnership,
            pages::new_session,
        ),
        Route::post(
            "/training/courses/{id}/sessions",
            Permission::ManagePartnership,
            pages::add_session,
        ),
        Route::get(
            "/training/sessions/{id}",
            Permission::Partnership,
            pages::session,
        ),
        Route::post(
            "/training/sessions/{id}",
            Permission::ManagePartnership,
            pages::change_session,
        ),
        Route::get(
            "/training/sessions/{id}/edit",
            Permission::ManagePartnership,
            pages::edit_session,
        ),
        Route::get(
            "/training/sessions/{id}/cancel",
            Permission::ManagePartnership,
            pages::cancel_session_form,
        ),
        Route::post(
            "/training/sessions/{id}/cancel",
            Permission::ManagePartnership,
            pages::cancel_session,
        ),
        Route::get(
            "/training/sessions/{id}/register",
            Permission::ManagePartnership,
            pages::register,
        ),
        Route::post(
            "/training/sessions/{id}/register",
            Permission::ManagePartnership,
            pages::save_register,
        ),
        Route::get("/training/record", Permission::Partnership, pages::record),
        Route::get("/training/figures", Permission::ReadAll, pages::figures),
        Route::get(
            "/api/v1/training/sessions",
            Permission::Partnership,
            api::sessions,
        ),
        Route::post(
            "/api/v1/training/sessions/{id}/bookings",
            Permission::Partnership,
            api::book,
        ),
        Route::get(
            "/api/v1/training/bookings",
            Permission::Partnership,
            api::bookings,
        ),
        Route::get(
            "/api/v1/training/figures",
            Permission::ReadAll,
            api::figures,
        ),
        Route::get(
            "/training/figures.csv",
            Permission::ReadAll,
            pages::figures_csv,
        ),
        Route::get(
            "/training/figures.xlsx",
            Permission::ReadAll,
            pages::figures_xlsx,
        ),
        Route::post(
            "/training/sessions/{id}/book",
            Permission::Partnership,
            pages::book,
        ),
        Route::get(
            "/training/bookings/{id}/certificate.pdf",
            Permission::Partnership,
            pages::certificate,
        ),
        Route::post(
            "/training/bookings/{id}/accept",
            Permission::Partnership,
            pages::accept,
        ),
        Route::post(
            "/training/bookings/{id}/cancel",
            Permission::Partnership,
            pages::cancel,
        ),
    ]
}
