//! Storage of the review rules' editions.

use super::model::{Edition, RapidReviewFrom};
use crate::args;
use crate::store::{Actor, Db, Row, StoreResult, Tx};

fn edition_of(r: &Row) -> StoreResult<(i64, Edition)> {
    let from: String = r.get("rapid_review_from")?;
    let months: i64 = r.get("publish_within_months")?;
    Ok((
        r.get("id")?,
        Edition {
            key: r.get("key")?,
            name: r.get("name")?,
            in_force_from: r.get("in_force_from")?,
            notify_within: r.get("notify_within")?,
            tell_partners_within: r.get("tell_partners_within")?,
            rapid_review_within: r.get("rapid_review_within")?,
            rapid_review_from: if from == "notification" {
                RapidReviewFrom::Notification
            } else {
                RapidReviewFrom::Awareness
            },
            publish_within_months: u32::try_from(months).unwrap_or(6),
            final_report_before: r.get("final_report_before")?,
        },
    ))
}

/// Every edition, oldest first.
pub async fn editions(db: &Db) -> StoreResult<Vec<Edition>> {
    db.fetch_all(
        "SELECT id, key, name, in_force_from, notify_within, tell_partners_within, rapid_review_within, rapid_review_from, publish_within_months, final_report_before FROM review_editions ORDER BY in_force_from",
        args![],
    )
    .await?
    .iter()
    .map(|r| edition_of(r).map(|(_, e)| e))
    .collect()
}

/// Add an edition; `Err` when its key or start day is taken.
pub async fn add_edition(db: &Db, actor: &Actor, e: &Edition) -> StoreResult<Result<(), String>> {
    let existing = editions(db).await?;
    if existing.iter().any(|x| x.key == e.key) {
        return Ok(Err(format!("There is already an edition called {}", e.key)));
    }
    if existing.iter().any(|x| x.in_force_from == e.in_force_from) {
        return Ok(Err(
            "An edition already comes into force on that day: choose another".into(),
        ));
    }
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let from = match e.rapid_review_from {
        RapidReviewFrom::Awareness => "awareness",
        RapidReviewFrom::Notification => "notification",
    };
    let id = tx
        .insert(
            "INSERT INTO review_editions (key, name, in_force_from, notify_within, tell_partners_within, rapid_review_within, rapid_review_from, publish_within_months, final_report_before, added_at, added_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            args![e.key.as_str(), e.name.as_str(), e.in_force_from, e.notify_within, e.tell_partners_within, e.rapid_review_within, from, i64::from(e.publish_within_months), e.final_report_before, now, actor.name.as_str()],
            None,
            "review-edition",
            &format!("Review rules edition added: {}", e.name),
            e,
        )
        .await?;
    tracing::info!(edition = id, "review rules edition added");
    tx.commit().await?;
    Ok(Ok(()))
}
