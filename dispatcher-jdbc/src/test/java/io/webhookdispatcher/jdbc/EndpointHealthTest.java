package io.webhookdispatcher.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.webhookdispatcher.DeliveryListener;
import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.Message;
import io.webhookdispatcher.PublishedMessage;
import io.webhookdispatcher.RetrySchedule;
import io.webhookdispatcher.WebhookDispatcher;
import io.webhookdispatcher.internal.DeliveryLoop;
import io.webhookdispatcher.spi.DeliveryResult;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Endpoint health and the statuses that ask the sender to slow down, end to end on a real H2
 * outbox and real HTTP receivers, with a clock the test moves.
 */
class EndpointHealthTest {
  private static final Duration FIVE_DAYS = Duration.ofDays(5);

  private final String jdbcUrl = "jdbc:h2:mem:health-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
  private final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T00:00:00Z"));
  private final List<String> disabledEvents = new CopyOnWriteArrayList<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private JdbcWebhookStore store;
  private TestReceiver failing;
  private TestReceiver healthy;
  private WebhookDispatcher dispatcher;

  @BeforeEach
  void setUp() throws Exception {
    store = JdbcWebhookStore.builder().jdbcUrl(jdbcUrl).build();
    failing = new TestReceiver();
    healthy = new TestReceiver();
    logs.start();
    ((Logger) LoggerFactory.getLogger(DeliveryLoop.class)).addAppender(logs);
    dispatcher =
        WebhookDispatcher.builder()
            .store(store)
            .clock(clock)
            .allowPrivateAddresses(true)
            .requestTimeout(Duration.ofSeconds(2))
            .retrySchedule(RetrySchedule.parse("10ms,10ms,10ms,10ms,10ms,10ms").withJitter(0))
            .listener(
                new DeliveryListener() {
                  @Override
                  public void attemptRecorded(
                      io.webhookdispatcher.Attempt attempt, DeliveryResult.State nextState) {}

                  @Override
                  public void endpointDisabled(UUID endpointId, String reason) {
                    disabledEvents.add(endpointId + ": " + reason);
                  }
                })
            .build();
  }

  @AfterEach
  void tearDown() {
    ((Logger) LoggerFactory.getLogger(DeliveryLoop.class)).detachAppender(logs);
    dispatcher.close();
    failing.close();
    healthy.close();
    store.close();
  }

  @Test
  void gone_endpoint_is_disabled_at_once() {
    failing.answer(TestReceiver.Answer.status(410));
    Endpoint goneEndpoint = dispatcher.createEndpoint(failing.url(), "closed shop");
    Endpoint other = dispatcher.createEndpoint(healthy.url(), "open shop");
    dispatcher.publish(payment());

    dispatcher.runOnce();

    Endpoint read = dispatcher.endpoint(goneEndpoint.id()).orElseThrow();
    assertThat(read.disabled()).isTrue();
    assertThat(read.disabledReason()).contains("responded 410 Gone");
    assertThat(read.disabledAt()).contains(clock.instant());
    assertThat(disabledEvents).containsExactly(goneEndpoint.id() + ": responded 410 Gone");
    assertThat(warnings())
        .anySatisfy(line -> assertThat(line).contains("Disabled endpoint " + goneEndpoint.id()));
    assertThat(dispatcher.endpoint(other.id()).orElseThrow().disabled()).isFalse();
    assertThat(dispatcher.pendingDeliveries()).isZero();
  }

  @Test
  void disabled_endpoint_keeps_messages_as_failed_deliveries() throws SQLException {
    failing.answer(TestReceiver.Answer.status(410));
    Endpoint goneEndpoint = dispatcher.createEndpoint(failing.url(), null);
    dispatcher.createEndpoint(healthy.url(), null);
    dispatcher.publish(payment());
    dispatcher.runOnce();

    PublishedMessage later = dispatcher.publish(payment());
    dispatcher.runOnce();

    assertThat(stateOf(later, goneEndpoint)).isEqualTo("FAILED");
    assertThat(failing.received()).hasSize(1);
    assertThat(healthy.received()).hasSize(2);
  }

  @Test
  void endpoint_failing_for_five_days_is_disabled() {
    Endpoint endpoint = dispatcher.createEndpoint(failing.url(), null);
    failing.answer(repeat(500, 3));
    dispatcher.publish(payment());
    dispatcher.runOnce();
    clock.advance(FIVE_DAYS.minusSeconds(1));
    runWhenDue();
    assertThat(dispatcher.endpoint(endpoint.id()).orElseThrow().disabled()).isFalse();

    clock.advance(Duration.ofSeconds(1));
    runWhenDue();

    Endpoint read = dispatcher.endpoint(endpoint.id()).orElseThrow();
    assertThat(read.disabled()).isTrue();
    assertThat(read.disabledReason())
        .contains("every attempt failed since 2026-12-01T00:00:00Z");
    assertThat(disabledEvents).hasSize(1);
    assertThat(dispatcher.pendingDeliveries()).isZero();
  }

  @Test
  void success_restarts_the_failure_clock() {
    Endpoint endpoint = dispatcher.createEndpoint(failing.url(), null);
    failing.answer(
        TestReceiver.Answer.status(500),
        TestReceiver.Answer.status(200),
        TestReceiver.Answer.status(500),
        TestReceiver.Answer.status(500));
    dispatcher.publish(payment());
    dispatcher.runOnce();
    clock.advance(Duration.ofDays(1));
    runWhenDue();
    dispatcher.publish(payment());
    dispatcher.runOnce();

    clock.advance(FIVE_DAYS.minusDays(1).plusSeconds(1));
    runWhenDue();

    assertThat(dispatcher.endpoint(endpoint.id()).orElseThrow().disabled()).isFalse();
    assertThat(disabledEvents).isEmpty();
  }

  @Test
  void zero_disable_after_never_disables_for_failing() {
    dispatcher.close();
    dispatcher =
        WebhookDispatcher.builder()
            .store(store)
            .clock(clock)
            .allowPrivateAddresses(true)
            .disableAfter(Duration.ZERO)
            .retrySchedule(RetrySchedule.parse("10ms,10ms").withJitter(0))
            .build();
    Endpoint endpoint = dispatcher.createEndpoint(failing.url(), null);
    failing.answer(repeat(500, 2));
    dispatcher.publish(payment());
    dispatcher.runOnce();
    clock.advance(Duration.ofDays(30));

    runWhenDue();

    assertThat(dispatcher.endpoint(endpoint.id()).orElseThrow().disabled()).isFalse();
  }

  @Test
  void dated_retry_after_delays_attempt() throws SQLException {
    dispatcher.close();
    dispatcher = slowDownDispatcher();
    Endpoint endpoint = dispatcher.createEndpoint(failing.url(), null);
    for (int status : new int[] {429, 503}) {
      String inTwoMinutes =
          DateTimeFormatter.RFC_1123_DATE_TIME.format(
              ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(120));
      failing.answer(new TestReceiver.Answer(status, Map.of("Retry-After", inTwoMinutes), "busy"));
      PublishedMessage published = dispatcher.publish(payment());
      Instant before = Instant.now();

      dispatcher.runOnce();

      assertThat(nextAttemptOf(published, endpoint))
          .as("next attempt after %d with a dated Retry-After", status)
          .isBetween(before.plusSeconds(100), before.plusSeconds(125));
    }
  }

  @Test
  void retry_after_seconds_delays_attempt() throws SQLException {
    dispatcher.close();
    dispatcher = slowDownDispatcher();
    Endpoint endpoint = dispatcher.createEndpoint(failing.url(), null);
    for (int status : new int[] {502, 504, 429}) {
      failing.answer(new TestReceiver.Answer(status, Map.of("Retry-After", "90"), "later"));
      PublishedMessage published = dispatcher.publish(payment());
      Instant before = Instant.now();

      dispatcher.runOnce();

      assertThat(nextAttemptOf(published, endpoint))
          .as("next attempt after %d", status)
          .isBetween(before.plusSeconds(89), before.plusSeconds(95));
    }
  }

  @Test
  void retry_after_is_capped_by_the_longest_delay() throws SQLException {
    dispatcher.close();
    dispatcher = slowDownDispatcher();
    Endpoint endpoint = dispatcher.createEndpoint(failing.url(), null);
    failing.answer(new TestReceiver.Answer(503, Map.of("Retry-After", "86400"), "much later"));
    PublishedMessage published = dispatcher.publish(payment());
    Instant before = Instant.now();

    dispatcher.runOnce();

    assertThat(nextAttemptOf(published, endpoint))
        .isBetween(before.plusSeconds(595), before.plusSeconds(605));
  }

  /** Returns a dispatcher whose schedule starts at 1 s and never waits more than 10 minutes. */
  private WebhookDispatcher slowDownDispatcher() {
    return WebhookDispatcher.builder()
        .store(store)
        .allowPrivateAddresses(true)
        .retrySchedule(RetrySchedule.parse("1s,10m").withJitter(0))
        .build();
  }

  /** Waits until a retry is due by the database's clock, then runs one poll cycle. */
  private void runWhenDue() {
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> dispatcher.runOnce() > 0);
  }

  private static TestReceiver.Answer[] repeat(int status, int times) {
    TestReceiver.Answer[] answers = new TestReceiver.Answer[times];
    java.util.Arrays.fill(answers, TestReceiver.Answer.status(status));
    return answers;
  }

  private List<String> warnings() {
    return logs.list.stream()
        .filter(event -> event.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private String stateOf(PublishedMessage message, Endpoint endpoint) throws SQLException {
    return queryDelivery(message, endpoint, "state", String.class);
  }

  private Instant nextAttemptOf(PublishedMessage message, Endpoint endpoint) throws SQLException {
    return queryDelivery(message, endpoint, "next_attempt_at", java.time.OffsetDateTime.class)
        .toInstant();
  }

  private <T> T queryDelivery(
      PublishedMessage message, Endpoint endpoint, String column, Class<T> type)
      throws SQLException {
    try (Connection connection = DriverManager.getConnection(jdbcUrl);
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT "
                    + column
                    + " FROM webhook_delivery WHERE message_id = ? AND endpoint_id = ?")) {
      query.setObject(1, message.id());
      query.setObject(2, endpoint.id());
      try (ResultSet row = query.executeQuery()) {
        assertThat(row.next()).isTrue();
        return row.getObject(1, type);
      }
    }
  }

  private static Message payment() {
    return Message.of(
        "payment.updated", UUID.randomUUID(), "Payment", Map.of("amount", "10.00", "status", "paid"));
  }
}
