-- The thresholds document (levels of need), in editions: drafted by the business unit, signed
-- off by the three lead safeguarding partners, published from a date. The document itself is
-- kept as its file (masa-thresholds/1, the canonical text masa exports), so an edition reads
-- back exactly as it was signed off.
CREATE TABLE threshold_editions (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    -- 1, 2, 3 ... within the partnership: "edition 3".
    number BIGINT NOT NULL,
    title TEXT NOT NULL,
    document TEXT NOT NULL,
    -- Where the text came from ("imported from plymouth.toml", "copied from edition 2").
    origin TEXT NOT NULL DEFAULT '',
    -- The day the business unit asked the lead partners to sign off by (their home-page task).
    sign_by {date},
    -- Set when published: the day it takes effect. Fixed from then on.
    takes_effect {date},
    published_at {ts},
    published_by TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    UNIQUE (partnership_id, number)
);

-- A lead safeguarding partner's sign-off of an edition as it stands; a change to the draft
-- clears them.
CREATE TABLE threshold_signoffs (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    edition_id BIGINT NOT NULL REFERENCES threshold_editions(id),
    partner_role TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    signed_by TEXT NOT NULL,
    signed_at {ts} NOT NULL,
    UNIQUE (edition_id, partner_role)
);

-- One use of the public tool: which indicators were ticked, the level suggested, the day, and
-- the sector only if the person chose to say. Nothing else: no time of day, no address, no
-- cookie, nothing typed. Never joined to anything that knows a person.
CREATE TABLE threshold_uses (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    edition_id BIGINT NOT NULL REFERENCES threshold_editions(id),
    used_on {date} NOT NULL,
    level_key TEXT NOT NULL,
    sector TEXT NOT NULL DEFAULT '',
    indicator_count BIGINT NOT NULL
);
CREATE INDEX threshold_uses_by_day ON threshold_uses (partnership_id, used_on);

-- Each ticked indicator of a use, for "the indicators most chosen".
CREATE TABLE threshold_use_indicators (
    use_id BIGINT NOT NULL REFERENCES threshold_uses(id),
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    used_on {date} NOT NULL,
    indicator_key TEXT NOT NULL
);
CREATE INDEX threshold_use_indicators_by_day ON threshold_use_indicators (partnership_id, used_on);
