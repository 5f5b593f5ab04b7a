//! The case record: restricted to the case review body's members, the statutory partners'
//! delegates, the business unit and the independent scrutineer; every view in the audit trail.
//! Its deadlines are the edition's rules over its dates, recomputed when a date is corrected.
//!
//! `record.rs` holds the record and its SQL, `sight.rs` who may read it, `pages.rs` its pages.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::accounts::model::Role;
use crate::accounts::store::stale_record;
use crate::args;
use crate::reviews::model::{self, CaseDates, Due, Edition, Pseudonym};
use crate::state::{AppState, Ctx};
use crate::store::{Action, Actor, Db, PartnershipId, RecordRef, Row, Sql, StoreResult, Tx};
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;

pub(in crate::reviews) use crate::calendar::today;

mod pages;
mod record;
mod sight;
mod tasks;

pub use pages::*;
pub use record::*;
pub use sight::*;
pub use tasks::tasks;
