//! Outgoing email. Every message is first written to the outbox, which the business unit can
//! read, so nothing is lost when the mail server is down; a delivery task then sends what is
//! pending over SMTP, retrying with back-off. Rows are claimed one at a time in the database, so
//! many instances can share one outbox.
//!
//! A one-time link (an invitation, a password reset) never stands in a stored or shown copy of
//! a message: the text holds [`SECRET_LINK`] where the link goes, the link is kept apart for
//! delivery only, put in at the moment of sending, and forgotten once sent, once delivery gives
//! up, or when the link expires undelivered. Without a mail server it is not kept at all.

use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::Notify;

use crate::args;
use crate::store::sealed::{Purpose, Sealer};
use crate::store::{Db, PartnershipId, StoreResult};

pub mod pages;

/// What the stored copy of a message says where its one-time link goes: this is what the
/// outbox shows, and delivery puts the link in its place.
pub const SECRET_LINK: &str = "[one-time link: sent to the recipient only]";

/// A message ready to store.
pub struct Mail {
    pub to: String,
    pub subject: String,
    /// The text and HTML, with [`SECRET_LINK`] where a one-time link goes.
    pub text: String,
    pub html: String,
    /// The one-time link and when it stops working.
    pub secret: Option<(String, DateTime<Utc>)>,
    /// An iCalendar invitation sent with it (`invitation.ics`), for a place booked or moved.
    pub calendar: Option<String>,
}

impl Mail {
    /// Give the message its one-time link, which delivery puts where the templates wrote
    /// [`SECRET_LINK`].
    pub fn with_secret_link(mut self, link: String, expires_at: DateTime<Utc>) -> Mail {
        self.secret = Some((link, expires_at));
        self
    }

    /// Send an iCalendar invitation (or a cancellation) with the message.
    pub fn with_calendar(mut self, ics: String) -> Mail {
        self.calendar = Some(ics);
        self
    }

    /// Build a message from a template pair (`mail/NAME.txt` and `mail/NAME.html`).
    pub fn from_templates(
        to: &str,
        subject: &str,
        text: &impl Template,
        html: &impl Template,
    ) -> Result<Mail, askama::Error> {
        Ok(Mail {
            to: to.to_owned(),
            subject: subject.to_owned(),
            text: text.render()?,
            html: html.render()?,
            secret: None,
            calendar: None,
        })
    }
}

pub const STATUS_PENDING: &str = "pending";
pub const STATUS_SENDING: &str = "sending";
pub const STATUS_SENT: &str = "sent";
pub const STATUS_FAILED: &str = "failed";
/// No SMTP server is configured: the message lives in the outbox only.
pub const STATUS_OUTBOX_ONLY: &str = "outbox-only";
/// Its one-time link expired before it could be delivered: it is not sent.
pub const STATUS_EXPIRED: &str = "expired";

const MAX_ATTEMPTS: i64 = 6;

#[derive(Clone)]
pub struct Mailer {
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    wake: Arc<Notify>,
    /// One-time links wait for delivery sealed.
    sealer: Sealer,
}

impl Mailer {
    pub fn new(smtp_url: Option<&str>, from: &str, sealer: Sealer) -> Result<Mailer, String> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("MASA_MAIL_FROM {from:?} is not an email address: {e}"))?;
        let smtp = match smtp_url {
            Some(u) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(u)
                    .map_err(|e| format!("MASA_SMTP_URL: {e}"))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            ),
            None => None,
        };
        Ok(Mailer {
            smtp,
            from,
            wake: Arc::new(Notify::new()),
            sealer,
        })
    }

    pub fn configured(&self) -> bool {
        self.smtp.is_some()
    }

    /// Store a message in the outbox and nudge the delivery task.
    pub async fn queue(
        &self,
        db: &Db,
        partnership: Option<PartnershipId>,
        mail: Mail,
    ) -> StoreResult<i64> {
        let now = Utc::now();
        let status = if self.configured() {
            STATUS_PENDING
        } else {
            STATUS_OUTBOX_ONLY
        };
        // Without a mail server nothing could ever deliver the link, so it is not kept.
        let (link, expires) = match mail.secret.filter(|_| self.configured()) {
            Some((l, e)) => (Some(self.sealer.seal(Purpose::OutboxLink, &l)), Some(e)),
            None => (None, None),
        };
        let id = db
            .fetch_one(
                "INSERT INTO outbox (partnership_id, to_address, subject, body_text, body_html, created_at, status, next_attempt_at, secret_link, secret_expires_at, calendar) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                args![partnership, mail.to, mail.subject, mail.text, mail.html, now, status, now, link, expires, mail.calendar],
            )
            .await?
            .get("id")?;
        self.wake.notify_one();
        Ok(id)
    }

    /// Send whatever is due. Returns how many were sent.
    pub async fn deliver_due(&self, db: &Db) -> StoreResult<usize> {
        let Some(smtp) = &self.smtp else { return Ok(0) };
        let now = Utc::now();
        let due = db
            .fetch_all(
                "SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1 ORDER BY id LIMIT 50",
                args![now],
            )
            .await?;
        let mut sent = 0;
        for row in due {
            let id: i64 = row.get("id")?;
            // Claim the row for five minutes; another instance that got here first wins.
            let claimed = db
                .execute(
                    "UPDATE outbox SET status = 'sending', next_attempt_at = $1 WHERE id = $2 AND status IN ('pending', 'sending') AND next_attempt_at <= $3",
                    args![now + chrono::Duration::minutes(5), id, now],
                )
                .await?;
            if claimed != 1 {
                continue;
            }
            let r = db
                .fetch_one(
                    "SELECT to_address, subject, body_text, body_html, attempts, secret_link, secret_expires_at, calendar FROM outbox WHERE id = $1",
                    args![id],
                )
                .await?;
            let attempts: i64 = r.get("attempts")?;
            let (mut text, mut html): (String, String) = (r.get("body_text")?, r.get("body_html")?);
            if let Some(sealed) = r.get::<Option<String>>("secret_link")? {
                let expires: Option<DateTime<Utc>> = r.get("secret_expires_at")?;
                let link = self.sealer.open(Purpose::OutboxLink, &sealed);
                let Some(link) = link.filter(|_| expires.is_some_and(|e| e > Utc::now())) else {
                    db.execute(
                        "UPDATE outbox SET status = $1, secret_link = NULL, last_error = $2 WHERE id = $3",
                        args![STATUS_EXPIRED, "The one-time link expired before the message could be delivered", id],
                    )
                    .await?;
                    continue;
                };
                text = text.replace(SECRET_LINK, &link);
                html = html.replace(SECRET_LINK, &link);
            }
            let result = self
                .build(
                    &r.get::<String>("to_address")?,
                    &r.get::<String>("subject")?,
                    text,
                    html,
                    r.get::<Option<String>>("calendar")?,
                )
                .map(|m| async move { smtp.send(m).await.map_err(|e| e.to_string()) });
            let outcome = match result {
                Ok(fut) => fut.await.map(|_| ()),
                Err(e) => Err(e),
            };
            match outcome {
                Ok(()) => {
                    db.execute(
                        "UPDATE outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, last_error = '', secret_link = NULL WHERE id = $2",
                        args![Utc::now(), id],
                    )
                    .await?;
                    sent += 1;
                }
                Err(e) => {
                    let attempts = attempts + 1;
                    let (status, next) = if attempts >= MAX_ATTEMPTS {
                        (STATUS_FAILED, None)
                    } else {
                        (STATUS_PENDING, Some(Utc::now() + backoff(attempts)))
                    };
                    tracing::warn!(outbox_id = id, attempts, error = %e, "mail delivery failed");
                    // A message delivery has given up on keeps no link.
                    db.execute(
                        "UPDATE outbox SET status = $1, attempts = $2, last_error = $3, next_attempt_at = $4, secret_link = CASE WHEN $5 THEN NULL ELSE secret_link END WHERE id = $6",
                        args![status, attempts, e, next, status == STATUS_FAILED, id],
                    )
                    .await?;
                }
            }
        }
        Ok(sent)
    }

    fn build(
        &self,
        to: &str,
        subject: &str,
        text: String,
        html: String,
        calendar: Option<String>,
    ) -> Result<Message, String> {
        let to: Mailbox = to.parse().map_err(|e| format!("bad recipient: {e}"))?;
        let body = MultiPart::alternative_plain_html(text, html);
        let body = match calendar {
            Some(ics) => {
                let kind = ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
                    .map_err(|e| e.to_string())?;
                MultiPart::mixed()
                    .multipart(body)
                    .singlepart(Attachment::new("invitation.ics".to_owned()).body(ics, kind))
            }
            None => body,
        };
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .multipart(body)
            .map_err(|e| e.to_string())
    }

    /// Run delivery in the background: at once when a message is queued, and every 30 seconds
    /// for retries and messages queued by other instances.
    pub fn spawn_worker(&self, db: Db) {
        if !self.configured() {
            return;
        }
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = me.deliver_due(&db).await {
                    tracing::warn!(error = %e, "outbox delivery pass failed");
                }
                let _ = tokio::time::timeout(Duration::from_secs(30), me.wake.notified()).await;
            }
        });
    }
}

/// Forget the one-time links of messages not delivered before their links expired (run by the
/// housekeeping task; delivery checks too). Returns how many were forgotten.
pub async fn expire_links(db: &Db) -> StoreResult<u64> {
    db.execute(
        "UPDATE outbox SET secret_link = NULL, status = CASE WHEN status IN ('pending', 'sending') THEN $1 ELSE status END, last_error = CASE WHEN status IN ('pending', 'sending') THEN $2 ELSE last_error END WHERE secret_link IS NOT NULL AND (secret_expires_at IS NULL OR secret_expires_at <= $3)",
        args![STATUS_EXPIRED, "The one-time link expired before the message could be delivered", Utc::now()],
    )
    .await
}

/// Wait before retry `n`: 1, 4, 9, 16 ... minutes.
fn backoff(attempts: i64) -> chrono::Duration {
    chrono::Duration::minutes(attempts * attempts)
}

/// One message as the outbox page shows it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub created_at: DateTime<Utc>,
    pub status: String,
    pub attempts: i64,
    pub last_error: String,
    pub sent_at: Option<DateTime<Utc>>,
}

fn entry(r: &crate::store::Row) -> StoreResult<OutboxEntry> {
    Ok(OutboxEntry {
        id: r.get("id")?,
        to_address: r.get("to_address")?,
        subject: r.get("subject")?,
        body_text: r.get("body_text")?,
        created_at: r.get("created_at")?,
        status: r.get("status")?,
        attempts: r.get("attempts")?,
        last_error: r.get("last_error")?,
        sent_at: r.get("sent_at")?,
    })
}

/// A partnership's outbox, newest first.
pub async fn outbox(
    db: &Db,
    p: PartnershipId,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<OutboxEntry>> {
    db.fetch_all(
        "SELECT id, to_address, subject, body_text, created_at, status, attempts, last_error, sent_at FROM outbox WHERE partnership_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
        args![p, limit, offset],
    )
    .await?
    .iter()
    .map(entry)
    .collect()
}

pub async fn outbox_entry(db: &Db, p: PartnershipId, id: i64) -> StoreResult<Option<OutboxEntry>> {
    db.fetch_optional(
        "SELECT id, to_address, subject, body_text, created_at, status, attempts, last_error, sent_at FROM outbox WHERE partnership_id = $1 AND id = $2",
        args![p, id],
    )
    .await?
    .map(|r| entry(&r))
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows() {
        assert!(backoff(1) < backoff(2) && backoff(2) < backoff(5));
    }

    #[test]
    fn bad_settings_are_explained() {
        let key = || Sealer::from_key(&[1; 32]);
        assert!(Mailer::new(None, "not an address", key()).is_err());
        assert!(Mailer::new(Some("ftp://x"), "masa <masa@localhost>", key()).is_err());
        assert!(
            !Mailer::new(None, "masa <masa@localhost>", key())
                .expect("mailer")
                .configured()
        );
    }
}
