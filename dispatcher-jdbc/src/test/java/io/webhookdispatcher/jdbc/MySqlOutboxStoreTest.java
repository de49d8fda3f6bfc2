package io.webhookdispatcher.jdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Runs the store contract on the MySQL or MariaDB server that {@value #URL_VARIABLE} names, such as
 * {@code jdbc:mariadb://127.0.0.1:3306/test?user=root}, in a database of its own that it creates
 * and drops. Without the variable, JUnit reports the class as skipped.
 *
 * <p>Every connection runs in the session time zone {@value #SESSION_TIME_ZONE}, so a time that the
 * store took from the session's clock instead of UTC would fail the tests that compare stored times
 * with the JVM's clock.
 */
@EnabledIfEnvironmentVariable(named = MySqlOutboxStoreTest.URL_VARIABLE, matches = ".+")
class MySqlOutboxStoreTest extends OutboxStoreContractTest {

  /** Environment variable with the JDBC URL of the MySQL or MariaDB server for these tests. */
  static final String URL_VARIABLE = "WEBHOOKS_TEST_MYSQL_URL";

  static final String SESSION_TIME_ZONE = "-07:00";

  private static final String DATABASE = TestDatabases.randomName();

  private static String databaseUrl;

  @BeforeAll
  static void createDatabase() {
    TestDatabases.execute(serverUrl(), "CREATE DATABASE " + DATABASE);
    databaseUrl =
        TestDatabases.withProperty(
            TestDatabases.withDatabase(serverUrl(), DATABASE),
            "sessionVariables=time_zone='" + SESSION_TIME_ZONE + "'");
  }

  @AfterAll
  static void dropDatabase() {
    TestDatabases.execute(serverUrl(), "DROP DATABASE " + DATABASE);
  }

  private static String serverUrl() {
    return System.getenv(URL_VARIABLE);
  }

  @Override
  String jdbcUrl() {
    return databaseUrl;
  }

  @Override
  String unreachableJdbcUrl() {
    return "jdbc:mariadb://127.0.0.1:" + TestDatabases.closedPort() + "/webhooks";
  }

  @Override
  long sessionsInsertingMessages() {
    return queryLong(
        "SELECT COUNT(*) FROM information_schema.PROCESSLIST"
            + " WHERE DB = DATABASE() AND INFO LIKE 'INSERT INTO webhook_message%'");
  }
}
