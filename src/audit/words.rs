//! The audit trail in words: a record's kind ("Serious case", not `review-case`) and what a change
//! did, field by field ("Status: expected → apologies"), rather than machine names and JSON. The
//! record as stored stays one click away for whoever needs the exact text.

use serde_json::Value;

/// A kind of record as people call it.
pub fn record_kind(stored: &str) -> String {
    let named = match stored {
        "review-case" => "Serious case",
        "review-request" => "Information request",
        "api-token" => "API token",
        "person-seat" => "Seat on a body",
        "assurance-agency" => "Agency in an assurance plan",
        "assurance-question" => "Assurance question",
        "agenda-item" => "Agenda item",
        "user" => "Person",
        _ => "",
    };
    if !named.is_empty() {
        return named.to_owned();
    }
    sentence(stored)
}

/// A machine name ("owner_name", "sign-in") as words: "Owner name", "Sign in".
pub fn sentence(name: &str) -> String {
    let spaced = name.replace(['_', '-'], " ");
    let mut c = spaced.trim().chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// One field a change touched: its name in words, and its value before and after (empty when
/// it had none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// What a change did, field by field: only the fields whose value differs (every field of a
/// record added or removed). A record that is not a set of fields is one row, "Record".
pub fn changes(before: Option<&str>, after: Option<&str>) -> Vec<Change> {
    let read = |j: Option<&str>| j.and_then(|j| serde_json::from_str::<Value>(j).ok());
    let (b, a) = (read(before), read(after));
    match (&b, &a) {
        (None | Some(Value::Object(_)), None | Some(Value::Object(_))) => {
            let empty = serde_json::Map::new();
            let bo = b.as_ref().and_then(Value::as_object).unwrap_or(&empty);
            let ao = a.as_ref().and_then(Value::as_object).unwrap_or(&empty);
            // After's fields (by name), then any only before had.
            let keys = ao.keys().chain(bo.keys().filter(|k| !ao.contains_key(*k)));
            keys.map(|k| Change {
                field: sentence(k),
                before: bo.get(k).map(value).unwrap_or_default(),
                after: ao.get(k).map(value).unwrap_or_default(),
            })
            .filter(|c| c.before != c.after)
            .collect()
        }
        _ if b == a => Vec::new(),
        _ => vec![Change {
            field: "Record".into(),
            before: b.as_ref().map(value).unwrap_or_default(),
            after: a.as_ref().map(value).unwrap_or_default(),
        }],
    }
}

/// A value as words: text as it is, yes or no, a list joined with commas; only a nested record
/// stays as compact JSON.
fn value(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(true) => "Yes".into(),
        Value::Bool(false) => "No".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            items.iter().map(value).collect::<Vec<_>>().join(", ")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_reads_as_words() {
        let rows = changes(
            Some(r#"{"status":"expected","deputy_name":"","version":1,"voting":true}"#),
            Some(r#"{"status":"apologies","deputy_name":"","version":2,"voting":false}"#),
        );
        assert_eq!(
            rows.iter()
                .map(|c| format!("{}: {} → {}", c.field, c.before, c.after))
                .collect::<Vec<_>>(),
            [
                "Status: expected → apologies",
                "Version: 1 → 2",
                "Voting: Yes → No"
            ]
        );
        let added = changes(
            None,
            Some(r#"{"title":"Audit","bodies":["a","b"],"to":null}"#),
        );
        assert_eq!(added.len(), 2, "an empty value added is not a change");
        let bodies = added.iter().find(|c| c.field == "Bodies").expect("bodies");
        assert_eq!(
            (bodies.before.as_str(), bodies.after.as_str()),
            ("", "a, b")
        );
        assert_eq!(changes(Some("[1]"), Some("[1]")), Vec::new());
        assert_eq!(changes(Some("3"), Some("4"))[0].field, "Record");
        assert_eq!(record_kind("review-case"), "Serious case");
        assert_eq!(record_kind("meeting-rules"), "Meeting rules");
        assert_eq!(crate::store::Action::words_for("update"), "Changed");
        assert_eq!(
            crate::store::Action::words_for("sign-in-failed"),
            "Sign-in refused"
        );
    }
}
