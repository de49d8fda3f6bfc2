package io.webhookdispatcher.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} after real deliveries to receivers on 127.0.0.1. */
class MetricsApiTest {
  private static final Duration DELIVERY_WAIT = Duration.ofSeconds(10);

  /** Longer than the gauges' refresh interval of 5 seconds, so that a gauge catches up. */
  private static final Duration GAUGE_WAIT = Duration.ofSeconds(15);

  @TempDir Path dataDir;

  private DispatcherServer server;
  private ApiClient api;

  @BeforeEach
  void startServer() {
    server = TestServers.start(dataDir, "webhooks.delivery.retry-schedule", "");
    api = new ApiClient(server.port());
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void metrics_count_real_deliveries() throws IOException {
    try (Receiver gone = Receiver.respondingWith(410);
        Receiver receiver = Receiver.start()) {
      String goneId = api.createEndpoint(gone.url("/hooks")).get("id").asText();
      api.post("/webhook/messages", DeliveryEndToEndTest.PAYMENT_CREATED);
      await()
          .atMost(DELIVERY_WAIT)
          .until(() -> api.get("/webhook/endpoints/" + goneId).json().get("disabled").asBoolean());
      api.createEndpoint(receiver.url("/hooks"));
      for (int i = 0; i < 3; i++) {
        api.post("/webhook/messages", DeliveryEndToEndTest.PAYMENT_UPDATED);
      }
      await().atMost(DELIVERY_WAIT).until(() -> receiver.received().size() == 3);
      await()
          .atMost(GAUGE_WAIT)
          .until(() -> value(scrape(), "webhooks_deliveries_pending") == 0.0);

      ApiClient.Reply reply = api.get("/metrics");
      String text = reply.body();

      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.header("content-type")).startsWith("text/plain; version=0.0.4");
      assertThat(value(text, "webhooks_attempts_total", "outcome=\"success\"", "status_class=\"2xx\""))
          .isEqualTo(3.0);
      assertThat(value(text, "webhooks_attempts_total", "outcome=\"failure\"", "status_class=\"4xx\""))
          .isEqualTo(1.0);
      assertThat(value(text, "webhooks_delivery_latency_seconds_count")).isEqualTo(3.0);
      assertThat(value(text, "webhooks_delivery_latency_seconds_sum")).isPositive();
      assertThat(value(text, "webhooks_attempt_duration_seconds_count")).isEqualTo(4.0);
      assertThat(value(text, "webhooks_deliveries_in_flight")).isZero();
      assertThat(value(text, "webhooks_deliveries_oldest_due_age_seconds")).isZero();
      assertThat(value(text, "webhooks_endpoints_disabled")).isEqualTo(1.0);
    }
  }

  private String scrape() {
    return api.get("/metrics").body();
  }

  /**
   * Returns the value of the first sample whose name is {@code name} and whose labels include
   * every one of {@code labels}, written as {@code key="value"}.
   */
  private static double value(String scrape, String name, String... labels) {
    return Arrays.stream(scrape.split("\n"))
        .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
        .filter(line -> Arrays.stream(labels).allMatch(line::contains))
        .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no sample " + name + " in:\n" + scrape));
  }
}
