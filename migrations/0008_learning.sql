-- The learning loop: a review's findings and recommendations, the actions they became (in the
-- shared tracker, source_kind 'recommendation'), the learning outputs made from them, and
-- whether evidence shows practice changed.
CREATE TABLE review_recommendations (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    case_id BIGINT NOT NULL REFERENCES review_cases(id),
    number BIGINT NOT NULL,
    finding TEXT NOT NULL DEFAULT '',
    recommendation TEXT NOT NULL,
    -- '' (not yet assessed), 'not-yet' or 'shown'.
    practice_changed TEXT NOT NULL DEFAULT '',
    practice_evidence TEXT NOT NULL DEFAULT '',
    assessed_on {date},
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    CONSTRAINT review_recommendations_number UNIQUE (case_id, number)
);
CREATE INDEX review_recommendations_by_case ON review_recommendations (partnership_id, case_id);

CREATE TABLE learning_outputs (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    recommendation_id BIGINT NOT NULL REFERENCES review_recommendations(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    produced_on {date} NOT NULL,
    created_at {ts} NOT NULL,
    created_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX learning_outputs_by_recommendation ON learning_outputs (partnership_id, recommendation_id);

-- The learning loop reads every recommendation's actions at once.
CREATE INDEX actions_by_source ON actions (partnership_id, source_kind, source_id);
