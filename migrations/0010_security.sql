-- The security review's findings (issue 11).

-- An email's one-time link (an invitation, a password reset) is kept apart from the message,
-- for delivery only, and forgotten once sent or when the link expires. The stored body holds a
-- placeholder where the link goes.
ALTER TABLE outbox ADD COLUMN secret_link TEXT;
ALTER TABLE outbox ADD COLUMN secret_expires_at {ts};
-- Messages kept before this held their links in the text: their bodies are replaced.
UPDATE outbox SET
    body_text = 'This message held a one-time link, which masa no longer keeps. Ask for a new invitation or password reset if it is still needed.',
    body_html = '<p>This message held a one-time link, which masa no longer keeps. Ask for a new invitation or password reset if it is still needed.</p>'
WHERE body_text LIKE '%/invitations/%' OR body_text LIKE '%/password-reset/%';

-- Whether a token was made in a session that passed two-factor: a role that needs two-factor
-- takes only such tokens. Tokens of people who use two-factor now are counted as such.
ALTER TABLE api_tokens ADD COLUMN two_factor BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE api_tokens SET two_factor = TRUE WHERE user_id IN (SELECT id FROM users WHERE totp_secret IS NOT NULL);

-- Password and two-factor failures are counted apart, so a right password does not forgive
-- wrong codes.
ALTER TABLE sign_in_attempts ADD COLUMN kind TEXT NOT NULL DEFAULT 'password';

-- An action raised from a restricted record (a serious case, an assurance plan) is seen only
-- by those who may read that record: without a body, by those who see every body.
ALTER TABLE actions ADD COLUMN sensitive BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE actions SET sensitive = TRUE WHERE source_kind IN ('recommendation', 'assurance');
ALTER TABLE search_entries ADD COLUMN sensitive BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE search_entries SET sensitive = TRUE WHERE kind = 'action' AND record_id IN (SELECT id FROM actions WHERE sensitive = TRUE);

-- Visitors no longer get a session until they sign in (their forms carry a token in a cookie
-- of its own): the rows made for them before are dropped.
DELETE FROM sessions WHERE stage = 'anonymous';
