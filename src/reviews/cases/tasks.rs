//! What the cases ask of the business unit and the scrutineer on their home page: each case's
//! statutory steps as they fall due, and agencies late with their information.

use super::*;
use crate::reviews::model::{Follows, steps_to_do};
use crate::web::tasks::Task;

pub async fn tasks(st: &AppState, viewer: &Viewer, p: PartnershipId) -> AppResult<Vec<Task>> {
    let who = if Permission::ManagePartnership.allows(viewer) {
        Follows::BusinessUnit
    } else if Permission::ReadAll.allows(viewer) {
        Follows::Scrutineer
    } else {
        return Ok(Vec::new());
    };
    let sight = CaseSight::of(&st.db, viewer).await?;
    let rules = Rules::load(st).await?;
    let cal = crate::calendar::store::current(&st.db).await?;
    let t = today();
    let mut out = Vec::new();
    for c in list(&st.db, p).await? {
        if !sight.case(&c) {
            continue;
        }
        let timeline = rules.timeline(&c);
        for d in steps_to_do(
            &timeline
                .rows
                .iter()
                .map(|r| r.0.clone())
                .collect::<Vec<_>>(),
            who,
            t,
            &cal,
        ) {
            out.push(Task::due(
                format!("{}: {}", d.step, c.pseudonym),
                format!("/reviews/{}", c.id),
                "Serious cases",
                d.by,
                (t, &cal, 2),
            ));
        }
        // The business unit chases an agency late with its information while the rapid
        // review is still being done.
        if who == Follows::BusinessUnit && c.rapid_done_on.is_none() {
            for r in crate::reviews::rapid::requests(&st.db, p, c.id).await? {
                if r.returned_on.is_none() && r.due_on < t {
                    out.push(Task::due(
                        format!("Chase {}'s information for {}", r.organisation, c.pseudonym),
                        format!("/reviews/{}#requests", c.id),
                        "Serious cases",
                        r.due_on,
                        (t, &cal, 2),
                    ));
                }
            }
        }
    }
    Ok(out)
}
