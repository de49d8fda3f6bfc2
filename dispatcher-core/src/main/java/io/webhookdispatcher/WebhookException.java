package io.webhookdispatcher;

/** Root of every unchecked exception that the dispatcher throws. */
public class WebhookException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public WebhookException(String message) {
    super(message);
  }

  public WebhookException(String message, Throwable cause) {
    super(message, cause);
  }
}
