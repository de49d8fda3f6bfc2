-- Serves the claim, which reads each endpoint's oldest due deliveries, so that a claim costs the
-- same with a large backlog as with an empty outbox. MySQL has no CREATE INDEX IF NOT EXISTS and
-- commits DDL at once: it either ran or it did not.
ALTER TABLE webhook_delivery
  ADD INDEX webhook_delivery_endpoint_due_idx (endpoint_id, state, next_attempt_at, id);
