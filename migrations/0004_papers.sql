-- Papers, evidence and the search index; who may read restricted items; published meetings.

-- Every uploaded file, kept by the storage layer under its key. The database says what exists
-- and to which partnership it belongs; the bytes are on disk or in object storage.
CREATE TABLE files (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    storage_key TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at {ts} NOT NULL,
    created_by TEXT NOT NULL DEFAULT ''
);

-- A paper for an agenda item. Replacing it adds a version; every version is kept.
CREATE TABLE papers (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    meeting_id BIGINT NOT NULL REFERENCES meetings(id),
    agenda_item_id BIGINT NOT NULL REFERENCES agenda_items(id),
    title TEXT NOT NULL,
    current_version BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX papers_by_meeting ON papers (partnership_id, meeting_id, agenda_item_id);
CREATE TABLE paper_versions (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    paper_id BIGINT NOT NULL REFERENCES papers(id),
    number BIGINT NOT NULL,
    file_id BIGINT NOT NULL REFERENCES files(id),
    -- Received after the day papers were due out: flagged, never refused.
    late BOOLEAN NOT NULL DEFAULT FALSE,
    note TEXT NOT NULL DEFAULT '',
    uploaded_on {date} NOT NULL,
    created_at {ts} NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    CONSTRAINT paper_versions_once UNIQUE (paper_id, number)
);

-- Evidence attached to an action.
CREATE TABLE action_evidence (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    action_id BIGINT NOT NULL REFERENCES actions(id),
    file_id BIGINT NOT NULL REFERENCES files(id),
    description TEXT NOT NULL DEFAULT '',
    created_at {ts} NOT NULL,
    created_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX action_evidence_by_action ON action_evidence (action_id);

-- Those the chair names to read a restricted (part II) item, beyond the business unit.
CREATE TABLE restricted_readers (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    agenda_item_id BIGINT NOT NULL REFERENCES agenda_items(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    named_at {ts} NOT NULL,
    named_by TEXT NOT NULL DEFAULT '',
    CONSTRAINT restricted_readers_once UNIQUE (agenda_item_id, user_id)
);
CREATE INDEX restricted_readers_by_user ON restricted_readers (partnership_id, user_id);

-- A body may publish a meeting: its agenda, open papers and approved minutes, for the public.
ALTER TABLE meetings ADD COLUMN published BOOLEAN NOT NULL DEFAULT FALSE;

-- The search index: one entry per thing a person can find (an agenda item, a minute, a
-- decision, a paper, an action), with what decides who may see it. Each engine adds its own
-- full-text index over title and content.
CREATE TABLE search_entries (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    body_key TEXT NOT NULL DEFAULT '',
    agenda_item_id BIGINT,
    restricted BOOLEAN NOT NULL DEFAULT FALSE,
    link TEXT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL DEFAULT '',
    on_date {date},
    CONSTRAINT search_entries_once UNIQUE (kind, record_id)
);
