package io.webhookdispatcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Delays between the attempts of one delivery, after the immediate first attempt.
 *
 * <p>The delay after attempt {@code n} is the {@code n}-th entry, varied by a random jitter of
 * {@link #DEFAULT_JITTER} either way so that receivers that come back up are not hit by every
 * retry at once. After the last entry the delivery is marked failed. A receiver's {@code
 * Retry-After} can lengthen a delay up to the longest entry, but never shorten it.
 */
public final class RetrySchedule {
  /** Jitter applied to each delay: 20% either way. */
  public static final double DEFAULT_JITTER = 0.2;

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private final List<Duration> delays;
  private final double jitter;

  private RetrySchedule(List<Duration> delays, double jitter) {
    this.delays = List.copyOf(delays);
    this.jitter = jitter;
  }

  /** Returns the default schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, each with 20% jitter. */
  public static RetrySchedule defaults() {
    return parse("5s,5m,30m,2h,5h,10h,10h");
  }

  /** Creates a schedule with the given delays and the default jitter. */
  public static RetrySchedule of(List<Duration> delays) {
    for (Duration delay : delays) {
      if (delay.isNegative()) {
        throw new IllegalArgumentException("retry delays must not be negative, got " + delay);
      }
    }
    return new RetrySchedule(delays, DEFAULT_JITTER);
  }

  /**
   * Parses a comma-separated list of durations such as {@code 5s,5m,30m,2h}. Units: {@code ms},
   * {@code s}, {@code m}, {@code h}, {@code d}. An empty text means no retries.
   *
   * @throws IllegalArgumentException naming the entry that is not a duration
   */
  public static RetrySchedule parse(String text) {
    List<Duration> delays = new ArrayList<>();
    if (!text.isBlank()) {
      for (String entry : text.split(",")) {
        delays.add(parseDuration(entry));
      }
    }
    return of(delays);
  }

  /**
   * Parses one duration with a unit: {@code 500ms}, {@code 15s}, {@code 5m}, {@code 2h} or {@code
   * 1d}.
   *
   * @throws IllegalArgumentException naming the text and the expected form
   */
  public static Duration parseDuration(String text) {
    Matcher matcher = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!matcher.matches()) {
      throw new IllegalArgumentException(
          "'" + text.trim() + "' is not a duration: write a whole number and a unit, ms, s, m, h or d,"
              + " such as 500ms or 5m");
    }
    long amount = Long.parseLong(matcher.group(1));
    switch (matcher.group(2)) {
      case "ms":
        return Duration.ofMillis(amount);
      case "s":
        return Duration.ofSeconds(amount);
      case "m":
        return Duration.ofMinutes(amount);
      case "h":
        return Duration.ofHours(amount);
      default:
        return Duration.ofDays(amount);
    }
  }

  /** Returns a copy with another jitter, a fraction from 0 (none) to 1. */
  public RetrySchedule withJitter(double jitter) {
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new IllegalArgumentException("jitter must be between 0 and 1, got " + jitter);
    }
    return new RetrySchedule(delays, jitter);
  }

  /** Returns the delays without jitter. */
  public List<Duration> delays() {
    return delays;
  }

  /** Returns the number of attempts a delivery gets in all: the first one plus one per delay. */
  public int maxAttempts() {
    return delays.size() + 1;
  }

  /**
   * Returns the delay before the attempt that follows failed attempt {@code attempt}, or empty when
   * that was the last one.
   *
   * @param attempt the number of the attempt that failed, 1 for the first
   * @param requested the receiver's {@code Retry-After}, or {@code null}
   */
  public Optional<Duration> delayAfter(int attempt, Duration requested) {
    if (attempt < 1 || attempt > delays.size()) {
      return Optional.empty();
    }
    Duration base = delays.get(attempt - 1);
    long millis = base.toMillis();
    if (jitter > 0 && millis > 0) {
      double factor = 1 + ThreadLocalRandom.current().nextDouble(-jitter, jitter);
      millis = Math.round(millis * factor);
    }
    Duration delay = Duration.ofMillis(millis);
    if (requested != null && requested.compareTo(delay) > 0) {
      Duration longest = delays.stream().max(Duration::compareTo).orElse(base);
      delay = requested.compareTo(longest) < 0 ? requested : longest;
    }
    return Optional.of(delay);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder();
    for (Duration delay : delays) {
      if (text.length() > 0) {
        text.append(',');
      }
      text.append(delay.toMillis()).append("ms");
    }
    return text.toString();
  }
}
