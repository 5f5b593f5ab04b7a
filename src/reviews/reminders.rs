//! Reminders to the people who owe a case's next step, through the outbox: the business unit
//! for the statutory steps, each partner's delegate for a decision waiting for their signature,
//! each agency's named responder for its information. Each reminder is sent once for a step and
//! its date; a corrected date reminds again.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};

use super::{cases, model, rapid};
use crate::accounts::model::Role;
use crate::args;
use crate::state::AppState;
use crate::store::{PartnershipId, StoreResult};
use crate::web::error::AppResult;

/// One thing a person owes: the case, when, what, and where to do it.
type Owed = (i64, NaiveDate, String, String);

/// Send the reminders due on `day`: steps due within five working days or overdue. Returns the
/// number of messages queued.
/// The serious cases' hourly job (scheduled in `server.rs`).
pub async fn hourly(st: &AppState) -> AppResult<()> {
    send(st, super::cases::today()).await.map(|_| ())
}

pub async fn send(st: &AppState, day: NaiveDate) -> AppResult<usize> {
    let cal = crate::calendar::store::current(&st.db).await?;
    let horizon = cal.add_working_days(day, 5);
    let editions = super::store::editions(&st.db).await?;
    let base = st.config.base_url.trim_end_matches('/').to_owned();
    let partnerships: Vec<i64> = st
        .db
        .fetch_all("SELECT DISTINCT partnership_id FROM review_cases", args![])
        .await?
        .iter()
        .map(|r| r.get("partnership_id"))
        .collect::<StoreResult<_>>()?;
    let mut sent = 0;
    for p in partnerships.into_iter().map(PartnershipId) {
        let people = crate::accounts::store::members_of(&st.db, p).await?;
        let admins: Vec<i64> = people
            .iter()
            .filter(|(m, u)| m.role == Role::PartnershipAdmin && !u.disabled)
            .map(|(_, u)| u.id)
            .collect();
        let mut delegates: Vec<(i64, Vec<String>)> = Vec::new();
        for (_, u) in people.iter().filter(|(_, u)| !u.disabled) {
            let roles = cases::delegate_roles(&st.db, p, u.id).await?;
            if !roles.is_empty() {
                delegates.push((u.id, roles));
            }
        }
        let mut owed: BTreeMap<i64, Vec<Owed>> = BTreeMap::new();
        for c in cases::list(&st.db, p).await? {
            if c.published_on.is_some() || c.not_published_on.is_some() {
                continue;
            }
            let link = format!("{base}/reviews/{}", c.id);
            let due = editions
                .iter()
                .find(|e| e.key == c.edition_key)
                .map(|e| model::deadlines(e, &c.dates(), &cal))
                .unwrap_or_default();
            for d in due
                .iter()
                .filter(|d| d.done_on.is_none() && d.by <= horizon)
            {
                for a in &admins {
                    owed.entry(*a).or_default().push((
                        c.id,
                        d.by,
                        format!("{}: {}", c.pseudonym, d.step),
                        link.clone(),
                    ));
                }
            }
            if !c.decision.is_empty() && c.decided_on.is_none() {
                let signed: Vec<String> = cases::signoffs(&st.db, p, c.id)
                    .await?
                    .into_iter()
                    .map(|s| s.partner_role)
                    .collect();
                let by = due
                    .iter()
                    .find(|d| d.step == model::RAPID_REVIEW)
                    .map_or(day, |d| d.by);
                for (user, roles) in &delegates {
                    if roles.iter().any(|r| !signed.contains(r)) {
                        owed.entry(*user).or_default().push((
                            c.id,
                            by,
                            format!("{}: sign off the rapid review's decision", c.pseudonym),
                            format!("{link}/decision"),
                        ));
                    }
                }
            }
            for r in rapid::requests(&st.db, p, c.id).await? {
                if r.returned_on.is_none() && r.due_on <= horizon {
                    owed.entry(r.responder_id).or_default().push((
                        c.id,
                        r.due_on,
                        format!(
                            "Return the information of {} for the rapid review of {}",
                            r.organisation, c.pseudonym
                        ),
                        format!("{base}/reviews/requests/{}", r.id),
                    ));
                }
            }
        }
        for (user, mut lines) in owed {
            let already: Vec<(i64, String)> = st
                .db
                .fetch_all(
                    "SELECT case_id, what FROM review_reminders WHERE partnership_id = $1 AND user_id = $2",
                    args![p, user],
                )
                .await?
                .iter()
                .map(|r| Ok((r.get("case_id")?, r.get("what")?)))
                .collect::<StoreResult<_>>()?;
            let key = |l: &Owed| format!("{} by {}", l.2, l.1);
            lines.retain(|l| !already.iter().any(|(c, w)| *c == l.0 && *w == key(l)));
            if lines.is_empty() {
                continue;
            }
            lines.sort_by_key(|l| l.1);
            let Some((u, _)) = crate::accounts::store::user_by_id(&st.db, user).await? else {
                continue;
            };
            let mail_lines: Vec<(NaiveDate, String, String)> = lines
                .iter()
                .map(|l| (l.1, l.2.clone(), l.3.clone()))
                .collect();
            rapid::send_note(
                st,
                p,
                (&u.name, &u.email),
                "Serious case reviews: steps due",
                "These steps of the partnership's serious case reviews are yours and are due within a week or overdue:",
                &mail_lines,
                "Deadlines are counted in working days, less bank holidays. The case records are restricted: sign in to see them.",
            )
            .await?;
            for l in &lines {
                st.db
                    .execute(
                        "INSERT INTO review_reminders (partnership_id, case_id, user_id, what, sent_at) VALUES ($1, $2, $3, $4, $5)",
                        args![p, l.0, user, key(l), Utc::now()],
                    )
                    .await?;
            }
            sent += 1;
        }
    }
    Ok(sent)
}
