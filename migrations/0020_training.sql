-- Multi-agency training: the partnership's courses, their sessions and the places booked on
-- them. A booking is a person's place or their place on the waiting list; a freed place goes
-- to the first on the list (waiting_since, then id), in the same transaction that frees it.
CREATE TABLE training_courses (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- One learning outcome a line.
    outcomes TEXT NOT NULL DEFAULT '',
    audience TEXT NOT NULL DEFAULT '',
    -- introductory, core or advanced
    level TEXT NOT NULL,
    -- in-person, online, e-learning or blended
    delivery TEXT NOT NULL,
    -- Length of one session, in minutes; for e-learning, how long it takes.
    minutes BIGINT NOT NULL,
    -- The e-learning's address, where it is e-learning.
    link TEXT NOT NULL DEFAULT '',
    -- Withdrawn courses stay for the record of what was attended.
    withdrawn BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX training_courses_of ON training_courses (partnership_id, title);

CREATE TABLE training_sessions (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    course_id BIGINT NOT NULL REFERENCES training_courses(id),
    -- The day and UK times (as people read them, 24-hour HH:MM).
    held_on {date} NOT NULL,
    start_time TEXT NOT NULL,
    end_time TEXT NOT NULL,
    venue TEXT NOT NULL DEFAULT '',
    online_link TEXT NOT NULL DEFAULT '',
    capacity BIGINT NOT NULL,
    -- Booking is open from opens_on to closes_on, both days included.
    opens_on {date} NOT NULL,
    closes_on {date} NOT NULL,
    -- A place cancelled fewer than this many working days before the day is cancelled late.
    cutoff_days BIGINT NOT NULL,
    -- planned, open, cancelled or delivered; "full" is worked out from the places
    status TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX training_sessions_of ON training_sessions (partnership_id, held_on);
CREATE INDEX training_sessions_of_course ON training_sessions (course_id, held_on);

CREATE TABLE training_bookings (
    id {id},
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    session_id BIGINT NOT NULL REFERENCES training_sessions(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    -- The learner's organisation when they booked (from the arrangements or their membership).
    organisation TEXT NOT NULL DEFAULT '',
    -- booked, waiting, cancelled, cancelled-late, attended or did-not-attend
    status TEXT NOT NULL,
    -- 1 for someone who came without a place, added to the register on the day
    walk_in BIGINT NOT NULL DEFAULT 0,
    -- When the person joined the waiting list: its order.
    waiting_since {ts},
    -- A place offered from the waiting list is held for the learner until then.
    offer_expires_at {ts},
    booked_at {ts},
    cancelled_at {ts},
    -- Who made the booking (the learner, or a booking manager for them).
    booked_by TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX training_bookings_of_session ON training_bookings (session_id, status);
CREATE INDEX training_bookings_of_user ON training_bookings (partnership_id, user_id);
CREATE INDEX training_bookings_offered ON training_bookings (status, offer_expires_at);

-- An iCalendar invitation sent with a message (a training place booked, moved or cancelled).
ALTER TABLE outbox ADD COLUMN calendar TEXT;
