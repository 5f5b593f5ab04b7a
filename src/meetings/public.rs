//! What the public sees of meetings: nothing, unless the body publishes a meeting. A published
//! meeting shows its agenda, the papers of its open items and, once approved, its minutes and
//! decisions; restricted items are never shown.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::model::{MeetingStatus, MinutesStatus};
use super::papers::{self, Paper};
use super::store::{self, AgendaItem, Decision, Meeting, Minutes};
use crate::partnerships::store::Partnership;
use crate::state::AppState;
use crate::store::PartnershipId;
use crate::web::error::{AppError, AppResult};
use crate::web::page::Page;
use crate::web::viewer::Viewer;

async fn partnership(st: &AppState, slug: &str) -> AppResult<Partnership> {
    crate::partnerships::store::by_slug(&st.db, slug)
        .await?
        .ok_or(AppError::NotFound)
}

/// A published meeting of the partnership, or not found.
async fn published(st: &AppState, p: PartnershipId, id: i64) -> AppResult<Meeting> {
    store::get(&st.db, p, id)
        .await?
        .filter(|m| m.published)
        .ok_or(AppError::NotFound)
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/public_list.html")]
struct ListPage {
    page: Page,
    slug: String,
    /// Coming meetings (today's and later, soonest first), then past ones (newest first).
    sections: [Section; 2],
}

/// One part of the public list of meetings.
struct Section {
    heading: &'static str,
    id: &'static str,
    order: &'static str,
    none: &'static str,
    rows: Vec<super::pages::Listed>,
}

pub async fn list(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let pp = partnership(&st, &slug).await?;
    let p = PartnershipId(pp.id);
    let meetings = super::pages::named(&st, p, store::published(&st.db, p).await?).await?;
    let today = crate::calendar::today();
    let (mut coming, mut past): (Vec<_>, Vec<_>) =
        meetings.into_iter().partition(|l| l.m.date >= today);
    coming.sort_by_key(|l| l.m.date);
    past.sort_by_key(|l| std::cmp::Reverse(l.m.date));
    Ok(ListPage {
        page: Page::public(&viewer, "Meetings", &pp.name, &pp.slug, "/meetings"),
        slug,
        sections: [
            Section {
                heading: "Coming meetings",
                id: "coming",
                order: "soonest first",
                none: "No meetings to come have been published yet.",
                rows: coming,
            },
            Section {
                heading: "Past meetings",
                id: "past",
                order: "newest first",
                none: "No past meetings have been published.",
                rows: past,
            },
        ],
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/public_meeting.html")]
struct MeetingPage {
    page: Page,
    slug: String,
    body: String,
    label: &'static str,
    m: Meeting,
    items: Vec<AgendaItem>,
    withheld: usize,
    papers: Vec<Paper>,
    minutes: Minutes,
    decisions: Vec<Decision>,
}

pub async fn meeting(
    State(st): State<AppState>,
    viewer: Viewer,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let pp = partnership(&st, &slug).await?;
    let p = PartnershipId(pp.id);
    let m = published(&st, p, id).await?;
    let all = store::agenda(&st.db, p, m.id).await?;
    let withheld = all.iter().filter(|i| i.restricted).count();
    let items: Vec<AgendaItem> = all.into_iter().filter(|i| !i.restricted).collect();
    let open = |item_id: i64| items.iter().any(|i| i.id == item_id);
    let papers = papers::of_meeting(&st.db, p, m.id)
        .await?
        .into_iter()
        .filter(|x| open(x.agenda_item_id))
        .collect();
    let minutes = store::minutes(&st.db, p, m.id).await?;
    let decisions = if minutes.status == MinutesStatus::Approved {
        store::decisions(&st.db, p, m.id)
            .await?
            .into_iter()
            .filter(|d| open(d.agenda_item_id))
            .collect()
    } else {
        Vec::new()
    };
    let body = super::pages::body_name(&st, p, &m.body_key).await?;
    Ok(MeetingPage {
        page: Page::public(
            &viewer,
            format!("{body}: {}", m.date.format("%-d %B %Y")),
            &pp.name,
            &pp.slug,
            "/meetings",
        ),
        label: super::model::kind_label(&m.kind),
        slug,
        body,
        m,
        items,
        withheld,
        papers,
        minutes,
        decisions,
    }
    .into_response())
}

/// The current version of an open paper of a published meeting.
pub async fn paper(
    State(st): State<AppState>,
    Path((slug, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    let pp = partnership(&st, &slug).await?;
    let p = PartnershipId(pp.id);
    let paper = papers::get(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    published(&st, p, paper.meeting_id).await?;
    store::agenda_item(&st.db, p, paper.agenda_item_id)
        .await?
        .filter(|i| !i.restricted)
        .ok_or(AppError::NotFound)?;
    let v = paper.current().ok_or(AppError::NotFound)?;
    st.files.serve(&st.db, p, v.file.id).await
}
