-- Endpoint health: when the endpoint's current run of failed attempts began, and when and why it
-- was disabled. A disabled endpoint gets each new message as a failed delivery, to replay later.
ALTER TABLE webhook_endpoint ADD COLUMN IF NOT EXISTS failing_since TIMESTAMPTZ;
ALTER TABLE webhook_endpoint ADD COLUMN IF NOT EXISTS disabled_at TIMESTAMPTZ;
ALTER TABLE webhook_endpoint ADD COLUMN IF NOT EXISTS disabled_reason VARCHAR(1024);
