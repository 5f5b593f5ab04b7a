//! Queries for people, their memberships of partnerships, invitations, password resets, sign-in
//! attempts and API tokens.

use chrono::{DateTime, Duration, Utc};

use super::model::{Email, Role, secret_hash};
use crate::args;
use crate::store::sealed::{Purpose, Sealer};
use crate::store::{Db, PartnershipId, Record, RecordRef, Row, StoreResult, Tx, Versioned};
use crate::web::error::{AppError, AppResult};
pub use crate::web::identity::{Membership, User};

crate::record! {
    /// What signing in checks. The authenticator keys are kept sealed ([`Sealer`]): open them
    /// with [`Credentials::authenticator`] and [`Credentials::pending_authenticator`].
    pub struct Credentials {
        pub password_hash: Option<String> => "u.password_hash",
        pub totp_secret: Option<String> => "u.totp_secret",
        pub totp_pending_secret: Option<String> => "u.totp_pending_secret",
        pub totp_last_step: i64 => "u.totp_last_step",
    }
}

impl Credentials {
    /// The key of the authenticator in use, if there is one and it opens.
    pub fn authenticator(&self, sealer: &Sealer) -> Option<String> {
        let s = self.totp_secret.as_deref()?;
        sealer.open(Purpose::Authenticator, s)
    }

    /// The key being set up, if there is one and it opens.
    pub fn pending_authenticator(&self, sealer: &Sealer) -> Option<String> {
        let s = self.totp_pending_secret.as_deref()?;
        sealer.open(Purpose::Authenticator, s)
    }
}

const USER_COLS: &str = <User as Record>::COLUMNS;
const CREDENTIAL_COLS: &str = <Credentials as Record>::COLUMNS;

fn user_from(r: &Row) -> StoreResult<User> {
    User::from_row(r)
}

fn credentials_from(r: &Row) -> StoreResult<Credentials> {
    Credentials::from_row(r)
}

pub async fn user_by_email(db: &Db, email: &str) -> StoreResult<Option<(User, Credentials)>> {
    let sql = crate::store::Sql::join(&[
        "SELECT ",
        USER_COLS,
        ", ",
        CREDENTIAL_COLS,
        " FROM users u WHERE u.email = $1",
    ]);
    match db.fetch_optional(sql, args![email]).await? {
        Some(r) => Ok(Some((user_from(&r)?, credentials_from(&r)?))),
        None => Ok(None),
    }
}

pub async fn user_by_id(db: &Db, id: i64) -> StoreResult<Option<(User, Credentials)>> {
    let sql = crate::store::Sql::join(&[
        "SELECT ",
        USER_COLS,
        ", ",
        CREDENTIAL_COLS,
        " FROM users u WHERE u.id = $1",
    ]);
    match db.fetch_optional(sql, args![id]).await? {
        Some(r) => Ok(Some((user_from(&r)?, credentials_from(&r)?))),
        None => Ok(None),
    }
}

fn membership_from(r: &Row) -> StoreResult<Membership> {
    Membership::from_row(r)
}

const MEMBERSHIP_COLS: &str = <Membership as Record>::COLUMNS;

pub async fn memberships_of(db: &Db, user_id: i64) -> StoreResult<Vec<Membership>> {
    let sql = crate::store::Sql::join(&[
        "SELECT ",
        MEMBERSHIP_COLS,
        " FROM memberships m JOIN partnerships p ON p.id = m.partnership_id WHERE m.user_id = $1 ORDER BY p.name",
    ]);
    db.fetch_all(sql, args![user_id])
        .await?
        .iter()
        .map(membership_from)
        .collect()
}

/// A session's row(s) joined to its person and their memberships, one row per membership (see
/// [`crate::web::session::load_with_account`]). The person is joined only for sessions that are
/// signed in or setting up two-factor; memberships only when signed in.
pub async fn session_rows(db: &Db, token_hash: &str) -> StoreResult<Vec<Row>> {
    let sql = crate::store::Sql::join(&[
        "SELECT s.token_hash, s.user_id AS s_user_id, s.stage, s.csrf_token, s.partnership_id AS s_partnership_id, s.flash, s.created_at AS s_created_at, s.last_seen_at, s.expires_at, ",
        USER_COLS,
        ", ",
        MEMBERSHIP_COLS,
        " \
         FROM sessions s \
         LEFT JOIN users u ON u.id = s.user_id AND s.stage IN ('signed-in', 'enrol') \
         LEFT JOIN memberships m ON m.user_id = u.id AND s.stage = 'signed-in' \
         LEFT JOIN partnerships p ON p.id = m.partnership_id \
         WHERE s.token_hash = $1 ORDER BY p.name",
    ]);
    db.fetch_all(sql, args![token_hash]).await
}

/// The person and memberships in [`session_rows`].
pub fn account_from_session_rows(rows: &[Row]) -> StoreResult<(Option<User>, Vec<Membership>)> {
    let Some(first) = rows.first() else {
        return Ok((None, Vec::new()));
    };
    if first.get::<Option<i64>>("id")?.is_none() {
        return Ok((None, Vec::new()));
    }
    let user = user_from(first)?;
    let mut memberships = Vec::new();
    for r in rows {
        if r.get::<Option<i64>>("m_id")?.is_some() {
            memberships.push(membership_from(r)?);
        }
    }
    Ok((Some(user), memberships))
}

/// Everyone in a partnership.
pub async fn members_of(db: &Db, p: PartnershipId) -> StoreResult<Vec<(Membership, User)>> {
    let sql = crate::store::Sql::join(&[
        "SELECT ",
        MEMBERSHIP_COLS,
        ", ",
        USER_COLS,
        " FROM memberships m JOIN partnerships p ON p.id = m.partnership_id JOIN users u ON u.id = m.user_id WHERE m.partnership_id = $1 ORDER BY u.name",
    ]);
    db.fetch_all(sql, args![p])
        .await?
        .iter()
        .map(|r| Ok((membership_from(r)?, user_from(r)?)))
        .collect()
}

/// One membership, only within the partnership asked about: an id from another partnership is
/// simply not found.
pub async fn member(
    db: &Db,
    p: PartnershipId,
    membership_id: i64,
) -> StoreResult<Option<(Membership, User)>> {
    let sql = crate::store::Sql::join(&[
        "SELECT ",
        MEMBERSHIP_COLS,
        ", ",
        USER_COLS,
        " FROM memberships m JOIN partnerships p ON p.id = m.partnership_id JOIN users u ON u.id = m.user_id WHERE m.partnership_id = $1 AND m.id = $2",
    ]);
    match db.fetch_optional(sql, args![p, membership_id]).await? {
        Some(r) => Ok(Some((membership_from(&r)?, user_from(&r)?))),
        None => Ok(None),
    }
}

pub async fn create_user(
    tx: &mut Tx<'_>,
    email: &Email,
    name: &str,
    password_hash: Option<&str>,
    is_system_admin: bool,
) -> AppResult<i64> {
    let now = tx.now();
    let by = tx.actor().name.clone();
    let after = serde_json::json!({"email": email.as_str(), "name": name, "is_system_admin": is_system_admin});
    let id = tx
        .insert(
            "INSERT INTO users (email, name, password_hash, is_system_admin, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            args![email.as_str(), name, password_hash, is_system_admin, now, now, by],
            None,
            "user",
            &format!("Account created for {}", email.as_str()),
            &after,
        )
        .await
        .map_err(|e| {
            if e.unique_violation() {
                AppError::Unprocessable("An account with that email address already exists".into())
            } else {
                e.into()
            }
        })?;
    Ok(id)
}

pub async fn add_membership(
    tx: &mut Tx<'_>,
    p: PartnershipId,
    user_id: i64,
    role: Role,
    organisation: &str,
) -> AppResult<i64> {
    let now = tx.now();
    let by = tx.actor().name.clone();
    let after = serde_json::json!({"user_id": user_id, "role": role.as_str(), "organisation": organisation});
    tx.insert(
        "INSERT INTO memberships (partnership_id, user_id, role, organisation, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        args![p, user_id, role.as_str(), organisation, now, now, by],
        Some(p),
        "membership",
        &format!("Joined as {}", role.label()),
        &after,
    )
    .await
    .map_err(|e| {
        if e.unique_violation() {
            AppError::Unprocessable("That person is already in this partnership".into())
        } else {
            e.into()
        }
    })
}

pub use crate::web::forms::stale_message;

/// What a person is told when the record they edited moved on: who changed it and when, or
/// `gone` when it no longer exists. `table` is a fixed table name with `updated_by`/`updated_at`.
pub async fn stale_record(
    db: &Db,
    table: &'static str,
    p: PartnershipId,
    id: i64,
    gone: &str,
) -> StoreResult<String> {
    let r = db
        .fetch_optional(
            crate::store::Sql::join(&[
                "SELECT updated_by, updated_at FROM ",
                table,
                " WHERE partnership_id = $1 AND id = $2",
            ]),
            args![p, id],
        )
        .await?;
    Ok(match r {
        Some(r) => stale_message(&r.get::<String>("updated_by")?, r.get("updated_at")?),
        None => gone.to_owned(),
    })
}

/// Change a person's role, organisation and name in a partnership, refusing a stale copy.
pub async fn update_member(
    db: &Db,
    tx: &mut Tx<'_>,
    p: PartnershipId,
    membership_id: i64,
    expected_version: i64,
    role: Role,
    organisation: &str,
) -> AppResult<()> {
    let Some((before, _)) = member(db, p, membership_id).await? else {
        return Err(AppError::NotFound);
    };
    if before.version != expected_version {
        return Err(AppError::Conflict(stale_message(
            &before.updated_by,
            before.updated_at,
        )));
    }
    let mut after = before.clone();
    after.role = role;
    after.organisation = organisation.to_owned();
    after.version += 1;
    after.updated_at = tx.now();
    after.updated_by = tx.actor().name.clone();
    let changed = tx
        .update_versioned(
            &Versioned::new(
                "memberships",
                "membership",
                p,
                membership_id,
                expected_version,
            ),
            "role = $1, organisation = $2",
            args![role, organisation],
            &format!("Role or organisation changed for membership {membership_id}"),
            &before,
            &after,
        )
        .await?;
    if let Err(stale) = changed {
        // Someone saved between our read and our write.
        return Err(AppError::Conflict(stale.to_string()));
    }
    // Tokens made without two-factor do not carry a role that needs it.
    if role.needs_two_factor() && !before.role.needs_two_factor() {
        super::tokens::revoke_all(
            tx,
            before.user_id,
            true,
            &format!("the role became {}, which needs two-factor", role.label()),
        )
        .await?;
    }
    Ok(())
}

pub async fn remove_member(
    db: &Db,
    tx: &mut Tx<'_>,
    p: PartnershipId,
    membership_id: i64,
) -> AppResult<()> {
    let Some((before, user)) = member(db, p, membership_id).await? else {
        return Err(AppError::NotFound);
    };
    tx.delete(
        "DELETE FROM memberships WHERE id = $1 AND partnership_id = $2",
        args![membership_id, p],
        &RecordRef::new(Some(p), "membership", membership_id),
        &format!("{} removed from the partnership", user.name),
        &before,
    )
    .await?;
    Ok(())
}

/// A new password. A password changes when someone else may know the old one, so every
/// outstanding reset link ends with it and every API token is revoked (the caller ends the
/// sessions). Returns how many tokens were revoked.
pub async fn set_password(tx: &mut Tx<'_>, user: &User, hash: &str) -> AppResult<usize> {
    let now = tx.now();
    let by = tx.actor().name.clone();
    tx.execute_plumbing(
        "UPDATE users SET password_hash = $1, updated_at = $2, updated_by = $3, version = version + 1 WHERE id = $4",
        args![hash, now, by, user.id],
    )
    .await?;
    tx.execute_plumbing(
        "UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
        args![now, user.id],
    )
    .await?;
    tx.event(
        crate::store::Action::PasswordChanged,
        &RecordRef::new(None, "user", user.id),
        &format!("Password set for {}", user.email),
    )
    .await?;
    super::tokens::revoke_all(tx, user.id, false, "the password was changed").await
}

/// Record an event about a person's account (a sign-in, say) in each partnership they belong
/// to, so every business unit sees its own people's sign-ins; unattached for someone in none.
pub async fn record_account_event(
    db: &Db,
    actor: &crate::store::Actor,
    action: crate::store::Action,
    user_id: i64,
    summary: &str,
) -> StoreResult<()> {
    let ms = memberships_of(db, user_id).await?;
    let partnerships: Vec<Option<PartnershipId>> = if ms.is_empty() {
        vec![None]
    } else {
        ms.iter()
            .map(|m| Some(PartnershipId(m.partnership_id)))
            .collect()
    };
    for p in partnerships {
        crate::store::record_event(
            db,
            actor,
            action,
            &RecordRef::new(p, "user", user_id),
            summary,
        )
        .await?;
    }
    Ok(())
}

// ---- sign-in attempts: counted in the database so limits hold across instances ----

/// Failures allowed for one email address, of either factor, before it is locked for
/// [`LOCKOUT`].
pub const MAX_FAILURES: i64 = 5;
pub const LOCKOUT: Duration = Duration::minutes(15);
/// Attempts allowed from one address in [`LOCKOUT`], whatever the account.
pub const MAX_PER_ADDRESS: i64 = 30;

/// What an attempt tried. Each is counted on its own: a right password does not forgive wrong
/// two-factor codes, so knowing the password does not buy unlimited guesses at the code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Factor {
    Password,
    SecondFactor,
}

impl Factor {
    fn as_str(self) -> &'static str {
        match self {
            Factor::Password => "password",
            Factor::SecondFactor => "second-factor",
        }
    }
}

pub async fn record_attempt(
    db: &Db,
    email: &str,
    ip: &str,
    factor: Factor,
    succeeded: bool,
) -> StoreResult<()> {
    db.execute(
        "INSERT INTO sign_in_attempts (email, ip, at, succeeded, kind) VALUES ($1, $2, $3, $4, $5)",
        args![email, ip, Utc::now(), succeeded, factor.as_str()],
    )
    .await?;
    Ok(())
}

/// Failed attempts of one factor for an email since that factor's last success within the
/// window.
pub async fn recent_failures(db: &Db, email: &str, factor: Factor) -> StoreResult<i64> {
    let since = Utc::now() - LOCKOUT;
    let last_ok: Option<DateTime<Utc>> = db
        .fetch_optional(
            "SELECT at FROM sign_in_attempts WHERE email = $1 AND kind = $2 AND succeeded = $3 AND at >= $4 ORDER BY at DESC LIMIT 1",
            args![email, factor.as_str(), true, since],
        )
        .await?
        .map(|r| r.get("at"))
        .transpose()?;
    let from = last_ok.map_or(since, |t| t.max(since));
    db.fetch_one(
        "SELECT COUNT(*) AS n FROM sign_in_attempts WHERE email = $1 AND kind = $2 AND succeeded = $3 AND at >= $4",
        args![email, factor.as_str(), false, from],
    )
    .await?
    .get("n")
}

/// Whether an account is locked: too many wrong passwords, or too many wrong codes.
pub async fn locked(db: &Db, email: &str) -> StoreResult<bool> {
    for f in [Factor::Password, Factor::SecondFactor] {
        if recent_failures(db, email, f).await? >= MAX_FAILURES {
            return Ok(true);
        }
    }
    Ok(false)
}

pub async fn recent_attempts_from(db: &Db, ip: &str) -> StoreResult<i64> {
    db.fetch_one(
        "SELECT COUNT(*) AS n FROM sign_in_attempts WHERE ip = $1 AND succeeded = $2 AND at >= $3",
        args![ip, false, Utc::now() - LOCKOUT],
    )
    .await?
    .get("n")
}

// ---- invitations and password resets ----

#[derive(Clone, Debug)]
pub struct Invitation {
    pub id: i64,
    pub partnership_id: Option<i64>,
    pub partnership_name: String,
    pub email: String,
    pub name: String,
    pub role: Option<Role>,
    pub organisation: String,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// Invitations last a week.
pub const INVITATION_LIFE: Duration = Duration::days(7);

#[allow(clippy::too_many_arguments)]
pub async fn create_invitation(
    tx: &mut Tx<'_>,
    p: Option<PartnershipId>,
    email: &Email,
    name: &str,
    role: Option<Role>,
    organisation: &str,
    token: &str,
) -> AppResult<i64> {
    let now = tx.now();
    let invited_by = tx.actor().user_id;
    let role_s = role.map_or("system-admin", Role::as_str);
    let after = serde_json::json!({"email": email.as_str(), "name": name, "role": role_s, "organisation": organisation, "expires_at": now + INVITATION_LIFE});
    Ok(tx
        .insert(
            "INSERT INTO invitations (partnership_id, email, name, role, organisation, token_hash, invited_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            args![p, email.as_str(), name, role_s, organisation, secret_hash(token), invited_by, now, now + INVITATION_LIFE],
            p,
            "invitation",
            &format!("{} invited", email.as_str()),
            &after,
        )
        .await?)
}

pub async fn invitation_by_token(db: &Db, token: &str) -> StoreResult<Option<Invitation>> {
    let Some(r) = db
        .fetch_optional(
            "SELECT i.id, i.partnership_id, COALESCE(p.name, 'masa') AS p_name, i.email, i.name, i.role, i.organisation, i.expires_at, i.accepted_at FROM invitations i LEFT JOIN partnerships p ON p.id = i.partnership_id WHERE i.token_hash = $1",
            args![secret_hash(token)],
        )
        .await?
    else {
        return Ok(None);
    };
    let role: String = r.get("role")?;
    Ok(Some(Invitation {
        id: r.get("id")?,
        partnership_id: r.get("partnership_id")?,
        partnership_name: r.get("p_name")?,
        email: r.get("email")?,
        name: r.get("name")?,
        role: Role::parse(&role),
        organisation: r.get("organisation")?,
        expires_at: r.get("expires_at")?,
        accepted_at: r.get("accepted_at")?,
    }))
}

/// Mark an invitation used; false when someone else used it first.
pub async fn consume_invitation(tx: &mut Tx<'_>, id: i64) -> AppResult<bool> {
    let now = tx.now();
    Ok(tx
        .execute_plumbing(
            "UPDATE invitations SET accepted_at = $1 WHERE id = $2 AND accepted_at IS NULL",
            args![now, id],
        )
        .await?
        == 1)
}

/// Make an existing account the host's administrator (an invitation to be one, accepted).
pub async fn make_system_admin(tx: &mut Tx<'_>, user_id: i64) -> AppResult<()> {
    let now = tx.now();
    let by = tx.actor().name.clone();
    tx.update(
        "UPDATE users SET is_system_admin = $1, updated_at = $2, updated_by = $3, version = version + 1 WHERE id = $4",
        args![true, now, by, user_id],
        &RecordRef::new(None, "user", user_id),
        "Made a system administrator",
        &serde_json::json!({"is_system_admin": false}),
        &serde_json::json!({"is_system_admin": true}),
    )
    .await?;
    Ok(())
}

/// Reset links last an hour.
pub const RESET_LIFE: Duration = Duration::hours(1);

pub async fn create_reset(db: &Db, user_id: i64, token: &str) -> StoreResult<()> {
    let now = Utc::now();
    db.execute(
        "INSERT INTO password_resets (user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        args![user_id, secret_hash(token), now, now + RESET_LIFE],
    )
    .await?;
    Ok(())
}

/// Reset emails sent to a person in the last hour (at most three are sent, so the form cannot
/// be used to flood someone's inbox).
pub async fn recent_resets(db: &Db, user_id: i64) -> StoreResult<i64> {
    db.fetch_one(
        "SELECT COUNT(*) AS n FROM password_resets WHERE user_id = $1 AND created_at > $2",
        args![user_id, Utc::now() - RESET_LIFE],
    )
    .await?
    .get("n")
}

/// The user a live reset token belongs to.
pub async fn reset_user(db: &Db, token: &str) -> StoreResult<Option<(i64, i64)>> {
    let r = db
        .fetch_optional(
            "SELECT id, user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
            args![secret_hash(token), Utc::now()],
        )
        .await?;
    r.map(|r| Ok((r.get("id")?, r.get("user_id")?))).transpose()
}

pub async fn consume_reset(tx: &mut Tx<'_>, id: i64) -> AppResult<bool> {
    let now = tx.now();
    Ok(tx
        .execute_plumbing(
            "UPDATE password_resets SET used_at = $1 WHERE id = $2 AND used_at IS NULL",
            args![now, id],
        )
        .await?
        == 1)
}

// ---- two-factor ----

pub async fn set_pending_totp(
    db: &Db,
    sealer: &Sealer,
    user_id: i64,
    secret: &str,
) -> StoreResult<()> {
    db.execute(
        "UPDATE users SET totp_pending_secret = $1 WHERE id = $2",
        args![sealer.seal(Purpose::Authenticator, secret), user_id],
    )
    .await?;
    Ok(())
}

/// Turn on two-factor with the pending secret and store fresh recovery codes (hashed).
pub async fn enable_totp(
    tx: &mut Tx<'_>,
    sealer: &Sealer,
    user_id: i64,
    email: &str,
    secret: &str,
    step: u64,
    codes: &[String],
) -> AppResult<()> {
    tx.execute_plumbing(
        "UPDATE users SET totp_secret = $1, totp_pending_secret = NULL, totp_last_step = $2 WHERE id = $3",
        args![sealer.seal(Purpose::Authenticator, secret), step as i64, user_id],
    )
    .await?;
    tx.execute_plumbing(
        "DELETE FROM recovery_codes WHERE user_id = $1",
        args![user_id],
    )
    .await?;
    for c in codes {
        tx.execute_plumbing(
            "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)",
            args![user_id, secret_hash(c)],
        )
        .await?;
    }
    tx.event(
        crate::store::Action::TwoFactorEnabled,
        &RecordRef::new(None, "user", user_id),
        &format!("Two-factor authentication set up for {}", email),
    )
    .await?;
    Ok(())
}

/// Seal the authenticator keys stored before keys were sealed; returns how many accounts had
/// one. Run at start-up; a key already sealed is left alone.
pub async fn seal_stored_keys(db: &Db, sealer: &Sealer) -> StoreResult<usize> {
    let rows = db
        .fetch_all(
            "SELECT id, totp_secret, totp_pending_secret FROM users WHERE totp_secret IS NOT NULL OR totp_pending_secret IS NOT NULL",
            args![],
        )
        .await?;
    let mut n = 0;
    for r in rows {
        let id: i64 = r.get("id")?;
        let seal = |v: Option<String>| {
            v.map(|v| {
                if Sealer::is_sealed(&v) {
                    v
                } else {
                    sealer.seal(Purpose::Authenticator, &v)
                }
            })
        };
        let (a, b): (Option<String>, Option<String>) =
            (r.get("totp_secret")?, r.get("totp_pending_secret")?);
        if a.as_deref().is_none_or(Sealer::is_sealed) && b.as_deref().is_none_or(Sealer::is_sealed)
        {
            continue;
        }
        // Only while still unsealed, so two instances starting at once do not seal twice.
        n += db
            .execute(
                "UPDATE users SET totp_secret = $1, totp_pending_secret = $2 WHERE id = $3 AND totp_secret IS NOT DISTINCT FROM $4 AND totp_pending_secret IS NOT DISTINCT FROM $5",
                args![seal(a.clone()), seal(b.clone()), id, a, b],
            )
            .await? as usize;
    }
    Ok(n)
}

/// Remember the step of an accepted code, refusing it if a newer one was used meanwhile.
pub async fn accept_totp_step(db: &Db, user_id: i64, step: u64) -> StoreResult<bool> {
    Ok(db
        .execute(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1",
            args![step as i64, user_id],
        )
        .await?
        == 1)
}

/// Use a recovery code; true when it was valid and unused.
pub async fn use_recovery_code(db: &Db, user_id: i64, code: &str) -> StoreResult<bool> {
    Ok(db
        .execute(
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
            args![Utc::now(), user_id, secret_hash(code)],
        )
        .await?
        >= 1)
}

pub async fn unused_recovery_codes(db: &Db, user_id: i64) -> StoreResult<i64> {
    db.fetch_one(
        "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        args![user_id],
    )
    .await?
    .get("n")
}
