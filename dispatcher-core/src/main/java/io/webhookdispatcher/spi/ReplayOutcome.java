package io.webhookdispatcher.spi;

/** The result of {@link OutboxStore#replay} for a message and an endpoint. */
public enum ReplayOutcome {
  /** A new delivery, pending and due now, was stored. */
  QUEUED,
  /** No message with this id is stored: it never existed or the retention job deleted it. */
  MESSAGE_NOT_FOUND,
  /** The message has no delivery to this endpoint, because the endpoint was created after it. */
  NOT_SENT_TO_ENDPOINT,
  /**
   * The message has no delivery to this endpoint, because the endpoint's event-type filter left out
   * the message's event type when it was published.
   */
  FILTERED_OUT,
  /** The latest delivery of the message to this endpoint is still pending; nothing was stored. */
  STILL_PENDING
}
