//! What the pages show, worked out from the stored entries: the structure as at a day (a tree
//! of bodies with their chairs), the reporting calendar, and the structure chart as SVG. Pure
//! functions over decoded entries.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::model::{Body, Membership, Organisation, Post};
// One escape and one line-breaker for every chart drawn on the server.
use crate::web::chart::{esc, wrap};

/// A body in force, with what the pages say about it.
#[derive(Clone, Debug)]
pub struct BodyView {
    pub body: Body,
    pub depth: usize,
    /// Who chairs it: the chair membership's post or representative and organisation, else the
    /// chair rule in words.
    pub chair: String,
    /// For a chair that rotates: who holds it, from when, and the next handover.
    pub rotation: Option<Rotation>,
    pub members: Vec<MemberView>,
    /// Those who attend without being members (a business manager, a minute-taker).
    pub in_attendance: Vec<MemberView>,
    /// Set for a body a collaboration shares: with whom, or who hosts it.
    pub shared: String,
    /// A body another partnership on this host holds for a collaboration with this one.
    pub guest: bool,
    /// The key of the collaboration that shares it.
    pub collaboration: Option<String>,
}

/// A rotating chair as it stands on a day.
#[derive(Clone, Debug, PartialEq)]
pub struct Rotation {
    pub holder: String,
    pub from: NaiveDate,
    pub handover: NaiveDate,
    pub next: String,
}

#[derive(Clone, Debug)]
pub struct MemberView {
    pub organisation: String,
    pub who: String,
    /// The post's title alone, without its holder (for the public): else the representative.
    pub title: String,
    pub role: String,
    pub voting: bool,
}

/// Names for keys.
pub struct Names<'a> {
    pub organisations: BTreeMap<&'a str, &'a Organisation>,
    pub posts: BTreeMap<&'a str, &'a Post>,
}

impl<'a> Names<'a> {
    pub fn new(orgs: &'a [Organisation], posts: &'a [Post]) -> Names<'a> {
        Names {
            organisations: orgs.iter().map(|o| (o.key.as_str(), o)).collect(),
            posts: posts.iter().map(|p| (p.key.as_str(), p)).collect(),
        }
    }

    pub fn organisation(&self, key: &str) -> String {
        self.organisations
            .get(key)
            .map_or_else(|| key.to_owned(), |o| o.name.clone())
    }

    pub fn who(&self, m: &Membership) -> String {
        match m.post.as_deref().and_then(|p| self.posts.get(p)) {
            Some(p) if !p.holder.is_empty() => format!("{} ({})", p.title, p.holder),
            Some(p) => p.title.clone(),
            None => m.representative.clone(),
        }
    }
}

pub fn role_label(role: &str) -> String {
    let mut s = role.replace('-', " ");
    if let Some(f) = s.get_mut(0..1) {
        f.make_ascii_uppercase();
    }
    s
}

fn chair_rule_words(b: &Body, bodies: &[Body], names: &Names) -> String {
    match &b.chair {
        None => "Not stated".into(),
        Some(c) => match c.rule.as_str() {
            "rotating-statutory-partners" => "Rotates among the statutory partners".into(),
            "rotating-partners" => "Rotates among the partners".into(),
            "independent" => "Independent chair".into(),
            "sector" => format!(
                "From the {} sector",
                c.sector.as_deref().unwrap_or("").replace('-', " ")
            ),
            "appointed-by-body" => {
                let by = c.body.as_deref().unwrap_or("");
                format!(
                    "Appointed by the {}",
                    bodies
                        .iter()
                        .find(|x| x.key == by)
                        .map_or(by, |x| x.name.as_str())
                )
            }
            "post" => c
                .post
                .as_deref()
                .and_then(|p| names.posts.get(p))
                .map_or_else(String::new, |p| p.title.clone()),
            other => other.to_owned(),
        },
    }
}

/// The bodies in force as a depth-first tree (parents before children, in file order), each
/// with its chair and members. A body whose parent is not in force is shown at the top.
pub fn structure(
    bodies: &[Body],
    memberships: &[Membership],
    names: &Names,
    day: NaiveDate,
) -> Vec<BodyView> {
    let keys: Vec<&str> = bodies.iter().map(|b| b.key.as_str()).collect();
    let mut out = Vec::new();
    #[allow(clippy::too_many_arguments)]
    fn walk(
        at: Option<&str>,
        depth: usize,
        bodies: &[Body],
        keys: &[&str],
        ms: &[Membership],
        names: &Names,
        day: NaiveDate,
        out: &mut Vec<BodyView>,
    ) {
        for b in bodies {
            let parent = b.parent.as_deref().filter(|p| keys.contains(p));
            if parent != at || out.iter().any(|v: &BodyView| v.body.key == b.key) {
                continue;
            }
            let view = |m: &Membership| MemberView {
                organisation: names.organisation(&m.organisation),
                who: names.who(m),
                title: m
                    .post
                    .as_deref()
                    .and_then(|p| names.posts.get(p))
                    .map_or_else(|| m.representative.clone(), |p| p.title.clone()),
                role: role_label(&m.role),
                voting: m.votes(),
            };
            let of_body = || ms.iter().filter(|m| m.body == b.key);
            let members: Vec<MemberView> = of_body().filter(|m| m.is_member()).map(view).collect();
            let in_attendance: Vec<MemberView> =
                of_body().filter(|m| !m.is_member()).map(view).collect();
            let rotation = b
                .chair
                .as_ref()
                .and_then(|c| c.turn_on(day))
                .map(|t| Rotation {
                    holder: names.organisation(t.organisation),
                    from: t.from,
                    handover: t.handover,
                    next: names.organisation(t.next),
                });
            let chair = match &rotation {
                // Derived from the rule, so it needs no typing in each year.
                Some(r) => format!(
                    "{} (rotates to {} on {})",
                    r.holder,
                    r.next,
                    r.handover.format("%-d %B %Y")
                ),
                None => ms
                    .iter()
                    .find(|m| m.body == b.key && m.role == "chair")
                    .map(|m| {
                        let who = names.who(m);
                        let org = names.organisation(&m.organisation);
                        if who.is_empty() {
                            org
                        } else {
                            format!("{who}, {org}")
                        }
                    })
                    .unwrap_or_else(|| chair_rule_words(b, bodies, names)),
            };
            out.push(BodyView {
                body: b.clone(),
                depth,
                chair,
                rotation,
                members,
                in_attendance,
                shared: String::new(),
                guest: false,
                collaboration: None,
            });
            walk(Some(&b.key), depth + 1, bodies, keys, ms, names, day, out);
        }
    }
    walk(None, 0, bodies, &keys, memberships, names, day, &mut out);
    out
}

/// The reporting calendar to one body: for each quarter, what is reported to it then: the
/// bodies that report to it (by their reporting label, once each), in file order, then the
/// reports no body makes (a business plan, the annual report).
pub fn reporting_calendar<'a>(bodies: &'a [Body], to: &str) -> [Vec<&'a str>; 4] {
    let mut q: [Vec<&str>; 4] = Default::default();
    let mut add = |n: u8, label: &'a str| {
        if (1..=4).contains(&n) {
            let col = &mut q[usize::from(n) - 1];
            if !col.contains(&label) {
                col.push(label);
            }
        }
    };
    for b in bodies.iter().filter(|b| b.parent.as_deref() == Some(to)) {
        for n in &b.reports_in_quarters {
            add(*n, b.reporting_label.as_deref().unwrap_or(&b.name));
        }
    }
    for item in bodies
        .iter()
        .filter(|b| b.key == to)
        .flat_map(|b| &b.reports_received)
    {
        for n in &item.quarters {
            add(*n, &item.name);
        }
    }
    q
}

/// Bodies that some other body reports to on a calendar, for the choice of calendar.
pub fn reporting_targets(bodies: &[Body]) -> Vec<&Body> {
    bodies
        .iter()
        .filter(|t| {
            !t.reports_received.is_empty()
                || bodies.iter().any(|b| {
                    b.parent.as_deref() == Some(&t.key) && !b.reports_in_quarters.is_empty()
                })
        })
        .collect()
}

/// The structure chart: each body a box (name, chair) in a row for its depth, lines for the
/// reporting lines. `role="img"` with a title and description; the page carries the same
/// structure as a nested list for people who cannot see it.
pub fn chart_svg(views: &[BodyView], title: &str) -> String {
    const W: i64 = 190;
    const H: i64 = 92;
    const GAP_X: i64 = 16;
    const GAP_Y: i64 = 44;
    // Place leaves left to right; a parent sits over the middle of its children.
    let mut x: BTreeMap<&str, i64> = BTreeMap::new();
    let mut next_leaf = 0i64;
    fn place<'a>(
        i: usize,
        views: &'a [BodyView],
        x: &mut BTreeMap<&'a str, i64>,
        next_leaf: &mut i64,
    ) -> i64 {
        let v = &views[i];
        let kids: Vec<usize> = (i + 1..views.len())
            .take_while(|j| views[*j].depth > v.depth)
            .filter(|j| views[*j].depth == v.depth + 1)
            .collect();
        let pos = if kids.is_empty() {
            let p = *next_leaf;
            *next_leaf += 1;
            p * 2
        } else {
            let xs: Vec<i64> = kids
                .iter()
                .map(|k| place(*k, views, x, next_leaf))
                .collect();
            (xs[0] + xs[xs.len() - 1]) / 2
        };
        x.insert(&v.body.key, pos);
        pos
    }
    for i in 0..views.len() {
        if views[i].depth == 0 {
            place(i, views, &mut x, &mut next_leaf);
        }
    }
    let cols = next_leaf.max(1);
    let depth = views.iter().map(|v| v.depth).max().unwrap_or(0) as i64 + 1;
    let width = cols * (W + GAP_X) + GAP_X;
    let height = depth * (H + GAP_Y) + GAP_Y;
    let left = |k: &str| GAP_X + x.get(k).copied().unwrap_or(0) * (W + GAP_X) / 2;
    let top = |d: usize| GAP_Y / 2 + d as i64 * (H + GAP_Y);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"masa-chart\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\"><title id=\"chart-title\">{}</title><desc id=\"chart-desc\">{} bodies. The same structure is listed in text below the chart.</desc>",
        esc(title),
        views.len()
    );
    for v in views {
        if let Some(p) = v.body.parent.as_deref().filter(|p| x.contains_key(p)) {
            let pd = views
                .iter()
                .find(|w| w.body.key == p)
                .map_or(0, |w| w.depth);
            let (x1, y1) = (left(p) + W / 2, top(pd) + H);
            let (x2, y2) = (left(&v.body.key) + W / 2, top(v.depth));
            let mid = (y1 + y2) / 2;
            svg.push_str(&format!("<path class=\"masa-chart__line\" d=\"M{x1} {y1} V{mid} H{x2} V{y2}\" fill=\"none\" stroke=\"#0b0c0c\" stroke-width=\"2\"/>"));
        }
    }
    for v in views {
        let (bx, by) = (left(&v.body.key), top(v.depth));
        // A body held by another partnership is drawn dashed; a shared one says so.
        let dash = if v.guest {
            " stroke-dasharray=\"8 4\""
        } else {
            ""
        };
        svg.push_str(&format!("<g class=\"masa-chart__body\"><rect x=\"{bx}\" y=\"{by}\" width=\"{W}\" height=\"{H}\" fill=\"#ffffff\" stroke=\"#1d70b8\" stroke-width=\"3\"{dash}/>"));
        let mut y = by + 20;
        let lines = if v.shared.is_empty() { 3 } else { 2 };
        // About 22 bold characters fit the box's width.
        for line in wrap(&v.body.name, 22).iter().take(lines) {
            svg.push_str(&format!("<text x=\"{}\" y=\"{y}\" font-size=\"14\" font-weight=\"bold\" fill=\"#0b0c0c\">{}</text>", bx + 8, esc(line)));
            y += 17;
        }
        if !v.shared.is_empty() {
            // The box has room for a short note; the outline says it in full.
            let note = if v.guest {
                "Held by another partnership"
            } else {
                "Shared with other partnerships"
            };
            svg.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" font-size=\"12\" font-style=\"italic\" fill=\"#484949\">{}</text>",
                bx + 8,
                by + H - 28,
                esc(note)
            ));
        }
        let chair = match &v.rotation {
            Some(r) => format!("{} (rotating)", r.holder),
            None => v.chair.clone(),
        };
        let chair: String = chair.chars().take(30).collect();
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#484949\">Chair: {}</text></g>",
            bx + 8,
            by + H - 10,
            esc(&chair)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// The structure as nested lists: the chart's text alternative.
pub fn outline_html(views: &[BodyView]) -> String {
    let mut html = String::new();
    let mut open = 0usize;
    for (i, v) in views.iter().enumerate() {
        if i == 0 || v.depth > views[i - 1].depth {
            html.push_str("<ul class=\"govuk-list masa-outline\">");
            open += 1;
        } else {
            html.push_str("</li>");
            for _ in v.depth..views[i - 1].depth {
                html.push_str("</ul></li>");
                open -= 1;
            }
        }
        html.push_str(&format!(
            "<li><strong>{}</strong> ({}). Chair: {}.",
            esc(&v.body.name),
            esc(&role_label(&v.body.kind)),
            esc(&v.chair)
        ));
        if let Some(p) = views
            .iter()
            .find(|w| Some(w.body.key.as_str()) == v.body.parent.as_deref())
        {
            html.push_str(&format!(" Reports to {}.", esc(&p.body.name)));
        }
        if !v.shared.is_empty() {
            html.push_str(&format!(" {}.", esc(&v.shared)));
        }
    }
    if open > 0 {
        html.push_str("</li>");
        for _ in 1..open {
            html.push_str("</ul></li>");
        }
        html.push_str("</ul>");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(key: &str, parent: Option<&str>, quarters: &[u8]) -> Body {
        let text = format!(
            "key = \"{key}\"\nname = \"{key} group\"\nkind = \"sub-group\"\n{}reports_in_quarters = {quarters:?}\n",
            parent.map_or(String::new(), |p| format!("parent = \"{p}\"\n"))
        );
        toml::from_str(&text).expect("body")
    }

    #[test]
    fn tree_and_calendar() {
        let bodies = vec![
            body("exec", None, &[]),
            body("qa", Some("exec"), &[1, 2, 3, 4]),
            body("edu", Some("exec"), &[2, 4]),
            body("sub", Some("qa"), &[]),
        ];
        let names = Names::new(&[], &[]);
        let s = structure(&bodies, &[], &names, NaiveDate::MIN);
        assert_eq!(
            s.iter()
                .map(|v| (v.body.key.as_str(), v.depth))
                .collect::<Vec<_>>(),
            [("exec", 0), ("qa", 1), ("sub", 2), ("edu", 1)]
        );
        let cal = reporting_calendar(&bodies, "exec");
        assert_eq!(
            cal,
            [
                vec!["qa group"],
                vec!["qa group", "edu group"],
                vec!["qa group"],
                vec!["qa group", "edu group"]
            ]
        );
        let svg = chart_svg(&s, "Structure");
        assert!(
            svg.starts_with("<svg")
                && svg.contains("role=\"img\"")
                && svg.contains("<title id=\"chart-title\">Structure</title>")
        );
        assert_eq!(svg.matches("<rect").count(), 4);
        assert_eq!(svg.matches("<path").count(), 3);
        let outline = outline_html(&s);
        assert_eq!(
            outline.matches("<ul").count(),
            outline.matches("</ul>").count(),
            "{outline}"
        );
        assert_eq!(outline.matches("<li>").count(), 4);
        assert!(
            outline.contains("<strong>sub group</strong>")
                && outline.contains("Reports to qa group."),
            "{outline}"
        );
    }

    fn membership(body: &str, org: &str, role: &str, to: Option<&str>) -> Membership {
        let text = format!(
            "body = \"{body}\"\norganisation = \"{org}\"\nrole = \"{role}\"\n{}",
            to.map_or(String::new(), |t| format!("to = {t}\n"))
        );
        toml::from_str(&text).expect("membership")
    }

    fn org(key: &str, sector: &str) -> Organisation {
        toml::from_str(&format!(
            "key = \"{key}\"\nname = \"{key} org\"\nsector = \"{sector}\"\n"
        ))
        .expect("org")
    }

    #[test]
    fn gaps_ending_and_changes() {
        let mut board = body("board", None, &[]);
        board.required_members = vec![
            toml::from_str("description = \"Designated doctor\"\nsector = \"health\"\n")
                .expect("req"),
        ];
        let bodies = vec![board.clone(), body("qa", Some("board"), &[])];
        let orgs = vec![org("council", "local-government"), org("nhs", "health")];
        let ms = vec![
            membership("board", "council", "chair", None),
            membership("qa", "council", "member", Some("2026-12-01")),
        ];
        let names = Names::new(&orgs, &[]);
        let g = gaps(&bodies, &ms, &orgs, &names);
        assert_eq!(
            g.iter()
                .map(|g| (g.body.as_str(), g.problem.as_str()))
                .collect::<Vec<_>>(),
            [
                ("board", "Needs Designated doctor (0 of 1 in post)"),
                ("qa", "No chair in post")
            ]
        );
        let mut with_doctor = ms.clone();
        with_doctor.push(membership("board", "nhs", "member", None));
        assert_eq!(gaps(&bodies, &with_doctor, &orgs, &names).len(), 1);
        let day: NaiveDate = "2026-11-24".parse().expect("day");
        assert_eq!(ending_soon(&bodies, &ms, &names, day, 30).len(), 1);
        assert_eq!(ending_soon(&bodies, &ms, &names, day, 5).len(), 0);
        let mut moved = bodies.clone();
        moved[1].parent = None;
        moved.push(body("pidg", Some("board"), &[]));
        let before = Day {
            bodies: &bodies,
            memberships: &ms,
            organisations: &orgs,
            posts: &[],
            partners: &[],
        };
        let after = Day {
            bodies: &moved,
            memberships: &with_doctor,
            organisations: &orgs,
            posts: &[],
            partners: &[],
        };
        let ch = changes(&before, &after);
        let summary: Vec<(String, String, String)> = ch
            .iter()
            .map(|c| (c.what.clone(), c.name.clone(), c.change.clone()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "body".to_owned(),
                    "qa group".to_owned(),
                    "changed".to_owned()
                ),
                (
                    "body".to_owned(),
                    "pidg group".to_owned(),
                    "added".to_owned()
                ),
                (
                    "membership".to_owned(),
                    "board group: nhs org, Member".to_owned(),
                    "added".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn names_wrap() {
        assert_eq!(
            wrap("Child Safeguarding Practice Review Group", 26),
            ["Child Safeguarding", "Practice Review Group"]
        );
    }
}

/// One seat an organisation holds on a body.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Seat {
    pub body: String,
    pub body_name: String,
    pub role: String,
    pub representative: String,
    pub voting: bool,
}

/// Where an organisation sits, and who represents it.
pub fn seats_of(
    org: &str,
    bodies: &[Body],
    memberships: &[Membership],
    names: &Names,
) -> Vec<Seat> {
    memberships
        .iter()
        .filter(|m| m.organisation == org)
        .map(|m| Seat {
            body: m.body.clone(),
            body_name: bodies
                .iter()
                .find(|b| b.key == m.body)
                .map_or_else(|| m.body.clone(), |b| b.name.clone()),
            role: role_label(&m.role),
            representative: names.who(m),
            voting: m.voting.unwrap_or(!matches!(
                m.role.as_str(),
                "participating-observer" | "independent-non-voting"
            )),
        })
        .collect()
}

/// Something a body lacks on a day.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema, PartialEq)]
pub struct Gap {
    pub body: String,
    pub body_name: String,
    pub problem: String,
}

/// Bodies with no chair in post, or fewer of a required member than their terms ask for. A
/// required member is counted by sector when the rule names one; otherwise by the words of the
/// requirement appearing in a member's post or description.
pub fn gaps(
    bodies: &[Body],
    memberships: &[Membership],
    orgs: &[Organisation],
    names: &Names,
) -> Vec<Gap> {
    let mut out = Vec::new();
    for b in bodies {
        let members: Vec<&Membership> = memberships.iter().filter(|m| m.body == b.key).collect();
        let rotating = b
            .chair
            .as_ref()
            .is_some_and(|c| c.rule == "rotating-statutory-partners");
        if !rotating && !members.iter().any(|m| m.role == "chair") {
            out.push(Gap {
                body: b.key.clone(),
                body_name: b.name.clone(),
                problem: "No chair in post".into(),
            });
        }
        for r in &b.required_members {
            let have = members
                .iter()
                .filter(|m| match &r.sector {
                    Some(s) => orgs
                        .iter()
                        .any(|o| o.key == m.organisation && &o.sector == s),
                    None => names
                        .who(m)
                        .to_lowercase()
                        .contains(&r.description.to_lowercase()),
                })
                .count();
            if have < r.count as usize {
                out.push(Gap {
                    body: b.key.clone(),
                    body_name: b.name.clone(),
                    problem: format!("Needs {} ({} of {} in post)", r.description, have, r.count),
                });
            }
        }
    }
    out
}

/// A membership that ends soon.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Ending {
    pub body_name: String,
    pub organisation: String,
    pub representative: String,
    pub role: String,
    pub ends: NaiveDate,
}

/// Memberships ending within `days` of `day`, soonest first.
pub fn ending_soon(
    bodies: &[Body],
    memberships: &[Membership],
    names: &Names,
    day: NaiveDate,
    days: i64,
) -> Vec<Ending> {
    let until = day + chrono::Duration::days(days);
    let mut v: Vec<Ending> = memberships
        .iter()
        .filter_map(|m| {
            m.to.filter(|t| t.0 >= day && t.0 <= until)
                .map(|t| (m, t.0))
        })
        .map(|(m, ends)| Ending {
            body_name: bodies
                .iter()
                .find(|b| b.key == m.body)
                .map_or_else(|| m.body.clone(), |b| b.name.clone()),
            organisation: names.organisation(&m.organisation),
            representative: names.who(m),
            role: role_label(&m.role),
            ends,
        })
        .collect();
    v.sort_by_key(|e| e.ends);
    v
}

/// One difference between the structure on two days.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema, PartialEq)]
pub struct Change {
    /// body, membership, organisation, statutory partner, post
    pub what: String,
    pub name: String,
    /// added, removed or changed
    pub change: String,
    pub detail: String,
}

/// The entries of one day, for comparing.
pub struct Day<'a> {
    pub bodies: &'a [Body],
    pub memberships: &'a [Membership],
    pub organisations: &'a [Organisation],
    pub posts: &'a [Post],
    pub partners: &'a [super::model::StatutoryPartner],
}

/// What changed between two days: bodies, reporting lines, memberships, organisations,
/// statutory partners and post holders added or removed.
pub fn changes(before: &Day, after: &Day) -> Vec<Change> {
    let mut out = Vec::new();
    let c = |what: &str, name: &str, change: &str, detail: String| Change {
        what: what.into(),
        name: name.into(),
        change: change.into(),
        detail,
    };
    let body_name = |k: &str| {
        after
            .bodies
            .iter()
            .chain(before.bodies)
            .find(|b| b.key == k)
            .map_or_else(|| k.to_owned(), |b| b.name.clone())
    };
    for b in before
        .bodies
        .iter()
        .filter(|b| !after.bodies.iter().any(|a| a.key == b.key))
    {
        let detail = if b.successors.is_empty() {
            String::new()
        } else {
            format!(
                "replaced by {}",
                b.successors
                    .iter()
                    .map(|s| body_name(s))
                    .collect::<Vec<_>>()
                    .join(" and ")
            )
        };
        out.push(c("body", &b.name, "removed", detail));
    }
    // The same body under another name: its memberships and history are its own still.
    for a in after.bodies {
        if let Some(b) = before
            .bodies
            .iter()
            .find(|b| b.key == a.key && b.name != a.name)
        {
            out.push(c("body", &a.name, "renamed", format!("was {}", b.name)));
        }
    }
    for a in after.bodies {
        match before.bodies.iter().find(|b| b.key == a.key) {
            None => out.push(c(
                "body",
                &a.name,
                "added",
                a.parent
                    .as_deref()
                    .map(|p| format!("reports to {}", body_name(p)))
                    .unwrap_or_default(),
            )),
            Some(b) if b.parent != a.parent => out.push(c(
                "body",
                &a.name,
                "changed",
                format!(
                    "now reports to {} (was {})",
                    a.parent
                        .as_deref()
                        .map_or_else(|| "no one".to_owned(), body_name),
                    b.parent
                        .as_deref()
                        .map_or_else(|| "no one".to_owned(), body_name)
                ),
            )),
            Some(_) => {}
        }
    }
    let org_name = |k: &str| {
        after
            .organisations
            .iter()
            .chain(before.organisations)
            .find(|o| o.key == k)
            .map_or_else(|| k.to_owned(), |o| o.name.clone())
    };
    for o in before
        .organisations
        .iter()
        .filter(|o| !after.organisations.iter().any(|a| a.key == o.key))
    {
        out.push(c(
            "organisation",
            &o.name,
            "removed",
            if o.successors.is_empty() {
                String::new()
            } else {
                format!(
                    "succeeded by {}",
                    o.successors
                        .iter()
                        .map(|s| org_name(s))
                        .collect::<Vec<_>>()
                        .join(" and ")
                )
            },
        ));
    }
    for o in after
        .organisations
        .iter()
        .filter(|o| !before.organisations.iter().any(|b| b.key == o.key))
    {
        out.push(c("organisation", &o.name, "added", String::new()));
    }
    for a in after.organisations {
        if let Some(b) = before
            .organisations
            .iter()
            .find(|b| b.key == a.key && b.name != a.name)
        {
            out.push(c(
                "organisation",
                &a.name,
                "renamed",
                format!("was {}", b.name),
            ));
        }
    }
    let partner = |s: &super::model::StatutoryPartner| {
        format!(
            "{} ({})",
            org_name(&s.organisation),
            s.role.replace('-', " ")
        )
    };
    for s in before.partners.iter().filter(|s| {
        !after
            .partners
            .iter()
            .any(|a| a.organisation == s.organisation && a.role == s.role)
    }) {
        out.push(c(
            "statutory partner",
            &partner(s),
            "removed",
            String::new(),
        ));
    }
    for s in after.partners.iter().filter(|s| {
        !before
            .partners
            .iter()
            .any(|b| b.organisation == s.organisation && b.role == s.role)
    }) {
        out.push(c("statutory partner", &partner(s), "added", String::new()));
    }
    for p in after
        .posts
        .iter()
        .filter(|p| !before.posts.iter().any(|b| b.key == p.key))
    {
        out.push(c(
            "post",
            &p.title,
            "added",
            format!(
                "{}{}",
                org_name(&p.organisation),
                if p.holder.is_empty() {
                    String::new()
                } else {
                    format!(", held by {}", p.holder)
                }
            ),
        ));
    }
    for p in before
        .posts
        .iter()
        .filter(|p| !after.posts.iter().any(|a| a.key == p.key))
    {
        out.push(c("post", &p.title, "removed", org_name(&p.organisation)));
    }
    let same = |a: &Membership, b: &Membership| {
        a.body == b.body
            && a.organisation == b.organisation
            && a.post == b.post
            && a.representative == b.representative
            && a.role == b.role
    };
    let describe = |m: &Membership| {
        format!(
            "{}: {}, {}",
            body_name(&m.body),
            org_name(&m.organisation),
            role_label(&m.role)
        )
    };
    for m in before
        .memberships
        .iter()
        .filter(|m| !after.memberships.iter().any(|a| same(a, m)))
    {
        out.push(c("membership", &describe(m), "removed", String::new()));
    }
    for m in after
        .memberships
        .iter()
        .filter(|m| !before.memberships.iter().any(|b| same(b, m)))
    {
        out.push(c("membership", &describe(m), "added", String::new()));
    }
    out
}
