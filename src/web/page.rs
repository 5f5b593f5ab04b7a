//! The page shell every HTML page shares: the partnership's name in the header, navigation by
//! permission, the partnership switcher, the flash message and the CSRF token for forms.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;

pub struct NavItem {
    pub href: &'static str,
    pub text: &'static str,
    pub current: bool,
}

pub struct SwitchOption {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

/// What the layout needs. Every page template has a `page: Page` field.
pub struct Page {
    pub title: String,
    pub service_name: String,
    pub nav: Vec<NavItem>,
    pub signed_in_as: Option<String>,
    pub csrf: String,
    pub flash: Option<String>,
    pub switcher: Vec<SwitchOption>,
}

const NAV: &[(&str, &str, Permission)] = &[
    ("/", "Home", Permission::Partnership),
    ("/arrangements", "Structure", Permission::Partnership),
    ("/meetings", "Meetings", Permission::Governance),
    ("/actions", "Actions", Permission::Governance),
    ("/reviews", "Reviews", Permission::Governance),
    ("/reviews/requests", "Requests", Permission::Partnership),
    // Every member: a responder may be a practitioner; the page shows each only their part.
    ("/assurance", "Assurance", Permission::Partnership),
    ("/search", "Search", Permission::Governance),
    ("/admin/people", "People", Permission::ManagePartnership),
    ("/audit", "Audit trail", Permission::ReadAll),
    ("/admin/outbox", "Outbox", Permission::ManagePartnership),
    (
        "/admin/partnership",
        "Settings",
        Permission::ManagePartnership,
    ),
    (
        "/system/partnerships",
        "Partnerships",
        Permission::ManageHost,
    ),
    (
        "/system/bank-holidays",
        "Bank holidays",
        Permission::ManageHost,
    ),
    (
        "/system/review-editions",
        "Review rules",
        Permission::ManageHost,
    ),
    ("/account", "Your account", Permission::Account),
];

impl Page {
    pub fn new(viewer: &Viewer, title: impl Into<String>, path: &str) -> Page {
        // The current entry is the longest one the path falls under (/reviews/requests, not
        // /reviews as well).
        let under = |href: &str| {
            if href == "/" {
                path == "/"
            } else {
                path.starts_with(href)
            }
        };
        let current = NAV
            .iter()
            .map(|(href, _, _)| *href)
            .filter(|h| under(h))
            .max_by_key(|h| h.len());
        let nav = NAV
            .iter()
            .filter(|(_, _, p)| viewer.user.is_some() && p.allows(viewer))
            .map(|(href, text, _)| NavItem {
                href,
                text,
                current: current == Some(*href),
            })
            .collect();
        let switcher = if viewer.memberships.len() > 1 {
            let cur = viewer.current.as_ref().map(|m| m.partnership_id);
            viewer
                .memberships
                .iter()
                .map(|m| SwitchOption {
                    id: m.partnership_id,
                    name: m.partnership_name.clone(),
                    selected: Some(m.partnership_id) == cur,
                })
                .collect()
        } else {
            Vec::new()
        };
        Page {
            title: title.into(),
            service_name: viewer
                .current
                .as_ref()
                .map_or_else(|| "masa".to_owned(), |m| m.partnership_name.clone()),
            nav,
            signed_in_as: viewer.user.as_ref().map(|u| u.name.clone()),
            csrf: viewer.csrf_token().to_owned(),
            flash: viewer.session.as_ref().and_then(|s| s.flash.clone()),
            switcher,
        }
    }

    /// A page about one partnership shown to the public: its name in the header.
    pub fn public(viewer: &Viewer, title: impl Into<String>, partnership_name: &str) -> Page {
        let mut p = Page::new(viewer, title, "");
        p.service_name = partnership_name.to_owned();
        p
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorTemplate<'a> {
    page: Page,
    status: u16,
    heading: &'a str,
    message: &'a str,
    request_id: &'a str,
}

pub fn error_page(
    viewer: &Viewer,
    status: StatusCode,
    message: &str,
    request_id: &str,
) -> Response {
    let heading = match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::FORBIDDEN => "You cannot see this page",
        StatusCode::CONFLICT => "Someone else changed this",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        StatusCode::PAYLOAD_TOO_LARGE => "Too large",
        s if s.is_server_error() => "Sorry, there is a problem with the service",
        _ => "There is a problem",
    };
    let t = ErrorTemplate {
        page: Page::new(viewer, heading, ""),
        status: status.as_u16(),
        heading,
        message,
        request_id,
    };
    match t.render() {
        Ok(html) => (status, axum::response::Html(html)).into_response(),
        Err(_) => (status, "Sorry, there is a problem with the service").into_response(),
    }
}
