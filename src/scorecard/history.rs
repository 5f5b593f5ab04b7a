//! Past figures brought in by the business unit: last years' scorecards from the spreadsheet
//! they were kept in, so the previous years' columns and the trend charts have their figures
//! from the first period masa makes. One file, every row checked, all or nothing.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;

use super::entries::{self, Entry, RowProblem};
use super::format::{Indicator, Input};
use super::store;
use crate::state::Ctx;
use crate::web::error::{AppError, AppResult};
use crate::web::page::Page;

#[derive(Template, WebTemplate)]
#[template(path = "scorecard/history.html")]
struct HistoryPage {
    page: Page,
    has_document: bool,
    problems: Vec<RowProblem>,
    file_name: String,
    reason: String,
    reason_error: Option<String>,
}

async fn history_page(
    ctx: &Ctx,
    problems: Vec<RowProblem>,
    file_name: String,
    reason: String,
    reason_error: Option<String>,
) -> AppResult<Response> {
    let page = HistoryPage {
        page: Page::new(&ctx.viewer, "Past figures", "/scorecard"),
        has_document: super::document(&ctx.st, ctx.p).await?.is_some(),
        problems,
        file_name,
        reason,
        reason_error,
    };
    let refused = !page.problems.is_empty() || page.reason_error.is_some();
    Ok(if refused {
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    } else {
        page.into_response()
    })
}

pub async fn page(ctx: Ctx) -> AppResult<Response> {
    history_page(&ctx, Vec::new(), String::new(), String::new(), None).await
}

/// The rows by the day they are for and the organisation that sends each indicator.
pub fn by_day_and_source(
    indicators: &[&Indicator],
    rows: Vec<(NaiveDate, Entry)>,
) -> BTreeMap<(NaiveDate, String), Vec<Entry>> {
    let mut out: BTreeMap<(NaiveDate, String), Vec<Entry>> = BTreeMap::new();
    for (day, e) in rows {
        if let Some(i) = indicators.iter().find(|i| i.code == e.code) {
            out.entry((day, i.source.clone())).or_default().push(e);
        }
    }
    out
}

pub async fn upload(ctx: Ctx, form: axum::extract::Multipart) -> AppResult<Response> {
    let up = crate::files::Upload::read(form, entries::MAX_FILE).await?;
    let reason = up.field("reason").trim().to_owned();
    let Some((_, d)) = super::document(&ctx.st, ctx.p).await? else {
        return Err(AppError::NotFound);
    };
    let one = |m: &str| {
        vec![RowProblem {
            line: 0,
            column: String::new(),
            message: m.to_owned(),
        }]
    };
    let (name, bytes) = match &up.file {
        _ if up.too_large => {
            let p = one("the file is larger than 1 MB");
            return history_page(&ctx, p, String::new(), reason, None).await;
        }
        Some((n, b)) if !b.is_empty() => (crate::files::clean_name(n), b),
        _ => {
            let p = one("select a CSV or XLSX file of past figures to upload");
            return history_page(&ctx, p, String::new(), reason, None).await;
        }
    };
    let sent: Vec<&Indicator> = d
        .all_indicators()
        .filter(|i| i.input() != Input::Derived)
        .collect();
    let rows = match entries::read_history(&sent, bytes) {
        Ok(r) => r,
        Err(problems) => return history_page(&ctx, problems, name, reason, None).await,
    };
    if rows.is_empty() {
        let p = one("the file has no figures: one row a figure, under ends_on, code and value");
        return history_page(&ctx, p, name, reason, None).await;
    }
    if reason.chars().count() > 1000 {
        let e = Some("The reason must be 1,000 characters or fewer".to_owned());
        return history_page(&ctx, Vec::new(), name, reason, e).await;
    }
    let groups = by_day_and_source(&sent, rows);
    if reason.is_empty() {
        for ((day, _), list) in &groups {
            if store::corrects(&ctx.st.db, ctx.p, *day, list).await? {
                let e = Some(format!(
                    "Some of these figures correct ones already recorded (for {} and perhaps other days): say why they are being corrected",
                    day.format("%-d %B %Y")
                ));
                return history_page(&ctx, Vec::new(), name, reason, e).await;
            }
        }
    }
    let (recorded, corrected) = store::record_many(
        &ctx.st.db,
        &ctx.viewer.actor(),
        ctx.p,
        &groups,
        "history",
        &reason,
    )
    .await?;
    let days = groups
        .keys()
        .map(|(d, _)| d)
        .collect::<std::collections::BTreeSet<_>>();
    crate::web::saved(
        &ctx.st.db,
        &ctx.viewer,
        &format!(
            "{name}: {recorded} figure{} recorded for {} day{}, {corrected} of them correction{}",
            if recorded == 1 { "" } else { "s" },
            days.len(),
            if days.len() == 1 { "" } else { "s" },
            if corrected == 1 { "" } else { "s" },
        ),
        "/scorecard/history",
    )
    .await
}
