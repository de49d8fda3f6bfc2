package io.webhookdispatcher.jdbc;

import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.PublishedMessage;
import io.webhookdispatcher.spi.ClaimedDelivery;
import io.webhookdispatcher.spi.DeliveryOutcome;
import io.webhookdispatcher.spi.DeliveryResult;
import io.webhookdispatcher.spi.OutboxMessage;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the store's statements on a handle. The caller owns the transaction and turns Jdbi
 * exceptions into the dispatcher's.
 */
final class StoreOperations {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcWebhookStore.class);

  /** Characters of an attempt's error kept in {@code webhook_attempt.error}. */
  static final int MAX_ERROR_LENGTH = 1024;

  private final Dialect dialect;

  StoreOperations(Dialect dialect) {
    this.dialect = dialect;
  }

  /** Returns the stored message with this idempotency key, marked as replayed. */
  Optional<PublishedMessage> findByIdempotencyKey(Handle handle, String idempotencyKey) {
    if (idempotencyKey == null) {
      return Optional.empty();
    }
    return handle
        .createQuery(dialect.selectMessageByIdempotencyKey())
        .bind("idempotencyKey", idempotencyKey)
        .map(Rows.publishedMessage(true))
        .findOne();
  }

  /**
   * Inserts a message and one pending delivery, due now, for every endpoint that is not deleted.
   *
   * @return the stored message with the database's creation time
   */
  PublishedMessage insertMessage(Handle handle, OutboxMessage message) {
    handle
        .createUpdate(dialect.insertMessage())
        .bind("id", message.id())
        .bind("eventType", message.eventType())
        .bind("body", message.body())
        .bind("idempotencyKey", message.idempotencyKey())
        .execute();
    int deliveries =
        handle
            .createUpdate(dialect.insertDeliveriesForLiveEndpoints())
            .bind("messageId", message.id())
            .execute();
    LOG.debug("Stored message {} with {} deliveries", message.id(), deliveries);
    return handle
        .createQuery(dialect.selectMessage())
        .bind("id", message.id())
        .map(Rows.publishedMessage(false))
        .one();
  }

  /**
   * Leases up to {@code limit} due deliveries under one token and returns them, oldest due first.
   */
  List<ClaimedDelivery> leaseDueDeliveries(
      Handle handle, String nodeId, int limit, Duration lease) {
    UUID leaseToken = UUID.randomUUID();
    int leased =
        handle
            .createUpdate(dialect.leaseDueDeliveries())
            .bind("leaseToken", leaseToken)
            .bind("leaseOwner", nodeId)
            .bind("leaseMillis", Math.max(1, lease.toMillis()))
            .bind("limit", limit)
            .execute();
    if (leased == 0) {
      return List.of();
    }
    List<ClaimedDelivery> claimed =
        handle
            .createQuery(dialect.selectLeasedDeliveries())
            .bind("leaseToken", leaseToken)
            .map(Rows.claimedDelivery())
            .list();
    for (ClaimedDelivery delivery : claimed) {
      LOG.debug(
          "Node {} leased delivery {} for message {} to endpoint {}, attempt {}",
          nodeId,
          delivery.deliveryId(),
          delivery.messageId(),
          delivery.endpointId(),
          delivery.attempt());
    }
    return claimed;
  }

  /**
   * Moves each delivery whose lease token still matches to its next state and stores its attempt.
   *
   * @return how many results were recorded, not counting the discarded ones
   */
  int record(Handle handle, List<DeliveryResult> results) {
    int[] updateCounts = completeLeasedDeliveries(handle, results);
    List<DeliveryResult> recorded = new ArrayList<>(results.size());
    for (int i = 0; i < results.size(); i++) {
      DeliveryResult result = results.get(i);
      ClaimedDelivery delivery = result.delivery();
      // NOTE: H2 reports one count per batched statement. A driver that reports
      // Statement.SUCCESS_NO_INFO (-2) instead would make every result look discarded here.
      if (updateCounts[i] > 0) {
        recorded.add(result);
        LOG.debug(
            "Recorded attempt {} of delivery {} for message {} to endpoint {}: {}",
            delivery.attempt(),
            delivery.deliveryId(),
            delivery.messageId(),
            delivery.endpointId(),
            result.nextState());
      } else {
        LOG.debug(
            "Discarded result of delivery {} for message {} to endpoint {}: its lease token no"
                + " longer matches, because the lease expired or the delivery was cancelled",
            delivery.deliveryId(),
            delivery.messageId(),
            delivery.endpointId());
      }
    }
    if (!recorded.isEmpty()) {
      insertAttempts(handle, recorded);
    }
    return recorded.size();
  }

  /** Returns the attempts of a message, oldest first, or empty when the message is unknown. */
  Optional<List<Attempt>> attempts(Handle handle, UUID messageId) {
    long messages =
        handle.createQuery(dialect.countMessages()).bind("id", messageId).mapTo(Long.class).one();
    if (messages == 0) {
      return Optional.empty();
    }
    List<Attempt> attempts =
        handle
            .createQuery(dialect.selectAttemptsOfMessage())
            .bind("messageId", messageId)
            .map(Rows.attempt())
            .list();
    return Optional.of(attempts);
  }

  long pendingCount(Handle handle) {
    return handle.createQuery(dialect.countPendingDeliveries()).mapTo(Long.class).one();
  }

  /** Inserts an endpoint and returns it with the database's creation time. */
  Endpoint insertEndpoint(Handle handle, UUID id, URI url, String description, String secret) {
    handle
        .createUpdate(dialect.insertEndpoint())
        .bind("id", id)
        .bind("url", url.toString())
        .bind("description", description)
        .bind("secret", secret)
        .execute();
    return findEndpoint(handle, id).orElseThrow();
  }

  Optional<Endpoint> findEndpoint(Handle handle, UUID id) {
    return handle
        .createQuery(dialect.selectLiveEndpoint())
        .bind("id", id)
        .map(Rows.endpoint())
        .findOne();
  }

  /**
   * Marks an endpoint deleted and cancels its pending deliveries.
   *
   * @return {@code false} when the endpoint is unknown or already deleted
   */
  boolean deleteEndpoint(Handle handle, UUID id) {
    int deleted = handle.createUpdate(dialect.markEndpointDeleted()).bind("id", id).execute();
    if (deleted == 0) {
      return false;
    }
    int cancelled =
        handle
            .createUpdate(dialect.cancelPendingDeliveriesOfEndpoint())
            .bind("endpointId", id)
            .execute();
    LOG.debug("Deleted endpoint {} and cancelled {} pending deliveries", id, cancelled);
    return true;
  }

  private int[] completeLeasedDeliveries(Handle handle, List<DeliveryResult> results) {
    PreparedBatch batch = handle.prepareBatch(dialect.completeLeasedDelivery());
    for (DeliveryResult result : results) {
      ClaimedDelivery delivery = result.delivery();
      batch
          .bind("deliveryId", delivery.deliveryId())
          .bind("leaseToken", delivery.leaseToken())
          .bind("state", result.nextState().name())
          .bind("attempt", delivery.attempt())
          .bind("retryMillis", retryMillis(result))
          .add();
    }
    return batch.execute();
  }

  private void insertAttempts(Handle handle, List<DeliveryResult> recorded) {
    PreparedBatch batch = handle.prepareBatch(dialect.insertAttempt());
    for (DeliveryResult result : recorded) {
      ClaimedDelivery delivery = result.delivery();
      DeliveryOutcome outcome = result.outcome();
      batch
          .bind("deliveryId", delivery.deliveryId())
          .bind("messageId", delivery.messageId())
          .bind("endpointId", delivery.endpointId())
          .bind("attempt", delivery.attempt())
          .bind("attemptedAt", Rows.timestamp(result.attemptedAt()))
          .bind("statusCode", outcome.statusCode() == 0 ? null : outcome.statusCode())
          .bind("error", truncate(outcome.error(), MAX_ERROR_LENGTH))
          .bind("durationMs", outcome.duration() == null ? 0L : outcome.duration().toMillis())
          .bind("response", responseText(outcome.responseSnippet()))
          .add();
    }
    batch.execute();
  }

  /**
   * Returns the delay before the next attempt in milliseconds: the result's delay for a pending
   * delivery, where a missing or negative delay means due at once, and 0 for every other state.
   */
  private static long retryMillis(DeliveryResult result) {
    Duration delay = result.retryDelay();
    if (result.nextState() != DeliveryResult.State.PENDING || delay == null) {
      return 0;
    }
    return Math.max(0, delay.toMillis());
  }

  /**
   * Decodes at most {@link Attempt#MAX_RESPONSE_BYTES} bytes of a response as UTF-8, replacing
   * invalid bytes with U+FFFD.
   */
  static String responseText(byte[] snippet) {
    if (snippet == null || snippet.length == 0) {
      return "";
    }
    byte[] kept =
        snippet.length <= Attempt.MAX_RESPONSE_BYTES
            ? snippet
            : Arrays.copyOf(snippet, Attempt.MAX_RESPONSE_BYTES);
    return new String(kept, StandardCharsets.UTF_8);
  }

  private static String truncate(String text, int maxLength) {
    if (text == null || text.length() <= maxLength) {
      return text;
    }
    return text.substring(0, maxLength);
  }
}
