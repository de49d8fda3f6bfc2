package io.webhookdispatcher.netty;

import java.net.UnknownHostException;

/**
 * Fails a name resolution because the {@link AddressFilter} rejected one of the host's addresses.
 * The message is complete and is used as the attempt's error as it is.
 */
final class AddressRejectedException extends UnknownHostException {
  private static final long serialVersionUID = 1L;

  AddressRejectedException(String message) {
    super(message);
  }

  /** Omits the stack trace, which would only point into the resolver executor. */
  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
