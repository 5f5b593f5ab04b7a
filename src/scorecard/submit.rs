//! An organisation's figures for a period: typed in a form, or a CSV file from the template
//! masa makes for that organisation and period. Every value is checked and a file with any
//! problem is refused whole, each problem with its line; a figure changed after it was sent is
//! a new revision, and says why.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::entries::{self, Entry, Part, RowProblem};
use super::format::{Indicator, Input};
use super::pages::{find_period, organisation_names, raw, the_document};
use super::store::{self, Figure, Period};
use crate::state::Ctx;
use crate::web::error::{AppError, AppResult};
use crate::web::export::{Cell, Table};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::permissions::Permission;

pub struct EntryRow {
    pub i: Indicator,
    pub input: Input,
    pub value: String,
    pub numerator: String,
    pub denominator: String,
    pub fields: [String; 3],
    pub hint: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "scorecard/submit.html")]
struct SubmitPage {
    page: Page,
    period: Period,
    org: String,
    org_name: String,
    rows: Vec<EntryRow>,
    reason: String,
    errors: Errors,
    file_problems: Vec<RowProblem>,
    file_name: String,
    published: bool,
    governance: bool,
}

/// The period, the organisation's name and what it is asked for, when this person may send
/// its figures; not found otherwise (nobody learns what another organisation was asked).
async fn asked(ctx: &Ctx, id: i64, org: &str) -> AppResult<(Period, String, Vec<Indicator>)> {
    let period = find_period(&ctx.st, ctx.p, id).await?;
    if !super::may_submit(&ctx.st, &ctx.viewer, ctx.p, org).await? {
        return Err(AppError::NotFound);
    }
    let d = the_document(&ctx.st, ctx.p).await?;
    let asked: Vec<Indicator> = store::asked_of(&d, &period.scorecard_key, org)
        .into_iter()
        .cloned()
        .collect();
    if asked.is_empty() {
        return Err(AppError::NotFound);
    }
    let name = organisation_names(&ctx.st, ctx.p)
        .await?
        .remove(org)
        .unwrap_or_else(|| org.to_owned());
    Ok((period, name, asked))
}

fn shown_value(i: &Indicator, f: &Figure) -> (String, String, String) {
    match i.input() {
        Input::Share => (
            String::new(),
            f.numerator.map(|n| n.to_string()).unwrap_or_default(),
            f.denominator.map(|n| n.to_string()).unwrap_or_default(),
        ),
        Input::Count => (
            f.numerator.map(|n| n.to_string()).unwrap_or_default(),
            String::new(),
            String::new(),
        ),
        _ => (
            f.value_milli
                .map(|v| {
                    super::model::Milli(v)
                        .shown(3)
                        .trim_end_matches('0')
                        .trim_end_matches('.')
                        .to_owned()
                })
                .unwrap_or_default(),
            String::new(),
            String::new(),
        ),
    }
}

#[allow(clippy::too_many_arguments)]
async fn submit_page(
    ctx: &Ctx,
    period: Period,
    org: &str,
    org_name: String,
    asked: &[Indicator],
    typed: Option<&BTreeMap<String, String>>,
    errors: Errors,
    file_problems: Vec<RowProblem>,
    file_name: String,
) -> AppResult<SubmitPage> {
    let codes: Vec<String> = asked.iter().map(|i| i.code.clone()).collect();
    let sent = store::sent(&ctx.st.db, ctx.p, period.ends_on, &codes).await?;
    let rows = asked
        .iter()
        .map(|i| {
            let last = sent.get(&i.code).map(|f| (f.clone(), raw(i, f)));
            let (value, numerator, denominator) = match typed {
                Some(t) => {
                    let get = |part: Part| t.get(&part.field(&i.code)).cloned().unwrap_or_default();
                    (
                        get(Part::Value),
                        get(Part::Numerator),
                        get(Part::Denominator),
                    )
                }
                None => sent
                    .get(&i.code)
                    .map(|f| shown_value(i, f))
                    .unwrap_or_default(),
            };
            let hint = match &last {
                Some((f, words)) => format!(
                    "Sent: {words} (revision {}, by {} on {})",
                    f.revision,
                    f.recorded_by,
                    crate::calendar::uk_local(f.recorded_at).format("%-d %B %Y")
                ),
                None => "Not sent yet".to_owned(),
            };
            let fields =
                [Part::Value, Part::Numerator, Part::Denominator].map(|x| x.field(&i.code));
            EntryRow {
                input: i.input(),
                i: i.clone(),
                value,
                numerator,
                denominator,
                fields,
                hint,
            }
        })
        .collect();
    Ok(SubmitPage {
        page: Page::new(
            &ctx.viewer,
            format!("{org_name}: figures for {}", period.label),
            "/scorecard",
        ),
        published: !store::publications(&ctx.st.db, ctx.p, period.id)
            .await?
            .is_empty(),
        governance: Permission::Governance.allows(&ctx.viewer),
        reason: typed
            .and_then(|t| t.get("reason").or_else(|| t.get("upload-reason")).cloned())
            .unwrap_or_default(),
        period,
        org: org.to_owned(),
        org_name,
        rows,
        errors,
        file_problems,
        file_name,
    })
}

pub async fn form(ctx: Ctx, Path((id, org)): Path<(i64, String)>) -> AppResult<Response> {
    let (period, name, asked) = asked(&ctx, id, &org).await?;
    Ok(submit_page(
        &ctx,
        period,
        &org,
        name,
        &asked,
        None,
        Errors::default(),
        Vec::new(),
        String::new(),
    )
    .await?
    .into_response())
}

const REASON_NEEDED: &str = "Say why the figures already sent are being corrected (the scorecard shows who corrected them, when and why)";

async fn keep(
    ctx: &Ctx,
    period: &Period,
    org: &str,
    entries: &[Entry],
    how: &str,
    reason: &str,
) -> AppResult<Response> {
    let (recorded, corrected) = store::record(
        &ctx.st.db,
        &ctx.viewer.actor(),
        ctx.p,
        period.ends_on,
        org,
        entries,
        how,
        reason,
    )
    .await?;
    let message = match (recorded, corrected) {
        (0, _) => "Nothing changed: every figure is as it was already".to_owned(),
        (n, 0) => format!("{n} {} recorded", if n == 1 { "figure" } else { "figures" }),
        (n, c) => format!(
            "{n} {} recorded, {c} of them corrections",
            if n == 1 { "figure" } else { "figures" }
        ),
    };
    crate::web::saved(
        &ctx.st.db,
        &ctx.viewer,
        &message,
        &format!("/scorecard/periods/{}/organisations/{org}", period.id),
    )
    .await
}

pub async fn save(
    ctx: Ctx,
    Path((id, org)): Path<(i64, String)>,
    FormData(typed): FormData<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let (period, name, asked) = asked(&ctx, id, &org).await?;
    let mut errors = Errors::default();
    let mut list = Vec::new();
    for i in &asked {
        let get = |part: Part| typed.get(&part.field(&i.code)).map_or("", String::as_str);
        match entries::entry(
            i,
            get(Part::Value),
            get(Part::Numerator),
            get(Part::Denominator),
        ) {
            Ok(Some(e)) => list.push(e),
            Ok(None) => {}
            Err(problems) => {
                for (part, m) in problems {
                    errors.add(&part.field(&i.code), format!("{} {m}", i.name));
                }
            }
        }
    }
    let reason = errors.text(
        "reason",
        typed.get("reason").map_or("", String::as_str),
        1000,
    );
    if errors.is_empty()
        && reason.is_empty()
        && store::corrects(&ctx.st.db, ctx.p, period.ends_on, &list).await?
    {
        errors.add("reason", REASON_NEEDED);
    }
    if !errors.is_empty() {
        let page = submit_page(
            &ctx,
            period,
            &org,
            name,
            &asked,
            Some(&typed),
            errors,
            Vec::new(),
            String::new(),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    keep(&ctx, &period, &org, &list, "form", &reason).await
}

/// A CSV file of the organisation's figures: kept only when every row is right.
pub async fn upload(
    ctx: Ctx,
    Path((id, org)): Path<(i64, String)>,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    let (period, name, asked) = asked(&ctx, id, &org).await?;
    let up = crate::files::Upload::read(form, entries::MAX_FILE).await?;
    let refs: Vec<&Indicator> = asked.iter().collect();
    let fields: BTreeMap<String, String> = up.fields.clone().into_iter().collect();
    let refuse = |problems: Vec<RowProblem>, file: String, errors: Errors| async {
        let page = submit_page(
            &ctx,
            period.clone(),
            &org,
            name.clone(),
            &asked,
            Some(&fields),
            errors,
            problems,
            file,
        )
        .await?;
        Ok::<Response, AppError>((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let one = |m: &str| {
        vec![RowProblem {
            line: 1,
            column: String::new(),
            message: m.to_owned(),
        }]
    };
    let (file, bytes) = match &up.file {
        _ if up.too_large => {
            return refuse(
                one("the file is larger than 1 MB"),
                String::new(),
                Errors::default(),
            )
            .await;
        }
        Some((n, b)) if !b.is_empty() => (crate::files::clean_name(n), b.clone()),
        _ => {
            return refuse(
                one("select a CSV file of your figures to upload"),
                String::new(),
                Errors::default(),
            )
            .await;
        }
    };
    let list = match entries::read_file(&refs, &bytes) {
        Ok(l) => l,
        Err(problems) => return refuse(problems, file, Errors::default()).await,
    };
    let mut errors = Errors::default();
    let reason = errors.text("upload-reason", up.field("upload-reason"), 1000);
    if errors.is_empty()
        && reason.is_empty()
        && store::corrects(&ctx.st.db, ctx.p, period.ends_on, &list).await?
    {
        errors.add("upload-reason", REASON_NEEDED);
    }
    if !errors.is_empty() {
        return refuse(Vec::new(), file, errors).await;
    }
    keep(&ctx, &period, &org, &list, "upload", &reason).await
}

/// The organisation's template for the period: a row for each figure asked of it, with what
/// it has sent already; as CSV, or XLSX with `template.xlsx`.
pub async fn template(ctx: Ctx, Path((id, org)): Path<(i64, String)>) -> AppResult<Response> {
    template_as(ctx, id, org, false).await
}

pub async fn template_xlsx(ctx: Ctx, Path((id, org)): Path<(i64, String)>) -> AppResult<Response> {
    template_as(ctx, id, org, true).await
}

async fn template_as(ctx: Ctx, id: i64, org: String, xlsx: bool) -> AppResult<Response> {
    let (period, _, asked) = asked(&ctx, id, &org).await?;
    let codes: Vec<String> = asked.iter().map(|i| i.code.clone()).collect();
    let sent = store::sent(&ctx.st.db, ctx.p, period.ends_on, &codes).await?;
    let rows = asked
        .iter()
        .map(|i| {
            let (v, n, d) = sent
                .get(&i.code)
                .map(|f| shown_value(i, f))
                .unwrap_or_default();
            let name = match i.input() {
                Input::Share => format!(
                    "{} (numerator: {}; denominator: {})",
                    i.name, i.numerator, i.denominator
                ),
                _ => i.name.clone(),
            };
            vec![
                Cell::from(i.code.as_str()),
                Cell::from(name),
                Cell::from(v),
                Cell::from(n),
                Cell::from(d),
            ]
        })
        .collect();
    let slug = period.file_name();
    let t = Table {
        name: format!("scorecard-{org}-{slug}"),
        headers: entries::COLUMNS.to_vec(),
        rows,
    };
    if xlsx {
        crate::web::export::xlsx(&t)
    } else {
        crate::web::export::csv(&t)
    }
}
