-- Endpoints, messages, one delivery per endpoint and message, and every delivery attempt,
-- for MySQL 8 and MariaDB 10.6 or later.
-- MySQL commits each DDL statement at once, so every statement is idempotent: a script that
-- stopped halfway can run again. Indexes are declared inside CREATE TABLE for that reason,
-- because MySQL has no CREATE INDEX IF NOT EXISTS.
-- UUIDs are CHAR(36) in ASCII, the form UUID.toString() returns. Times are DATETIME(6) in UTC,
-- written from UTC_TIMESTAMP(6), so no session time zone converts them.

CREATE TABLE IF NOT EXISTS webhook_endpoint (
  id CHAR(36) CHARACTER SET ascii NOT NULL,
  url VARCHAR(2048) NOT NULL,
  description VARCHAR(1024),
  secret VARCHAR(128) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  deleted_at DATETIME(6),
  PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- The idempotency key is stored as its UTF-8 bytes: a binary column compares keys byte for
-- byte, where a text collation would treat keys that differ in case or trailing spaces as equal.
-- 1020 bytes hold the 255 characters that the store accepts.
CREATE TABLE IF NOT EXISTS webhook_message (
  id CHAR(36) CHARACTER SET ascii NOT NULL,
  event_type VARCHAR(256) NOT NULL,
  body LONGBLOB NOT NULL,
  idempotency_key VARBINARY(1020),
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT webhook_message_idempotency_key_unique UNIQUE (idempotency_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE IF NOT EXISTS webhook_delivery (
  id BIGINT NOT NULL AUTO_INCREMENT,
  message_id CHAR(36) CHARACTER SET ascii NOT NULL,
  endpoint_id CHAR(36) CHARACTER SET ascii NOT NULL,
  state VARCHAR(16) NOT NULL,
  attempts INT NOT NULL,
  next_attempt_at DATETIME(6) NOT NULL,
  lease_token CHAR(36) CHARACTER SET ascii,
  lease_owner VARCHAR(255),
  lease_until DATETIME(6),
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  -- Serves the claim query: pending rows in due order. InnoDB appends the primary key, so the
  -- index also orders equal due times by id.
  INDEX webhook_delivery_state_due_idx (state, next_attempt_at),
  -- Serves the read-back of the rows that one claim leased.
  INDEX webhook_delivery_lease_token_idx (lease_token),
  -- Serves the cancellation of an endpoint's pending deliveries when it is deleted.
  INDEX webhook_delivery_endpoint_state_idx (endpoint_id, state),
  CONSTRAINT webhook_delivery_message_fk
    FOREIGN KEY (message_id) REFERENCES webhook_message (id),
  CONSTRAINT webhook_delivery_endpoint_fk
    FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoint (id),
  CONSTRAINT webhook_delivery_state_check
    CHECK (state IN ('PENDING', 'DELIVERED', 'FAILED', 'CANCELLED'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE IF NOT EXISTS webhook_attempt (
  id BIGINT NOT NULL AUTO_INCREMENT,
  delivery_id BIGINT NOT NULL,
  message_id CHAR(36) CHARACTER SET ascii NOT NULL,
  endpoint_id CHAR(36) CHARACTER SET ascii NOT NULL,
  attempt INT NOT NULL,
  attempted_at DATETIME(6) NOT NULL,
  status_code INT,
  error VARCHAR(1024),
  duration_ms BIGINT NOT NULL,
  response VARCHAR(4096) NOT NULL,
  PRIMARY KEY (id),
  INDEX webhook_attempt_message_idx (message_id, attempted_at),
  CONSTRAINT webhook_attempt_delivery_fk
    FOREIGN KEY (delivery_id) REFERENCES webhook_delivery (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
