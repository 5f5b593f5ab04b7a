//! Running a meeting: its agenda, who attended (and whether it is quorate), declarations of
//! interest, minutes numbered across the body's meetings, decisions by the body's rules, and
//! the actions they give rise to.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::access::Sight;
use super::model::{self, Attendee, Cast, MinutesStatus, Presence, Quorate};
use super::store::{self, AgendaItem, Attendance, Decision, Meeting};
use crate::accounts::model::Role;
use crate::arrangements::model::Body;
use crate::state::{AppState, Ctx};
use crate::store::PartnershipId;
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::permissions::Permission;
use crate::web::viewer::Viewer;

use crate::calendar::today;

/// The body as it stood on the day of the meeting.
async fn body_on(st: &AppState, p: PartnershipId, m: &Meeting) -> AppResult<Option<Body>> {
    Ok(crate::arrangements::store::load_as_at(&st.db, p, m.date)
        .await?
        .and_then(|a| a.bodies.into_iter().find(|b| b.key == m.body_key)))
}

/// Those the meeting expects: the body's memberships in force on the day.
pub(crate) async fn expected(
    st: &AppState,
    p: PartnershipId,
    m: &Meeting,
) -> AppResult<Vec<store::Expected>> {
    use crate::arrangements::{model as am, store as ast, view};
    let Some(a) = ast::load_as_at(&st.db, p, m.date).await? else {
        return Ok(Vec::new());
    };
    let names = view::Names::new(&a.organisations, &a.posts);
    let mut out = Vec::new();
    for i in ast::items(&st.db, p).await? {
        if i.kind != "membership" || i.parent_key != m.body_key {
            continue;
        }
        let ms: am::Membership = ast::decode(&i)?;
        let on = ms.from.is_none_or(|f| f.0 <= m.date) && ms.to.is_none_or(|t| t.0 >= m.date);
        if !on {
            continue;
        }
        let org = a.organisations.iter().find(|o| o.key == ms.organisation);
        let additional = a
            .additional_partners
            .iter()
            .any(|x| x.organisation == ms.organisation);
        out.push(store::Expected {
            membership_key: i.key.clone(),
            name: names.who(&ms),
            organisation: names.organisation(&ms.organisation),
            partner_role: match org.and_then(|o| o.statutory_partner.clone()) {
                Some(role) => role,
                None if additional => model::ADDITIONAL_PARTNER.to_owned(),
                None => String::new(),
            },
            voting: ms.votes(),
            in_attendance: !ms.is_member(),
        });
    }
    Ok(out)
}

fn attendee(a: &Attendance) -> Attendee {
    Attendee {
        name: a.name.clone(),
        status: a.status,
        voting: a.voting,
        partner_role: Some(a.partner_role.clone()).filter(|r| !r.is_empty()),
        organisation: a.organisation.clone(),
    }
}

pub(super) async fn quorate(st: &AppState, p: PartnershipId, m: &Meeting) -> AppResult<Quorate> {
    let people: Vec<Attendee> = store::attendance(&st.db, p, m.id)
        .await?
        .iter()
        .filter(|a| !a.in_attendance)
        .map(attendee)
        .collect();
    let rule = body_on(st, p, m).await?.and_then(|b| b.quorum);
    Ok(model::quorum(rule.as_ref(), &people))
}

async fn meeting_of(st: &AppState, p: PartnershipId, id: i64) -> AppResult<Meeting> {
    store::get(&st.db, p, id).await?.ok_or(AppError::NotFound)
}

// ---- Agenda ----

pub async fn add_item(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<super::pages::ItemValues>,
) -> AppResult<Response> {
    let m = meeting_of(&st, p, id).await?;
    let title = f.title.trim();
    let mut errors = Errors::default();
    if title.is_empty() {
        errors.add("title", "Enter the agenda item's title");
    } else if title.chars().count() > 300 {
        errors.add("title", "Enter a title of 300 characters or fewer");
    }
    if f.presenter.chars().count() > 200 {
        errors.add("presenter", "Enter a presenter of 200 characters or fewer");
    }
    if f.organisation.chars().count() > 200 {
        errors.add(
            "organisation",
            "Enter an organisation of 200 characters or fewer",
        );
    }
    if !model::PURPOSES.contains(&f.purpose.as_str()) {
        errors.add("purpose", "Select the item's purpose");
    }
    if !errors.is_empty() {
        return super::pages::with_item_errors(&st, &viewer, m, f, errors).await;
    }
    let item = store::NewItem {
        title: title.to_owned(),
        presenter: f.presenter.trim().to_owned(),
        organisation: f.organisation.trim().to_owned(),
        purpose: f.purpose.clone(),
        restricted: f.restricted == "yes",
    };
    store::add_item(&st.db, &viewer.actor(), p, m.id, &item).await?;
    crate::web::saved(
        &st.db,
        &viewer,
        "Agenda item added",
        &format!("/meetings/{id}/agenda"),
    )
    .await
}

// ---- Attendance ----

#[derive(Template, WebTemplate)]
#[template(path = "meetings/attendance.html")]
struct AttendancePage {
    page: Page,
    m: Meeting,
    body: String,
    confidentiality: bool,
    rows: Vec<Attendance>,
    /// How many of the rows are in attendance rather than members.
    in_attendance: usize,
    quorum: Quorate,
    can_manage: bool,
    error: String,
}

async fn attendance_page(
    st: &AppState,
    viewer: &Viewer,
    m: Meeting,
    error: String,
) -> AppResult<AttendancePage> {
    let p = viewer.tenant()?;
    let b = body_on(st, p, &m).await?;
    let rows = roll(st, p, &m).await?;
    Ok(AttendancePage {
        in_attendance: rows.iter().filter(|r| r.in_attendance).count(),
        page: Page::new(viewer, "Attendance", "/meetings"),
        body: b
            .as_ref()
            .map_or_else(|| m.body_key.clone(), |b| b.name.clone()),
        confidentiality: b.as_ref().is_some_and(|b| b.confidentiality_agreement),
        rows,
        quorum: quorate(st, p, &m).await?,
        can_manage: Permission::ManagePartnership.allows(viewer),
        m,
        error,
    })
}

pub async fn attendance(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let m = meeting_of(&st, p, id).await?;
    Sight::of(&st.db, &viewer)
        .await?
        .require_body(&m.body_key)?;
    Ok(attendance_page(&st, &viewer, m, String::new())
        .await?
        .into_response())
}

/// The meeting's roll: those listed, then those the memberships on the day expect who are not
/// listed yet. Looking at it writes nothing.
pub async fn roll(st: &AppState, p: PartnershipId, m: &Meeting) -> AppResult<Vec<Attendance>> {
    let e = expected(st, p, m).await?;
    Ok(store::roll(&st.db, p, m.id, &e).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AttendanceForm {
    /// Each row's membership key (a row not yet listed has no id).
    key: Vec<String>,
    /// Each row's version as the form showed it: 0 for one not yet listed.
    version: Vec<String>,
    status: Vec<String>,
    deputy: Vec<String>,
    /// The keys of those who signed the confidentiality agreement.
    signed: Vec<String>,
}

pub async fn save_attendance(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<AttendanceForm>,
) -> AppResult<Response> {
    let m = meeting_of(&st, p, id).await?;
    let bad = || {
        AppError::BadRequest(
            "The attendance form could not be read. Refresh the page and try again.".into(),
        )
    };
    if f.key.len() != f.version.len()
        || f.key.len() != f.status.len()
        || f.key.len() != f.deputy.len()
    {
        return Err(bad());
    }
    // Saving lists those expected who were shown but not yet listed (version 0 on the form,
    // version 1 once listed, unless someone changed them since).
    let e = expected(&st, p, &m).await?;
    store::list_expected(&st.db, &viewer.actor(), p, m.id, &e).await?;
    let rows = store::attendance(&st.db, p, m.id).await?;
    let mut changes = Vec::new();
    let mut problems = Vec::new();
    for i in 0..f.key.len() {
        let version: i64 = f.version[i].parse().map_err(|_| bad())?;
        let row = rows
            .iter()
            .find(|r| r.membership_key == f.key[i])
            .ok_or_else(bad)?;
        let (row_id, version) = (row.id, version.max(1));
        let status = Presence::parse(&f.status[i]).ok_or_else(bad)?;
        let deputy = f.deputy[i].trim().to_owned();
        if status == Presence::Deputy && deputy.is_empty() {
            problems.push(format!("Enter the name of {}'s deputy", row.name));
        }
        if deputy.chars().count() > 200 {
            problems.push(format!(
                "Enter a deputy's name for {} of 200 characters or fewer",
                row.name
            ));
        }
        changes.push(store::AttendanceChange {
            id: row_id,
            version,
            deputy_name: if status == Presence::Deputy {
                deputy
            } else {
                String::new()
            },
            confidentiality_signed: f.signed.contains(&f.key[i]),
            status,
        });
    }
    if !problems.is_empty() {
        // Refused for one row: every row shows again as it was typed, not as stored.
        let mut page = attendance_page(&st, &viewer, m, problems.join(". ")).await?;
        for r in page.rows.iter_mut() {
            if let Some(i) = f.key.iter().position(|k| *k == r.membership_key) {
                if let Some(s) = Presence::parse(&f.status[i]) {
                    r.status = s;
                }
                r.deputy_name = f.deputy[i].trim().to_owned();
                r.confidentiality_signed = f.signed.contains(&r.membership_key);
            }
        }
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    match store::save_attendance(&st.db, &viewer.actor(), p, m.id, &changes).await? {
        Ok(()) => {
            crate::web::saved(
                &st.db,
                &viewer,
                "Attendance saved",
                &format!("/meetings/{id}/attendance"),
            )
            .await
        }
        Err(stale) => {
            let page = attendance_page(&st, &viewer, m, stale).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

// ---- One agenda item: minute, declarations, decisions, actions ----

#[derive(Template, WebTemplate)]
#[template(path = "meetings/item.html")]
struct ItemPage {
    page: Page,
    m: Meeting,
    body: String,
    item: AgendaItem,
    text: String,
    version: i64,
    declarations: Vec<store::Declaration>,
    decisions: Vec<Decision>,
    voters: Vec<Attendance>,
    quorum: Quorate,
    actions: Vec<crate::actions::store::Action>,
    papers: Vec<super::papers::Paper>,
    /// For a restricted item: the partnership's people, and whether each is named to read it.
    readers: Vec<(i64, String, String, bool)>,
    limit: String,
    can_manage: bool,
    errors: Errors,
    /// What was typed into a refused upload's text fields (a paper's title, a note), shown
    /// again: only the file must be chosen again, as browsers never refill a file input.
    kept: std::collections::HashMap<String, String>,
    /// Who an action can be given to.
    owners: Vec<(String, String)>,
}

impl ItemPage {
    /// A refused upload's field as typed, or empty.
    fn kept(&self, name: &str) -> &str {
        self.kept.get(name).map_or("", String::as_str)
    }
}

/// The item page showing problems with an upload sent to it, keeping what was typed.
pub async fn item_with_errors(
    st: &AppState,
    viewer: &Viewer,
    item: AgendaItem,
    errors: Errors,
    kept: std::collections::HashMap<String, String>,
) -> AppResult<Response> {
    let mut page = item_page(st, viewer, item, None, errors).await?;
    page.kept = kept;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn item_page(
    st: &AppState,
    viewer: &Viewer,
    item: AgendaItem,
    text: Option<String>,
    errors: Errors,
) -> AppResult<ItemPage> {
    let p = viewer.tenant()?;
    let m = meeting_of(st, p, item.meeting_id).await?;
    let people = store::attendance(&st.db, p, m.id).await?;
    let body = body_on(st, p, &m)
        .await?
        .map_or_else(|| m.body_key.clone(), |b| b.name);
    Ok(ItemPage {
        page: Page::new(viewer, item.title.clone(), "/meetings"),
        body,
        text: text.unwrap_or_else(|| item.minute_text.clone()),
        version: item.version,
        declarations: store::declarations(&st.db, p, m.id)
            .await?
            .into_iter()
            .filter(|d| d.agenda_item_id == item.id)
            .collect(),
        decisions: store::decisions(&st.db, p, m.id)
            .await?
            .into_iter()
            .filter(|d| d.agenda_item_id == item.id)
            .collect(),
        voters: people
            .iter()
            .filter(|a| a.voting && a.status.there())
            .cloned()
            .collect(),
        quorum: quorate(st, p, &m).await?,
        actions: crate::actions::store::list(
            &st.db,
            p,
            &crate::actions::store::Filter {
                source: Some(("minute".into(), item.id)),
                ..Default::default()
            },
        )
        .await?,
        papers: super::papers::of_meeting(&st.db, p, m.id)
            .await?
            .into_iter()
            .filter(|x| x.agenda_item_id == item.id)
            .collect(),
        readers: if item.restricted && Permission::ManagePartnership.allows(viewer) {
            let named = super::access::readers(&st.db, p, item.id).await?;
            crate::accounts::store::members_of(&st.db, p)
                .await?
                .into_iter()
                .filter(|(ms, u)| ms.role != Role::PartnershipAdmin && !u.disabled)
                .map(|(ms, u)| {
                    (
                        u.id,
                        u.name.clone(),
                        crate::arrangements::view::role_label(ms.role.as_str()),
                        named.contains(&u.id),
                    )
                })
                .collect()
        } else {
            Vec::new()
        },
        limit: st.files.limit_text(),
        can_manage: Permission::ManagePartnership.allows(viewer),
        m,
        item,
        errors,
        kept: Default::default(),
        owners: if Permission::ManagePartnership.allows(viewer) {
            crate::actions::owner_choices(st, p).await?
        } else {
            Vec::new()
        },
    })
}

/// An item the person may read (its reading audited when restricted), or not found.
async fn item_of(st: &AppState, viewer: &Viewer, id: i64) -> AppResult<AgendaItem> {
    let item = store::agenda_item(&st.db, viewer.tenant()?, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let sight = Sight::of(&st.db, viewer).await?;
    super::access::read_item(st, viewer, &sight, &item, "Restricted item viewed").await?;
    Ok(item)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReadersForm {
    reader: Vec<String>,
}

/// Name who may read a restricted item (the chair's decision, recorded by the business unit).
pub async fn name_readers(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<ReadersForm>,
) -> AppResult<Response> {
    let item = item_of(&st, &viewer, id).await?;
    if !item.restricted {
        return Err(AppError::Unprocessable(
            "Only a restricted item has people named to read it".into(),
        ));
    }
    let people = crate::accounts::store::members_of(&st.db, p).await?;
    let mut chosen = Vec::new();
    for r in &f.reader {
        let uid: i64 = r
            .parse()
            .map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
        let (_, u) = people
            .iter()
            .find(|(_, u)| u.id == uid)
            .ok_or_else(|| AppError::BadRequest("The form could not be read.".into()))?;
        chosen.push((u.id, u.name.clone()));
    }
    super::access::set_readers(&st.db, &viewer.actor(), p, &item, &chosen).await?;
    crate::web::flash(
        &st.db,
        &viewer,
        &format!("{} named to read this item", chosen.len()),
    )
    .await?;
    Ok(crate::web::redirect(&format!("/meetings/items/{id}")))
}

pub async fn item(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let item = item_of(&st, &viewer, id).await?;
    Ok(item_page(&st, &viewer, item, None, Errors::default())
        .await?
        .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MinuteForm {
    version: String,
    text: String,
}

/// Write an item's minute. Two people editing at once: the second is told, and keeps their text
/// on the page beside the minute as it now stands, so nothing is lost.
pub async fn save_minute(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<MinuteForm>,
) -> AppResult<Response> {
    let item = item_of(&st, &viewer, id).await?;
    let m = meeting_of(&st, p, item.meeting_id).await?;
    let version = crate::web::forms::version(&f.version)?;
    let text = f.text.replace("\r\n", "\n").trim().to_owned();
    let mut errors = Errors::default();
    if text.is_empty() {
        errors.add("text", "Write the minute");
    } else if text.chars().count() > 50_000 {
        errors.add("text", "Enter 50,000 characters or fewer");
    }
    if store::minutes(&st.db, p, m.id).await?.status == MinutesStatus::Approved {
        errors.add("text", "These minutes are approved: they cannot be changed");
    }
    if !errors.is_empty() {
        let page = item_page(&st, &viewer, item, Some(f.text), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    match store::save_minute(
        &st.db,
        &viewer.actor(),
        p,
        &item,
        &m.body_key,
        version,
        &text,
    )
    .await?
    {
        Ok(n) => {
            crate::web::saved(
                &st.db,
                &viewer,
                &format!("Minute {n} saved"),
                &format!("/meetings/items/{id}"),
            )
            .await
        }
        Err(stale) => {
            let now = item_of(&st, &viewer, id).await?;
            let mut errors = Errors::default();
            errors.add(
                "text",
                format!("{stale} Your text is kept below; the minute as it now stands is shown above it."),
            );
            let page = item_page(&st, &viewer, now, Some(f.text), errors).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeclarationForm {
    name: String,
    interest: String,
}

pub async fn declare(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<DeclarationForm>,
) -> AppResult<Response> {
    let item = item_of(&st, &viewer, id).await?;
    let (name, interest) = (f.name.trim(), f.interest.trim());
    let mut errors = Errors::default();
    if name.is_empty() || name.chars().count() > 200 {
        errors.add("name", "Enter who declared the interest");
    }
    if interest.is_empty() || interest.chars().count() > 2000 {
        errors.add(
            "interest",
            "Describe the interest, in 2000 characters or fewer",
        );
    }
    if !errors.is_empty() {
        let page = item_page(&st, &viewer, item, None, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let d = store::Declaration {
        agenda_item_id: item.id,
        name: name.to_owned(),
        interest: interest.to_owned(),
    };
    store::declare(&st.db, &viewer.actor(), p, item.meeting_id, &d).await?;
    Ok(crate::web::redirect(&format!("/meetings/items/{id}")))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    method: String,
    dissent: String,
    recommendation: String,
    /// For a vote: the attendance ids, and each one's vote (`for`, `against`, `abstain`, or
    /// empty when they did not vote).
    voter: Vec<String>,
    vote: Vec<String>,
}

/// Record a decision by the body's rules: consent, or a vote of voting members only; the
/// partnership's majority rule applied; an inquorate meeting only recommends.
pub async fn decide(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<DecisionForm>,
) -> AppResult<Response> {
    let item = item_of(&st, &viewer, id).await?;
    let m = meeting_of(&st, p, item.meeting_id).await?;
    let people = store::attendance(&st.db, p, m.id).await?;
    let mut errors = Errors::default();
    let text = f.decision.trim();
    if text.is_empty() {
        errors.add("decision", "Write the decision");
    } else if text.chars().count() > 5000 {
        errors.add("decision", "Enter 5000 characters or fewer");
    }
    if f.voter.len() != f.vote.len() {
        return Err(AppError::BadRequest(
            "The votes could not be read. Refresh the page and try again.".into(),
        ));
    }
    let mut casts = Vec::new();
    let mut votes = Vec::new();
    if f.method == "vote" {
        for (who, vote) in f.voter.iter().zip(&f.vote) {
            if vote.is_empty() {
                continue;
            }
            if !["for", "against", "abstain"].contains(&vote.as_str()) {
                errors.add("method", "Record each vote as for, against or abstain");
                continue;
            }
            let Some(a) = who
                .parse::<i64>()
                .ok()
                .and_then(|i| people.iter().find(|a| a.id == i))
            else {
                return Err(AppError::BadRequest(
                    "The votes could not be read. Refresh the page and try again.".into(),
                ));
            };
            casts.push(Cast {
                who: attendee(a),
                vote: vote.clone(),
            });
            votes.push(store::VoteCast {
                membership_key: a.membership_key.clone(),
                name: a.name.clone(),
                vote: vote.clone(),
            });
        }
    }
    let (rules, _) = store::rules(&st.db, p).await?;
    let q = quorate(&st, p, &m).await?;
    let outcome = model::decide(
        &f.method,
        &casts,
        rules.majority_needs_all_partners,
        q.is_quorate(),
        f.recommendation == "yes",
    );
    let outcome = match outcome {
        Ok(o) => Some(o),
        Err(e) => {
            // Not quorate belongs with the recommendation box; the rest with the method.
            let field = if q.is_quorate() || f.recommendation == "yes" {
                "method"
            } else {
                "recommendation"
            };
            errors.add(field, e);
            None
        }
    };
    let (Some(outcome), true) = (outcome, errors.is_empty()) else {
        let page = item_page(&st, &viewer, item, None, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let count = |v: &str| casts.iter().filter(|c| c.vote == v).count() as i64;
    let mut dissent = f.dissent.trim().to_owned();
    if let model::Outcome::Escalated(why) = &outcome {
        dissent = if dissent.is_empty() {
            why.clone()
        } else {
            format!("{why}. {dissent}")
        };
    }
    let d = Decision {
        id: 0,
        agenda_item_id: item.id,
        text: text.to_owned(),
        method: f.method.clone(),
        outcome: outcome.code().to_owned(),
        votes_for: count("for"),
        votes_against: count("against"),
        abstentions: count("abstain"),
        dissent,
    };
    store::record_decision(&st.db, &viewer.actor(), p, m.id, &d, &votes).await?;
    crate::web::flash(
        &st.db,
        &viewer,
        &format!(
            "Decision recorded: {}",
            model::outcome_label(outcome.code())
        ),
    )
    .await?;
    Ok(crate::web::redirect(&format!("/meetings/items/{id}")))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    title: String,
    /// Someone with an account, who then sees and updates it; or empty for a post or a
    /// person without one, named below.
    owner_user_id: String,
    owner_name: String,
    owner_organisation: String,
    due: String,
}

impl ActionForm {
    /// The form as typed, to show again when it is refused.
    fn kept(&self) -> std::collections::HashMap<String, String> {
        [
            ("title", &self.title),
            ("owner_user_id", &self.owner_user_id),
            ("owner_name", &self.owner_name),
            ("owner_organisation", &self.owner_organisation),
            ("due", &self.due),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect()
    }
}

pub async fn add_action(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<ActionForm>,
) -> AppResult<Response> {
    let item = item_of(&st, &viewer, id).await?;
    let m = meeting_of(&st, p, item.meeting_id).await?;
    let picked = crate::actions::chosen_owner(&st, p, &f.owner_user_id).await?;
    // A person picked is named by their account unless a name is typed as well.
    let (owner_name, owner_organisation) = match &picked {
        Ok(Some(o)) if f.owner_name.trim().is_empty() => (
            o.name.clone(),
            if f.owner_organisation.trim().is_empty() {
                o.organisation.clone()
            } else {
                f.owner_organisation.clone()
            },
        ),
        _ => (f.owner_name.clone(), f.owner_organisation.clone()),
    };
    let typed = crate::actions::model::Typed {
        title: &f.title,
        owner_name: &owner_name,
        owner_organisation: &owner_organisation,
        due: &f.due,
    };
    let checked = crate::actions::model::check_new(&typed, str::to_owned);
    let (checked, owner_user) = match (checked, picked) {
        (Ok(x), Ok(o)) => (x, o.map(|o| o.user_id)),
        (checked, picked) => {
            let mut errors = Errors::default();
            if let Err(why) = picked {
                errors.add("owner_user_id", why);
            }
            for (field, message) in checked.err().unwrap_or_default() {
                errors.add(&field, message);
            }
            return item_with_errors(&st, &viewer, item, errors, f.kept()).await;
        }
    };
    let (title, owner, organisation, due) = checked;
    let a = crate::actions::store::NewAction {
        source_kind: "minute".into(),
        source_id: item.id,
        body_key: m.body_key.clone(),
        reference: item
            .minute_number
            .map_or_else(|| item.title.clone(), |n| format!("Minute {n}")),
        title,
        owner_name: owner,
        owner_organisation: organisation,
        owner_user_id: owner_user,
        due,
        sensitive: false,
        restricted_item: item.restricted.then_some(item.id),
    };
    let action = crate::actions::store::add(&st.db, &viewer.actor(), p, &a).await?;
    crate::web::made(
        &st.db,
        &viewer,
        "Action added to the tracker",
        (&format!("/actions/{action}"), "View the action"),
        &format!("/meetings/items/{id}"),
    )
    .await
}

// ---- Minutes: draft, circulated, approved ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MinutesForm {
    version: String,
    step: String,
    approved_at: String,
    amendments: String,
}

/// Circulate the draft minutes, or record their approval at a later meeting of the body.
pub async fn minutes(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    FormData(f): FormData<MinutesForm>,
) -> AppResult<Response> {
    let m = meeting_of(&st, p, id).await?;
    let version = crate::web::forms::version(&f.version)?;
    let now = store::minutes(&st.db, p, id).await?;
    let agenda = store::agenda(&st.db, p, id).await?;
    // Problems are said against the field they are about, on the stage's page.
    let mut errors = Errors::default();
    let new = match (f.step.as_str(), now.status) {
        ("circulate", MinutesStatus::Draft) => {
            if !agenda.iter().any(|i| i.minute_number.is_some()) {
                errors.add(
                    "circulate",
                    "Write at least one minute before circulating the minutes",
                );
            }
            store::Minutes {
                status: MinutesStatus::Circulated,
                circulated_on: Some(today()),
                ..now.clone()
            }
        }
        ("approve", MinutesStatus::Circulated) => {
            let later = match f.approved_at.trim().parse::<i64>() {
                Ok(at) => store::get(&st.db, p, at).await?,
                Err(_) => None,
            };
            let at = later
                .filter(|l| l.body_key == m.body_key && l.date > m.date)
                .map(|l| l.id);
            if at.is_none() {
                errors.add(
                    "approved_at",
                    "Select the later meeting of the body that approved the minutes",
                );
            }
            let amendments = f.amendments.trim().to_owned();
            if amendments.chars().count() > 20_000 {
                errors.add(
                    "amendments",
                    "Enter amendments of 20,000 characters or fewer",
                );
            }
            store::Minutes {
                status: MinutesStatus::Approved,
                approved_at: at,
                amendments,
                ..now.clone()
            }
        }
        _ => {
            return Err(AppError::Conflict(format!(
                "The minutes are {} now: that step is not open to them. Go back to the meeting and refresh the page.",
                now.status
            )));
        }
    };
    if !errors.is_empty() {
        return super::pages::with_minutes_errors(
            &st,
            &viewer,
            m,
            f.step == "approve",
            (&f.approved_at, &f.amendments),
            errors,
        )
        .await;
    }
    match store::set_minutes(&st.db, &viewer.actor(), p, id, version, &new).await? {
        Ok(()) => {
            crate::web::saved(
                &st.db,
                &viewer,
                &format!("Minutes {}", new.status),
                &format!("/meetings/{id}"),
            )
            .await
        }
        Err(stale) => Err(AppError::Conflict(stale)),
    }
}
