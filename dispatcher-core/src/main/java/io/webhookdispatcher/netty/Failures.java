package io.webhookdispatcher.netty;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.ssl.NotSslRecordException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/** Turns the exceptions of a failed attempt into the short error text stored with the attempt. */
final class Failures {

  private Failures() {}

  /** Returns a human-readable error for {@code failure}, naming the target's host and port. */
  static String describe(Throwable failure, Target target, Duration connectTimeout) {
    Throwable cause = unwrap(failure);
    String authority = target.authority();
    if (cause instanceof AddressRejectedException || cause instanceof UnknownHostException) {
      return cause.getMessage();
    }

    if (cause instanceof ConnectTimeoutException) {
      return "connect timed out after " + format(connectTimeout) + " to " + authority;
    }
    if (cause instanceof ConnectException) {
      return describeConnectFailure(cause, authority);
    }

    if (cause instanceof NotSslRecordException) {
      return "TLS handshake with " + authority + " failed: the server did not answer with TLS";
    }
    if (cause instanceof SSLException) {
      return "TLS handshake with " + authority + " failed: " + cause.getMessage();
    }

    if (cause instanceof PrematureChannelClosureException
        || cause instanceof ClosedChannelException) {
      return "connection to " + authority + " closed before a complete response";
    }
    if (cause instanceof TimeoutException) {
      return "no connection to " + authority + " became free before the request timed out";
    }
    if (cause instanceof IOException && isReset(cause)) {
      return "connection to " + authority + " reset by peer";
    }
    if (cause instanceof IllegalStateException && mentionsClosedPool(cause)) {
      return "transport is closed; no request was sent";
    }

    String message = cause.getMessage();
    String type = cause.getClass().getSimpleName();
    return "request to " + authority + " failed: " + (message == null ? type : message);
  }

  /** Formats a duration as {@code 15s} when it is whole seconds, else as {@code 500ms}. */
  static String format(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? (millis / 1000) + "s" : millis + "ms";
  }

  private static String describeConnectFailure(Throwable cause, String authority) {
    String message = cause.getMessage() == null ? "" : cause.getMessage();
    if (message.toLowerCase(Locale.ROOT).contains("refused")) {
      return "connection refused by " + authority;
    }
    // Netty appends the remote address after a colon, which the authority already names.
    int colon = message.indexOf(": ");
    String reason = colon > 0 ? message.substring(0, colon) : message;
    return "connect to " + authority + " failed: " + reason;
  }

  private static boolean isReset(Throwable cause) {
    String message = cause.getMessage();
    return message != null && message.toLowerCase(Locale.ROOT).contains("connection reset");
  }

  private static boolean mentionsClosedPool(Throwable cause) {
    String message = cause.getMessage();
    return message != null && message.contains("was closed");
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null
        && (cause instanceof DecoderException
            || cause instanceof EncoderException
            || cause instanceof CompletionException
            || cause instanceof ExecutionException)) {
      cause = cause.getCause();
    }
    return cause;
  }
}
