-- Replay and recovery, and the attempts of one endpoint. A delivery queued by an operator is
-- marked manual, so its first attempt is recorded with the trigger 'manual'; every other attempt
-- is 'scheduled'. The index serves the newest-first pages of an endpoint's attempts.
ALTER TABLE webhook_delivery ADD COLUMN IF NOT EXISTS manual BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE webhook_attempt
  ADD COLUMN IF NOT EXISTS attempt_trigger CHARACTER VARYING(16) DEFAULT 'scheduled' NOT NULL;
CREATE INDEX IF NOT EXISTS webhook_attempt_endpoint_time_idx
  ON webhook_attempt (endpoint_id, attempted_at, id);
