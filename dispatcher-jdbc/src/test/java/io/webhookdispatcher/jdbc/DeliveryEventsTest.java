package io.webhookdispatcher.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.DeliveryEvent;
import io.webhookdispatcher.DeliveryListener;
import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.Message;
import io.webhookdispatcher.PublishedMessage;
import io.webhookdispatcher.RetrySchedule;
import io.webhookdispatcher.WebhookDispatcher;
import io.webhookdispatcher.spi.DeliveryResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The listener events and the Micrometer meters of delivery, on a real H2 outbox and a real HTTP
 * receiver.
 */
class DeliveryEventsTest {
  private final String jdbcUrl = "jdbc:h2:mem:events-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
  private final RecordingListener listener = new RecordingListener();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private JdbcWebhookStore store;
  private TestReceiver receiver;
  private WebhookDispatcher dispatcher;

  @BeforeEach
  void setUp() throws Exception {
    store = JdbcWebhookStore.builder().jdbcUrl(jdbcUrl).build();
    receiver = new TestReceiver();
  }

  @AfterEach
  void tearDown() {
    if (dispatcher != null) {
      dispatcher.close();
    }
    receiver.close();
    store.close();
  }

  private WebhookDispatcher build(String retrySchedule, DeliveryListener deliveryListener) {
    return WebhookDispatcher.builder()
        .store(store)
        .listener(deliveryListener)
        .meterRegistry(registry)
        .allowPrivateAddresses(true)
        .pollInterval(Duration.ofMillis(20))
        .requestTimeout(Duration.ofSeconds(2))
        .retrySchedule(RetrySchedule.parse(retrySchedule).withJitter(0))
        .build();
  }

  @Test
  void success_fires_delivery_succeeded() {
    dispatcher = build("1h", listener);
    Endpoint endpoint = dispatcher.createEndpoint(receiver.url(), null);
    PublishedMessage published = dispatcher.publish(payment());

    dispatcher.runOnce();

    assertThat(listener.succeeded).hasSize(1);
    DeliveryEvent event = listener.succeeded.get(0);
    assertThat(event.messageId()).isEqualTo(published.id());
    assertThat(event.endpointId()).isEqualTo(endpoint.id());
    assertThat(event.eventType()).isEqualTo("payment.created");
    assertThat(event.attempt()).isEqualTo(1);
    assertThat(event.trigger()).isEqualTo(Attempt.Trigger.SCHEDULED);
    assertThat(event.statusCode()).isEqualTo(200);
    assertThat(event.nextAttempt()).isEmpty();
    assertThat(listener.failed).isEmpty();
    assertThat(listener.givenUp).isEmpty();
  }

  @Test
  void retried_failure_fires_attempt_failed() {
    dispatcher = build("1h", listener);
    dispatcher.createEndpoint(receiver.url(), null);
    receiver.answer(TestReceiver.Answer.status(503));
    dispatcher.publish(payment());
    Instant before = Instant.now();

    dispatcher.runOnce();

    assertThat(listener.failed).hasSize(1);
    DeliveryEvent event = listener.failed.get(0);
    assertThat(event.statusCode()).isEqualTo(503);
    assertThat(event.error()).isNull();
    assertThat(event.nextAttempt().orElseThrow())
        .isBetween(before.plus(Duration.ofMinutes(59)), before.plus(Duration.ofMinutes(61)));
    assertThat(listener.givenUp).isEmpty();
    assertThat(listener.succeeded).isEmpty();
  }

  @Test
  void last_failure_fires_given_up() {
    dispatcher = build("", listener);
    Endpoint endpoint = dispatcher.createEndpoint("http://127.0.0.1:" + TestDatabases.closedPort(), null);
    dispatcher.publish(payment());

    dispatcher.runOnce();

    assertThat(listener.failed).hasSize(1);
    assertThat(listener.failed.get(0).nextAttempt()).isEmpty();
    assertThat(listener.failed.get(0).statusCode()).isNull();
    assertThat(listener.failed.get(0).error()).isNotBlank();
    assertThat(listener.givenUp).hasSize(1);
    assertThat(listener.givenUp.get(0).endpointId()).isEqualTo(endpoint.id());
  }

  @Test
  void replayed_attempt_is_manual_in_events() {
    dispatcher = build("", listener);
    Endpoint endpoint = dispatcher.createEndpoint(receiver.url(), null);
    receiver.answer(TestReceiver.Answer.status(500));
    PublishedMessage published = dispatcher.publish(payment());
    dispatcher.runOnce();

    dispatcher.replay(published.id(), endpoint.id());
    dispatcher.runOnce();

    assertThat(listener.succeeded).singleElement()
        .satisfies(event -> assertThat(event.trigger()).isEqualTo(Attempt.Trigger.MANUAL));
    assertThat(listener.recorded)
        .extracting(Attempt::trigger)
        .containsExactly(Attempt.Trigger.SCHEDULED, Attempt.Trigger.MANUAL);
  }

  @Test
  void gone_endpoint_fires_endpoint_disabled() {
    dispatcher = build("1h", listener);
    Endpoint endpoint = dispatcher.createEndpoint(receiver.url(), null);
    receiver.answer(TestReceiver.Answer.status(410));
    dispatcher.publish(payment());

    dispatcher.runOnce();

    assertThat(listener.disabled).containsExactly(endpoint.id() + ": responded 410 Gone");
    assertThat(listener.failed).hasSize(1);
  }

  @Test
  void throwing_listener_never_stops_delivery() {
    dispatcher = build("", new ThrowingListener());
    dispatcher.createEndpoint(receiver.url(), null);
    receiver.answer(TestReceiver.Answer.status(500));
    dispatcher.start();

    for (int i = 0; i < 3; i++) {
      dispatcher.publish(payment());
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 3);
    await().atMost(Duration.ofSeconds(10)).until(() -> dispatcher.pendingDeliveries() == 0);
    dispatcher.publish(payment());
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 4);
  }

  @Test
  void meters_count_deliveries_and_latency() {
    dispatcher = build("1h", listener);
    dispatcher.createEndpoint(receiver.url(), null);
    dispatcher.publish(payment());
    dispatcher.publish(payment());

    dispatcher.runOnce();

    Timer latency = registry.get("webhooks.delivery.latency").timer();
    assertThat(latency.count()).isEqualTo(2);
    assertThat(latency.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    assertThat(
            registry
                .get("webhooks.attempts")
                .tag("outcome", "success")
                .tag("status_class", "2xx")
                .counter()
                .count())
        .isEqualTo(2.0);
  }

  @Test
  void gauges_read_backlog_and_disabled_endpoints() {
    dispatcher = build("1h", listener);
    Endpoint gone = dispatcher.createEndpoint(receiver.url(), null);
    store.disableEndpoint(gone.id(), "responded 410 Gone", Instant.now());
    dispatcher.createEndpoint(receiver.url(), null);
    dispatcher.publish(payment());
    dispatcher.publish(payment());

    double pending = registry.get("webhooks.deliveries.pending").gauge().value();
    double age = registry.get("webhooks.deliveries.oldest_due.age").gauge().value();
    double disabled = registry.get("webhooks.endpoints.disabled").gauge().value();

    assertThat(pending).isEqualTo(2.0);
    assertThat(age).isBetween(0.0, 60.0);
    assertThat(disabled).isEqualTo(1.0);
  }

  private static Message payment() {
    return Message.of(
        "payment.created", UUID.randomUUID(), "Payment", Map.of("amount", "7.00", "currency", "EUR"));
  }

  /** Keeps every event it is given. */
  private static final class RecordingListener implements DeliveryListener {
    final List<Attempt> recorded = new CopyOnWriteArrayList<>();
    final List<DeliveryEvent> succeeded = new CopyOnWriteArrayList<>();
    final List<DeliveryEvent> failed = new CopyOnWriteArrayList<>();
    final List<DeliveryEvent> givenUp = new CopyOnWriteArrayList<>();
    final List<String> disabled = new CopyOnWriteArrayList<>();

    @Override
    public void attemptRecorded(Attempt attempt, DeliveryResult.State nextState) {
      recorded.add(attempt);
    }

    @Override
    public void deliverySucceeded(DeliveryEvent event) {
      succeeded.add(event);
    }

    @Override
    public void attemptFailed(DeliveryEvent event) {
      failed.add(event);
    }

    @Override
    public void deliveryGivenUp(DeliveryEvent event) {
      givenUp.add(event);
    }

    @Override
    public void endpointDisabled(UUID endpointId, String reason) {
      disabled.add(endpointId + ": " + reason);
    }
  }

  /** Throws from every method, an {@link AssertionError} as well as runtime exceptions. */
  private static final class ThrowingListener implements DeliveryListener {
    @Override
    public void attemptRecorded(Attempt attempt, DeliveryResult.State nextState) {
      throw new IllegalStateException("listener failed on purpose");
    }

    @Override
    public void deliverySucceeded(DeliveryEvent event) {
      throw new AssertionError("listener failed on purpose");
    }

    @Override
    public void attemptFailed(DeliveryEvent event) {
      throw new IllegalStateException("listener failed on purpose");
    }

    @Override
    public void deliveryGivenUp(DeliveryEvent event) {
      throw new AssertionError("listener failed on purpose");
    }
  }
}
