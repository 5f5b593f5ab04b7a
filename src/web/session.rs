//! Server-side sessions, kept in the database so any instance can serve any request. The cookie
//! holds a random secret; the table holds its SHA-256 only. A session is replaced (new secret,
//! old row deleted) whenever its owner's privileges change, so a cookie captured before sign-in
//! is worthless after it.

use axum::http::HeaderValue;
use chrono::{DateTime, Duration, Utc};

use crate::args;
use crate::store::secret::{new_secret, secret_hash};
use crate::store::{Db, StoreResult};

/// Idle sessions end after this long.
pub const IDLE: Duration = Duration::minutes(60);
/// No session lasts longer than this.
pub const ABSOLUTE: Duration = Duration::hours(12);
/// A session waiting for its two-factor code lasts this long: long enough to open the app.
pub const SECOND_FACTOR_WAIT: Duration = Duration::minutes(10);

/// Seconds until a session just seen ends if nothing more is done: its idle limit, or its
/// absolute one when that comes first. Pages tell the browser, which warns before it.
pub fn ends_in(s: &Session, now: DateTime<Utc>) -> i64 {
    // [`live`] touched the row just now if it had not been for a minute.
    let seen = if now - s.last_seen_at > Duration::minutes(1) {
        now
    } else {
        s.last_seen_at
    };
    let idle = seen + IDLE;
    let absolute = s.created_at + ABSOLUTE;
    (idle.min(absolute) - now).num_seconds().max(0)
}

/// How far through signing in a session is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// No one signed in. No longer made (visitors' forms carry a form cookie instead); a
    /// stage not known reads as this, which grants nothing.
    Anonymous,
    /// The password was right; the two-factor code is still needed.
    SecondFactor,
    /// Signed in, but the account must set up two-factor before doing anything else.
    Enrol,
    SignedIn,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::Anonymous => "anonymous",
            Stage::SecondFactor => "second-factor",
            Stage::Enrol => "enrol",
            Stage::SignedIn => "signed-in",
        }
    }
    fn parse(s: &str) -> Stage {
        match s {
            "second-factor" => Stage::SecondFactor,
            "enrol" => Stage::Enrol,
            "signed-in" => Stage::SignedIn,
            _ => Stage::Anonymous,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Session {
    pub token_hash: String,
    pub user_id: Option<i64>,
    pub stage: Stage,
    pub csrf_token: String,
    pub partnership_id: Option<i64>,
    pub flash: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

pub fn cookie_name(secure: bool) -> &'static str {
    // The __Host- prefix makes the browser refuse the cookie unless it is Secure, host-only and
    // for the whole site.
    if secure {
        "__Host-masa_session"
    } else {
        "masa_session"
    }
}

/// The Set-Cookie header for a session secret.
pub fn set_cookie(secret: &str, secure: bool) -> HeaderValue {
    let s = format!(
        "{}={secret}; Path=/; HttpOnly; SameSite=Lax{}",
        cookie_name(secure),
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("masa_session=; Path=/"))
}

pub fn clear_cookie(secure: bool) -> HeaderValue {
    let s = format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        cookie_name(secure),
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&s)
        .unwrap_or_else(|_| HeaderValue::from_static("masa_session=; Path=/; Max-Age=0"))
}

/// The cookie that carries the form token of someone without a session (signing in, resetting
/// a password, accepting an invitation): their forms send it back, so no session row is made
/// for a visitor until there is something to keep.
pub fn form_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-masa_form"
    } else {
        "masa_form"
    }
}

/// A new form token and the Set-Cookie header that gives it to the browser.
/// Forms shown to people not signed in still need a CSRF token: without a session, it comes
/// in a cookie of its own (no row is kept for a visitor until they sign in). The cookie to set,
/// if one was made, goes on the response with [`with_cookie`].
pub fn ensure_form_token(
    secure: bool,
    mut viewer: crate::web::viewer::Viewer,
) -> (crate::web::viewer::Viewer, Option<HeaderValue>) {
    if viewer.session.is_some() || viewer.form_token.is_some() {
        return (viewer, None);
    }
    let (token, cookie) = new_form_token(secure);
    viewer.form_token = Some(token);
    (viewer, Some(cookie))
}

/// A response with the form cookie [`ensure_form_token`] made, if it made one.
pub fn with_cookie(
    mut res: axum::response::Response,
    cookie: Option<HeaderValue>,
) -> axum::response::Response {
    if let Some(c) = cookie {
        res.headers_mut().append(axum::http::header::SET_COOKIE, c);
    }
    res
}

pub fn new_form_token(secure: bool) -> (String, HeaderValue) {
    let token = new_secret();
    let s = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax{}",
        form_cookie_name(secure),
        if secure { "; Secure" } else { "" }
    );
    let header = HeaderValue::from_str(&s)
        .unwrap_or_else(|_| HeaderValue::from_static("masa_form=; Path=/; Max-Age=0"));
    (token, header)
}

/// The session secret from a Cookie header.
pub fn secret_from_cookies(cookie_header: &str, secure: bool) -> Option<String> {
    cookie_value(cookie_header, cookie_name(secure))
}

/// The form token from a Cookie header.
pub fn form_token_from_cookies(cookie_header: &str, secure: bool) -> Option<String> {
    cookie_value(cookie_header, form_cookie_name(secure)).filter(|v| v.len() >= 32)
}

fn cookie_value(cookie_header: &str, name: &str) -> Option<String> {
    cookie_header
        .split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty() && v.len() < 100)
}

/// The session a row of the `sessions` table describes (selected with the column names below,
/// and any more the caller joins), if it is still live: one past its absolute or idle limit, or
/// waiting too long for its two-factor code, is deleted. Touches `last_seen_at` at most once a
/// minute so reading pages does not write every time.
pub async fn live(
    db: &Db,
    token_hash: String,
    row: &crate::store::Row,
) -> StoreResult<Option<Session>> {
    let now = Utc::now();
    let expires_at: DateTime<Utc> = row.get("expires_at")?;
    let last_seen_at: DateTime<Utc> = row.get("last_seen_at")?;
    let created_at: DateTime<Utc> = row.get("s_created_at")?;
    let stage = Stage::parse(&row.get::<String>("stage")?);
    let waited_too_long = stage == Stage::SecondFactor && now - created_at > SECOND_FACTOR_WAIT;
    if now >= expires_at || now - last_seen_at > IDLE || waited_too_long {
        db.execute(
            "DELETE FROM sessions WHERE token_hash = $1",
            args![token_hash.as_str()],
        )
        .await?;
        return Ok(None);
    }
    if now - last_seen_at > Duration::minutes(1) {
        db.execute(
            "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2",
            args![now, token_hash.as_str()],
        )
        .await?;
    }
    Ok(Some(Session {
        token_hash,
        user_id: row.get("s_user_id")?,
        stage,
        csrf_token: row.get("csrf_token")?,
        partnership_id: row.get("s_partnership_id")?,
        flash: row.get("flash")?,
        created_at,
        last_seen_at,
    }))
}

/// Start a session and return its cookie secret. `replacing` is deleted in the same breath.
pub async fn start(
    db: &Db,
    replacing: Option<&Session>,
    stage: Stage,
    user_id: Option<i64>,
    partnership_id: Option<i64>,
    ip: &str,
    user_agent: &str,
) -> StoreResult<(String, Session)> {
    if let Some(old) = replacing {
        end(db, old).await?;
    }
    let secret = new_secret();
    let now = Utc::now();
    let s = Session {
        token_hash: secret_hash(&secret),
        user_id,
        stage,
        csrf_token: new_secret(),
        partnership_id,
        flash: None,
        created_at: now,
        last_seen_at: now,
    };
    let ua: String = user_agent.chars().take(200).collect();
    db.execute(
        "INSERT INTO sessions (token_hash, user_id, stage, csrf_token, partnership_id, ip, user_agent, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        args![s.token_hash.as_str(), user_id, stage.as_str(), s.csrf_token.as_str(), partnership_id, ip, ua, now, now, now + ABSOLUTE],
    )
    .await?;
    Ok((secret, s))
}

pub async fn end(db: &Db, s: &Session) -> StoreResult<()> {
    db.execute(
        "DELETE FROM sessions WHERE token_hash = $1",
        args![s.token_hash.as_str()],
    )
    .await?;
    Ok(())
}

/// End every session of a person (password changed or reset, account disabled).
pub async fn end_all_for_user(db: &Db, user_id: i64) -> StoreResult<()> {
    db.execute("DELETE FROM sessions WHERE user_id = $1", args![user_id])
        .await?;
    Ok(())
}

pub async fn set_partnership(db: &Db, s: &Session, partnership_id: i64) -> StoreResult<()> {
    db.execute(
        "UPDATE sessions SET partnership_id = $1 WHERE token_hash = $2",
        args![partnership_id, s.token_hash.as_str()],
    )
    .await?;
    Ok(())
}

/// A one-line message for the next page ("Invitation sent").
pub async fn set_flash(db: &Db, s: &Session, message: &str) -> StoreResult<()> {
    db.execute(
        "UPDATE sessions SET flash = $1 WHERE token_hash = $2",
        args![message, s.token_hash.as_str()],
    )
    .await?;
    Ok(())
}

/// The flash message has been shown: clear it, unless a newer one replaced it meanwhile.
pub async fn flash_shown(db: &Db, s: &Session) -> StoreResult<()> {
    if let Some(f) = &s.flash {
        db.execute(
            "UPDATE sessions SET flash = NULL WHERE token_hash = $1 AND flash = $2",
            args![s.token_hash.as_str(), f.as_str()],
        )
        .await?;
    }
    Ok(())
}

/// Remove expired sessions (run now and then by the housekeeping task).
pub async fn purge_expired(db: &Db) -> StoreResult<u64> {
    let now = Utc::now();
    db.execute(
        "DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2",
        args![now, now - IDLE],
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_ends_at_its_idle_limit_or_its_absolute_one() {
        let now = Utc::now();
        let session = |created: Duration, seen: Duration| Session {
            token_hash: String::new(),
            user_id: Some(1),
            stage: Stage::SignedIn,
            csrf_token: String::new(),
            partnership_id: None,
            flash: None,
            created_at: now - created,
            last_seen_at: now - seen,
        };
        // Seen 30 seconds ago (not touched again): 59 and a half minutes left.
        assert_eq!(
            ends_in(&session(Duration::hours(1), Duration::seconds(30)), now),
            3570
        );
        // Seen 10 minutes ago: touched by this request, so the full hour.
        assert_eq!(
            ends_in(&session(Duration::hours(1), Duration::minutes(10)), now),
            3600
        );
        // Eleven and three-quarter hours old: the absolute limit comes first.
        let old = session(Duration::minutes(11 * 60 + 45), Duration::seconds(0));
        assert_eq!(ends_in(&old, now), 15 * 60);
    }

    #[test]
    fn cookie_round_trip() {
        let h = set_cookie("abc", false);
        let v = h.to_str().expect("ascii");
        assert!(v.contains("HttpOnly") && v.contains("SameSite=Lax") && !v.contains("Secure"));
        assert!(
            set_cookie("abc", true)
                .to_str()
                .expect("ascii")
                .contains("; Secure")
        );
        assert_eq!(
            secret_from_cookies("a=b; masa_session=abc; c=d", false).as_deref(),
            Some("abc")
        );
        assert_eq!(secret_from_cookies("masa_session=abc", true), None);
        assert_eq!(
            secret_from_cookies("__Host-masa_session=xyz", true).as_deref(),
            Some("xyz")
        );
    }
}
