//! Learning from serious cases: notifications, rapid reviews, local reviews and the learning
//! loop. The statutory timelines are editions (`model`, `store`); the restricted case record
//! and its decision (`cases`); the rapid review's requests, chronology and questions (`rapid`);
//! the local review and its publication (`local`); reminders to whoever owes the next step
//! (`reminders`); the learning loop into the shared tracker (`learning`); the yearly
//! figures and the dashboard's export (`figures`).

pub mod api;
pub mod cases;
pub mod figures;
pub mod learning;
pub mod local;
pub mod model;
mod pages;
pub mod rapid;
pub mod reminders;
pub mod store;

use crate::state::Route;
use crate::web::permissions::Permission;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/reviews/rules", Permission::Governance, pages::rules),
        Route::get("/reviews", Permission::Governance, cases::cases),
        Route::get("/api/v1/reviews", Permission::Governance, api::list),
        Route::get("/api/v1/reviews/{id}", Permission::Governance, api::case),
        Route::get(
            "/api/v1/reviews/figures",
            Permission::Governance,
            figures::figures_api,
        ),
        Route::get(
            "/api/v1/review-requests",
            Permission::Partnership,
            api::my_requests,
        ),
        Route::get(
            "/api/v1/review-requests/{id}",
            Permission::Partnership,
            api::request,
        ),
        Route::post("/reviews", Permission::ManagePartnership, cases::create),
        Route::get(
            "/reviews/new",
            Permission::ManagePartnership,
            cases::new_form,
        ),
        Route::get("/reviews/{id}", Permission::Governance, cases::case),
        Route::get(
            "/reviews/{id}/notification",
            Permission::Governance,
            cases::notification,
        ),
        Route::get(
            "/reviews/{id}/information",
            Permission::Governance,
            cases::information,
        ),
        Route::get(
            "/reviews/{id}/rapid",
            Permission::Governance,
            cases::rapid_review,
        ),
        Route::get(
            "/reviews/{id}/decision",
            Permission::Governance,
            cases::decision,
        ),
        Route::get(
            "/reviews/{id}/local",
            Permission::Governance,
            cases::local_review,
        ),
        Route::get(
            "/reviews/{id}/publication",
            Permission::Governance,
            cases::publication,
        ),
        Route::get(
            "/reviews/{id}/learning",
            Permission::Governance,
            cases::learning,
        ),
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
        Route::post(
            "/reviews/{id}/rapid",
            Permission::ManagePartnership,
            rapid::save_rapid,
        ),
        Route::post(
            "/reviews/{id}/rapid-report",
            Permission::ManagePartnership,
            rapid::upload_report,
        ),
        Route::get(
            "/reviews/{id}/rapid-report",
            Permission::Governance,
            rapid::report,
        ),
        Route::post(
            "/reviews/{id}/requests",
            Permission::ManagePartnership,
            rapid::add_request,
        ),
        Route::get(
            "/reviews/{id}/chronology.csv",
            Permission::Governance,
            rapid::chronology_csv,
        ),
        Route::get("/reviews/requests", Permission::Partnership, rapid::mine),
        Route::get(
            "/reviews/requests/{rid}",
            Permission::Partnership,
            rapid::request_view,
        ),
        Route::post(
            "/reviews/requests/{rid}/entries",
            Permission::Partnership,
            rapid::add_entry,
        ),
        Route::post(
            "/reviews/requests/{rid}/return",
            Permission::Partnership,
            rapid::return_request,
        ),
        Route::post(
            "/reviews/{id}/local",
            Permission::ManagePartnership,
            local::save_local,
        ),
        Route::post(
            "/reviews/{id}/publish",
            Permission::ManagePartnership,
            local::publish,
        ),
        Route::post(
            "/reviews/{id}/not-published",
            Permission::ManagePartnership,
            local::not_published,
        ),
        Route::post(
            "/reviews/{id}/recommendations",
            Permission::ManagePartnership,
            learning::add_recommendation,
        ),
        Route::post(
            "/reviews/recommendations/{rid}/actions",
            Permission::ManagePartnership,
            learning::add_action,
        ),
        Route::post(
            "/reviews/recommendations/{rid}/outputs",
            Permission::ManagePartnership,
            learning::add_output,
        ),
        Route::post(
            "/reviews/recommendations/{rid}/practice",
            Permission::ManagePartnership,
            learning::assess,
        ),
        Route::get(
            "/reviews/learning",
            Permission::Governance,
            learning::learning,
        ),
        Route::get("/reviews/figures", Permission::Governance, figures::figures),
        Route::get(
            "/reviews/figures.csv",
            Permission::Governance,
            figures::figures_csv,
        ),
        Route::get(
            "/reviews.csv",
            Permission::Governance,
            figures::dashboard_csv,
        ),
        Route::get(
            "/reviews.xlsx",
            Permission::Governance,
            figures::dashboard_xlsx,
        ),
        Route::get("/p/{slug}/reviews", Permission::Public, local::public_list),
        Route::get(
            "/p/{slug}/reviews/{id}",
            Permission::Public,
            local::public_review,
        ),
        Route::get(
            "/p/{slug}/reviews/{id}/report",
            Permission::Public,
            local::public_report,
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
