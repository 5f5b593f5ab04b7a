//! Actions in the JSON API: the tracker's views, and one action with its progress.

use axum::Json;
use axum::extract::{Path, Query};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model;
use super::store::{self, Filter};
use crate::state::{AppState, Ctx};
use crate::web::error::{AppError, AppResult};
use crate::web::viewer::Viewer;

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ActionsQuery {
    /// Only this body's actions (its key in the arrangements).
    pub body: Option<String>,
    /// Only actions owned by this organisation.
    pub organisation: Option<String>,
    /// Only actions owned by this person.
    pub owner: Option<String>,
    /// `open` or `overdue`; all if not given.
    pub show: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ActionOut {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub body: String,
    pub owner: String,
    pub organisation: String,
    pub due: NaiveDate,
    pub status: String,
    /// `green`, `amber`, `red` or `done`, by the due date and the partnership's amber period.
    pub rag: String,
    pub completed_on: Option<NaiveDate>,
    pub escalated_on: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct NoteOut {
    pub date: NaiveDate,
    pub note: String,
    pub by: String,
}

#[derive(Serialize, ToSchema)]
pub struct ActionDetailOut {
    pub action: ActionOut,
    pub progress: Vec<NoteOut>,
}

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

use crate::calendar::today;

async fn outs(
    st: &AppState,
    viewer: &Viewer,
    actions: Vec<store::Action>,
) -> AppResult<Vec<ActionOut>> {
    let p = viewer.tenant()?;
    let (rules, _) = crate::partnerships::rules::rules(&st.db, p).await?;
    let cal = crate::calendar::store::current(&st.db).await?;
    let t = today();
    Ok(actions
        .into_iter()
        .map(|a| ActionOut {
            rag: match model::rag(a.due, a.status, t, rules.amber_working_days, &cal) {
                model::Rag::Done => "done",
                model::Rag::Green => "green",
                model::Rag::Amber => "amber",
                model::Rag::Red => "red",
            }
            .into(),
            id: a.id,
            reference: a.reference,
            title: a.title,
            body: a.body_key,
            owner: a.owner_name,
            organisation: a.owner_organisation,
            due: a.due,
            status: a.status.to_string(),
            completed_on: a.completed_on,
            escalated_on: a.escalated_on,
        })
        .collect())
}

#[utoipa::path(get, path = "/api/v1/actions", tag = "actions", security(("bearer" = [])), params(ActionsQuery),
    responses((status = 200, description = "Actions by due date, with their RAG", body = [ActionOut]), (status = 400, description = "A bad query")))]
pub async fn actions(
    Ctx { st, viewer, p }: Ctx,
    q: Q<ActionsQuery>,
) -> AppResult<Json<Vec<ActionOut>>> {
    let q = q
        .map(|Query(v)| v)
        .map_err(|e| AppError::BadRequest(format!("Bad query: {}", e.body_text())))?;
    let show = q.show.as_deref().unwrap_or("");
    if !["", "open", "overdue"].contains(&show) {
        return Err(AppError::BadRequest("show is open or overdue".into()));
    }
    let f = Filter {
        body: q.body,
        organisation: q.organisation,
        owner: q.owner,
        owned_by: None,
        overdue_on: (show == "overdue").then(today),
        open_only: show == "open",
        source: None,
        source_kind: None,
        open_or_due_from: None,
        within: super::pages::within(&st, &viewer).await?,
    };
    let list = store::list(&st.db, p, &f).await?;
    Ok(Json(outs(&st, &viewer, list).await?))
}

#[utoipa::path(get, path = "/api/v1/actions/{id}", tag = "actions", security(("bearer" = [])), params(("id" = i64, Path, description = "The action")),
    responses((status = 200, description = "The action and its dated progress notes", body = ActionDetailOut), (status = 404, description = "No such action in this partnership")))]
pub async fn action(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<ActionDetailOut>> {
    let a = super::pages::visible_action(&st, &viewer, id).await?;
    let progress = store::notes(&st.db, p, id)
        .await?
        .into_iter()
        .map(|n| NoteOut {
            date: n.noted_on,
            note: n.note,
            by: n.created_by,
        })
        .collect();
    let action = outs(&st, &viewer, vec![a])
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok(Json(ActionDetailOut { action, progress }))
}
