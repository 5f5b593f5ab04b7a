-- Case records of learning from serious cases: restricted, known by a pseudonym, never a
-- child's real name. A case keeps the rules edition in force when the authority became aware.
CREATE TABLE review_cases (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    kind TEXT NOT NULL,
    pseudonym TEXT NOT NULL,
    la_reference TEXT NOT NULL DEFAULT '',
    age_band TEXT NOT NULL DEFAULT '',
    incident_on {date},
    aware_on {date} NOT NULL,
    harm TEXT NOT NULL DEFAULT '',
    abuse TEXT NOT NULL DEFAULT '',
    categories TEXT NOT NULL DEFAULT '',
    agencies TEXT NOT NULL DEFAULT '',
    edition_key TEXT NOT NULL,
    -- The body that reviews it (the case review group); its members may read the case.
    body_key TEXT NOT NULL DEFAULT '',
    notified_on {date},
    panel_reference TEXT NOT NULL DEFAULT '',
    partners_told_on {date},
    -- The rapid review's decision: local-review, no-review or national-review, with reasons and
    -- the independent scrutineer's advice. Final only when all three partners' delegates sign.
    decision TEXT NOT NULL DEFAULT '',
    decision_reasons TEXT NOT NULL DEFAULT '',
    scrutineer_advice TEXT NOT NULL DEFAULT '',
    decided_on {date},
    -- The rapid review and the decision sent to the Panel.
    sent_to_panel_on {date},
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX review_cases_by_partnership ON review_cases (partnership_id, aware_on);

-- Each statutory partner's delegate signing off the decision as it stands.
CREATE TABLE review_signoffs (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    case_id BIGINT NOT NULL REFERENCES review_cases(id),
    partner_role TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    signed_by TEXT NOT NULL,
    signed_at {ts} NOT NULL,
    CONSTRAINT review_signoffs_once UNIQUE (case_id, partner_role)
);
