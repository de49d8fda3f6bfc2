package io.webhookdispatcher;

/** A message whose serialized form is larger than the configured maximum. Nothing was stored. */
public final class MessageTooLargeException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  private final long size;
  private final long maxSize;

  public MessageTooLargeException(long size, long maxSize) {
    super(
        "object",
        "message is "
            + size
            + " bytes when serialized, over the maximum of "
            + maxSize
            + " bytes; send a smaller object or raise the maximum message size");
    this.size = size;
    this.maxSize = maxSize;
  }

  /** Returns the serialized size in bytes. */
  public long size() {
    return size;
  }

  /** Returns the maximum size in bytes. */
  public long maxSize() {
    return maxSize;
  }
}
