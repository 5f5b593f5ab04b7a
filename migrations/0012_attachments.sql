-- Files attached to a record as evidence, in one table for every capability (issue 12), so
-- that each new one attaches files the same way. The evidence of actions and of assurance
-- answers is copied in, oldest first, and their two tables go.
CREATE TABLE attachments (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    record_type TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    file_id BIGINT NOT NULL REFERENCES files(id),
    description TEXT NOT NULL DEFAULT '',
    created_at {ts} NOT NULL,
    created_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attachments_by_record ON attachments (partnership_id, record_type, record_id);

INSERT INTO attachments (partnership_id, record_type, record_id, file_id, description, created_at, created_by)
SELECT partnership_id, 'action', action_id, file_id, description, created_at, created_by
FROM action_evidence ORDER BY id;

INSERT INTO attachments (partnership_id, record_type, record_id, file_id, description, created_at, created_by)
SELECT partnership_id, 'assurance-answer', answer_id, file_id, '', created_at, created_by
FROM assurance_evidence ORDER BY id;

DROP TABLE action_evidence;
DROP TABLE assurance_evidence;
