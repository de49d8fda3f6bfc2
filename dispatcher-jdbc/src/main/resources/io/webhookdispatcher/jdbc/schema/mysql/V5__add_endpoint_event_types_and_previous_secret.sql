-- Event type filters and secret rotation. An endpoint with filtered = TRUE receives only the
-- messages whose event type it lists in webhook_endpoint_event_type; one with FALSE receives every
-- message. After a rotation, previous_secret also signs each request until
-- previous_secret_expires_at, a time by the dispatcher's clock.
-- Event types are ASCII by their pattern, and compared byte for byte (ascii_bin) because they are
-- case-sensitive. The table comes first: its statement is idempotent, and the ALTER, which is
-- not, runs last, so a script that stopped halfway can run again.
CREATE TABLE IF NOT EXISTS webhook_endpoint_event_type (
  endpoint_id CHAR(36) CHARACTER SET ascii NOT NULL,
  event_type VARCHAR(256) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (endpoint_id, event_type),
  CONSTRAINT webhook_endpoint_event_type_endpoint_fk
    FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoint (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

ALTER TABLE webhook_endpoint
  ADD COLUMN filtered BOOLEAN DEFAULT FALSE NOT NULL,
  ADD COLUMN previous_secret VARCHAR(128),
  ADD COLUMN previous_secret_expires_at DATETIME(6);
