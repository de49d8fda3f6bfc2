package io.webhookdispatcher.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * The place of a stored attempt in the newest-first order of an endpoint's attempts: by start
 * time, and by the store's attempt id among attempts that started at the same instant.
 *
 * @param attemptedAt when the attempt started, as the store keeps it
 * @param attemptId the store's id of the attempt row
 */
public record AttemptPosition(Instant attemptedAt, long attemptId) {

  public AttemptPosition {
    Objects.requireNonNull(attemptedAt, "attemptedAt");
  }
}
