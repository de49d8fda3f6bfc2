-- Serve the claim, which reads each endpoint's oldest due deliveries and counts the live leases,
-- so that a claim costs the same with a large backlog as with an empty outbox. The new endpoint
-- index starts with the columns of the endpoint and state index, so that one goes.
CREATE INDEX IF NOT EXISTS webhook_delivery_endpoint_due_idx
  ON webhook_delivery (endpoint_id, state, next_attempt_at, id);
CREATE INDEX IF NOT EXISTS webhook_delivery_lease_until_idx
  ON webhook_delivery (lease_until);
DROP INDEX IF EXISTS webhook_delivery_endpoint_state_idx;
