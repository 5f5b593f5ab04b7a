//! The layers hold: no module imports one above it, and no two modules of one layer import each
//! other (directly or round a circle). Read from the source, templates included (a template
//! calls into the crate as its module does), so a new import upwards fails here rather than
//! in review. The layers are written out in the README's architecture section.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each module's layer, lowest first. A module is a top-level folder or file of `src/`, or one
/// of the few pages modules kept in a lower service's folder (`mail::pages`).
fn layer(module: &str) -> Option<u8> {
    Some(match module {
        // Storage and settings: the database, migrations, the audit trail, secrets.
        "store" | "config" => 0,
        // Dates and times as read in England, and working days.
        "calendar" => 1,
        // The plumbing every page uses.
        "web" => 2,
        // Services with no pages of their own: files, mail, PDFs.
        "files" | "mail" | "pdf" => 3,
        // What every handler is given.
        "state" => 4,
        // The platform the capabilities stand on: people and sign-in, the tenants, the
        // arrangements, who sees which body's records, the shared tracker of actions, and the
        // pages of the services below.
        "accounts" | "partnerships" | "arrangements" | "access" | "actions" | "calendar::pages"
        | "mail::pages" | "health" => 5,
        // The capabilities.
        "meetings" | "reviews" | "assurance" | "thresholds" | "procedures" | "scorecard"
        | "training" | "search" | "audit" | "home" => 6,
        // Assembly: the router, the API document, jobs and serving, the commands, the demo.
        "app" | "api" | "server" | "cli" | "demo" | "main" | "lib" => 7,
        _ => return None,
    })
}

/// The module a source file belongs to.
fn module_of(rel: &str) -> String {
    let parts: Vec<&str> = rel.trim_end_matches(".rs").split('/').collect();
    match parts.as_slice() {
        ["mail", "pages"] => "mail::pages".into(),
        ["calendar", "pages"] => "calendar::pages".into(),
        [top, ..] => (*top).to_owned(),
        [] => String::new(),
    }
}

/// The module a template belongs to (the folder it is in; the shared ones are the plumbing's).
fn module_of_template(rel: &str) -> String {
    match rel.split_once('/') {
        Some(("mail", _)) => "mail::pages".into(),
        Some(("calendar", _)) => "calendar::pages".into(),
        Some(("pdf", _)) => "pdf".into(),
        Some((dir, _)) => dir.to_owned(),
        None => "web".into(),
    }
}

/// The modules a text names through `crate::`.
fn imports(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        let names: Vec<String> = if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            inner
                .split(',')
                .map(|s| {
                    let s = s.trim();
                    match s.split_once("::") {
                        Some((m @ ("mail" | "calendar"), "pages")) => format!("{m}::pages"),
                        Some((m, _)) => m.to_owned(),
                        None => s.to_owned(),
                    }
                })
                .collect()
        } else {
            vec![
                rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or("")
                    .to_owned(),
            ]
        };
        for n in names {
            let full = if (n == "mail" || n == "calendar") && rest[n.len()..].starts_with("::pages")
            {
                format!("{n}::pages")
            } else {
                n
            };
            if !full.is_empty() {
                out.insert(full);
            }
        }
    }
    out
}

fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, base, out);
        } else if let Ok(text) = std::fs::read_to_string(&p) {
            let rel = p
                .strip_prefix(base)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            out.push((rel, text));
        }
    }
}

/// The store's macros, named at the crate root.
const STORE_MACROS: &[&str] = &[
    "args",
    "record",
    "record_column",
    "record_columns",
    "record_alias",
    "states",
];

/// Every import between modules: (from, to) with one place it is made.
fn edges() -> BTreeMap<(String, String), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut edges = BTreeMap::new();
    for (dir, of) in [
        ("src", module_of as fn(&str) -> String),
        ("templates", module_of_template),
    ] {
        let mut files = Vec::new();
        walk(&root.join(dir), &root.join(dir), &mut files);
        for (rel, text) in files {
            let from = of(&rel);
            // `args!` and `record!` are the store's macros, exported at the crate root.
            for to in imports(&text)
                .into_iter()
                .filter(|m| !STORE_MACROS.contains(&m.as_str()) && *m != from)
            {
                edges
                    .entry((from.clone(), to))
                    .or_insert_with(|| format!("{dir}/{rel}"));
            }
        }
    }
    edges
}

#[test]
fn no_module_imports_one_above_it() {
    let mut problems = Vec::new();
    for ((from, to), place) in edges() {
        let (Some(a), Some(b)) = (layer(&from), layer(&to)) else {
            problems.push(format!(
                "{place}: {from} -> {to}: a module with no layer (add it to tests/it/layers.rs and the README)"
            ));
            continue;
        };
        if b > a {
            problems.push(format!(
                "{place}: {from} (layer {a}) imports {to} (layer {b})"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_two_modules_of_a_layer_import_each_other() {
    let edges = edges();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        if layer(from).is_some() && layer(from) == layer(to) {
            graph.entry(from.clone()).or_default().insert(to.clone());
        }
    }
    // A circle: a module that reaches itself.
    let mut problems = Vec::new();
    for start in graph.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        while let Some((at, path)) = stack.pop() {
            for next in graph.get(&at).into_iter().flatten() {
                if next == start {
                    let mut circle = path.clone();
                    circle.push(start.clone());
                    problems.push(circle.join(" -> "));
                } else if seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next.clone());
                    stack.push((next.clone(), p));
                }
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "circles:\n{}", problems.join("\n"));
}

#[test]
fn the_checker_sees_imports() {
    let found = imports(
        "use crate::web::page::Page;\nuse crate::{store, mail::pages};\nlet x = crate::calendar::today();",
    );
    assert!(found.contains("web") && found.contains("store") && found.contains("calendar"));
    assert!(found.contains("mail::pages"), "{found:?}");
    assert_eq!(module_of("meetings/access.rs"), "meetings");
    assert_eq!(module_of("mail/pages.rs"), "mail::pages");
    assert_eq!(module_of_template("layout.html"), "web");
}

/// Every write outside the audited operations is named: the plumbing statements are among the
/// store's list, and only the demo writes its made-up content unaudited.
#[test]
fn unaudited_writes_are_only_the_named_plumbing_and_the_demo() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    let mut problems = Vec::new();
    for (rel, text) in &files {
        if rel != "demo.rs" && text.contains(".execute_seed(") {
            problems.push(format!("src/{rel}: writes unaudited (only the demo may)"));
        }
        for call in [".execute_plumbing(", ".insert_plumbing("] {
            let mut rest = text.as_str();
            while let Some(i) = rest.find(call) {
                rest = &rest[i + call.len()..];
                let statement = rest.trim_start();
                let Some(quoted) = statement.strip_prefix('"') else {
                    // A named constant (the search index's statements).
                    continue;
                };
                if !masa::store::PLUMBING.iter().any(|p| quoted.starts_with(p)) {
                    problems.push(format!(
                        "src/{rel}: plumbing that is not on the store's list: {}",
                        quoted.split('"').next().unwrap_or("")
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
