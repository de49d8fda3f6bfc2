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
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
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
      return "TLS handshake with " + authority + " failed: " + describeTlsFailure(cause, target);
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

  /**
   * Names the reason a server certificate was rejected: expired, not yet valid, issued by an
   * untrusted authority, or for another host. The JDK's own text follows in brackets. Any other
   * TLS failure keeps the JDK's text alone.
   */
  private static String describeTlsFailure(Throwable cause, Target target) {
    Throwable expired = findCause(cause, CertificateExpiredException.class);
    if (expired != null) {
      return "a certificate in the server's chain has expired (" + expired.getMessage() + ")";
    }
    Throwable notYetValid = findCause(cause, CertificateNotYetValidException.class);
    if (notYetValid != null) {
      return "a certificate in the server's chain is not valid yet ("
          + notYetValid.getMessage()
          + ")";
    }
    Throwable untrusted = findCause(cause, CertPathBuilderException.class);
    if (untrusted != null) {
      return "the server's certificate chain does not lead to a trusted certificate authority ("
          + innermostMessage(untrusted)
          + ")";
    }
    String mismatch = hostnameMismatch(cause);
    if (mismatch != null) {
      return "the server's certificate is not valid for " + target.host() + " (" + mismatch + ")";
    }
    String message = cause.getMessage();
    return message == null || message.isEmpty() ? cause.getClass().getSimpleName() : message;
  }

  /**
   * Returns the message of the JDK's hostname check failure in the cause chain, or {@code null}.
   * The check (sun.security.util.HostnameChecker in JDK 17) throws a plain CertificateException
   * whose message starts with "No subject alternative" or "No name matching", and no subtype.
   */
  private static String hostnameMismatch(Throwable failure) {
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < 10; depth++) {
      String message = cause.getMessage();
      boolean mismatch =
          message != null
              && (message.startsWith("No subject alternative")
                  || message.startsWith("No name matching"));
      if (cause instanceof CertificateException && mismatch) {
        return message;
      }
      cause = cause.getCause();
    }
    return null;
  }

  private static Throwable findCause(Throwable failure, Class<? extends Throwable> type) {
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < 10; depth++) {
      if (type.isInstance(cause)) {
        return cause;
      }
      cause = cause.getCause();
    }
    return null;
  }

  private static String innermostMessage(Throwable failure) {
    Throwable cause = failure;
    for (int depth = 0; cause.getCause() != null && depth < 10; depth++) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
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
