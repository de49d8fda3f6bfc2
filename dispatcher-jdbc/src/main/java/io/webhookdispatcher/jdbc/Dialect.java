package io.webhookdispatcher.jdbc;

import java.sql.SQLException;
import java.util.Locale;

/**
 * The SQL that the store runs on one database product, one statement per method.
 *
 * <p>Statements use Jdbi's named parameters ({@code :name}). Every due time and lease expiry is
 * computed by the database from its own {@code CURRENT_TIMESTAMP}, so the statements that compare
 * or add times live here with the rest of the product's SQL. A new database needs an implementation
 * of this interface, a schema folder of migration scripts and a case in {@link #forJdbcUrl} and
 * {@link #forProductName}.
 */
interface Dialect {

  /** Databases that the store supports, as named in error messages. */
  String SUPPORTED_DATABASES = "H2 (JDBC URLs starting with jdbc:h2:)";

  /** Returns the product name used in logs and error messages, such as {@code H2}. */
  String name();

  /**
   * Returns the folder under {@code io/webhookdispatcher/jdbc/schema/} that contains this product's
   * migration scripts.
   */
  String schemaFolder();

  /** Returns whether an exception reports a duplicate primary key or unique key. */
  boolean isUniqueViolation(SQLException exception);

  String createSchemaVersionTable();

  String selectAppliedSchemaVersions();

  String insertSchemaVersion();

  String insertEndpoint();

  String selectLiveEndpoint();

  String markEndpointDeleted();

  String cancelPendingDeliveriesOfEndpoint();

  String insertMessage();

  String insertDeliveriesForLiveEndpoints();

  String selectMessage();

  String selectMessageByIdempotencyKey();

  String countMessages();

  /**
   * Returns the statement that leases due deliveries: it sets {@code :leaseToken}, {@code
   * :leaseOwner} and a lease expiry {@code :leaseMillis} after the database's now on at most {@code
   * :limit} deliveries, oldest due first.
   */
  String leaseDueDeliveries();

  String selectLeasedDeliveries();

  /**
   * Returns the statement that moves a leased delivery to its next state and clears the lease, only
   * while the row is still pending under the result's {@code :leaseToken}.
   */
  String completeLeasedDelivery();

  String insertAttempt();

  String selectAttemptsOfMessage();

  String countPendingDeliveries();

  /**
   * Chooses the dialect for a JDBC URL.
   *
   * @throws IllegalArgumentException naming the URL, with any password masked, and the supported
   *     databases when no dialect matches
   */
  static Dialect forJdbcUrl(String jdbcUrl) {
    if (jdbcUrl.regionMatches(true, 0, "jdbc:h2:", 0, "jdbc:h2:".length())) {
      return new H2Dialect();
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
    if (productName != null && productName.toUpperCase(Locale.ROOT).equals("H2")) {
      return new H2Dialect();
    }
    throw new IllegalArgumentException(
        "Unsupported database '"
            + productName
            + "' behind the DataSource at '"
            + JdbcUrls.maskPassword(jdbcUrl)
            + "': the webhook store supports "
            + SUPPORTED_DATABASES);
  }
}
