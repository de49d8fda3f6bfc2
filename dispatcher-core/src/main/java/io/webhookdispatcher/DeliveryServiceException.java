package io.webhookdispatcher;

/**
 * The delivery service behind a hand-off transport, such as Svix, failed or rejected a request
 * about an endpoint or an attempt. Nothing was changed on our side.
 */
public class DeliveryServiceException extends WebhookException {
  private static final long serialVersionUID = 1L;

  private final int statusCode;

  /**
   * @param statusCode the service's HTTP status, or 0 when no response came
   * @param message what failed, with the service's own error code and detail when it sent them
   */
  public DeliveryServiceException(int statusCode, String message, Throwable cause) {
    super(message, cause);
    this.statusCode = statusCode;
  }

  /** Returns the service's HTTP status, or 0 when no response came. */
  public int statusCode() {
    return statusCode;
  }
}
