-- Event type filters and secret rotation. An endpoint with filtered = TRUE receives only the
-- messages whose event type it lists in webhook_endpoint_event_type; one with FALSE receives every
-- message. After a rotation, previous_secret also signs each request until
-- previous_secret_expires_at, a time by the dispatcher's clock.
ALTER TABLE webhook_endpoint ADD COLUMN IF NOT EXISTS filtered BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE webhook_endpoint ADD COLUMN IF NOT EXISTS previous_secret VARCHAR(128);
ALTER TABLE webhook_endpoint ADD COLUMN IF NOT EXISTS previous_secret_expires_at TIMESTAMPTZ;

CREATE TABLE IF NOT EXISTS webhook_endpoint_event_type (
  endpoint_id UUID NOT NULL,
  event_type VARCHAR(256) NOT NULL,
  CONSTRAINT webhook_endpoint_event_type_pk PRIMARY KEY (endpoint_id, event_type),
  CONSTRAINT webhook_endpoint_event_type_endpoint_fk
    FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoint (id)
);
