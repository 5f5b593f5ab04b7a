-- PostgreSQL: a weighted tsvector (titles count more) kept by the database, with a GIN index.
ALTER TABLE search_entries ADD COLUMN document tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', content), 'B')
) STORED;
CREATE INDEX search_entries_document ON search_entries USING GIN (document);
CREATE INDEX search_entries_by_partnership ON search_entries (partnership_id, kind);
