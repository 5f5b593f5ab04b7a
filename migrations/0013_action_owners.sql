-- An action's owner may be a person with an account (issue 19): they open and update it, and
-- it is on their tracker and home page. Kept beside the owner's name as typed, which stays
-- what the tracker shows; empty for actions owned by a post or an organisation.
ALTER TABLE actions ADD COLUMN owner_user_id BIGINT REFERENCES users(id);
CREATE INDEX actions_by_owner_account ON actions (partnership_id, owner_user_id);
