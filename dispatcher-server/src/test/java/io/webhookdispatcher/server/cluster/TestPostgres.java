package io.webhookdispatcher.server.cluster;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL database with a random name that one test creates and drops. It lives on the server
 * that {@value #URL_VARIABLE} names, or else on an embedded server that this object starts and
 * stops.
 */
final class TestPostgres implements AutoCloseable {

  /** Environment variable with the JDBC URL of a running PostgreSQL server to use. */
  static final String URL_VARIABLE = "WEBHOOKS_TEST_POSTGRES_URL";

  /** {@code jdbc:postgresql://host:port}, an optional database path, optional properties. */
  private static final Pattern SERVER_URL =
      Pattern.compile(
          "jdbc:postgresql://([^/?:]+)(?::(\\d+))?(/[^?]*)?(\\?.*)?", Pattern.CASE_INSENSITIVE);

  private static final Pattern USER_PROPERTY = Pattern.compile("[?&]user=([^&]*)");

  private final EmbeddedPostgres embedded;
  private final String serverUrl;
  private final String host;
  private final int port;
  private final String properties;
  private final String databaseName;

  private TestPostgres(EmbeddedPostgres embedded, String serverUrl) {
    Matcher matcher = SERVER_URL.matcher(serverUrl);
    if (!matcher.matches()) {
      throw new IllegalArgumentException(
          URL_VARIABLE
              + " is invalid: expected a URL such as"
              + " jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    }
    this.embedded = embedded;
    this.serverUrl = serverUrl;
    this.host = matcher.group(1);
    this.port = matcher.group(2) == null ? 5432 : Integer.parseInt(matcher.group(2));
    this.properties = matcher.group(4) == null ? "" : matcher.group(4);
    this.databaseName = "webhooks_cluster_" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Creates the database on the configured server, or on an embedded server that it starts. */
  static TestPostgres create() {
    String configured = System.getenv(URL_VARIABLE);
    TestPostgres postgres;
    if (configured == null || configured.isBlank()) {
      EmbeddedPostgres embedded = startEmbedded();
      postgres =
          new TestPostgres(
              embedded,
              "jdbc:postgresql://127.0.0.1:" + embedded.getPort() + "/postgres?user=postgres");
    } else {
      postgres = new TestPostgres(null, configured);
    }
    try {
      postgres.executeOnServer("CREATE DATABASE " + postgres.databaseName);
    } catch (RuntimeException e) {
      postgres.stopEmbedded();
      throw e;
    }
    return postgres;
  }

  private static EmbeddedPostgres startEmbedded() {
    try {
      return EmbeddedPostgres.builder()
          .setServerConfig("listen_addresses", "127.0.0.1")
          .setRegisterShutdownHook(true)
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Failed to start the embedded PostgreSQL server: set "
              + URL_VARIABLE
              + " to use a running server instead",
          e);
    }
  }

  /** Returns the JDBC URL of the test database, with the server's connection properties. */
  String jdbcUrl() {
    return jdbcUrlAt(host, port);
  }

  /** Returns the JDBC URL of the test database reached through another host and port. */
  String jdbcUrlAt(String otherHost, int otherPort) {
    return "jdbc:postgresql://" + otherHost + ":" + otherPort + "/" + databaseName + properties;
  }

  /** Returns the host of the server. */
  String host() {
    return host;
  }

  /** Returns the TCP port of the server. */
  int port() {
    return port;
  }

  /** Returns the user named in the URL's {@code user} property, or {@code postgres}. */
  String user() {
    Matcher matcher = USER_PROPERTY.matcher(properties);
    return matcher.find() ? matcher.group(1) : "postgres";
  }

  /** Opens a connection to the test database. */
  Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl());
  }

  /** Returns the single number that a query returns. */
  long queryLong(String sql, Object... parameters) throws SQLException {
    try (Connection connection = connect();
        var statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      try (var result = statement.executeQuery()) {
        result.next();
        return result.getLong(1);
      }
    }
  }

  /** Drops the database, ending any session left on it, and stops the embedded server. */
  @Override
  public void close() {
    try {
      executeOnServer(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
              + databaseName
              + "'",
          "DROP DATABASE IF EXISTS " + databaseName);
    } finally {
      stopEmbedded();
    }
  }

  private void executeOnServer(String... statements) {
    try (Connection connection = DriverManager.getConnection(serverUrl);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Failed to run '" + String.join("; ", statements) + "' on the test PostgreSQL server", e);
    }
  }

  private void stopEmbedded() {
    if (embedded == null) {
      return;
    }
    try {
      embedded.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to stop the embedded PostgreSQL server", e);
    }
  }
}
