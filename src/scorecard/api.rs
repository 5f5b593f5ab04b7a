//! The scorecard in the JSON API: the periods and a period's scorecard (as it stands, or a
//! publication) for the partnership's governance, the indicators, and sending an
//! organisation's figures with a token (an agency's system sends them as a sender would type
//! them: each checked, every problem named, nothing kept when any is wrong).

use axum::Json;
use axum::extract::{Path, Query};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::card::Card;
use super::entries::{self, Entry, Part};
use super::format::Indicator;
use super::pages::{current_card, find_period, the_document};
use super::store;
use crate::state::Ctx;
use crate::web::error::{AppError, AppResult};

#[derive(Serialize, ToSchema)]
pub struct ScorecardPeriodOut {
    pub id: i64,
    pub scorecard: String,
    /// "Q1 2022/23".
    pub label: String,
    pub ends_on: chrono::NaiveDate,
    pub due_on: chrono::NaiveDate,
    /// Publications, oldest first (1, 2 ...); empty until published.
    pub publications: Vec<i64>,
}

#[utoipa::path(get, path = "/api/v1/scorecard/periods", tag = "scorecard", security(("bearer" = [])),
    responses((status = 200, description = "The scorecard's periods, newest first, with their publications", body = [ScorecardPeriodOut])))]
pub async fn periods(Ctx { st, p, .. }: Ctx) -> AppResult<Json<Vec<ScorecardPeriodOut>>> {
    let mut out = Vec::new();
    for period in store::periods(&st.db, p).await? {
        let publications = store::publications(&st.db, p, period.id)
            .await?
            .iter()
            .map(|x| x.number)
            .collect();
        out.push(ScorecardPeriodOut {
            id: period.id,
            scorecard: period.scorecard_key,
            label: period.label,
            ends_on: period.ends_on,
            due_on: period.due_on,
            publications,
        });
    }
    Ok(Json(out))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct CardQuery {
    /// A publication's number: the scorecard exactly as it was published. As it stands now if
    /// not given.
    pub publication: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ScorecardCellOut {
    /// As shown: "2,806", "22.5%", "x" for a hidden small number, "Not available".
    pub shown: String,
    /// The number, when it may be seen; absent when hidden or not sent.
    pub value: Option<f64>,
    /// `small` or `secondary` when hidden.
    pub hidden: Option<String>,
    /// A later revision of a figure it is worked out from.
    pub revised: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ScorecardRowOut {
    pub code: String,
    pub name: String,
    /// The section's previous years, then the period.
    pub cells: Vec<ScorecardCellOut>,
    pub england: String,
    pub statistical_neighbours: String,
    /// `green`, `amber` or `red` against the target.
    pub rag: Option<String>,
    /// `better`, `worse`, `up`, `down` or `same`.
    pub travel: Option<String>,
    /// `above` or `below` its recent range.
    pub exception: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ScorecardSectionOut {
    pub key: String,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<ScorecardRowOut>,
    pub commentary: String,
}

#[derive(Serialize, ToSchema)]
pub struct ScorecardOut {
    pub period_id: i64,
    pub scorecard: String,
    pub title: String,
    pub period: String,
    /// The publication shown; absent for the scorecard as it stands.
    pub publication: Option<i64>,
    pub sections: Vec<ScorecardSectionOut>,
}

fn word<T: Serialize>(v: &T) -> Option<String> {
    serde_json::to_value(v)
        .ok()
        .and_then(|x| x.as_str().map(str::to_owned))
}

fn card_out(period_id: i64, publication: Option<i64>, c: &Card) -> ScorecardOut {
    ScorecardOut {
        period_id,
        scorecard: c.scorecard.clone(),
        title: c.title.clone(),
        period: c.period.clone(),
        publication,
        sections: c
            .sections
            .iter()
            .map(|s| ScorecardSectionOut {
                key: s.key.clone(),
                title: s.title.clone(),
                columns: s.columns.clone(),
                commentary: s.commentary.clone(),
                rows: s
                    .rows
                    .iter()
                    .map(|r| ScorecardRowOut {
                        code: r.code.clone(),
                        name: r.name.clone(),
                        cells: r
                            .cells
                            .iter()
                            .map(|x| ScorecardCellOut {
                                shown: x.shown.clone(),
                                value: x.value.map(super::model::Milli::as_f64),
                                hidden: x.hidden.as_ref().and_then(word),
                                revised: x.revised,
                            })
                            .collect(),
                        england: r.england.clone(),
                        statistical_neighbours: r.neighbours.clone(),
                        rag: r.rag.as_ref().and_then(word),
                        travel: r.travel.as_ref().and_then(word),
                        exception: r.exception.as_ref().and_then(word),
                    })
                    .collect(),
            })
            .collect(),
    }
}

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

#[utoipa::path(get, path = "/api/v1/scorecard/periods/{id}", tag = "scorecard", security(("bearer" = [])), params(("id" = i64, Path, description = "The period"), CardQuery),
    responses((status = 200, description = "A period's scorecard as it stands, or as one publication fixed it; small numbers hidden as on the page", body = ScorecardOut), (status = 404, description = "No such period or publication in this partnership")))]
pub async fn period(
    ctx: Ctx,
    Path(id): Path<i64>,
    q: Q<CardQuery>,
) -> AppResult<Json<ScorecardOut>> {
    let q = q
        .map(|Query(v)| v)
        .map_err(|e| AppError::BadRequest(format!("Bad query: {}", e.body_text())))?;
    let period = find_period(&ctx.st, ctx.p, id).await?;
    let card = match q.publication {
        Some(n) => store::publications(&ctx.st.db, ctx.p, id)
            .await?
            .into_iter()
            .find(|x| x.number == n)
            .and_then(|x| x.card())
            .ok_or(AppError::NotFound)?,
        None => {
            let d = the_document(&ctx.st, ctx.p).await?;
            current_card(&ctx.st, ctx.p, &d, &period).await?
        }
    };
    Ok(Json(card_out(id, q.publication, &card)))
}

#[derive(Serialize, ToSchema)]
pub struct ScorecardIndicatorOut {
    pub code: String,
    pub name: String,
    pub definition: String,
    /// count, percentage, rate, average or days.
    pub unit: String,
    pub higher_is_better: Option<bool>,
    /// The organisation that sends it (its key in the arrangements).
    pub source: String,
    pub frequency: String,
    /// `count`, `share` (numerator and denominator), `value`, or `derived` (nothing to send).
    pub input: String,
    pub numerator: String,
    pub denominator: String,
    pub target: Option<f64>,
    pub tolerance: Option<f64>,
}

fn indicator_out(i: &Indicator) -> ScorecardIndicatorOut {
    ScorecardIndicatorOut {
        code: i.code.clone(),
        name: i.name.clone(),
        definition: i.definition.clone(),
        unit: word(&i.unit).unwrap_or_default(),
        higher_is_better: i.higher_is_better,
        source: i.source.clone(),
        frequency: word(&i.frequency).unwrap_or_default(),
        input: word(&i.input()).unwrap_or_default(),
        numerator: i.numerator.clone(),
        denominator: i.denominator.clone(),
        target: i.target,
        tolerance: i.tolerance,
    }
}

#[utoipa::path(get, path = "/api/v1/scorecard/indicators", tag = "scorecard", security(("bearer" = [])),
    responses((status = 200, description = "The indicator catalogue in use: what each counts, who sends it and how", body = [ScorecardIndicatorOut])))]
pub async fn indicators(Ctx { st, p, .. }: Ctx) -> AppResult<Json<Vec<ScorecardIndicatorOut>>> {
    let d = super::document(&st, p).await?.map(|(_, d)| d);
    Ok(Json(
        d.iter()
            .flat_map(|d| d.all_indicators())
            .map(indicator_out)
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScorecardFigureIn {
    pub code: String,
    /// A count, or a percentage (0 to 100), average or number of days.
    #[schema(value_type = Option<f64>)]
    pub value: Option<serde_json::Number>,
    /// For a share: the two counts.
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScorecardFiguresIn {
    pub figures: Vec<ScorecardFigureIn>,
    /// Why figures already sent are being corrected: needed only then.
    #[serde(default)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct ScorecardFiguresOut {
    /// Figures kept (new ones and corrections; an unchanged figure is not kept again).
    pub recorded: usize,
    pub corrected: usize,
}

/// At most this many figures in one request.
const MOST: usize = 2000;

#[utoipa::path(post, path = "/api/v1/scorecard/periods/{id}/organisations/{org}/figures", tag = "scorecard", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The period"), ("org" = String, Path, description = "The organisation's key in the arrangements")),
    request_body = ScorecardFiguresIn,
    responses((status = 200, description = "The figures were kept: a changed figure as a new revision", body = ScorecardFiguresOut),
        (status = 400, description = "Not JSON of this shape"),
        (status = 422, description = "Every problem, each with its indicator and field; nothing was kept"),
        (status = 404, description = "No such period, or the token's holder does not send this organisation's figures")))]
pub async fn send(
    ctx: Ctx,
    Path((id, org)): Path<(i64, String)>,
    body: Result<Json<ScorecardFiguresIn>, axum::extract::rejection::JsonRejection>,
) -> AppResult<Json<ScorecardFiguresOut>> {
    let period = find_period(&ctx.st, ctx.p, id).await?;
    if !super::may_submit(&ctx.st, &ctx.viewer, ctx.p, &org).await? {
        return Err(AppError::NotFound);
    }
    let d = the_document(&ctx.st, ctx.p).await?;
    let asked = store::asked_of(&d, &period.scorecard_key, &org);
    if asked.is_empty() {
        return Err(AppError::NotFound);
    }
    let Json(body) =
        body.map_err(|e| AppError::BadRequest(format!("Bad request: {}", e.body_text())))?;
    if body.figures.len() > MOST {
        return Err(AppError::Unprocessable(format!(
            "Send at most {MOST} figures at once"
        )));
    }
    let mut problems = Vec::new();
    let mut list: Vec<Entry> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for f in &body.figures {
        let Some(i) = asked.iter().find(|i| i.code == f.code) else {
            problems.push(format!(
                "{}: not one of the indicators asked of this organisation for this period",
                f.code
            ));
            continue;
        };
        if !seen.insert(f.code.as_str()) {
            problems.push(format!("{}: sent twice", f.code));
            continue;
        }
        let text = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        let value = f
            .value
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        match entries::entry(i, &value, &text(f.numerator), &text(f.denominator)) {
            Ok(Some(e)) => list.push(e),
            Ok(None) => problems.push(format!("{}: no figure given", f.code)),
            Err(ps) => problems.extend(ps.into_iter().map(|(part, m)| {
                let field = match part {
                    Part::Value => "value",
                    Part::Numerator => "numerator",
                    Part::Denominator => "denominator",
                };
                format!("{}: {field} {m}", f.code)
            })),
        }
    }
    let reason = body.reason.trim();
    if reason.chars().count() > 1000 {
        problems.push("reason: at most 1,000 characters".into());
    }
    if problems.is_empty()
        && reason.is_empty()
        && store::corrects(&ctx.st.db, ctx.p, period.ends_on, &list).await?
    {
        problems.push("reason: say why the figures already sent are being corrected".into());
    }
    if !problems.is_empty() {
        return Err(AppError::Unprocessable(format!(
            "Nothing was kept. {}",
            problems.join("; ")
        )));
    }
    let (recorded, corrected) = store::record(
        &ctx.st.db,
        &ctx.viewer.actor(),
        ctx.p,
        period.ends_on,
        &org,
        &list,
        "api",
        reason,
    )
    .await?;
    Ok(Json(ScorecardFiguresOut {
        recorded,
        corrected,
    }))
}
