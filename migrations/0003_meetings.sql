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
    -- Portsmouth: a majority decision stands only if all three statutory partners are in it.
    majority_needs_all_partners BOOLEAN NOT NULL DEFAULT TRUE,
    -- An action is amber this many working days before it is due.
    amber_working_days BIGINT NOT NULL DEFAULT 10,
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

-- The agenda: items in order, each with its minute once minuted. Minute numbers run on across
-- a body's meetings, as councils number them.
CREATE TABLE agenda_items (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    meeting_id BIGINT NOT NULL REFERENCES meetings(id),
    -- The meeting's body, so each minute number is taken once in the body's run.
    body_key TEXT NOT NULL,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    presenter TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT 'discussion',
    restricted BOOLEAN NOT NULL DEFAULT FALSE,
    minute_number BIGINT,
    minute_text TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX agenda_items_by_meeting ON agenda_items (meeting_id, position);
CREATE UNIQUE INDEX agenda_items_minute_once ON agenda_items (partnership_id, body_key, minute_number) WHERE minute_number IS NOT NULL;

-- Who was expected (the body's memberships on the day) and who came.
CREATE TABLE attendance (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    meeting_id BIGINT NOT NULL REFERENCES meetings(id),
    membership_key TEXT NOT NULL,
    name TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    partner_role TEXT NOT NULL DEFAULT '',
    voting BOOLEAN NOT NULL DEFAULT TRUE,
    status TEXT NOT NULL DEFAULT 'expected',
    deputy_name TEXT NOT NULL DEFAULT '',
    confidentiality_signed BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    CONSTRAINT attendance_once UNIQUE (meeting_id, membership_key)
);

CREATE TABLE declarations (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    meeting_id BIGINT NOT NULL REFERENCES meetings(id),
    agenda_item_id BIGINT NOT NULL REFERENCES agenda_items(id),
    name TEXT NOT NULL,
    interest TEXT NOT NULL,
    created_at {ts} NOT NULL,
    created_by TEXT NOT NULL DEFAULT ''
);

-- A decision on an agenda item, how it was reached and what became of it.
CREATE TABLE decisions (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    meeting_id BIGINT NOT NULL REFERENCES meetings(id),
    agenda_item_id BIGINT NOT NULL REFERENCES agenda_items(id),
    text TEXT NOT NULL,
    method TEXT NOT NULL,
    outcome TEXT NOT NULL,
    votes_for BIGINT NOT NULL DEFAULT 0,
    votes_against BIGINT NOT NULL DEFAULT 0,
    abstentions BIGINT NOT NULL DEFAULT 0,
    dissent TEXT NOT NULL DEFAULT '',
    created_at {ts} NOT NULL,
    created_by TEXT NOT NULL DEFAULT ''
);
CREATE TABLE votes (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    decision_id BIGINT NOT NULL REFERENCES decisions(id),
    membership_key TEXT NOT NULL,
    name TEXT NOT NULL,
    vote TEXT NOT NULL
);

-- The minutes of a meeting: draft, circulated, then approved at a later meeting.
CREATE TABLE minutes (
    meeting_id BIGINT PRIMARY KEY REFERENCES meetings(id),
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    status TEXT NOT NULL DEFAULT 'draft',
    circulated_on {date},
    approved_at BIGINT REFERENCES meetings(id),
    amendments TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);

-- Actions, from a minute or decision today and from reviews and audits later: the tracker does
-- not assume a meeting.
CREATE TABLE actions (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    source_kind TEXT NOT NULL,
    source_id BIGINT NOT NULL,
    body_key TEXT NOT NULL DEFAULT '',
    reference TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    owner_name TEXT NOT NULL,
    owner_organisation TEXT NOT NULL DEFAULT '',
    due {date} NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    completed_on {date},
    escalated_on {date},
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX actions_by_due ON actions (partnership_id, status, due);
CREATE INDEX actions_in_order ON actions (partnership_id, due, id);
CREATE INDEX actions_by_body ON actions (partnership_id, body_key, due);
CREATE INDEX actions_by_owner ON actions (partnership_id, status, owner_name);
CREATE INDEX actions_by_organisation ON actions (partnership_id, status, owner_organisation);
CREATE TABLE action_notes (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    action_id BIGINT NOT NULL REFERENCES actions(id),
    noted_on {date} NOT NULL,
    note TEXT NOT NULL,
    created_at {ts} NOT NULL,
    created_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX action_notes_by_action ON action_notes (action_id, noted_on, id);

-- The seats a person holds: which memberships of the arrangements are theirs, so they see their
-- own meetings, deadlines and reminders.
CREATE TABLE person_seats (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    membership_key TEXT NOT NULL,
    CONSTRAINT person_seats_once UNIQUE (partnership_id, user_id, membership_key)
);

-- Private calendar feeds: the secret is in the address, so only its hash is kept.
CREATE TABLE calendar_feeds (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at {ts} NOT NULL,
    revoked_at {ts}
);

-- Deadline reminders already sent, so each is sent once.
CREATE TABLE deadline_reminders (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    meeting_id BIGINT NOT NULL REFERENCES meetings(id),
    what TEXT NOT NULL,
    sent_at {ts} NOT NULL,
    CONSTRAINT deadline_reminders_once UNIQUE (user_id, meeting_id, what)
);

-- Overdue actions a chair has been told of, so each is told once.
CREATE TABLE action_alerts (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    action_id BIGINT NOT NULL REFERENCES actions(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    sent_at {ts} NOT NULL,
    CONSTRAINT action_alerts_once UNIQUE (action_id, user_id)
);

-- The work programme: items planned for a body's future meetings, moved onto an agenda when
-- the time comes.
CREATE TABLE work_programme (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    body_key TEXT NOT NULL,
    title TEXT NOT NULL,
    purpose TEXT NOT NULL DEFAULT 'discussion',
    presenter TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '',
    meeting_id BIGINT REFERENCES meetings(id),
    agenda_item_id BIGINT REFERENCES agenda_items(id),
    created_at {ts} NOT NULL,
    created_by TEXT NOT NULL DEFAULT ''
);

-- Urgent decisions the chair takes between meetings, with who was consulted.
CREATE TABLE urgent_decisions (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    body_key TEXT NOT NULL,
    decided_on {date} NOT NULL,
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    chair TEXT NOT NULL,
    consulted TEXT NOT NULL,
    partners_consulted TEXT NOT NULL DEFAULT '',
    created_at {ts} NOT NULL,
    created_by TEXT NOT NULL DEFAULT ''
);
