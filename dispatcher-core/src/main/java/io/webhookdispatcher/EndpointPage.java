package io.webhookdispatcher;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * One page of endpoints in id order.
 *
 * @param endpoints the endpoints of this page
 * @param nextAfter the id to pass as {@code after} for the next page, or {@code null} on the last
 *     page
 */
public record EndpointPage(List<Endpoint> endpoints, UUID nextAfter) {

  public EndpointPage {
    endpoints = List.copyOf(endpoints);
  }

  /** Returns the id after which the next page starts, or empty when this page is the last. */
  public Optional<UUID> next() {
    return Optional.ofNullable(nextAfter);
  }
}
