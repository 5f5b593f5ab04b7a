//! Papers for agenda items: uploaded through the storage layer, checked by content, versioned
//! when replaced, flagged when late (never refused), and bound with the agenda into one PDF
//! pack. Who may read a paper is the item's rule (see `access`).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Serialize;

use super::access::{self, Sight};
use super::model;
use super::store::{self as mstore, AgendaItem, Meeting};
use crate::args;
use crate::files::{FileType, Files, StoredFile, Upload};
use crate::state::{AppState, Ctx};
use crate::store::{Actor, Db, PartnershipId, RecordRef, Row, StoreResult, Tx};
use crate::web::error::{AppError, AppResult};
use crate::web::forms::Errors;
use crate::web::viewer::Viewer;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PaperVersion {
    pub number: i64,
    pub late: bool,
    pub note: String,
    pub uploaded_on: NaiveDate,
    pub file: StoredFile,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Paper {
    pub id: i64,
    pub meeting_id: i64,
    pub agenda_item_id: i64,
    pub title: String,
    pub version: i64,
    /// Newest first.
    pub versions: Vec<PaperVersion>,
}

impl Paper {
    pub fn current(&self) -> Option<&PaperVersion> {
        self.versions.first()
    }
}

fn version_of(r: &Row) -> StoreResult<(i64, PaperVersion)> {
    Ok((
        r.get("paper_id")?,
        PaperVersion {
            number: r.get("number")?,
            late: r.get("late")?,
            note: r.get("note")?,
            uploaded_on: r.get("uploaded_on")?,
            file: crate::files::file_of(r)?,
        },
    ))
}

const VERSION_SELECT: &str = "SELECT v.paper_id, v.number, v.late, v.note, v.uploaded_on, f.id, f.file_name, f.media_type, f.size_bytes, f.page_count, f.sha256, f.created_at, f.created_by FROM paper_versions v JOIN files f ON f.id = v.file_id";

/// A meeting's papers, in agenda order then as added, each with its versions.
pub async fn of_meeting(db: &Db, p: PartnershipId, meeting_id: i64) -> StoreResult<Vec<Paper>> {
    let rows = db
        .fetch_all(
            "SELECT pa.id, pa.meeting_id, pa.agenda_item_id, pa.title, pa.version FROM papers pa JOIN agenda_items i ON i.id = pa.agenda_item_id WHERE pa.partnership_id = $1 AND pa.meeting_id = $2 ORDER BY i.position, pa.id",
            args![p, meeting_id],
        )
        .await?;
    let versions = db
        .fetch_all(
            crate::store::Sql::join(&[VERSION_SELECT, " WHERE v.partnership_id = $1 AND v.paper_id IN (SELECT id FROM papers WHERE partnership_id = $2 AND meeting_id = $3) ORDER BY v.number DESC"]),
            args![p, p, meeting_id],
        )
        .await?
        .iter()
        .map(version_of)
        .collect::<StoreResult<Vec<_>>>()?;
    rows.iter()
        .map(|r| {
            let id: i64 = r.get("id")?;
            Ok(Paper {
                id,
                meeting_id: r.get("meeting_id")?,
                agenda_item_id: r.get("agenda_item_id")?,
                title: r.get("title")?,
                version: r.get("version")?,
                versions: versions
                    .iter()
                    .filter(|(pid, _)| *pid == id)
                    .map(|(_, v)| v.clone())
                    .collect(),
            })
        })
        .collect()
}

pub async fn get(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Option<Paper>> {
    let Some(meeting_id) = db
        .fetch_optional(
            "SELECT meeting_id FROM papers WHERE partnership_id = $1 AND id = $2",
            args![p, id],
        )
        .await?
        .map(|r| r.get::<i64>("meeting_id"))
        .transpose()?
    else {
        return Ok(None);
    };
    Ok(of_meeting(db, p, meeting_id)
        .await?
        .into_iter()
        .find(|x| x.id == id))
}

/// A new paper for an item, its first version from a checked file.
#[allow(clippy::too_many_arguments)]
pub async fn add(
    db: &Db,
    files: &Files,
    actor: &Actor,
    p: PartnershipId,
    item: &AgendaItem,
    title: &str,
    late: bool,
    today: NaiveDate,
    (name, kind, bytes): (String, FileType, Vec<u8>),
) -> StoreResult<i64> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let file = files.put(&mut tx, p, &name, kind, bytes).await?;
    let id = tx
        .insert(
            "INSERT INTO papers (partnership_id, meeting_id, agenda_item_id, title, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            args![p, item.meeting_id, item.id, title, now, now, actor.name.as_str()],
            Some(p),
            "paper",
            &format!("Paper added{}: {title}", if late { " late" } else { "" }),
            &serde_json::json!({"item": item.id, "title": title, "file": file, "late": late}),
        )
        .await?;
    tx.insert_keyed(
        "INSERT INTO paper_versions (partnership_id, paper_id, number, file_id, late, note, uploaded_on, created_at, created_by) VALUES ($1, $2, 1, $3, $4, '', $5, $6, $7)",
        args![p, id, file.id, late, today, now, actor.name.as_str()],
        &RecordRef::new(Some(p), "paper", id),
        "Version 1 of the paper kept",
        &serde_json::json!({"number": 1, "file": file.id, "late": late, "uploaded_on": today}),
    )
    .await?;
    super::index::papers(&mut tx, p, Some(id)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Replace a paper with a new version; every earlier version is kept. `Err` when someone else
/// replaced it first.
#[allow(clippy::too_many_arguments)]
pub async fn replace(
    db: &Db,
    files: &Files,
    actor: &Actor,
    p: PartnershipId,
    paper: &Paper,
    expected_version: i64,
    note: &str,
    late: bool,
    today: NaiveDate,
    (name, kind, bytes): (String, FileType, Vec<u8>),
) -> StoreResult<Result<i64, String>> {
    let mut tx = Tx::begin(db, actor).await?;
    let now = tx.now();
    let number = paper.versions.first().map_or(1, |v| v.number + 1);
    let n = tx
        .update_versioned(
            &crate::store::Versioned::new("papers", "paper", p, paper.id, expected_version),
            "current_version = $1",
            args![number],
            &format!(
                "Paper replaced{} (version {number}): {}",
                if late { " late" } else { "" },
                paper.title
            ),
            &serde_json::json!({"version": number - 1}),
            &serde_json::json!({"version": number, "file": name, "note": note, "late": late}),
        )
        .await?;
    if let Err(stale) = n {
        drop(tx);
        return Ok(Err(stale.to_string()));
    }
    let file = files.put(&mut tx, p, &name, kind, bytes).await?;
    tx.insert_keyed(
        "INSERT INTO paper_versions (partnership_id, paper_id, number, file_id, late, note, uploaded_on, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        args![p, paper.id, number, file.id, late, note, today, now, actor.name.as_str()],
        &RecordRef::new(Some(p), "paper", paper.id),
        &format!("Version {number} of the paper kept"),
        &serde_json::json!({"number": number, "file": file.id, "late": late, "note": note, "uploaded_on": today}),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(number))
}

// ---- Pages ----

use crate::calendar::today;

async fn late_today(st: &AppState, p: PartnershipId, m: &Meeting) -> AppResult<bool> {
    let (rules, _) = mstore::rules(&st.db, p).await?;
    let cal = crate::calendar::store::current(&st.db).await?;
    Ok(model::paper_is_late(m.date, today(), &rules, &cal))
}

/// Add a paper to an item, or a new version of one of its papers.
pub async fn upload(
    Ctx { st, viewer, p }: Ctx,
    Path(id): Path<i64>,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    let sight = Sight::of(&st.db, &viewer).await?;
    let item = mstore::agenda_item(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::read_item(&st, &viewer, &sight, &item, "Restricted item viewed").await?;
    let m = mstore::get(&st.db, p, item.meeting_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let up = Upload::read(form, st.files.limit).await?;
    let mut errors = Errors::default();
    let replacing = match up.field("paper").trim() {
        "" => None,
        v => {
            let paper_id: i64 = v
                .parse()
                .map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
            let paper = get(&st.db, p, paper_id)
                .await?
                .filter(|x| x.agenda_item_id == item.id)
                .ok_or(AppError::NotFound)?;
            Some((paper, crate::web::forms::version(up.field("version"))?))
        }
    };
    let title = up.field("paper_title").trim().to_owned();
    if replacing.is_none() {
        if title.is_empty() {
            errors.add("paper_title", "Enter the paper's title");
        } else if title.chars().count() > 300 {
            errors.add("paper_title", "Enter a title of 300 characters or fewer");
        }
    }
    let (field, note_field) = match &replacing {
        Some((x, _)) => (format!("replacement-{}", x.id), format!("note-{}", x.id)),
        None => ("file".to_owned(), "note".to_owned()),
    };
    let note = errors.text(&note_field, up.field(&note_field), 1000);
    let checked = errors.check(&field, up.checked(&st.files));
    let Some(file) = checked.filter(|_| errors.is_empty()) else {
        return super::conduct::item_with_errors(&st, &viewer, item, errors, up.fields).await;
    };
    let late = late_today(&st, p, &m).await?;
    let actor = viewer.actor();
    let message = match replacing {
        None => {
            add(
                &st.db,
                &st.files,
                &actor,
                p,
                &item,
                &title,
                late,
                today(),
                file,
            )
            .await?;
            format!("Paper added{}", if late { ": it is late" } else { "" })
        }
        Some((paper, version)) => {
            match replace(
                &st.db,
                &st.files,
                &actor,
                p,
                &paper,
                version,
                &note,
                late,
                today(),
                file,
            )
            .await?
            {
                Ok(n) => format!("Version {n} of \"{}\" added", paper.title),
                Err(stale) => {
                    let mut errors = Errors::default();
                    errors.add(
                        &format!("replacement-{}", paper.id),
                        format!(
                            "{stale} Check the paper's versions below before replacing it again."
                        ),
                    );
                    return super::conduct::item_with_errors(&st, &viewer, item, errors, up.fields)
                        .await;
                }
            }
        }
    };
    crate::web::saved(
        &st.db,
        &viewer,
        &message,
        &format!("/meetings/items/{id}#papers"),
    )
    .await
}

/// Download one version of a paper. A restricted paper's every reading is audited.
pub async fn download(
    Ctx { st, viewer, p }: Ctx,
    Path((id, number)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let sight = Sight::of(&st.db, &viewer).await?;
    let paper = get(&st.db, p, id).await?.ok_or(AppError::NotFound)?;
    let item = mstore::agenda_item(&st.db, p, paper.agenda_item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let v = paper
        .versions
        .iter()
        .find(|v| v.number == number)
        .ok_or(AppError::NotFound)?;
    access::read_item(
        &st,
        &viewer,
        &sight,
        &item,
        &format!(
            "Restricted paper \"{}\" (version {number}) read",
            paper.title
        ),
    )
    .await?;
    st.files.serve(&st.db, p, v.file.id).await
}

/// The paper pack: the agenda and every paper the person may read, as one PDF. PDF papers are
/// bound in page by page; other papers are listed, to download on their own.
pub async fn pack(Ctx { st, viewer, p }: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let sight = Sight::of(&st.db, &viewer).await?;
    let m = mstore::get(&st.db, p, id)
        .await?
        .ok_or(AppError::NotFound)?;
    sight.require_body(&m.body_key)?;
    let pdf = pack_pdf(&st, &viewer, &sight, &m).await?;
    let name = format!("papers-{}-{}.pdf", m.body_key, m.date);
    Ok((
        StatusCode::OK,
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (
                axum::http::header::CACHE_CONTROL,
                "private, no-store".to_owned(),
            ),
        ],
        pdf,
    )
        .into_response())
}

#[derive(Serialize)]
struct PackPaper {
    title: String,
    version: i64,
    late: bool,
    file_name: String,
    kind: String,
    size: String,
    /// The PDF's path in the document, and its pages, when it is bound in.
    path: Option<String>,
    pages: usize,
}

#[derive(Serialize)]
struct PackItem {
    position: i64,
    title: String,
    presenter: String,
    purpose: String,
    restricted: bool,
    papers: Vec<PackPaper>,
}

#[derive(Serialize)]
struct PackData {
    partnership: String,
    body: String,
    meeting: String,
    time: String,
    venue: String,
    made: String,
    items: Vec<PackItem>,
    withheld: usize,
}

async fn pack_pdf(
    st: &AppState,
    viewer: &Viewer,
    sight: &Sight,
    m: &Meeting,
) -> AppResult<Vec<u8>> {
    let p = sight.partnership;
    let body = super::pages::body_name(st, p, &m.body_key).await?;
    let papers = of_meeting(&st.db, p, m.id).await?;
    let mut items = Vec::new();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut withheld = 0;
    for item in mstore::agenda(&st.db, p, m.id).await? {
        if !super::access::may_read(sight, &item) {
            withheld += 1;
            continue;
        }
        let mut listed = Vec::new();
        for paper in papers.iter().filter(|x| x.agenda_item_id == item.id) {
            let Some(v) = paper.current() else { continue };
            let kind = FileType::of_media_type(&v.file.media_type);
            let mut path = None;
            let mut pages = 0;
            if kind == Some(FileType::Pdf)
                && let Some((_, bytes)) = st.files.get(&st.db, p, v.file.id).await?
            {
                pages = hayro_syntax::Pdf::new(bytes.clone()).map_or(0, |d| d.pages().len());
                if pages > 0 {
                    let name = format!("/papers/{}-{}.pdf", paper.id, v.number);
                    files.push((name.clone(), bytes));
                    path = Some(name);
                }
            }
            listed.push(PackPaper {
                title: paper.title.clone(),
                version: v.number,
                late: v.late,
                file_name: v.file.name.clone(),
                kind: kind.map_or("file", FileType::label).to_owned(),
                size: v.file.size_text(),
                path,
                pages,
            });
        }
        if item.restricted {
            access::read_item(
                st,
                viewer,
                sight,
                &item,
                "Restricted item read in a paper pack",
            )
            .await?;
        }
        items.push(PackItem {
            position: item.position,
            title: item.title.clone(),
            presenter: [item.presenter.as_str(), item.organisation.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
            purpose: crate::arrangements::view::role_label(&item.purpose),
            restricted: item.restricted,
            papers: listed,
        });
    }
    let data = PackData {
        partnership: viewer
            .current
            .as_ref()
            .map(|c| c.partnership_name.clone())
            .unwrap_or_default(),
        body,
        meeting: format!(
            "{}: {}",
            model::kind_label(&m.kind),
            m.date.format("%A %-d %B %Y")
        ),
        time: m.start_time.clone(),
        venue: m.venue.clone(),
        made: today().format("%-d %B %Y").to_string(),
        items,
        withheld,
    };
    crate::pdf::make(
        include_str!("../../templates/pdf/paper_pack.typ"),
        &data,
        files,
        today(),
    )
    .await
}
