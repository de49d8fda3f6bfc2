package io.webhookdispatcher.jdbc;

import java.sql.SQLException;
import java.util.Optional;

/**
 * The SQL for H2 2.x.
 *
 * <p>H2 returns the same {@code CURRENT_TIMESTAMP} for every statement of a transaction, so a
 * message, its deliveries and their due time share one instant. The claim is a single {@code
 * UPDATE} over a limited subquery with {@code FOR UPDATE SKIP LOCKED}, so threads that claim at
 * once never lease the same row. They often get fewer rows than are due while another claim runs,
 * which is acceptable because one process at a time opens an H2 database file.
 *
 * <p>H2 has no lock that serializes schema migrations across processes; one process opens the file.
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

  private static final String INSERT_SCHEMA_VERSION =
      """
      INSERT INTO webhook_schema_version (version, script, applied_at)
      VALUES (:version, :script, CURRENT_TIMESTAMP)\
      """;

  private static final String INSERT_ENDPOINT =
      """
      INSERT INTO webhook_endpoint (id, url, description, secret, rate_limit, created_at)
      VALUES (:id, :url, :description, :secret, :rateLimit, CURRENT_TIMESTAMP)\
      """;

  private static final String MARK_ENDPOINT_DELETED =
      """
      UPDATE webhook_endpoint
      SET deleted_at = CURRENT_TIMESTAMP
      WHERE id = :id AND deleted_at IS NULL AND hand_off = FALSE\
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
      SELECT CAST(:messageId AS UUID), id,
             CASE WHEN disabled_at IS NULL THEN 'PENDING' ELSE 'FAILED' END,
             0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
      FROM webhook_endpoint
      WHERE deleted_at IS NULL AND hand_off = :handOff
        AND (filtered = FALSE
          OR EXISTS (
            SELECT 1 FROM webhook_endpoint_event_type t
            WHERE t.endpoint_id = webhook_endpoint.id AND t.event_type = :eventType))\
      """;

  /**
   * Counts each endpoint's deliveries under a live lease, through the lease expiry index. Only
   * pending rows have a lease expiry, since every change of state clears it, and a state condition
   * would make H2 read every pending row through the state index instead. H2 plans a
   * window function over the due rows badly (seconds for a few hundred rows), so its store picks
   * the fair share of due rows in Java, endpoint by endpoint, then locks them.
   */
  private static final String COUNT_LEASED_BY_ENDPOINT =
      """
      SELECT endpoint_id, COUNT(*) AS leased
      FROM webhook_delivery
      WHERE lease_until >= CURRENT_TIMESTAMP
      GROUP BY endpoint_id\
      """;

  private static final String LOCK_CHOSEN_DELIVERY_IDS =
      """
      SELECT id
      FROM webhook_delivery
      WHERE id IN (<deliveryIds>)
        AND state = 'PENDING'
        AND (lease_until IS NULL OR lease_until < CURRENT_TIMESTAMP)
      FOR UPDATE SKIP LOCKED\
      """;

  private static final String LEASE_LOCKED_DELIVERIES =
      """
      UPDATE webhook_delivery
      SET lease_token = :leaseToken,
          lease_owner = :leaseOwner,
          lease_until = DATEADD(MILLISECOND, CAST(:leaseMillis AS BIGINT), CURRENT_TIMESTAMP),
          updated_at = CURRENT_TIMESTAMP
      WHERE id IN (<deliveryIds>)\
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

  private static final String SELECT_PURGEABLE_MESSAGE_IDS =
      """
      SELECT m.id
      FROM webhook_message m
      WHERE m.created_at < DATEADD(MILLISECOND, -CAST(:ageMillis AS BIGINT), CURRENT_TIMESTAMP)
        AND NOT EXISTS (
          SELECT 1 FROM webhook_delivery d
          WHERE d.message_id = m.id AND d.state = 'PENDING')
      ORDER BY m.created_at
      FETCH FIRST :batchSize ROWS ONLY\
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
  public ColumnTypes columnTypes() {
    return ColumnTypes.NATIVE;
  }

  @Override
  public boolean isUniqueViolation(SQLException exception) {
    return UNIQUE_VIOLATION_SQL_STATE.equals(exception.getSQLState());
  }

  @Override
  public boolean reportsBatchUpdateCounts() {
    return true;
  }

  @Override
  public boolean hasTransactionalDdl() {
    return false;
  }

  @Override
  public Optional<String> lockSchemaMigration() {
    return Optional.empty();
  }

  @Override
  public Optional<String> unlockSchemaMigration() {
    return Optional.empty();
  }

  @Override
  public String createSchemaVersionTable() {
    return CREATE_SCHEMA_VERSION_TABLE;
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
  public boolean serializesClaims() {
    return true;
  }

  @Override
  public Optional<String> lockDueDeliveryIds() {
    return Optional.of(LOCK_CHOSEN_DELIVERY_IDS);
  }

  @Override
  public Optional<String> countLeasedForFairShareInJava() {
    return Optional.of(COUNT_LEASED_BY_ENDPOINT);
  }

  @Override
  public String leaseDueDeliveries() {
    return LEASE_LOCKED_DELIVERIES;
  }

  @Override
  public String completeLeasedDelivery() {
    return COMPLETE_LEASED_DELIVERY;
  }

  @Override
  public String selectPurgeableMessageIds() {
    return SELECT_PURGEABLE_MESSAGE_IDS;
  }

  @Override
  public String currentTimestamp() {
    return "CURRENT_TIMESTAMP";
  }
}
