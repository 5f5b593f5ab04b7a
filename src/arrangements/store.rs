//! Arrangements in the database: every entry of the file is a row of `arrangement_items`,
//! effective-dated, holding the entry as TOML text. Import compares the file with what is stored
//! and inserts, updates or deletes rows one by one through the audited transaction, so each
//! change has its before and after in the audit trail. Export rebuilds the file from the rows.

use chrono::NaiveDate;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::model::{self, Arrangements, Day};
use crate::args;
use crate::store::{Db, PartnershipId, RecordRef, Row, StoreResult, Tx};
use crate::web::error::{AppError, AppResult};

/// The kinds of entry, in file order.
pub const KINDS: &[&str] = &[
    "partnership",
    "area",
    "collaboration",
    "organisation",
    "post",
    "statutory-partner",
    "additional-partner",
    "body",
    "membership",
    "sections",
];

crate::record! {
    /// One entry as stored. `key`, `from` and `to` are words of SQL, so the columns keep
    /// their own names.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Item {
        pub kind: String,
        pub key: String => "item_key" as "item_key",
        pub position: i64,
        pub name: String,
        pub parent_key: String,
        pub from: Option<NaiveDate> => "valid_from" as "valid_from",
        pub to: Option<NaiveDate> => "valid_to" as "valid_to",
        pub data: String,
    }
}

const ITEM_COLUMNS: &str = <Item as crate::store::Record>::COLUMNS;

fn toml_text<T: Serialize>(v: &T) -> AppResult<String> {
    toml::to_string_pretty(v)
        .map_err(|e| AppError::Internal(format!("cannot write arrangements entry: {e}")))
}

fn day(d: Option<Day>) -> Option<NaiveDate> {
    d.map(|d| d.0)
}

/// An entry in words, for the audit trail ("Organisation: NHS Devon ICB").
fn what(i: &Item) -> String {
    let name = if i.name.is_empty() { &i.key } else { &i.name };
    format!("{}: {name}", super::view::role_label(&i.kind))
}

/// The rows a file becomes.
pub fn items_of(a: &Arrangements) -> AppResult<Vec<Item>> {
    let mut out = Vec::new();
    let mut push = |kind: &str, key: String, name: &str, parent: &str, from, to, data: String| {
        let position = out.iter().filter(|i: &&Item| i.kind == kind).count() as i64;
        out.push(Item {
            kind: kind.to_owned(),
            key,
            position,
            name: name.to_owned(),
            parent_key: parent.to_owned(),
            from,
            to,
            data,
        });
    };
    push(
        "partnership",
        "partnership".into(),
        &a.partnership.name,
        "",
        None,
        None,
        toml_text(&a.partnership)?,
    );
    for x in &a.areas {
        let v = x.get_ref();
        push(
            "area",
            v.key.clone(),
            &v.name,
            "",
            None,
            None,
            toml_text(v)?,
        );
    }
    for x in &a.collaborations {
        let v = x.get_ref();
        push(
            "collaboration",
            v.key.clone(),
            &v.name,
            "",
            day(v.from),
            day(v.to),
            toml_text(v)?,
        );
    }
    for x in &a.organisations {
        let v = x.get_ref();
        push(
            "organisation",
            v.key.clone(),
            &v.name,
            v.parent.as_deref().unwrap_or(""),
            day(v.from),
            day(v.to),
            toml_text(v)?,
        );
    }
    for x in &a.posts {
        let v = x.get_ref();
        push(
            "post",
            v.key.clone(),
            &v.title,
            &v.organisation,
            day(v.from),
            day(v.to),
            toml_text(v)?,
        );
    }
    for x in &a.statutory_partners {
        let v = x.get_ref();
        // No key in the file: identified by what it is and when it began.
        let key = format!(
            "{}/{}/{}",
            v.role,
            v.organisation,
            v.from.map(|d| d.to_string()).unwrap_or_default()
        );
        push(
            "statutory-partner",
            key,
            &v.role,
            &v.organisation,
            day(v.from),
            day(v.to),
            toml_text(v)?,
        );
    }
    for x in &a.additional_partners {
        let v = x.get_ref();
        // Like a statutory partner: what it is and when it began.
        let key = format!(
            "{}/{}",
            v.organisation,
            v.from.map(|d| d.to_string()).unwrap_or_default()
        );
        push(
            "additional-partner",
            key,
            &v.sector,
            &v.organisation,
            day(v.from),
            day(v.to),
            toml_text(v)?,
        );
    }
    for x in &a.bodies {
        let v = x.get_ref();
        // The latest reporting line, for lists; pages resolve the line as at their date.
        let parent = v
            .parent
            .as_deref()
            .or(v.parents.last().map(|l| l.body.as_str()));
        push(
            "body",
            v.key.clone(),
            &v.name,
            parent.unwrap_or(""),
            day(v.from),
            day(v.to),
            toml_text(v)?,
        );
    }
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for x in &a.memberships {
        let v = x.get_ref();
        let base = format!(
            "{}/{}/{}/{}/{}/{}",
            v.body,
            v.organisation,
            v.post.as_deref().unwrap_or(&v.representative),
            v.role,
            v.from.map(|d| d.to_string()).unwrap_or_default(),
            ""
        );
        let n = seen.entry(base.clone()).or_insert(0);
        *n += 1;
        let key = format!("{base}{n}");
        push(
            "membership",
            key,
            &v.role,
            &v.body,
            day(v.from),
            day(v.to),
            toml_text(v)?,
        );
    }
    push(
        "sections",
        "sections".into(),
        "",
        "",
        None,
        None,
        toml_text(&a.sections)?,
    );
    Ok(out)
}

fn item_from(r: &Row) -> StoreResult<Item> {
    <Item as crate::store::Record>::from_row(r)
}

/// The bodies these memberships (by key) are of, each once, in key order.
pub async fn bodies_of_memberships(
    db: &Db,
    p: PartnershipId,
    keys: &[String],
) -> StoreResult<Vec<String>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = crate::store::Statement::new(
        "SELECT DISTINCT parent_key FROM arrangement_items WHERE partnership_id = $1 AND kind = 'membership' AND item_key IN (",
        args![p],
    );
    q.bind_list(keys.iter().map(String::as_str))
        .push(") ORDER BY parent_key");
    let (sql, values) = q.parts();
    db.fetch_all(sql, values)
        .await?
        .iter()
        .map(|r| r.get("parent_key"))
        .collect()
}

/// Every stored entry of a partnership, in file order.
pub async fn items(db: &Db, p: PartnershipId) -> StoreResult<Vec<Item>> {
    let mut v: Vec<Item> = db
        .fetch_all(
            crate::store::Sql::join(&[
                "SELECT ",
                ITEM_COLUMNS,
                " FROM arrangement_items WHERE partnership_id = $1",
            ]),
            args![p],
        )
        .await?
        .iter()
        .map(item_from)
        .collect::<StoreResult<_>>()?;
    v.sort_by_key(|i| {
        (
            KINDS
                .iter()
                .position(|k| *k == i.kind)
                .unwrap_or(usize::MAX),
            i.position,
        )
    });
    Ok(v)
}

/// The keys and names of one kind of entry (every body, say), in file order: for pages that
/// only need to name things, without reading the entries themselves.
pub async fn names(db: &Db, p: PartnershipId, kind: &str) -> StoreResult<Vec<(String, String)>> {
    db.fetch_all(
        "SELECT item_key, name FROM arrangement_items WHERE partnership_id = $1 AND kind = $2 ORDER BY position",
        args![p, kind],
    )
    .await?
    .iter()
    .map(|r| Ok((r.get("item_key")?, r.get("name")?)))
    .collect()
}

/// Entries of one kind in force on a day.
pub async fn as_at(
    db: &Db,
    p: PartnershipId,
    kind: &str,
    day: NaiveDate,
) -> StoreResult<Vec<Item>> {
    db.fetch_all(
        crate::store::Sql::join(&["SELECT ", ITEM_COLUMNS, " FROM arrangement_items WHERE partnership_id = $1 AND kind = $2 AND (valid_from IS NULL OR valid_from <= $3) AND (valid_to IS NULL OR valid_to >= $3) ORDER BY position"]),
        args![p, kind, day],
    )
    .await?
    .iter()
    .map(item_from)
    .collect()
}

/// Read an entry's data back into its type.
pub fn decode<T: DeserializeOwned>(item: &Item) -> AppResult<T> {
    toml::from_str(&item.data).or_else(|e| {
        // Stored by a masa that read `/1` files: read as upgraded.
        let up = super::upgrade::entry(&item.kind, &item.data);
        toml::from_str(&up)
            .map_err(|_| AppError::Internal(format!("stored {} {}: {e}", item.kind, item.key)))
    })
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub deleted: usize,
    pub unchanged: usize,
    pub partnership_created: bool,
}

/// Store a file as read, and keep its text as written (comments, layout, each entry's form),
/// which [`export`] gives back.
pub async fn import_file(
    db: &Db,
    actor: &crate::store::Actor,
    r: &model::Read,
) -> AppResult<(PartnershipId, ImportSummary)> {
    import_kept(db, actor, &r.arrangements, Some(&r.text)).await
}

/// Store checked arrangements that came without a file's text (built in code): export then
/// writes the file afresh from the entries.
pub async fn import(
    db: &Db,
    actor: &crate::store::Actor,
    a: &Arrangements,
) -> AppResult<(PartnershipId, ImportSummary)> {
    import_kept(db, actor, a, None).await
}

/// What the audit trail says of a kept file: its size and digest (each entry's change has its
/// own before and after).
fn file_digest(text: &str) -> serde_json::Value {
    serde_json::json!({
        "bytes": text.len(),
        "lines": text.lines().count(),
        "sha256": crate::files::digest(text.as_bytes()),
    })
}

/// The file's text as kept, if it is.
pub async fn kept_text(db: &Db, p: PartnershipId) -> StoreResult<Option<String>> {
    db.fetch_optional(
        "SELECT source FROM arrangement_files WHERE partnership_id = $1",
        args![p],
    )
    .await?
    .map(|r| r.get("source"))
    .transpose()
}

/// Store a checked file: insert what is new, update what changed, delete what is gone, each
/// through the audit trail, all in one transaction; and keep the file's text, or forget the
/// text kept when there is none (it would no longer match the entries).
async fn import_kept(
    db: &Db,
    actor: &crate::store::Actor,
    a: &Arrangements,
    text: Option<&str>,
) -> AppResult<(PartnershipId, ImportSummary)> {
    let mut summary = ImportSummary::default();
    let mut tx = Tx::begin(db, actor).await?;
    let existing_p = crate::partnerships::store::by_slug(db, &a.partnership.slug).await?;
    let p = match &existing_p {
        Some(p) => PartnershipId(p.id),
        None => {
            summary.partnership_created = true;
            crate::partnerships::store::create(&mut tx, &a.partnership.slug, &a.partnership.name)
                .await?
        }
    };
    if let Some(existing) = &existing_p
        && existing.name != a.partnership.name
    {
        let now = tx.now();
        let by = tx.actor().name.clone();
        tx.update(
            "UPDATE partnerships SET name = $1, version = version + 1, updated_at = $2, updated_by = $3 WHERE id = $4",
            args![a.partnership.name.as_str(), now, by, p],
            &RecordRef::new(Some(p), "partnership", p.0),
            "Name changed by importing the arrangements file",
            &serde_json::json!({"name": existing.name}),
            &serde_json::json!({"name": a.partnership.name}),
        )
        .await?;
    }
    let want = items_of(a)?;
    let have = if summary.partnership_created {
        Vec::new()
    } else {
        items(db, p).await?
    };
    let now = tx.now();
    let by = tx.actor().name.clone();
    for w in &want {
        let record_key = format!("{}:{}", w.kind, w.key);
        match have.iter().find(|h| h.kind == w.kind && h.key == w.key) {
            Some(h) if h == w => summary.unchanged += 1,
            Some(h) => {
                tx.update(
                    "UPDATE arrangement_items SET position = $1, name = $2, parent_key = $3, valid_from = $4, valid_to = $5, data = $6, version = version + 1, updated_at = $7, updated_by = $8 WHERE partnership_id = $9 AND kind = $10 AND item_key = $11",
                    args![w.position, w.name.as_str(), w.parent_key.as_str(), w.from, w.to, w.data.as_str(), now, by.as_str(), p, w.kind.as_str(), w.key.as_str()],
                    &RecordRef { partnership: Some(p), record_type: "arrangements", record_id: record_key },
                    &format!("{} changed", what(w)),
                    h,
                    w,
                )
                .await?;
                summary.updated += 1;
            }
            None => {
                tx.insert_keyed(
                    "INSERT INTO arrangement_items (partnership_id, kind, item_key, position, name, parent_key, valid_from, valid_to, data, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    args![p, w.kind.as_str(), w.key.as_str(), w.position, w.name.as_str(), w.parent_key.as_str(), w.from, w.to, w.data.as_str(), now, by.as_str()],
                    &RecordRef { partnership: Some(p), record_type: "arrangements", record_id: record_key },
                    &format!("{} added", what(w)),
                    w,
                )
                .await?;
                summary.created += 1;
            }
        }
    }
    for h in &have {
        if !want.iter().any(|w| w.kind == h.kind && w.key == h.key) {
            tx.delete(
                "DELETE FROM arrangement_items WHERE partnership_id = $1 AND kind = $2 AND item_key = $3",
                args![p, h.kind.as_str(), h.key.as_str()],
                &RecordRef { partnership: Some(p), record_type: "arrangements", record_id: format!("{}:{}", h.kind, h.key) },
                &format!("{} removed", what(h)),
                h,
            )
            .await?;
            summary.deleted += 1;
        }
    }
    let kept = if summary.partnership_created {
        None
    } else {
        kept_text(db, p).await?
    };
    let file = RecordRef {
        partnership: Some(p),
        record_type: "arrangements",
        record_id: "file".into(),
    };
    match (kept.as_deref(), text) {
        (Some(k), Some(t)) if k == t => {}
        (Some(k), Some(t)) => {
            tx.update(
                "UPDATE arrangement_files SET source = $1, version = version + 1, updated_at = $2, updated_by = $3 WHERE partnership_id = $4",
                args![t, now, by.as_str(), p],
                &file,
                "Arrangements file kept as written",
                &file_digest(k),
                &file_digest(t),
            )
            .await?;
        }
        (None, Some(t)) => {
            tx.insert_keyed(
                "INSERT INTO arrangement_files (partnership_id, source, updated_at, updated_by) VALUES ($1, $2, $3, $4)",
                args![p, t, now, by.as_str()],
                &file,
                "Arrangements file kept as written",
                &file_digest(t),
            )
            .await?;
        }
        // Built in code with nothing changed: the text kept still says what is stored.
        (Some(_), None) if summary.created + summary.updated + summary.deleted == 0 => {}
        (Some(k), None) => {
            tx.delete(
                "DELETE FROM arrangement_files WHERE partnership_id = $1",
                args![p],
                &file,
                "Arrangements file no longer kept: the entries changed without it",
                &file_digest(k),
            )
            .await?;
        }
        (None, None) => {}
    }
    tx.commit().await?;
    Ok((p, summary))
}

/// The file for a partnership: as its author wrote it when it came as a file, else rebuilt from
/// what is stored. Either way export, import, export gives the same bytes.
pub async fn export(db: &Db, p: PartnershipId) -> AppResult<String> {
    if let Some(text) = kept_text(db, p).await? {
        return Ok(text);
    }
    let all = items(db, p).await?;
    let of = |kind: &'static str| all.iter().filter(move |i| i.kind == kind);
    let partnership: model::Partnership = match of("partnership").next() {
        Some(i) => decode(i)?,
        None => return Err(AppError::NotFound),
    };
    #[derive(Serialize)]
    struct Doc {
        schema: &'static str,
        partnership: model::Partnership,
        areas: Vec<model::Area>,
        collaborations: Vec<model::Collaboration>,
        organisations: Vec<model::Organisation>,
        posts: Vec<model::Post>,
        statutory_partners: Vec<model::StatutoryPartner>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        additional_partners: Vec<model::AdditionalPartner>,
        bodies: Vec<model::Body>,
        memberships: Vec<model::Membership>,
        sections: model::Sections,
    }
    fn all_of<T: DeserializeOwned>(
        it: impl Iterator<Item = impl std::borrow::Borrow<Item>>,
    ) -> AppResult<Vec<T>> {
        it.map(|i| decode(i.borrow())).collect()
    }
    let doc = Doc {
        schema: model::SCHEMA,
        partnership,
        areas: all_of(of("area"))?,
        collaborations: all_of(of("collaboration"))?,
        organisations: all_of(of("organisation"))?,
        posts: all_of(of("post"))?,
        statutory_partners: all_of(of("statutory-partner"))?,
        additional_partners: all_of(of("additional-partner"))?,
        bodies: all_of(of("body"))?,
        memberships: all_of(of("membership"))?,
        sections: of("sections")
            .next()
            .map(decode)
            .transpose()?
            .unwrap_or_default(),
    };
    let body = toml::to_string_pretty(&doc)
        .map_err(|e| AppError::Internal(format!("cannot write the arrangements file: {e}")))?;
    Ok(format!(
        "# Arrangements of {}, exported by masa. Format: docs/arrangements-format.md\n{body}",
        doc.partnership.name
    ))
}

/// Everything in force on a day, decoded, for the pages.
pub struct AsAt {
    pub day: NaiveDate,
    pub partnership: model::Partnership,
    pub areas: Vec<model::Area>,
    pub organisations: Vec<model::Organisation>,
    pub posts: Vec<model::Post>,
    pub statutory_partners: Vec<model::StatutoryPartner>,
    pub additional_partners: Vec<model::AdditionalPartner>,
    pub collaborations: Vec<model::Collaboration>,
    pub bodies: Vec<model::Body>,
    pub memberships: Vec<model::Membership>,
    pub sections: model::Sections,
}

impl AsAt {
    /// For comparing two days.
    pub fn entries(&self) -> super::view::Day<'_> {
        super::view::Day {
            bodies: &self.bodies,
            memberships: &self.memberships,
            organisations: &self.organisations,
            posts: &self.posts,
            partners: &self.statutory_partners,
        }
    }
}

/// The structure as at the arrangements' day, with what collaborations share: a body this
/// partnership hosts says with whom; a body another partnership on this host holds for a
/// collaboration with this one is added (with its chair and members from the host's file) when
/// both files name the collaboration and each other by slug.
pub async fn structure(db: &Db, a: &AsAt) -> AppResult<Vec<super::view::BodyView>> {
    use super::view::{self, Names};
    let names = Names::new(&a.organisations, &a.posts);
    let mut out = view::structure(&a.bodies, &a.memberships, &names, a.day);
    let list = |c: &model::Collaboration| {
        let n: Vec<&str> = c.partners.iter().map(|p| p.name.as_str()).collect();
        n.join(", ")
    };
    for c in &a.collaborations {
        for v in out
            .iter_mut()
            .filter(|v| c.shared_bodies.contains(&v.body.key))
        {
            v.shared = format!("Shared with {} ({})", list(c), c.name);
            v.collaboration = Some(c.key.clone());
        }
        let Some(host) = &c.host else { continue };
        let Some(hp) = crate::partnerships::store::by_slug(db, host).await? else {
            continue;
        };
        let Some(h) = load_as_at(db, PartnershipId(hp.id), a.day).await? else {
            continue;
        };
        let Some(hc) = h.collaborations.iter().find(|x| {
            x.key == c.key
                && x.partners
                    .iter()
                    .any(|p| p.slug.as_deref() == Some(a.partnership.slug.as_str()))
        }) else {
            continue;
        };
        let host_names = Names::new(&h.organisations, &h.posts);
        let shared: Vec<model::Body> = h
            .bodies
            .iter()
            .filter(|b| hc.shared_bodies.contains(&b.key))
            .map(|b| model::Body {
                parent: None,
                ..b.clone()
            })
            .collect();
        for mut v in view::structure(&shared, &h.memberships, &host_names, a.day) {
            v.shared = format!("Held by {} for {}", hp.name, c.name);
            v.guest = true;
            v.collaboration = Some(c.key.clone());
            out.push(v);
        }
    }
    Ok(out)
}

/// The arrangements as at a day, or None when the partnership has none stored.
pub async fn load_as_at(db: &Db, p: PartnershipId, day: NaiveDate) -> AppResult<Option<AsAt>> {
    let all = items(db, p).await?;
    let Some(head) = all.iter().find(|i| i.kind == "partnership") else {
        return Ok(None);
    };
    let in_force = |i: &&Item| i.from.is_none_or(|f| f <= day) && i.to.is_none_or(|t| day <= t);
    fn of<T: DeserializeOwned>(
        all: &[Item],
        kind: &str,
        keep: &dyn Fn(&&Item) -> bool,
    ) -> AppResult<Vec<T>> {
        all.iter()
            .filter(|i| i.kind == kind)
            .filter(keep)
            .map(decode)
            .collect()
    }
    Ok(Some(AsAt {
        day,
        partnership: decode(head)?,
        areas: of(&all, "area", &in_force)?,
        // Each organisation and body under the name it had that day.
        organisations: of::<model::Organisation>(&all, "organisation", &in_force)?
            .iter()
            .map(|o| o.on(day))
            .collect(),
        posts: of(&all, "post", &in_force)?,
        statutory_partners: of(&all, "statutory-partner", &in_force)?,
        additional_partners: of(&all, "additional-partner", &in_force)?,
        collaborations: of(&all, "collaboration", &in_force)?,
        // Each body with its reporting line as it stood that day.
        bodies: of::<model::Body>(&all, "body", &in_force)?
            .iter()
            .map(|b| b.on(day))
            .collect(),
        memberships: of(&all, "membership", &in_force)?,
        sections: all
            .iter()
            .find(|i| i.kind == "sections")
            .map(decode)
            .transpose()?
            .unwrap_or_default(),
    }))
}

/// One stored entry with its version, for editing.
pub async fn entry(
    db: &Db,
    p: PartnershipId,
    kind: &str,
    key: &str,
) -> StoreResult<Option<(Item, i64)>> {
    let Some(r) = db
        .fetch_optional(
            crate::store::Sql::join(&["SELECT ", ITEM_COLUMNS, ", version FROM arrangement_items WHERE partnership_id = $1 AND kind = $2 AND item_key = $3"]),
            args![p, kind, key],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some((item_from(&r)?, r.get("version")?)))
}

/// Where an entry of a kind sits in the file.
fn file_place(kind: &str) -> Option<(&'static str, bool)> {
    Some(match kind {
        "partnership" => ("partnership", false),
        "sections" => ("sections", false),
        "area" => ("areas", true),
        "collaboration" => ("collaborations", true),
        "organisation" => ("organisations", true),
        "post" => ("posts", true),
        "statutory-partner" => ("statutory_partners", true),
        "additional-partner" => ("additional_partners", true),
        "body" => ("bodies", true),
        "membership" => ("memberships", true),
        _ => return None,
    })
}

/// Why an edit of one entry was not saved.
#[derive(Debug)]
pub enum EditError {
    /// Problems with the entry, or with the arrangements as they would be after it.
    Problems(Vec<model::Problem>),
    /// Someone changed the entry since it was opened.
    Stale(String),
    App(AppError),
}

impl From<AppError> for EditError {
    fn from(e: AppError) -> Self {
        EditError::App(e)
    }
}

impl From<crate::store::StoreError> for EditError {
    fn from(e: crate::store::StoreError) -> Self {
        EditError::App(e.into())
    }
}

/// Replace one entry with new TOML text: the entry is checked on its own (problems by line of
/// the text), then the whole arrangements as they would be (problems by message), and only then
/// stored through [`import`], so the change is audited like any other.
pub async fn edit_entry(
    db: &Db,
    actor: &crate::store::Actor,
    p: PartnershipId,
    kind: &str,
    key: &str,
    expected_version: i64,
    text: &str,
) -> Result<ImportSummary, EditError> {
    let (item, version) = entry(db, p, kind, key)
        .await?
        .ok_or(EditError::App(AppError::NotFound))?;
    if version != expected_version {
        let row = db
            .fetch_one("SELECT updated_by, updated_at FROM arrangement_items WHERE partnership_id = $1 AND kind = $2 AND item_key = $3", args![p, kind, key])
            .await?;
        return Err(EditError::Stale(crate::accounts::store::stale_message(
            &row.get::<String>("updated_by")?,
            row.get("updated_at")?,
        )));
    }
    let (field, in_array) = file_place(kind).ok_or(EditError::App(AppError::NotFound))?;
    let problem =
        |line: usize, message: String| EditError::Problems(vec![model::Problem { line, message }]);
    if text.len() > 256 * 1024 {
        return Err(problem(1, "The entry is too long".into()));
    }
    let fragment: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        problem(
            e.span().map_or(1, |s| {
                text[..s.start.min(text.len())].lines().count().max(1)
            }),
            e.message().trim().to_owned(),
        )
    })?;
    // The entry on its own must have the right shape.
    let shape = match kind {
        "partnership" => toml::from_str::<model::Partnership>(text).map(|_| ()),
        "sections" => toml::from_str::<model::Sections>(text).map(|_| ()),
        "area" => toml::from_str::<model::Area>(text).map(|_| ()),
        "collaboration" => toml::from_str::<model::Collaboration>(text).map(|_| ()),
        "organisation" => toml::from_str::<model::Organisation>(text).map(|_| ()),
        "post" => toml::from_str::<model::Post>(text).map(|_| ()),
        "statutory-partner" => toml::from_str::<model::StatutoryPartner>(text).map(|_| ()),
        "additional-partner" => toml::from_str::<model::AdditionalPartner>(text).map(|_| ()),
        "body" => toml::from_str::<model::Body>(text).map(|_| ()),
        _ => toml::from_str::<model::Membership>(text).map(|_| ()),
    };
    shape.map_err(|e| {
        problem(
            e.span().map_or(1, |s| {
                text[..s.start.min(text.len())].lines().count().max(1)
            }),
            e.message().trim().to_owned(),
        )
    })?;
    change_file(db, actor, p, |doc| {
        let new = fragment.as_table();
        let target = if in_array {
            super::file_text::entries(doc, field)
                .into_iter()
                .nth(usize::try_from(item.position).unwrap_or(usize::MAX))
        } else {
            doc.get_mut(field).and_then(super::file_text::entry_of)
        };
        match target {
            Some(mut t) => t.merge(new),
            None if !in_array => {
                let mut t = new.clone();
                super::file_text::unplace(&mut t);
                doc.insert(field, toml_edit::Item::Table(t));
            }
            None => return Err(EditError::App(AppError::NotFound)),
        }
        Ok(())
    })
    .await
}

/// Change the stored file as a TOML document (its comments and layout kept), check the result
/// as a whole, and store it, keeping the new text. Problems are reported by message (their
/// lines would be lines of the whole file).
pub async fn change_file(
    db: &Db,
    actor: &crate::store::Actor,
    p: PartnershipId,
    change: impl FnOnce(&mut toml_edit::DocumentMut) -> Result<(), EditError>,
) -> Result<ImportSummary, EditError> {
    let mut doc: toml_edit::DocumentMut = export(db, p)
        .await?
        .parse()
        .map_err(|e: toml_edit::TomlError| EditError::App(AppError::Internal(e.to_string())))?;
    change(&mut doc)?;
    let whole = doc.to_string();
    let r = model::read(whole.as_bytes()).map_err(|ps| {
        EditError::Problems(
            ps.into_iter()
                .map(|p| model::Problem {
                    line: 0,
                    message: p.message,
                })
                .collect(),
        )
    })?;
    if r.arrangements.partnership.slug
        != crate::partnerships::store::by_id(db, p)
            .await?
            .map(|x| x.slug)
            .unwrap_or_default()
    {
        return Err(EditError::Problems(vec![model::Problem {
            line: 0,
            message: "The partnership's short name cannot be changed here".into(),
        }]));
    }
    let (_, summary) = import_file(db, actor, &r).await?;
    Ok(summary)
}

/// Add an entry of a kind (an organisation, a post, a body, a membership ...) at the end of
/// its list in the file.
pub async fn add_entry<T: Serialize>(
    db: &Db,
    actor: &crate::store::Actor,
    p: PartnershipId,
    kind: &str,
    entry: &T,
) -> Result<ImportSummary, EditError> {
    let (field, true) = file_place(kind).ok_or(EditError::App(AppError::NotFound))? else {
        return Err(EditError::App(AppError::NotFound));
    };
    let text = toml_text(entry).map_err(EditError::App)?;
    let new: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| EditError::App(AppError::Internal(e.to_string())))?;
    change_file(db, actor, p, |doc| {
        super::file_text::push(doc, field, new.as_table().clone());
        Ok(())
    })
    .await
}

/// A key for a new entry, made from its name and unlike any key already taken
/// ("Designated Doctor" → "designated-doctor", then "designated-doctor-2").
pub fn new_key<'a>(name: &str, taken: impl Iterator<Item = &'a str> + Clone) -> String {
    let mut base = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            base.push(c.to_ascii_lowercase());
        } else if !base.is_empty() && !base.ends_with('-') {
            base.push('-');
        }
        if base.len() >= 40 {
            break;
        }
    }
    let base = base.trim_end_matches('-');
    let base = if base.is_empty() { "entry" } else { base };
    let mut key = base.to_owned();
    let mut n = 2;
    while taken.clone().any(|k| k == key) {
        key = format!("{base}-{n}");
        n += 1;
    }
    key
}

#[cfg(test)]
mod key_tests {
    use super::new_key;

    #[test]
    fn keys_come_from_names_and_never_repeat() {
        let taken = ["designated-doctor", "designated-doctor-2"];
        assert_eq!(
            new_key("Designated Doctor", taken.iter().copied()),
            "designated-doctor-3"
        );
        assert_eq!(
            new_key("NHS Devon ICB (2022–)", std::iter::empty()),
            "nhs-devon-icb-2022"
        );
        assert_eq!(new_key("——", std::iter::empty()), "entry");
    }
}
