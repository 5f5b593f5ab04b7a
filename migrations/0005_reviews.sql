-- Learning from serious cases: the statutory timelines as editions, each with the day it came
-- into force. A case keeps the edition it began under; the host adds a new edition as data.
CREATE TABLE review_editions (
    id {id},
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    in_force_from {date} NOT NULL UNIQUE,
    notify_within BIGINT NOT NULL,
    tell_partners_within BIGINT NOT NULL,
    rapid_review_within BIGINT NOT NULL,
    rapid_review_from TEXT NOT NULL,
    publish_within_months BIGINT NOT NULL,
    final_report_before BIGINT NOT NULL,
    added_at {ts} NOT NULL,
    added_by TEXT NOT NULL DEFAULT ''
);
-- The editions masa ships with (the same as reviews::model::shipped, which a test checks).
INSERT INTO review_editions (key, name, in_force_from, notify_within, tell_partners_within, rapid_review_within, rapid_review_from, publish_within_months, final_report_before, added_at, added_by) VALUES
  ('wt2018', 'Working Together to Safeguard Children 2018', '2018-06-29', 5, 5, 15, 'awareness', 6, 7, '2026-11-29T00:00:00.000000Z', 'masa'),
  ('wt2023-panel2025', 'Working Together to Safeguard Children 2023, with the Panel''s 2025 guidance', '2025-01-01', 5, 5, 15, 'notification', 6, 7, '2026-11-29T00:00:00.000000Z', 'masa');
