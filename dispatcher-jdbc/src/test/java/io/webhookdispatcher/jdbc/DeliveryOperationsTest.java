package io.webhookdispatcher.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.AttemptPage;
import io.webhookdispatcher.AttemptQuery;
import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.Message;
import io.webhookdispatcher.PublishedMessage;
import io.webhookdispatcher.ReplayRejectedException;
import io.webhookdispatcher.ReplayRejectedException.Reason;
import io.webhookdispatcher.RetrySchedule;
import io.webhookdispatcher.WebhookDispatcher;
import io.webhookdispatcher.WebhookVerifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Replay, recovery and the attempts of an endpoint through the library API, on a real H2 outbox
 * and a real HTTP receiver. The retry schedule has no retries, so one failed attempt fails a
 * delivery.
 */
class DeliveryOperationsTest {
  private final String jdbcUrl = "jdbc:h2:mem:operations-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
  private JdbcWebhookStore store;
  private TestReceiver receiver;
  private WebhookDispatcher dispatcher;

  @BeforeEach
  void setUp() throws Exception {
    store = JdbcWebhookStore.builder().jdbcUrl(jdbcUrl).build();
    receiver = new TestReceiver();
    dispatcher =
        WebhookDispatcher.builder()
            .store(store)
            .allowPrivateAddresses(true)
            .requestTimeout(Duration.ofSeconds(2))
            .retrySchedule(RetrySchedule.parse(""))
            .build();
  }

  @AfterEach
  void tearDown() {
    dispatcher.close();
    receiver.close();
    store.close();
  }

  @Test
  void replay_resends_signed_message() {
    Endpoint endpoint = dispatcher.createEndpoint(receiver.url(), null);
    receiver.answer(TestReceiver.Answer.status(500));
    PublishedMessage published = dispatcher.publish(payment());
    dispatcher.runOnce();

    dispatcher.replay(published.id(), endpoint.id());
    int recorded = dispatcher.runOnce();

    assertThat(recorded).isEqualTo(1);
    assertThat(receiver.received()).hasSize(2);
    TestReceiver.Received resent = receiver.received().get(1);
    assertThat(resent.header("webhook-id")).isEqualTo(published.id().toString());
    assertThat(resent.body()).isEqualTo(published.body());
    WebhookVerifier.forSecret(endpoint.secret()).verify(resent.headers(), resent.body());
    List<Attempt> attempts = dispatcher.attempts(published.id()).orElseThrow();
    assertThat(attempts).extracting(Attempt::trigger)
        .containsExactly(Attempt.Trigger.SCHEDULED, Attempt.Trigger.MANUAL);
    assertThat(attempts).extracting(Attempt::statusCode).containsExactly(500, 200);
    assertThat(dispatcher.pendingDeliveries()).isZero();
  }

  @Test
  void replay_rejections_name_the_reason() {
    Endpoint endpoint = dispatcher.createEndpoint(receiver.url(), null);
    PublishedMessage pending = dispatcher.publish(payment());
    Endpoint later = dispatcher.createEndpoint(receiver.url(), null);
    Endpoint deleted = dispatcher.createEndpoint(receiver.url(), null);
    dispatcher.deleteEndpoint(deleted.id());
    UUID unknownMessage = UUID.randomUUID();
    UUID unknownEndpoint = UUID.randomUUID();

    assertRejected(Reason.STILL_PENDING, pending.id(), endpoint.id(), "still pending");
    assertRejected(Reason.MESSAGE_NOT_FOUND, unknownMessage, endpoint.id(), "not found");
    assertRejected(Reason.NOT_SENT_TO_ENDPOINT, pending.id(), later.id(), "never sent");
    assertRejected(Reason.ENDPOINT_NOT_FOUND, pending.id(), deleted.id(), "not found");
    assertRejected(Reason.ENDPOINT_NOT_FOUND, pending.id(), unknownEndpoint, "not found");
    assertThat(dispatcher.pendingDeliveries()).isEqualTo(1);
  }

  @Test
  void replay_rejection_names_event_type_filter() {
    Endpoint refunds =
        dispatcher.createEndpoint(receiver.url(), null, null, List.of("payment.refunded"));
    PublishedMessage skipped = dispatcher.publish(payment());

    ReplayRejectedException rejected =
        assertThrows(
            ReplayRejectedException.class, () -> dispatcher.replay(skipped.id(), refunds.id()));

    assertThat(rejected.reason()).isEqualTo(Reason.NOT_SENT_TO_ENDPOINT);
    assertThat(rejected.getMessage()).contains("event-type filter");
    assertThat(rejected.getMessage()).doesNotContain("before the endpoint was created");
  }

  @Test
  void replay_to_disabled_endpoint_is_rejected() {
    Endpoint endpoint = dispatcher.createEndpoint(receiver.url(), null);
    receiver.answer(TestReceiver.Answer.status(410));
    PublishedMessage published = dispatcher.publish(payment());
    dispatcher.runOnce();

    ReplayRejectedException replay =
        assertThrows(
            ReplayRejectedException.class,
            () -> dispatcher.replay(published.id(), endpoint.id()));
    ReplayRejectedException recover =
        assertThrows(
            ReplayRejectedException.class,
            () -> dispatcher.recover(endpoint.id(), Instant.EPOCH));

    assertThat(replay.reason()).isEqualTo(Reason.ENDPOINT_DISABLED);
    assertThat(replay.getMessage()).contains("responded 410 Gone").contains("enable it again");
    assertThat(recover.reason()).isEqualTo(Reason.ENDPOINT_DISABLED);
    assertThat(dispatcher.pendingDeliveries()).isZero();
  }

  @Test
  void recover_resends_failures_once() {
    Endpoint endpoint = dispatcher.createEndpoint(receiver.url(), null);
    receiver.answer(TestReceiver.Answer.status(500), TestReceiver.Answer.status(503));
    PublishedMessage first = publishAndSend();
    PublishedMessage second = publishAndSend();
    PublishedMessage delivered = publishAndSend();
    Instant since = first.createdAt();

    int queued = dispatcher.recover(endpoint.id(), since);
    int queuedAgain = dispatcher.recover(endpoint.id(), since);
    dispatcher.runOnce();

    assertThat(queued).isEqualTo(2);
    assertThat(queuedAgain).isZero();
    assertThat(receiver.received()).hasSize(5);
    for (PublishedMessage message : List.of(first, second)) {
      assertThat(dispatcher.attempts(message.id()).orElseThrow())
          .extracting(Attempt::trigger)
          .containsExactly(Attempt.Trigger.SCHEDULED, Attempt.Trigger.MANUAL);
    }
    assertThat(dispatcher.attempts(delivered.id()).orElseThrow()).hasSize(1);
    assertThat(dispatcher.recover(endpoint.id(), since)).isZero();
  }

  @Test
  void recover_rejects_missing_or_future_since() {
    Endpoint endpoint = dispatcher.createEndpoint(receiver.url(), null);
    Instant future = Instant.now().plus(Duration.ofDays(1));

    InvalidInputException missing =
        assertThrows(InvalidInputException.class, () -> dispatcher.recover(endpoint.id(), null));
    InvalidInputException ahead =
        assertThrows(InvalidInputException.class, () -> dispatcher.recover(endpoint.id(), future));
    ReplayRejectedException unknown =
        assertThrows(
            ReplayRejectedException.class,
            () -> dispatcher.recover(UUID.randomUUID(), Instant.EPOCH));

    assertThat(missing.field()).isEqualTo("since");
    assertThat(ahead.field()).isEqualTo("since");
    assertThat(ahead.getMessage()).contains(future.toString()).contains("in the future");
    assertThat(unknown.reason()).isEqualTo(Reason.ENDPOINT_NOT_FOUND);
  }

  @Test
  void endpoint_attempts_page_through_cursor() {
    Endpoint endpoint = dispatcher.createEndpoint(receiver.url(), null);
    receiver.answer(TestReceiver.Answer.status(500), TestReceiver.Answer.status(500));
    for (int i = 0; i < 5; i++) {
      publishAndSend();
    }

    List<Attempt> all = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    AttemptQuery query = AttemptQuery.builder().limit(2).build();
    while (true) {
      AttemptPage page = dispatcher.attempts(endpoint.id(), query).orElseThrow();
      all.addAll(page.attempts());
      pageSizes.add(page.attempts().size());
      if (page.nextCursor().isEmpty()) {
        break;
      }
      query = AttemptQuery.builder().limit(2).cursor(page.nextCursor().get()).build();
    }

    assertThat(pageSizes).containsExactly(2, 2, 1);
    assertThat(all).extracting(Attempt::timestamp).isSortedAccordingTo((a, b) -> b.compareTo(a));
    assertThat(all).extracting(Attempt::statusCode).endsWith(500, 500);
    assertThat(all).extracting(Attempt::messageId).doesNotHaveDuplicates();
  }

  @Test
  void endpoint_attempts_filter_by_outcome() {
    Endpoint endpoint = dispatcher.createEndpoint(receiver.url(), null);
    receiver.answer(TestReceiver.Answer.status(500));
    publishAndSend();
    publishAndSend();

    AttemptPage failed =
        dispatcher
            .attempts(
                endpoint.id(),
                AttemptQuery.builder().outcome(AttemptQuery.Outcome.FAILED).build())
            .orElseThrow();
    AttemptPage succeeded =
        dispatcher
            .attempts(
                endpoint.id(),
                AttemptQuery.builder().outcome(AttemptQuery.Outcome.SUCCEEDED).build())
            .orElseThrow();

    assertThat(failed.attempts()).extracting(Attempt::statusCode).containsExactly(500);
    assertThat(succeeded.attempts()).extracting(Attempt::statusCode).containsExactly(200);
    assertThat(failed.nextCursor()).isEmpty();
  }

  @Test
  void unknown_endpoint_has_no_attempts() {
    Endpoint deleted = dispatcher.createEndpoint(receiver.url(), null);
    dispatcher.deleteEndpoint(deleted.id());

    assertThat(dispatcher.attempts(UUID.randomUUID(), AttemptQuery.firstPage())).isEmpty();
    assertThat(dispatcher.attempts(deleted.id(), AttemptQuery.firstPage())).isEmpty();
  }

  @Test
  void attempt_query_rejects_bad_values() {
    InvalidInputException cursor =
        assertThrows(
            InvalidInputException.class, () -> AttemptQuery.builder().cursor("not-a-cursor"));
    InvalidInputException limit =
        assertThrows(InvalidInputException.class, () -> AttemptQuery.builder().limit(0));
    InvalidInputException tooLarge =
        assertThrows(
            InvalidInputException.class,
            () -> AttemptQuery.builder().limit(AttemptQuery.MAX_LIMIT + 1));
    InvalidInputException outcome =
        assertThrows(InvalidInputException.class, () -> AttemptQuery.Outcome.parse("lost"));

    assertThat(cursor.field()).isEqualTo("cursor");
    assertThat(cursor.getMessage()).contains("'not-a-cursor'");
    assertThat(limit.field()).isEqualTo("limit");
    assertThat(limit.getMessage()).contains("limit 0");
    assertThat(tooLarge.getMessage()).contains("limit " + (AttemptQuery.MAX_LIMIT + 1));
    assertThat(outcome.field()).isEqualTo("outcome");
    assertThat(outcome.getMessage()).contains("'lost'");
  }

  private void assertRejected(Reason reason, UUID messageId, UUID endpointId, String text) {
    ReplayRejectedException rejected =
        assertThrows(
            ReplayRejectedException.class, () -> dispatcher.replay(messageId, endpointId));
    assertThat(rejected.reason()).isEqualTo(reason);
    assertThat(rejected.getMessage()).contains(text);
    assertThat(rejected.endpointId()).isEqualTo(endpointId);
  }

  /**
   * Publishes a message and sends it before returning, so that the receiver's scripted responses
   * go to the messages in publish order.
   */
  private PublishedMessage publishAndSend() {
    PublishedMessage published = dispatcher.publish(payment());
    dispatcher.runOnce();
    return published;
  }

  private static Message payment() {
    return Message.of(
        "payment.created", UUID.randomUUID(), "Payment", Map.of("amount", "12.50", "currency", "EUR"));
  }
}
