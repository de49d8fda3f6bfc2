package io.webhookdispatcher.netty;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.proxy.HttpProxyHandler.HttpProxyConnectException;
import io.netty.handler.proxy.ProxyConnectException;
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

  /**
   * Returns a human-readable error for {@code failure} while getting a connection through {@code
   * proxy}, or directly when it is null. Failures to resolve the proxy's host name, to connect to
   * the proxy and to open the tunnel name the proxy's host and port. The proxy's password never
   * appears.
   */
  static String describe(
      Throwable failure, Target target, Duration connectTimeout, NettyTransport.Proxy proxy) {
    if (proxy == null) {
      return describe(failure, target, connectTimeout);
    }
    Throwable cause = unwrap(failure);
    String proxyName = "proxy " + proxy.authority();
    if (cause instanceof HttpPoolHandler.TunnelException tunnel) {
      return describeTunnelFailure(tunnel, target, proxy);
    }
    if (cause instanceof UnknownHostException) {
      return "host name of " + proxyName + " could not be resolved: " + cause.getMessage();
    }
    if (cause instanceof ConnectTimeoutException) {
      return "connect timed out after " + format(connectTimeout) + " to " + proxyName;
    }
    if (cause instanceof ConnectException) {
      return describeConnectFailure(cause, proxyName);
    }
    return describe(failure, target, connectTimeout);
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

  /**
   * Names why the proxy did not open the tunnel: the status of its response to {@code CONNECT},
   * and for 407 what to change, or that it closed the connection or did not respond in time.
   */
  private static String describeTunnelFailure(
      HttpPoolHandler.TunnelException failure, Target target, NettyTransport.Proxy proxy) {
    String proxyName = "proxy " + proxy.authority();
    String connect = "CONNECT " + target.authority();
    if (failure.invalidResponse() != null) {
      return proxyName
          + " sent an invalid response to "
          + connect
          + ": "
          + innermostMessage(failure.invalidResponse());
    }
    HttpResponseStatus status = failure.status();
    if (status != null && status.code() != HttpResponseStatus.OK.code()) {
      String rejected =
          proxyName
              + " rejected "
              + connect
              + " with status "
              + status.code()
              + " "
              + status.reasonPhrase();
      if (status.code() != HttpResponseStatus.PROXY_AUTHENTICATION_REQUIRED.code()) {
        return rejected;
      }
      if (proxy.hasCredentials()) {
        return rejected + "; check the user name and password in the proxy URI";
      }
      return rejected
          + "; the proxy requires authentication, so add user:password@ to the proxy URI";
    }
    if (failure.closedByProxy()) {
      return proxyName + " closed the connection before responding to " + connect;
    }
    // Netty's own timeout fails the tunnel with a plain ProxyConnectException without a cause.
    Throwable netty = failure.getCause();
    boolean timedOut =
        netty instanceof ProxyConnectException
            && !(netty instanceof HttpProxyConnectException)
            && netty.getCause() == null;
    if (timedOut) {
      return proxyName + " did not respond to " + connect + " in time";
    }
    return connect + " through " + proxyName + " failed: " + innermostMessage(failure);
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
