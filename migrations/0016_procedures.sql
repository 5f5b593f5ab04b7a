-- Policies and procedures: the partnership's library of documents, each owned by a body,
-- reviewed by a date and kept in versions, each version with its amendment note. The public
-- read the current ones and may subscribe to be told when they change.
CREATE TABLE procedures (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    -- The body of the arrangements that owns the document.
    body_key TEXT NOT NULL,
    -- The person reminded of its review; none: the business unit.
    owner_user_id BIGINT REFERENCES users(id),
    review_on {date} NOT NULL,
    -- When it was last marked reviewed (a new version is not a review).
    reviewed_on {date},
    -- current or withdrawn; a withdrawn document leaves the public library.
    status TEXT NOT NULL DEFAULT 'current',
    withdrawn_at {ts},
    withdrawn_reason TEXT NOT NULL DEFAULT '',
    current_version BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX procedures_by_partnership ON procedures (partnership_id, review_on);

-- Every version of a document, the file itself and what changed in it. Never changed.
CREATE TABLE procedure_versions (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    procedure_id BIGINT NOT NULL REFERENCES procedures(id),
    number BIGINT NOT NULL,
    file_id BIGINT NOT NULL REFERENCES files(id),
    note TEXT NOT NULL,
    published_on {date} NOT NULL,
    created_at {ts} NOT NULL,
    created_by TEXT NOT NULL,
    CONSTRAINT procedure_versions_once UNIQUE (procedure_id, number)
);

-- Review reminders queued, so each goes once however many instances run the hourly job.
CREATE TABLE procedure_reminders (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    procedure_id BIGINT NOT NULL REFERENCES procedures(id),
    review_on {date} NOT NULL,
    -- due-soon or overdue
    what TEXT NOT NULL,
    sent_at {ts} NOT NULL,
    CONSTRAINT procedure_reminders_once UNIQUE (procedure_id, review_on, what)
);

-- Someone who asked to be told of changes: only the address, what it follows (one document,
-- or none for every document) and when it was confirmed. An unconfirmed one expires; only the
-- SHA-256 of its confirm link is kept.
CREATE TABLE procedure_subscriptions (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    email TEXT NOT NULL,
    procedure_id BIGINT REFERENCES procedures(id),
    confirm_hash TEXT UNIQUE,
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    confirmed_at {ts}
);
CREATE UNIQUE INDEX procedure_subscriptions_once ON procedure_subscriptions (partnership_id, email, COALESCE(procedure_id, 0));

-- Each change a subscriber was told of, once, with the SHA-256 of the unsubscribe link that
-- message carried. Goes with its subscription.
CREATE TABLE procedure_notices (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    subscription_id BIGINT NOT NULL REFERENCES procedure_subscriptions(id) ON DELETE CASCADE,
    procedure_id BIGINT NOT NULL REFERENCES procedures(id),
    -- "version 2", or "withdrawn"
    what TEXT NOT NULL,
    unsubscribe_hash TEXT NOT NULL UNIQUE,
    sent_at {ts} NOT NULL,
    CONSTRAINT procedure_notices_once UNIQUE (subscription_id, procedure_id, what)
);

-- Requests to subscribe, counted for the rate limit by network address and by the SHA-256 of
-- the address asked for; kept a day.
CREATE TABLE procedure_subscribe_attempts (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    ip TEXT NOT NULL,
    email_hash TEXT NOT NULL,
    at {ts} NOT NULL
);
CREATE INDEX procedure_subscribe_attempts_by_ip ON procedure_subscribe_attempts (ip, at);
CREATE INDEX procedure_subscribe_attempts_by_email ON procedure_subscribe_attempts (email_hash, at);
