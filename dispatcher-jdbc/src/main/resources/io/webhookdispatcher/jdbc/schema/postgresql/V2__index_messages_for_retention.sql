-- Serves the retention job, which deletes finished messages oldest first and their deliveries by
-- message id. PostgreSQL does not index foreign keys by itself.
CREATE INDEX IF NOT EXISTS webhook_message_created_idx ON webhook_message (created_at);
CREATE INDEX IF NOT EXISTS webhook_delivery_message_idx ON webhook_delivery (message_id);
