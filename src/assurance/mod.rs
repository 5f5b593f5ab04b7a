//! Assurance plans: the partnership turns a national review into questions put to chosen
//! agencies; each agency's named responder answers with a RAG rating, a narrative and
//! evidence; where assurance is not given the business unit raises actions in the shared
//! tracker.
//!
//! Who sees what: the whole plan for the business unit and the independent scrutineer (read
//! only), and once issued for the members of the body that owns it; a responder sees only the
//! returns they answer for. Anything else is not found, as if it did not exist.

pub mod api;
pub mod model;
mod pages;
pub use pages::tasks;
pub mod store;

use crate::accounts::model::Role;
use crate::state::Route;
use crate::store::{Db, PartnershipId};
use crate::web::error::{AppError, AppResult};
use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;

pub fn routes() -> Vec<Route> {
    // Every signed-in member of the partnership may reach these: a responder may be a
    // practitioner. The handlers decide, through `Sight`, what each person may see.
    vec![
        Route::get("/assurance", Permission::Partnership, pages::plans),
        Route::post("/assurance", Permission::ManagePartnership, pages::create),
        Route::get(
            "/assurance/new",
            Permission::ManagePartnership,
            pages::new_form,
        ),
        Route::get("/assurance/{id}", Permission::Partnership, pages::plan),
        Route::get(
            "/assurance/{id}/questions",
            Permission::Partnership,
            pages::questions,
        ),
        Route::get(
            "/assurance/{id}/agencies",
            Permission::Partnership,
            pages::agencies,
        ),
        Route::get(
            "/assurance/{id}/issue",
            Permission::Partnership,
            pages::issue_form,
        ),
        Route::get(
            "/assurance/{id}/returns",
            Permission::Partnership,
            pages::returns,
        ),
        Route::get(
            "/assurance/{id}/actions",
            Permission::Partnership,
            pages::actions,
        ),
        Route::post(
            "/assurance/{id}/questions",
            Permission::ManagePartnership,
            pages::add_question,
        ),
        Route::post(
            "/assurance/{id}/agencies",
            Permission::ManagePartnership,
            pages::add_agency,
        ),
        Route::post(
            "/assurance/{id}/issue",
            Permission::ManagePartnership,
            pages::issue,
        ),
        Route::get(
            "/assurance/questions/{id}",
            Permission::ManagePartnership,
            pages::question_form,
        ),
        Route::post(
            "/assurance/questions/{id}",
            Permission::ManagePartnership,
            pages::edit_question,
        ),
        Route::post(
            "/assurance/questions/{id}/remove",
            Permission::ManagePartnership,
            pages::remove_question,
        ),
        Route::post(
            "/assurance/agencies/{id}/remove",
            Permission::ManagePartnership,
            pages::remove_agency,
        ),
        Route::get(
            "/assurance/returns/{id}",
            Permission::Partnership,
            pages::agency_return,
        ),
        Route::post(
            "/assurance/returns/{id}/submit",
            Permission::Partnership,
            pages::submit,
        ),
        Route::get(
            "/assurance/returns/{id}/{question}",
            Permission::Partnership,
            pages::answer_form,
        ),
        Route::post(
            "/assurance/returns/{id}/{question}",
            Permission::Partnership,
            pages::save_answer,
        ),
        Route::get(
            "/assurance/evidence/{id}",
            Permission::Partnership,
            pages::evidence,
        ),
        Route::get(
            "/assurance/answers/{id}",
            Permission::Partnership,
            pages::answer_in_plan,
        ),
        Route::get(
            "/assurance/answers/{id}/action",
            Permission::ManagePartnership,
            pages::action_form,
        ),
        Route::post(
            "/assurance/answers/{id}/action",
            Permission::ManagePartnership,
            pages::raise_action,
        ),
        Route::get("/api/v1/assurance", Permission::Partnership, api::list),
        Route::get("/api/v1/assurance/{id}", Permission::Partnership, api::plan),
    ]
}

/// What one person may see of the partnership's assurance plans.
pub struct Sight {
    /// The business unit and the independent scrutineer: every plan, drafts too.
    all: bool,
    /// The bodies whose issued plans this person sees whole, through their seats.
    bodies: Vec<String>,
    user_id: i64,
}

impl Sight {
    pub async fn of(db: &Db, viewer: &Viewer) -> AppResult<Sight> {
        let p = viewer.tenant()?;
        let all = matches!(
            viewer.role(),
            Some(Role::PartnershipAdmin | Role::Scrutineer)
        );
        let user_id = viewer.user.as_ref().map_or(0, |u| u.id);
        let bodies = if all || user_id == 0 {
            Vec::new()
        } else {
            crate::access::bodies_of(db, p, user_id).await?
        };
        Ok(Sight {
            all,
            bodies,
            user_id,
        })
    }

    /// Whether this person sees the whole plan: every agency and every answer.
    pub fn whole(&self, plan: &store::Plan) -> bool {
        self.all
            || (plan.issued_on.is_some()
                && !plan.body_key.is_empty()
                && self.bodies.contains(&plan.body_key))
    }

    /// Whether this person sees an agency's return: the whole plan, or theirs to answer.
    pub fn agency(&self, plan: &store::Plan, a: &store::Agency) -> bool {
        self.whole(plan) || self.answers_for(plan, a)
    }

    /// Whether this person answers for the agency (only once the plan is issued).
    pub fn answers_for(&self, plan: &store::Plan, a: &store::Agency) -> bool {
        plan.issued_on.is_some() && self.user_id != 0 && a.responder_user_id == self.user_id
    }
}

/// A plan and one agency's return that the person may see; otherwise not found.
pub async fn visible_return(
    db: &Db,
    p: PartnershipId,
    sight: &Sight,
    agency_id: i64,
) -> AppResult<(store::Plan, store::Agency)> {
    let a = store::agency(db, p, agency_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let plan = store::plan(db, p, a.plan_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !sight.agency(&plan, &a) {
        return Err(AppError::NotFound);
    }
    Ok((plan, a))
}
