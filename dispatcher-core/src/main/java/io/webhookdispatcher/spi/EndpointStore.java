package io.webhookdispatcher.spi;

import io.webhookdispatcher.Endpoint;
import java.net.URI;
import java.util.Optional;
import java.util.UUID;

/**
 * Durable endpoints. Deleted endpoints are never returned again.
 *
 * <p>Every method throws {@link io.webhookdispatcher.StoreUnavailableException} when the store
 * cannot be reached.
 */
public interface EndpointStore {

  /** Stores a new endpoint and returns it with the store's creation time. */
  Endpoint create(UUID id, URI url, String description, String secret);

  Optional<Endpoint> find(UUID id);

  /**
   * Deletes an endpoint and cancels its pending deliveries, in one transaction.
   *
   * @return {@code false} when no such endpoint exists
   */
  boolean delete(UUID id);
}
