//! The published text of the arrangements, section by section.

use super::*;

// ---- Published text ----

/// The published sections, in the order of the guidance, with what each should say.
const SECTION_FIELDS: &[(&str, &str, &str)] = &[
    ("area", "Area", "The area the arrangements cover"),
    (
        "relevant_agencies",
        "Relevant agencies",
        "Why the partners named the agencies they did",
    ),
    (
        "scrutiny",
        "Independent scrutiny",
        "Who scrutinises the arrangements and how",
    ),
    (
        "funding",
        "Funding",
        "How the partners fund the arrangements",
    ),
    (
        "thresholds",
        "Thresholds",
        "The threshold document and where to find it",
    ),
    (
        "education",
        "Schools, colleges and early years settings",
        "How education settings take part",
    ),
    (
        "youth_custody_and_residential",
        "Youth custody and residential homes",
        "How these settings take part",
    ),
    (
        "data_and_intelligence",
        "Data and intelligence",
        "How the partners use data to know how well children are safeguarded",
    ),
    (
        "training",
        "Multi-agency training",
        "How multi-agency training is provided and evaluated",
    ),
    (
        "voice_of_children",
        "The voice of children and families",
        "How children and families shape the work",
    ),
    (
        "escalation",
        "Escalation and resolving disagreements",
        "How professional disagreements are resolved",
    ),
    (
        "policies_and_procedures",
        "Policies and procedures",
        "Where the multi-agency procedures are published",
    ),
];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SectionsForm {
    version: String,
    #[serde(flatten)]
    text: std::collections::BTreeMap<String, String>,
}

pub struct SectionField {
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/sections.html")]
struct SectionsPage {
    page: Page,
    version: String,
    fields: Vec<SectionField>,
    errors: Errors,
}

fn sections_page(
    viewer: &Viewer,
    version: String,
    text: &std::collections::BTreeMap<String, String>,
    errors: Errors,
) -> SectionsPage {
    SectionsPage {
        page: Page::new(viewer, "Published text", "/admin/arrangements"),
        version,
        fields: SECTION_FIELDS
            .iter()
            .map(|(name, label, hint)| SectionField {
                name,
                label,
                hint,
                value: text.get(*name).cloned().unwrap_or_default(),
            })
            .collect(),
        errors,
    }
}

fn sections_text(s: &model::Sections) -> AppResult<std::collections::BTreeMap<String, String>> {
    serde_json::from_value(serde_json::to_value(s).map_err(|e| AppError::Internal(e.to_string()))?)
        .map_err(|e| AppError::Internal(e.to_string()))
}

pub async fn sections_form(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let (s, version) = load::<model::Sections>(&st, p, "sections", "sections").await?;
    Ok(sections_page(
        &viewer,
        version.to_string(),
        &sections_text(&s)?,
        Errors::default(),
    )
    .into_response())
}

pub async fn sections_save(
    Ctx { st, viewer, p }: Ctx,
    FormData(f): FormData<SectionsForm>,
) -> AppResult<Response> {
    load::<model::Sections>(&st, p, "sections", "sections").await?;
    let version = crate::web::forms::version(&f.version)?;
    let mut errors = Errors::default();
    let mut kept = serde_json::Map::new();
    for (name, _, _) in SECTION_FIELDS {
        let v = f
            .text
            .get(*name)
            .map(|t| t.replace("\r\n", "\n"))
            .unwrap_or_default();
        let v = errors.text(name, &v, 50_000);
        if !v.is_empty() {
            kept.insert((*name).to_owned(), serde_json::Value::String(v));
        }
    }
    if !errors.is_empty() {
        let page = sections_page(&viewer, f.version.clone(), &f.text, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let sections: model::Sections = serde_json::from_value(serde_json::Value::Object(kept))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let saved = save_entry(&st, &viewer, "sections", "sections", version, &sections).await;
    match finish(
        &st,
        &viewer,
        saved,
        "Published text saved",
        "/admin/arrangements",
        "area",
    )
    .await?
    {
        Ok(r) => Ok(r),
        Err((errors, StatusCode::CONFLICT)) => {
            let (now, v) = load::<model::Sections>(&st, p, "sections", "sections").await?;
            let page = sections_page(&viewer, v.to_string(), &sections_text(&now)?, errors);
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err((errors, status)) => {
            let page = sections_page(&viewer, f.version.clone(), &f.text, errors);
            Ok((status, page).into_response())
        }
    }
}
