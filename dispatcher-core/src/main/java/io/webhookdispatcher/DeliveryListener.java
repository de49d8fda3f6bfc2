package io.webhookdispatcher;

import io.webhookdispatcher.spi.DeliveryResult;
import java.util.UUID;

/**
 * Receives delivery outcomes as they are recorded. Called on a dispatcher thread: return quickly
 * and do not block. An exception thrown here is logged and otherwise ignored.
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
}
