-- Endpoint health and pace: when the endpoint's current run of failed attempts began, when and
-- why it was disabled, and the most requests per second it may receive. A disabled endpoint gets
-- each new message as a failed delivery, to replay later.
-- One statement, because MySQL has no ADD COLUMN IF NOT EXISTS and commits DDL at once.
ALTER TABLE webhook_endpoint
  ADD COLUMN failing_since DATETIME(6),
  ADD COLUMN disabled_at DATETIME(6),
  ADD COLUMN disabled_reason VARCHAR(1024),
  ADD COLUMN rate_limit INT;
