package io.webhookdispatcher.spi;

import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.PublishedMessage;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The durable outbox: messages, one delivery per endpoint and message, and every attempt.
 *
 * <p>Due times and lease expiry are compared with the store's own clock, so nodes with skewed
 * clocks still agree. Every method throws {@link io.webhookdispatcher.StoreUnavailableException}
 * when the store cannot be reached.
 */
public interface OutboxStore {

  /**
   * Stores a message and one delivery for every endpoint that exists, in one transaction of the
   * store's own: pending and due now, or failed for a disabled endpoint.
   */
  PublishedMessage publish(OutboxMessage message);

  /**
   * Stores a message and its deliveries through the host's connection, inside the host's
   * transaction: they exist if and only if that transaction commits. The connection is neither
   * committed nor closed.
   */
  PublishedMessage publish(OutboxMessage message, Connection connection);

  /**
   * Leases up to {@code limit} due deliveries for {@code lease}, oldest due first, but never so
   * many that an endpoint has more than {@code maxPerEndpoint} deliveries under a live lease,
   * counting the leases of every node. So one endpoint's backlog cannot hold back the others.
   * Deliveries whose lease has expired are due again.
   */
  List<ClaimedDelivery> claim(String nodeId, int limit, int maxPerEndpoint, Duration lease);

  /** Leases like {@link #claim(String, int, int, Duration)} with no limit per endpoint. */
  default List<ClaimedDelivery> claim(String nodeId, int limit, Duration lease) {
    return claim(nodeId, limit, Integer.MAX_VALUE, lease);
  }

  /**
   * Deletes up to {@code batchSize} messages published more than {@code age} ago, by the store's
   * clock, whose deliveries have all ended (delivered, failed or cancelled), together with their
   * deliveries and attempts, in one short transaction.
   *
   * @return how many messages were deleted; less than {@code batchSize} means none is left
   */
  int purgeFinished(Duration age, int batchSize);

  /**
   * Records attempts and moves their deliveries on, in one transaction. A result whose lease token
   * no longer matches its row (the lease expired and another claim took it, or the delivery was
   * cancelled) is discarded.
   *
   * @return how many results were recorded
   */
  int record(List<DeliveryResult> results);

  /**
   * Records {@code results} like {@link #record}, then leases due deliveries like {@link
   * #claim(String, int, int, Duration)}. A store that can do both in one transaction should, since
   * the delivery loop calls this on every cycle and a commit is its largest cost. The default calls
   * the two methods one after the other.
   *
   * @return the deliveries leased
   */
  default List<ClaimedDelivery> recordAndClaim(
      List<DeliveryResult> results, String nodeId, int limit, int maxPerEndpoint, Duration lease) {
    if (!results.isEmpty()) {
      record(results);
    }
    return claim(nodeId, limit, maxPerEndpoint, lease);
  }

  /**
   * Returns, for each of these endpoints whose latest recorded attempt failed, when its current
   * run of failed attempts began: the time of the first failed attempt since its last success.
   * Endpoints that are deleted, disabled or not failing are left out. {@link #record} keeps this
   * time: a failed attempt starts it unless it runs, a successful one clears it.
   */
  Map<UUID, Instant> failingSince(Set<UUID> endpointIds);

  /**
   * Disables an endpoint and fails its pending deliveries, in one transaction; later messages get
   * a failed delivery for it. Deliveries in flight keep their leases: {@link #record} stores their
   * attempts, and fails those it would otherwise keep pending for a retry. Claims skip the pending
   * deliveries of a disabled endpoint.
   *
   * @param reason why, kept with the endpoint, at most 1024 characters
   * @param at when, by the dispatcher's clock
   * @return {@code false} when the endpoint is unknown, deleted or already disabled
   */
  boolean disableEndpoint(UUID endpointId, String reason, Instant at);

  /**
   * Hands leased deliveries back without an attempt, due again {@code delay} after now by the
   * store's clock, as when a rate limit holds them back. A delivery whose lease token no longer
   * matches is left alone.
   *
   * @return how many were handed back
   */
  int postpone(List<ClaimedDelivery> deliveries, Duration delay);

  /**
   * Replaces each leased hand-off delivery by one pending delivery per endpoint, due now, and
   * cancels the hand-off, in one transaction. A disabled endpoint gets a failed delivery instead.
   * A node that sends webhooks itself calls it for messages that a hand-off transport left pending.
   * A hand-off whose lease token no longer matches is left alone.
   *
   * @return how many hand-offs were replaced
   */
  int redirectHandOffs(List<ClaimedDelivery> handOffs);

  /** Returns the attempts of a message, oldest first, or empty when the message is unknown. */
  Optional<List<Attempt>> attempts(UUID messageId);

  /** Returns the number of deliveries that are pending, due or not. */
  long pendingCount();

  /**
   * Stores one more delivery of a message to an endpoint, pending and due now, with a fresh
   * attempt budget and a manual first attempt, unless the latest delivery of that message to that
   * endpoint is still pending. The delivery before it keeps its state and attempts. The caller
   * checks that the endpoint exists and is enabled.
   *
   * @return {@link ReplayOutcome#QUEUED} when the delivery was stored, otherwise why not
   */
  default ReplayOutcome replay(UUID messageId, UUID endpointId) {
    throw new UnsupportedOperationException(getClass().getName() + " does not support replay");
  }

  /**
   * Stores a new delivery like {@link #replay} for every message published at or after {@code
   * since}, by the store's creation time, whose latest delivery to the endpoint failed. A message
   * whose replay is pending or delivered is skipped, so a second call queues nothing twice.
   *
   * @return how many deliveries were stored
   */
  default int recover(UUID endpointId, Instant since) {
    throw new UnsupportedOperationException(getClass().getName() + " does not support recover");
  }

  /**
   * Returns up to {@code limit} attempts to an endpoint, newest first, that come after {@code
   * after} in that order.
   *
   * @param after the position of the last attempt of the previous page, or {@code null} for the
   *     newest attempts
   * @param succeeded {@code true} for attempts with a 2xx response status only, {@code false} for
   *     the others only, {@code null} for both
   */
  default List<PositionedAttempt> attemptsOfEndpoint(
      UUID endpointId, AttemptPosition after, Boolean succeeded, int limit) {
    throw new UnsupportedOperationException(
        getClass().getName() + " does not list the attempts of an endpoint");
  }

  /**
   * Returns the pending deliveries' count and earliest due time in one read. The default counts
   * with {@link #pendingCount()} and leaves the due time out.
   */
  default Backlog backlog() {
    return new Backlog(pendingCount(), null);
  }
}
