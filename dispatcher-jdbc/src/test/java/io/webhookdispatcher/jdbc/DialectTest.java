package io.webhookdispatcher.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Proxy;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * Choice of the SQL dialect and the server version check. The version checks run on metadata stubs,
 * because no server older than the supported versions runs here.
 */
class DialectTest {

  @Test
  void postgresql_url_selects_postgres_dialect() {
    Dialect dialect = Dialect.forJdbcUrl("jdbc:postgresql://127.0.0.1:5432/app");

    assertThat(dialect).isInstanceOf(PostgresDialect.class);
  }

  @Test
  void mysql_url_selects_mysql_dialect() {
    Dialect dialect = Dialect.forJdbcUrl("jdbc:mysql://127.0.0.1:3306/app");

    assertThat(dialect).isInstanceOf(MySqlDialect.class);
    assertThat(dialect.name()).isEqualTo("MySQL");
  }

  @Test
  void mariadb_url_selects_mysql_dialect() {
    Dialect dialect = Dialect.forJdbcUrl("JDBC:MARIADB://127.0.0.1:3306/app");

    assertThat(dialect).isInstanceOf(MySqlDialect.class);
    assertThat(dialect.name()).isEqualTo("MariaDB");
  }

  @Test
  void product_names_select_dialects() {
    assertThat(Dialect.forProductName("H2", "jdbc:h2:mem:x")).isInstanceOf(H2Dialect.class);
    assertThat(Dialect.forProductName("PostgreSQL", "jdbc:postgresql://h/x"))
        .isInstanceOf(PostgresDialect.class);
    assertThat(Dialect.forProductName("MySQL", "jdbc:mysql://h/x"))
        .isInstanceOf(MySqlDialect.class);
    assertThat(Dialect.forProductName("MariaDB", "jdbc:mariadb://h/x"))
        .isInstanceOf(MySqlDialect.class);
  }

  @Test
  void unknown_product_lists_supported_databases() {
    IllegalArgumentException thrown =
        assertThrows(
            IllegalArgumentException.class,
            () -> Dialect.forProductName("Oracle", "jdbc:oracle:thin:app/hunter2@db:1521/x"));

    assertThat(thrown).hasMessageContaining("Unsupported database 'Oracle'");
    assertThat(thrown).hasMessageContaining("MariaDB 10.6 or later");
  }

  @Test
  void postgresql_11_is_rejected() {
    DatabaseMetaData metaData = metaData("11.22", 11);

    IllegalStateException thrown =
        assertThrows(
            IllegalStateException.class,
            () -> new PostgresDialect().requireSupportedVersion(metaData));

    assertThat(thrown).hasMessageContaining("PostgreSQL 11.22 is not supported");
    assertThat(thrown).hasMessageContaining("PostgreSQL 12 or later");
  }

  @Test
  void postgresql_12_is_accepted() throws SQLException {
    new PostgresDialect().requireSupportedVersion(metaData("12.0", 12));
  }

  @Test
  void mysql_57_is_rejected() {
    DatabaseMetaData metaData = metaData("5.7.44", 5);

    IllegalStateException thrown =
        assertThrows(
            IllegalStateException.class,
            () -> new MySqlDialect("MySQL").requireSupportedVersion(metaData));

    assertThat(thrown).hasMessageContaining("MySQL 5.7.44 is not supported");
  }

  @Test
  void mysql_8_is_accepted() throws SQLException {
    new MySqlDialect("MySQL").requireSupportedVersion(metaData("8.0.36", 8));
  }

  @Test
  void mariadb_105_is_rejected() {
    DatabaseMetaData metaData = metaData("10.5.23-MariaDB-1:10.5.23+maria~deb11", 10);

    IllegalStateException thrown =
        assertThrows(
            IllegalStateException.class,
            () -> new MySqlDialect("MariaDB").requireSupportedVersion(metaData));

    assertThat(thrown).hasMessageContaining("needs MariaDB 10.6 or later");
  }

  @Test
  void mariadb_behind_mysql_prefix_is_accepted() throws SQLException {
    DatabaseMetaData metaData = metaData("5.5.5-10.11.6-MariaDB-0+deb12u1", 5);

    new MySqlDialect("MySQL").requireSupportedVersion(metaData);
  }

  @Test
  void mariadb_11_is_accepted() throws SQLException {
    new MySqlDialect("MariaDB").requireSupportedVersion(metaData("11.4.2-MariaDB", 11));
  }

  /** Returns metadata that reports only a product version and a major version. */
  private static DatabaseMetaData metaData(String productVersion, int majorVersion) {
    return (DatabaseMetaData)
        Proxy.newProxyInstance(
            DatabaseMetaData.class.getClassLoader(),
            new Class<?>[] {DatabaseMetaData.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "getDatabaseProductVersion":
                  return productVersion;
                case "getDatabaseMajorVersion":
                  return majorVersion;
                default:
                  throw new UnsupportedOperationException(method.getName());
              }
            });
  }
}
