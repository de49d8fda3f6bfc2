package io.webhookdispatcher;

import io.webhookdispatcher.spi.AttemptPosition;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One page request for {@link WebhookDispatcher#attempts(java.util.UUID, AttemptQuery)}: how many
 * attempts, from where, and of which outcome. Pages run newest first.
 *
 * <pre>{@code
 * AttemptPage page = dispatcher.attempts(endpointId, AttemptQuery.builder().limit(20).build());
 * }</pre>
 */
public final class AttemptQuery {
  /** Attempts per page unless {@link Builder#limit} sets another number: 50. */
  public static final int DEFAULT_LIMIT = 50;

  /** Maximum number of attempts per page: 250. */
  public static final int MAX_LIMIT = 250;

  /** Form of a decoded cursor: epoch second, nanosecond and attempt id. */
  private static final Pattern CURSOR_TEXT = Pattern.compile("a1:(-?\\d{1,19}):(\\d{1,9}):(\\d{1,19})");

  /** Outcome filter of a page. */
  public enum Outcome {
    /** Attempts that got a 2xx response. */
    SUCCEEDED,
    /** Attempts that ended with another status or without a response. */
    FAILED;

    /** Returns the lowercase name used in the JSON API, such as {@code failed}. */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code succeeded} or {@code failed}.
     *
     * @throws InvalidInputException naming {@code outcome} and the value for anything else
     */
    public static Outcome parse(String value) {
      for (Outcome outcome : values()) {
        if (outcome.jsonName().equals(value)) {
          return outcome;
        }
      }
      throw new InvalidInputException(
          "outcome",
          "outcome '"
              + Texts.abbreviate(String.valueOf(value))
              + "' is invalid: use succeeded or failed, or leave it out for both");
    }
  }

  private final int limit;
  private final AttemptPosition after;
  private final Outcome outcome;

  private AttemptQuery(Builder builder) {
    this.limit = builder.limit;
    this.after = builder.after;
    this.outcome = builder.outcome;
  }

  /** Returns a builder of the first page of every outcome, {@value #DEFAULT_LIMIT} attempts long. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the first page of every outcome with {@value #DEFAULT_LIMIT} attempts. */
  public static AttemptQuery firstPage() {
    return builder().build();
  }

  public int limit() {
    return limit;
  }

  /** Returns the position after which the page starts, or empty for the newest attempts. */
  public Optional<AttemptPosition> after() {
    return Optional.ofNullable(after);
  }

  /** Returns the outcome that the page is limited to, or empty for every outcome. */
  public Optional<Outcome> outcome() {
    return Optional.ofNullable(outcome);
  }

  /** Encodes a position as the opaque cursor that {@link Builder#cursor} reads back. */
  static String encodeCursor(AttemptPosition position) {
    Instant at = position.attemptedAt();
    String text = "a1:" + at.getEpochSecond() + ":" + at.getNano() + ":" + position.attemptId();
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static AttemptPosition decodeCursor(String cursor) {
    String text;
    try {
      text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      throw invalidCursor(cursor);
    }
    Matcher matcher = CURSOR_TEXT.matcher(text);
    if (!matcher.matches()) {
      throw invalidCursor(cursor);
    }
    try {
      Instant at =
          Instant.ofEpochSecond(
              Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2)));
      return new AttemptPosition(at, Long.parseLong(matcher.group(3)));
    } catch (NumberFormatException | DateTimeException e) {
      throw invalidCursor(cursor);
    }
  }

  private static InvalidInputException invalidCursor(String cursor) {
    return new InvalidInputException(
        "cursor",
        "cursor '"
            + Texts.abbreviate(cursor)
            + "' is invalid: pass the next_cursor of the previous page unchanged, or leave it out"
            + " for the first page");
  }

  @Override
  public String toString() {
    return "AttemptQuery[limit=" + limit + ", after=" + after + ", outcome=" + outcome + "]";
  }

  /** Builder of {@link AttemptQuery}; each setter rejects a bad value at once. */
  public static final class Builder {
    private int limit = DEFAULT_LIMIT;
    private AttemptPosition after;
    private Outcome outcome;

    private Builder() {}

    /**
     * Sets the maximum number of attempts on the page, from 1 to {@value #MAX_LIMIT}. Default:
     * {@value #DEFAULT_LIMIT}.
     *
     * @throws InvalidInputException naming {@code limit} and the value when it is out of range
     */
    public Builder limit(int limit) {
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new InvalidInputException(
            "limit", "limit " + limit + " is invalid: use 1 to " + MAX_LIMIT + " attempts per page");
      }
      this.limit = limit;
      return this;
    }

    /**
     * Starts the page after the last attempt of the page that returned this cursor. Default: none,
     * for the newest attempts.
     *
     * @param cursor the {@link AttemptPage#nextCursor()} of the previous page, or {@code null}
     * @throws InvalidInputException naming {@code cursor} and the value when it was not returned by
     *     a page
     */
    public Builder cursor(String cursor) {
      this.after = cursor == null ? null : decodeCursor(cursor);
      return this;
    }

    /** Limits the page to one outcome, or to none with {@code null}. Default: every outcome. */
    public Builder outcome(Outcome outcome) {
      this.outcome = outcome;
      return this;
    }

    public AttemptQuery build() {
      return new AttemptQuery(this);
    }
  }
}
