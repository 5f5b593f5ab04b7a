//! The public face of the thresholds document: the tool a practitioner ticks indicators in (a
//! GET form, so it works without JavaScript and its address can be shared), the document as a
//! PDF, its earlier editions, and "worried about a child".

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::model::{self, Contact, Document, Indicator, Level, Suggestion};
use super::store::{self, Edition};
use crate::partnerships::store::Partnership;
use crate::state::AppState;
use crate::store::PartnershipId;
use crate::web::error::{AppError, AppResult};
use crate::web::forms::QueryData;
use crate::web::page::Page;
use crate::web::viewer::Viewer;

pub(super) async fn partnership(st: &AppState, slug: &str) -> AppResult<Partnership> {
    crate::partnerships::store::by_slug(&st.db, slug)
        .await?
        .ok_or(AppError::NotFound)
}

/// The edition asked for (`edition=N`, any published one) or the one in force today, with the
/// published editions; not found when nothing is published.
async fn chosen(
    st: &AppState,
    p: PartnershipId,
    number: Option<i64>,
) -> AppResult<(Edition, bool, Vec<Edition>)> {
    let (current, all) = store::in_force(&st.db, p, crate::calendar::today()).await?;
    let e = match number {
        Some(n) => all.iter().find(|e| e.number == n).cloned(),
        None => current.clone(),
    }
    .ok_or(AppError::NotFound)?;
    let is_current = current.as_ref().is_some_and(|c| c.id == e.id);
    Ok((e, is_current, all))
}

/// What the tool's address may carry. Anything else is ignored; a value too long is cut.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ToolQuery {
    /// The ticked indicators' keys.
    i: Vec<String>,
    q: String,
    level: String,
    domain: String,
    sector: String,
    /// Set by the "Show the suggested level" button: a use of the tool.
    suggest: String,
    edition: Option<i64>,
}

/// One domain's indicators as shown, by level.
struct DomainShown<'a> {
    key: &'a str,
    name: &'a str,
    description: &'a str,
    levels: Vec<(&'a Level, usize, Vec<Shown<'a>>)>,
}

struct Shown<'a> {
    i: &'a Indicator,
    ticked: bool,
    related: Vec<(&'a Indicator, &'a str)>,
}

/// What the ticks suggest, in words.
struct Suggested<'a> {
    level: &'a Level,
    contacts: Vec<&'a Contact>,
    per_level: Vec<(&'a str, usize)>,
    ticked: Vec<&'a Indicator>,
}

#[derive(Template, WebTemplate)]
#[template(path = "thresholds/tool.html")]
struct ToolPage<'a> {
    page: Page,
    slug: String,
    e: &'a Edition,
    d: &'a Document,
    is_current: bool,
    /// A later edition already published, taking effect on a day to come.
    coming: Option<(i64, String)>,
    query: &'a ToolQuery,
    q: String,
    domains: Vec<DomainShown<'a>>,
    /// Ticked indicators not in view under the filters, carried as hidden fields (with their
    /// level's rank and whether decisive, for the live suggestion).
    carried: Vec<(&'a str, usize, bool)>,
    shown_count: usize,
    suggested: Option<Suggested<'a>>,
    /// The filtered level, when browsing by level.
    level: Option<&'a Level>,
    levels: Vec<(String, String)>,
    domain_options: Vec<(String, String)>,
    sectors: Vec<(String, String)>,
    rule: &'static str,
    judgement: &'static str,
    edition_query: String,
}

pub fn sector_options() -> Vec<(String, String)> {
    crate::arrangements::model::SECTORS
        .iter()
        .map(|s| ((*s).to_owned(), crate::arrangements::view::role_label(s)))
        .collect()
}

pub async fn tool(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    QueryData(query): QueryData<ToolQuery>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> AppResult<Response> {
    let pp = partnership(&st, &slug).await?;
    let p = PartnershipId(pp.id);
    let (e, is_current, all) = chosen(&st, p, query.edition).await?;
    // Nothing ticked and not signed in: the same page for every visitor of this edition, with
    // the editions published, on this day, at this address. Laid out once and kept.
    let same_for_all = viewer.user.is_none() && query.i.is_empty() && query.suggest.is_empty();
    let key = format!(
        "thresholds:{}:{}:{}:{}:{}:{}",
        e.id,
        e.version,
        all.len(),
        all.iter().map(|x| x.id).max().unwrap_or(0),
        crate::calendar::today(),
        uri.query().unwrap_or("")
    );
    if same_for_all && let Some(kept) = st.public_pages.answer(&key, &headers) {
        return Ok(kept);
    }
    let d: Arc<Document> = e.parsed()?;
    let ticked = model::known_ticks(&d, &query.i);
    let ticked_keys: Vec<&str> = ticked.iter().map(|i| i.key.as_str()).collect();
    let q: String = query.q.trim().chars().take(200).collect();
    let words = model::search_words(&q);
    let found: Option<Vec<&Indicator>> = (!words.is_empty()).then(|| model::search(&d, &words));
    let level = d.level(&query.level);
    let visible = |i: &Indicator| {
        level.is_none_or(|l| l.key == i.level)
            && (query.domain.is_empty()
                || d.domain(&query.domain).is_none()
                || i.domain == query.domain)
            && found
                .as_ref()
                .is_none_or(|f| f.iter().any(|x| x.key == i.key))
    };
    let mut shown_count = 0;
    let mut domains = Vec::new();
    for dm in d.domains.iter().map(toml::Spanned::get_ref) {
        let mut levels = Vec::new();
        for (rank, l) in d.levels.iter().map(toml::Spanned::get_ref).enumerate() {
            let shown: Vec<Shown> = d
                .indicators_at(&l.key, &dm.key)
                .filter(|i| visible(i))
                .map(|i| Shown {
                    i,
                    ticked: ticked_keys.contains(&i.key.as_str()),
                    related: i
                        .related
                        .iter()
                        .filter_map(|r| d.indicator(r))
                        .filter_map(|r| d.level(&r.level).map(|l| (r, l.name.as_str())))
                        .collect(),
                })
                .collect();
            shown_count += shown.len();
            if !shown.is_empty() {
                levels.push((l, rank, shown));
            }
        }
        if !levels.is_empty() {
            domains.push(DomainShown {
                key: &dm.key,
                name: &dm.name,
                description: &dm.description,
                levels,
            });
        }
    }
    let carried: Vec<(&str, usize, bool)> = ticked
        .iter()
        .filter(|i| !visible(i))
        .map(|i| (i.key.as_str(), d.rank(&i.level).unwrap_or(0), i.decisive))
        .collect();
    let sector = if crate::arrangements::model::SECTORS.contains(&query.sector.as_str()) {
        query.sector.as_str()
    } else {
        ""
    };
    let suggestion: Option<Suggestion> = if query.suggest.is_empty() {
        None
    } else {
        model::suggest(&d, &ticked)
    };
    if let Some(s) = &suggestion {
        store::record_use(
            &st.db,
            p,
            e.id,
            crate::calendar::today(),
            &s.level,
            sector,
            &ticked_keys,
        )
        .await?;
    }
    let suggested = suggestion.as_ref().and_then(|s| {
        let level = d.level(&s.level)?;
        Some(Suggested {
            level,
            contacts: level.contacts.iter().filter_map(|c| d.contact(c)).collect(),
            per_level: d
                .levels
                .iter()
                .map(toml::Spanned::get_ref)
                .zip(&s.ticked_per_level)
                .filter(|(_, n)| **n > 0)
                .map(|(l, n)| (l.name.as_str(), *n))
                .collect(),
            ticked: ticked.clone(),
        })
    });
    let today = crate::calendar::today();
    let coming = all
        .iter()
        .filter(|x| x.takes_effect.is_some_and(|t| t > today))
        .min_by_key(|x| x.takes_effect)
        .map(|x| {
            (
                x.number,
                x.takes_effect
                    .map(|t| t.format("%-d %B %Y").to_string())
                    .unwrap_or_default(),
            )
        });
    let title = if suggested.is_some() {
        format!(
            "Suggested level: {}",
            suggested.as_ref().map_or("", |s| s.level.name.as_str())
        )
    } else {
        d.document.title.clone()
    };
    let edition_query = if is_current {
        String::new()
    } else {
        format!("edition={}", e.number)
    };
    let page = ToolPage {
        page: Page::public(&viewer, title, &pp.name, &pp.slug, "/thresholds"),
        slug: pp.slug.clone(),
        e: &e,
        d: &d,
        is_current,
        coming,
        query: &query,
        q,
        domains,
        carried,
        shown_count,
        suggested,
        level,
        levels: d
            .levels
            .iter()
            .map(|l| (l.get_ref().key.clone(), l.get_ref().name.clone()))
            .collect(),
        domain_options: d
            .domains
            .iter()
            .map(|x| (x.get_ref().key.clone(), x.get_ref().name.clone()))
            .collect(),
        sectors: sector_options(),
        rule: d.document.rule.words(),
        judgement: model::JUDGEMENT,
        edition_query,
    };
    if !same_for_all {
        return Ok(page.into_response());
    }
    let html = page
        .render()
        .map_err(|e| AppError::Internal(format!("threshold tool: {e}")))?;
    Ok(st.public_pages.keep(key, html, &headers))
}

#[derive(Template, WebTemplate)]
#[template(path = "thresholds/editions.html")]
struct EditionsPage {
    page: Page,
    slug: String,
    editions: Vec<(Edition, &'static str)>,
}

/// Every published edition, newest first, with the one in force marked.
pub async fn editions(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let pp = partnership(&st, &slug).await?;
    let (current, all) =
        store::in_force(&st.db, PartnershipId(pp.id), crate::calendar::today()).await?;
    let today = crate::calendar::today();
    let editions = all
        .into_iter()
        .map(|e| {
            let state = if current.as_ref().is_some_and(|c| c.id == e.id) {
                "In force"
            } else if e.takes_effect.is_some_and(|t| t > today) {
                "Takes effect later"
            } else {
                "Replaced"
            };
            (e, state)
        })
        .collect();
    Ok(EditionsPage {
        page: Page::public(
            &viewer,
            "Editions of the thresholds document",
            &pp.name,
            &pp.slug,
            "/thresholds/editions",
        ),
        slug: pp.slug,
        editions,
    }
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditionQuery {
    edition: Option<i64>,
}

/// What the PDF shows: the whole document, level by level and domain by domain.
#[derive(Serialize)]
struct PdfData {
    partnership: String,
    title: String,
    edition: i64,
    takes_effect: String,
    introduction: Vec<String>,
    judgement: String,
    rule: String,
    url: String,
    levels: Vec<PdfLevel>,
    contacts: Vec<PdfContact>,
}

#[derive(Serialize)]
struct PdfLevel {
    name: String,
    meaning: Vec<String>,
    next_steps: Vec<String>,
    legal_basis: String,
    contacts: Vec<String>,
    domains: Vec<PdfDomain>,
}

#[derive(Serialize)]
struct PdfDomain {
    name: String,
    indicators: Vec<String>,
}

#[derive(Serialize)]
struct PdfContact {
    name: String,
    lines: Vec<String>,
}

fn paragraphs(t: &str) -> Vec<String> {
    t.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

pub fn contact_lines(c: &Contact) -> Vec<String> {
    let mut l = Vec::new();
    if !c.purpose.is_empty() {
        l.push(c.purpose.clone());
    }
    if !c.telephone.is_empty() {
        l.push(format!("Telephone: {}", c.telephone));
    }
    if !c.out_of_hours.is_empty() {
        l.push(format!("Out of hours: {}", c.out_of_hours));
    }
    if !c.email.is_empty() {
        l.push(format!("Email: {}", c.email));
    }
    if !c.referral_url.is_empty() {
        l.push(format!("Online referral: {}", c.referral_url));
    }
    if !c.hours.is_empty() {
        l.push(format!("Hours: {}", c.hours));
    }
    l
}

const PDF_TEMPLATE: &str = include_str!("../../templates/pdf/thresholds.typ");

pub async fn pdf(
    State(st): State<AppState>,
    Path(slug): Path<String>,
    QueryData(q): QueryData<EditionQuery>,
) -> AppResult<Response> {
    let pp = partnership(&st, &slug).await?;
    let (e, _, _) = chosen(&st, PartnershipId(pp.id), q.edition).await?;
    let d = e.parsed()?;
    let data = PdfData {
        partnership: pp.name.clone(),
        title: d.document.title.clone(),
        edition: e.number,
        takes_effect: e
            .takes_effect
            .map(|t| t.format("%-d %B %Y").to_string())
            .unwrap_or_default(),
        introduction: paragraphs(&d.document.introduction),
        judgement: model::JUDGEMENT.to_owned(),
        rule: d.document.rule.words().to_owned(),
        url: format!("/p/{}/thresholds", pp.slug),
        levels: d
            .levels
            .iter()
            .map(toml::Spanned::get_ref)
            .map(|l| PdfLevel {
                name: l.name.clone(),
                meaning: paragraphs(&l.meaning),
                next_steps: paragraphs(&l.next_steps),
                legal_basis: l.legal_basis.clone(),
                contacts: l
                    .contacts
                    .iter()
                    .filter_map(|c| d.contact(c))
                    .map(|c| c.name.clone())
                    .collect(),
                domains: d
                    .domains
                    .iter()
                    .map(toml::Spanned::get_ref)
                    .map(|dm| PdfDomain {
                        name: dm.name.clone(),
                        indicators: d
                            .indicators_at(&l.key, &dm.key)
                            .map(|i| i.text.clone())
                            .collect(),
                    })
                    .filter(|x| !x.indicators.is_empty())
                    .collect(),
            })
            .collect(),
        contacts: d
            .contacts
            .iter()
            .map(toml::Spanned::get_ref)
            .map(|c| PdfContact {
                name: c.name.clone(),
                lines: contact_lines(c),
            })
            .collect(),
    };
    let bytes = crate::pdf::make(PDF_TEMPLATE, &data, Vec::new(), crate::calendar::today()).await?;
    let name = format!("{}-thresholds-edition-{}.pdf", pp.slug, e.number);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "thresholds/worried.html")]
struct WorriedPage {
    page: Page,
    partnership: Partnership,
    contacts: Vec<(String, Vec<String>, Contact)>,
    /// The partnership's own words, when it has no thresholds document published.
    fallback: Vec<String>,
    has_tool: bool,
}

/// Whom to call when worried about a child: the front door from the thresholds document in
/// force, or the partnership's own contact words when none is published.
pub async fn worried(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let pp = partnership(&st, &slug).await?;
    let (current, _) =
        store::in_force(&st.db, PartnershipId(pp.id), crate::calendar::today()).await?;
    let doc = match &current {
        Some(e) => Some(e.parsed()?),
        None => None,
    };
    let contacts = doc
        .as_ref()
        .map(|d| {
            d.front_door()
                .into_iter()
                .map(|c| (c.name.clone(), contact_lines(c), c.clone()))
                .collect()
        })
        .unwrap_or_default();
    Ok(WorriedPage {
        page: Page::public(
            &viewer,
            "Worried about a child",
            &pp.name,
            &pp.slug,
            "/worried",
        ),
        fallback: pp
            .worried_contact
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        has_tool: current.is_some(),
        contacts,
        partnership: pp,
    }
    .into_response())
}
