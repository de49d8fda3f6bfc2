package io.webhookdispatcher.spi;

import io.webhookdispatcher.Attempt;
import java.util.Objects;

/**
 * A stored attempt with its position, from which the next page of an endpoint's attempts starts.
 *
 * @param attempt the attempt
 * @param position its place in the newest-first order
 */
public record PositionedAttempt(Attempt attempt, AttemptPosition position) {

  public PositionedAttempt {
    Objects.requireNonNull(attempt, "attempt");
    Objects.requireNonNull(position, "position");
  }
}
