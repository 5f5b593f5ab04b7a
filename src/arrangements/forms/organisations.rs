//! Organisations: the partnership's agencies, one form each.

use super::*;

// ---- Organisations ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OrganisationForm {
    version: String,
    name: String,
    sector: String,
    statutory_partner: String,
    relevant_agency: String,
    why: String,
    designated_education: String,
    section_11: String,
    s175_157: String,
    parent: String,
    from: String,
    to: String,
    successor: String,
}

impl OrganisationForm {
    fn of(o: &model::Organisation, version: i64) -> Self {
        OrganisationForm {
            version: version.to_string(),
            name: o.name.clone(),
            sector: o.sector.clone(),
            statutory_partner: o.statutory_partner.clone().unwrap_or_default(),
            relevant_agency: flag(o.relevant_agency),
            why: o.why.clone(),
            designated_education: flag(o.designated_education),
            section_11: flag(o.section_11),
            s175_157: flag(o.s175_157),
            parent: o.parent.clone().unwrap_or_default(),
            from: date_text(o.from),
            to: date_text(o.to),
            successor: o.successors.first().cloned().unwrap_or_default(),
        }
    }

    fn apply(&self, o: &mut model::Organisation, orgs: &Options) -> Errors {
        let mut e = Errors::default();
        o.name = e.required("name", &self.name, "Enter the organisation's name");
        o.sector = e
            .choice(
                "sector",
                &self.sector,
                &labelled(model::SECTORS),
                "Select a sector",
            )
            .unwrap_or_default();
        if o.sector.is_empty() {
            e.add("sector", "Select a sector");
        }
        o.statutory_partner = e.choice(
            "statutory_partner",
            &self.statutory_partner,
            &labelled(model::STATUTORY_ROLES),
            "Select a statutory partner role, or none",
        );
        o.relevant_agency = yes(&self.relevant_agency);
        o.why = e.text("why", &self.why, 2000);
        o.designated_education = yes(&self.designated_education);
        o.section_11 = yes(&self.section_11);
        o.s175_157 = yes(&self.s175_157);
        o.parent = e.choice(
            "parent",
            &self.parent,
            orgs,
            "Select the parent organisation",
        );
        (o.from, o.to) = dates(&mut e, &self.from, &self.to);
        // The form edits the first successor; the others of a split stay as the file has them.
        let first = e.choice(
            "successor",
            &self.successor,
            orgs,
            "Select the organisation that took over",
        );
        match first {
            Some(s) if o.successors.is_empty() => o.successors.push(s),
            Some(s) => o.successors[0] = s,
            None => o.successors.clear(),
        }
        if !o.successors.is_empty() && o.to.is_none() {
            e.add(
                "to",
                "Enter the date it ended: an organisation with a successor has an end date",
            );
        }
        e
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/organisation.html")]
struct OrganisationPage {
    page: Page,
    key: String,
    form: OrganisationForm,
    errors: Errors,
    sectors: Options,
    roles: Options,
    organisations: Options,
}

async fn organisation_page(
    st: &AppState,
    viewer: &Viewer,
    key: &str,
    form: OrganisationForm,
    errors: Errors,
) -> AppResult<OrganisationPage> {
    let all = store::items(&st.db, viewer.tenant()?).await?;
    let title = if key.is_empty() {
        "Add an organisation".to_owned()
    } else {
        format!("Edit {}", name_of(&all, "organisation", key))
    };
    Ok(OrganisationPage {
        page: Page::new(viewer, title, "/admin/arrangements"),
        key: key.to_owned(),
        form,
        errors,
        sectors: labelled(model::SECTORS),
        roles: labelled(model::STATUTORY_ROLES),
        organisations: choices(&all, "organisation", key),
    })
}

pub async fn organisations(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let all = store::items(&st.db, p).await?;
    let mut rows = Vec::new();
    for i in all.iter().filter(|i| i.kind == "organisation") {
        let o: model::Organisation = store::decode(i)?;
        let role = match (&o.statutory_partner, o.relevant_agency) {
            (Some(r), _) => format!("Statutory partner ({})", view::role_label(r)),
            (None, true) => "Relevant agency".into(),
            (None, false) => String::new(),
        };
        rows.push((
            format!("/admin/arrangements/organisations/{}", i.key),
            o.name.clone(),
            vec![view::role_label(&o.sector), role, period(i.from, i.to)],
        ));
    }
    Ok(list_page(
        &viewer,
        "Organisations",
        "Every organisation in the arrangements: the statutory partners, the relevant agencies and the others that sit on a body. An organisation that ended keeps its history; its successor takes over from the date it ended.",
        (
            "/admin/arrangements/organisations/new",
            "Add an organisation",
        ),
        vec!["Organisation", "Sector", "Part in the arrangements", "When"],
        rows,
    ))
}

pub async fn organisation_new(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let form = OrganisationForm {
        version: "0".into(),
        ..OrganisationForm::default()
    };
    Ok(organisation_page(&st, &viewer, "", form, Errors::default())
        .await?
        .into_response())
}

pub async fn organisation_add(
    Ctx { st, viewer, p }: Ctx,
    FormData(f): FormData<OrganisationForm>,
) -> AppResult<Response> {
    let all = store::items(&st.db, p).await?;
    let mut o = model::Organisation::default();
    let errors = f.apply(&mut o, &choices(&all, "organisation", ""));
    if !errors.is_empty() {
        let page = organisation_page(&st, &viewer, "", f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    o.key = store::new_key(
        &o.name,
        all.iter()
            .filter(|i| i.kind == "organisation")
            .map(|i| i.key.as_str()),
    );
    let saved = store::add_entry(&st.db, &viewer.actor(), p, "organisation", &o).await;
    let flash = format!("{} added", o.name);
    match finish(
        &st,
        &viewer,
        saved,
        &flash,
        "/admin/arrangements/organisations",
        "name",
    )
    .await?
    {
        Ok(r) => Ok(r),
        Err((errors, status)) => {
            let page = organisation_page(&st, &viewer, "", f, errors).await?;
            Ok((status, page).into_response())
        }
    }
}

pub async fn organisation_form(
    Ctx { st, viewer, p }: Ctx,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let (o, version) = load::<model::Organisation>(&st, p, "organisation", &key).await?;
    let form = OrganisationForm::of(&o, version);
    Ok(
        organisation_page(&st, &viewer, &key, form, Errors::default())
            .await?
            .into_response(),
    )
}

pub async fn organisation_save(
    Ctx { st, viewer, p }: Ctx,
    Path(key): Path<String>,
    FormData(f): FormData<OrganisationForm>,
) -> AppResult<Response> {
    let (mut o, _) = load::<model::Organisation>(&st, p, "organisation", &key).await?;
    let version = crate::web::forms::version(&f.version)?;
    let all = store::items(&st.db, p).await?;
    let errors = f.apply(&mut o, &choices(&all, "organisation", &key));
    if !errors.is_empty() {
        let page = organisation_page(&st, &viewer, &key, f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let saved = save_entry(&st, &viewer, "organisation", &key, version, &o).await;
    let flash = format!("{} saved", o.name);
    match finish(
        &st,
        &viewer,
        saved,
        &flash,
        "/admin/arrangements/organisations",
        "name",
    )
    .await?
    {
        Ok(r) => Ok(r),
        Err((errors, StatusCode::CONFLICT)) => {
            let (now, v) = load::<model::Organisation>(&st, p, "organisation", &key).await?;
            let page = organisation_page(&st, &viewer, &key, OrganisationForm::of(&now, v), errors)
                .await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err((errors, status)) => {
            let page = organisation_page(&st, &viewer, &key, f, errors).await?;
            Ok((status, page).into_response())
        }
    }
}
