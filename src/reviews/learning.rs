//! The learning loop: a review's findings and recommendations; each recommendation's actions in
//! the shared tracker (owner, organisation, due date, evidence there); the learning outputs
//! made from it (a 7-minute briefing, a training change, a procedure change); and whether
//! evidence shows practice changed. `/reviews/learning` shows, for every recommendation, whether
//! the loop is closed.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Serialize;

use super::cases::{self, CasePart, CaseSight, Submitted, date_field};
use super::model::{self, Loop};
use crate::accounts::store::stale_record;
use crate::actions::model::Status;
use crate::actions::store::{Action, Filter};
use crate::args;
use crate::state::{AppState, Ctx};
use crate::store::{Db, PartnershipId, Row, Sql, StoreResult, Tx};
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::viewer::Viewer;

pub const SOURCE: &str = "recommendation";

crate::record! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Recommendation {
        pub id: i64,
        pub case_id: i64,
        pub number: i64,
        pub finding: String,
        pub recommendation: String,
        pub practice_changed: String,
        pub practice_evidence: String,
        pub assessed_on: Option<NaiveDate>,
        pub version: i64,
    }
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Output {
    pub id: i64,
    pub recommendation_id: i64,
    pub kind: String,
    pub title: String,
    pub link: String,
    pub produced_on: NaiveDate,
}

/// A recommendation with its actions and outputs, and where it stands in the loop.
pub struct Tracked {
    pub r: Recommendation,
    pub actions: Vec<Action>,
    pub outputs: Vec<Output>,
    pub state: Loop,
}

impl Tracked {
    /// Its actions done.
    pub fn done(&self) -> usize {
        self.actions
            .iter()
            .filter(|a| a.status == Status::Done)
            .count()
    }

    /// Its actions not cancelled.
    pub fn live(&self) -> usize {
        self.actions
            .iter()
            .filter(|a| a.status != Status::Cancelled)
            .count()
    }
}

const COLUMNS: &str = <Recommendation as crate::store::Record>::COLUMNS;

fn recommendation_of(r: &Row) -> StoreResult<Recommendation> {
    <Recommendation as crate::store::Record>::from_row(r)
}

/// The recommendations of one case, or (with `None`) of every case, in order.
pub async fn recommendations(
    db: &Db,
    p: PartnershipId,
    case_id: Option<i64>,
) -> StoreResult<Vec<Recommendation>> {
    let rows = match case_id {
        Some(c) => {
            db.fetch_all(
                Sql::join(&["SELECT ", COLUMNS, " FROM review_recommendations WHERE partnership_id = $1 AND case_id = $2 ORDER BY number"]),
                args![p, c],
            )
            .await?
        }
        None => {
            db.fetch_all(
                Sql::join(&["SELECT ", COLUMNS, " FROM review_recommendations WHERE partnership_id = $1 ORDER BY case_id, number"]),
                args![p],
            )
            .await?
        }
    };
    rows.iter().map(recommendation_of).collect()
}

pub async fn recommendation(
    db: &Db,
    p: PartnershipId,
    id: i64,
) -> StoreResult<Option<Recommendation>> {
    db.fetch_optional(
        Sql::join(&[
            "SELECT ",
            COLUMNS,
            " FROM review_recommendations WHERE partnership_id = $1 AND id = $2",
        ]),
        args![p, id],
    )
    .await?
    .as_ref()
    .map(recommendation_of)
    .transpose()
}

/// The learning outputs of every recommendation of the partnership.
async fn outputs(db: &Db, p: PartnershipId) -> StoreResult<Vec<Output>> {
    db.fetch_all(
        "SELECT id, recommendation_id, kind, title, link, produced_on FROM learning_outputs WHERE partnership_id = $1 ORDER BY produced_on, id",
        args![p],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(Output {
            id: r.get("id")?,
            recommendation_id: r.get("recommendation_id")?,
            kind: r.get("kind")?,
            title: r.get("title")?,
            link: r.get("link")?,
            produced_on: r.get("produced_on")?,
        })
    })
    .collect()
}

/// Each recommendation with its actions (from the shared tracker) and outputs: two queries
/// however many recommendations there are.
pub async fn tracked(
    db: &Db,
    p: PartnershipId,
    recs: Vec<Recommendation>,
) -> StoreResult<Vec<Tracked>> {
    let actions = crate::actions::store::list(
        db,
        p,
        &Filter {
            source_kind: Some(SOURCE.to_owned()),
            ..Filter::default()
        },
    )
    .await?;
    let mut actions_of: HashMap<i64, Vec<Action>> = HashMap::new();
    for a in actions {
        actions_of.entry(a.source_id).or_default().push(a);
    }
    let mut outputs_of: HashMap<i64, Vec<Output>> = HashMap::new();
    for o in outputs(db, p).await? {
        outputs_of.entry(o.recommendation_id).or_default().push(o);
    }
    Ok(recs
        .into_iter()
        .map(|r| {
            let actions = actions_of.remove(&r.id).unwrap_or_default();
            let statuses: Vec<&str> = actions.iter().map(|a| a.status.as_str()).collect();
            let state = model::learning_loop(&statuses, &r.practice_changed);
            let outputs = outputs_of.remove(&r.id).unwrap_or_default();
            Tracked {
                r,
                actions,
                outputs,
                state,
            }
        })
        .collect())
}

/// A recommendation whose case the person may read (its reading audited with the case).
async fn read(st: &AppState, viewer: &Viewer, id: i64) -> AppResult<(Recommendation, cases::Case)> {
    let p = viewer.tenant()?;
    let r = recommendation(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let c = cases::read(st, viewer, r.case_id).await?;
    Ok((r, c))
}

/// Back to the recommendation on its case's learning page.
fn to_recommendation(case_id: i64, rid: i64) -> Response {
    crate::web::redirect(&format!("/reviews/{case_id}/learning#recommendation-{rid}"))
}

/// Show the case again with a learning form's errors.
async fn again(
    st: &AppState,
    viewer: &Viewer,
    c: cases::Case,
    f: HashMap<String, String>,
    errors: Errors,
    status: StatusCode,
) -> AppResult<Response> {
    let page = cases::case_page(
        st,
        viewer,
        c,
        CasePart::Learning,
        Submitted {
            learning: Some(f),
            ..Submitted::default()
        },
        errors,
    )
    .await?;
    Ok((status, page).into_response())
}

fn field<'a>(f: &'a HashMap<String, String>, name: &str) -> &'a str {
    f.get(name).map_or("", String::as_str)
}

/// Add a finding and its recommendation to a case, numbered in order.
pub async fn add_recommendation(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<HashMap<String, String>>,
) -> AppResult<Response> {
    let c = cases::read(&st, &viewer, id).await?;
    let mut errors = Errors::default();
    let finding = field(&f, "finding").trim();
    let text = field(&f, "recommendation").trim();
    errors.text("finding", finding, 5000);
    if text.is_empty() || text.chars().count() > 5000 {
        errors.add(
            "recommendation",
            "Enter the recommendation, in 5,000 characters or fewer",
        );
    }
    if !errors.is_empty() {
        return again(&st, &viewer, c, f, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    let now = tx.now();
    let next: i64 = tx
        .fetch_optional(
            "SELECT COALESCE(MAX(number), 0) + 1 AS n FROM review_recommendations WHERE partnership_id = $1 AND case_id = $2",
            args![p, c.id],
        )
        .await?
        .map(|r| r.get("n"))
        .transpose()?
        .unwrap_or(1);
    tx.insert(
        "INSERT INTO review_recommendations (partnership_id, case_id, number, finding, recommendation, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        args![p, c.id, next, finding, text, now, now, actor.name.as_str()],
        Some(p),
        "review-recommendation",
        &format!("Recommendation {next} for {}", c.pseudonym),
        &serde_json::json!({"case": c.id, "number": next, "finding": finding, "recommendation": text}),
    )
    .await?;
    tx.commit().await?;
    crate::web::saved(
        &st.db,
        &viewer,
        &format!("Recommendation {next} added"),
        &format!("/reviews/{id}/learning"),
    )
    .await
}

/// Raise an action from a recommendation: it goes into the shared tracker, where its owner
/// reports progress and attaches evidence.
pub async fn add_action(
    Ctx { st, viewer, p }: Ctx,
    Path(rid): Path<i64>,
    FormData(f): FormData<HashMap<String, String>>,
) -> AppResult<Response> {
    let (r, c) = read(&st, &viewer, rid).await?;
    let name = |n: &str| format!("{n}-{rid}");
    let picked = crate::actions::chosen_owner(&st, p, field(&f, &name("owner_user_id"))).await?;
    // A person picked is named by their account unless a name is typed as well.
    let (owner_name, owner_organisation) = match &picked {
        Ok(Some(o)) if field(&f, &name("owner_name")).trim().is_empty() => (
            o.name.clone(),
            match field(&f, &name("owner_organisation")).trim() {
                "" => o.organisation.clone(),
                typed => typed.to_owned(),
            },
        ),
        _ => (
            field(&f, &name("owner_name")).to_owned(),
            field(&f, &name("owner_organisation")).to_owned(),
        ),
    };
    let typed = crate::actions::model::Typed {
        title: field(&f, &name("title")),
        owner_name: &owner_name,
        owner_organisation: &owner_organisation,
        due: field(&f, &name("due")),
    };
    let checked = crate::actions::model::check_new(&typed, name);
    let ((title, owner, organisation, due), owner_user) = match (checked, picked) {
        (Ok(x), Ok(o)) => (x, o.map(|o| o.user_id)),
        (checked, picked) => {
            let mut errors = Errors::default();
            if let Err(why) = picked {
                errors.add(&name("owner_user_id"), why);
            }
            for (field, message) in checked.err().unwrap_or_default() {
                errors.add(&field, message);
            }
            return again(&st, &viewer, c, f, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let a = crate::actions::store::NewAction {
        source_kind: SOURCE.into(),
        source_id: r.id,
        body_key: c.body_key.clone(),
        reference: format!("{} recommendation {}", c.pseudonym, r.number),
        title,
        owner_name: owner,
        owner_organisation: organisation,
        owner_user_id: owner_user,
        due,
        sensitive: true,
        restricted_item: None,
    };
    let action = crate::actions::store::add(&st.db, &viewer.actor(), p, &a).await?;
    crate::web::flash(
        &st.db,
        &viewer,
        &crate::web::page::Flash::with_link(
            "Action added to the tracker",
            &format!("/actions/{action}"),
            "View the action",
        ),
    )
    .await?;
    Ok(to_recommendation(c.id, rid))
}

/// Link a learning output to a recommendation.
pub async fn add_output(
    Ctx { st, viewer, p }: Ctx,
    Path(rid): Path<i64>,
    FormData(f): FormData<HashMap<String, String>>,
) -> AppResult<Response> {
    let (r, c) = read(&st, &viewer, rid).await?;
    let name = |n: &str| format!("{n}-{rid}");
    let mut errors = Errors::default();
    let kind = field(&f, &name("kind"));
    errors.required_choice(
        &name("kind"),
        kind,
        model::OUTPUT_KINDS,
        "Select what kind of learning output it is",
    );
    let title = field(&f, &name("output_title")).trim();
    if title.is_empty() || title.chars().count() > 300 {
        errors.add(
            &name("output_title"),
            "Enter the output's title, in 300 characters or fewer",
        );
    }
    let link = field(&f, &name("link")).trim();
    // A web address, or one of masa's own pages ("//host" would leave masa).
    let linkable = link.is_empty()
        || link.starts_with("https://")
        || link.starts_with("http://")
        || (link.starts_with('/') && !link.starts_with("//"));
    if !linkable || link.chars().count() > 500 {
        errors.add(
            &name("link"),
            "Enter a web address starting https://, or a masa address starting /",
        );
    }
    let on = date_field(
        &mut errors,
        &name("produced_on"),
        "Date produced",
        field(&f, &name("produced_on")),
        true,
    );
    let (Some(on), true) = (on, errors.is_empty()) else {
        return again(&st, &viewer, c, f, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    let now = tx.now();
    tx.insert(
        "INSERT INTO learning_outputs (partnership_id, recommendation_id, kind, title, link, produced_on, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        args![p, r.id, kind, title, link, on, now, actor.name.as_str()],
        Some(p),
        "learning-output",
        &format!("{}: {} for {} recommendation {}", model::output_label(kind), title, c.pseudonym, r.number),
        &serde_json::json!({"recommendation": r.id, "kind": kind, "title": title, "link": link, "produced_on": on}),
    )
    .await?;
    tx.commit().await?;
    Ok(to_recommendation(c.id, rid))
}

/// Record whether evidence shows practice changed.
pub async fn assess(
    Ctx { st, viewer, p }: Ctx,
    Path(rid): Path<i64>,
    FormData(f): FormData<HashMap<String, String>>,
) -> AppResult<Response> {
    let (r, c) = read(&st, &viewer, rid).await?;
    let name = |n: &str| format!("{n}-{rid}");
    let version = crate::web::forms::version(field(&f, &name("version")))?;
    let mut errors = Errors::default();
    let changed = field(&f, &name("practice_changed"));
    errors.required_choice(
        &name("practice_changed"),
        changed,
        model::PRACTICE,
        "Select whether evidence shows practice changed",
    );
    let evidence = field(&f, &name("practice_evidence")).trim();
    if changed == "shown" && evidence.is_empty() {
        errors.add(
            &name("practice_evidence"),
            "Say what evidence shows practice changed: an audit, a survey, the scorecard",
        );
    }
    errors.text(&name("practice_evidence"), evidence, 5000);
    if !errors.is_empty() {
        return again(&st, &viewer, c, f, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let today = cases::today();
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    let n = tx
        .update_versioned(
            &crate::store::Versioned::new("review_recommendations", "review-recommendation", p, r.id, version),
            "practice_changed = $1, practice_evidence = $2, assessed_on = $3",
            args![changed, evidence, today],            &format!("Practice change assessed for {} recommendation {}", c.pseudonym, r.number),
            &serde_json::json!({"practice_changed": r.practice_changed, "evidence": r.practice_evidence, "assessed_on": r.assessed_on}),
            &serde_json::json!({"practice_changed": changed, "evidence": evidence, "assessed_on": today}),
        )
        .await?;
    if n.is_err() {
        drop(tx);
        let mut errors = Errors::default();
        errors.add(
            &name("practice_changed"),
            stale_record(
                &st.db,
                "review_recommendations",
                p,
                r.id,
                "This recommendation no longer exists.",
            )
            .await?,
        );
        let c = cases::get(&st.db, p, c.id)
            .await?
            .ok_or(AppError::NotFound)?;
        return again(&st, &viewer, c, f, errors, StatusCode::CONFLICT).await;
    }
    tx.commit().await?;
    Ok(to_recommendation(c.id, rid))
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/learning.html")]
struct LoopPage {
    page: Page,
    rows: Vec<(cases::Case, Tracked)>,
    closed: usize,
    actions_done: usize,
    /// How many recommendations stand at each point of the loop, and the same as a chart.
    states: Vec<(Loop, usize)>,
    chart: String,
}

/// The recommendations at each point of the loop as one bar, in the colours of their tags.
fn loop_chart(states: &[(Loop, usize)]) -> String {
    use crate::web::chart::{Colour, Stacked};
    let colour = |l: Loop| match l {
        Loop::NoActions => Colour::Red,
        Loop::ActionsOpen => Colour::Yellow,
        Loop::ActionsDone => Colour::Blue,
        Loop::Closed => Colour::Green,
    };
    states
        .iter()
        .fold(
            Stacked::new(
                "loop-chart",
                "Where the recommendations stand in the learning loop",
                "recommendation",
                "recommendations",
            ),
            |c, (l, n)| c.part(l.label(), *n as u64, colour(*l)),
        )
        .svg()
}

/// Every recommendation the person may see, and whether its loop is closed.
pub async fn learning(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let sight = CaseSight::of(&st.db, &viewer).await?;
    let cases: Vec<cases::Case> = cases::list(&st.db, p)
        .await?
        .into_iter()
        .filter(|c| sight.case(c))
        .collect();
    let recs = recommendations(&st.db, p, None)
        .await?
        .into_iter()
        .filter(|r| cases.iter().any(|c| c.id == r.case_id))
        .collect();
    let mut rows = Vec::new();
    for t in tracked(&st.db, p, recs).await? {
        if let Some(c) = cases.iter().find(|c| c.id == t.r.case_id) {
            rows.push((c.clone(), t));
        }
    }
    let closed = rows.iter().filter(|(_, t)| t.state == Loop::Closed).count();
    let actions_done = rows
        .iter()
        .filter(|(_, t)| matches!(t.state, Loop::Closed | Loop::ActionsDone))
        .count();
    let states: Vec<(Loop, usize)> = Loop::ALL
        .iter()
        .map(|l| (*l, rows.iter().filter(|(_, t)| t.state == *l).count()))
        .collect();
    Ok(LoopPage {
        chart: loop_chart(&states),
        states,
        page: Page::new(
            &viewer,
            "Learning from reviews: is the loop closed?",
            "/reviews",
        ),
        rows,
        closed,
        actions_done,
    }
    .into_response())
}
