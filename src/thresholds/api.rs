//! The thresholds in the JSON API: the published editions for anyone (the same as the public
//! pages), and the figures of the tool's use for the partnership's governance.

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{Contact, Document};
use super::store::{self, Edition};
use crate::state::{AppState, Ctx};
use crate::store::PartnershipId;
use crate::web::error::{AppError, AppResult};

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct EditionQuery {
    /// An edition's number; the one in force today if not given.
    pub edition: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ContactOut {
    pub key: String,
    pub name: String,
    pub purpose: String,
    pub telephone: String,
    pub out_of_hours: String,
    pub email: String,
    pub referral_url: String,
    pub hours: String,
    pub front_door: bool,
}

#[derive(Serialize, ToSchema)]
pub struct LevelOut {
    pub key: String,
    pub name: String,
    pub meaning: String,
    pub next_steps: String,
    pub legal_basis: String,
    /// Contact keys.
    pub contacts: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DomainOut {
    pub key: String,
    pub name: String,
    pub description: String,
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorOut {
    pub key: String,
    pub level: String,
    pub domain: String,
    pub text: String,
    pub guidance: String,
    pub related: Vec<String>,
    pub decisive: bool,
}

#[derive(Serialize, ToSchema)]
pub struct EditionSummaryOut {
    pub number: i64,
    pub title: String,
    pub takes_effect: Option<NaiveDate>,
    pub in_force: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ThresholdsOut {
    pub number: i64,
    pub title: String,
    pub takes_effect: Option<NaiveDate>,
    pub in_force: bool,
    /// `highest` or `most`.
    pub rule: String,
    pub introduction: String,
    pub contacts: Vec<ContactOut>,
    /// Lowest first.
    pub levels: Vec<LevelOut>,
    pub domains: Vec<DomainOut>,
    pub indicators: Vec<IndicatorOut>,
    /// Every published edition, newest first.
    pub editions: Vec<EditionSummaryOut>,
}

fn contact_out(c: &Contact) -> ContactOut {
    ContactOut {
        key: c.key.clone(),
        name: c.name.clone(),
        purpose: c.purpose.clone(),
        telephone: c.telephone.clone(),
        out_of_hours: c.out_of_hours.clone(),
        email: c.email.clone(),
        referral_url: c.referral_url.clone(),
        hours: c.hours.clone(),
        front_door: c.front_door,
    }
}

fn out(e: &Edition, d: &Document, current: Option<i64>, all: &[Edition]) -> ThresholdsOut {
    ThresholdsOut {
        number: e.number,
        title: d.document.title.clone(),
        takes_effect: e.takes_effect,
        in_force: current == Some(e.id),
        rule: match d.document.rule {
            super::model::Rule::Highest => "highest".into(),
            super::model::Rule::Most => "most".into(),
        },
        introduction: d.document.introduction.clone(),
        contacts: d
            .contacts
            .iter()
            .map(|c| contact_out(c.get_ref()))
            .collect(),
        levels: d
            .levels
            .iter()
            .map(toml::Spanned::get_ref)
            .map(|l| LevelOut {
                key: l.key.clone(),
                name: l.name.clone(),
                meaning: l.meaning.clone(),
                next_steps: l.next_steps.clone(),
                legal_basis: l.legal_basis.clone(),
                contacts: l.contacts.clone(),
            })
            .collect(),
        domains: d
            .domains
            .iter()
            .map(toml::Spanned::get_ref)
            .map(|x| DomainOut {
                key: x.key.clone(),
                name: x.name.clone(),
                description: x.description.clone(),
            })
            .collect(),
        indicators: d
            .indicators
            .iter()
            .map(toml::Spanned::get_ref)
            .map(|i| IndicatorOut {
                key: i.key.clone(),
                level: i.level.clone(),
                domain: i.domain.clone(),
                text: i.text.clone(),
                guidance: i.guidance.clone(),
                related: i.related.clone(),
                decisive: i.decisive,
            })
            .collect(),
        editions: all
            .iter()
            .map(|x| EditionSummaryOut {
                number: x.number,
                title: x.title.clone(),
                takes_effect: x.takes_effect,
                in_force: current == Some(x.id),
            })
            .collect(),
    }
}

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

fn query<T>(q: Q<T>) -> AppResult<T> {
    q.map(|Query(v)| v)
        .map_err(|e| AppError::BadRequest(format!("Bad query: {}", e.body_text())))
}

#[utoipa::path(get, path = "/api/v1/p/{slug}/thresholds", tag = "thresholds", params(("slug" = String, Path, description = "The partnership"), EditionQuery),
    responses((status = 200, description = "A published edition of the partnership's thresholds document (the one in force unless another is asked for), with the list of editions; public, like the tool", body = ThresholdsOut), (status = 404, description = "No such partnership, or nothing published")))]
pub async fn published(
    State(st): State<AppState>,
    Path(slug): Path<String>,
    q: Q<EditionQuery>,
) -> AppResult<Json<ThresholdsOut>> {
    let q = query(q)?;
    let pp = crate::partnerships::store::by_slug(&st.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let (current, all) =
        store::in_force(&st.db, PartnershipId(pp.id), crate::calendar::today()).await?;
    let e = match q.edition {
        Some(n) => all.iter().find(|e| e.number == n).cloned(),
        None => current.clone(),
    }
    .ok_or(AppError::NotFound)?;
    let d = e.parsed()?;
    Ok(Json(out(&e, &d, current.map(|c| c.id), &all)))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct PeriodQuery {
    /// The first day (YYYY-MM-DD); a year before `to` if not given.
    pub from: Option<NaiveDate>,
    /// The last day (YYYY-MM-DD); today if not given.
    pub to: Option<NaiveDate>,
}

#[utoipa::path(get, path = "/api/v1/thresholds/usage", tag = "thresholds", security(("bearer" = [])), params(PeriodQuery),
    responses((status = 200, description = "How the public threshold tool was used over the period: uses by month, levels suggested, sectors, the indicators chosen most. Anonymous: no use can be traced to a person", body = store::Usage), (status = 400, description = "The start is after the end")))]
pub async fn usage(Ctx { st, p, .. }: Ctx, q: Q<PeriodQuery>) -> AppResult<Json<store::Usage>> {
    let q = query(q)?;
    let to = q.to.unwrap_or_else(crate::calendar::today);
    let from = q.from.unwrap_or_else(|| to - chrono::Days::new(364));
    if from > to {
        return Err(AppError::BadRequest("from must be on or before to".into()));
    }
    Ok(Json(store::usage(&st.db, p, from, to).await?))
}
