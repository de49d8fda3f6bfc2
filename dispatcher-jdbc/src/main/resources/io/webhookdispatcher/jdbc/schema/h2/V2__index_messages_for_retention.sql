-- Serves the retention job, which deletes finished messages oldest first.
CREATE INDEX IF NOT EXISTS webhook_message_created_idx ON webhook_message (created_at);
