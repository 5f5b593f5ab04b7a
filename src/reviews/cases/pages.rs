//! The case pages: the list, a new case, a case with its deadlines, dates, decision and
//! sign-off.

use super::*;

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
            editions: crate::reviews::store::editions(&st.db).await?,
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
pub(super) struct CasesPage {
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

pub(in crate::reviews) fn date_field(
    errors: &mut Errors,
    field: &str,
    label: &str,
    v: &str,
    required: bool,
) -> Option<NaiveDate> {
    let d = if required {
        errors.required_date(
            field,
            label,
            v,
            &format!("Enter the {}", crate::web::forms::in_sentence(label)),
        )
    } else {
        errors.date(field, label, v)
    };
    errors.not_future(field, d, "The date must be today or in the past")
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/case_new.html")]
pub(super) struct NewPage {
    page: Page,
    form: CaseForm,
    bodies: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    harms: Vec<(String, String)>,
    abuse: Vec<(String, String)>,
    ages: Vec<(String, String)>,
    errors: Errors,
}

pub(super) fn options(list: &[(&str, &str)]) -> Vec<(String, String)> {
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

pub(super) async fn bodies(st: &AppState, p: PartnershipId) -> AppResult<Vec<(String, String)>> {
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
    errors.required_choice(
        "kind",
        &f.kind,
        model::KINDS,
        "Select what kind of case this is",
    );
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
    let incident = date_field(
        &mut errors,
        "incident_on",
        "Date of the incident",
        &f.incident_on,
        false,
    );
    let aware = date_field(
        &mut errors,
        "aware_on",
        "Date the local authority became aware",
        &f.aware_on,
        true,
    );
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
    let editions = crate::reviews::store::editions(&st.db).await?;
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
    pub rapid: Option<crate::reviews::rapid::RapidForm>,
    pub request: Option<crate::reviews::rapid::RequestForm>,
    pub local: Option<crate::reviews::local::LocalForm>,
    pub withheld: Option<crate::reviews::local::NotPublishedForm>,
    pub learning: Option<std::collections::HashMap<String, String>>,
}

/// Which page of a case: the summary with its stages as a task list, or one stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CasePart {
    Summary,
    Notification,
    Information,
    Rapid,
    Decision,
    Local,
    Publication,
    Learning,
}

impl CasePart {
    fn of(stage: model::CaseStage) -> CasePart {
        use model::CaseStage as S;
        match stage {
            S::Notification => CasePart::Notification,
            S::Information => CasePart::Information,
            S::RapidReview => CasePart::Rapid,
            S::Decision => CasePart::Decision,
            S::LocalReview => CasePart::Local,
            S::Publication => CasePart::Publication,
            S::Learning => CasePart::Learning,
        }
    }

    /// The stage's name, for the page's title.
    fn title(self) -> &'static str {
        model::CaseStage::ALL
            .into_iter()
            .find(|s| CasePart::of(*s) == self)
            .map_or("Case", |s| s.name())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/case.html")]
pub struct CasePage {
    page: Page,
    part: CasePart,
    /// The case's stages as a task list.
    stages: Vec<crate::web::task_list::Stage>,
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
    rapid: crate::reviews::rapid::RapidForm,
    questions: Vec<(String, String)>,
    meetings: Vec<(String, String)>,
    meeting: String,
    rapid_report: Option<crate::files::StoredFile>,
    requests: Vec<(crate::reviews::rapid::Request, &'static str, i64)>,
    request: crate::reviews::rapid::RequestForm,
    organisations: Vec<(String, String)>,
    responders: Vec<(String, String)>,
    chronology: Vec<crate::reviews::rapid::Entry>,
    has_local: bool,
    local: crate::reviews::local::LocalForm,
    milestones: Vec<(crate::reviews::local::Milestone, &'static str)>,
    withheld: crate::reviews::local::NotPublishedForm,
    report: Option<crate::files::StoredFile>,
    limit: String,
    slug: String,
    recommendations: Vec<crate::reviews::learning::Tracked>,
    /// Who an action from a recommendation can be given to.
    owners: Vec<(String, String)>,
    learning: std::collections::HashMap<String, String>,
    output_kinds: Vec<(String, String)>,
    practice: Vec<(String, String)>,
    errors: Errors,
}

impl CasePage {
    /// The stage's heading.
    pub fn part_title(&self) -> &'static str {
        self.part.title()
    }

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
pub(super) async fn may_sign(
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
    part: CasePart,
    sub: Submitted,
    errors: Errors,
) -> AppResult<CasePage> {
    use crate::reviews::{local, rapid};
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
    let requests: Vec<(rapid::Request, &'static str, i64)> = rapid::requests(&st.db, p, c.id)
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
    let timeline = timeline(st, &c).await?;
    let recommendations = crate::reviews::learning::tracked(
        &st.db,
        p,
        crate::reviews::learning::recommendations(&st.db, p, Some(c.id)).await?,
    )
    .await?;
    let progress = model::CaseProgress {
        kind: c.kind.clone(),
        notified: c.notified_on.is_some(),
        partners_told: c.partners_told_on.is_some(),
        requests: requests
            .iter()
            .map(|(r, _, _): &(rapid::Request, &str, i64)| (r.due_on, r.returned_on))
            .collect(),
        rapid_begun: answers.iter().any(|(_, a)| !a.trim().is_empty())
            || c.rapid_meeting_id.is_some()
            || c.rapid_report_file_id.is_some(),
        rapid_done: c.rapid_done_on.is_some(),
        proposed: !c.decision.is_empty(),
        decided: c.decided_on.is_some(),
        local_review: c.local_review(),
        local_begun: !c.reviewer.is_empty()
            || !c.terms_of_reference.is_empty()
            || !c.methodology.is_empty()
            || ms
                .iter()
                .any(|m| m.planned_on.is_some() || m.done_on.is_some()),
        final_sent: c.final_sent_on.is_some(),
        concluded: c.published_on.is_some() || c.not_published_on.is_some(),
        recommendations: recommendations.len(),
        closed: recommendations
            .iter()
            .filter(|t| t.state == model::Loop::Closed)
            .count(),
    };
    let stages = case_stages(&c, &progress, &timeline, &requests, (t, &cal));
    let slug = viewer
        .current
        .as_ref()
        .map(|m| m.partnership_slug.clone())
        .unwrap_or_default();
    Ok(CasePage {
        page: Page::new(
            viewer,
            match part {
                CasePart::Summary => format!("Case: {}", c.pseudonym),
                _ => format!("{}: {}", part.title(), c.pseudonym),
            },
            "/reviews",
        ),
        part,
        stages,
        timeline,
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
        recommendations,
        owners: if part == CasePart::Learning && Permission::ManagePartnership.allows(viewer) {
            crate::actions::owner_choices(st, p).await?
        } else {
            Vec::new()
        },
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

/// A case's stages as a task list, each with its line: when it is due, or how far it has got.
fn case_stages(
    c: &Case,
    progress: &model::CaseProgress,
    timeline: &Timeline,
    requests: &[(crate::reviews::rapid::Request, &'static str, i64)],
    (today, cal): (NaiveDate, &crate::calendar::working_days::Calendar),
) -> Vec<crate::web::task_list::Stage> {
    use crate::web::task_list::Stage;
    use model::CaseStage as S;
    let dues: Vec<Due> = timeline.rows.iter().map(|(d, _, _)| d.clone()).collect();
    let by = |step: &str| {
        dues.iter()
            .find(|d| d.step == step)
            .map(|d| format!("Due by {}", d.by.format("%-d %B %Y")))
    };
    let on =
        |what: &str, d: Option<NaiveDate>| d.map(|d| format!("{what} {}", d.format("%-d %B %Y")));
    model::case_stages(progress, &dues, today, cal)
        .into_iter()
        .map(|(stage, status)| {
            let hint = match stage {
                S::Notification => {
                    on("Panel notified on", c.notified_on).or_else(|| by(model::NOTIFY))
                }
                S::Information => {
                    let back = requests
                        .iter()
                        .filter(|r| r.0.returned_on.is_some())
                        .count();
                    Some(match requests.len() {
                        0 => "No agency asked yet".to_owned(),
                        n => format!("{back} of {n} returned"),
                    })
                }
                S::RapidReview => {
                    on("Completed on", c.rapid_done_on).or_else(|| by(model::RAPID_REVIEW))
                }
                S::Decision => on("Sent to the Panel on", c.sent_to_panel_on).or_else(|| {
                    Some(if c.decided_on.is_some() {
                        "Final; its going to the Panel is recorded under notification and dates"
                            .to_owned()
                    } else if c.decision.is_empty() {
                        "Proposed by the business unit, signed by the three partners".to_owned()
                    } else {
                        "Waiting for the partners' signatures".to_owned()
                    })
                }),
                S::LocalReview if status == crate::web::task_list::Status::CannotStartYet => {
                    Some("Once the partners decide to hold one".to_owned())
                }
                S::LocalReview => {
                    on("Final report sent on", c.final_sent_on).or_else(|| by(model::FINAL_REPORT))
                }
                S::Publication if status == crate::web::task_list::Status::CannotStartYet => {
                    Some("After the local review".to_owned())
                }
                S::Publication => on("Published on", c.published_on)
                    .or_else(|| on("Not to be published: recorded on", c.not_published_on))
                    .or_else(|| by(model::PUBLISH)),
                S::Learning => Some(match progress.recommendations {
                    0 => "No recommendations yet".to_owned(),
                    n => format!(
                        "{} of {n} recommendations with the loop closed",
                        progress.closed
                    ),
                }),
            };
            Stage::new(
                stage.name(),
                format!("/reviews/{}/{}", c.id, stage.path()),
                status,
            )
            .hint(hint.unwrap_or_default())
        })
        .collect()
}

/// The case as it now stands, with the form sent back and the news that someone else changed
/// the case first (their name and when), against `field`.
pub async fn stale_page(
    st: &AppState,
    viewer: &Viewer,
    id: i64,
    part: CasePart,
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
    let page = case_page(st, viewer, now, part, sub, errors).await?;
    Ok((StatusCode::CONFLICT, page).into_response())
}

pub async fn case(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let c = read(&st, &viewer, id).await?;
    Ok(case_page(
        &st,
        &viewer,
        c,
        CasePart::Summary,
        Submitted::default(),
        Errors::default(),
    )
    .await?
    .into_response())
}

async fn part_of(st: AppState, viewer: Viewer, id: i64, part: CasePart) -> AppResult<Response> {
    let c = read(&st, &viewer, id).await?;
    Ok(case_page(
        &st,
        &viewer,
        c,
        part,
        Submitted::default(),
        Errors::default(),
    )
    .await?
    .into_response())
}

/// The dates: awareness, the Panel notified, the partners told, the decision sent.
pub async fn notification(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    part_of(st, viewer, id, CasePart::Notification).await
}

/// The agencies asked for their information, their returns and the chronology.
pub async fn information(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    part_of(st, viewer, id, CasePart::Information).await
}

/// The rapid review: regulation 11's questions, its meeting, its report.
pub async fn rapid_review(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    part_of(st, viewer, id, CasePart::Rapid).await
}

/// The decision, proposed and signed off by the three partners.
pub async fn decision(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    part_of(st, viewer, id, CasePart::Decision).await
}

/// The local review: reviewer, terms, milestones, the final report.
pub async fn local_review(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    part_of(st, viewer, id, CasePart::Local).await
}

/// Publishing the report, or recording why it will not be published.
pub async fn publication(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    part_of(st, viewer, id, CasePart::Publication).await
}

/// Findings, recommendations and the learning loop.
pub async fn learning(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    part_of(st, viewer, id, CasePart::Learning).await
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
    let aware = date_field(
        &mut errors,
        "aware_on",
        "Date the local authority became aware",
        &f.aware_on,
        true,
    );
    let notified = date_field(
        &mut errors,
        "notified_on",
        "Date the Panel was notified",
        &f.notified_on,
        false,
    );
    let told = date_field(
        &mut errors,
        "partners_told_on",
        "Date the partners were told",
        &f.partners_told_on,
        false,
    );
    let sent = date_field(
        &mut errors,
        "sent_to_panel_on",
        "Date the rapid review and the decision were sent to the Panel",
        &f.sent_to_panel_on,
        false,
    );
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
            CasePart::Notification,
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
            let page = case_page(
                &st,
                &viewer,
                now,
                CasePart::Notification,
                Submitted::default(),
                errors,
            )
            .await?;
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
    errors.required_choice(
        "decision",
        &f.decision,
        model::DECISIONS,
        "Select what the rapid review decided",
    );
    let reasons = f.decision_reasons.trim();
    if reasons.is_empty() {
        errors.add("decision_reasons", "Give the reasons for the decision");
    } else if reasons.chars().count() > 5000 {
        errors.add("decision_reasons", "Enter 5,000 characters or fewer");
    }
    errors.text("scrutineer_advice", &f.scrutineer_advice, 5000);
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
            CasePart::Decision,
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
            CasePart::Decision,
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
    Ok(crate::web::redirect(&format!("/reviews/{id}/decision")))
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
    crate::web::saved(&st.db, &viewer, m, &format!("/reviews/{id}/decision")).await
}
