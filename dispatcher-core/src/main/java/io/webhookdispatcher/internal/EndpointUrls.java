package io.webhookdispatcher.internal;

import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.netty.AddressFilter;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/** Validates endpoint URLs before they are stored. */
public final class EndpointUrls {
  /** Maximum length of an endpoint URL, in characters. */
  public static final int MAX_URL_LENGTH = 2048;

  private EndpointUrls() {}

  /**
   * Parses and checks an endpoint URL: absolute http or https with a host, no user-info, at most
   * {@link #MAX_URL_LENGTH} characters, and no literal address that {@code filter} rejects.
   *
   * @throws InvalidInputException on field {@code url}, naming the problem
   */
  public static URI validate(String url, AddressFilter filter) {
    if (url == null || url.isBlank()) {
      throw new InvalidInputException("url", "url is missing");
    }
    if (url.length() > MAX_URL_LENGTH) {
      throw new InvalidInputException(
          "url",
          "url is " + url.length() + " characters long, over the maximum of " + MAX_URL_LENGTH);
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new InvalidInputException(
          "url", "url '" + quote(url) + "' is not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new InvalidInputException(
          "url", "url '" + quote(url) + "' is invalid: it must be an absolute http or https URL");
    }
    if (uri.getRawUserInfo() != null) {
      throw new InvalidInputException(
          "url", "url is invalid: it must not contain user-info (a user name or password before '@')");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new InvalidInputException(
          "url",
          "url '"
              + quote(url)
              + "' is invalid: its host is missing or malformed, or its port is not a number");
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      throw new InvalidInputException(
          "url",
          "url '" + quote(url) + "' is invalid: port " + uri.getPort() + " is not from 1 to 65535");
    }
    Optional<InetAddress> literal = AddressFilter.parseLiteral(uri.getHost());
    if (literal.isPresent()) {
      Optional<String> reason = filter.rejectionReason(literal.get());
      if (reason.isPresent()) {
        throw new InvalidInputException(
            "url",
            "url host "
                + uri.getHost()
                + " is rejected: "
                + reason.get()
                + "; deliveries to private addresses are off by default");
      }
    }
    return uri;
  }

  private static String quote(String url) {
    return url.length() <= 200 ? url : url.substring(0, 200) + "...";
  }
}
