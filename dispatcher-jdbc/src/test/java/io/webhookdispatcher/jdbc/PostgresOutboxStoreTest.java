package io.webhookdispatcher.jdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Runs the store contract on PostgreSQL, in a database of its own that it creates and drops. The
 * server is embedded unless {@value PostgresServer#URL_VARIABLE} names one.
 */
class PostgresOutboxStoreTest extends OutboxStoreContractTest {
  private static final String DATABASE = TestDatabases.randomName();

  private static String databaseUrl;

  @BeforeAll
  static void createDatabase() {
    databaseUrl = PostgresServer.createDatabase(DATABASE);
  }

  @AfterAll
  static void dropDatabase() {
    PostgresServer.dropDatabase(DATABASE);
  }

  @Override
  String jdbcUrl() {
    return databaseUrl;
  }

  @Override
  String unreachableJdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + TestDatabases.closedPort() + "/webhooks";
  }

  @Override
  long sessionsInsertingMessages() {
    return queryLong(
        "SELECT COUNT(*) FROM pg_stat_activity"
            + " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            + " AND query LIKE 'INSERT INTO webhook_message%'");
  }
}
