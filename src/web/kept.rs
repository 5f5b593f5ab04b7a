//! Typed work kept when a form cannot be accepted because the session ended or the page's
//! token went stale: the post comes back as hidden fields on a page that asks the person to
//! sign in again (the fields ride through the sign-in forms) or, if they still are, to check
//! it and save it with a fresh token. Nothing is stored on the server meanwhile, so a
//! stranger's post costs nothing, and it is saved only when its author presses the button.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::web::page::Page;
use crate::web::viewer::Viewer;

/// A refused post: where it was going and its fields (without the stale token).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Kept {
    pub path: String,
    pub form: String,
}

/// Fields the person did not type, left out of what the page shows them.
const MACHINE_FIELDS: &[&str] = &["csrf_token", "version", "next", "kept_path", "kept_form"];

impl Kept {
    /// The post refused at `path`, if it is one a person can save later: a form of masa's
    /// own pages (not signing in itself, not the API) that holds something.
    pub fn of(path: &str, body: &[u8]) -> Option<Kept> {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(url::form_urlencoded::parse(body).filter(|(k, _)| k != "csrf_token"))
            .finish();
        Kept::from_fields(path, &form)
    }

    /// What a sign-in form carried back in its `kept_path` and `kept_form` fields; `None`
    /// for an address that is not one of masa's pages.
    pub fn from_fields(path: &str, form: &str) -> Option<Kept> {
        let ours = path.starts_with('/')
            && !path.starts_with("//")
            && !path.contains('\\')
            && !path.starts_with("/api/")
            && !path.starts_with("/sign-in")
            && !path.starts_with("/sign-out")
            && !path.starts_with("/password-reset")
            && path.chars().all(|c| c.is_ascii_graphic());
        (ours && !form.is_empty()).then(|| Kept {
            path: path.to_owned(),
            form: form.to_owned(),
        })
    }

    /// Every field, to post again as hidden inputs.
    pub fn fields(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.form.as_bytes())
            .filter(|(k, _)| k != "csrf_token")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// What the person typed, as they can read it: each filled field with its name in words.
    pub fn shown(&self) -> Vec<(String, String)> {
        self.fields()
            .into_iter()
            .filter(|(k, v)| !v.trim().is_empty() && !MACHINE_FIELDS.contains(&k.as_str()))
            .map(|(k, v)| (in_words(&k), v))
            .collect()
    }
}

/// A field's name as words: "owner_name" → "Owner name", "due-day" → "Due day".
fn in_words(name: &str) -> String {
    let spaced = name.replace(['_', '-'], " ");
    let mut c = spaced.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Whether a refused post came from masa's own page. A browser says where a post came from
/// (`Sec-Fetch-Site`, else `Origin`); a post from another site is refused outright, never
/// offered for saving, so a forged form cannot be turned into a one-click save.
pub fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site == "same-origin";
    }
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest == host),
        (Some(_), None) => false,
        // No word from the browser about where it came from: scripts and old browsers.
        (None, _) => true,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "kept.html")]
pub struct KeptPage {
    pub page: Page,
    pub kept: Kept,
    /// Still signed in (the token was stale): save with the fresh token now. Otherwise sign in.
    pub signed_in: bool,
    pub email: String,
    pub errors: crate::web::forms::Errors,
}

impl KeptPage {
    /// The page for a refused post: check and save, or sign in again to save.
    pub fn new(viewer: &Viewer, kept: Kept) -> KeptPage {
        let signed_in = viewer.user.is_some();
        let title = if signed_in {
            "Save what you typed"
        } else {
            "Sign in again to save what you typed"
        };
        KeptPage {
            page: Page::new(viewer, title, ""),
            kept,
            signed_in,
            email: String::new(),
            errors: crate::web::forms::Errors::default(),
        }
    }

    /// Just signed in again, on the response that starts the new session: its token is not
    /// the viewer's yet, so it is given here.
    pub fn after_sign_in(viewer: &Viewer, kept: Kept, csrf: String) -> KeptPage {
        let mut p = KeptPage::new(viewer, kept);
        p.signed_in = true;
        p.page.title = "Save what you typed".into();
        p.page.csrf = csrf;
        p
    }

    /// Refused, with the page in the body: 403, as the bare refusal was.
    pub fn refused(self, cookie: Option<HeaderValue>) -> Response {
        let mut res = (StatusCode::FORBIDDEN, self).into_response();
        if let Some(c) = cookie {
            res.headers_mut().append(header::SET_COOKIE, c);
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_post_is_kept_without_its_token_and_shown_in_words() {
        let k = Kept::of(
            "/actions/7",
            b"csrf_token=stale&version=3&progress=Half+done+%26+on+track&due-day=&owner_name=Sam",
        )
        .expect("kept");
        assert_eq!(k.path, "/actions/7");
        assert!(!k.form.contains("stale"));
        assert!(k.fields().contains(&("version".into(), "3".into())));
        assert_eq!(
            k.shown(),
            vec![
                ("Progress".into(), "Half done & on track".into()),
                ("Owner name".into(), "Sam".into())
            ]
        );
    }

    #[test]
    fn only_masas_own_pages_are_kept() {
        for path in [
            "https://evil.example/x",
            "//evil.example/x",
            "/\\evil.example",
            "/api/v1/actions",
            "/sign-in",
            "/sign-in/two-factor",
            "/x\ny",
        ] {
            assert_eq!(Kept::from_fields(path, "a=1"), None, "{path}");
        }
        assert_eq!(Kept::from_fields("/actions/1", ""), None, "nothing to keep");
        assert!(Kept::from_fields("/meetings/3/minutes", "text=Agreed").is_some());
    }

    #[test]
    fn a_post_from_another_site_is_not_offered_for_saving() {
        let h = |pairs: &[(&'static str, &'static str)]| {
            let mut m = HeaderMap::new();
            for (k, v) in pairs {
                m.insert(*k, HeaderValue::from_static(v));
            }
            m
        };
        assert!(same_origin(&h(&[("sec-fetch-site", "same-origin")])));
        assert!(!same_origin(&h(&[("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&h(&[("sec-fetch-site", "same-site")])));
        assert!(same_origin(&h(&[
            ("origin", "https://masa.example"),
            ("host", "masa.example")
        ])));
        assert!(!same_origin(&h(&[
            ("origin", "https://evil.example"),
            ("host", "masa.example")
        ])));
        assert!(same_origin(&h(&[])));
    }
}
