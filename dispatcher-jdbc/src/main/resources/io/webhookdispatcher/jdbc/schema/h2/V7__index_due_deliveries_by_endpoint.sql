-- Serve the claim, which reads each endpoint's oldest due deliveries and counts the live leases,
-- so that a claim costs the same with a large backlog as with an empty outbox.
CREATE INDEX IF NOT EXISTS webhook_delivery_endpoint_due_idx
  ON webhook_delivery (endpoint_id, state, next_attempt_at, id);
CREATE INDEX IF NOT EXISTS webhook_delivery_lease_until_idx
  ON webhook_delivery (lease_until);
