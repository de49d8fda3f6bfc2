package io.webhookdispatcher.jdbc;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;

/**
 * The SQL that the store runs on one database product, one statement per method.
 *
 * <p>Statements use Jdbi's named parameters ({@code :name}) and list parameters ({@code <name>}).
 * Every due time and lease expiry is computed by the database from its own clock, so the statements
 * that compare or add times live in each implementation with the rest of the product's SQL. The
 * default methods return the statements of {@link StandardSql}, which every supported product runs
 * unchanged. A new database needs an implementation of this interface, a schema folder of migration
 * scripts and a case in {@link #forJdbcUrl} and {@link #forProductName}.
 */
interface Dialect {

  /** Databases that the store supports, as named in error messages. */
  String SUPPORTED_DATABASES =
      "H2 (jdbc:h2:), PostgreSQL 12 or later (jdbc:postgresql:), MySQL 8 or later (jdbc:mysql:)"
          + " and MariaDB 10.6 or later (jdbc:mariadb:)";

  /** Returns the product name used in logs and error messages, such as {@code PostgreSQL}. */
  String name();

  /**
   * Returns the folder under {@code io/webhookdispatcher/jdbc/schema/} that contains this product's
   * migration scripts.
   */
  String schemaFolder();

  /** Returns how this product stores UUIDs and instants. */
  ColumnTypes columnTypes();

  /** Returns whether an exception reports a duplicate primary key or unique key. */
  boolean isUniqueViolation(SQLException exception);

  /**
   * Checks that the server is a version that runs this dialect's SQL.
   *
   * @throws IllegalStateException naming the server's version and the oldest supported one
   */
  default void requireSupportedVersion(DatabaseMetaData metaData) throws SQLException {}

  /**
   * Returns whether the product rolls back DDL with its transaction. When it does, the migrator
   * takes the lock and applies every missing script in one transaction.
   */
  boolean hasTransactionalDdl();

  /**
   * Returns the query that waits for the lock that serializes schema migrations across nodes and
   * returns 1 once this session holds it, or empty when the product needs no lock because one node
   * at a time opens the database. With {@link #hasTransactionalDdl()} the lock ends with the
   * transaction; otherwise {@link #unlockSchemaMigration()} releases it.
   */
  Optional<String> lockSchemaMigration();

  /** Returns the query that releases a session's migration lock, or empty when none is needed. */
  Optional<String> unlockSchemaMigration();

  String createSchemaVersionTable();

  default String selectAppliedSchemaVersions() {
    return StandardSql.SELECT_APPLIED_SCHEMA_VERSIONS;
  }

  String insertSchemaVersion();

  String insertEndpoint();

  default String selectLiveEndpoint() {
    return StandardSql.SELECT_LIVE_ENDPOINT;
  }

  String markEndpointDeleted();

  String cancelPendingDeliveriesOfEndpoint();

  String insertMessage();

  /**
   * Returns the statement that inserts a delivery of message {@code :messageId}, due now, for every
   * endpoint that is not deleted and whose {@code hand_off} flag equals {@code :handOff}, leaving
   * out each filtered endpoint that does not list {@code :eventType}. It must stay one {@code
   * INSERT ... SELECT}, so that a publish costs one statement whatever the number of endpoints.
   */
  String insertDeliveriesForLiveEndpoints();

  default String selectMessage() {
    return StandardSql.SELECT_MESSAGE;
  }

  default String selectMessageByIdempotencyKey() {
    return StandardSql.SELECT_MESSAGE_BY_IDEMPOTENCY_KEY;
  }

  /**
   * Returns the query that finds a message by idempotency key after an insert failed on that key.
   * It must see the row that the competing transaction committed, also when the caller's
   * transaction reads from an older snapshot.
   */
  default String selectCommittedMessageByIdempotencyKey() {
    return selectMessageByIdempotencyKey();
  }

  default String countMessages() {
    return StandardSql.COUNT_MESSAGES;
  }

  /**
   * Returns the query that locks the ids of at most {@code :limit} due deliveries, oldest due
   * first, skipping rows that other transactions hold, or empty when {@link #leaseDueDeliveries()}
   * chooses the due deliveries itself.
   */
  default Optional<String> lockDueDeliveryIds() {
    return Optional.empty();
  }

  /**
   * Returns the statement that leases deliveries: it sets {@code :leaseToken}, {@code :leaseOwner}
   * and a lease expiry {@code :leaseMillis} after the database's now. Without {@link
   * #lockDueDeliveryIds()} it leases at most {@code :limit} due deliveries, oldest due first, and
   * skips rows that other transactions hold. With it, it leases the deliveries whose ids the lock
   * query returned, bound as the list {@code <deliveryIds>}.
   */
  String leaseDueDeliveries();

  default String selectLeasedDeliveries() {
    return StandardSql.SELECT_LEASED_DELIVERIES;
  }

  /**
   * Returns the query that locks the pending deliveries among the list {@code <deliveryIds>} and
   * returns their {@code id} and {@code lease_token}.
   */
  default String lockPendingDeliveries() {
    return StandardSql.LOCK_PENDING_DELIVERIES;
  }

  /**
   * Returns the statement that moves a leased delivery to its next state and clears the lease, only
   * while the row is still pending under the result's {@code :leaseToken}.
   */
  String completeLeasedDelivery();

  default String insertAttempt() {
    return StandardSql.INSERT_ATTEMPT;
  }

  default String selectAttemptsOfMessage() {
    return StandardSql.SELECT_ATTEMPTS_OF_MESSAGE;
  }

  default String countPendingDeliveries() {
    return StandardSql.COUNT_PENDING_DELIVERIES;
  }

  /**
   * Chooses the dialect for a JDBC URL.
   *
   * @throws IllegalArgumentException naming the URL, with any password masked, and the supported
   *     databases when no dialect matches
   */
  static Dialect forJdbcUrl(String jdbcUrl) {
    if (hasPrefix(jdbcUrl, "jdbc:h2:")) {
      return new H2Dialect();
    }
    if (hasPrefix(jdbcUrl, "jdbc:postgresql:")) {
      return new PostgresDialect();
    }
    if (hasPrefix(jdbcUrl, "jdbc:mysql:")) {
      return new MySqlDialect("MySQL");
    }
    if (hasPrefix(jdbcUrl, "jdbc:mariadb:")) {
      return new MySqlDialect("MariaDB");
    }
    throw new IllegalArgumentException(
        "Unsupported JDBC URL '"
            + JdbcUrls.maskPassword(jdbcUrl)
            + "': the webhook store supports "
            + SUPPORTED_DATABASES);
  }

  /**
   * Chooses the dialect for the product name that {@link java.sql.DatabaseMetaData} reports.
   *
   * @throws IllegalArgumentException naming the product, the URL with any password masked, and the
   *     supported databases when no dialect matches
   */
  static Dialect forProductName(String productName, String jdbcUrl) {
    String product = productName == null ? "" : productName.toUpperCase(Locale.ROOT);
    switch (product) {
      case "H2":
        return new H2Dialect();
      case "POSTGRESQL":
        return new PostgresDialect();
      case "MYSQL":
        return new MySqlDialect("MySQL");
      case "MARIADB":
        return new MySqlDialect("MariaDB");
      default:
        throw new IllegalArgumentException(
            "Unsupported database '"
                + productName
                + "' behind the DataSource at '"
                + JdbcUrls.maskPassword(jdbcUrl)
                + "': the webhook store supports "
                + SUPPORTED_DATABASES);
    }
  }

  private static boolean hasPrefix(String jdbcUrl, String prefix) {
    return jdbcUrl.regionMatches(true, 0, prefix, 0, prefix.length());
  }

  /**
   * Returns the query that selects the ids of at most {@code :batchSize} messages created more than
   * {@code :ageMillis} milliseconds before the database's now that have no pending delivery, oldest
   * first.
   */
  String selectPurgeableMessageIds();

  default String deleteAttemptsOfMessages() {
    return StandardSql.DELETE_ATTEMPTS_OF_MESSAGES;
  }

  default String deleteDeliveriesOfMessages() {
    return StandardSql.DELETE_DELIVERIES_OF_MESSAGES;
  }

  default String deleteMessages() {
    return StandardSql.DELETE_MESSAGES;
  }

  /**
   * Returns whether a batch of updates reports each statement's update count, so that recording
   * results can rely on them instead of locking and reading the rows first. MySQL's driver may
   * report {@link java.sql.Statement#SUCCESS_NO_INFO} instead.
   */
  default boolean reportsBatchUpdateCounts() {
    return false;
  }

  /**
   * Returns whether claims on this database must not run at once within one process. H2 serves one
   * process per database file, and its row locks stall claims that run at once, so its store
   * claims one batch at a time.
   */
  default boolean serializesClaims() {
    return false;
  }

  /**
   * Returns the query that counts each endpoint's live leases when the store picks each endpoint's
   * fair share of due deliveries in Java, with {@link StandardSql#SELECT_LIVE_ENDPOINT_IDS} and
   * {@link StandardSql#SELECT_DUE_OF_ENDPOINT}, endpoint by endpoint. Empty when {@link
   * #lockDueDeliveryIds()} or {@link #leaseDueDeliveries()} pick the share in SQL. With it, {@link
   * #lockDueDeliveryIds()} locks the chosen ids, bound as {@code <deliveryIds>}. The query returns
   * {@code endpoint_id} and {@code leased}, the number of its deliveries under a live lease, and
   * differs per database so that each reads it through an index.
   */
  default Optional<String> countLeasedForFairShareInJava() {
    return Optional.empty();
  }

  /**
   * Returns the SQL expression for the database's current time in the form that its time columns
   * store, for the statements of {@link StandardSql} that define it as {@code <now>}.
   */
  String currentTimestamp();
}
