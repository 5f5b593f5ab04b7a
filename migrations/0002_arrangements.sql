-- A partnership's arrangements: every entry of its arrangements file (organisations, posts,
-- bodies, memberships ...) as one row, effective-dated, with the entry itself as TOML text.
-- Re-importing a file updates rows in place (version + audit trail), so history is kept.

CREATE TABLE arrangement_items (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    kind TEXT NOT NULL,
    item_key TEXT NOT NULL,
    position BIGINT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    parent_key TEXT NOT NULL DEFAULT '',
    valid_from {date},
    valid_to {date},
    data TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    CONSTRAINT arrangement_items_one_key UNIQUE (partnership_id, kind, item_key)
);
CREATE INDEX arrangement_items_kind ON arrangement_items (partnership_id, kind, position);
