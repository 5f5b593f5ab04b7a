//! The audit trail page, one entry's detail, and the CSV export.

use crate::web::forms::QueryData;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::accounts::store::{Membership, User, members_of};
use crate::calendar::display_time;
use crate::state::Ctx;
use crate::store::Action;
use crate::store::audit::{self as store, AuditEntry, Filter};
use crate::web::error::{AppError, AppResult};
use crate::web::forms::Errors;
use crate::web::page::Page;

const PER_PAGE: i64 = 50;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct FilterQuery {
    record_type: String,
    record_id: String,
    person: String,
    action: String,
    from: String,
    to: String,
    page: String,
}

impl FilterQuery {
    /// The filter, or the problems with it.
    fn parse(&self, errors: &mut Errors) -> Filter {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let date = |field: &str, s: &str, errors: &mut Errors| -> Option<NaiveDate> {
            let label = if field == "from" {
                "The start date"
            } else {
                "The end date"
            };
            errors.date(field, label, s)
        };
        let person = match self.person.trim() {
            "" => None,
            s => errors.check(
                "person",
                s.parse::<i64>()
                    .map_err(|_| "Select a person from the list"),
            ),
        };
        let action = text(&self.action);
        if let Some(a) = &action
            && !Action::ALL.iter().any(|x| x.as_str() == a)
        {
            errors.add("action", "Select an action from the list");
        }
        let f = Filter {
            record_type: text(&self.record_type),
            record_id: text(&self.record_id),
            person,
            action,
            from: date("from", &self.from, errors),
            to: date("to", &self.to, errors),
        };
        if let (Some(a), Some(b)) = (f.from, f.to)
            && a > b
        {
            errors.add(
                "to",
                "The end date must be the same as or after the start date",
            );
        }
        f
    }

    fn query_string(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("record_type", &self.record_type),
            ("record_id", &self.record_id),
            ("person", &self.person),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.trim().is_empty() {
                q.append_pair(k, v.trim());
            }
        }
        q.finish()
    }
}

pub struct Row {
    pub entry: AuditEntry,
    pub when: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/list.html")]
struct ListPage {
    page: Page,
    q: FilterQuery,
    errors: Errors,
    rows: Vec<Row>,
    total: i64,
    page_no: i64,
    pages: i64,
    query: String,
    people: Vec<(Membership, User)>,
    record_types: Vec<String>,
    actions: Vec<&'static str>,
}

pub async fn list(
    Ctx { st, viewer, p }: Ctx,
    QueryData(q): QueryData<FilterQuery>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    let filter = q.parse(&mut errors);
    let page_no = crate::web::forms::page_number(&q.page)?;
    let hide = super::hidden(&st, &viewer).await?;
    let (entries, total) = if errors.is_empty() {
        store::search(
            &st.db,
            p,
            &filter,
            hide.as_ref(),
            PER_PAGE,
            (page_no - 1) * PER_PAGE,
        )
        .await?
    } else {
        (Vec::new(), 0)
    };
    let rows = entries
        .into_iter()
        .map(|e| Row {
            when: display_time(e.at),
            entry: e,
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ListPage {
        page: Page::new(&viewer, "Audit trail", "/audit"),
        query: q.query_string(),
        q,
        errors,
        rows,
        total,
        page_no,
        pages: (total + PER_PAGE - 1) / PER_PAGE,
        people: members_of(&st.db, p).await?,
        record_types: store::record_types(&st.db, p).await?,
        actions: Action::ALL.iter().map(|a| a.as_str()).collect(),
    };
    Ok((status, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/entry.html")]
struct EntryPage {
    page: Page,
    entry: AuditEntry,
    when: String,
    /// What the change did, field by field, in words.
    changes: Vec<super::words::Change>,
    before: String,
    after: String,
}

fn pretty(json: &Option<String>) -> String {
    json.as_deref()
        .map(|j| {
            serde_json::from_str::<serde_json::Value>(j)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or_else(|| j.to_owned())
        })
        .unwrap_or_default()
}

pub async fn entry(Ctx { st, viewer, p }: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let hide = super::hidden(&st, &viewer).await?;
    let e = store::entry(&st.db, p, id, hide.as_ref())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(EntryPage {
        page: Page::new(&viewer, format!("Audit entry {id}"), "/audit"),
        when: display_time(e.at),
        changes: super::words::changes(e.before_json.as_deref(), e.after_json.as_deref()),
        before: pretty(&e.before_json),
        after: pretty(&e.after_json),
        entry: e,
    }
    .into_response())
}

pub async fn csv(
    Ctx { st, viewer, p }: Ctx,
    QueryData(q): QueryData<FilterQuery>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    let filter = q.parse(&mut errors);
    if let Some((_, m)) = errors.list().first() {
        return Err(AppError::BadRequest(m.clone()));
    }
    let hide = super::hidden(&st, &viewer).await?;
    let (entries, _) = store::search(&st.db, p, &filter, hide.as_ref(), 100_000, 0).await?;
    let rows = entries
        .into_iter()
        .map(|e| {
            vec![
                e.id.to_string().into(),
                e.at.to_rfc3339().into(),
                e.actor_user_id
                    .map(|i| i.to_string())
                    .unwrap_or_default()
                    .into(),
                e.actor_name.into(),
                e.ip.into(),
                e.request_id.into(),
                e.action.into(),
                e.record_type.into(),
                e.record_id.into(),
                e.summary.into(),
                e.before_json.unwrap_or_default().into(),
                e.after_json.unwrap_or_default().into(),
            ]
        })
        .collect();
    crate::web::export::csv(&crate::web::export::Table {
        name: "audit-trail".into(),
        headers: vec![
            "id",
            "at_utc",
            "person_id",
            "person",
            "ip",
            "request_id",
            "action",
            "record_type",
            "record_id",
            "summary",
            "before",
            "after",
        ],
        rows,
    })
}
