-- Serve the claim, which reads each endpoint's oldest due deliveries and counts its live leases,
-- so that a claim costs the same with a backlog of a million deliveries as with an empty outbox.
-- Only leased rows carry a lease token, so the second index stays small.
CREATE INDEX IF NOT EXISTS webhook_delivery_endpoint_due_idx
  ON webhook_delivery (endpoint_id, next_attempt_at, id)
  WHERE state = 'PENDING';
CREATE INDEX IF NOT EXISTS webhook_delivery_endpoint_leased_idx
  ON webhook_delivery (endpoint_id, lease_until)
  WHERE lease_token IS NOT NULL;
-- The endpoint and state index goes: the pending index above serves the cancellation of an
-- endpoint's pending deliveries, and the failed index below serves recovery. Left in place, it
-- tempted the planner to read an endpoint's whole backlog and sort it on every claim while the
-- table had no statistics, and every change of state had to update it.
CREATE INDEX IF NOT EXISTS webhook_delivery_endpoint_failed_idx
  ON webhook_delivery (endpoint_id, id)
  WHERE state = 'FAILED';
DROP INDEX IF EXISTS webhook_delivery_endpoint_state_idx;
