package io.webhookdispatcher.internal;

import io.netty.handler.codec.DateFormatter;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/** Parses the {@code Retry-After} response header (RFC 9110, section 10.2.3). */
public final class RetryAfter {

  /** Maximum number of digits in a delta-seconds value. Longer values are ignored as malformed. */
  private static final int MAX_SECONDS_DIGITS = 10;

  private RetryAfter() {}

  /**
   * Returns the delay that {@code value} requests: delta-seconds, or an HTTP-date taken relative to
   * {@code now}.
   *
   * @return the delay, or {@code null} when the value is missing, malformed or in the past
   */
  public static Duration parse(String value, Instant now) {
    if (value == null) {
      return null;
    }
    String trimmed = value.trim();
    if (trimmed.isEmpty()) {
      return null;
    }
    if (isDigits(trimmed)) {
      return trimmed.length() <= MAX_SECONDS_DIGITS
          ? Duration.ofSeconds(Long.parseLong(trimmed))
          : null;
    }
    Date date = DateFormatter.parseHttpDate(trimmed);
    if (date == null) {
      return null;
    }
    Duration delay = Duration.between(now, date.toInstant());
    return delay.isNegative() ? null : delay;
  }

  private static boolean isDigits(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
