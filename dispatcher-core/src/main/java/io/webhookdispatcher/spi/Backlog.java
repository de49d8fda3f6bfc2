package io.webhookdispatcher.spi;

import java.time.Instant;
import java.util.Optional;

/**
 * The deliveries that wait for an attempt, as one read of the store returns them.
 *
 * @param pending the number of pending deliveries, due or not, leased or not
 * @param oldestDueAt the earliest due time among them, or {@code null} when none is pending
 */
public record Backlog(long pending, Instant oldestDueAt) {

  public Optional<Instant> oldestDue() {
    return Optional.ofNullable(oldestDueAt);
  }
}
