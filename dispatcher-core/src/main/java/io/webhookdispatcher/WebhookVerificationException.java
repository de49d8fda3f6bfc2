package io.webhookdispatcher;

/** A webhook request that failed verification, with the reason. */
public final class WebhookVerificationException extends WebhookException {
  private static final long serialVersionUID = 1L;

  /** Reasons for a failed verification. */
  public enum Reason {
    /** The id, timestamp or signature header is absent or empty. */
    MISSING_HEADER,
    /** The timestamp header is not a whole number of unix seconds. */
    INVALID_TIMESTAMP,
    /** The timestamp is older than the tolerance allows: a replay or a slow clock. */
    TIMESTAMP_TOO_OLD,
    /** The timestamp is further in the future than the tolerance allows. */
    TIMESTAMP_TOO_NEW,
    /** No {@code v1} signature matches: wrong secret, or a changed body, id or timestamp. */
    NO_MATCHING_SIGNATURE
  }

  private final Reason reason;

  public WebhookVerificationException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
