//! Personal API tokens: for connecting another system to masa as oneself, in one partnership.
//! Shown once, stored as a SHA-256, revocable.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::model::{new_secret, secret_hash};
use crate::args;
use crate::state::AppState;
use crate::store::{Db, PartnershipId, RecordRef, StoreResult, Tx};
use crate::web::error::{AppError, AppResult};
use crate::web::forms::{Errors, FormData};
use crate::web::page::Page;
use crate::web::viewer::Viewer;
use crate::web::{redirect, session};

#[derive(Clone, Debug, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub partnership_name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn tokens_of(db: &Db, user_id: i64) -> StoreResult<Vec<ApiToken>> {
    db.fetch_all(
        "SELECT t.id, t.name, t.prefix, p.name AS p_name, t.created_at, t.expires_at, t.last_used_at, t.revoked_at FROM api_tokens t JOIN partnerships p ON p.id = t.partnership_id WHERE t.user_id = $1 ORDER BY t.id DESC",
        args![user_id],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(ApiToken {
            id: r.get("id")?,
            name: r.get("name")?,
            prefix: r.get("prefix")?,
            partnership_name: r.get("p_name")?,
            created_at: r.get("created_at")?,
            expires_at: r.get("expires_at")?,
            last_used_at: r.get("last_used_at")?,
            revoked_at: r.get("revoked_at")?,
        })
    })
    .collect()
}

/// The owner of a live token: who, in which partnership, and whether it was made in a session
/// that passed two-factor.
pub struct Owner {
    pub user_id: i64,
    pub partnership_id: i64,
    pub two_factor: bool,
}

/// The owner of a live token, noting its use (at most once a minute).
pub async fn token_owner(db: &Db, token: &str) -> StoreResult<Option<Owner>> {
    let now = Utc::now();
    let Some(r) = db
        .fetch_optional(
            "SELECT id, user_id, partnership_id, last_used_at, two_factor FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
            args![secret_hash(token), now],
        )
        .await?
    else {
        return Ok(None);
    };
    let last: Option<DateTime<Utc>> = r.get("last_used_at")?;
    let id: i64 = r.get("id")?;
    if last.is_none_or(|t| now - t > Duration::minutes(1)) {
        db.execute(
            "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
            args![now, id],
        )
        .await?;
    }
    Ok(Some(Owner {
        user_id: r.get("user_id")?,
        partnership_id: r.get("partnership_id")?,
        two_factor: r.get("two_factor")?,
    }))
}

/// Revoke a person's live tokens, each in its own audit entry saying `why`: every token, or
/// only those made without two-factor. Returns how many were revoked.
pub async fn revoke_all(
    tx: &mut Tx<'_>,
    user_id: i64,
    only_single_factor: bool,
    why: &str,
) -> AppResult<usize> {
    let live = tx
        .fetch_all(
            "SELECT id, partnership_id, name, two_factor FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL",
            args![user_id],
        )
        .await?;
    let now = tx.now();
    let mut n = 0;
    for r in live {
        let (id, p): (i64, PartnershipId) = (r.get("id")?, PartnershipId(r.get("partnership_id")?));
        if only_single_factor && r.get::<bool>("two_factor")? {
            continue;
        }
        let name: String = r.get("name")?;
        tx.update(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            args![now, id],
            &RecordRef::new(Some(p), "api-token", id),
            &format!("API token \"{name}\" revoked: {why}"),
            &serde_json::json!({"revoked_at": null}),
            &serde_json::json!({"revoked_at": now}),
        )
        .await?;
        n += 1;
    }
    Ok(n)
}

/// Make a token; returns its id and the secret (shown once).
pub async fn create(
    tx: &mut Tx<'_>,
    user_id: i64,
    p: PartnershipId,
    name: &str,
    days: Option<i64>,
    two_factor: bool,
) -> AppResult<(i64, String)> {
    let secret = format!("masa_{}", new_secret());
    let prefix: String = secret.chars().take(12).collect();
    let now = tx.now();
    let expires = days.map(|d| now + Duration::days(d));
    let after = serde_json::json!({"name": name, "prefix": prefix, "user_id": user_id, "expires_at": expires, "two_factor": two_factor});
    let id = tx
        .insert(
            "INSERT INTO api_tokens (user_id, partnership_id, name, token_hash, prefix, created_at, expires_at, two_factor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            args![user_id, p, name, secret_hash(&secret), prefix.as_str(), now, expires, two_factor],
            Some(p),
            "api-token",
            &format!("API token \"{name}\" created"),
            &after,
        )
        .await?;
    Ok((id, secret))
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/tokens.html")]
struct TokensPage {
    page: Page,
    tokens: Vec<ApiToken>,
    new_token: Option<String>,
    token_name: String,
    expiry: String,
    errors: Errors,
}

pub async fn tokens_page(State(st): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let user = viewer.user.clone().ok_or(AppError::Forbidden)?;
    let tokens = tokens_of(&st.db, user.id).await?;
    Ok(TokensPage {
        page: Page::new(&viewer, "API tokens", "/account"),
        tokens,
        new_token: None,
        token_name: String::new(),
        expiry: "90".into(),
        errors: Errors::default(),
    }
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    name: String,
    expiry: String,
}

pub async fn create_token(
    State(st): State<AppState>,
    viewer: Viewer,
    FormData(f): FormData<TokenForm>,
) -> AppResult<Response> {
    let user = viewer.user.clone().ok_or(AppError::Forbidden)?;
    let mut errors = Errors::default();
    let name = f.name.trim().to_owned();
    if name.is_empty() {
        errors.add("name", "Enter a name that says what the token is for");
    } else if name.chars().count() > 80 {
        errors.add("name", "Name must be 80 characters or fewer");
    }
    let days = match f.expiry.as_str() {
        "30" => Some(30),
        "90" => Some(90),
        "365" => Some(365),
        _ => {
            errors.add("expiry", "Select when the token expires");
            None
        }
    };
    let Ok(p) = viewer.tenant() else {
        return Err(AppError::Unprocessable(
            "You need to be in a partnership to make an API token".into(),
        ));
    };
    if !errors.is_empty() {
        let tokens = tokens_of(&st.db, user.id).await?;
        let page = TokensPage {
            page: Page::new(&viewer, "API tokens", "/account"),
            tokens,
            new_token: None,
            token_name: f.name,
            expiry: f.expiry,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    // A signed-in session of someone with two-factor has passed it.
    let (_, secret) = create(&mut tx, user.id, p, &name, days, user.two_factor).await?;
    tx.commit().await?;
    let tokens = tokens_of(&st.db, user.id).await?;
    Ok(TokensPage {
        page: Page::new(&viewer, "API tokens", "/account"),
        tokens,
        new_token: Some(secret),
        token_name: String::new(),
        expiry: "90".into(),
        errors: Errors::default(),
    }
    .into_response())
}

pub async fn revoke_token(
    State(st): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let user = viewer.user.clone().ok_or(AppError::Forbidden)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let row = st
        .db
        .fetch_optional("SELECT partnership_id, name FROM api_tokens WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL", args![id, user.id])
        .await?
        .ok_or(AppError::NotFound)?;
    let p = PartnershipId(row.get("partnership_id")?);
    let name: String = row.get("name")?;
    let actor = viewer.actor();
    let mut tx = Tx::begin(&st.db, &actor).await?;
    let now = tx.now();
    tx.update(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3",
        args![now, id, user.id],
        &RecordRef::new(Some(p), "api-token", id),
        &format!("API token \"{name}\" revoked"),
        &serde_json::json!({"revoked_at": null}),
        &serde_json::json!({"revoked_at": now}),
    )
    .await?;
    tx.commit().await?;
    if let Some(s) = &viewer.session {
        session::set_flash(&st.db, s, &format!("Token \"{name}\" revoked")).await?;
    }
    Ok(redirect("/account/tokens"))
}
