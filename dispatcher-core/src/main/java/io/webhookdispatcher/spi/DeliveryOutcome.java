package io.webhookdispatcher.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Result of one attempt: a response with a status code, or an error before any response, and
 * what the delivery does next.
 *
 * @param statusCode the HTTP status, or 0 when no response came
 * @param error why no response came, or {@code null} when one came
 * @param duration how long the attempt took
 * @param responseSnippet the first bytes of the response body, at most {@link
 *     io.webhookdispatcher.Attempt#MAX_RESPONSE_BYTES}; empty when there was none
 * @param retryAfter the delay that the receiver asked for with {@code Retry-After}, or {@code null}
 * @param verdict whether the message arrived, may be tried again, or must not be
 */
public record DeliveryOutcome(
    int statusCode,
    String error,
    Duration duration,
    byte[] responseSnippet,
    Duration retryAfter,
    Verdict verdict) {

  private static final byte[] EMPTY = new byte[0];

  /** The next step of a delivery after an attempt. */
  public enum Verdict {
    /** The message arrived; the delivery is done. */
    DELIVERED,
    /** The attempt failed; the retry schedule decides when to try again. */
    RETRY,
    /** The attempt failed in a way that no retry can fix; the delivery fails now. */
    GIVE_UP
  }

  public DeliveryOutcome {
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(responseSnippet, "responseSnippet");
    Objects.requireNonNull(verdict, "verdict");
  }

  /**
   * Creates the outcome of an attempt that got a response: delivered on any 2xx status, to be
   * retried on any other.
   */
  public static DeliveryOutcome response(
      int statusCode, Duration duration, byte[] responseSnippet, Duration retryAfter) {
    Verdict verdict = statusCode >= 200 && statusCode < 300 ? Verdict.DELIVERED : Verdict.RETRY;
    return new DeliveryOutcome(statusCode, null, duration, responseSnippet, retryAfter, verdict);
  }

  /**
   * Creates the outcome of a response that means the message arrived although its status is not
   * 2xx, such as a conflict on a message that an earlier attempt already handed over.
   */
  public static DeliveryOutcome delivered(int statusCode, Duration duration, byte[] responseSnippet) {
    return new DeliveryOutcome(
        statusCode, null, duration, responseSnippet, null, Verdict.DELIVERED);
  }

  /** Creates the outcome of a response that rejects the message for good: no retry follows. */
  public static DeliveryOutcome rejected(int statusCode, Duration duration, byte[] responseSnippet) {
    return new DeliveryOutcome(statusCode, null, duration, responseSnippet, null, Verdict.GIVE_UP);
  }

  /** Creates the outcome of an attempt that ended without a response, to be retried. */
  public static DeliveryOutcome failure(String error, Duration duration) {
    return new DeliveryOutcome(0, error, duration, EMPTY, null, Verdict.RETRY);
  }

  /** Returns whether the message arrived. */
  public boolean successful() {
    return verdict == Verdict.DELIVERED;
  }

  public Optional<Duration> requestedRetryDelay() {
    return Optional.ofNullable(retryAfter);
  }

  @Override
  public String toString() {
    return error != null
        ? "DeliveryOutcome[error=" + error + ", duration=" + duration + "]"
        : "DeliveryOutcome[status="
            + statusCode
            + ", verdict="
            + verdict
            + ", duration="
            + duration
            + "]";
  }
}
