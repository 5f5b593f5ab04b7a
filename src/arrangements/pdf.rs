//! The published arrangements as a PDF (templates/pdf/arrangements.typ), made from the same
//! data as the public page and kept until the arrangements or the day change.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::pages::{Partner, Section};
use super::store::AsAt;
use super::view::{self, BodyView};

const TEMPLATE: &str = include_str!("../../templates/pdf/arrangements.typ");

#[derive(Serialize)]
pub struct Data {
    partnership: String,
    published: String,
    as_at: String,
    url: String,
    guidance: String,
    partners: Vec<PartnerRow>,
    additional: Vec<PartnerRow>,
    areas: Vec<String>,
    area_text: Vec<String>,
    agencies_text: Vec<String>,
    agency_count: usize,
    agency_groups: Vec<AgencyGroup>,
    chart: String,
    chart_alt: String,
    bodies: Vec<BodyLine>,
    sections: Vec<SectionText>,
}

#[derive(Serialize)]
struct PartnerRow {
    role: String,
    organisation: String,
    lead: String,
    delegate: String,
}

#[derive(Serialize)]
struct AgencyGroup {
    sector: String,
    agencies: Vec<AgencyLine>,
}

#[derive(Serialize)]
struct AgencyLine {
    name: String,
    why: String,
}

#[derive(Serialize)]
struct BodyLine {
    name: String,
    kind: String,
    chair: String,
    reports_to: String,
    depth: usize,
    /// With whom a collaboration shares it, or who holds it.
    shared: String,
    /// Who attends without being a member, by organisation and post.
    in_attendance: String,
}

#[derive(Serialize)]
struct SectionText {
    heading: &'static str,
    paragraphs: Vec<String>,
}

pub struct Parts<'a> {
    pub name: &'a str,
    pub url: String,
    pub a: &'a AsAt,
    pub partners: Vec<Partner>,
    pub additional: Vec<Partner>,
    pub structure: &'a [BodyView],
    pub chart: String,
    pub sections: Vec<Section>,
}

fn row(x: Partner) -> PartnerRow {
    PartnerRow {
        role: x.role,
        organisation: x.organisation,
        lead: x.lead,
        delegate: x.delegate,
    }
}

/// What the PDF shows: the headings the guidance requires, as on the public page, with every
/// relevant agency listed by sector (on paper there is no search box).
pub fn data(p: Parts<'_>) -> Data {
    let a = p.a;
    let mut groups: Vec<AgencyGroup> = Vec::new();
    for sector in super::model::SECTORS {
        let agencies: Vec<AgencyLine> = a
            .organisations
            .iter()
            .filter(|o| o.relevant_agency && o.sector == *sector)
            .map(|o| AgencyLine {
                name: o.name.clone(),
                why: o.why.clone(),
            })
            .collect();
        if !agencies.is_empty() {
            groups.push(AgencyGroup {
                sector: view::role_label(sector),
                agencies,
            });
        }
    }
    let name_of = |key: &Option<String>| {
        key.as_deref()
            .and_then(|k| p.structure.iter().find(|v| v.body.key == k))
            .map(|v| v.body.name.clone())
            .unwrap_or_default()
    };
    Data {
        partnership: p.name.to_owned(),
        published: a
            .partnership
            .edition_on(a.day)
            .and_then(|e| e.published)
            .map(|d| d.0.format("%-d %B %Y").to_string())
            .unwrap_or_default(),
        as_at: a.day.format("%-d %B %Y").to_string(),
        url: p.url,
        guidance: a
            .partnership
            .edition_on(a.day)
            .map(|e| e.guidance_text().to_owned())
            .unwrap_or_default(),
        partners: p.partners.into_iter().map(row).collect(),
        additional: p.additional.into_iter().map(row).collect(),
        areas: a
            .areas
            .iter()
            .map(|ar| match super::pages::population_text(ar, a.day) {
                Some(pop) => {
                    let mut s = format!("{}: {}", ar.name, pop.text);
                    for e in pop.earlier {
                        s.push_str(&format!("; earlier figure: {e}"));
                    }
                    s
                }
                None => ar.name.clone(),
            })
            .collect(),
        area_text: super::pages::paragraphs(&a.sections.area),
        agencies_text: super::pages::paragraphs(&a.sections.relevant_agencies),
        agency_count: a.organisations.iter().filter(|o| o.relevant_agency).count(),
        agency_groups: groups,
        chart_alt: format!(
            "Structure chart of {}: {} bodies, described in words below.",
            p.name,
            p.structure.len()
        ),
        chart: if p.structure.is_empty() {
            String::new()
        } else {
            p.chart
        },
        bodies: p
            .structure
            .iter()
            .map(|v| BodyLine {
                name: v.body.name.clone(),
                kind: view::role_label(&v.body.kind),
                chair: v.chair.clone(),
                reports_to: name_of(&v.body.parent),
                depth: v.depth,
                shared: v.shared.clone(),
                in_attendance: v
                    .in_attendance
                    .iter()
                    .map(|m| {
                        if m.title.is_empty() {
                            m.organisation.clone()
                        } else {
                            format!("{} ({})", m.title, m.organisation)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        sections: p
            .sections
            .into_iter()
            .filter(|s| !s.paragraphs.is_empty())
            .map(|s| SectionText {
                heading: s.heading,
                paragraphs: s.paragraphs,
            })
            .collect(),
    }
}

/// The last PDF made for each partnership, by a digest of its data: the same arrangements on
/// the same day are laid out once, however often the public download it.
static MADE: Mutex<Option<HashMap<String, Made>>> = Mutex::new(None);

/// A PDF and the digest of the data it was made from.
type Made = ([u8; 32], Arc<Vec<u8>>);

pub async fn render(slug: &str, data: Data) -> crate::web::error::AppResult<Arc<Vec<u8>>> {
    let json = serde_json::to_vec(&data)
        .map_err(|e| crate::web::error::AppError::Internal(e.to_string()))?;
    let digest: [u8; 32] = Sha256::digest(&json).into();
    if let Ok(made) = MADE.lock()
        && let Some((d, pdf)) = made.as_ref().and_then(|m| m.get(slug))
        && *d == digest
    {
        return Ok(pdf.clone());
    }
    let today = crate::calendar::today();
    let pdf = Arc::new(crate::pdf::make(TEMPLATE, &data, Vec::new(), today).await?);
    if let Ok(mut made) = MADE.lock() {
        made.get_or_insert_with(HashMap::new)
            .insert(slug.to_owned(), (digest, pdf.clone()));
    }
    Ok(pdf)
}
