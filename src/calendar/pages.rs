//! The host's bank holidays page: the holidays in use, and loading the government's newer list.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;

use super::store;
use super::working_days::{Holiday, parse_gov_uk};
use crate::state::{AppState, Route};
use crate::web::permissions::Permission;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/system/bank-holidays", Permission::ManageHost, holidays),
        Route::post("/system/bank-holidays", Permission::ManageHost, load),
    ]
}
use crate::web::error::{AppError, AppResult};
use crate::web::page::Page;
use crate::web::viewer::Viewer;

#[derive(Template, WebTemplate)]
#[template(path = "calendar/bank_holidays.html")]
struct HolidaysPage {
    page: Page,
    years: Vec<(i32, Vec<Holiday>, bool)>,
    loaded: Vec<store::Loaded>,
    problem: String,
}

async fn holidays_page(st: &AppState, viewer: &Viewer, problem: String) -> AppResult<HolidaysPage> {
    let cal = store::current(&st.db).await?;
    let this = crate::calendar::uk_local(chrono::Utc::now()).year();
    let covered: Vec<i32> = cal.covered().collect();
    Ok(HolidaysPage {
        page: Page::new(viewer, "Bank holidays", "/system/bank-holidays"),
        years: (this - 1..=this + 2)
            .map(|y| (y, cal.holidays(y), covered.contains(&y)))
            .collect(),
        loaded: store::loaded(&st.db).await?,
        problem,
    })
}

pub async fn holidays(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    Ok(holidays_page(&st, &viewer, String::new())
        .await?
        .into_response())
}

/// Load the government's list (https://www.gov.uk/bank-holidays.json), checked in full first.
pub async fn load(
    State(st): State<AppState>,
    viewer: Viewer,
    mut form: axum::extract::Multipart,
) -> AppResult<Response> {
    let unreadable = || AppError::BadRequest("The upload could not be read. Try again.".into());
    let mut bytes = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|_| unreadable())? {
        if field.name() == Some("file") {
            bytes = field.bytes().await.map_err(|_| unreadable())?.to_vec();
        }
    }
    let checked = if bytes.is_empty() {
        Err("Select the bank holidays file to load".to_owned())
    } else {
        parse_gov_uk(&bytes).and_then(|list| {
            String::from_utf8(bytes.clone())
                .map(|text| (text, list))
                .map_err(|_| "The file is not UTF-8 text".to_owned())
        })
    };
    match checked {
        Ok((text, list)) => {
            store::load(&st.db, &viewer.actor(), &text, &list).await?;
            crate::web::flash(
                &st.db,
                &viewer,
                &format!("{} bank holidays loaded", list.len()),
            )
            .await?;
            Ok(crate::web::redirect("/system/bank-holidays"))
        }
        Err(problem) => {
            let page = holidays_page(&st, &viewer, problem).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
