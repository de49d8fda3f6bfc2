package io.webhookdispatcher.jdbc;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Runs the store contract on an H2 database file in a temporary directory. */
class H2OutboxStoreTest extends OutboxStoreContractTest {

  @TempDir Path directory;

  @Override
  String jdbcUrl() {
    return "jdbc:h2:file:" + directory.resolve("outbox").toAbsolutePath();
  }

  @Override
  String unreachableJdbcUrl() {
    return "jdbc:h2:tcp://127.0.0.1:" + TestDatabases.closedPort() + "/mem:unreachable";
  }

  @Override
  long sessionsInsertingMessages() {
    return queryLong(
        "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS"
            + " WHERE EXECUTING_STATEMENT LIKE 'INSERT INTO webhook_message%'");
  }

  /**
   * Returns false: one process at a time opens an H2 file, so the store takes no migration lock on
   * H2, and H2 fails a {@code CREATE INDEX IF NOT EXISTS} that races with the same statement.
   */
  @Override
  boolean locksSchemaMigrations() {
    return false;
  }
}
