package io.webhookdispatcher;

import java.util.Optional;
import java.util.UUID;

/**
 * A replay or recovery that was rejected before anything was stored. The message gives the cause
 * and what to do, and {@link #reason()} tells the cases apart, for example to choose an HTTP status.
 */
public class ReplayRejectedException extends WebhookException {
  private static final long serialVersionUID = 1L;

  /** The cause of a rejection. */
  public enum Reason {
    /** The endpoint never existed or was deleted. */
    ENDPOINT_NOT_FOUND,
    /** The message never existed or the retention job deleted it. */
    MESSAGE_NOT_FOUND,
    /**
     * The message never had a delivery to the endpoint, because it was published before the
     * endpoint was created or the endpoint's event-type filter left out its event type.
     */
    NOT_SENT_TO_ENDPOINT,
    /** The latest delivery of the message to the endpoint has not ended yet. */
    STILL_PENDING,
    /** The endpoint is disabled; it must be enabled again first. */
    ENDPOINT_DISABLED,
    /** A delivery service sends the webhooks and retries them itself. */
    HAND_OFF_TRANSPORT
  }

  private final Reason reason;
  private final UUID messageId;
  private final UUID endpointId;

  public ReplayRejectedException(Reason reason, UUID messageId, UUID endpointId, String message) {
    super(message);
    this.reason = reason;
    this.messageId = messageId;
    this.endpointId = endpointId;
  }

  public Reason reason() {
    return reason;
  }

  /** Returns the message of a rejected replay; empty for a recovery. */
  public Optional<UUID> messageId() {
    return Optional.ofNullable(messageId);
  }

  public UUID endpointId() {
    return endpointId;
  }
}
