-- Meetings, and the working-day calendar their deadlines are counted in.

-- Bank holiday lists the host loaded (the government's JSON, England and Wales). The calendar is
-- the list shipped with masa, then each loaded list in order, each replacing the years it covers.
CREATE TABLE bank_holiday_lists (
    id {id},
    data TEXT NOT NULL,
    first_year BIGINT NOT NULL,
    last_year BIGINT NOT NULL,
    holidays BIGINT NOT NULL,
    loaded_at {ts} NOT NULL,
    loaded_by TEXT NOT NULL DEFAULT ''
);

-- A partnership's rules for its meetings, in working days (defaults: Portsmouth's rules of
-- operation). A body's own notice period, in its arrangements, overrides the partnership's.
CREATE TABLE meeting_rules (
    partnership_id BIGINT PRIMARY KEY REFERENCES partnerships(id),
    agenda_items_before BIGINT NOT NULL DEFAULT 10,
    reports_before BIGINT NOT NULL DEFAULT 15,
    amendments_before BIGINT NOT NULL DEFAULT 5,
    papers_before BIGINT NOT NULL DEFAULT 5,
    minutes_after BIGINT NOT NULL DEFAULT 10,
    disputes_after BIGINT NOT NULL DEFAULT 10,
    extraordinary_notice BIGINT NOT NULL DEFAULT 10,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);

-- A meeting of a body (the body is an entry of the arrangements, by its key).
CREATE TABLE meetings (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    body_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    meeting_date {date} NOT NULL,
    start_time TEXT NOT NULL DEFAULT '10:00',
    venue TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'scheduled',
    notice_given {date},
    urgent_reason TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX meetings_by_date ON meetings (partnership_id, meeting_date);
CREATE INDEX meetings_by_body ON meetings (partnership_id, body_key, meeting_date);
