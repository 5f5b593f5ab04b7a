//! Statutory partners: who speaks for each of the three partners and who they delegate to.

use super::*;

// ---- Statutory partners ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PartnerQuery {
    key: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PartnerForm {
    key: String,
    version: String,
    role: String,
    organisation: String,
    lead: String,
    delegate: String,
    from: String,
    to: String,
}

impl PartnerForm {
    fn of(key: &str, s: &model::StatutoryPartner, version: i64) -> Self {
        PartnerForm {
            key: key.to_owned(),
            version: version.to_string(),
            role: s.role.clone(),
            organisation: s.organisation.clone(),
            lead: s.lead.clone().unwrap_or_default(),
            delegate: s.delegate.clone().unwrap_or_default(),
            from: date_text(s.from),
            to: date_text(s.to),
        }
    }

    fn apply(&self, s: &mut model::StatutoryPartner, orgs: &Options, posts: &Options) -> Errors {
        let mut e = Errors::default();
        s.role = e
            .choice(
                "role",
                &self.role,
                &labelled(model::STATUTORY_ROLES),
                "Select the partner's role",
            )
            .unwrap_or_default();
        if s.role.is_empty() {
            e.add("role", "Select the partner's role");
        }
        s.organisation = e
            .choice(
                "organisation",
                &self.organisation,
                orgs,
                "Select the organisation",
            )
            .unwrap_or_default();
        if s.organisation.is_empty() {
            e.add("organisation", "Select the organisation");
        }
        s.lead = e.choice(
            "lead",
            &self.lead,
            posts,
            "Select the lead representative's post",
        );
        s.delegate = e.choice(
            "delegate",
            &self.delegate,
            posts,
            "Select the delegated partner's post",
        );
        (s.from, s.to) = dates(&mut e, &self.from, &self.to);
        e
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/partner.html")]
struct PartnerPage {
    page: Page,
    form: PartnerForm,
    errors: Errors,
    roles: Options,
    organisations: Options,
    posts: Options,
}

async fn partner_page(
    st: &AppState,
    viewer: &Viewer,
    form: PartnerForm,
    errors: Errors,
) -> AppResult<PartnerPage> {
    let all = store::items(&st.db, viewer.tenant()?).await?;
    let title = if form.key.is_empty() {
        "Add a statutory partner".to_owned()
    } else {
        format!(
            "Edit the {} partner",
            view::role_label(&form.role).to_lowercase()
        )
    };
    Ok(PartnerPage {
        page: Page::new(viewer, title, "/admin/arrangements"),
        form,
        errors,
        roles: labelled(model::STATUTORY_ROLES),
        organisations: choices(&all, "organisation", ""),
        posts: post_choices(&all)?,
    })
}

pub async fn partners(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let all = store::items(&st.db, p).await?;
    let mut rows = Vec::new();
    for i in all.iter().filter(|i| i.kind == "statutory-partner") {
        let s: model::StatutoryPartner = store::decode(i)?;
        let post = |k: &Option<String>| {
            k.as_deref()
                .map(|k| name_of(&all, "post", k))
                .unwrap_or_default()
        };
        rows.push((
            format!("/admin/arrangements/partner?key={}", urlencoding(&i.key)),
            view::role_label(&s.role),
            vec![
                name_of(&all, "organisation", &s.organisation),
                post(&s.lead),
                post(&s.delegate),
                period(i.from, i.to),
            ],
        ));
    }
    Ok(list_page(
        &viewer,
        "Statutory partners",
        "The three statutory safeguarding partners (the local authority, the integrated care board and the police), each with its lead representative and the delegated partner who acts for it. When a partner changes (a CCG succeeded by an ICB), end the old entry and add the new one so the history stays.",
        ("/admin/arrangements/partner", "Add a statutory partner"),
        vec![
            "Role",
            "Organisation",
            "Lead representative",
            "Delegated partner",
            "When",
        ],
        rows,
    ))
}

/// Keys of statutory partners hold slashes, so they travel in the query string.
fn urlencoding(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub async fn partner_form(
    Ctx { st, viewer, p }: Ctx,
    Query(q): Query<PartnerQuery>,
) -> AppResult<Response> {
    let form = if q.key.is_empty() {
        PartnerForm {
            version: "0".into(),
            ..PartnerForm::default()
        }
    } else {
        let (s, v) = load::<model::StatutoryPartner>(&st, p, "statutory-partner", &q.key).await?;
        PartnerForm::of(&q.key, &s, v)
    };
    Ok(partner_page(&st, &viewer, form, Errors::default())
        .await?
        .into_response())
}

/// Add a statutory partner (no key) or save one.
pub async fn partner_save(
    Ctx { st, viewer, p }: Ctx,
    FormData(f): FormData<PartnerForm>,
) -> AppResult<Response> {
    let all = store::items(&st.db, p).await?;
    let (mut s, _) = if f.key.is_empty() {
        (model::StatutoryPartner::default(), 0)
    } else {
        load::<model::StatutoryPartner>(&st, p, "statutory-partner", &f.key).await?
    };
    let version = crate::web::forms::version(&f.version)?;
    let errors = f.apply(
        &mut s,
        &choices(&all, "organisation", ""),
        &post_choices(&all)?,
    );
    if !errors.is_empty() {
        let page = partner_page(&st, &viewer, f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let saved = if f.key.is_empty() {
        store::add_entry(&st.db, &viewer.actor(), p, "statutory-partner", &s).await
    } else {
        save_entry(&st, &viewer, "statutory-partner", &f.key, version, &s).await
    };
    let flash = format!("{} partner saved", view::role_label(&s.role));
    match finish(
        &st,
        &viewer,
        saved,
        &flash,
        "/admin/arrangements/partners",
        "role",
    )
    .await?
    {
        Ok(r) => Ok(r),
        Err((errors, StatusCode::CONFLICT)) => {
            let (now, v) =
                load::<model::StatutoryPartner>(&st, p, "statutory-partner", &f.key).await?;
            let page = partner_page(&st, &viewer, PartnerForm::of(&f.key, &now, v), errors).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err((errors, status)) => {
            let page = partner_page(&st, &viewer, f, errors).await?;
            Ok((status, page).into_response())
        }
    }
}

// ---- Additional partners ----

/// A partner the partnership chose beside the statutory three: its organisation, the sector it
/// speaks for, what it is there as, its lead and delegate, and when.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AdditionalForm {
    key: String,
    version: String,
    organisation: String,
    sector: String,
    description: String,
    lead: String,
    delegate: String,
    from: String,
    to: String,
}

impl AdditionalForm {
    fn of(key: &str, s: &model::AdditionalPartner, version: i64) -> Self {
        AdditionalForm {
            key: key.to_owned(),
            version: version.to_string(),
            organisation: s.organisation.clone(),
            sector: s.sector.clone(),
            description: s.description.clone(),
            lead: s.lead.clone().unwrap_or_default(),
            delegate: s.delegate.clone().unwrap_or_default(),
            from: date_text(s.from),
            to: date_text(s.to),
        }
    }

    fn apply(&self, s: &mut model::AdditionalPartner, orgs: &Options, posts: &Options) -> Errors {
        let mut e = Errors::default();
        s.organisation = e
            .choice(
                "organisation",
                &self.organisation,
                orgs,
                "Select the organisation",
            )
            .unwrap_or_default();
        if s.organisation.is_empty() {
            e.add("organisation", "Select the organisation");
        }
        s.sector = e
            .choice(
                "sector",
                &self.sector,
                &labelled(model::SECTORS),
                "Select the sector it speaks for",
            )
            .unwrap_or_default();
        if s.sector.is_empty() {
            e.add("sector", "Select the sector it speaks for");
        }
        s.description = self.description.trim().to_owned();
        if s.description.chars().count() > 200 {
            e.add("description", "Enter 200 characters or fewer");
        }
        s.lead = e.choice(
            "lead",
            &self.lead,
            posts,
            "Select the lead representative's post",
        );
        s.delegate = e.choice(
            "delegate",
            &self.delegate,
            posts,
            "Select the delegate's post",
        );
        (s.from, s.to) = dates(&mut e, &self.from, &self.to);
        e
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/additional_partner.html")]
struct AdditionalPage {
    page: Page,
    form: AdditionalForm,
    errors: Errors,
    sectors: Options,
    organisations: Options,
    posts: Options,
}

async fn additional_page(
    st: &AppState,
    viewer: &Viewer,
    form: AdditionalForm,
    errors: Errors,
) -> AppResult<AdditionalPage> {
    let all = store::items(&st.db, viewer.tenant()?).await?;
    let title = if form.key.is_empty() {
        "Add a partner".to_owned()
    } else {
        format!(
            "Edit the partner {}",
            name_of(&all, "organisation", &form.organisation)
        )
    };
    Ok(AdditionalPage {
        page: Page::new(viewer, title, "/admin/arrangements"),
        form,
        errors,
        sectors: labelled(model::SECTORS),
        organisations: choices(&all, "organisation", ""),
        posts: post_choices(&all)?,
    })
}

pub async fn additional_partners(Ctx { st, viewer, p }: Ctx) -> AppResult<Response> {
    let all = store::items(&st.db, p).await?;
    let mut rows = Vec::new();
    for i in all.iter().filter(|i| i.kind == "additional-partner") {
        let s: model::AdditionalPartner = store::decode(i)?;
        let post = |k: &Option<String>| {
            k.as_deref()
                .map(|k| name_of(&all, "post", k))
                .unwrap_or_default()
        };
        rows.push((
            format!(
                "/admin/arrangements/additional-partner?key={}",
                urlencoding(&i.key)
            ),
            name_of(&all, "organisation", &s.organisation),
            vec![
                if s.description.is_empty() {
                    view::role_label(&s.sector)
                } else {
                    s.description.clone()
                },
                post(&s.lead),
                post(&s.delegate),
                period(i.from, i.to),
            ],
        ));
    }
    Ok(list_page(
        &viewer,
        "Other partners",
        "Partners the partnership has chosen to sit beside the three statutory partners, such as a schools' representative or the director of education, each with its lead representative and delegate. They count for an \"all partners present\" quorum; they do not sign what the law asks the statutory partners to sign. Designated education and childcare agencies take part without being partners: mark them on the organisation.",
        ("/admin/arrangements/additional-partner", "Add a partner"),
        vec![
            "Organisation",
            "Speaks for",
            "Lead representative",
            "Delegate",
            "When",
        ],
        rows,
    ))
}

pub async fn additional_partner_form(
    Ctx { st, viewer, p }: Ctx,
    Query(q): Query<PartnerQuery>,
) -> AppResult<Response> {
    let form = if q.key.is_empty() {
        AdditionalForm {
            version: "0".into(),
            ..AdditionalForm::default()
        }
    } else {
        let (s, v) = load::<model::AdditionalPartner>(&st, p, "additional-partner", &q.key).await?;
        AdditionalForm::of(&q.key, &s, v)
    };
    Ok(additional_page(&st, &viewer, form, Errors::default())
        .await?
        .into_response())
}

/// Add a partner beyond the statutory three (no key) or save one.
pub async fn additional_partner_save(
    Ctx { st, viewer, p }: Ctx,
    FormData(f): FormData<AdditionalForm>,
) -> AppResult<Response> {
    const KIND: &str = "additional-partner";
    let all = store::items(&st.db, p).await?;
    let (mut s, _) = if f.key.is_empty() {
        (model::AdditionalPartner::default(), 0)
    } else {
        load::<model::AdditionalPartner>(&st, p, KIND, &f.key).await?
    };
    let version = crate::web::forms::version(&f.version)?;
    let errors = f.apply(
        &mut s,
        &choices(&all, "organisation", ""),
        &post_choices(&all)?,
    );
    if !errors.is_empty() {
        let page = additional_page(&st, &viewer, f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let saved = if f.key.is_empty() {
        store::add_entry(&st.db, &viewer.actor(), p, KIND, &s).await
    } else {
        save_entry(&st, &viewer, KIND, &f.key, version, &s).await
    };
    let flash = format!(
        "Partner saved: {}",
        name_of(&all, "organisation", &s.organisation)
    );
    match finish(
        &st,
        &viewer,
        saved,
        &flash,
        "/admin/arrangements/additional-partners",
        "organisation",
    )
    .await?
    {
        Ok(r) => Ok(r),
        Err((errors, StatusCode::CONFLICT)) => {
            let (now, v) = load::<model::AdditionalPartner>(&st, p, KIND, &f.key).await?;
            let page =
                additional_page(&st, &viewer, AdditionalForm::of(&f.key, &now, v), errors).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err((errors, status)) => {
            let page = additional_page(&st, &viewer, f, errors).await?;
            Ok((status, page).into_response())
        }
    }
}
