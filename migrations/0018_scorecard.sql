-- The performance scorecard. The document (masa-scorecard/1: the indicator catalogue and the
-- scorecards laid out from it) is kept as its file, each import a new number; the highest is
-- in use.
CREATE TABLE scorecard_documents (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    number BIGINT NOT NULL,
    document TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT '',
    created_at {ts} NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    UNIQUE (partnership_id, number)
);

-- Each indicator's editions (its entry in the document, as JSON): a new edition when what its
-- figures mean changes (definition, unit, numerator, denominator, period, area); other changes
-- (its name, target, benchmarks) are made to the edition in use. Figures keep their edition.
CREATE TABLE scorecard_indicators (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    code TEXT NOT NULL,
    edition BIGINT NOT NULL,
    definition TEXT NOT NULL,
    from_document BIGINT NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    UNIQUE (partnership_id, code, edition)
);

-- A scorecard's reporting period: its figures are asked for by a day, then it is published.
CREATE TABLE scorecard_periods (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    scorecard_key TEXT NOT NULL,
    ends_on {date} NOT NULL,
    label TEXT NOT NULL,
    due_on {date} NOT NULL,
    -- When the source organisations were last chased for what is missing.
    chased_on {date},
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    UNIQUE (partnership_id, scorecard_key, ends_on)
);

-- One figure of an indicator for the period ending on a day. A correction is a new revision
-- with who, when and why; no revision is changed or removed. A count is kept in `numerator`,
-- a share as numerator and denominator, anything else as `value_milli` (thousandths).
CREATE TABLE scorecard_figures (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    indicator_id BIGINT NOT NULL REFERENCES scorecard_indicators(id),
    code TEXT NOT NULL,
    ends_on {date} NOT NULL,
    revision BIGINT NOT NULL,
    numerator BIGINT,
    denominator BIGINT,
    value_milli BIGINT,
    organisation_key TEXT NOT NULL,
    -- form, upload, api, history (brought in by the business unit), return (a statutory return)
    how TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    recorded_at {ts} NOT NULL,
    recorded_by TEXT NOT NULL,
    UNIQUE (partnership_id, code, ends_on, revision)
);
CREATE INDEX scorecard_figures_on ON scorecard_figures (partnership_id, ends_on, code);

-- A section's commentary for a period, by the business unit or the section's owner.
CREATE TABLE scorecard_commentaries (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    period_id BIGINT NOT NULL REFERENCES scorecard_periods(id),
    section_key TEXT NOT NULL,
    text TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    UNIQUE (period_id, section_key)
);

-- A period as published: the scorecard as it was worked out then (JSON), fixed. A period
-- published again after a correction is a new number; every earlier one stays readable.
CREATE TABLE scorecard_publications (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    period_id BIGINT NOT NULL REFERENCES scorecard_periods(id),
    number BIGINT NOT NULL,
    card TEXT NOT NULL,
    published_at {ts} NOT NULL,
    published_by TEXT NOT NULL,
    UNIQUE (period_id, number)
);

-- Who sends an organisation's figures.
CREATE TABLE scorecard_submitters (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    organisation_key TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at {ts} NOT NULL,
    UNIQUE (partnership_id, organisation_key, user_id)
);
