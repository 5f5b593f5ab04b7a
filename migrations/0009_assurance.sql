-- Assurance plans: a national review turned into questions put to chosen agencies, each
-- answering with a RAG rating, a narrative and evidence.
CREATE TABLE assurance_plans (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    title TEXT NOT NULL,
    -- The national review the plan answers.
    review_title TEXT NOT NULL,
    review_year BIGINT NOT NULL,
    review_link TEXT NOT NULL DEFAULT '',
    -- The body that owns the plan; its members see the whole plan once issued.
    body_key TEXT NOT NULL DEFAULT '',
    answers_due {date} NOT NULL,
    -- Set when the plan goes to the agencies; its questions are frozen from then on.
    issued_on {date},
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX assurance_plans_by_partnership ON assurance_plans (partnership_id, answers_due);

CREATE TABLE assurance_questions (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    plan_id BIGINT NOT NULL REFERENCES assurance_plans(id),
    position BIGINT NOT NULL,
    text TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX assurance_questions_by_plan ON assurance_questions (plan_id, position);

-- An agency the questions go to, and the named person who answers for it. Access is by that
-- person, never by matching the free-text organisation of a membership.
CREATE TABLE assurance_agencies (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    plan_id BIGINT NOT NULL REFERENCES assurance_plans(id),
    organisation_key TEXT NOT NULL,
    organisation_name TEXT NOT NULL,
    responder_user_id BIGINT NOT NULL REFERENCES users(id),
    returned_on {date},
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    CONSTRAINT assurance_agencies_once UNIQUE (plan_id, organisation_key)
);
CREATE INDEX assurance_agencies_by_responder ON assurance_agencies (partnership_id, responder_user_id);

CREATE TABLE assurance_answers (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    agency_id BIGINT NOT NULL REFERENCES assurance_agencies(id),
    question_id BIGINT NOT NULL REFERENCES assurance_questions(id),
    -- green (assured), amber (partly assured) or red (not assured).
    rag TEXT NOT NULL,
    narrative TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    CONSTRAINT assurance_answers_once UNIQUE (agency_id, question_id)
);

CREATE TABLE assurance_evidence (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    answer_id BIGINT NOT NULL REFERENCES assurance_answers(id),
    file_id BIGINT NOT NULL REFERENCES files(id),
    created_at {ts} NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX assurance_evidence_by_answer ON assurance_evidence (answer_id);
