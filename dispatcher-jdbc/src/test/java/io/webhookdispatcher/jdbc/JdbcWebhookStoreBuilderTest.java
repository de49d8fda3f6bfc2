package io.webhookdispatcher.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.zaxxer.hikari.HikariDataSource;
import io.webhookdispatcher.StoreUnavailableException;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Configuration of {@link JdbcWebhookStore}, on in-memory H2 databases. */
class JdbcWebhookStoreBuilderTest {

  /**
   * H2 2.4.240 tied each CHECK constraint to the session that created it. Once the store that
   * migrated the schema closed its connections while the database stayed open (an in-memory
   * database with a close delay, or a second store), every insert of a delivery failed.
   */
  @Test
  void publish_after_migrating_store_closes() {
    String url = "jdbc:h2:mem:migrated-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    try (JdbcWebhookStore migrating = JdbcWebhookStore.builder().jdbcUrl(url).build()) {
      migrating.create(UUID.randomUUID(), URI.create("http://127.0.0.1:9/hook"), null, "whsec_a2V5");
    }

    try (JdbcWebhookStore store = JdbcWebhookStore.builder().jdbcUrl(url).build()) {
      store.publish(
          new io.webhookdispatcher.spi.OutboxMessage(
              UUID.randomUUID(), "payment.created", "{}".getBytes(), null));

      assertThat(store.pendingCount()).isEqualTo(1);
    }
  }

  @Test
  void unsupported_url_names_url_and_databases() {
    String url = "jdbc:sqlserver://127.0.0.1:1433;databaseName=hooks;user=app;password=hunter2";

    IllegalArgumentException thrown =
        assertThrows(IllegalArgumentException.class, () -> JdbcWebhookStore.builder().jdbcUrl(url));

    assertThat(thrown)
        .hasMessageContaining(
            "jdbc:sqlserver://127.0.0.1:1433;databaseName=hooks;user=app;password=****");
    assertThat(thrown).hasMessageContaining("PostgreSQL 12 or later");
    assertThat(thrown.getMessage()).doesNotContain("hunter2");
  }

  @Test
  void password_in_h2_url_is_masked() {
    String masked =
        JdbcUrls.maskPassword("jdbc:h2:tcp://127.0.0.1/db;USER=sa;PASSWORD=hunter2;X=1");

    assertThat(masked).isEqualTo("jdbc:h2:tcp://127.0.0.1/db;USER=sa;PASSWORD=****;X=1");
  }

  @Test
  void password_in_authority_is_masked() {
    String masked = JdbcUrls.maskPassword("jdbc:mysql://app:hunter2@127.0.0.1:3306/hooks");

    assertThat(masked).isEqualTo("jdbc:mysql://app:****@127.0.0.1:3306/hooks");
  }

  @Test
  void url_without_password_is_unchanged() {
    String url = "jdbc:h2:tcp://127.0.0.1:9092/mem:hooks";

    assertThat(JdbcUrls.maskPassword(url)).isEqualTo(url);
  }

  @Test
  void build_without_database_is_rejected() {
    IllegalStateException thrown =
        assertThrows(IllegalStateException.class, () -> JdbcWebhookStore.builder().build());

    assertThat(thrown).hasMessageContaining("jdbcUrl(...) or dataSource(...)");
  }

  @Test
  void pool_option_with_data_source_is_rejected() {
    try (HikariDataSource dataSource = inMemoryDataSource()) {
      JdbcWebhookStore.Builder builder =
          JdbcWebhookStore.builder().dataSource(dataSource).maxPoolSize(3);

      IllegalStateException thrown = assertThrows(IllegalStateException.class, builder::build);

      assertThat(thrown).hasMessageContaining("configure them on your DataSource");
    }
  }

  @Test
  void max_pool_size_below_one_is_rejected() {
    IllegalArgumentException thrown =
        assertThrows(
            IllegalArgumentException.class, () -> JdbcWebhookStore.builder().maxPoolSize(0));

    assertThat(thrown).hasMessageContaining("maxPoolSize is 0");
  }

  @Test
  void short_connection_timeout_is_rejected() {
    IllegalArgumentException thrown =
        assertThrows(
            IllegalArgumentException.class,
            () -> JdbcWebhookStore.builder().connectionTimeout(Duration.ofMillis(10)));

    assertThat(thrown).hasMessageContaining("connectionTimeout is PT0.01S");
  }

  @Test
  void host_data_source_stays_open() {
    try (HikariDataSource dataSource = inMemoryDataSource()) {
      JdbcWebhookStore store = JdbcWebhookStore.builder().dataSource(dataSource).build();
      store.create(UUID.randomUUID(), URI.create("http://127.0.0.1:9/hook"), null, "whsec_a2V5");

      store.close();

      assertThat(dataSource.isClosed()).isFalse();
    }
  }

  @Test
  void host_data_source_is_migrated() {
    try (HikariDataSource dataSource = inMemoryDataSource();
        JdbcWebhookStore store = JdbcWebhookStore.builder().dataSource(dataSource).build()) {

      long pending = store.pendingCount();

      assertThat(pending).isZero();
    }
  }

  @Test
  void closed_owned_pool_fails_operations() {
    JdbcWebhookStore store =
        JdbcWebhookStore.builder().jdbcUrl(inMemoryUrl()).maxPoolSize(1).build();

    store.close();

    assertThrows(StoreUnavailableException.class, () -> store.find(UUID.randomUUID()));
  }

  @Test
  void store_without_migration_lacks_tables() {
    try (JdbcWebhookStore store =
        JdbcWebhookStore.builder().jdbcUrl(inMemoryUrl()).migrate(false).build()) {

      StoreUnavailableException thrown =
          assertThrows(StoreUnavailableException.class, store::pendingCount);

      assertThat(thrown).hasMessageContaining("count pending deliveries");
    }
  }

  @Test
  void long_secret_is_rejected_without_value() {
    String secret = "whsec_" + "s".repeat(200);
    try (JdbcWebhookStore store = JdbcWebhookStore.builder().jdbcUrl(inMemoryUrl()).build()) {
      URI url = URI.create("http://127.0.0.1:9/hook");

      RuntimeException thrown =
          assertThrows(
              RuntimeException.class, () -> store.create(UUID.randomUUID(), url, null, secret));

      assertThat(thrown).hasMessageContaining("secret is 206 characters long");
      assertThat(thrown.getMessage()).doesNotContain("sssss");
    }
  }

  private static String inMemoryUrl() {
    return "jdbc:h2:mem:builder-" + UUID.randomUUID();
  }

  private static HikariDataSource inMemoryDataSource() {
    HikariDataSource dataSource = new HikariDataSource();
    dataSource.setJdbcUrl(inMemoryUrl());
    dataSource.setMaximumPoolSize(1);
    return dataSource;
  }
}
