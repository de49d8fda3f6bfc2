package io.webhookdispatcher.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.webhookdispatcher.PublishedMessage;
import io.webhookdispatcher.spi.OutboxMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the store contract on an H2 database file in a temporary directory. */
class H2OutboxStoreTest extends OutboxStoreContractTest {

  @TempDir Path directory;

  @Test
  void racing_publish_replays_committed_key() throws Exception {
    createEndpoint();
    OutboxMessage first = message("race-1");

    PublishedMessage replayed;
    try (Connection host = openConnection()) {
      host.setAutoCommit(false);
      store.publish(first, host);
      CompletableFuture<PublishedMessage> racing =
          CompletableFuture.supplyAsync(() -> store.publish(message("race-1")));
      awaitInsertBlockedOnKey();
      host.commit();
      replayed = racing.get(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    assertThat(replayed.id()).isEqualTo(first.id());
    assertThat(replayed.replayed()).isTrue();
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_message")).isEqualTo(1);
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_delivery")).isEqualTo(1);
  }

  @Test
  void racing_host_publish_replays_committed_key() throws Exception {
    createEndpoint();
    OutboxMessage first = message("race-2");

    PublishedMessage replayed;
    try (Connection firstHost = openConnection();
        Connection secondHost = openConnection()) {
      firstHost.setAutoCommit(false);
      secondHost.setAutoCommit(false);
      store.publish(first, firstHost);
      CompletableFuture<PublishedMessage> racing =
          CompletableFuture.supplyAsync(() -> store.publish(message("race-2"), secondHost));
      awaitInsertBlockedOnKey();
      firstHost.commit();
      replayed = racing.get(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      secondHost.commit();
    }

    assertThat(replayed.id()).isEqualTo(first.id());
    assertThat(replayed.replayed()).isTrue();
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_message")).isEqualTo(1);
    assertThat(queryLong("SELECT COUNT(*) FROM webhook_delivery")).isEqualTo(1);
  }

  /**
   * Waits until a session runs a message insert. H2 blocks that insert until the transaction that
   * stored the same idempotency key commits or rolls back.
   */
  private void awaitInsertBlockedOnKey() {
    await()
        .atMost(MAX_WAIT)
        .until(
            () ->
                queryLong(
                    "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS"
                        + " WHERE EXECUTING_STATEMENT LIKE 'INSERT INTO webhook_message%'"),
            count -> count == 1);
  }

  @Override
  JdbcWebhookStore openStore() {
    return JdbcWebhookStore.builder().jdbcUrl(jdbcUrl()).maxPoolSize(2).build();
  }

  @Override
  JdbcWebhookStore openUnreachableStore() {
    String url = "jdbc:h2:tcp://127.0.0.1:" + closedPort() + "/mem:unreachable";
    return JdbcWebhookStore.builder()
        .jdbcUrl(url)
        .maxPoolSize(1)
        .connectionTimeout(JdbcWebhookStore.MIN_CONNECTION_TIMEOUT)
        .migrate(false)
        .build();
  }

  @Override
  Connection openConnection() throws SQLException {
    return DriverManager.getConnection(jdbcUrl());
  }

  private String jdbcUrl() {
    return "jdbc:h2:file:" + directory.resolve("outbox").toAbsolutePath();
  }

  /** Returns a loopback port that nothing listens on: it was free a moment ago. */
  private static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to find a free loopback port", e);
    }
  }
}
