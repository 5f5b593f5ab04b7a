-- The platform: partnerships (tenants), people, sessions, sign-in attempts, invitations,
-- password resets, API tokens, the outbox and the audit trail.
-- Tokens: {id} an auto-numbered primary key, {ts} a UTC timestamp, {date} a calendar date.

CREATE TABLE partnerships (
    id {id},
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    contact_email TEXT NOT NULL DEFAULT '',
    worried_contact TEXT NOT NULL DEFAULT '',
    created_at {ts} NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);

CREATE TABLE users (
    id {id},
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    totp_secret TEXT,
    totp_pending_secret TEXT,
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    is_system_admin BOOLEAN NOT NULL DEFAULT FALSE,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at {ts} NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);

CREATE TABLE memberships (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    created_at {ts} NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    CONSTRAINT memberships_one_per_partnership UNIQUE (partnership_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE recovery_codes (
    id {id},
    user_id BIGINT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at {ts}
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT REFERENCES users(id),
    stage TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    partnership_id BIGINT REFERENCES partnerships(id),
    flash TEXT,
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    created_at {ts} NOT NULL,
    last_seen_at {ts} NOT NULL,
    expires_at {ts} NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE sign_in_attempts (
    id {id},
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    at {ts} NOT NULL,
    succeeded BOOLEAN NOT NULL
);
CREATE INDEX sign_in_attempts_email ON sign_in_attempts (email, at);
CREATE INDEX sign_in_attempts_ip ON sign_in_attempts (ip, at);

CREATE TABLE invitations (
    id {id},
    partnership_id BIGINT REFERENCES partnerships(id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    token_hash TEXT NOT NULL UNIQUE,
    invited_by BIGINT REFERENCES users(id),
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    accepted_at {ts}
);

CREATE TABLE password_resets (
    id {id},
    user_id BIGINT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    used_at {ts}
);

CREATE TABLE api_tokens (
    id {id},
    user_id BIGINT NOT NULL REFERENCES users(id),
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at {ts} NOT NULL,
    expires_at {ts},
    last_used_at {ts},
    revoked_at {ts}
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE outbox (
    id {id},
    partnership_id BIGINT REFERENCES partnerships(id),
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    created_at {ts} NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    next_attempt_at {ts},
    sent_at {ts}
);
CREATE INDEX outbox_pending ON outbox (status, next_attempt_at);
CREATE INDEX outbox_partnership ON outbox (partnership_id, created_at);

CREATE TABLE audit_events (
    id {id},
    partnership_id BIGINT REFERENCES partnerships(id),
    at {ts} NOT NULL,
    actor_user_id BIGINT,
    actor_name TEXT NOT NULL,
    ip TEXT NOT NULL,
    request_id TEXT NOT NULL,
    action TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    summary TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_events_record ON audit_events (partnership_id, record_type, record_id);
CREATE INDEX audit_events_actor ON audit_events (partnership_id, actor_user_id, at);
CREATE INDEX audit_events_at ON audit_events (partnership_id, at);
