package io.webhookdispatcher;

import io.webhookdispatcher.spi.DeliveryResult;
import java.util.UUID;

/**
 * Receives delivery outcomes as they are recorded. Called on a dispatcher thread: return quickly
 * and do not block. An exception or error thrown here is logged at WARN and otherwise ignored, so
 * a failing listener never holds up delivery; only a {@link VirtualMachineError} is thrown on.
 *
 * <p>For each recorded attempt, {@link #attemptRecorded} is called first, then {@link
 * #deliverySucceeded} for a success, or {@link #attemptFailed} for a failure followed by {@link
 * #deliveryGivenUp} when no retry follows.
 */
public interface DeliveryListener {

  /**
   * Called after an attempt has been recorded.
   *
   * @param attempt the recorded attempt
   * @param nextState {@code DELIVERED} on success, {@code PENDING} when another attempt is
   *     scheduled, {@code FAILED} when the retry schedule is exhausted
   */
  void attemptRecorded(Attempt attempt, DeliveryResult.State nextState);

  /**
   * Called after an endpoint was disabled: it responded 410 Gone, or every attempt to it failed for
   * {@link DispatcherSettings#disableAfter()}. Its pending and later messages are kept as failed
   * deliveries. Default: does nothing.
   *
   * @param endpointId the endpoint
   * @param reason why, such as {@code responded 410 Gone}
   */
  default void endpointDisabled(UUID endpointId, String reason) {}

  /** Called after an attempt delivered the message to the endpoint. Default: does nothing. */
  default void deliverySucceeded(DeliveryEvent event) {}

  /**
   * Called after an attempt failed, with {@link DeliveryEvent#nextAttempt()} set when a retry is
   * scheduled. Default: does nothing.
   */
  default void attemptFailed(DeliveryEvent event) {}

  /**
   * Called after the last attempt of a delivery failed: the retry schedule is exhausted, or the
   * failure is one that no retry fixes. The delivery stays failed until it is replayed. Pending
   * deliveries that fail because their endpoint was disabled are reported once, through {@link
   * #endpointDisabled}, not here. Default: does nothing.
   */
  default void deliveryGivenUp(DeliveryEvent event) {}
}
