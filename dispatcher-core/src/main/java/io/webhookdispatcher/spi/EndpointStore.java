package io.webhookdispatcher.spi;

import io.webhookdispatcher.Endpoint;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Durable endpoints. Deleted endpoints are never returned again.
 *
 * <p>Besides the endpoints, the store may hold one hand-off target: the row that the deliveries of
 * hand-off messages point at. It is never returned by {@link #find}, never deleted, and never gets a
 * delivery of a message published for every endpoint.
 *
 * <p>Every method throws {@link io.webhookdispatcher.StoreUnavailableException} when the store
 * cannot be reached.
 */
public interface EndpointStore {

  /** Stores a new endpoint without a rate limit and returns it with the store's creation time. */
  default Endpoint create(UUID id, URI url, String description, String secret) {
    return create(id, url, description, secret, null);
  }

  /**
   * Stores a new endpoint and returns it with the store's creation time.
   *
   * @param rateLimit the most requests per second it may receive from each node, or {@code null}
   */
  Endpoint create(UUID id, URI url, String description, String secret, Integer rateLimit);

  Optional<Endpoint> find(UUID id);

  /**
   * Returns up to {@code limit} endpoints, ordered by id, whose ids come after {@code after}: a
   * page of every endpoint that is not deleted, without the hand-off target.
   *
   * @param after the last id of the previous page, or {@code null} for the first page
   */
  List<Endpoint> list(UUID after, int limit);

  /**
   * Deletes an endpoint and cancels its pending deliveries, in one transaction.
   *
   * @return {@code false} when no such endpoint exists
   */
  boolean delete(UUID id);

  /**
   * Stores the hand-off target with this id unless it exists, and sets its URL. Several nodes may
   * call it at once.
   *
   * @param id the target's id, the same on every node
   * @param url where the transport hands messages over; for operators, the transport may ignore it
   */
  void saveHandOffTarget(UUID id, URI url);

  /** Returns the number of endpoints that are disabled and not deleted. */
  default long countDisabled() {
    throw new UnsupportedOperationException(
        getClass().getName() + " does not count disabled endpoints");
  }
}
