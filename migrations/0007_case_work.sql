-- The work of a case after it is recorded: the rapid review (its meeting, the information each
-- agency returns, the merged chronology, the regulation 11 questions, the report), the local
-- review (terms of reference, reviewer, methodology, milestones) and its publication.
ALTER TABLE review_cases ADD COLUMN rapid_meeting_id BIGINT;
ALTER TABLE review_cases ADD COLUMN rapid_done_on {date};
ALTER TABLE review_cases ADD COLUMN rapid_report_file_id BIGINT;
ALTER TABLE review_cases ADD COLUMN terms_of_reference TEXT NOT NULL DEFAULT '';
ALTER TABLE review_cases ADD COLUMN reviewer TEXT NOT NULL DEFAULT '';
ALTER TABLE review_cases ADD COLUMN methodology TEXT NOT NULL DEFAULT '';
ALTER TABLE review_cases ADD COLUMN publish_planned_on {date};
-- The final report sent to the Panel and the Secretary of State.
ALTER TABLE review_cases ADD COLUMN final_sent_on {date};
-- Publication: the report on the public page, or the recorded reasons for not publishing.
ALTER TABLE review_cases ADD COLUMN published_on {date};
ALTER TABLE review_cases ADD COLUMN report_file_id BIGINT;
ALTER TABLE review_cases ADD COLUMN public_title TEXT NOT NULL DEFAULT '';
ALTER TABLE review_cases ADD COLUMN public_summary TEXT NOT NULL DEFAULT '';
ALTER TABLE review_cases ADD COLUMN not_published_on {date};
ALTER TABLE review_cases ADD COLUMN not_published_reasons TEXT NOT NULL DEFAULT '';

-- The answers to the regulation 11 questions the rapid review considers.
CREATE TABLE review_answers (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    case_id BIGINT NOT NULL REFERENCES review_cases(id),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    CONSTRAINT review_answers_once UNIQUE (case_id, question)
);

-- An information request to one agency, answered by the person named: they see this request
-- only, never the case record.
CREATE TABLE review_requests (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    case_id BIGINT NOT NULL REFERENCES review_cases(id),
    organisation TEXT NOT NULL,
    responder_id BIGINT NOT NULL REFERENCES users(id),
    asked TEXT NOT NULL DEFAULT '',
    asked_on {date} NOT NULL,
    due_on {date} NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    returned_on {date},
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX review_requests_by_case ON review_requests (partnership_id, case_id);
CREATE INDEX review_requests_by_responder ON review_requests (responder_id, returned_on);

-- The chronology: each agency's entries (through its request) merged by date.
CREATE TABLE review_chronology (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    case_id BIGINT NOT NULL REFERENCES review_cases(id),
    request_id BIGINT REFERENCES review_requests(id),
    organisation TEXT NOT NULL,
    happened_on {date} NOT NULL,
    event TEXT NOT NULL,
    created_at {ts} NOT NULL,
    created_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX review_chronology_by_case ON review_chronology (partnership_id, case_id, happened_on);

-- A local review's milestones: planned and done.
CREATE TABLE review_milestones (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    case_id BIGINT NOT NULL REFERENCES review_cases(id),
    step TEXT NOT NULL,
    planned_on {date},
    done_on {date},
    CONSTRAINT review_milestones_once UNIQUE (case_id, step)
);

-- Reminders sent to the people who owe a case's next step, each once.
CREATE TABLE review_reminders (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    case_id BIGINT NOT NULL REFERENCES review_cases(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    what TEXT NOT NULL,
    sent_at {ts} NOT NULL,
    CONSTRAINT review_reminders_once UNIQUE (case_id, user_id, what)
);
