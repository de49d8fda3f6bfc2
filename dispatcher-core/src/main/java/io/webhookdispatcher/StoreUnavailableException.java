package io.webhookdispatcher;

/** Failure of the outbox or endpoint store, such as an unreachable database. Nothing was stored. */
public class StoreUnavailableException extends WebhookException {
  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
