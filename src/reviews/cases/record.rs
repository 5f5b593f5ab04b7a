//! The case record as stored: its fields, its SQL, its sign-offs.

use super::*;

crate::record! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Case {
        pub id: i64,
        pub kind: String,
        pub pseudonym: String,
        pub la_reference: String,
        pub age_band: String,
        pub incident_on: Option<NaiveDate>,
        pub aware_on: NaiveDate,
        pub harm: String,
        pub abuse: String,
        pub categories: String,
        pub agencies: String,
        pub edition_key: String,
        pub body_key: String,
        pub notified_on: Option<NaiveDate>,
        pub panel_reference: String,
        pub partners_told_on: Option<NaiveDate>,
        pub decision: String,
        pub decision_reasons: String,
        pub scrutineer_advice: String,
        pub decided_on: Option<NaiveDate>,
        pub sent_to_panel_on: Option<NaiveDate>,
        pub rapid_meeting_id: Option<i64>,
        pub rapid_done_on: Option<NaiveDate>,
        pub rapid_report_file_id: Option<i64>,
        pub terms_of_reference: String,
        pub reviewer: String,
        pub methodology: String,
        pub publish_planned_on: Option<NaiveDate>,
        pub final_sent_on: Option<NaiveDate>,
        pub published_on: Option<NaiveDate>,
        pub report_file_id: Option<i64>,
        pub public_title: String,
        pub public_summary: String,
        pub not_published_on: Option<NaiveDate>,
        pub not_published_reasons: String,
        pub version: i64,
    }
}

impl Case {
    /// Whether the criteria for a serious child safeguarding case are met, on what is recorded.
    pub fn serious(&self) -> bool {
        model::is_serious(
            matches!(self.abuse.as_str(), "known" | "suspected"),
            matches!(self.harm.as_str(), "died" | "seriously-harmed"),
        )
    }

    pub fn local_review(&self) -> bool {
        self.decision == "local-review" && self.decided_on.is_some()
    }

    pub fn dates(&self) -> CaseDates {
        CaseDates {
            aware: Some(self.aware_on),
            notified: self.notified_on,
            partners_told: self.partners_told_on,
            rapid_done: self.rapid_done_on,
            decided: self.decided_on.filter(|_| self.decision == "local-review"),
            published_planned: self.publish_planned_on,
            final_sent: self.final_sent_on,
            concluded: self.published_on.or(self.not_published_on),
        }
    }
}

pub(super) const COLUMNS: &str = <Case as crate::store::Record>::COLUMNS;

pub(super) fn case_of(r: &Row) -> StoreResult<Case> {
    <Case as crate::store::Record>::from_row(r)
}

pub async fn list(db: &Db, p: PartnershipId) -> StoreResult<Vec<Case>> {
    db.fetch_all(
        Sql::join(&[
            "SELECT ",
            COLUMNS,
            " FROM review_cases WHERE partnership_id = $1 ORDER BY aware_on DESC, id DESC",
        ]),
        args![p],
    )
    .await?
    .iter()
    .map(case_of)
    .collect()
}

pub async fn get(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Option<Case>> {
    db.fetch_optional(
        Sql::join(&[
            "SELECT ",
            COLUMNS,
            " FROM review_cases WHERE partnership_id = $1 AND id = $2",
        ]),
        args![p, id],
    )
    .await?
    .as_ref()
    .map(case_of)
    .transpose()
}

pub(super) async fn add(db: &Db, actor: &Actor, p: PartnershipId, c: &Case) -> StoreResult<i64> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let id = tx
        .insert(
            "INSERT INTO review_cases (partnership_id, kind, pseudonym, la_reference, age_band, incident_on, aware_on, harm, abuse, categories, agencies, edition_key, body_key, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
            args![p, c.kind.as_str(), c.pseudonym.as_str(), c.la_reference.as_str(), c.age_band.as_str(), c.incident_on, c.aware_on, c.harm.as_str(), c.abuse.as_str(), c.categories.as_str(), c.agencies.as_str(), c.edition_key.as_str(), c.body_key.as_str(), now, now, actor.name.as_str()],
            Some(p),
            "review-case",
            &format!("Case recorded: {}", c.pseudonym),
            c,
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Record or correct a case's dates; the correction is in the audit trail with what it was.
pub(super) async fn set_dates(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    before: &Case,
    after: &Case,
) -> StoreResult<Result<(), String>> {
    let mut tx = Tx::begin(db, actor).await?;
    let n = tx
        .update_versioned(
            &crate::store::Versioned::new("review_cases", "review-case", p, before.id, before.version),
            "aware_on = $1, notified_on = $2, panel_reference = $3, partners_told_on = $4, sent_to_panel_on = $5",
            args![after.aware_on, after.notified_on, after.panel_reference.as_str(), after.partners_told_on, after.sent_to_panel_on],            &format!("Dates of {} recorded or corrected", before.pseudonym),
            &serde_json::json!({"aware_on": before.aware_on, "notified_on": before.notified_on, "panel_reference": before.panel_reference, "partners_told_on": before.partners_told_on, "sent_to_panel_on": before.sent_to_panel_on}),
            &serde_json::json!({"aware_on": after.aware_on, "notified_on": after.notified_on, "panel_reference": after.panel_reference, "partners_told_on": after.partners_told_on, "sent_to_panel_on": after.sent_to_panel_on}),
        )
        .await?;
    if let Err(stale) = n {
        drop(tx);
        return Ok(Err(stale.to_string()));
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// A delegate's signature on the decision as it stands.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Signoff {
    pub partner_role: String,
    pub user_id: i64,
    pub signed_by: String,
    pub signed_at: chrono::DateTime<chrono::Utc>,
}

/// The signatures on a case's decision, withdrawn together when the proposal changes.
pub(super) const SIGNOFFS: crate::store::Children = crate::store::Children {
    what: "signatures",
    select: "SELECT partner_role, user_id, signed_by, signed_at FROM review_signoffs WHERE partnership_id = $1 AND case_id = $2 ORDER BY signed_at, id",
    delete: "DELETE FROM review_signoffs WHERE partnership_id = $1 AND case_id = $2",
    insert: "INSERT INTO review_signoffs (partnership_id, case_id, partner_role, user_id, signed_by, signed_at) VALUES ($1, $2, $3, $4, $5, $6)",
};

impl crate::store::Child for Signoff {
    fn from_row(r: &Row) -> StoreResult<Self> {
        Ok(Signoff {
            partner_role: r.get("partner_role")?,
            user_id: r.get("user_id")?,
            signed_by: r.get("signed_by")?,
            signed_at: r.get("signed_at")?,
        })
    }
    fn values(&self) -> Vec<crate::store::Value> {
        args![
            self.partner_role.as_str(),
            self.user_id,
            self.signed_by.as_str(),
            self.signed_at
        ]
    }
}

pub async fn signoffs(db: &Db, p: PartnershipId, case_id: i64) -> StoreResult<Vec<Signoff>> {
    db.fetch_all(
        "SELECT partner_role, user_id, signed_by, signed_at FROM review_signoffs WHERE partnership_id = $1 AND case_id = $2 ORDER BY signed_at, id",
        args![p, case_id],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(Signoff {
            partner_role: r.get("partner_role")?,
            user_id: r.get("user_id")?,
            signed_by: r.get("signed_by")?,
            signed_at: r.get("signed_at")?,
        })
    })
    .collect()
}

/// Propose (or change) the decision: every signature given to the old wording is withdrawn,
/// since a signature is for the decision as it stood.
pub(super) async fn propose(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    before: &Case,
    decision: &str,
    reasons: &str,
    advice: &str,
) -> StoreResult<Result<(), String>> {
    let mut tx = Tx::begin(db, actor).await?;
    let n = tx
        .update_versioned(
            &crate::store::Versioned::new("review_cases", "review-case", p, before.id, before.version),
            "decision = $1, decision_reasons = $2, scrutineer_advice = $3, decided_on = NULL",
            args![decision, reasons, advice],            &format!("Decision proposed for {}: {}", before.pseudonym, model::decision_label(decision)),
            &serde_json::json!({"decision": before.decision, "reasons": before.decision_reasons, "advice": before.scrutineer_advice, "decided_on": before.decided_on}),
            &serde_json::json!({"decision": decision, "reasons": reasons, "advice": advice}),
        )
        .await?;
    if let Err(stale) = n {
        drop(tx);
        return Ok(Err(stale.to_string()));
    }
    tx.replace_children::<Signoff>(
        &SIGNOFFS,
        &RecordRef::new(Some(p), "review-case", before.id),
        before.id,
        &format!(
            "Signatures on the decision for {} withdrawn: the proposal changed",
            before.pseudonym
        ),
        &[],
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// A delegate signs for their partner. The last of the three signatures makes the decision
/// final, dated that day.
pub(super) async fn sign(
    db: &Db,
    actor: &Actor,
    p: PartnershipId,
    c: &Case,
    role: &str,
    user_id: i64,
    day: NaiveDate,
) -> StoreResult<bool> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    tx.insert_keyed(
        "INSERT INTO review_signoffs (partnership_id, case_id, partner_role, user_id, signed_by, signed_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (case_id, partner_role) DO NOTHING",
        args![p, c.id, role, user_id, actor.name.as_str(), now],
        &RecordRef::new(Some(p), "review-case", c.id),
        &format!("Decision for {} signed off for the {role} partner", c.pseudonym),
        &serde_json::json!({"partner": role, "decision": c.decision}),
    )
    .await?;
    let signed: Vec<String> = tx
        .fetch_all(
            "SELECT partner_role FROM review_signoffs WHERE partnership_id = $1 AND case_id = $2",
            args![p, c.id],
        )
        .await?
        .iter()
        .map(|r| r.get("partner_role"))
        .collect::<StoreResult<_>>()?;
    let refs: Vec<&str> = signed.iter().map(String::as_str).collect();
    let done = model::still_to_sign(&refs).is_empty();
    if done {
        tx.update(
            "UPDATE review_cases SET decided_on = $1, version = version + 1, updated_at = $2, updated_by = $3 WHERE partnership_id = $4 AND id = $5 AND decided_on IS NULL",
            args![day, now, actor.name.as_str(), p, c.id],
            &RecordRef::new(Some(p), "review-case", c.id),
            &format!("Decision for {} final: all three partners signed", c.pseudonym),
            &serde_json::json!({"decided_on": null}),
            &serde_json::json!({"decided_on": day}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(done)
}
