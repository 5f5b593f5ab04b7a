//! A body's work programme (items planned for its future meetings, moved onto an agenda when
//! the time comes) and the urgent decisions its chair takes between meetings.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::model;
use super::store::{self, Meeting};
use crate::args;
use crate::state::{AppState, Ctx};
use crate::store::{PartnershipId, RecordRef, Tx};
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;

use crate::calendar::today;

#[derive(Clone, Debug, Serialize)]
pub struct Planned {
    pub id: i64,
    pub title: String,
    pub purpose: String,
    pub presenter: String,
    pub organisation: String,
    pub meeting_id: Option<i64>,
    pub agenda_item_id: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Urgent {
    pub decided_on: NaiveDate,
    pub decision: String,
    pub reason: String,
    pub chair: String,
    pub consulted: String,
    pub partners_consulted: String,
}

async fn programme_of(st: &AppState, p: PartnershipId, body: &str) -> AppResult<Vec<Planned>> {
    Ok(st
        .db
        .fetch_all(
            "SELECT id, title, purpose, presenter, organisation, meeting_id, agenda_item_id FROM work_programme WHERE partnership_id = $1 AND body_key = $2 ORDER BY id",
            args![p, body],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(Planned {
                id: r.get("id")?,
                title: r.get("title")?,
                purpose: r.get("purpose")?,
                presenter: r.get("presenter")?,
                organisation: r.get("organisation")?,
                meeting_id: r.get("meeting_id")?,
                agenda_item_id: r.get("agenda_item_id")?,
            })
        })
        .collect::<crate::store::StoreResult<_>>()?)
}

async fn urgent_of(st: &AppState, p: PartnershipId, body: &str) -> AppResult<Vec<Urgent>> {
    Ok(st
        .db
        .fetch_all(
            "SELECT decided_on, decision, reason, chair, consulted, partners_consulted FROM urgent_decisions WHERE partnership_id = $1 AND body_key = $2 ORDER BY decided_on DESC, id DESC",
            args![p, body],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(Urgent {
                decided_on: r.get("decided_on")?,
                decision: r.get("decision")?,
                reason: r.get("reason")?,
                chair: r.get("chair")?,
                consulted: r.get("consulted")?,
                partners_consulted: r.get("partners_consulted")?,
            })
        })
        .collect::<crate::store::StoreResult<_>>()?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PlanForm {
    title: String,
    purpose: String,
    presenter: String,
    organisation: String,
    meeting: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UrgentForm {
    decided_on: String,
    decision: String,
    reason: String,
    chair: String,
    consulted: String,
    /// The statutory partners consulted, by role.
    partner: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/programme.html")]
struct ProgrammePage {
    page: Page,
    key: String,
    body: String,
    /// Each planned item, its meeting, and a problem with putting it on the agenda.
    planned: Vec<(Planned, Option<Meeting>, Option<String>)>,
    future: Vec<Meeting>,
    urgent: Vec<Urgent>,
    purposes: Vec<(String, String)>,
    can_manage: bool,
    plan: PlanForm,
    decide: UrgentForm,
    errors: Errors,
}

async fn page(
    st: &AppState,
    viewer: &Viewer,
    key: &str,
    plan: PlanForm,
    decide: UrgentForm,
    errors: Errors,
) -> AppResult<ProgrammePage> {
    let p = viewer.tenant()?;
    let (_, body) = crate::arrangements::store::names(&st.db, p, "body")
        .await?
        .into_iter()
        .find(|(k, _)| k == key)
        .ok_or(AppError::NotFound)?;
    let t = today();
    let future = store::between(&st.db, p, t, t + Duration::days(800), Some(key)).await?;
    let mut planned = Vec::new();
    for i in programme_of(st, p, key).await? {
        let m = match i.meeting_id {
            Some(id) => store::get(&st.db, p, id).await?,
            None => None,
        };
        let problem = errors.get(&format!("planned-{}", i.id)).map(str::to_owned);
        planned.push((i, m, problem));
    }
    Ok(ProgrammePage {
        page: Page::new(viewer, format!("Work programme: {body}"), "/meetings"),
        key: key.to_owned(),
        body,
        planned,
        future,
        urgent: urgent_of(st, p, key).await?,
        purposes: model::PURPOSES
            .iter()
            .map(|p| ((*p).to_owned(), crate::arrangements::view::role_label(p)))
            .collect(),
        can_manage: Permission::ManagePartnership.allows(viewer),
        plan,
        decide,
        errors,
    })
}

pub async fn programme(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(key): Path<String>,
) -> AppResult<Response> {
    super::access::Sight::of(&st.db, &viewer)
        .await?
        .require_body(&key)?;
    let decide = UrgentForm {
        decided_on: today().to_string(),
        ..UrgentForm::default()
    };
    let plan = PlanForm {
        purpose: "decision".into(),
        ..PlanForm::default()
    };
    Ok(page(&st, &viewer, &key, plan, decide, Errors::default())
        .await?
        .into_response())
}

/// Plan an item for one of the body's future meetings (or for a meeting not yet chosen).
pub async fn plan(
    Ctx { st, viewer, p }: Ctx,
    Path(key): Path<String>,
    FormData(f): FormData<PlanForm>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    let title = f.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 300 {
        errors.add(
            "title",
            "Enter the item's title, in 300 characters or fewer",
        );
    }
    if !model::PURPOSES.contains(&f.purpose.as_str()) {
        errors.add("purpose", "Select the item's purpose");
    }
    if f.presenter.chars().count() > 200 || f.organisation.chars().count() > 200 {
        errors.add("presenter", "Enter 200 characters or fewer");
    }
    let meeting = match f.meeting.trim() {
        "" => None,
        m => {
            let found = match m.parse::<i64>() {
                Ok(id) => store::get(&st.db, p, id).await?,
                Err(_) => None,
            };
            match found {
                Some(x) if x.body_key == key && x.date >= today() => Some(x.id),
                _ => {
                    errors.add("meeting", "Select one of the body's future meetings");
                    None
                }
            }
        }
    };
    if !errors.is_empty() {
        let page = page(&st, &viewer, &key, f, UrgentForm::default(), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    let now = tx.now();
    tx.insert(
        "INSERT INTO work_programme (partnership_id, body_key, title, purpose, presenter, organisation, meeting_id, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        args![p, key.as_str(), title.as_str(), f.purpose.as_str(), f.presenter.trim(), f.organisation.trim(), meeting, now, actor.name.as_str()],
        Some(p),
        "work-programme",
        &format!("Planned for {key}: {title}"),
        &serde_json::json!({"title": title, "meeting_id": meeting}),
    )
    .await?;
    tx.commit().await?;
    Ok(crate::web::redirect(&format!(
        "/meetings/bodies/{key}/programme"
    )))
}

/// Move a planned item onto its meeting's agenda.
pub async fn to_agenda(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let r = st
        .db
        .fetch_optional(
            "SELECT body_key FROM work_programme WHERE partnership_id = $1 AND id = $2",
            args![p, id],
        )
        .await?
        .ok_or(AppError::NotFound)?;
    let key: String = r.get("body_key")?;
    let item = programme_of(&st, p, &key)
        .await?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or(AppError::NotFound)?;
    // Said against the item's row of the programme.
    let problem = match (item.meeting_id, item.agenda_item_id) {
        (_, Some(_)) => Some("This item is already on its meeting's agenda"),
        (None, _) => Some("Choose the meeting this item is for before putting it on an agenda"),
        _ => None,
    };
    let (Some(meeting_id), None) = (item.meeting_id, problem) else {
        let mut errors = Errors::default();
        errors.add(&format!("planned-{id}"), problem.unwrap_or_default());
        let plan = PlanForm {
            purpose: "decision".into(),
            ..PlanForm::default()
        };
        let page = page(&st, &viewer, &key, plan, UrgentForm::default(), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let agenda_id = store::add_item(
        &st.db,
        &viewer.actor(),
        p,
        meeting_id,
        &store::NewItem {
            title: item.title.clone(),
            presenter: item.presenter.clone(),
            organisation: item.organisation.clone(),
            purpose: item.purpose.clone(),
            restricted: false,
        },
    )
    .await?;
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    tx.update(
        "UPDATE work_programme SET agenda_item_id = $1 WHERE partnership_id = $2 AND id = $3",
        args![agenda_id, p, id],
        &RecordRef::new(Some(p), "work-programme", id),
        &format!("Put on the agenda: {}", item.title),
        &serde_json::json!({"agenda_item_id": null}),
        &serde_json::json!({"agenda_item_id": agenda_id}),
    )
    .await?;
    tx.commit().await?;
    crate::web::saved(
        &st.db,
        &viewer,
        &format!("{} is on the agenda", item.title),
        &format!("/meetings/{meeting_id}/agenda"),
    )
    .await
}

/// Record an urgent decision the chair took between meetings, with who was consulted. Under
/// Portsmouth's rule (the partnership's majority setting) all three statutory partners must
/// have been consulted.
pub async fn urgent(
    Ctx { st, viewer, p }: Ctx,
    Path(key): Path<String>,
    FormData(f): FormData<UrgentForm>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    let decided_on = errors.required_date(
        "decided_on",
        "Date of the decision",
        &f.decided_on,
        "Enter the date of the decision",
    );
    let decided_on = errors.not_future(
        "decided_on",
        decided_on,
        "The date of an urgent decision cannot be in the future",
    );
    let text = |errors: &mut Errors, field: &str, v: &str, what: &str| {
        errors.required_text(field, v, 5000, &format!("Enter {what}"))
    };
    let decision = text(&mut errors, "decision", &f.decision, "the decision");
    let reason = text(
        &mut errors,
        "reason",
        &f.reason,
        "why it could not wait for a meeting",
    );
    let chair = text(&mut errors, "chair", &f.chair, "who took the decision");
    let consulted = errors.text("consulted", &f.consulted, 5000);
    let partners: Vec<&str> = model::PARTNER_ROLES
        .iter()
        .copied()
        .filter(|r| f.partner.iter().any(|x| x == r))
        .collect();
    let (rules, _) = store::rules(&st.db, p).await?;
    if rules.majority_needs_all_partners && partners.len() < model::PARTNER_ROLES.len() {
        errors.add(
            "partner",
            "An urgent decision is taken in consultation with all three statutory partners: record that each was consulted",
        );
    }
    let (Some(decided_on), true) = (decided_on, errors.is_empty()) else {
        let page = page(&st, &viewer, &key, PlanForm::default(), f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    let now = tx.now();
    let u = Urgent {
        decided_on,
        decision,
        reason,
        chair,
        consulted,
        partners_consulted: partners.join(", "),
    };
    tx.insert(
        "INSERT INTO urgent_decisions (partnership_id, body_key, decided_on, decision, reason, chair, consulted, partners_consulted, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        args![p, key.as_str(), u.decided_on, u.decision.as_str(), u.reason.as_str(), u.chair.as_str(), u.consulted.as_str(), u.partners_consulted.as_str(), now, actor.name.as_str()],
        Some(p),
        "urgent-decision",
        &format!("Urgent decision by {}: {}", u.chair, u.decision),
        &u,
    )
    .await?;
    tx.commit().await?;
    crate::web::saved(
        &st.db,
        &viewer,
        "Urgent decision recorded",
        &format!("/meetings/bodies/{key}/programme#urgent"),
    )
    .await
}
