//! Upgrading a `masa-arrangements/1` file to `/2`, on the text itself (toml_edit), so that the
//! author's comments, order and layout survive and only what changed meaning is rewritten:
//!
//! - `[partnership]`'s `published` and `guidance` become its first edition,
//!   `editions = [{ guidance = "...", published = ... }]`;
//! - an organisation's `successor = "x"` becomes `successors = ["x"]`;
//! - a collaboration's partners, names in `/1`, become `{ name = "..." }`.
//!
//! Everything else in `/1` means the same in `/2`. Entries stored by an earlier masa are
//! upgraded the same way when they are read ([`entry`]).

use std::borrow::Cow;

use toml_edit::{Array, DocumentMut, InlineTable, Item, Value};

use super::file_text::{entries, entry_of};
use super::model::{SCHEMA, SCHEMA_1};

/// A file upgraded to the current schema, and what was changed, in words.
#[derive(Debug, PartialEq)]
pub struct Upgraded {
    pub text: String,
    pub changes: Vec<String>,
}

/// The text upgraded when it says it is `/1`; None when it does not (a `/2` file, or one whose
/// problems [`super::model::parse`] will report, not being TOML at all, say).
pub fn upgrade(text: &str) -> Option<Upgraded> {
    let mut doc: DocumentMut = text.parse().ok()?;
    if doc.get("schema").and_then(Item::as_str) != Some(SCHEMA_1) {
        return None;
    }
    let mut changes = Vec::new();
    if let Some(v) = doc.get_mut("schema").and_then(Item::as_value_mut) {
        let decor = v.decor().clone();
        *v = Value::from(SCHEMA);
        *v.decor_mut() = decor;
    }
    changes.push(format!("schema: {SCHEMA_1} becomes {SCHEMA}"));
    if let Some(mut t) = doc.get_mut("partnership").and_then(entry_of) {
        let mut edition = InlineTable::new();
        if let Some(g) = t.get("guidance") {
            edition.insert("guidance", bare(g));
        }
        if let Some(p) = t.get("published") {
            edition.insert("published", bare(p));
        }
        if !edition.is_empty() {
            let both = t.contains_key("guidance") && t.contains_key("published");
            let mut list = Array::new();
            let mut v = Value::InlineTable(edition);
            if both {
                // Two lines become two lines, so the lines of the rest of the file, which
                // problems are reported by, stay where the author wrote them.
                v.decor_mut().set_prefix("\n  ");
            }
            list.push_formatted(v);
            let second = if t.contains_key("published") {
                "published"
            } else {
                "guidance"
            };
            let other = if second == "published" {
                "guidance"
            } else {
                "published"
            };
            // The removed key's comments (provenance, say) go above the edition.
            let comments = t.comments_above(other);
            t.remove(other);
            t.rename(second, "editions", Value::Array(list));
            t.add_comments_above("editions", &comments);
            changes.push(
                "partnership: published and guidance become its first edition (editions = [...])"
                    .into(),
            );
        }
    }
    let mut successors = 0;
    for mut t in entries(&mut doc, "organisations") {
        if let Some(s) = t.get("successor") {
            let mut list = Array::new();
            list.push(bare(s));
            t.rename("successor", "successors", Value::Array(list));
            successors += 1;
        }
    }
    if successors > 0 {
        changes.push(format!(
            "organisations: successor = \"...\" becomes successors = [\"...\"] ({successors})"
        ));
    }
    let mut partners = 0;
    for mut t in entries(&mut doc, "collaborations") {
        if let Some(list) = t.get_mut("partners").and_then(Value::as_array_mut) {
            for v in list.iter_mut() {
                if let Some(name) = v.as_str() {
                    let mut p = InlineTable::new();
                    p.insert("name", Value::from(name));
                    let decor = v.decor().clone();
                    *v = Value::InlineTable(p);
                    *v.decor_mut() = decor;
                    partners += 1;
                }
            }
        }
    }
    if partners > 0 {
        changes.push(format!(
            "collaborations: each partner's name becomes {{ name = \"...\" }} ({partners})"
        ));
    }
    Some(Upgraded {
        text: doc.to_string(),
        changes,
    })
}

/// One stored entry's text in the current schema, for an entry that no longer reads as it
/// is: entries stored by a masa that read `/1` files are upgraded when they are read, and
/// written back in `/2` by the next import.
pub fn entry<'a>(kind: &str, data: &'a str) -> Cow<'a, str> {
    let wrapped = match kind {
        "partnership" => format!("schema = \"{SCHEMA_1}\"\n[partnership]\n{data}"),
        "organisation" => format!("schema = \"{SCHEMA_1}\"\n[[organisations]]\n{data}"),
        _ => format!("schema = \"{SCHEMA_1}\"\n[[collaborations]]\n{data}"),
    };
    let Some(up) = upgrade(&wrapped) else {
        return Cow::Borrowed(data);
    };
    let Ok(doc) = up.text.parse::<DocumentMut>() else {
        return Cow::Borrowed(data);
    };
    let table = match kind {
        "partnership" => doc.get("partnership").and_then(Item::as_table).cloned(),
        "organisation" => doc
            .get("organisations")
            .and_then(Item::as_array_of_tables)
            .and_then(|a| a.get(0))
            .cloned(),
        _ => doc
            .get("collaborations")
            .and_then(Item::as_array_of_tables)
            .and_then(|a| a.get(0))
            .cloned(),
    };
    match table {
        Some(t) => {
            let mut out = DocumentMut::new();
            for (k, v) in t.iter() {
                out.insert(k, v.clone());
            }
            Cow::Owned(out.to_string())
        }
        None => Cow::Borrowed(data),
    }
}

/// A value without the spacing and comments around it, for moving into a new place.
fn bare(v: &Value) -> Value {
    let mut v = v.clone();
    v.decor_mut().clear();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_above_either_key_survive_the_upgrade() {
        let text = "schema = \"masa-arrangements/1\"\n\n[partnership]\nslug = \"x\"\nname = \"X\"\n# When it was published.\npublished = 2019-06-28\n# Assumed: the 2018 guidance.\nguidance = \"working-together-2018\"\n";
        let up = upgrade(text).expect("a /1 file");
        assert_eq!(
            up.text,
            "schema = \"masa-arrangements/2\"\n\n[partnership]\nslug = \"x\"\nname = \"X\"\n# Assumed: the 2018 guidance.\n# When it was published.\neditions = [\n  { guidance = \"working-together-2018\", published = 2019-06-28 }]\n"
        );
        assert_eq!(up.text.lines().count(), text.lines().count());
    }
}
