package io.webhookdispatcher.jdbc;

import java.sql.SQLException;

/**
 * The SQL for H2 2.x.
 *
 * <p>H2 returns the same {@code CURRENT_TIMESTAMP} for every statement of a transaction, so a
 * message, its deliveries and their due time share one instant. The claim is a single {@code
 * UPDATE} over a limited subquery: that is enough because one node at a time opens an H2 database
 * file.
 */
final class H2Dialect implements Dialect {

  /** SQLSTATE for a duplicate primary key or unique key, from the SQL standard. */
  private static final String UNIQUE_VIOLATION_SQL_STATE = "23505";

  private static final String CREATE_SCHEMA_VERSION_TABLE =
      """
      CREATE TABLE IF NOT EXISTS webhook_schema_version (
        version INTEGER PRIMARY KEY,
        script CHARACTER VARYING(255) NOT NULL,
        applied_at TIMESTAMP WITH TIME ZONE NOT NULL
      )\
      """;

  private static final String SELECT_APPLIED_SCHEMA_VERSIONS =
      """
      SELECT version FROM webhook_schema_version ORDER BY version\
      """;

  private static final String INSERT_SCHEMA_VERSION =
      """
      INSERT INTO webhook_schema_version (version, script, applied_at)
      VALUES (:version, :script, CURRENT_TIMESTAMP)\
      """;

  private static final String INSERT_ENDPOINT =
      """
      INSERT INTO webhook_endpoint (id, url, description, secret, created_at)
      VALUES (:id, :url, :description, :secret, CURRENT_TIMESTAMP)\
      """;

  private static final String SELECT_LIVE_ENDPOINT =
      """
      SELECT id, url, description, secret, created_at
      FROM webhook_endpoint
      WHERE id = :id AND deleted_at IS NULL\
      """;

  private static final String MARK_ENDPOINT_DELETED =
      """
      UPDATE webhook_endpoint
      SET deleted_at = CURRENT_TIMESTAMP
      WHERE id = :id AND deleted_at IS NULL\
      """;

  private static final String CANCEL_PENDING_DELIVERIES_OF_ENDPOINT =
      """
      UPDATE webhook_delivery
      SET state = 'CANCELLED',
          lease_token = NULL,
          lease_owner = NULL,
          lease_until = NULL,
          updated_at = CURRENT_TIMESTAMP
      WHERE endpoint_id = :endpointId AND state = 'PENDING'\
      """;

  private static final String INSERT_MESSAGE =
      """
      INSERT INTO webhook_message (id, event_type, body, idempotency_key, created_at)
      VALUES (:id, :eventType, :body, :idempotencyKey, CURRENT_TIMESTAMP)\
      """;

  private static final String INSERT_DELIVERIES_FOR_LIVE_ENDPOINTS =
      """
      INSERT INTO webhook_delivery
        (message_id, endpoint_id, state, attempts, next_attempt_at, updated_at)
      SELECT CAST(:messageId AS UUID), id, 'PENDING', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
      FROM webhook_endpoint
      WHERE deleted_at IS NULL\
      """;

  private static final String SELECT_MESSAGE =
      """
      SELECT id, event_type, body, created_at
      FROM webhook_message
      WHERE id = :id\
      """;

  private static final String SELECT_MESSAGE_BY_IDEMPOTENCY_KEY =
      """
      SELECT id, event_type, body, created_at
      FROM webhook_message
      WHERE idempotency_key = :idempotencyKey\
      """;

  private static final String COUNT_MESSAGES =
      """
      SELECT COUNT(*) FROM webhook_message WHERE id = :id\
      """;

  private static final String LEASE_DUE_DELIVERIES =
      """
      UPDATE webhook_delivery
      SET lease_token = :leaseToken,
          lease_owner = :leaseOwner,
          lease_until = DATEADD(MILLISECOND, CAST(:leaseMillis AS BIGINT), CURRENT_TIMESTAMP),
          updated_at = CURRENT_TIMESTAMP
      WHERE id IN (
        SELECT d.id
        FROM webhook_delivery d
        JOIN webhook_endpoint e ON e.id = d.endpoint_id
        WHERE d.state = 'PENDING'
          AND d.next_attempt_at <= CURRENT_TIMESTAMP
          AND (d.lease_until IS NULL OR d.lease_until < CURRENT_TIMESTAMP)
          AND e.deleted_at IS NULL
        ORDER BY d.next_attempt_at, d.id
        FETCH FIRST :limit ROWS ONLY)\
      """;

  private static final String SELECT_LEASED_DELIVERIES =
      """
      SELECT d.id AS delivery_id,
             d.lease_token,
             d.attempts,
             m.id AS message_id,
             m.event_type,
             m.body,
             m.created_at AS message_created_at,
             e.id AS endpoint_id,
             e.url,
             e.secret
      FROM webhook_delivery d
      JOIN webhook_message m ON m.id = d.message_id
      JOIN webhook_endpoint e ON e.id = d.endpoint_id
      WHERE d.lease_token = :leaseToken
      ORDER BY d.next_attempt_at, d.id\
      """;

  private static final String COMPLETE_LEASED_DELIVERY =
      """
      UPDATE webhook_delivery
      SET state = :state,
          attempts = :attempt,
          next_attempt_at = DATEADD(MILLISECOND, CAST(:retryMillis AS BIGINT), CURRENT_TIMESTAMP),
          lease_token = NULL,
          lease_owner = NULL,
          lease_until = NULL,
          updated_at = CURRENT_TIMESTAMP
      WHERE id = :deliveryId AND state = 'PENDING' AND lease_token = :leaseToken\
      """;

  private static final String INSERT_ATTEMPT =
      """
      INSERT INTO webhook_attempt
        (delivery_id, message_id, endpoint_id, attempt, attempted_at, status_code, error,
         duration_ms, response)
      VALUES
        (:deliveryId, :messageId, :endpointId, :attempt, :attemptedAt, :statusCode, :error,
         :durationMs, :response)\
      """;

  private static final String SELECT_ATTEMPTS_OF_MESSAGE =
      """
      SELECT message_id, endpoint_id, attempt, attempted_at, status_code, error, duration_ms,
             response
      FROM webhook_attempt
      WHERE message_id = :messageId
      ORDER BY attempted_at, id\
      """;

  private static final String COUNT_PENDING_DELIVERIES =
      """
      SELECT COUNT(*) FROM webhook_delivery WHERE state = 'PENDING'\
      """;

  @Override
  public String name() {
    return "H2";
  }

  @Override
  public String schemaFolder() {
    return "h2";
  }

  @Override
  public boolean isUniqueViolation(SQLException exception) {
    return UNIQUE_VIOLATION_SQL_STATE.equals(exception.getSQLState());
  }

  @Override
  public String createSchemaVersionTable() {
    return CREATE_SCHEMA_VERSION_TABLE;
  }

  @Override
  public String selectAppliedSchemaVersions() {
    return SELECT_APPLIED_SCHEMA_VERSIONS;
  }

  @Override
  public String insertSchemaVersion() {
    return INSERT_SCHEMA_VERSION;
  }

  @Override
  public String insertEndpoint() {
    return INSERT_ENDPOINT;
  }

  @Override
  public String selectLiveEndpoint() {
    return SELECT_LIVE_ENDPOINT;
  }

  @Override
  public String markEndpointDeleted() {
    return MARK_ENDPOINT_DELETED;
  }

  @Override
  public String cancelPendingDeliveriesOfEndpoint() {
    return CANCEL_PENDING_DELIVERIES_OF_ENDPOINT;
  }

  @Override
  public String insertMessage() {
    return INSERT_MESSAGE;
  }

  @Override
  public String insertDeliveriesForLiveEndpoints() {
    return INSERT_DELIVERIES_FOR_LIVE_ENDPOINTS;
  }

  @Override
  public String selectMessage() {
    return SELECT_MESSAGE;
  }

  @Override
  public String selectMessageByIdempotencyKey() {
    return SELECT_MESSAGE_BY_IDEMPOTENCY_KEY;
  }

  @Override
  public String countMessages() {
    return COUNT_MESSAGES;
  }

  @Override
  public String leaseDueDeliveries() {
    return LEASE_DUE_DELIVERIES;
  }

  @Override
  public String selectLeasedDeliveries() {
    return SELECT_LEASED_DELIVERIES;
  }

  @Override
  public String completeLeasedDelivery() {
    return COMPLETE_LEASED_DELIVERY;
  }

  @Override
  public String insertAttempt() {
    return INSERT_ATTEMPT;
  }

  @Override
  public String selectAttemptsOfMessage() {
    return SELECT_ATTEMPTS_OF_MESSAGE;
  }

  @Override
  public String countPendingDeliveries() {
    return COUNT_PENDING_DELIVERIES;
  }
}
