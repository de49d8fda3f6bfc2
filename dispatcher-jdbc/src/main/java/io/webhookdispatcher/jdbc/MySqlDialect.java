package io.webhookdispatcher.jdbc;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQL for MySQL 8 and later and MariaDB 10.6 and later, which share it.
 *
 * <p>Every time is a {@code DATETIME(6)} in UTC from {@code UTC_TIMESTAMP(6)}, so neither the
 * session's nor the server's time zone changes a stored value. MySQL has no {@code UPDATE ...
 * RETURNING}, and MariaDB 10.11 has neither that nor {@code FOR UPDATE OF}, so a claim takes three
 * statements in one transaction: it locks the ids of due rows with {@code FOR UPDATE SKIP LOCKED},
 * leases those ids, and reads them back by lease token.
 *
 * <p>MySQL commits each DDL statement at once, so migrations hold a named lock ({@code GET_LOCK})
 * for the session instead of a transaction, and every script statement is idempotent.
 *
 * <p>NOTE: under the default REPEATABLE READ isolation, InnoDB reads the endpoints of {@code INSERT
 * ... SELECT} with shared locks, so while a transaction that published a message is open, creating
 * or deleting an endpoint waits for it to end.
 */
final class MySqlDialect implements Dialect {

  /** Oldest supported MySQL major version: 8.0 added {@code SKIP LOCKED}. */
  static final int MIN_MYSQL_MAJOR_VERSION = 8;

  /** Oldest supported MariaDB version, as major and minor: 10.6 added {@code SKIP LOCKED}. */
  static final int MIN_MARIADB_MAJOR_VERSION = 10;

  static final int MIN_MARIADB_MINOR_VERSION = 6;

  /** Vendor error code {@code ER_DUP_ENTRY}, shared by MySQL and MariaDB. */
  private static final int DUPLICATE_ENTRY_ERROR_CODE = 1062;

  /**
   * MariaDB's version inside a product version string. MariaDB's driver reports {@code
   * 10.11.6-MariaDB}. MariaDB servers before 11.0 send {@code 5.5.5-10.11.6-MariaDB} in the
   * handshake, which other drivers may report.
   */
  private static final Pattern MARIADB_VERSION = Pattern.compile("(\\d+)\\.(\\d+)\\.\\d+-MariaDB");

  /**
   * Waits up to 60 seconds for the named lock that serializes migrations, and returns 0 on timeout.
   * Lock names are server-wide, so the name carries the current database, cut to the 64 characters
   * that MySQL allows. Without a current database, the lock is taken and the first {@code CREATE
   * TABLE} then fails with "No database selected".
   */
  private static final String LOCK_SCHEMA_MIGRATION =
      """
      SELECT GET_LOCK(CONCAT('webhook_migration:', LEFT(COALESCE(DATABASE(), ''), 46)), 60)\
      """;

  private static final String UNLOCK_SCHEMA_MIGRATION =
      """
      SELECT RELEASE_LOCK(CONCAT('webhook_migration:', LEFT(COALESCE(DATABASE(), ''), 46)))\
      """;

  private static final String CREATE_SCHEMA_VERSION_TABLE =
      """
      CREATE TABLE IF NOT EXISTS webhook_schema_version (
        version INT NOT NULL,
        script VARCHAR(255) NOT NULL,
        applied_at DATETIME(6) NOT NULL,
        PRIMARY KEY (version)
      ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4\
      """;

  private static final String INSERT_SCHEMA_VERSION =
      """
      INSERT INTO webhook_schema_version (version, script, applied_at)
      VALUES (:version, :script, UTC_TIMESTAMP(6))\
      """;

  private static final String INSERT_ENDPOINT =
      """
      INSERT INTO webhook_endpoint (id, url, description, secret, rate_limit, created_at)
      VALUES (:id, :url, :description, :secret, :rateLimit, UTC_TIMESTAMP(6))\
      """;

  private static final String MARK_ENDPOINT_DELETED =
      """
      UPDATE webhook_endpoint
      SET deleted_at = UTC_TIMESTAMP(6)
      WHERE id = :id AND deleted_at IS NULL AND hand_off = FALSE\
      """;

  private static final String CANCEL_PENDING_DELIVERIES_OF_ENDPOINT =
      """
      UPDATE webhook_delivery
      SET state = 'CANCELLED',
          lease_token = NULL,
          lease_owner = NULL,
          lease_until = NULL,
          updated_at = UTC_TIMESTAMP(6)
      WHERE endpoint_id = :endpointId AND state = 'PENDING'\
      """;

  private static final String INSERT_MESSAGE =
      """
      INSERT INTO webhook_message (id, event_type, body, idempotency_key, created_at)
      VALUES (:id, :eventType, :body, :idempotencyKey, UTC_TIMESTAMP(6))\
      """;

  private static final String INSERT_DELIVERIES_FOR_LIVE_ENDPOINTS =
      """
      INSERT INTO webhook_delivery
        (message_id, endpoint_id, state, attempts, next_attempt_at, updated_at)
      SELECT :messageId, id,
             CASE WHEN disabled_at IS NULL THEN 'PENDING' ELSE 'FAILED' END,
             0, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)
      FROM webhook_endpoint
      WHERE deleted_at IS NULL AND hand_off = :handOff
        AND (filtered = FALSE
          OR EXISTS (
            SELECT 1 FROM webhook_endpoint_event_type t
            WHERE t.endpoint_id = webhook_endpoint.id AND t.event_type = :eventType))\
      """;

  /**
   * Finds a message by key with a locking read, which returns the latest committed row: a plain
   * read under REPEATABLE READ would return the snapshot taken before the competing insert
   * committed.
   */
  private static final String SELECT_COMMITTED_MESSAGE_BY_IDEMPOTENCY_KEY =
      """
      SELECT id, event_type, body, created_at
      FROM webhook_message
      WHERE idempotency_key = :idempotencyKey
      LOCK IN SHARE MODE\
      """;

  /**
   * Counts each endpoint's deliveries under a live lease, through the lease token index. Only pending
   * rows carry a lease token, since every change of state clears it. The store picks each
   * endpoint's fair share of due rows in Java with it, endpoint by endpoint, so a claim reads no
   * more rows than the endpoints' room, then locks the chosen ids.
   */
  private static final String COUNT_LEASED_BY_ENDPOINT =
      """
      SELECT endpoint_id, COUNT(*) AS leased
      FROM webhook_delivery
      WHERE lease_token IS NOT NULL AND lease_until >= UTC_TIMESTAMP(6)
      GROUP BY endpoint_id\
      """;

  /** Locks the chosen deliveries that are still due and unleased, skipping rows locked by others. */
  private static final String LOCK_CHOSEN_DELIVERY_IDS =
      """
      SELECT id
      FROM webhook_delivery
      WHERE id IN (<deliveryIds>)
        AND state = 'PENDING'
        AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP(6))
      FOR UPDATE SKIP LOCKED\
      """;

  private static final String LEASE_LOCKED_DELIVERIES =
      """
      UPDATE webhook_delivery
      SET lease_token = :leaseToken,
          lease_owner = :leaseOwner,
          lease_until = DATE_ADD(UTC_TIMESTAMP(6), INTERVAL :leaseMillis * 1000 MICROSECOND),
          updated_at = UTC_TIMESTAMP(6)
      WHERE id IN (<deliveryIds>)\
      """;

  private static final String COMPLETE_LEASED_DELIVERY =
      """
      UPDATE webhook_delivery
      SET state = :state,
          attempts = :attempt,
          next_attempt_at = DATE_ADD(UTC_TIMESTAMP(6), INTERVAL :retryMillis * 1000 MICROSECOND),
          lease_token = NULL,
          lease_owner = NULL,
          lease_until = NULL,
          updated_at = UTC_TIMESTAMP(6)
      WHERE id = :deliveryId AND state = 'PENDING' AND lease_token = :leaseToken\
      """;

  private final String name;

  /** Creates the dialect; {@code name} is {@code MySQL} or {@code MariaDB}, for messages. */
  MySqlDialect(String name) {
    this.name = name;
  }

  private static final String SELECT_PURGEABLE_MESSAGE_IDS =
      """
      SELECT m.id
      FROM webhook_message m
      WHERE m.created_at < DATE_SUB(UTC_TIMESTAMP(6), INTERVAL :ageMillis * 1000 MICROSECOND)
        AND NOT EXISTS (
          SELECT 1 FROM webhook_delivery d
          WHERE d.message_id = m.id AND d.state = 'PENDING')
      ORDER BY m.created_at
      LIMIT :batchSize\
      """;

  @Override
  public String name() {
    return name;
  }

  @Override
  public String schemaFolder() {
    return "mysql";
  }

  @Override
  public ColumnTypes columnTypes() {
    return ColumnTypes.TEXT_UUID_UTC_DATETIME;
  }

  @Override
  public boolean isUniqueViolation(SQLException exception) {
    return exception.getErrorCode() == DUPLICATE_ENTRY_ERROR_CODE;
  }

  @Override
  public void requireSupportedVersion(DatabaseMetaData metaData) throws SQLException {
    String version = metaData.getDatabaseProductVersion();
    Matcher mariaDb = MARIADB_VERSION.matcher(version);
    if (mariaDb.find()) {
      int major = Integer.parseInt(mariaDb.group(1));
      int minor = Integer.parseInt(mariaDb.group(2));
      boolean tooOld =
          major < MIN_MARIADB_MAJOR_VERSION
              || (major == MIN_MARIADB_MAJOR_VERSION && minor < MIN_MARIADB_MINOR_VERSION);
      if (tooOld) {
        throw unsupported("MariaDB " + version, "MariaDB 10.6");
      }
    } else if (metaData.getDatabaseMajorVersion() < MIN_MYSQL_MAJOR_VERSION) {
      throw unsupported("MySQL " + version, "MySQL 8.0");
    }
  }

  private static IllegalStateException unsupported(String server, String oldestSupported) {
    return new IllegalStateException(
        server
            + " is not supported: the webhook store needs "
            + oldestSupported
            + " or later, the first version with SELECT ... FOR UPDATE SKIP LOCKED");
  }

  @Override
  public boolean hasTransactionalDdl() {
    return false;
  }

  @Override
  public Optional<String> lockSchemaMigration() {
    return Optional.of(LOCK_SCHEMA_MIGRATION);
  }

  @Override
  public Optional<String> unlockSchemaMigration() {
    return Optional.of(UNLOCK_SCHEMA_MIGRATION);
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
  public String selectCommittedMessageByIdempotencyKey() {
    return SELECT_COMMITTED_MESSAGE_BY_IDEMPOTENCY_KEY;
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
    return "UTC_TIMESTAMP(6)";
  }
}
