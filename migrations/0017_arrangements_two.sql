-- Arrangements, second pass (issue 13).

-- Someone in attendance (a business manager, a legal adviser, a minute-taker) sits at a meeting
-- without being a member: never voting, not counted for the quorum or in attendance figures.
ALTER TABLE attendance ADD COLUMN in_attendance BOOLEAN NOT NULL DEFAULT FALSE;

-- The arrangements file as its author wrote it, comments and layout included, beside the
-- entries it was imported into: export gives it back, and an edit on a page changes only the
-- entry it edits. A partnership whose entries came another way has no row, and export writes
-- the file afresh from the entries.
CREATE TABLE arrangement_files (
    partnership_id BIGINT PRIMARY KEY REFERENCES partnerships(id),
    source TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
