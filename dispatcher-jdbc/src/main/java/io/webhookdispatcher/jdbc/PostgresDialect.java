package io.webhookdispatcher.jdbc;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The SQL for PostgreSQL 12 and later.
 *
 * <p>Every time comes from {@code now()}, the start of the current transaction on the server, so a
 * message, its deliveries and their due time share one instant, as on H2. A claim leases in one
 * statement: a CTE picks due rows with {@code FOR UPDATE SKIP LOCKED}, so concurrent claims on
 * several nodes skip each other's rows instead of waiting or leasing them twice, and an {@code
 * UPDATE ... FROM} leases them. A second query reads the leased rows back by lease token.
 * Migrations hold a transaction-scoped advisory lock, and each run applies its missing scripts in
 * that one transaction, because PostgreSQL rolls back DDL with the transaction.
 */
final class PostgresDialect implements Dialect {

  /** Oldest supported major version. */
  static final int MIN_MAJOR_VERSION = 12;

  /** SQLSTATE {@code unique_violation}. */
  private static final String UNIQUE_VIOLATION_SQL_STATE = "23505";

  /**
   * Waits for the advisory lock that serializes migrations within one database. Its key is the
   * ASCII text {@code webhooks} read as a 64-bit integer. Another application that takes the same
   * key by chance only delays a migration.
   */
  private static final String LOCK_SCHEMA_MIGRATION =
      """
      SELECT 1 FROM pg_advisory_xact_lock(8603390863846894451)\
      """;

  private static final String CREATE_SCHEMA_VERSION_TABLE =
      """
      CREATE TABLE IF NOT EXISTS webhook_schema_version (
        version INTEGER PRIMARY KEY,
        script VARCHAR(255) NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL
      )\
      """;

  private static final String INSERT_SCHEMA_VERSION =
      """
      INSERT INTO webhook_schema_version (version, script, applied_at)
      VALUES (:version, :script, now())\
      """;

  private static final String INSERT_ENDPOINT =
      """
      INSERT INTO webhook_endpoint (id, url, description, secret, rate_limit, created_at)
      VALUES (:id, :url, :description, :secret, :rateLimit, now())\
      """;

  private static final String MARK_ENDPOINT_DELETED =
      """
      UPDATE webhook_endpoint
      SET deleted_at = now()
      WHERE id = :id AND deleted_at IS NULL AND hand_off = FALSE\
      """;

  private static final String CANCEL_PENDING_DELIVERIES_OF_ENDPOINT =
      """
      UPDATE webhook_delivery
      SET state = 'CANCELLED',
          lease_token = NULL,
          lease_owner = NULL,
          lease_until = NULL,
          updated_at = now()
      WHERE endpoint_id = :endpointId AND state = 'PENDING'\
      """;

  private static final String INSERT_MESSAGE =
      """
      INSERT INTO webhook_message (id, event_type, body, idempotency_key, created_at)
      VALUES (:id, :eventType, :body, :idempotencyKey, now())\
      """;

  private static final String INSERT_DELIVERIES_FOR_LIVE_ENDPOINTS =
      """
      INSERT INTO webhook_delivery
        (message_id, endpoint_id, state, attempts, next_attempt_at, updated_at)
      SELECT CAST(:messageId AS UUID), id,
             CASE WHEN disabled_at IS NULL THEN 'PENDING' ELSE 'FAILED' END,
             0, now(), now()
      FROM webhook_endpoint
      WHERE deleted_at IS NULL AND hand_off = :handOff
        AND (filtered = FALSE
          OR EXISTS (
            SELECT 1 FROM webhook_endpoint_event_type t
            WHERE t.endpoint_id = webhook_endpoint.id AND t.event_type = :eventType))\
      """;

  /**
   * Leases due deliveries. When a row that the CTE scans was leased by a transaction that committed
   * meanwhile, {@code FOR UPDATE} evaluates the conditions again on the committed row, which then
   * fails the lease check.
   *
   * <p>Its cost grows with the number of endpoints that have pending deliveries, not with the
   * backlog. The {@code active} step lists those endpoints with one index lookup each (a loose index
   * scan, which PostgreSQL does not plan by itself). For each active endpoint, the {@code chosen}
   * step counts its live leases through the partial index of leased rows, then reads its oldest due
   * rows, at most its room under {@code :maxPerEndpoint}, so that a backlog at one endpoint cannot
   * hold back the others. It keeps the oldest {@code :limit} of them. The lease count has no state
   * condition because only pending rows carry a lease token: every change of state clears it. With
   * one, PostgreSQL plans the count on the endpoint and state index while a new table has no
   * statistics, which reads the endpoint's whole backlog. The count stops at {@code
   * :maxPerEndpoint} and follows the index order, so that PostgreSQL plans a plain index scan. Such
   * a scan marks the entries of finished leases dead as it passes them, where a bitmap scan would
   * visit them all again on every claim until vacuum removes them.
   */
  private static final String LEASE_DUE_DELIVERIES =
      """
      WITH RECURSIVE active(endpoint_id) AS (
        (SELECT p.endpoint_id
         FROM webhook_delivery p
         WHERE p.state = 'PENDING'
         ORDER BY p.endpoint_id
         LIMIT 1)
        UNION ALL
        SELECT (
          SELECT p.endpoint_id
          FROM webhook_delivery p
          WHERE p.state = 'PENDING' AND p.endpoint_id > a.endpoint_id
          ORDER BY p.endpoint_id
          LIMIT 1)
        FROM active a
        WHERE a.endpoint_id IS NOT NULL),
      chosen AS (
        SELECT c.id
        FROM active a
        JOIN webhook_endpoint e
          ON e.id = a.endpoint_id AND e.deleted_at IS NULL AND e.disabled_at IS NULL
        CROSS JOIN LATERAL (
          SELECT COUNT(*) AS leased
          FROM (
            SELECT 1
            FROM webhook_delivery l
            WHERE l.endpoint_id = a.endpoint_id
              AND l.lease_token IS NOT NULL
              AND l.lease_until >= now()
            ORDER BY l.endpoint_id, l.lease_until
            LIMIT :maxPerEndpoint) live) f
        CROSS JOIN LATERAL (
          SELECT r.id, r.next_attempt_at
          FROM webhook_delivery r
          WHERE r.endpoint_id = a.endpoint_id
            AND r.state = 'PENDING'
            AND r.next_attempt_at <= now()
            AND (r.lease_until IS NULL OR r.lease_until < now())
          ORDER BY r.next_attempt_at, r.id
          LIMIT GREATEST(:maxPerEndpoint - f.leased, 0)) c
        ORDER BY c.next_attempt_at, c.id
        LIMIT :limit),
      due AS (
        SELECT d.id
        FROM webhook_delivery d
        WHERE d.id IN (SELECT id FROM chosen)
          AND d.state = 'PENDING'
          AND d.next_attempt_at <= now()
          AND (d.lease_until IS NULL OR d.lease_until < now())
        FOR UPDATE OF d SKIP LOCKED)
      UPDATE webhook_delivery d
      SET lease_token = :leaseToken,
          lease_owner = :leaseOwner,
          lease_until = now() + CAST(:leaseMillis AS BIGINT) * INTERVAL '1 millisecond',
          updated_at = now()
      FROM due
      WHERE d.id = due.id\
      """;

  private static final String COMPLETE_LEASED_DELIVERY =
      """
      UPDATE webhook_delivery
      SET state = :state,
          attempts = :attempt,
          next_attempt_at = now() + CAST(:retryMillis AS BIGINT) * INTERVAL '1 millisecond',
          lease_token = NULL,
          lease_owner = NULL,
          lease_until = NULL,
          updated_at = now()
      WHERE id = :deliveryId AND state = 'PENDING' AND lease_token = :leaseToken\
      """;

  private static final String SELECT_PURGEABLE_MESSAGE_IDS =
      """
      SELECT m.id
      FROM webhook_message m
      WHERE m.created_at < now() - CAST(:ageMillis AS BIGINT) * INTERVAL '1 millisecond'
        AND NOT EXISTS (
          SELECT 1 FROM webhook_delivery d
          WHERE d.message_id = m.id AND d.state = 'PENDING')
      ORDER BY m.created_at
      LIMIT :batchSize\
      """;

  @Override
  public String name() {
    return "PostgreSQL";
  }

  @Override
  public String schemaFolder() {
    return "postgresql";
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
  public void requireSupportedVersion(DatabaseMetaData metaData) throws SQLException {
    if (metaData.getDatabaseMajorVersion() < MIN_MAJOR_VERSION) {
      throw new IllegalStateException(
          "PostgreSQL "
              + metaData.getDatabaseProductVersion()
              + " is not supported: the webhook store needs PostgreSQL "
              + MIN_MAJOR_VERSION
              + " or later");
    }
  }

  @Override
  public boolean reportsBatchUpdateCounts() {
    return true;
  }

  @Override
  public boolean hasTransactionalDdl() {
    return true;
  }

  @Override
  public Optional<String> lockSchemaMigration() {
    return Optional.of(LOCK_SCHEMA_MIGRATION);
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
  public String leaseDueDeliveries() {
    return LEASE_DUE_DELIVERIES;
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
    return "now()";
  }
}
