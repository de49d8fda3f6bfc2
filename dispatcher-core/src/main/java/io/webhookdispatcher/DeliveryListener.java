package io.webhookdispatcher;

import io.webhookdispatcher.spi.DeliveryResult;

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
}
