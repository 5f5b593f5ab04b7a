//! The home page (a dashboard when signed in, the list of partnerships otherwise), the
//! accessibility statement and the privacy notice.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::partnerships::store::{self as partnerships, Partnership};
use crate::state::{AppState, Route};
use crate::web::error::AppResult;
use crate::web::page::{AdminLink, Page, admin_links};
use crate::web::permissions::Permission;
use crate::web::tasks::{Task, in_order};
use crate::web::viewer::Viewer;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/", Permission::Public, home),
        Route::get("/accessibility", Permission::Public, accessibility),
        Route::get("/privacy", Permission::Public, privacy),
        Route::get("/admin", Permission::ManagePartnership, administration),
        Route::get("/system", Permission::ManageHost, hosting),
    ]
}

#[derive(Template, WebTemplate)]
#[template(path = "home/public.html")]
struct PublicHome {
    page: Page,
    partnerships: Vec<Partnership>,
}

#[derive(Template, WebTemplate)]
#[template(path = "home/dashboard.html")]
struct Dashboard {
    page: Page,
    name: String,
    role: String,
    host: bool,
    /// What the person should do next, soonest first.
    tasks: Vec<Task>,
    /// Their next meetings.
    meetings: Vec<crate::meetings::Listed>,
    in_partnership: bool,
}

/// Everything a person is asked to do, from every capability: each says what it asks of the
/// person signed in. A new capability adds its `tasks` here.
async fn tasks_of(st: &AppState, viewer: &Viewer) -> AppResult<Vec<Task>> {
    let Ok(p) = viewer.tenant() else {
        return Ok(Vec::new());
    };
    let mut all = Vec::new();
    all.extend(crate::meetings::people::tasks(st, viewer, p).await?);
    all.extend(crate::actions::tasks(st, viewer, p).await?);
    all.extend(crate::reviews::rapid::tasks(st, viewer, p).await?);
    all.extend(crate::reviews::cases::tasks(st, viewer, p).await?);
    all.extend(crate::assurance::tasks(st, viewer, p).await?);
    all.extend(crate::thresholds::tasks(st, viewer, p).await?);
    all.extend(crate::scorecard::tasks(st, viewer, p).await?);
    all.extend(crate::procedures::tasks(st, viewer, p).await?);
    all.extend(crate::training::tasks(st, viewer, p).await?);
    all.extend(crate::arrangements::tasks(st, viewer, p).await?);
    Ok(in_order(all))
}

#[derive(Template, WebTemplate)]
#[template(path = "home/hub.html")]
struct Hub {
    page: Page,
    links: Vec<&'static AdminLink>,
}

/// The partnership's administration, behind one entry of the navigation.
async fn administration(viewer: Viewer) -> Response {
    Hub {
        page: Page::new(&viewer, "Administration", "/admin"),
        links: admin_links(&viewer, false),
    }
    .into_response()
}

/// The host's pages: the partnerships, bank holidays and review rules.
async fn hosting(viewer: Viewer) -> Response {
    Hub {
        page: Page::new(&viewer, "Hosting", "/system"),
        links: admin_links(&viewer, true),
    }
    .into_response()
}

async fn home(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let Some(user) = viewer.user.clone() else {
        let partnerships = partnerships::all(&st.db).await?;
        return Ok(PublicHome {
            page: Page::new(&viewer, "Safeguarding children partnerships", "/"),
            partnerships,
        }
        .into_response());
    };
    Ok(Dashboard {
        page: Page::new(&viewer, "Home", "/"),
        tasks: tasks_of(&st, &viewer).await?,
        meetings: match viewer.tenant() {
            Ok(p) => crate::meetings::people::next_meetings(&st, &viewer, p, 5).await?,
            Err(_) => Vec::new(),
        },
        in_partnership: viewer.tenant().is_ok(),
        name: user.name,
        role: viewer
            .role()
            .map_or_else(|| "No partnership yet".to_owned(), |r| r.label().to_owned()),
        host: Permission::ManageHost.allows(&viewer),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "home/accessibility.html")]
struct Accessibility {
    page: Page,
}

async fn accessibility(viewer: Viewer) -> Response {
    Accessibility {
        page: Page::new(&viewer, "Accessibility statement", "/accessibility"),
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "home/privacy.html")]
struct Privacy {
    page: Page,
}

async fn privacy(viewer: Viewer) -> Response {
    Privacy {
        page: Page::new(&viewer, "Privacy", "/privacy"),
    }
    .into_response()
}
