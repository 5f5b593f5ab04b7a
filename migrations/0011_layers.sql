-- The foundations (issue 12).

-- An action raised from a restricted (part II) item says so itself, so that the tracker, its
-- reports and search need not look into the meetings' tables to know who may see it.
ALTER TABLE actions ADD COLUMN restricted_item_id BIGINT;
UPDATE actions SET restricted_item_id = source_id
WHERE source_kind = 'minute' AND source_id IN (SELECT id FROM agenda_items WHERE restricted = TRUE);
