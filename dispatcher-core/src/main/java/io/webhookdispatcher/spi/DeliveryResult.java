package io.webhookdispatcher.spi;

import java.time.Duration;
import java.time.Instant;

/**
 * The recorded end of one attempt, and what the delivery does next.
 *
 * @param delivery the claimed delivery
 * @param attemptedAt when the attempt started
 * @param outcome how it ended
 * @param nextState where the delivery goes next
 * @param retryDelay how long after now, by the store's clock, the next attempt is due; only for
 *     {@link State#PENDING}
 */
public record DeliveryResult(
    ClaimedDelivery delivery,
    Instant attemptedAt,
    DeliveryOutcome outcome,
    State nextState,
    Duration retryDelay) {

  /** States of a delivery row. */
  public enum State {
    /** Due at a given time; possibly leased by a node. */
    PENDING,
    /** The endpoint accepted it. */
    DELIVERED,
    /** Every attempt of the retry schedule failed, or one failed in a way no retry can fix. */
    FAILED,
    /** The endpoint was deleted before delivery. */
    CANCELLED
  }
}
