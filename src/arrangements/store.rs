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
    toml::from_str(&item.data)
        .map_err(|e| AppError::Internal(format!("stored {} {}: {e}", item.kind, item.key)))
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

/// Store a checked file: insert what is new, update what changed, delete what is gone, each
/// through the audit trail, all in one transaction.
pub async fn import(
    db: &Db,
    actor: &crate::store::Actor,
    a: &Arrangements,
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
    tx.commit().await?;
    Ok((p, summary))
}

/// The file for a partnership, rebuilt from what is stored: the same input always gives the same
/// bytes, so export, import, export is identical.
pub async fn export(db: &Db, p: PartnershipId) -> AppResult<String> {
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
        organisations: of(&all, "organisation", &in_force)?,
        posts: of(&all, "post", &in_force)?,
        statutory_partners: of(&all, "statutory-partner", &in_force)?,
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
    let fragment: toml::Table = toml::from_str(text).map_err(|e| {
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
        if in_array {
            let list = doc
                .get_mut(field)
                .and_then(|v| v.as_array_mut())
                .ok_or(EditError::App(AppError::NotFound))?;
            let slot = list
                .get_mut(usize::try_from(item.position).unwrap_or(usize::MAX))
                .ok_or(EditError::App(AppError::NotFound))?;
            *slot = toml::Value::Table(fragment);
        } else {
            doc.insert(field.to_owned(), toml::Value::Table(fragment));
        }
        Ok(())
    })
    .await
}

/// Change the stored file as a TOML document, check the result as a whole, and store it through
/// [`import`]. Problems are reported by message (their lines would be lines of the whole file).
pub async fn change_file(
    db: &Db,
    actor: &crate::store::Actor,
    p: PartnershipId,
    change: impl FnOnce(&mut toml::Table) -> Result<(), EditError>,
) -> Result<ImportSummary, EditError> {
    let mut doc: toml::Table = toml::from_str(&export(db, p).await?)
        .map_err(|e| EditError::App(AppError::Internal(e.to_string())))?;
    change(&mut doc)?;
    let whole = toml::to_string_pretty(&doc)
        .map_err(|e| EditError::App(AppError::Internal(e.to_string())))?;
    let a = model::parse(whole.as_bytes()).map_err(|ps| {
        EditError::Problems(
            ps.into_iter()
                .map(|p| model::Problem {
                    line: 0,
                    message: p.message,
                })
                .collect(),
        )
    })?;
    if a.partnership.slug
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
    let (_, summary) = import(db, actor, &a).await?;
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
    let value = toml::Value::try_from(entry)
        .map_err(|e| EditError::App(AppError::Internal(e.to_string())))?;
    change_file(db, actor, p, |doc| {
        let list = doc
            .entry(field)
            .or_insert_with(|| toml::Value::Array(Vec::new()));
        list.as_array_mut()
            .ok_or(EditError::App(AppError::Internal(format!(
                "{field} is not a list"
            ))))?
            .push(value);
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
