-- Serves the retention job, which deletes finished messages oldest first. One statement, because
-- MySQL has no CREATE INDEX IF NOT EXISTS and commits DDL at once: it either ran or it did not.
-- InnoDB already indexes webhook_delivery.message_id for its foreign key.
ALTER TABLE webhook_message ADD INDEX webhook_message_created_idx (created_at);
