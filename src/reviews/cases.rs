//! The case record: restricted to the case review body's members, the statutory partners'
//! delegates, the business unit and the independent scrutineer; every view in the audit trail.
//! Its deadlines are the edition's rules over its dates, recomputed when a date is corrected.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::model::{self, CaseDates, Due, Edition, Pseudonym};
use crate::accounts::model::Role;
use crate::accounts::store::stale_record;
use crate::args;
use crate::state::{AppState, Ctx};
use crate::store::{Action, Actor, Db, PartnershipId, RecordRef, Row, Sql, StoreResult, Tx};
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;

pub(super) use crate::calendar::today;

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

const COLUMNS: &str = <Case as crate::store::Record>::COLUMNS;

fn case_of(r: &Row) -> StoreResult<Case> {
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

async fn add(db: &Db, actor: &Actor, p: PartnershipId, c: &Case) -> StoreResult<i64> {
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
async fn set_dates(
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
const SIGNOFFS: crate::store::Children = crate::store::Children {
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
async fn propose(
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
async fn sign(
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

// ---- Who may read a case ----

/// The statutory partner roles a person is the delegate of, through their seats: a seat whose
/// post is a partner's delegated post today.
pub async fn delegate_roles(db: &Db, p: PartnershipId, user_id: i64) -> AppResult<Vec<String>> {
    use crate::arrangements::{model as am, store as ast};
    let Some(a) = ast::load_as_at(db, p, today()).await? else {
        return Ok(Vec::new());
    };
    let seats = crate::access::seats_of(db, p, user_id).await?;
    let mut posts = Vec::new();
    for i in ast::items(db, p).await? {
        if i.kind == "membership" && seats.contains(&i.key) {
            let m: am::Membership = ast::decode(&i)?;
            posts.extend(m.post);
        }
    }
    Ok(a.statutory_partners
        .iter()
        .filter(|sp| sp.delegate.as_ref().is_some_and(|d| posts.contains(d)))
        .map(|sp| sp.role.clone())
        .collect())
}

/// What one person may read of the partnership's cases.
pub struct CaseSight {
    all: bool,
    bodies: Vec<String>,
}

impl CaseSight {
    pub async fn of(db: &Db, viewer: &Viewer) -> AppResult<CaseSight> {
        let p = viewer.tenant()?;
        // The business unit and the independent scrutineer; the partners' delegates.
        let mut all = matches!(
            viewer.role(),
            Some(Role::PartnershipAdmin | Role::Scrutineer)
        );
        let mut bodies = Vec::new();
        if let (false, Some(u)) = (all, viewer.user.as_ref()) {
            all = !delegate_roles(db, p, u.id).await?.is_empty();
            bodies = crate::access::bodies_of(db, p, u.id).await?;
        }
        Ok(CaseSight { all, bodies })
    }

    /// The case review body's members read its cases.
    pub fn case(&self, c: &Case) -> bool {
        self.all || (!c.body_key.is_empty() && self.bodies.contains(&c.body_key))
    }
}

/// A case the person may read, its reading in the audit trail; otherwise not found.
pub async fn read(st: &AppState, viewer: &Viewer, id: i64) -> AppResult<Case> {
    let p = viewer.tenant()?;
    let c = get(&st.db, p, id).await?.ok_or(AppError::NotFound)?;
    if !CaseSight::of(&st.db, viewer).await?.case(&c) {
        return Err(AppError::NotFound);
    }
    crate::store::record_event(
        &st.db,
        &viewer.actor(),
        Action::Read,
        &RecordRef::new(Some(p), "review-case", c.id),
        &format!("Case viewed: {}", c.pseudonym),
    )
    .await?;
    Ok(c)
}

// ---- Pages ----

/// A case's deadlines with where each stands.
pub struct Timeline {
    pub edition: Option<Edition>,
    pub rows: Vec<(Due, &'static str, i64)>,
}

impl Timeline {
    /// The first deadline not yet met.
    pub fn next(&self) -> Option<&(Due, &'static str, i64)> {
        self.rows.iter().find(|r| r.1 != "done")
    }
}

pub async fn timeline(st: &AppState, c: &Case) -> AppResult<Timeline> {
    Ok(Rules::load(st).await?.timeline(c))
}

/// What a case's deadlines are worked out from: the editions and the working-day calendar,
/// read once for a whole list of cases.
pub struct Rules {
    editions: Vec<Edition>,
    cal: std::sync::Arc<crate::calendar::working_days::Calendar>,
    today: NaiveDate,
}

impl Rules {
    pub async fn load(st: &AppState) -> AppResult<Rules> {
        Ok(Rules {
            editions: super::store::editions(&st.db).await?,
            cal: crate::calendar::store::current(&st.db).await?,
            today: today(),
        })
    }

    pub fn timeline(&self, c: &Case) -> Timeline {
        let edition = self
            .editions
            .iter()
            .find(|e| e.key == c.edition_key)
            .cloned();
        let rows = match &edition {
            Some(e) => model::deadlines(e, &c.dates(), &self.cal)
                .into_iter()
                .map(|d| {
                    let left = self.cal.working_days_between(self.today, d.by);
                    let rag = model::rag(d.by, d.done_on.is_some(), self.today, &self.cal);
                    (d, rag, left)
                })
                .collect(),
            None => Vec::new(),
        };
        Timeline { edition, rows }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/cases.html")]
struct CasesPage {
    page: Page,
    cases: Vec<(Case, Timeline)>,
    can_manage: bool,
}

pub async fn cases(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let sight = CaseSight::of(&st.db, &viewer).await?;
    let rules = Rules::load(&st).await?;
    let mut out = Vec::new();
    for c in list(&st.db, p).await? {
        if sight.case(&c) {
            let t = rules.timeline(&c);
            out.push((c, t));
        }
    }
    Ok(CasesPage {
        page: Page::new(&viewer, "Serious case reviews", "/reviews"),
        cases: out,
        can_manage: Permission::ManagePartnership.allows(&viewer),
    }
    .into_response())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CaseForm {
    kind: String,
    pseudonym: String,
    la_reference: String,
    age_band: String,
    incident_on: String,
    aware_on: String,
    harm: String,
    abuse: String,
    categories: String,
    agencies: String,
    body_key: String,
}

pub(super) fn date_field(
    errors: &mut Errors,
    field: &str,
    v: &str,
    required: bool,
) -> Option<NaiveDate> {
    let v = v.trim();
    if v.is_empty() {
        if required {
            errors.add(field, "Enter the date, like 2026-11-02");
        }
        return None;
    }
    match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) if d <= today() => Some(d),
        Ok(_) => {
            errors.add(field, "The date must be today or in the past");
            None
        }
        Err(_) => {
            errors.add(field, "Enter a real date, like 2026-11-02");
            None
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/case_new.html")]
struct NewPage {
    page: Page,
    form: CaseForm,
    bodies: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    harms: Vec<(String, String)>,
    abuse: Vec<(String, String)>,
    ages: Vec<(String, String)>,
    errors: Errors,
}

fn options(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

impl NewPage {
    fn new(viewer: &Viewer, form: CaseForm, bodies: Vec<(String, String)>, errors: Errors) -> Self {
        NewPage {
            page: Page::new(viewer, "Record a case", "/reviews"),
            form,
            bodies,
            kinds: options(model::KINDS),
            harms: options(model::HARMS),
            abuse: options(model::ABUSE),
            ages: model::AGE_BANDS
                .iter()
                .map(|a| ((*a).to_owned(), (*a).to_owned()))
                .collect(),
            errors,
        }
    }
}

async fn bodies(st: &AppState, p: PartnershipId) -> AppResult<Vec<(String, String)>> {
    Ok(crate::arrangements::store::load_as_at(&st.db, p, today())
        .await?
        .map(|a| a.bodies.into_iter().map(|b| (b.key, b.name)).collect())
        .unwrap_or_default())
}

pub async fn new_form(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let form = CaseForm {
        kind: "serious-case".into(),
        ..CaseForm::default()
    };
    Ok(NewPage::new(&viewer, form, bodies(&st, p).await?, Errors::default()).into_response())
}

pub async fn create(
    Ctx { st, viewer, p }: Ctx,
    FormData(f): FormData<CaseForm>,
) -> AppResult<Response> {
    let mut errors = Errors::default();
    if !model::KINDS.iter().any(|(k, _)| *k == f.kind) {
        errors.add("kind", "Select what kind of case this is");
    }
    let pseudonym = errors.check("pseudonym", Pseudonym::parse(&f.pseudonym));
    if f.la_reference.chars().count() > 60 {
        errors.add(
            "la_reference",
            "Enter a reference of 60 characters or fewer",
        );
    }
    if !f.age_band.is_empty() && !model::AGE_BANDS.contains(&f.age_band.as_str()) {
        errors.add("age_band", "Select an age band");
    }
    let incident = date_field(&mut errors, "incident_on", &f.incident_on, false);
    let aware = date_field(&mut errors, "aware_on", &f.aware_on, true);
    if let (Some(i), Some(a)) = (incident, aware)
        && a < i
    {
        errors.add(
            "aware_on",
            "The authority cannot have become aware before the incident",
        );
    }
    // A near miss or a good-practice case may have no harm to record; what is given is checked.
    let asked = model::asks_harm(&f.kind);
    if (asked || !f.harm.is_empty()) && !model::HARMS.iter().any(|(k, _)| *k == f.harm) {
        errors.add(
            "harm",
            "Select whether the child died or was seriously harmed",
        );
    }
    if (asked || !f.abuse.is_empty()) && !model::ABUSE.iter().any(|(k, _)| *k == f.abuse) {
        errors.add(
            "abuse",
            "Select whether abuse or neglect is known or suspected",
        );
    }
    for (field, v) in [("categories", &f.categories), ("agencies", &f.agencies)] {
        if v.chars().count() > 2000 {
            errors.add(field, "Enter 2,000 characters or fewer");
        }
    }
    let known = bodies(&st, p).await?;
    if !f.body_key.is_empty() && !known.iter().any(|(k, _)| *k == f.body_key) {
        errors.add("body_key", "Select the body that reviews the case");
    }
    let editions = super::store::editions(&st.db).await?;
    let edition = aware.and_then(|a| model::in_force(&editions, a).cloned());
    if aware.is_some() && edition.is_none() {
        errors.add(
            "aware_on",
            "No edition of the rules was in force then: the host must add one first",
        );
    }
    let (Some(pseudonym), Some(aware), Some(edition), true) =
        (pseudonym, aware, edition, errors.is_empty())
    else {
        let page = NewPage::new(&viewer, f, known, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let c = Case {
        id: 0,
        kind: f.kind.clone(),
        pseudonym: pseudonym.as_str().to_owned(),
        la_reference: f.la_reference.trim().to_owned(),
        age_band: f.age_band.clone(),
        incident_on: incident,
        aware_on: aware,
        harm: f.harm.clone(),
        abuse: f.abuse.clone(),
        categories: f.categories.trim().to_owned(),
        agencies: f.agencies.trim().to_owned(),
        edition_key: edition.key,
        body_key: f.body_key.clone(),
        notified_on: None,
        panel_reference: String::new(),
        partners_told_on: None,
        decision: String::new(),
        decision_reasons: String::new(),
        scrutineer_advice: String::new(),
        decided_on: None,
        sent_to_panel_on: None,
        rapid_meeting_id: None,
        rapid_done_on: None,
        rapid_report_file_id: None,
        terms_of_reference: String::new(),
        reviewer: String::new(),
        methodology: String::new(),
        publish_planned_on: None,
        final_sent_on: None,
        published_on: None,
        report_file_id: None,
        public_title: String::new(),
        public_summary: String::new(),
        not_published_on: None,
        not_published_reasons: String::new(),
        version: 1,
    };
    let id = add(&st.db, &viewer.actor(), p, &c).await?;
    Ok(crate::web::redirect(&format!("/reviews/{id}")))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct DatesForm {
    version: String,
    aware_on: String,
    notified_on: String,
    panel_reference: String,
    partners_told_on: String,
    sent_to_panel_on: String,
}

/// What was sent in a form the case page shows again, with its errors.
#[derive(Default)]
pub struct Submitted {
    pub dates: Option<DatesForm>,
    pub decision: Option<DecisionForm>,
    pub rapid: Option<super::rapid::RapidForm>,
    pub request: Option<super::rapid::RequestForm>,
    pub local: Option<super::local::LocalForm>,
    pub withheld: Option<super::local::NotPublishedForm>,
    pub learning: Option<std::collections::HashMap<String, String>>,
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/case.html")]
pub struct CasePage {
    page: Page,
    c: Case,
    body: String,
    timeline: Timeline,
    form: DatesForm,
    decision: DecisionForm,
    decisions: Vec<(String, String)>,
    signoffs: Vec<Signoff>,
    still_to_sign: Vec<&'static str>,
    /// The partners this person may sign for now.
    may_sign: Vec<String>,
    can_manage: bool,
    rapid: super::rapid::RapidForm,
    questions: Vec<(String, String)>,
    meetings: Vec<(String, String)>,
    meeting: String,
    rapid_report: Option<crate::files::StoredFile>,
    requests: Vec<(super::rapid::Request, &'static str, i64)>,
    request: super::rapid::RequestForm,
    organisations: Vec<(String, String)>,
    responders: Vec<(String, String)>,
    chronology: Vec<super::rapid::Entry>,
    has_local: bool,
    local: super::local::LocalForm,
    milestones: Vec<(super::local::Milestone, &'static str)>,
    withheld: super::local::NotPublishedForm,
    report: Option<crate::files::StoredFile>,
    limit: String,
    slug: String,
    recommendations: Vec<super::learning::Tracked>,
    learning: std::collections::HashMap<String, String>,
    output_kinds: Vec<(String, String)>,
    practice: Vec<(String, String)>,
    errors: Errors,
}

impl CasePage {
    /// A learning form's value as sent, for the recommendation `rid` (0: the new one).
    pub fn typed(&self, name: &str, rid: impl std::fmt::Display) -> &str {
        let rid = rid.to_string();
        let key = if rid == "0" {
            name.to_owned()
        } else {
            format!("{name}-{rid}")
        };
        self.learning.get(&key).map_or("", String::as_str)
    }

    /// The field name of a learning form for one recommendation.
    pub fn named(&self, name: &str, rid: impl std::fmt::Display) -> String {
        format!("{name}-{rid}")
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct DecisionForm {
    version: String,
    decision: String,
    decision_reasons: String,
    scrutineer_advice: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SignForm {
    partner: String,
}

/// The partner roles a person may sign for on a case now: theirs, not yet signed, once a
/// decision is proposed.
async fn may_sign(
    st: &AppState,
    viewer: &Viewer,
    c: &Case,
    signed: &[Signoff],
) -> AppResult<Vec<String>> {
    let (Some(u), false) = (viewer.user.as_ref(), c.decision.is_empty()) else {
        return Ok(Vec::new());
    };
    Ok(delegate_roles(&st.db, viewer.tenant()?, u.id)
        .await?
        .into_iter()
        .filter(|r| !signed.iter().any(|s| &s.partner_role == r))
        .collect())
}

pub async fn case_page(
    st: &AppState,
    viewer: &Viewer,
    c: Case,
    sub: Submitted,
    errors: Errors,
) -> AppResult<CasePage> {
    use super::{local, rapid};
    let p = viewer.tenant()?;
    let body = bodies(st, p)
        .await?
        .into_iter()
        .find(|(k, _)| *k == c.body_key)
        .map_or_else(|| c.body_key.clone(), |(_, n)| n);
    let d = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let form = sub.dates.unwrap_or_else(|| DatesForm {
        version: c.version.to_string(),
        aware_on: c.aware_on.to_string(),
        notified_on: d(c.notified_on),
        panel_reference: c.panel_reference.clone(),
        partners_told_on: d(c.partners_told_on),
        sent_to_panel_on: d(c.sent_to_panel_on),
    });
    let signed = signoffs(&st.db, p, c.id).await?;
    let roles: Vec<&str> = signed.iter().map(|s| s.partner_role.as_str()).collect();
    let decision = sub.decision.unwrap_or_else(|| DecisionForm {
        version: c.version.to_string(),
        decision: c.decision.clone(),
        decision_reasons: c.decision_reasons.clone(),
        scrutineer_advice: c.scrutineer_advice.clone(),
    });
    let answers = rapid::answers(&st.db, p, c.id).await?;
    let meetings = rapid::meeting_options(st, p, &c).await?;
    let meeting = c
        .rapid_meeting_id
        .and_then(|m| meetings.iter().find(|(k, _)| *k == m.to_string()))
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let cal = crate::calendar::store::current(&st.db).await?;
    let t = today();
    let requests = rapid::requests(&st.db, p, c.id)
        .await?
        .into_iter()
        .map(|r| {
            let rag = model::rag(r.due_on, r.returned_on.is_some(), t, &cal);
            let left = cal.working_days_between(t, r.due_on);
            (r, rag, left)
        })
        .collect();
    let ms = local::milestones(&st.db, p, c.id).await?;
    let file = |id: Option<i64>| async move {
        match id {
            Some(id) => crate::files::record(&st.db, p, id).await,
            None => Ok(None),
        }
    };
    let slug = viewer
        .current
        .as_ref()
        .map(|m| m.partnership_slug.clone())
        .unwrap_or_default();
    Ok(CasePage {
        page: Page::new(viewer, format!("Case: {}", c.pseudonym), "/reviews"),
        timeline: timeline(st, &c).await?,
        decisions: model::DECISIONS
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        still_to_sign: model::still_to_sign(&roles),
        may_sign: may_sign(st, viewer, &c, &signed).await?,
        signoffs: signed,
        decision,
        can_manage: Permission::ManagePartnership.allows(viewer),
        rapid: sub
            .rapid
            .unwrap_or_else(|| rapid::RapidForm::of(&c, &answers)),
        questions: model::QUESTIONS
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        meetings,
        meeting,
        rapid_report: file(c.rapid_report_file_id).await?,
        requests,
        request: sub.request.unwrap_or_else(|| rapid::RequestForm {
            due_on: cal.add_working_days(t, model::REQUEST_WITHIN).to_string(),
            ..rapid::RequestForm::default()
        }),
        organisations: rapid::organisations(st, p).await?,
        responders: rapid::responders(st, p).await?,
        chronology: rapid::chronology(&st.db, p, c.id, None).await?,
        has_local: model::may_hold_local_review(&c.kind, c.local_review()),
        local: sub.local.unwrap_or_else(|| local::LocalForm::of(&c, &ms)),
        milestones: ms
            .into_iter()
            .map(|m| {
                let rag = match m.planned_on {
                    Some(plan) => model::rag(plan, m.done_on.is_some(), t, &cal),
                    None if m.done_on.is_some() => "done",
                    None => "",
                };
                (m, rag)
            })
            .collect(),
        withheld: sub.withheld.unwrap_or_else(|| local::NotPublishedForm {
            version: c.version.to_string(),
            ..local::NotPublishedForm::default()
        }),
        report: file(c.report_file_id).await?,
        recommendations: super::learning::tracked(
            &st.db,
            p,
            super::learning::recommendations(&st.db, p, Some(c.id)).await?,
        )
        .await?,
        learning: sub.learning.unwrap_or_default(),
        output_kinds: options(model::OUTPUT_KINDS),
        practice: options(model::PRACTICE),
        limit: st.files.limit_text(),
        slug,
        body,
        c,
        form,
        errors,
    })
}

/// The case as it now stands, with the form sent back and the news that someone else changed
/// the case first (their name and when), against `field`.
pub async fn stale_page(
    st: &AppState,
    viewer: &Viewer,
    id: i64,
    field: &str,
    sub: Submitted,
) -> AppResult<Response> {
    let p = viewer.tenant()?;
    let mut errors = Errors::default();
    errors.add(
        field,
        stale_record(&st.db, "review_cases", p, id, "This case no longer exists.").await?,
    );
    let now = get(&st.db, p, id).await?.ok_or(AppError::NotFound)?;
    let page = case_page(st, viewer, now, sub, errors).await?;
    Ok((StatusCode::CONFLICT, page).into_response())
}

pub async fn case(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let c = read(&st, &viewer, id).await?;
    Ok(
        case_page(&st, &viewer, c, Submitted::default(), Errors::default())
            .await?
            .into_response(),
    )
}

/// Record the notification and the partners being told, or correct a date: the deadlines are
/// recomputed from the corrected dates, and the correction is in the audit trail.
pub async fn dates(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<DatesForm>,
) -> AppResult<Response> {
    let before = read(&st, &viewer, id).await?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    let aware = date_field(&mut errors, "aware_on", &f.aware_on, true);
    let notified = date_field(&mut errors, "notified_on", &f.notified_on, false);
    let told = date_field(&mut errors, "partners_told_on", &f.partners_told_on, false);
    let sent = date_field(&mut errors, "sent_to_panel_on", &f.sent_to_panel_on, false);
    if sent.is_some() && before.decided_on.is_none() {
        errors.add(
            "sent_to_panel_on",
            "The rapid review goes to the Panel with the decision: all three partners sign it off first",
        );
    }
    if let (Some(a), Some(n)) = (aware, notified)
        && n < a
    {
        errors.add(
            "notified_on",
            "The Panel cannot have been notified before the authority became aware",
        );
    }
    if f.panel_reference.chars().count() > 60 {
        errors.add(
            "panel_reference",
            "Enter a reference of 60 characters or fewer",
        );
    }
    let Some(aware) = aware.filter(|_| errors.is_empty()) else {
        let page = case_page(
            &st,
            &viewer,
            before,
            Submitted {
                dates: Some(f),
                ..Submitted::default()
            },
            errors,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let after = Case {
        aware_on: aware,
        notified_on: notified,
        partners_told_on: told,
        sent_to_panel_on: sent,
        panel_reference: f.panel_reference.trim().to_owned(),
        version,
        ..before.clone()
    };
    let before = Case { version, ..before };
    match set_dates(&st.db, &viewer.actor(), p, &before, &after).await? {
        Ok(()) => {
            crate::web::flash(&st.db, &viewer, "Dates saved; deadlines recomputed").await?;
            Ok(crate::web::redirect(&format!("/reviews/{id}")))
        }
        Err(stale) => {
            let now = get(&st.db, p, id).await?.ok_or(AppError::NotFound)?;
            let mut errors = Errors::default();
            errors.add("aware_on", stale);
            let page = case_page(&st, &viewer, now, Submitted::default(), errors).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

/// Propose the rapid review's decision, with reasons and the independent scrutineer's advice.
pub async fn decide(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<DecisionForm>,
) -> AppResult<Response> {
    let c = read(&st, &viewer, id).await?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    if !model::DECISIONS.iter().any(|(k, _)| *k == f.decision) {
        errors.add("decision", "Select what the rapid review decided");
    }
    let reasons = f.decision_reasons.trim();
    if reasons.is_empty() {
        errors.add("decision_reasons", "Give the reasons for the decision");
    } else if reasons.chars().count() > 5000 {
        errors.add("decision_reasons", "Enter 5,000 characters or fewer");
    }
    if f.scrutineer_advice.chars().count() > 5000 {
        errors.add("scrutineer_advice", "Enter 5,000 characters or fewer");
    }
    if c.decided_on.is_some() {
        errors.add(
            "decision",
            "The decision is final: all three partners have signed it",
        );
    }
    if !errors.is_empty() {
        let page = case_page(
            &st,
            &viewer,
            c,
            Submitted {
                decision: Some(f),
                ..Submitted::default()
            },
            errors,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let before = Case { version, ..c };
    if let Err(stale) = propose(
        &st.db,
        &viewer.actor(),
        p,
        &before,
        &f.decision,
        reasons,
        f.scrutineer_advice.trim(),
    )
    .await?
    {
        let now = get(&st.db, p, id).await?.ok_or(AppError::NotFound)?;
        let mut errors = Errors::default();
        errors.add("decision", stale);
        let page = case_page(
            &st,
            &viewer,
            now,
            Submitted {
                decision: Some(f),
                ..Submitted::default()
            },
            errors,
        )
        .await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    crate::web::flash(
        &st.db,
        &viewer,
        "Decision proposed: each statutory partner's delegate now signs it off",
    )
    .await?;
    Ok(crate::web::redirect(&format!("/reviews/{id}#the-decision")))
}

/// A statutory partner's delegate signs off the decision for their partner.
pub async fn signoff(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<SignForm>,
) -> AppResult<Response> {
    let c = read(&st, &viewer, id).await?;
    let signed = signoffs(&st.db, p, c.id).await?;
    if !may_sign(&st, &viewer, &c, &signed)
        .await?
        .contains(&f.partner)
    {
        return Err(AppError::Forbidden);
    }
    let user = viewer.user.as_ref().ok_or(AppError::Forbidden)?;
    let done = sign(&st.db, &viewer.actor(), p, &c, &f.partner, user.id, today()).await?;
    let m = if done {
        "Signed: the decision is final"
    } else {
        "Signed: the decision waits for the other partners"
    };
    crate::web::saved(&st.db, &viewer, m, &format!("/reviews/{id}#the-decision")).await
}
