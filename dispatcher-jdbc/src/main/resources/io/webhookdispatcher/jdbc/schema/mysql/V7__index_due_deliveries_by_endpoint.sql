-- Serves the claim, which reads each endpoint's oldest due deliveries, so that a claim costs the
-- same with a large backlog as with an empty outbox. The new index starts with the columns of the
-- endpoint and state index, and serves the endpoint foreign key too, so that one goes. MySQL has
-- no CREATE INDEX IF NOT EXISTS and commits DDL at once, so both changes are one statement.
ALTER TABLE webhook_delivery
  ADD INDEX webhook_delivery_endpoint_due_idx (endpoint_id, state, next_attempt_at, id),
  DROP INDEX webhook_delivery_endpoint_state_idx;
