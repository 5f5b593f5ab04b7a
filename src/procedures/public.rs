//! The public library on the partnership's website: the current documents, a search box over
//! them, each document's page with its history and file, and subscribing to be told of
//! changes. Subscribing asks for an address only, answers the same whether or not it is
//! subscribed already (so the form tells nobody who is), is rate-limited in the database, and
//! starts only once the emailed link is opened and its button pressed; every notice carries a
//! link to stop, which works without an account and asks for a press too, so that a mail
//! scanner following links changes nothing.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::model::{self, Follows};
use super::store::{self, Procedure, Subscription, Version};
use crate::accounts::model::Email;
use crate::partnerships::store::Partnership;
use crate::state::AppState;
use crate::store::PartnershipId;
use crate::store::search::{self, Scope};
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData, QueryData};
use crate::web::page::Page;
use crate::web::viewer::Viewer;

async fn partnership(st: &AppState, slug: &str) -> AppResult<Partnership> {
    crate::partnerships::store::by_slug(&st.db, slug)
        .await?
        .ok_or(AppError::NotFound)
}

/// A current document of the partnership; a withdrawn one, or another partnership's, is not
/// found.
async fn current(st: &AppState, p: PartnershipId, id: i64) -> AppResult<Procedure> {
    store::get(&st.db, p, id)
        .await?
        .filter(|pr| !pr.withdrawn())
        .ok_or(AppError::NotFound)
}

use crate::web::session::with_cookie;

fn form_token(st: &AppState, viewer: Viewer) -> (Viewer, Option<HeaderValue>) {
    crate::web::session::ensure_form_token(st.config.secure_cookies(), viewer)
}

/// A document as the public list shows it.
pub struct Listed {
    pub pr: Procedure,
    pub amended: Option<NaiveDate>,
}

/// A search result of the public library.
pub struct Found {
    pub id: i64,
    pub title_html: String,
    pub snippet_html: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SubscribeForm {
    email: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "procedures/public_list.html")]
struct ListPage {
    page: Page,
    slug: String,
    rows: Vec<Listed>,
    q: String,
    searched: bool,
    search_error: Option<String>,
    found: Vec<Found>,
    email: String,
    errors: Errors,
}

/// The most results the public search shows.
const SHOWN: i64 = 50;

async fn list_page(
    st: &AppState,
    viewer: &Viewer,
    pp: &Partnership,
    q: &str,
    email: String,
    errors: Errors,
) -> AppResult<ListPage> {
    let p = PartnershipId(pp.id);
    let versions = store::current_versions(&st.db, p).await?;
    let rows: Vec<Listed> = store::list(&st.db, p)
        .await?
        .into_iter()
        .filter(|pr| !pr.withdrawn())
        .map(|pr| Listed {
            amended: versions
                .iter()
                .find(|v| v.procedure_id == pr.id)
                .map(|v| v.published_on),
            pr,
        })
        .collect();
    let q: String = q.trim().chars().take(200).collect();
    let searched = !q.is_empty();
    let (found, search_error) = if !searched {
        (Vec::new(), None)
    } else if search::terms(&q).is_empty() {
        (
            Vec::new(),
            Some("Enter words to search for, using letters or numbers".to_owned()),
        )
    } else {
        // What the public may find: the partnership's documents in force, nothing else.
        let scope = Scope {
            partnership: p,
            all_bodies: false,
            bodies: Vec::new(),
            all_restricted: false,
            named_items: Vec::new(),
        };
        let hits = search::find_kind(&st.db, &scope, "procedure", &q, SHOWN).await?;
        (
            hits.into_iter()
                .filter(|h| rows.iter().any(|r| r.pr.id == h.record_id))
                .map(|h| Found {
                    id: h.record_id,
                    title_html: h.title_html,
                    snippet_html: h.snippet_html,
                })
                .collect(),
            None,
        )
    };
    let title = if searched {
        format!("Policies and procedures: {q}")
    } else {
        "Policies and procedures".to_owned()
    };
    Ok(ListPage {
        page: Page::public(viewer, title, &pp.name, &pp.slug, "/procedures"),
        slug: pp.slug.clone(),
        rows,
        q,
        searched,
        search_error,
        found,
        email,
        errors,
    })
}

pub async fn list(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    QueryData(query): QueryData<SearchQuery>,
) -> AppResult<Response> {
    let pp = partnership(&st, &slug).await?;
    let (viewer, cookie) = form_token(&st, viewer);
    let page = list_page(
        &st,
        &viewer,
        &pp,
        &query.q,
        String::new(),
        Errors::default(),
    )
    .await?;
    Ok(with_cookie(page.into_response(), cookie))
}

#[derive(Template, WebTemplate)]
#[template(path = "procedures/public_show.html")]
struct ShowPage {
    page: Page,
    slug: String,
    pr: Procedure,
    body: String,
    versions: Vec<Version>,
    email: String,
    errors: Errors,
}

async fn show_page(
    st: &AppState,
    viewer: &Viewer,
    pp: &Partnership,
    pr: Procedure,
    email: String,
    errors: Errors,
) -> AppResult<ShowPage> {
    let p = PartnershipId(pp.id);
    Ok(ShowPage {
        page: Page::public(viewer, pr.title.clone(), &pp.name, &pp.slug, "/procedures"),
        slug: pp.slug.clone(),
        body: super::pages::body_name(st, p, &pr.body_key).await?,
        versions: store::versions(&st.db, p, pr.id).await?,
        pr,
        email,
        errors,
    })
}

pub async fn show(
    State(st): State<AppState>,
    viewer: Viewer,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let pp = partnership(&st, &slug).await?;
    let pr = current(&st, PartnershipId(pp.id), id).await?;
    let (viewer, cookie) = form_token(&st, viewer);
    let page = show_page(&st, &viewer, &pp, pr, String::new(), Errors::default()).await?;
    Ok(with_cookie(page.into_response(), cookie))
}

/// The current file of a document in force.
pub async fn file(
    State(st): State<AppState>,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let pp = partnership(&st, &slug).await?;
    let p = PartnershipId(pp.id);
    let pr = current(&st, p, id).await?;
    let v = store::versions(&st.db, p, pr.id)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    st.files.serve(&st.db, p, v.file.id).await
}

#[derive(Template, WebTemplate)]
#[template(path = "procedures/public_message.html")]
struct MessagePage {
    page: Page,
    heading: String,
    lines: Vec<String>,
    /// A form of one button: where it posts, and its words.
    button: Option<(String, String)>,
    link: Option<(String, String)>,
}

fn message(
    page: Page,
    heading: &str,
    lines: Vec<String>,
    button: Option<(String, String)>,
    link: Option<(String, String)>,
) -> MessagePage {
    MessagePage {
        page,
        heading: heading.to_owned(),
        lines,
        button,
        link,
    }
}

pub async fn subscribe_all(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    FormData(f): FormData<SubscribeForm>,
) -> AppResult<Response> {
    let pp = partnership(&st, &slug).await?;
    subscribe(&st, viewer, &pp, None, f).await
}

pub async fn subscribe_one(
    State(st): State<AppState>,
    viewer: Viewer,
    Path((slug, id)): Path<(String, i64)>,
    FormData(f): FormData<SubscribeForm>,
) -> AppResult<Response> {
    let pp = partnership(&st, &slug).await?;
    let pr = current(&st, PartnershipId(pp.id), id).await?;
    subscribe(&st, viewer, &pp, Some(pr), f).await
}

#[derive(Template)]
#[template(path = "mail/procedure-confirm.txt")]
struct ConfirmText<'a> {
    what: &'a str,
    partnership: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/procedure-confirm.html")]
struct ConfirmHtml<'a> {
    what: &'a str,
    partnership: &'a str,
    link: &'a str,
}

/// What a subscription follows, in words: "the Neglect strategy", "any of its policies and
/// procedures".
fn followed(pr: Option<&Procedure>) -> String {
    match pr {
        Some(pr) => format!("\u{201c}{}\u{201d}", pr.title),
        None => "any of the partnership's policies and procedures".to_owned(),
    }
}

async fn subscribe(
    st: &AppState,
    viewer: Viewer,
    pp: &Partnership,
    pr: Option<Procedure>,
    f: SubscribeForm,
) -> AppResult<Response> {
    let p = PartnershipId(pp.id);
    let email = match Email::parse(&f.email) {
        Ok(e) => e,
        Err(m) => {
            let mut errors = Errors::default();
            errors.add("email", m);
            let page = match pr {
                Some(pr) => show_page(st, &viewer, pp, pr, f.email, errors)
                    .await?
                    .into_response(),
                None => list_page(st, &viewer, pp, "", f.email, errors)
                    .await?
                    .into_response(),
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let (from_network, for_address) =
        store::recent_requests(&st.db, &viewer.ip, email.as_str()).await?;
    if from_network >= model::PER_NETWORK {
        return Err(AppError::TooManyRequests(
            "There have been too many requests to subscribe from your network. Wait an hour, then try again.".into(),
        ));
    }
    store::note_request(&st.db, p, &viewer.ip, email.as_str()).await?;
    let follows = Follows::of(pr.as_ref().map(|x| x.id));
    let what = followed(pr.as_ref());
    // Past its limit an address is sent nothing more this hour; the answer is the same.
    if for_address < model::PER_ADDRESS
        && let Some(token) =
            store::request(&st.db, &viewer.actor(), p, email.as_str(), follows).await?
    {
        let base = st.config.base_url.trim_end_matches('/');
        let mail = crate::mail::Mail::from_templates(
            email.as_str(),
            &format!("Confirm your subscription: {}", pp.name),
            &ConfirmText {
                what: &what,
                partnership: &pp.name,
                link: crate::mail::SECRET_LINK,
            },
            &ConfirmHtml {
                what: &what,
                partnership: &pp.name,
                link: crate::mail::SECRET_LINK,
            },
        )
        .map_err(|e| AppError::Internal(e.to_string()))?
        .with_secret_link(
            format!("{base}/procedure-subscriptions/confirm/{token}"),
            chrono::Utc::now() + model::CONFIRM_LIFE,
        );
        st.mailer.queue(&st.db, Some(p), mail).await?;
    }
    let back = match &pr {
        Some(pr) => format!("/p/{}/procedures/{}", pp.slug, pr.id),
        None => format!("/p/{}/procedures", pp.slug),
    };
    Ok(message(
        Page::public(&viewer, "Check your email", &pp.name, &pp.slug, "/procedures"),
        "Check your email",
        vec![
            format!(
                "If {} can be subscribed, we have sent it a link to confirm that you want to be told when {what} changes. The link works once, for 24 hours.",
                email.as_str()
            ),
            "Nothing is sent until you open the link and confirm. If you are already subscribed, you need do nothing.".to_owned(),
        ],
        None,
        Some((back, "Back to the policies and procedures".to_owned())),
    )
    .into_response())
}

fn expired(viewer: &Viewer) -> Response {
    (
        StatusCode::NOT_FOUND,
        message(
            Page::new(viewer, "This link has expired", ""),
            "This link has expired or has already been used",
            vec!["Links in these emails work once, for a limited time. Ask again on the partnership's website.".to_owned()],
            None,
            None,
        ),
    )
        .into_response()
}

/// The partnership of a subscription, and what it follows in words.
async fn about(st: &AppState, s: &Subscription) -> AppResult<Option<(Partnership, String)>> {
    let Some(pp) = crate::partnerships::store::by_id(&st.db, s.partnership()).await? else {
        return Ok(None);
    };
    let pr = match s.follows() {
        Follows::One(id) => store::get(&st.db, s.partnership(), id).await?,
        Follows::Every => None,
    };
    Ok(Some((pp, followed(pr.as_ref()))))
}

pub async fn confirm_form(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(s) = store::by_confirm_token(&st.db, &token).await? else {
        return Ok(expired(&viewer));
    };
    let Some((pp, what)) = about(&st, &s).await? else {
        return Ok(expired(&viewer));
    };
    Ok(button_page(
        &st,
        viewer,
        &pp,
        "Confirm your subscription",
        format!(
            "{} will be emailed when {what} changes, until you unsubscribe.",
            s.email
        ),
        (
            format!("/procedure-subscriptions/confirm/{token}"),
            "Confirm",
        ),
    ))
}

/// The page an emailed link opens: what pressing its one button will do. The link alone
/// changes nothing (mail scanners follow links); the button is a form, with a visitor's token.
fn button_page(
    st: &AppState,
    viewer: Viewer,
    pp: &Partnership,
    title: &str,
    text: String,
    (action, button): (String, &str),
) -> Response {
    let (viewer, cookie) = form_token(st, viewer);
    let page = message(
        Page::public(&viewer, title, &pp.name, &pp.slug, "/procedures"),
        title,
        vec![text],
        Some((action, button.to_owned())),
        None,
    );
    with_cookie(page.into_response(), cookie)
}

pub async fn confirm(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(s) = store::by_confirm_token(&st.db, &token).await? else {
        return Ok(expired(&viewer));
    };
    let Some((pp, what)) = about(&st, &s).await? else {
        return Ok(expired(&viewer));
    };
    if !store::confirm(&st.db, &viewer.actor(), &s).await? {
        return Ok(expired(&viewer));
    }
    Ok(message(
        Page::public(
            &viewer,
            "You are subscribed",
            &pp.name,
            &pp.slug,
            "/procedures",
        ),
        "You are subscribed",
        vec![
            format!("We will email {} when {what} changes.", s.email),
            "Every email has a link to stop them.".to_owned(),
        ],
        None,
        Some((
            format!("/p/{}/procedures", pp.slug),
            "Back to the policies and procedures".to_owned(),
        )),
    )
    .into_response())
}

fn unsubscribed(viewer: &Viewer) -> Response {
    (
        StatusCode::NOT_FOUND,
        message(
            Page::new(viewer, "You are not subscribed", ""),
            "You are not subscribed",
            vec![
                "This address is no longer told of changes: it has been unsubscribed already."
                    .to_owned(),
            ],
            None,
            None,
        ),
    )
        .into_response()
}

pub async fn unsubscribe_form(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(s) = store::by_unsubscribe_token(&st.db, &token).await? else {
        return Ok(unsubscribed(&viewer));
    };
    let Some((pp, what)) = about(&st, &s).await? else {
        return Ok(unsubscribed(&viewer));
    };
    Ok(button_page(
        &st,
        viewer,
        &pp,
        "Stop these emails",
        format!(
            "{} is told when {what} changes. Unsubscribe to stop these emails; your address is then deleted.",
            s.email
        ),
        (
            format!("/procedure-subscriptions/unsubscribe/{token}"),
            "Unsubscribe",
        ),
    ))
}

pub async fn unsubscribe(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(s) = store::by_unsubscribe_token(&st.db, &token).await? else {
        return Ok(unsubscribed(&viewer));
    };
    let Some((pp, _)) = about(&st, &s).await? else {
        return Ok(unsubscribed(&viewer));
    };
    if !store::unsubscribe(&st.db, &viewer.actor(), &s).await? {
        return Ok(unsubscribed(&viewer));
    }
    Ok(message(
        Page::public(&viewer, "You have unsubscribed", &pp.name, &pp.slug, "/procedures"),
        "You have unsubscribed",
        vec![format!(
            "{} will not be emailed about the partnership's policies and procedures again, and the address has been deleted.",
            s.email
        )],
        None,
        Some((
            format!("/p/{}/procedures", pp.slug),
            "Back to the policies and procedures".to_owned(),
        )),
    )
    .into_response())
}
