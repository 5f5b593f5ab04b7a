-- The fact of each statutory return brought into the scorecard: which files (name, SHA-256
-- digest, size), how many children and rows they held, the reference date, how many figures
-- were recorded from them, who and when. Never a child's row: no identifier, date of birth or
-- postcode is kept; the figures themselves are scorecard_figures (how = 'return').
CREATE TABLE scorecard_imports (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    -- cin (the children in need census) or 903 (the SSDA903 children looked after return)
    kind TEXT NOT NULL,
    reference_date {date} NOT NULL,
    -- JSON: [{"name": ..., "sha256": ..., "bytes": ...}]
    files TEXT NOT NULL,
    children BIGINT NOT NULL,
    -- <Child> elements of a census; episodes of a 903 return
    rows_read BIGINT NOT NULL,
    figures_recorded BIGINT NOT NULL,
    figures_corrected BIGINT NOT NULL,
    imported_at {ts} NOT NULL,
    imported_by TEXT NOT NULL
);
CREATE INDEX scorecard_imports_of ON scorecard_imports (partnership_id, imported_at);
