//! The page shell every HTML page shares: the partnership's name in the header, navigation by
//! permission, the partnership switcher, the flash message and the CSRF token for forms.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;

pub struct NavItem {
    pub href: String,
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
    /// Where the service name in the header goes: `/`, or a partnership's public home.
    pub home: String,
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
                href: (*href).to_owned(),
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
            home: "/".to_owned(),
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

    /// A page of one partnership's public website: its name in the header (linking to its
    /// public home), and the navigation between its public pages with a way to sign in.
    /// `here` is the page's place under `/p/SLUG` (one of [`PUBLIC_NAV`]'s, or any other for
    /// none).
    pub fn public(
        viewer: &Viewer,
        title: impl Into<String>,
        partnership_name: &str,
        slug: &str,
        here: &str,
    ) -> Page {
        let mut p = Page::new(viewer, title, "");
        p.service_name = partnership_name.to_owned();
        p.home = format!("/p/{slug}");
        p.nav = PUBLIC_NAV
            .iter()
            .map(|(under, text)| NavItem {
                href: format!("/p/{slug}{under}"),
                text,
                current: *under == here,
            })
            .collect();
        // Someone signed in has the bar to sign out; they are offered their own pages instead.
        p.nav.push(if viewer.user.is_some() {
            NavItem {
                href: "/".to_owned(),
                text: "Your home page",
                current: false,
            }
        } else {
            NavItem {
                href: "/sign-in".to_owned(),
                text: "Sign in",
                current: false,
            }
        });
        p
    }

    /// The window's title: the page's, then the partnership's name unless it says it already.
    pub fn window_title(&self) -> String {
        if self.title.contains(&self.service_name) {
            self.title.clone()
        } else {
            format!("{} – {}", self.title, self.service_name)
        }
    }
}

/// A partnership's public website, in the order of its navigation: each page's place under
/// `/p/SLUG`, and its name.
pub const PUBLIC_NAV: &[(&str, &str)] = &[
    ("", "Home"),
    ("/arrangements", "Arrangements"),
    ("/agencies", "Relevant agencies"),
    ("/meetings", "Meetings"),
    ("/reviews", "Published reviews"),
];

/// The partnership a page not found was asked for under `/p/SLUG`, so that the page can say
/// where its public pages are and how to reach its business unit. Attached to the response by
/// `partnerships::public_not_found`, which knows the partnerships; drawn by [`error_page`].
#[derive(Clone, Debug)]
pub struct PublicSite {
    pub name: String,
    pub slug: String,
    pub email: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorTemplate<'a> {
    page: Page,
    status: u16,
    heading: &'a str,
    message: &'a str,
    request_id: &'a str,
    site: Option<&'a PublicSite>,
}

pub fn error_page(
    viewer: &Viewer,
    status: StatusCode,
    message: &str,
    request_id: &str,
    site: Option<&PublicSite>,
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
    let page = match site {
        Some(s) => Page::public(viewer, heading, &s.name, &s.slug, "-"),
        None => Page::new(viewer, heading, ""),
    };
    let t = ErrorTemplate {
        page,
        status: status.as_u16(),
        heading,
        message,
        request_id,
        site,
    };
    match t.render() {
        Ok(html) => (status, axum::response::Html(html)).into_response(),
        Err(_) => (status, "Sorry, there is a problem with the service").into_response(),
    }
}
