//! The list of plans, and the returns waiting on the person reading it.

use super::*;

pub struct PlanRow {
    pub plan: Plan,
    pub status: PlanStatus,
    pub agencies: usize,
    pub returned: usize,
    pub overdue: usize,
}

pub struct ReturnRow {
    pub plan: Plan,
    pub agency: Agency,
    pub status: ReturnStatus,
}

#[derive(Template, WebTemplate)]
#[template(path = "assurance/plans.html")]
pub(super) struct PlansPage {
    page: Page,
    plans: Vec<PlanRow>,
    returns: Vec<ReturnRow>,
    can_manage: bool,
}

pub async fn plan_row(st: &AppState, p: PartnershipId, plan: Plan) -> AppResult<PlanRow> {
    let cal = crate::calendar::store::current(&st.db).await?;
    let agencies = store::agencies(&st.db, p, plan.id).await?;
    let returned = agencies.iter().filter(|a| a.returned_on.is_some()).count();
    let overdue = agencies
        .iter()
        .filter(|a| {
            plan.issued_on.is_some()
                && ReturnStatus::of(plan.answers_due, a.returned_on, today(), &cal).overdue()
        })
        .count();
    Ok(PlanRow {
        status: PlanStatus::of(plan.issued_on.is_some(), agencies.len(), returned),
        agencies: agencies.len(),
        returned,
        overdue,
        plan,
    })
}

/// The returns a person answers for, with the plan each belongs to.
pub async fn returns_of(st: &AppState, viewer: &Viewer) -> AppResult<Vec<ReturnRow>> {
    let p = viewer.tenant()?;
    let Some(u) = viewer.user.as_ref() else {
        return Ok(Vec::new());
    };
    let cal = crate::calendar::store::current(&st.db).await?;
    let mut out = Vec::new();
    for agency in store::returns_of(&st.db, p, u.id).await? {
        let Some(plan) = store::plan(&st.db, p, agency.plan_id).await? else {
            continue;
        };
        out.push(ReturnRow {
            status: ReturnStatus::of(plan.answers_due, agency.returned_on, today(), &cal),
            plan,
            agency,
        });
    }
    Ok(out)
}

pub async fn plans(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let sight = Sight::of(&st.db, &viewer).await?;
    let mut rows = Vec::new();
    for plan in store::plans(&st.db, p).await? {
        if sight.whole(&plan) {
            rows.push(plan_row(&st, p, plan).await?);
        }
    }
    Ok(PlansPage {
        page: Page::new(&viewer, "Assurance plans", "/assurance"),
        plans: rows,
        returns: returns_of(&st, &viewer).await?,
        can_manage: Permission::ManagePartnership.allows(&viewer),
    }
    .into_response())
}

/// What assurance plans ask of this person for their home page: the returns they answer for
/// and have not sent; for the business unit, each issued plan whose agencies are overdue.
pub async fn tasks(
    st: &AppState,
    viewer: &Viewer,
    p: PartnershipId,
) -> AppResult<Vec<crate::web::tasks::Task>> {
    use crate::web::tasks::Task;
    let cal = crate::calendar::store::current(&st.db).await?;
    let t = today();
    let mut out = Vec::new();
    for r in returns_of(st, viewer).await? {
        if r.agency.returned_on.is_some() {
            continue;
        }
        out.push(Task::due(
            format!(
                "Send {}'s answers to the assurance plan \u{201c}{}\u{201d}",
                r.agency.organisation_name, r.plan.title
            ),
            format!("/assurance/returns/{}", r.agency.id),
            "Assurance",
            r.plan.answers_due,
            (t, &cal, 2),
        ));
    }
    // The business unit chases; the scrutineer sees the same lateness.
    if crate::web::permissions::Permission::ReadAll.allows(viewer) {
        for plan in store::plans(&st.db, p).await? {
            if plan.issued_on.is_none() {
                continue;
            }
            let row = plan_row(st, p, plan).await?;
            if row.overdue == 0 {
                continue;
            }
            out.push(Task::due(
                format!(
                    "Chase {} {} overdue with answers to \u{201c}{}\u{201d}",
                    row.overdue,
                    if row.overdue == 1 {
                        "agency"
                    } else {
                        "agencies"
                    },
                    row.plan.title
                ),
                format!("/assurance/{}", row.plan.id),
                "Assurance",
                row.plan.answers_due,
                (t, &cal, 2),
            ));
        }
    }
    Ok(out)
}
