package io.webhookdispatcher.netty;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Locale;

/**
 * The destination of one request, taken from the delivery URL.
 *
 * @param scheme {@code http} or {@code https}, lower case
 * @param host the host name or IP literal, lower case, without IPv6 brackets
 * @param port the port, with the scheme's default filled in
 * @param hostHeader the value of the {@code Host} header: the host as written in the URL, and the
 *     port only when it is not the scheme's default
 * @param pathAndQuery the raw path and query to request, {@code /} when the URL has no path
 */
record Target(String scheme, String host, int port, String hostHeader, String pathAndQuery) {

  /**
   * Parses a delivery URL.
   *
   * @throws IllegalArgumentException when the URL is not an absolute http or https URL with a host.
   *     The message never quotes the path or query, because they may carry a token.
   */
  static Target of(URI url) {
    if (url == null) {
      throw new IllegalArgumentException("invalid request: url is missing");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          "invalid URL: scheme '" + scheme + "' is not supported; use http or https");
    }
    String rawHost = url.getHost();
    if (rawHost == null || rawHost.isEmpty()) {
      throw new IllegalArgumentException("invalid URL: it has no host, or the host is malformed");
    }
    String hostInUrl = rawHost.toLowerCase(Locale.ROOT);
    String host =
        hostInUrl.startsWith("[") ? hostInUrl.substring(1, hostInUrl.length() - 1) : hostInUrl;
    int defaultPort = scheme.equals("https") ? 443 : 80;
    int port = url.getPort() == -1 ? defaultPort : url.getPort();
    String hostHeader = port == defaultPort ? hostInUrl : hostInUrl + ":" + port;
    return new Target(scheme, host, port, hostHeader, pathAndQuery(url));
  }

  private static String pathAndQuery(URI url) {
    String path = url.getRawPath();
    if (path == null || path.isEmpty()) {
      path = "/";
    }
    String query = url.getRawQuery();
    return query == null ? path : path + "?" + query;
  }

  boolean tls() {
    return scheme.equals("https");
  }

  /** Returns {@code host:port} for error messages, with brackets around an IPv6 literal. */
  String authority() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  PoolKey poolKey() {
    return new PoolKey(scheme, host, port);
  }

  /** Identifies the connection pool that a request may use. */
  record PoolKey(String scheme, String host, int port) {

    boolean tls() {
      return scheme.equals("https");
    }

    /** Returns the host and port unresolved, for the bootstrap's resolver or the proxy. */
    InetSocketAddress unresolvedAddress() {
      return InetSocketAddress.createUnresolved(host, port);
    }
  }
}
