//! Bodies: the board and each sub-group, with their terms of reference, membership and quorum.

use super::*;

// ---- Bodies ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BodyForm {
    version: String,
    name: String,
    kind: String,
    parent: String,
    area: String,
    from: String,
    to: String,
    purpose: String,
    chair: String,
    chair_sector: String,
    chair_body: String,
    chair_post: String,
    frequency: String,
    per_year: String,
    development_days: String,
    venue: String,
    q1: String,
    q2: String,
    q3: String,
    q4: String,
    quorum: String,
    quorum_count: String,
    quorum_share: String,
    expected: String,
    minimum_meetings: String,
    deputy_counts: String,
    notice: String,
    co_opt: String,
    confidentiality: String,
    /// Required members, one row each (the form repeats these fields).
    req_description: Vec<String>,
    req_sector: Vec<String>,
    req_count: Vec<String>,
}

/// One row of the required members on the form.
pub struct RequiredRow {
    description: String,
    sector: String,
    count: String,
}

impl BodyForm {
    fn of(b: &model::Body, version: i64) -> Self {
        let q = |n: u8| flag(b.reports_in_quarters.contains(&n));
        let chair = b.chair.clone().unwrap_or_default();
        let (quorum, quorum_count, quorum_share) = match &b.quorum {
            None => (String::new(), String::new(), String::new()),
            Some(model::Quorum::AllStatutoryPartners) => (
                "all-statutory-partners".into(),
                String::new(),
                String::new(),
            ),
            Some(model::Quorum::AllPartners) => {
                ("all-partners".into(), String::new(), String::new())
            }
            Some(model::Quorum::Members { count }) => {
                ("members".into(), count.to_string(), String::new())
            }
            Some(model::Quorum::ShareOfVoting { share }) => (
                "share-of-voting".into(),
                String::new(),
                percent_text(*share),
            ),
        };
        BodyForm {
            version: version.to_string(),
            name: b.name.clone(),
            kind: b.kind.clone(),
            parent: b.parent.clone().unwrap_or_default(),
            area: b.area.clone().unwrap_or_default(),
            from: date_text(b.from),
            to: date_text(b.to),
            purpose: b.purpose.join("\n"),
            chair: chair.rule,
            chair_sector: chair.sector.unwrap_or_default(),
            chair_body: chair.body.unwrap_or_default(),
            chair_post: chair.post.unwrap_or_default(),
            frequency: b
                .meetings
                .as_ref()
                .map(|m| m.frequency.clone())
                .unwrap_or_default(),
            per_year: b
                .meetings
                .as_ref()
                .and_then(|m| m.per_year)
                .map(|n| n.to_string())
                .unwrap_or_default(),
            development_days: b
                .meetings
                .as_ref()
                .map(|m| m.development_days)
                .filter(|n| *n > 0)
                .map(|n| n.to_string())
                .unwrap_or_default(),
            venue: b.venue.clone(),
            q1: q(1),
            q2: q(2),
            q3: q(3),
            q4: q(4),
            quorum,
            quorum_count,
            quorum_share,
            expected: b
                .attendance
                .as_ref()
                .map(|a| percent_text(a.expected_share))
                .unwrap_or_default(),
            minimum_meetings: b
                .attendance
                .as_ref()
                .and_then(|a| a.minimum_meetings)
                .map(|n| n.to_string())
                .unwrap_or_default(),
            deputy_counts: flag(b.attendance.as_ref().is_some_and(|a| a.deputy_counts)),
            notice: b
                .notice_working_days
                .map(|n| n.to_string())
                .unwrap_or_default(),
            co_opt: flag(b.may_co_opt),
            confidentiality: flag(b.confidentiality_agreement),
            req_description: b
                .required_members
                .iter()
                .map(|r| r.description.clone())
                .collect(),
            req_sector: b
                .required_members
                .iter()
                .map(|r| r.sector.clone().unwrap_or_default())
                .collect(),
            req_count: b
                .required_members
                .iter()
                .map(|r| r.count.to_string())
                .collect(),
        }
    }

    /// The required member rows as shown: those entered, and one empty row to add another.
    fn required_rows(&self) -> Vec<RequiredRow> {
        let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
        let mut rows: Vec<RequiredRow> = (0..self.req_description.len())
            .map(|i| RequiredRow {
                description: at(&self.req_description, i),
                sector: at(&self.req_sector, i),
                count: at(&self.req_count, i),
            })
            .filter(|r| !(r.description.trim().is_empty() && r.sector.is_empty()))
            .collect();
        rows.push(RequiredRow {
            description: String::new(),
            sector: String::new(),
            count: "1".into(),
        });
        rows
    }

    /// Check every field and write it into the body. Fields the form does not show (dated
    /// reporting lines, reports received, rules of operation) are kept as they were.
    fn apply(&self, b: &mut model::Body, ch: &BodyChoices) -> Errors {
        let mut e = Errors::default();
        b.name = e.required("name", &self.name, "Enter the body's name");
        b.kind = e
            .choice(
                "kind",
                &self.kind,
                &ch.kinds,
                "Select what kind of body it is",
            )
            .unwrap_or_default();
        if b.kind.is_empty() {
            e.add("kind", "Select what kind of body it is");
        }
        if b.parents.is_empty() {
            b.parent = e.choice(
                "parent",
                &self.parent,
                &ch.bodies,
                "Select the body it reports to",
            );
        }
        b.area = e.choice("area", &self.area, &ch.areas, "Select the area");
        (b.from, b.to) = dates(&mut e, &self.from, &self.to);
        if b.kind == "task-and-finish" && b.to.is_none() && e.get("to").is_none() {
            e.add("to", "Enter the date the task and finish group ends");
        }
        b.purpose = self
            .purpose
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        if self.purpose.chars().count() > 20_000 {
            e.add("purpose", "Enter 20,000 characters or fewer");
        }
        let was = b.chair.take().unwrap_or_default();
        b.chair = match self.chair.as_str() {
            "" => None,
            rule if model::CHAIR_RULES.contains(&rule) => {
                let mut c = model::ChairRule {
                    rule: rule.to_owned(),
                    note: was.note,
                    ..Default::default()
                };
                // A rotation's order, term and start are kept in the file; the form keeps them
                // while the chair still rotates.
                if c.rotates() {
                    c.rotation = was.rotation;
                    c.term_months = was.term_months;
                    c.rotation_from = was.rotation_from;
                }
                match rule {
                    "sector" => {
                        c.sector = e.choice(
                            "chair_sector",
                            &self.chair_sector,
                            &ch.sectors,
                            "Select the sector the chair comes from",
                        );
                        if c.sector.is_none() {
                            e.add("chair_sector", "Select the sector the chair comes from");
                        }
                    }
                    "appointed-by-body" => {
                        c.body = e.choice(
                            "chair_body",
                            &self.chair_body,
                            &ch.bodies,
                            "Select the body that appoints the chair",
                        );
                        if c.body.is_none() {
                            e.add("chair_body", "Select the body that appoints the chair");
                        }
                    }
                    "post" => {
                        c.post = e.choice(
                            "chair_post",
                            &self.chair_post,
                            &ch.posts,
                            "Select the post that chairs",
                        );
                        if c.post.is_none() {
                            e.add("chair_post", "Select the post that chairs");
                        }
                    }
                    _ => {}
                }
                Some(c)
            }
            _ => {
                e.add("chair", "Select how the chair is chosen");
                None
            }
        };
        let per_year = e.whole_number(
            "per_year",
            &self.per_year,
            1..=52,
            "Enter meetings a year as a number from 1 to 52",
        );
        let development_days = e.whole_number(
            "development_days",
            &self.development_days,
            0..=12,
            "Enter development days a year as a number from 0 to 12",
        );
        b.meetings = match self.frequency.as_str() {
            "" => None,
            f if model::FREQUENCIES.contains(&f) => Some(model::Meetings {
                frequency: f.to_owned(),
                per_year,
                development_days: development_days.unwrap_or(0),
            }),
            _ => {
                e.add("frequency", "Select how often it meets");
                None
            }
        };
        b.venue = e.text("venue", &self.venue, 200);
        b.reports_in_quarters = [(1u8, &self.q1), (2, &self.q2), (3, &self.q3), (4, &self.q4)]
            .into_iter()
            .filter(|(_, v)| yes(v))
            .map(|(n, _)| n)
            .collect();
        b.quorum = match self.quorum.as_str() {
            "" => None,
            "all-statutory-partners" => Some(model::Quorum::AllStatutoryPartners),
            "all-partners" => Some(model::Quorum::AllPartners),
            "members" => e
                .whole_number(
                    "quorum_count",
                    &self.quorum_count,
                    1..=200,
                    "Enter how many members make a quorum, from 1 to 200",
                )
                .map(|count| model::Quorum::Members { count })
                .or_else(|| {
                    e.add(
                        "quorum_count",
                        "Enter how many members make a quorum, from 1 to 200",
                    );
                    None
                }),
            "share-of-voting" => e
                .percentage(
                    "quorum_share",
                    &self.quorum_share,
                    "Enter the share of voting members as a percentage, like 50",
                )
                .map(|share| model::Quorum::ShareOfVoting { share })
                .or_else(|| {
                    e.add(
                        "quorum_share",
                        "Enter the share of voting members as a percentage, like 50",
                    );
                    None
                }),
            _ => {
                e.add("quorum", "Select when the body is quorate");
                None
            }
        };
        let expected = e.percentage(
            "expected",
            &self.expected,
            "Enter the expected attendance as a percentage, like 75",
        );
        let minimum = e.whole_number(
            "minimum_meetings",
            &self.minimum_meetings,
            1..=52,
            "Enter the fewest meetings a year as a number from 1 to 52",
        );
        b.attendance = match (expected, minimum) {
            (None, None) => None,
            (Some(share), minimum_meetings) => Some(model::Attendance {
                expected_share: share,
                minimum_meetings,
                deputy_counts: yes(&self.deputy_counts),
            }),
            (None, Some(_)) => {
                e.add(
                    "expected",
                    "Enter the expected attendance as a percentage, like 75",
                );
                None
            }
        };
        b.notice_working_days = e.whole_number(
            "notice",
            &self.notice,
            0..=60,
            "Enter the working days' notice as a number from 0 to 60",
        );
        b.may_co_opt = yes(&self.co_opt);
        b.confidentiality_agreement = yes(&self.confidentiality);
        b.required_members.clear();
        for (i, d) in self.req_description.iter().enumerate() {
            let sector = self.req_sector.get(i).map_or("", String::as_str);
            let count = self.req_count.get(i).map_or("", String::as_str);
            if d.trim().is_empty() && sector.is_empty() {
                continue;
            }
            let field = format!("req_description_{i}");
            let description = e.required(&field, d, "Describe the member the body must have");
            let sector = e.choice(
                &format!("req_sector_{i}"),
                sector,
                &ch.sectors,
                "Select a sector, or none",
            );
            let count = e
                .whole_number(
                    &format!("req_count_{i}"),
                    count,
                    1..=20,
                    "Enter how many, from 1 to 20",
                )
                .unwrap_or(1);
            b.required_members.push(model::RequiredMember {
                description,
                sector,
                count,
            });
        }
        e
    }
}

/// What a body form offers to choose from.
struct BodyChoices {
    kinds: Options,
    chairs: Options,
    frequencies: Options,
    bodies: Options,
    areas: Options,
    posts: Options,
    sectors: Options,
}

impl BodyChoices {
    async fn of(st: &AppState, p: PartnershipId, key: &str) -> AppResult<Self> {
        let all = store::items(&st.db, p).await?;
        Ok(BodyChoices {
            kinds: labelled(model::BODY_KINDS),
            chairs: vec![
                (
                    "rotating-statutory-partners".into(),
                    "Rotates among the statutory partners".into(),
                ),
                (
                    "rotating-partners".into(),
                    "Rotates among the partners, additional partners included".into(),
                ),
                ("independent".into(), "An independent chair".into()),
                ("sector".into(), "From a named sector".into()),
                (
                    "appointed-by-body".into(),
                    "Appointed by another body".into(),
                ),
                ("post".into(), "A named post".into()),
            ],
            frequencies: labelled(model::FREQUENCIES),
            bodies: choices(&all, "body", key),
            areas: choices(&all, "area", ""),
            posts: post_choices(&all)?,
            sectors: labelled(model::SECTORS),
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/body.html")]
struct BodyPage {
    page: Page,
    key: String,
    form: BodyForm,
    required: Vec<RequiredRow>,
    errors: Errors,
    dated_lines: bool,
    choices: BodyChoices,
}

async fn body_page(
    st: &AppState,
    viewer: &Viewer,
    key: &str,
    b: &model::Body,
    form: BodyForm,
    errors: Errors,
) -> AppResult<BodyPage> {
    let title = if key.is_empty() {
        "Add a body".to_owned()
    } else {
        format!("Edit {}", b.name)
    };
    Ok(BodyPage {
        page: Page::new(viewer, title, "/admin/arrangements"),
        key: key.to_owned(),
        required: form.required_rows(),
        form,
        errors,
        dated_lines: !b.parents.is_empty(),
        choices: BodyChoices::of(st, viewer.tenant()?, key).await?,
    })
}

pub async fn body_new(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let b = model::Body::default();
    let form = BodyForm {
        version: "0".into(),
        kind: "sub-group".into(),
        ..BodyForm::default()
    };
    Ok(body_page(&st, &viewer, "", &b, form, Errors::default())
        .await?
        .into_response())
}

pub async fn body_add(
    Ctx { st, viewer, p }: Ctx,
    FormData(f): FormData<BodyForm>,
) -> AppResult<Response> {
    let mut b = model::Body::default();
    let errors = f.apply(&mut b, &BodyChoices::of(&st, p, "").await?);
    if !errors.is_empty() {
        let page = body_page(&st, &viewer, "", &b, f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let all = store::items(&st.db, p).await?;
    b.key = store::new_key(
        &b.name,
        all.iter()
            .filter(|i| i.kind == "body")
            .map(|i| i.key.as_str()),
    );
    let saved = store::add_entry(&st.db, &viewer.actor(), p, "body", &b).await;
    let flash = format!("{} added", b.name);
    match finish(&st, &viewer, saved, &flash, "/arrangements", "name").await? {
        Ok(r) => Ok(r),
        Err((errors, status)) => {
            let page = body_page(&st, &viewer, "", &b, f, errors).await?;
            Ok((status, page).into_response())
        }
    }
}

pub async fn body_form(Ctx { st, viewer, p }: Ctx, Path(key): Path<String>) -> AppResult<Response> {
    let (b, version) = load::<model::Body>(&st, p, "body", &key).await?;
    let form = BodyForm::of(&b, version);
    Ok(body_page(&st, &viewer, &key, &b, form, Errors::default())
        .await?
        .into_response())
}

/// Save a body; what the form does not show (dated reporting lines, reports received, rules of
/// operation, the chair rule's note) is kept as it was.
pub async fn body_save(
    Ctx { st, viewer, p }: Ctx,
    Path(key): Path<String>,
    FormData(f): FormData<BodyForm>,
) -> AppResult<Response> {
    let (mut b, _) = load::<model::Body>(&st, p, "body", &key).await?;
    let version = crate::web::forms::version(&f.version)?;
    let errors = f.apply(&mut b, &BodyChoices::of(&st, p, &key).await?);
    if !errors.is_empty() {
        let page = body_page(&st, &viewer, &key, &b, f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let saved = save_entry(&st, &viewer, "body", &key, version, &b).await;
    let flash = format!("{} saved", b.name);
    match finish(&st, &viewer, saved, &flash, "/arrangements", "name").await? {
        Ok(r) => Ok(r),
        Err((errors, StatusCode::CONFLICT)) => {
            let (now, v) = load::<model::Body>(&st, p, "body", &key).await?;
            let page = body_page(&st, &viewer, &key, &now, BodyForm::of(&now, v), errors).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err((errors, status)) => {
            let page = body_page(&st, &viewer, &key, &b, f, errors).await?;
            Ok((status, page).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices() -> BodyChoices {
        BodyChoices {
            kinds: labelled(model::BODY_KINDS),
            chairs: Vec::new(),
            frequencies: labelled(model::FREQUENCIES),
            bodies: vec![("board".into(), "Board".into())],
            areas: Vec::new(),
            posts: Vec::new(),
            sectors: labelled(model::SECTORS),
        }
    }

    #[test]
    fn a_body_form_becomes_evaluable_rules() {
        let f = BodyForm {
            name: "Executive".into(),
            kind: "executive".into(),
            parent: "board".into(),
            quorum: "all-statutory-partners".into(),
            expected: "75".into(),
            minimum_meetings: "4".into(),
            deputy_counts: "yes".into(),
            notice: "10".into(),
            req_description: vec!["Designated doctor".into(), String::new()],
            req_sector: vec!["health".into(), String::new()],
            req_count: vec!["1".into(), "1".into()],
            ..BodyForm::default()
        };
        let mut b = model::Body::default();
        let e = f.apply(&mut b, &choices());
        assert!(e.is_empty(), "{:?}", e.list());
        assert_eq!(b.quorum, Some(model::Quorum::AllStatutoryPartners));
        let a = b.attendance.clone().expect("attendance");
        assert_eq!(
            (a.expected_share, a.minimum_meetings, a.deputy_counts),
            (0.75, Some(4), true)
        );
        assert_eq!(b.notice_working_days, Some(10));
        assert_eq!(b.required_members.len(), 1);
        assert_eq!(b.required_members[0].sector.as_deref(), Some("health"));
        // and back again, field for field
        let again = BodyForm::of(&b, 1);
        assert_eq!(
            (again.quorum.as_str(), again.expected.as_str()),
            ("all-statutory-partners", "75")
        );
    }

    #[test]
    fn editing_a_body_keeps_its_chairs_rotation_while_it_rotates() {
        let mut b = model::Body {
            key: "exec".into(),
            name: "Executive".into(),
            kind: "executive".into(),
            chair: Some(model::ChairRule {
                rule: "rotating-partners".into(),
                rotation: vec!["council".into(), "icb".into()],
                term_months: Some(12),
                rotation_from: Some(model::Day(
                    chrono::NaiveDate::from_ymd_opt(2024, 4, 1).unwrap_or_default(),
                )),
                ..Default::default()
            }),
            ..Default::default()
        };
        let mut f = BodyForm::of(&b, 1);
        f.name = "Executive Board".into();
        assert!(f.apply(&mut b, &choices()).is_empty());
        let c = b.chair.clone().unwrap_or_default();
        assert_eq!((c.rotation.len(), c.term_months), (2, Some(12)));
        // Chosen another way, the rotation goes with the rule.
        f.chair = "independent".into();
        assert!(f.apply(&mut b, &choices()).is_empty());
        assert!(b.chair.unwrap_or_default().rotation.is_empty());
    }

    #[test]
    fn a_body_form_names_each_bad_field() {
        let f = BodyForm {
            name: String::new(),
            kind: "club".into(),
            parent: "nowhere".into(),
            quorum: "members".into(),
            quorum_count: "0".into(),
            chair: "sector".into(),
            minimum_meetings: "4".into(),
            req_description: vec![String::new()],
            req_sector: vec!["health".into()],
            req_count: vec!["x".into()],
            ..BodyForm::default()
        };
        let mut b = model::Body::default();
        let e = f.apply(&mut b, &choices());
        for field in [
            "name",
            "kind",
            "parent",
            "quorum_count",
            "chair_sector",
            "expected",
            "req_description_0",
            "req_count_0",
        ] {
            assert!(
                e.get(field).is_some(),
                "{field} not flagged: {:?}",
                e.list()
            );
        }
    }
}
