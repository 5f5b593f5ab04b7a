//! Posts: the named roles people hold in the arrangements (chair, scrutineer, lead).

use super::*;

// ---- Posts ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PostForm {
    version: String,
    title: String,
    organisation: String,
    holder: String,
    from: String,
    to: String,
}

impl PostForm {
    fn of(p: &model::Post, version: i64) -> Self {
        PostForm {
            version: version.to_string(),
            title: p.title.clone(),
            organisation: p.organisation.clone(),
            holder: p.holder.clone(),
            from: date_text(p.from),
            to: date_text(p.to),
        }
    }

    fn apply(&self, p: &mut model::Post, orgs: &Options) -> Errors {
        let mut e = Errors::default();
        p.title = e.required("title", &self.title, "Enter the post's title");
        p.organisation = e
            .choice(
                "organisation",
                &self.organisation,
                orgs,
                "Select the organisation",
            )
            .unwrap_or_default();
        if p.organisation.is_empty() {
            e.add("organisation", "Select the organisation");
        }
        p.holder = e.text("holder", &self.holder, 200);
        (p.from, p.to) = dates(&mut e, &self.from, &self.to);
        e
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "arrangements/post.html")]
struct PostPage {
    page: Page,
    key: String,
    form: PostForm,
    errors: Errors,
    organisations: Options,
}

async fn post_page(
    st: &AppState,
    viewer: &Viewer,
    key: &str,
    form: PostForm,
    errors: Errors,
) -> AppResult<PostPage> {
    let all = store::items(&st.db, viewer.tenant()?).await?;
    let title = if key.is_empty() {
        "Add a post".to_owned()
    } else {
        format!("Edit {}", name_of(&all, "post", key))
    };
    Ok(PostPage {
        page: Page::new(viewer, title, "/admin/arrangements"),
        key: key.to_owned(),
        form,
        errors,
        organisations: choices(&all, "organisation", ""),
    })
}

pub async fn posts(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let all = store::items(&st.db, viewer.tenant()?).await?;
    let mut rows = Vec::new();
    for i in all.iter().filter(|i| i.kind == "post") {
        let p: model::Post = store::decode(i)?;
        rows.push((
            format!("/admin/arrangements/posts/{}", i.key),
            p.title.clone(),
            vec![
                name_of(&all, "organisation", &p.organisation),
                p.holder.clone(),
                period(i.from, i.to),
            ],
        ));
    }
    Ok(list_page(
        &viewer,
        "Posts",
        "The posts that represent organisations (a director of children's services, a designated nurse, the independent scrutineer) and who holds each. When someone new takes a post, change its holder: the audit trail keeps who held it before.",
        ("/admin/arrangements/posts/new", "Add a post"),
        vec!["Post", "Organisation", "Held by", "When"],
        rows,
    ))
}

pub async fn post_new(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let form = PostForm {
        version: "0".into(),
        ..PostForm::default()
    };
    Ok(post_page(&st, &viewer, "", form, Errors::default())
        .await?
        .into_response())
}

pub async fn post_add(
    Ctx { st, viewer, p }: Ctx,
    FormData(f): FormData<PostForm>,
) -> AppResult<Response> {
    let all = store::items(&st.db, p).await?;
    let mut post = model::Post::default();
    let errors = f.apply(&mut post, &choices(&all, "organisation", ""));
    if !errors.is_empty() {
        let page = post_page(&st, &viewer, "", f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    post.key = store::new_key(
        &post.title,
        all.iter()
            .filter(|i| i.kind == "post")
            .map(|i| i.key.as_str()),
    );
    let saved = store::add_entry(&st.db, &viewer.actor(), p, "post", &post).await;
    let flash = format!("{} added", post.title);
    match finish(
        &st,
        &viewer,
        saved,
        &flash,
        "/admin/arrangements/posts",
        "title",
    )
    .await?
    {
        Ok(r) => Ok(r),
        Err((errors, status)) => {
            let page = post_page(&st, &viewer, "", f, errors).await?;
            Ok((status, page).into_response())
        }
    }
}

pub async fn post_form(Ctx { st, viewer, p }: Ctx, Path(key): Path<String>) -> AppResult<Response> {
    let (post, version) = load::<model::Post>(&st, p, "post", &key).await?;
    Ok(post_page(
        &st,
        &viewer,
        &key,
        PostForm::of(&post, version),
        Errors::default(),
    )
    .await?
    .into_response())
}

pub async fn post_save(
    Ctx { st, viewer, p }: Ctx,
    Path(key): Path<String>,
    FormData(f): FormData<PostForm>,
) -> AppResult<Response> {
    let (mut post, _) = load::<model::Post>(&st, p, "post", &key).await?;
    let version = crate::web::forms::version(&f.version)?;
    let all = store::items(&st.db, p).await?;
    let errors = f.apply(&mut post, &choices(&all, "organisation", ""));
    if !errors.is_empty() {
        let page = post_page(&st, &viewer, &key, f, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let saved = save_entry(&st, &viewer, "post", &key, version, &post).await;
    let flash = format!("{} saved", post.title);
    match finish(
        &st,
        &viewer,
        saved,
        &flash,
        "/admin/arrangements/posts",
        "title",
    )
    .await?
    {
        Ok(r) => Ok(r),
        Err((errors, StatusCode::CONFLICT)) => {
            let (now, v) = load::<model::Post>(&st, p, "post", &key).await?;
            let page = post_page(&st, &viewer, &key, PostForm::of(&now, v), errors).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err((errors, status)) => {
            let page = post_page(&st, &viewer, &key, f, errors).await?;
            Ok((status, page).into_response())
        }
    }
}
