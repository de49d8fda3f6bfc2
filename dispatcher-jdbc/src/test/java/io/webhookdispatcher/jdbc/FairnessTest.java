package io.webhookdispatcher.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.Message;
import io.webhookdispatcher.PublishedMessage;
import io.webhookdispatcher.WebhookDispatcher;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One endpoint with 100,000 due deliveries that all time out must not hold back the deliveries
 * of another endpoint, on PostgreSQL.
 */
class FairnessTest {
  private static final String DATABASE = TestDatabases.randomName();
  private static final int BACKLOG = 100_000;

  private static String databaseUrl;

  @BeforeAll
  static void createDatabase() {
    databaseUrl = PostgresServer.createDatabase(DATABASE);
  }

  @AfterAll
  static void dropDatabase() {
    PostgresServer.dropDatabase(DATABASE);
  }

  @Test
  void backlog_of_timeouts_does_not_delay_other_endpoint() throws IOException {
    // Accepts connections into its backlog and never responds, so every request times out.
    try (ServerSocket silent = new ServerSocket(0, 2000, InetAddress.getLoopbackAddress());
        TestReceiver receiver = new TestReceiver();
        JdbcWebhookStore store = JdbcWebhookStore.builder().jdbcUrl(databaseUrl).build();
        WebhookDispatcher dispatcher =
            WebhookDispatcher.builder()
                .store(store)
                .allowPrivateAddresses(true)
                .requestTimeout(Duration.ofSeconds(1))
                .maxInFlightPerEndpoint(16)
                .build()) {
      Endpoint silentEndpoint =
          dispatcher.createEndpoint("http://127.0.0.1:" + silent.getLocalPort() + "/hooks", null);
      TestDatabases.execute(
          databaseUrl,
          "INSERT INTO webhook_message (id, event_type, body, created_at)"
              + " SELECT gen_random_uuid(), 'payment.created', '\\x7b7d'::bytea, now()"
              + " FROM generate_series(1, " + BACKLOG + ")",
          "INSERT INTO webhook_delivery"
              + " (message_id, endpoint_id, state, attempts, next_attempt_at, updated_at)"
              + " SELECT id, '" + silentEndpoint.id() + "', 'PENDING', 0,"
              + " now() - interval '1 minute', now() FROM webhook_message");
      dispatcher.createEndpoint(receiver.url(), null);
      dispatcher.start();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> dispatcher.pendingDeliveries() >= BACKLOG);

      long start = System.nanoTime();
      PublishedMessage published =
          dispatcher.publish(
              Message.of(
                  "payment.created", UUID.randomUUID(), "Payment", Map.of("amount", "10.00")));
      await().atMost(Duration.ofSeconds(5)).until(() -> receiver.received().size() == 1);
      long millis = (System.nanoTime() - start) / 1_000_000;

      System.out.println(
          "Delivered to the healthy endpoint in " + millis + " ms behind a backlog of " + BACKLOG);
      assertThat(receiver.received().get(0).header("webhook-id"))
          .isEqualTo(published.id().toString());
    }
  }
}
