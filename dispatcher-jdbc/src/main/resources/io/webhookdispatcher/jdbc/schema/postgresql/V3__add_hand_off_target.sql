-- Marks the hand-off target: the one endpoint row that takes a single delivery per message when a
-- delivery service such as Svix fans messages out. Messages for every endpoint skip it.
ALTER TABLE webhook_endpoint ADD COLUMN IF NOT EXISTS hand_off BOOLEAN DEFAULT FALSE NOT NULL;
