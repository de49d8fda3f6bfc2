package io.webhookdispatcher;

/**
 * Input rejected before anything was stored: a message, an endpoint or an id that does not meet
 * its contract. The message names the field, the rejected value and the rule it broke.
 */
public class InvalidInputException extends WebhookException {
  private static final long serialVersionUID = 1L;

  private final String field;

  public InvalidInputException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** Returns the name of the rejected field, as it appears in the JSON API (for example {@code url}). */
  public String field() {
    return field;
  }
}
