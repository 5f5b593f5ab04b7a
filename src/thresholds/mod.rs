//! The thresholds document ("levels of need"): the business unit keeps it as data in editions,
//! the three lead safeguarding partners sign each edition off, and it is published from a date
//! as an interactive public tool, a PDF and the "worried about a child" page. The tool's use is
//! recorded anonymously so the partnership can see how its thresholds are understood.

pub mod api;
pub mod model;
mod pages;
mod public;
pub mod store;

pub use pages::tasks;

use crate::state::Route;
use crate::web::permissions::Permission;

pub fn routes() -> Vec<Route> {
    use Permission::*;
    vec![
        Route::get("/thresholds", Governance, pages::list),
        Route::post("/thresholds", ManagePartnership, pages::import),
        Route::post(
            "/thresholds/editions",
            ManagePartnership,
            pages::new_edition,
        ),
        Route::get("/thresholds/editions/{id}", Governance, pages::edition),
        Route::get("/thresholds/editions/{id}/file", Governance, pages::file),
        Route::post(
            "/thresholds/editions/{id}/file",
            ManagePartnership,
            pages::replace,
        ),
        Route::post(
            "/thresholds/editions/{id}/ask",
            ManagePartnership,
            pages::ask,
        ),
        Route::post("/thresholds/editions/{id}/sign", Governance, pages::sign),
        Route::get(
            "/thresholds/editions/{id}/publish",
            ManagePartnership,
            pages::publish_form,
        ),
        Route::post(
            "/thresholds/editions/{id}/publish",
            ManagePartnership,
            pages::publish,
        ),
        Route::get(
            "/thresholds/editions/{id}/indicators/{key}",
            ManagePartnership,
            pages::indicator_form,
        ),
        Route::post(
            "/thresholds/editions/{id}/indicators/{key}",
            ManagePartnership,
            pages::save_indicator,
        ),
        Route::get(
            "/thresholds/editions/{id}/contacts/{key}",
            ManagePartnership,
            pages::contact_form,
        ),
        Route::post(
            "/thresholds/editions/{id}/contacts/{key}",
            ManagePartnership,
            pages::save_contact,
        ),
        Route::get("/thresholds/usage", Governance, pages::usage),
        Route::get("/thresholds/usage.csv", Governance, pages::usage_csv),
        Route::get("/help/thresholds-file", Partnership, pages::format_guide),
        Route::get("/p/{slug}/thresholds", Public, public::tool),
        Route::get("/p/{slug}/thresholds/editions", Public, public::editions),
        Route::get("/p/{slug}/thresholds.pdf", Public, public::pdf),
        Route::get("/p/{slug}/worried", Public, public::worried),
        Route::get("/api/v1/p/{slug}/thresholds", Public, api::published),
        Route::get("/api/v1/thresholds/usage", Governance, api::usage),
    ]
}

/// `masa thresholds check FILE`: every problem, with its line. Returns the number of problems.
pub fn check_file(path: &std::path::Path) -> Result<usize, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    match model::parse(&bytes) {
        Ok(d) => {
            println!(
                "{}: fine ({} levels, {} domains, {} indicators, {} contacts)",
                path.display(),
                d.levels.len(),
                d.domains.len(),
                d.indicators.len(),
                d.contacts.len()
            );
            Ok(0)
        }
        Err(problems) => {
            for p in &problems {
                println!("{}:{}: {}", path.display(), p.line, p.message);
            }
            Ok(problems.len())
        }
    }
}
