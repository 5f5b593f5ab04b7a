//! Search across what a person may see: agendas, minutes, decisions, papers, actions and the
//! policies and procedures, best first, with the words they searched for marked. The engine is
//! `store::search`; who may see what is the meetings' rule (`meetings::access`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::state::{AppState, Route};
use crate::store::search::{self, Hit};
use crate::web::error::AppResult;
use crate::web::page::Page;
use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;

/// The most results a search shows.
pub const SHOWN: i64 = 50;

pub fn routes() -> Vec<Route> {
    vec![Route::get("/search", Permission::Governance, page)]
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
}

/// What a kind of entry is called on the results page.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "agenda-item" => "Agenda item and minute",
        "decision" => "Decision",
        "paper" => "Paper",
        "action" => "Action",
        "procedure" => "Policy or procedure",
        _ => "Record",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "search/results.html")]
struct ResultsPage {
    page: Page,
    q: String,
    error: Option<String>,
    hits: Vec<Hit>,
    searched: bool,
}

pub async fn page(
    State(st): State<AppState>,
    viewer: Viewer,
    Query(query): Query<SearchQuery>,
) -> AppResult<Response> {
    let q: String = query.q.trim().chars().take(200).collect();
    let sight = crate::access::Sight::of(&st.db, &viewer).await?;
    let searched = !q.is_empty();
    let (hits, error) = if !searched {
        (Vec::new(), None)
    } else if search::terms(&q).is_empty() {
        (
            Vec::new(),
            Some("Enter words to search for, using letters or numbers".to_owned()),
        )
    } else {
        (
            search::find(&st.db, &sight.search_scope(), &q, SHOWN).await?,
            None,
        )
    };
    let title = if searched {
        format!("Search: {q}")
    } else {
        "Search".to_owned()
    };
    Ok(ResultsPage {
        page: Page::new(&viewer, title, "/search"),
        q,
        error,
        hits,
        searched,
    }
    .into_response())
}
