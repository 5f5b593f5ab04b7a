//! The business unit's forms for the arrangements, field by field: organisations, posts,
//! statutory partners and bodies. Each form changes one entry of the stored file and saves it
//! through `store::edit_entry` or `store::add_entry`, so the arrangements are checked as a
//! whole, versioned and audited exactly as when a file is uploaded.
//!
//! One file per kind of entry; this one holds what they share (reading fields, loading an
//! entry, finishing a save, the list page).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::model::{self, Day};
use super::store::{self, EditError, ImportSummary, Item};
use super::view;
use crate::state::{AppState, Ctx};
use crate::store::PartnershipId;
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::viewer::Viewer;

mod bodies;
mod organisations;
mod partners;
mod posts;
mod sections;

pub use bodies::*;
pub use organisations::*;
pub use partners::*;
pub use posts::*;
pub use sections::*;

/// Choices for a select: (value, label).
type Options = Vec<(String, String)>;

fn labelled(list: &[&str]) -> Options {
    list.iter()
        .map(|k| ((*k).to_owned(), view::role_label(k)))
        .collect()
}

/// The entries of a kind as choices, an ended one saying when it ended (a CCG and its ICB).
fn choices(all: &[Item], kind: &str, except: &str) -> Options {
    all.iter()
        .filter(|i| i.kind == kind && i.key != except)
        .map(|i| {
            let name = if i.name.is_empty() { &i.key } else { &i.name };
            let label = match i.to {
                Some(d) => format!("{name} (until {})", d.format("%-d %B %Y")),
                None => name.clone(),
            };
            (i.key.clone(), label)
        })
        .collect()
}

fn yes(v: &str) -> bool {
    v == "yes"
}

fn flag(b: bool) -> String {
    if b { "yes".into() } else { String::new() }
}

fn date_text(d: Option<Day>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn opt_date(errors: &mut Errors, field: &str, label: &str, v: &str) -> Option<Day> {
    errors.date(field, label, v).map(Day)
}

/// A start and end date, the end not before the start.
fn dates(errors: &mut Errors, from: &str, to: &str) -> (Option<Day>, Option<Day>) {
    let f = opt_date(errors, "from", "The start date", from);
    let t = opt_date(errors, "to", "The end date", to);
    if let (Some(a), Some(b)) = (f, t)
        && b < a
    {
        errors.add(
            "to",
            "The end date must be the same as or after the start date",
        );
    }
    (f, t)
}

fn percent_text(share: f64) -> String {
    let p = (share * 1000.0).round() / 10.0;
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        format!("{p:.1}")
    }
}

async fn load<T: DeserializeOwned>(
    st: &AppState,
    p: PartnershipId,
    kind: &str,
    key: &str,
) -> AppResult<(T, i64)> {
    let (item, version) = store::entry(&st.db, p, kind, key)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((store::decode(&item)?, version))
}

/// What became of a save: on to `next` with a message, or the problems to show against
/// `field` (problems of the arrangements as a whole have no field of their own).
async fn finish(
    st: &AppState,
    viewer: &Viewer,
    saved: Result<ImportSummary, EditError>,
    flash: &str,
    next: &str,
    field: &str,
) -> AppResult<Result<Response, (Errors, StatusCode)>> {
    let mut errors = Errors::default();
    match saved {
        Ok(_) => {
            crate::web::flash(&st.db, viewer, flash).await?;
            Ok(Ok(crate::web::redirect(next)))
        }
        Err(EditError::Problems(ps)) => {
            let all: Vec<String> = ps.into_iter().map(|p| p.message).collect();
            errors.add(field, all.join(". "));
            Ok(Err((errors, StatusCode::UNPROCESSABLE_ENTITY)))
        }
        Err(EditError::Stale(m)) => {
            errors.add(
                field,
                format!("{m} Your changes were not saved: the form now shows it as it stands."),
            );
            Ok(Err((errors, StatusCode::CONFLICT)))
        }
        Err(EditError::App(e)) => Err(e),
    }
}

/// A list of one kind of entry, each with a link to its form.
#[derive(Template, WebTemplate)]
#[template(path = "arrangements/list.html")]
struct ListPage {
    page: Page,
    intro: &'static str,
    add: (&'static str, &'static str),
    headers: Vec<&'static str>,
    rows: Vec<(String, String, Vec<String>)>,
}

fn list_page(
    viewer: &Viewer,
    title: &str,
    intro: &'static str,
    add: (&'static str, &'static str),
    headers: Vec<&'static str>,
    rows: Vec<(String, String, Vec<String>)>,
) -> Response {
    ListPage {
        page: Page::new(viewer, title, "/admin/arrangements"),
        intro,
        add,
        headers,
        rows,
    }
    .into_response()
}

fn name_of(all: &[Item], kind: &str, key: &str) -> String {
    all.iter()
        .find(|i| i.kind == kind && i.key == key)
        .map_or_else(|| key.to_owned(), |i| i.name.clone())
}

fn period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    let d = |d: NaiveDate| d.format("%-d %b %Y").to_string();
    match (from, to) {
        (None, None) => String::new(),
        (Some(f), None) => format!("from {}", d(f)),
        (None, Some(t)) => format!("until {}", d(t)),
        (Some(f), Some(t)) => format!("{} to {}", d(f), d(t)),
    }
}

/// Posts labelled with who holds them and where.
fn post_choices(all: &[Item]) -> AppResult<Options> {
    let mut out = Vec::new();
    for i in all.iter().filter(|i| i.kind == "post") {
        let p: model::Post = store::decode(i)?;
        let org = name_of(all, "organisation", &p.organisation);
        let who = if p.holder.is_empty() {
            String::new()
        } else {
            format!(" ({})", p.holder)
        };
        out.push((i.key.clone(), format!("{}, {org}{who}", p.title)));
    }
    Ok(out)
}

async fn save_entry<T: Serialize>(
    st: &AppState,
    viewer: &Viewer,
    kind: &str,
    key: &str,
    version: i64,
    value: &T,
) -> Result<ImportSummary, EditError> {
    let text = toml::to_string_pretty(value)
        .map_err(|e| EditError::App(AppError::Internal(e.to_string())))?;
    store::edit_entry(
        &st.db,
        &viewer.actor(),
        viewer.tenant()?,
        kind,
        key,
        version,
        &text,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_read_and_show_as_people_write_them() {
        let mut e = Errors::default();
        assert_eq!(e.percentage("x", "75", "bad"), Some(0.75));
        assert_eq!(e.percentage("x", " 66.7% ", "bad"), Some(0.667));
        assert!(e.is_empty());
        assert_eq!(e.percentage("x", "0", "bad"), None);
        assert_eq!(e.percentage("y", "120", "bad"), None);
        assert_eq!(e.percentage("z", "three quarters", "bad"), None);
        assert_eq!(e.list().len(), 3);
        assert_eq!(percent_text(0.75), "75");
        assert_eq!(percent_text(0.667), "66.7");
    }

    #[test]
    fn an_end_before_the_start_is_refused() {
        let mut e = Errors::default();
        dates(&mut e, "2022-10-01", "2022-09-30");
        assert!(e.get("to").is_some());
        let mut e = Errors::default();
        dates(&mut e, "2022-10-01", "2022-10-01");
        assert!(e.is_empty());
    }
}
