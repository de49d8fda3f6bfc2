-- Endpoint health and pace: when the endpoint's current run of failed attempts began, when and
-- why it was disabled, and the most requests per second it may receive. A disabled endpoint gets
-- each new message as a failed delivery, to replay later.
ALTER TABLE webhook_endpoint ADD COLUMN IF NOT EXISTS failing_since TIMESTAMP WITH TIME ZONE;
ALTER TABLE webhook_endpoint ADD COLUMN IF NOT EXISTS disabled_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE webhook_endpoint ADD COLUMN IF NOT EXISTS disabled_reason CHARACTER VARYING(1024);
ALTER TABLE webhook_endpoint ADD COLUMN IF NOT EXISTS rate_limit INTEGER;
