//! Partnerships: the tenants. Their profile (name, contacts), the host's list of them, and each
//! one's public page.

mod pages;
pub mod rules;
pub mod store;

use crate::state::Route;
use crate::web::permissions::Permission;

/// A page not found under `/p/SLUG` of a partnership that exists: the error page is told which
/// partnership, so that it says where its public pages are and how to reach its business unit
/// (never a reference to quote). Another partnership's ids are not found the same way.
pub async fn public_not_found(
    axum::extract::State(st): axum::extract::State<crate::state::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let slug = req
        .uri()
        .path()
        .strip_prefix("/p/")
        .and_then(|rest| rest.split('/').next())
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let mut res = next.run(req).await;
    if res.status() == axum::http::StatusCode::NOT_FOUND
        && let Some(slug) = slug
        && let Ok(Some(p)) = store::by_slug(&st.db, &slug).await
    {
        res.extensions_mut().insert(crate::web::page::PublicSite {
            name: p.name,
            slug: p.slug,
            email: p.contact_email,
        });
    }
    res
}

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
