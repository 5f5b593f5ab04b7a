//! Meetings and decisions in the JSON API, for the partnership's governance (its bodies'
//! members, the scrutineer and the business unit), restricted as the pages are.

use axum::Json;
use axum::extract::{Path, Query};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::access::{self, Sight};
use super::model;
use super::store;
use crate::state::{AppState, Ctx};
use crate::web::error::{AppError, AppResult};
use crate::web::viewer::Viewer;

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct MeetingsQuery {
    /// The first day (YYYY-MM-DD); a year ago if not given.
    pub from: Option<NaiveDate>,
    /// The last day (YYYY-MM-DD); a year ahead if not given.
    pub to: Option<NaiveDate>,
    /// Only this body's meetings (its key in the arrangements).
    pub body: Option<String>,
}

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

fn query<T>(q: Q<T>) -> AppResult<T> {
    q.map(|Query(v)| v)
        .map_err(|e| AppError::BadRequest(format!("Bad query: {}", e.body_text())))
}

use crate::calendar::today;

#[derive(Serialize, ToSchema)]
pub struct DeadlineOut {
    pub what: String,
    pub due: NaiveDate,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingOut {
    pub id: i64,
    pub body: String,
    pub kind: String,
    pub date: NaiveDate,
    pub start_time: String,
    pub venue: String,
    pub status: String,
    pub urgent_reason: String,
    pub deadlines: Vec<DeadlineOut>,
}

#[utoipa::path(get, path = "/api/v1/meetings", tag = "meetings", security(("bearer" = [])), params(MeetingsQuery),
    responses((status = 200, description = "Meetings in the period, by date, with their deadlines in working days", body = [MeetingOut]), (status = 400, description = "A bad query")))]
pub async fn meetings(
    Ctx { st, viewer, p }: Ctx,
    q: Q<MeetingsQuery>,
) -> AppResult<Json<Vec<MeetingOut>>> {
    let q = query(q)?;
    let t = today();
    let from = q.from.unwrap_or(t - Duration::days(366));
    let to = q.to.unwrap_or(t + Duration::days(366));
    if to < from || (to - from).num_days() > 3660 {
        return Err(AppError::BadRequest(
            "Give a period of at most ten years, from before to".into(),
        ));
    }
    let (rules, _) = store::rules(&st.db, p).await?;
    let cal = crate::calendar::store::current(&st.db).await?;
    let sight = Sight::of(&st.db, &viewer).await?;
    let ms = store::between(&st.db, p, from, to, q.body.as_deref()).await?;
    Ok(Json(
        ms.into_iter()
            .filter(|m| sight.body(&m.body_key))
            .map(|m| out(m, &rules, &cal))
            .collect(),
    ))
}

fn out(
    m: store::Meeting,
    rules: &model::Rules,
    cal: &crate::calendar::working_days::Calendar,
) -> MeetingOut {
    MeetingOut {
        deadlines: model::deadlines(m.date, rules, cal)
            .into_iter()
            .map(|d| DeadlineOut {
                what: d.what.to_owned(),
                due: d.due,
            })
            .collect(),
        id: m.id,
        body: m.body_key,
        kind: m.kind,
        date: m.date,
        start_time: m.start_time,
        venue: m.venue,
        status: m.status.to_string(),
        urgent_reason: m.urgent_reason,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ItemOut {
    pub id: i64,
    pub position: i64,
    pub title: String,
    pub presenter: String,
    pub organisation: String,
    pub purpose: String,
    pub restricted: bool,
    pub minute_number: Option<i64>,
    pub minute: String,
    /// The item's papers, each at its current version (none for a restricted item the reader
    /// may not see).
    pub papers: Vec<PaperOut>,
}

#[derive(Serialize, ToSchema)]
pub struct PaperOut {
    pub id: i64,
    pub title: String,
    pub version: i64,
    pub late: bool,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    /// Where a signed-in person downloads it.
    pub download: String,
}

#[derive(Serialize, ToSchema)]
pub struct AttendeeOut {
    pub name: String,
    pub organisation: String,
    pub status: String,
    pub deputy: String,
    pub voting: bool,
    /// There without being a member (a minute-taker, say): never counted for the quorum.
    pub in_attendance: bool,
}

#[derive(Serialize, ToSchema)]
pub struct DecisionOut {
    pub id: i64,
    pub meeting_id: i64,
    pub item_id: i64,
    pub text: String,
    pub method: String,
    pub outcome: String,
    pub votes_for: i64,
    pub votes_against: i64,
    pub abstentions: i64,
    pub dissent: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingDetailOut {
    pub meeting: MeetingOut,
    /// Whether it is quorate by the body's rule, with the reason.
    pub quorate: bool,
    pub quorum: String,
    pub minutes_status: String,
    pub agenda: Vec<ItemOut>,
    pub attendance: Vec<AttendeeOut>,
    pub decisions: Vec<DecisionOut>,
}

/// Restricted items are shown in full only to those who read everything; each such read is in
/// the audit trail. Others see that there is a restricted item, not what it says.
async fn visible_items(
    st: &AppState,
    viewer: &Viewer,
    sight: &Sight,
    items: Vec<store::AgendaItem>,
) -> AppResult<Vec<ItemOut>> {
    let papers = match items.first() {
        Some(i) => super::papers::of_meeting(&st.db, sight.partnership, i.meeting_id).await?,
        None => Vec::new(),
    };
    let mut out = Vec::new();
    for i in items {
        let shown = super::access::may_read(sight, &i);
        if shown {
            access::read_item(
                st,
                viewer,
                sight,
                &i,
                "Restricted item read through the API",
            )
            .await?;
        }
        out.push(ItemOut {
            id: i.id,
            position: i.position,
            title: if shown {
                i.title
            } else {
                "Restricted item".into()
            },
            presenter: if shown { i.presenter } else { String::new() },
            organisation: if shown { i.organisation } else { String::new() },
            purpose: i.purpose,
            restricted: i.restricted,
            minute_number: i.minute_number,
            minute: if shown { i.minute_text } else { String::new() },
            papers: papers
                .iter()
                .filter(|x| shown && x.agenda_item_id == i.id)
                .filter_map(|x| {
                    let v = x.current()?;
                    Some(PaperOut {
                        id: x.id,
                        title: x.title.clone(),
                        version: v.number,
                        late: v.late,
                        file_name: v.file.name.clone(),
                        media_type: v.file.media_type.clone(),
                        size_bytes: v.file.size,
                        download: format!("/meetings/papers/{}/{}", x.id, v.number),
                    })
                })
                .collect(),
        });
    }
    Ok(out)
}

fn decision_out(meeting_id: i64, d: store::Decision) -> DecisionOut {
    DecisionOut {
        id: d.id,
        meeting_id,
        item_id: d.agenda_item_id,
        text: d.text,
        method: d.method,
        outcome: d.outcome,
        votes_for: d.votes_for,
        votes_against: d.votes_against,
        abstentions: d.abstentions,
        dissent: d.dissent,
    }
}

#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings", security(("bearer" = [])), params(("id" = i64, Path, description = "The meeting")),
    responses((status = 200, description = "The meeting with its agenda, attendance, quorum, decisions and minutes", body = MeetingDetailOut), (status = 404, description = "No such meeting in this partnership")))]
pub async fn meeting(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<MeetingDetailOut>> {
    let sight = Sight::of(&st.db, &viewer).await?;
    let m = store::get(&st.db, p, id).await?.ok_or(AppError::NotFound)?;
    sight.require_body(&m.body_key)?;
    let (rules, _) = store::rules(&st.db, p).await?;
    let cal = crate::calendar::store::current(&st.db).await?;
    let items = store::agenda(&st.db, p, id).await?;
    let mut hidden = Vec::new();
    for i in &items {
        if !super::access::may_read(&sight, i) {
            hidden.push(i.id);
        }
    }
    let people = store::attendance(&st.db, p, id).await?;
    let q = super::conduct::quorate(&st, p, &m).await?;
    let quorum = match &q {
        model::Quorate::Yes(w) | model::Quorate::No(w) => w.clone(),
        model::Quorate::NoRule => "The body states no quorum rule".into(),
    };
    Ok(Json(MeetingDetailOut {
        quorate: q.is_quorate(),
        quorum,
        minutes_status: store::minutes(&st.db, p, id).await?.status.to_string(),
        agenda: visible_items(&st, &viewer, &sight, items).await?,
        attendance: people
            .into_iter()
            .map(|a| AttendeeOut {
                name: a.name,
                organisation: a.organisation,
                status: a.status.to_string(),
                deputy: a.deputy_name,
                voting: a.voting,
                in_attendance: a.in_attendance,
            })
            .collect(),
        decisions: store::decisions(&st.db, p, id)
            .await?
            .into_iter()
            .filter(|d| !hidden.contains(&d.agenda_item_id))
            .map(|d| decision_out(id, d))
            .collect(),
        meeting: out(m, &rules, &cal),
    }))
}

#[utoipa::path(get, path = "/api/v1/decisions", tag = "meetings", security(("bearer" = [])), params(MeetingsQuery),
    responses((status = 200, description = "Decisions at meetings in the period (restricted items' decisions only for those who read everything)", body = [DecisionOut]), (status = 400, description = "A bad query")))]
pub async fn decisions(
    Ctx { st, viewer, p }: Ctx,
    q: Q<MeetingsQuery>,
) -> AppResult<Json<Vec<DecisionOut>>> {
    let q = query(q)?;
    let t = today();
    let from = q.from.unwrap_or(t - Duration::days(366));
    let to = q.to.unwrap_or(t);
    if to < from || (to - from).num_days() > 3660 {
        return Err(AppError::BadRequest(
            "Give a period of at most ten years, from before to".into(),
        ));
    }
    let sight = Sight::of(&st.db, &viewer).await?;
    let mut out = Vec::new();
    for m in store::between(&st.db, p, from, to, q.body.as_deref()).await? {
        if !sight.body(&m.body_key) {
            continue;
        }
        let mut hidden = Vec::new();
        for i in store::agenda(&st.db, p, m.id).await? {
            if !super::access::may_read(&sight, &i) {
                hidden.push(i.id);
            }
        }
        for d in store::decisions(&st.db, p, m.id).await? {
            if !hidden.contains(&d.agenda_item_id) {
                out.push(decision_out(m.id, d));
            }
        }
    }
    Ok(Json(out))
}
