//! The arrangements file as its author wrote it, changed on the text (toml_edit) so that
//! comments, order and each entry's form (a `[[table]]` or an inline `{ ... }`) survive: an edit
//! on a page rewrites only the values it changed, and an added entry takes the form of the
//! entries beside it.

use toml_edit::{DocumentMut, InlineTable, Item, Key, Table, Value};

/// A table of the file, written as a table or inline.
pub enum Entry<'a> {
    Table(&'a mut Table),
    Inline(&'a mut InlineTable),
}

impl Entry<'_> {
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Entry::Table(t) => t.get(key).and_then(Item::as_value),
            Entry::Inline(t) => t.get(key),
        }
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        match self {
            Entry::Table(t) => t.get_mut(key).and_then(Item::as_value_mut),
            Entry::Inline(t) => t.get_mut(key),
        }
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn remove(&mut self, key: &str) {
        match self {
            Entry::Table(t) => {
                t.remove(key);
            }
            Entry::Inline(t) => {
                t.remove(key);
            }
        }
    }

    /// The comments and blank lines written above a key, as text.
    pub fn comments_above(&self, key: &str) -> String {
        let k = match self {
            Entry::Table(t) => t.key(key),
            Entry::Inline(t) => t.key(key),
        };
        k.and_then(|k| k.leaf_decor().prefix())
            .and_then(|p| p.as_str())
            .unwrap_or("")
            .to_owned()
    }

    /// Write comments above a key, before those already there.
    pub fn add_comments_above(&mut self, key: &str, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        let mut k = match self {
            Entry::Table(t) => t.key_mut(key),
            Entry::Inline(t) => t.key_mut(key),
        };
        if let Some(k) = k.as_mut() {
            let had = k
                .leaf_decor()
                .prefix()
                .and_then(|p| p.as_str())
                .unwrap_or("")
                .to_owned();
            k.leaf_decor_mut().set_prefix(format!("{text}{had}"));
        }
    }

    /// Give a key a new name and value where it stands, keeping the comments above it.
    pub fn rename(&mut self, from: &str, to: &str, value: Value) {
        fn renamed(k: &Key, to: &str) -> Key {
            let mut new = Key::new(to);
            *new.leaf_decor_mut() = k.leaf_decor().clone();
            new
        }
        fn dress(mut value: Value, old: Option<&Value>) -> Value {
            if let Some(old) = old {
                *value.decor_mut() = old.decor().clone();
            }
            value
        }
        match self {
            Entry::Table(t) => {
                let pairs: Vec<(Key, Item)> = t
                    .iter()
                    .filter_map(|(k, v)| Some((t.key(k)?.clone(), v.clone())))
                    .collect();
                t.clear();
                for (k, v) in pairs {
                    if k.get() == from {
                        let v = dress(value.clone(), v.as_value());
                        t.insert_formatted(&renamed(&k, to), Item::Value(v));
                    } else {
                        t.insert_formatted(&k, v);
                    }
                }
            }
            Entry::Inline(t) => {
                let pairs: Vec<(Key, Value)> = t
                    .iter()
                    .filter_map(|(k, v)| Some((t.key(k)?.clone(), v.clone())))
                    .collect();
                t.clear();
                for (k, v) in pairs {
                    if k.get() == from {
                        let v = dress(value.clone(), Some(&v));
                        t.insert_formatted(&renamed(&k, to), v);
                    } else {
                        t.insert_formatted(&k, v);
                    }
                }
            }
        }
    }

    /// Make this entry say what `new` says, changing only the values that differ (a changed
    /// value keeps the comment beside it), removing keys `new` does not have and adding the
    /// ones it has, each in the form this entry uses.
    pub fn merge(&mut self, new: &Table) {
        match self {
            Entry::Table(t) => merge_table(t, new),
            Entry::Inline(t) => merge_inline(t, new),
        }
    }
}

/// The entry a top-level key holds (`[partnership]`, `[sections]`).
pub fn entry_of(item: &mut Item) -> Option<Entry<'_>> {
    match item {
        Item::Table(t) => Some(Entry::Table(t)),
        Item::Value(Value::InlineTable(t)) => Some(Entry::Inline(t)),
        _ => None,
    }
}

/// The entries of a list, however the file writes it: `[[organisations]]` tables or an
/// inline array of `{ ... }`.
pub fn entries<'a>(doc: &'a mut DocumentMut, field: &str) -> Vec<Entry<'a>> {
    match doc.get_mut(field) {
        Some(Item::ArrayOfTables(a)) => a.iter_mut().map(Entry::Table).collect(),
        Some(Item::Value(Value::Array(a))) => a
            .iter_mut()
            .filter_map(|v| v.as_inline_table_mut())
            .map(Entry::Inline)
            .collect(),
        _ => Vec::new(),
    }
}

/// A table from another text forgets where it stood there, so that the file it joins places it
/// (and its own tables) after what comes before it, not by the other text's positions.
pub fn unplace(t: &mut Table) {
    t.set_position(None);
    for (_, item) in t.iter_mut() {
        unplace_item(item);
    }
}

fn unplace_item(item: &mut Item) {
    match item {
        Item::Table(t) => unplace(t),
        Item::ArrayOfTables(a) => a.iter_mut().for_each(unplace),
        _ => {}
    }
}

/// Add an entry at the end of a list, in the form of the entries already there (a new list is
/// written as `[[tables]]`).
pub fn push(doc: &mut DocumentMut, field: &str, mut new: Table) {
    unplace(&mut new);
    match doc.get_mut(field) {
        Some(Item::ArrayOfTables(a)) => a.push(new),
        Some(Item::Value(Value::Array(a))) => {
            let mut v = Value::InlineTable(new.into_inline_table());
            v.decor_mut().clear();
            // On its own line, indented like the last entry (not after that entry's comment).
            if let Some(indent) = a
                .iter()
                .last()
                .and_then(|last| last.decor().prefix()?.as_str().map(str::to_owned))
                .and_then(|p| p.rfind('\n').map(|i| p[i..].to_owned()))
            {
                v.decor_mut().set_prefix(indent);
            }
            a.push_formatted(v);
        }
        _ => {
            let mut list = toml_edit::ArrayOfTables::new();
            list.push(new);
            doc.insert(field, Item::ArrayOfTables(list));
        }
    }
}

/// A value as data, whatever its form and spacing, for telling whether it changed.
fn data(item: &Item) -> Option<toml::Value> {
    let v = item.clone().into_value().ok()?;
    let mut v = v;
    v.decor_mut().clear();
    let t: toml::Table = toml::from_str(&format!("v = {v}")).ok()?;
    t.get("v").cloned()
}

fn same(a: &Item, b: &Item) -> bool {
    match (data(a), data(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

fn merge_table(t: &mut Table, new: &Table) {
    let gone: Vec<String> = t
        .iter()
        .map(|(k, _)| k.to_owned())
        .filter(|k| !new.contains_key(k))
        .collect();
    for k in gone {
        t.remove(&k);
    }
    for (k, n) in new.iter() {
        let Some(old) = t.get_mut(k) else {
            let mut n = n.clone();
            unplace_item(&mut n);
            t.insert(k, n);
            continue;
        };
        if same(old, n) {
            continue;
        }
        *old = match (&mut *old, n) {
            (Item::Table(o), Item::Table(n)) => {
                merge_table(o, n);
                continue;
            }
            (Item::Value(Value::InlineTable(o)), Item::Table(n)) => {
                merge_inline(o, n);
                continue;
            }
            (Item::Table(o), Item::Value(Value::InlineTable(n))) => {
                merge_table(o, &n.clone().into_table());
                continue;
            }
            (Item::Value(o), n) => match n.clone().into_value() {
                Ok(mut v) => {
                    *v.decor_mut() = o.decor().clone();
                    Item::Value(v)
                }
                Err(n) => n,
            },
            (Item::ArrayOfTables(_), Item::Value(Value::Array(a))) => {
                match Item::Value(Value::Array(a.clone())).into_array_of_tables() {
                    Ok(list) => Item::ArrayOfTables(list),
                    Err(n) => n,
                }
            }
            (_, n) => {
                let mut n = n.clone();
                unplace_item(&mut n);
                n
            }
        };
    }
}

fn merge_inline(t: &mut InlineTable, new: &Table) {
    let gone: Vec<String> = t
        .iter()
        .map(|(k, _)| k.to_owned())
        .filter(|k| !new.contains_key(k))
        .collect();
    for k in gone {
        t.remove(&k);
    }
    for (k, n) in new.iter() {
        let Ok(mut nv) = n.clone().into_value() else {
            continue;
        };
        match t.get_mut(k) {
            Some(old) if same(&Item::Value(old.clone()), n) => {}
            Some(Value::InlineTable(o)) if n.is_table_like() => {
                let nt = match n {
                    Item::Table(x) => x.clone(),
                    _ => match nv.as_inline_table() {
                        Some(x) => x.clone().into_table(),
                        None => continue,
                    },
                };
                merge_inline(o, &nt);
            }
            Some(old) => {
                nv.decor_mut().clear();
                *nv.decor_mut() = old.decor().clone();
                *old = nv;
            }
            None => {
                nv.decor_mut().clear();
                // The space before the closing brace stays before it.
                if let Some((_, last)) = t.iter_mut().last() {
                    let end = last.decor().suffix().cloned();
                    last.decor_mut().set_suffix("");
                    if let Some(end) = end {
                        nv.decor_mut().set_suffix(end);
                    }
                }
                nv.decor_mut().set_prefix(" ");
                t.insert(k, nv);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> DocumentMut {
        s.parse().unwrap_or_default()
    }

    fn table(s: &str) -> Table {
        doc(s).as_table().clone()
    }

    #[test]
    fn a_merge_changes_only_what_changed_and_keeps_comments() {
        let mut d = doc(
            "# The board's members.\n[[bodies]]\nkey = \"board\" # assumed\nname = \"Board\"\nkind = \"board\"\n\n[[bodies]]\nkey = \"exec\"\nname = \"Exec\"\n",
        );
        let mut all = entries(&mut d, "bodies");
        all[0].merge(&table(
            "key = \"board\"\nname = \"The Board\"\nkind = \"board\"\n",
        ));
        assert_eq!(
            d.to_string(),
            "# The board's members.\n[[bodies]]\nkey = \"board\" # assumed\nname = \"The Board\"\nkind = \"board\"\n\n[[bodies]]\nkey = \"exec\"\nname = \"Exec\"\n"
        );
    }

    #[test]
    fn an_inline_entry_stays_inline() {
        let mut d = doc(
            "memberships = [\n  { body = \"b\", role = \"member\" }, # one\n  { body = \"c\", role = \"chair\" },\n]\n",
        );
        let mut all = entries(&mut d, "memberships");
        all[1].merge(&table("body = \"c\"\nrole = \"member\"\nvoting = false\n"));
        drop(all);
        push(
            &mut d,
            "memberships",
            table("body = \"d\"\nrole = \"member\"\n"),
        );
        let text = d.to_string();
        assert!(
            text.contains("{ body = \"b\", role = \"member\" }, # one"),
            "{text}"
        );
        assert!(
            text.contains("{ body = \"c\", role = \"member\", voting = false }"),
            "{text}"
        );
        assert!(
            text.contains("{ body = \"d\", role = \"member\" }"),
            "{text}"
        );
        assert!(!text.contains("[[memberships]]"), "{text}");
    }

    #[test]
    fn a_renamed_key_keeps_its_place_and_comment() {
        let mut d = doc(
            "[[organisations]]\nkey = \"ccg\"\n# merged in 2022\nsuccessor = \"icb\"\nto = 2022-06-30\n",
        );
        let mut all = entries(&mut d, "organisations");
        let mut list = toml_edit::Array::new();
        list.push("icb");
        all[0].rename("successor", "successors", Value::Array(list));
        assert_eq!(
            d.to_string(),
            "[[organisations]]\nkey = \"ccg\"\n# merged in 2022\nsuccessors = [\"icb\"]\nto = 2022-06-30\n"
        );
    }
}
