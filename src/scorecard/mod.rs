//! The performance scorecard: the partnership's indicator catalogue and scorecards (kept as a
//! document, `masa-scorecard/1`), reporting periods whose figures each source organisation
//! sends by a form, a CSV file or the API, corrections kept as revisions with who, when and
//! why, rates per 10,000 children from the arrangements' child population, small numbers
//! hidden, and publishing: what is published is fixed, and every publication stays readable.
//!
//! Who sees what: the partnership's governance reads the scorecard; the business unit keeps
//! the catalogue, opens and publishes periods and names who sends each organisation's figures;
//! a submitter sees and sends only their organisation's figures (and writes the commentary of
//! the sections their organisation owns). Anything else is not found.

pub mod api;
pub mod card;
pub mod entries;
pub mod format;
pub mod history;
mod imports;
pub mod model;
mod pages;
pub mod returns;
pub mod store;
mod submit;

use askama::Template;

use crate::state::{AppState, Route};
use crate::store::PartnershipId;
use crate::web::error::{AppError, AppResult};
use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;

pub use pages::tasks;

pub fn routes() -> Vec<Route> {
    use Permission::*;
    vec![
        Route::get("/scorecard", Governance, pages::hub),
        Route::post("/scorecard/periods", ManagePartnership, pages::open),
        Route::get("/scorecard/periods/{id}", Governance, pages::period),
        Route::get(
            "/scorecard/periods/{id}/publish",
            ManagePartnership,
            pages::publish_form,
        ),
        Route::post(
            "/scorecard/periods/{id}/publish",
            ManagePartnership,
            pages::publish,
        ),
        Route::get(
            "/scorecard/periods/{id}/publications/{number}",
            Governance,
            pages::publication,
        ),
        Route::get(
            "/scorecard/periods/{id}/publications/{number}/paper.pdf",
            Governance,
            pages::paper,
        ),
        // A section's owner may be a practitioner: the handler decides.
        Route::get(
            "/scorecard/periods/{id}/commentary/{section}",
            Partnership,
            pages::commentary_form,
        ),
        Route::post(
            "/scorecard/periods/{id}/commentary/{section}",
            Partnership,
            pages::save_commentary,
        ),
        // A submitter may be a practitioner: the handler shows each only their organisation.
        Route::get(
            "/scorecard/periods/{id}/organisations/{org}",
            Partnership,
            submit::form,
        ),
        Route::post(
            "/scorecard/periods/{id}/organisations/{org}",
            Partnership,
            submit::save,
        ),
        Route::post(
            "/scorecard/periods/{id}/organisations/{org}/upload",
            Partnership,
            submit::upload,
        ),
        Route::get(
            "/scorecard/periods/{id}/organisations/{org}/template.csv",
            Partnership,
            submit::template,
        ),
        Route::get(
            "/scorecard/periods/{id}/organisations/{org}/template.xlsx",
            Partnership,
            submit::template_xlsx,
        ),
        Route::get("/scorecard/indicators", Governance, pages::catalogue),
        Route::post("/scorecard/indicators", ManagePartnership, pages::import),
        Route::get("/scorecard/indicators/{code}", Governance, pages::indicator),
        Route::get("/scorecard/document", Governance, pages::document),
        Route::get(
            "/scorecard/submitters",
            ManagePartnership,
            pages::submitters,
        ),
        Route::post(
            "/scorecard/submitters",
            ManagePartnership,
            pages::add_submitter,
        ),
        Route::post(
            "/scorecard/submitters/remove",
            ManagePartnership,
            pages::remove_submitter,
        ),
        Route::get("/scorecard/history", ManagePartnership, history::page),
        Route::post("/scorecard/history", ManagePartnership, history::upload),
        // The local authority's statutory returns: larger than any other upload.
        Route::get("/scorecard/returns", ManagePartnership, imports::page),
        Route::post(
            "/scorecard/returns/census",
            ManagePartnership,
            imports::census,
        )
        .with_body_limit(imports::MAX_CENSUS),
        Route::post(
            "/scorecard/returns/903",
            ManagePartnership,
            imports::ssda903,
        )
        .with_body_limit(imports::MAX_903),
        Route::get("/p/{slug}/scorecard.csv", Public, pages::open_data),
        Route::get("/api/v1/scorecard/periods", Governance, api::periods),
        Route::get("/api/v1/scorecard/periods/{id}", Governance, api::period),
        Route::get("/api/v1/scorecard/indicators", Governance, api::indicators),
        // A sender's system (the token of someone named to send): the handler decides.
        Route::post(
            "/api/v1/scorecard/periods/{id}/organisations/{org}/figures",
            Partnership,
            api::send,
        ),
    ]
}

/// `masa scorecard check FILE`: every problem, with its line. Returns the number of problems.
pub fn check_file(path: &std::path::Path) -> Result<usize, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    match format::parse(&bytes, &format::Known::default()) {
        Ok(d) => {
            println!(
                "{}: fine ({} indicators, {} scorecards)",
                path.display(),
                d.indicators.len(),
                d.scorecards.len()
            );
            Ok(0)
        }
        Err(problems) => {
            for p in &problems {
                println!("{}:{}: {}", path.display(), p.line, p.message);
            }
            Ok(problems.len())
        }
    }
}

/// The document in use, parsed; `None` before one is brought in. A stored document never
/// changes (a new one takes the next number), so it is parsed once per number.
pub async fn document(
    st: &AppState,
    p: PartnershipId,
) -> AppResult<Option<(i64, std::sync::Arc<format::Document>)>> {
    let Some(n) = store::document_number(&st.db, p).await? else {
        return Ok(None);
    };
    let key = format!("scorecard-document:{}:{n}", p.0);
    if let Some(d) = st.memo.get::<format::Document>(&key) {
        return Ok(Some((n, d)));
    }
    match store::document(&st.db, p).await? {
        None => Ok(None),
        Some((n, text)) => {
            let d = store::parsed(&text).ok_or_else(|| {
                AppError::Internal(format!("stored scorecard document {n} does not read"))
            })?;
            let key = format!("scorecard-document:{}:{n}", p.0);
            Ok(Some((n, st.memo.keep(key, d))))
        }
    }
}

/// The arrangements' organisations and areas, which a document names.
pub async fn known(st: &AppState, p: PartnershipId) -> AppResult<format::Known> {
    let keys = |v: Vec<(String, String)>| Some(v.into_iter().map(|(k, _)| k).collect());
    Ok(format::Known {
        organisations: keys(crate::arrangements::store::names(&st.db, p, "organisation").await?),
        areas: keys(crate::arrangements::store::names(&st.db, p, "area").await?),
    })
}

/// Whether this person may send an organisation's figures: the business unit, or someone named
/// to send them.
pub async fn may_submit(
    st: &AppState,
    viewer: &Viewer,
    p: PartnershipId,
    org: &str,
) -> AppResult<bool> {
    if Permission::ManagePartnership.allows(viewer) {
        return Ok(true);
    }
    let Some(u) = &viewer.user else {
        return Ok(false);
    };
    Ok(store::submits_for(&st.db, p, u.id)
        .await?
        .iter()
        .any(|o| o == org))
}

#[derive(Template)]
#[template(path = "mail/scorecard-asked.txt")]
struct AskedText<'a> {
    name: &'a str,
    organisation: &'a str,
    partnership: &'a str,
    period: &'a str,
    due: chrono::NaiveDate,
    count: usize,
    chase: bool,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/scorecard-asked.html")]
struct AskedHtml<'a> {
    name: &'a str,
    organisation: &'a str,
    partnership: &'a str,
    period: &'a str,
    due: chrono::NaiveDate,
    count: usize,
    chase: bool,
    link: &'a str,
}

/// Ask each organisation's submitters for what it has still to send for a period (`chase`:
/// the due day has passed). Returns how many messages were queued.
pub async fn ask(
    st: &AppState,
    p: PartnershipId,
    period: &store::Period,
    chase: bool,
) -> AppResult<usize> {
    let Some((_, d)) = document(st, p).await? else {
        return Ok(0);
    };
    let outstanding = store::outstanding(&st.db, p, &d, period).await?;
    let names: std::collections::BTreeMap<String, String> =
        crate::arrangements::store::names(&st.db, p, "organisation")
            .await?
            .into_iter()
            .collect();
    let partnership = crate::partnerships::store::by_id(&st.db, p)
        .await?
        .map(|x| x.name)
        .unwrap_or_default();
    let base = st.config.base_url.trim_end_matches('/');
    let mut queued = 0;
    for (org, _, name, email) in store::submitters(&st.db, p).await? {
        let Some(codes) = outstanding.get(&org) else {
            continue;
        };
        let organisation = names.get(&org).map_or(org.as_str(), String::as_str);
        let link = format!("{base}/scorecard/periods/{}/organisations/{org}", period.id);
        let subject = if chase {
            format!("Late: {organisation}'s figures for {}", period.label)
        } else {
            format!("{organisation}'s figures for {} are due", period.label)
        };
        let (count, due) = (codes.len(), period.due_on);
        let mail = crate::mail::Mail::from_templates(
            &email,
            &subject,
            &AskedText {
                name: &name,
                organisation,
                partnership: &partnership,
                period: &period.label,
                due,
                count,
                chase,
                link: &link,
            },
            &AskedHtml {
                name: &name,
                organisation,
                partnership: &partnership,
                period: &period.label,
                due,
                count,
                chase,
                link: &link,
            },
        )?;
        st.mailer.queue(&st.db, Some(p), mail).await?;
        queued += 1;
    }
    Ok(queued)
}

/// How many working days pass between one chase of late figures and the next.
pub const CHASE_EVERY_WORKING_DAYS: i64 = 5;

/// Chase late figures: each unpublished period past its due day, at most once every
/// [`CHASE_EVERY_WORKING_DAYS`] working days, claimed first so that however many instances
/// run, each chase is sent once.
pub async fn hourly(st: &AppState) -> AppResult<()> {
    chase(st, crate::calendar::today()).await.map(|_| ())
}

/// Send the chases owed on `day`; returns how many periods were chased.
pub async fn chase(st: &AppState, day: chrono::NaiveDate) -> AppResult<usize> {
    let cal = crate::calendar::store::current(&st.db).await?;
    let mut chased = 0;
    for (p, period) in store::past_due(&st.db, day).await? {
        if !model::chase_owed(
            period.due_on,
            period.chased_on,
            day,
            CHASE_EVERY_WORKING_DAYS,
            &cal,
        ) {
            continue;
        }
        if !store::claim_chase(&st.db, p, &period, day).await? {
            continue;
        }
        ask(st, p, &period, true).await?;
        chased += 1;
    }
    Ok(chased)
}
