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

/// The success message on the next page, with a link to what was made when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flash {
    pub message: String,
    /// Where the thing made is, and the link's words.
    pub link: Option<(String, String)>,
}

/// Between the parts of a flash kept in the session's one text column.
const FLASH_PARTS: char = '\u{1f}';

impl Flash {
    /// The message as kept: the words, then the link's address and words if it has one.
    pub fn with_link(message: &str, href: &str, text: &str) -> String {
        format!("{message}{FLASH_PARTS}{href}{FLASH_PARTS}{text}")
    }

    pub fn parse(kept: &str) -> Flash {
        let mut parts = kept.split(FLASH_PARTS);
        let message = parts.next().unwrap_or_default().to_owned();
        // Only a link within masa (a message is made by masa, but it costs nothing to check).
        let link = match (parts.next(), parts.next()) {
            (Some(href), Some(text)) if crate::web::is_local_path(href) => {
                Some((href.to_owned(), text.to_owned()))
            }
            _ => None,
        };
        Flash { message, link }
    }
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
    pub flash: Option<Flash>,
    pub switcher: Vec<SwitchOption>,
    /// Seconds before the signed-in session ends without activity, for the browser's warning.
    pub session_ends_in: Option<i64>,
    /// On one of the account's own pages (linked from the account bar, not the navigation).
    pub account_current: bool,
}

/// One entry of the header's navigation: shown to those `for_` allows, unless `unless` does
/// too (the business unit reaches agencies' requests from each case, not from the header).
struct Entry {
    href: &'static str,
    text: &'static str,
    for_: Permission,
    unless: Option<Permission>,
}

const fn entry(href: &'static str, text: &'static str, for_: Permission) -> Entry {
    Entry {
        href,
        text,
        for_,
        unless: None,
    }
}

/// The day's work only: the partnership's name is the link home, administration sits behind
/// one entry and the account's links are in the account bar, so the header is one short row
/// (it was thirteen links on two rows).
const NAV: &[Entry] = &[
    entry("/meetings", "Meetings", Permission::Governance),
    entry("/actions", "Actions", Permission::Governance),
    entry("/reviews", "Reviews", Permission::Governance),
    Entry {
        href: "/reviews/requests",
        text: "Requests",
        for_: Permission::Partnership,
        unless: Some(Permission::ManagePartnership),
    },
    // Every member: a responder may be a practitioner; the page shows each only their part.
    entry("/assurance", "Assurance", Permission::Partnership),
    // Every member books training; the business unit, who run the programme, reach it from
    // Administration.
    Entry {
        href: "/training",
        text: "Training",
        for_: Permission::Partnership,
        unless: Some(Permission::ManagePartnership),
    },
    entry("/arrangements", "Structure", Permission::Partnership),
    // The governance reads it; the business unit, who keep it, reach it from Administration.
    Entry {
        href: "/scorecard",
        text: "Scorecard",
        for_: Permission::Governance,
        unless: Some(Permission::ManagePartnership),
    },
    // Every member reads the library (practitioners work to it); the business unit, who keep
    // it, reach it from Administration.
    Entry {
        href: "/procedures",
        text: "Procedures",
        for_: Permission::Partnership,
        unless: Some(Permission::ManagePartnership),
    },
    entry("/search", "Search", Permission::Governance),
    // The scrutineer reads the trail but administers nothing.
    Entry {
        href: "/audit",
        text: "Audit trail",
        for_: Permission::ReadAll,
        unless: Some(Permission::ManagePartnership),
    },
    entry("/admin", "Administration", Permission::ManagePartnership),
    entry("/system", "Hosting", Permission::ManageHost),
];

/// A page of the administration hubs (`/admin` for a partnership, `/system` for the host).
pub struct AdminLink {
    pub href: &'static str,
    pub text: &'static str,
    pub about: &'static str,
    pub permission: Permission,
}

const fn admin(
    href: &'static str,
    text: &'static str,
    about: &'static str,
    permission: Permission,
) -> AdminLink {
    AdminLink {
        href,
        text,
        about,
        permission,
    }
}

/// What the administration hubs list: the one list, so a new page is added here once.
pub const ADMIN: &[AdminLink] = &[
    admin(
        "/admin/people",
        "People",
        "Invite people, change their roles and organisations, and end their access.",
        Permission::ManagePartnership,
    ),
    admin(
        "/audit",
        "Audit trail",
        "Who changed or saw what, and when.",
        Permission::ReadAll,
    ),
    admin(
        "/admin/outbox",
        "Outbox",
        "Every email sent for the partnership.",
        Permission::ManagePartnership,
    ),
    admin(
        "/scorecard",
        "Scorecard",
        "The performance scorecard: its periods, the figures sent, publishing, the indicators and who sends them.",
        Permission::ManagePartnership,
    ),
    admin(
        "/training",
        "Training",
        "The training programme: courses, sessions, places and waiting lists.",
        Permission::ManagePartnership,
    ),
    admin(
        "/procedures",
        "Policies and procedures",
        "The library: its documents, their versions and amendment notes, and their reviews.",
        Permission::ManagePartnership,
    ),
    admin(
        "/admin/partnership",
        "Settings",
        "The partnership's name, its public pages and its rules.",
        Permission::ManagePartnership,
    ),
    admin(
        "/system/partnerships",
        "Partnerships",
        "The partnerships this service hosts, and their first administrators.",
        Permission::ManageHost,
    ),
    admin(
        "/system/bank-holidays",
        "Bank holidays",
        "The days that are not working days, for every deadline.",
        Permission::ManageHost,
    ),
    admin(
        "/system/review-editions",
        "Review rules",
        "The editions of the statutory guidance that set reviews' deadlines.",
        Permission::ManageHost,
    ),
];

/// The hub's pages under `prefix` the viewer may open (`/system` for the host's; `/admin`
/// for the partnership's, which includes the audit trail).
pub fn admin_links(viewer: &Viewer, host: bool) -> Vec<&'static AdminLink> {
    ADMIN
        .iter()
        .filter(|l| l.href.starts_with("/system") == host && l.permission.allows(viewer))
        .collect()
}

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
        // A hub's pages count as under the hub (People is under Administration).
        let hub = ADMIN.iter().find(|l| under(l.href)).map(|l| {
            if l.href.starts_with("/system") {
                "/system"
            } else {
                "/admin"
            }
        });
        let shown: Vec<&Entry> = NAV
            .iter()
            .filter(|e| {
                viewer.user.is_some()
                    && e.for_.allows(viewer)
                    && !e.unless.is_some_and(|u| u.allows(viewer))
            })
            .collect();
        let current = shown
            .iter()
            .map(|e| e.href)
            .filter(|h| under(h))
            .max_by_key(|h| h.len())
            .or(hub.filter(|h| shown.iter().any(|e| e.href == *h)));
        let nav = shown
            .iter()
            .map(|e| NavItem {
                href: e.href.to_owned(),
                text: e.text,
                current: current == Some(e.href),
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
            flash: viewer
                .session
                .as_ref()
                .and_then(|s| s.flash.as_deref())
                .map(Flash::parse),
            switcher,
            account_current: path.starts_with("/account"),
            session_ends_in: viewer
                .session
                .as_ref()
                .filter(|_| viewer.user.is_some())
                .map(|s| crate::web::session::ends_in(s, chrono::Utc::now())),
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
    ("/worried", "Worried about a child"),
    ("/thresholds", "Thresholds"),
    ("/arrangements", "Arrangements"),
    ("/agencies", "Agencies"),
    ("/meetings", "Meetings"),
    ("/reviews", "Reviews"),
    ("/procedures", "Procedures"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flash_links_to_what_was_made_within_masa_only() {
        let f = Flash::parse(&Flash::with_link(
            "Action added",
            "/actions/7",
            "View the action",
        ));
        assert_eq!(f.message, "Action added");
        assert_eq!(
            f.link,
            Some(("/actions/7".into(), "View the action".into()))
        );
        assert_eq!(
            Flash::parse("Saved"),
            Flash {
                message: "Saved".into(),
                link: None
            }
        );
        let away = Flash::parse(&Flash::with_link("Added", "//evil.example", "Look"));
        assert_eq!(away.link, None);
    }
}
