package io.webhookdispatcher.internal;

import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.netty.AddressFilter;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Validates endpoint URLs before they are stored. */
public final class EndpointUrls {
  /** Maximum length of an endpoint URL, in characters. */
  public static final int MAX_URL_LENGTH = 2048;

  private static final String USER_INFO_REJECTED =
      "url is invalid: it must not contain user-info (a user name or password before '@')";

  private EndpointUrls() {}

  /**
   * Parses and checks an endpoint URL: absolute http or https with a host, no user-info, at most
   * {@link #MAX_URL_LENGTH} characters, no literal address that {@code filter} rejects, and no IPv4
   * literal in a form other than dotted decimal (such as {@code 2130706433} or {@code 0x7f.1}).
   *
   * @throws InvalidInputException on field {@code url}, naming the problem
   */
  public static URI validate(String url, AddressFilter filter) {
    if (url == null) {
      throw new InvalidInputException("url", "url is missing");
    }
    if (url.isBlank()) {
      throw new InvalidInputException(
          "url", "url is empty: set an absolute http or https URL, such as https://example.com/hooks");
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
      throw new InvalidInputException("url", USER_INFO_REJECTED);
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      checkUnparsedHost(uri, filter);
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
    checkLiteral(uri.getHost(), filter);
    checkNameLength(uri.getHost());
    return uri;
  }

  /** Maximum length of a DNS name, in characters, without a final dot. */
  private static final int MAX_NAME_LENGTH = 253;

  /** Maximum length of one DNS label, in characters. */
  private static final int MAX_LABEL_LENGTH = 63;

  /** Rejects a host name that no DNS server can resolve because a label or the whole is too long. */
  private static void checkNameLength(String host) {
    if (host.startsWith("[")) {
      return;
    }
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    if (name.length() > MAX_NAME_LENGTH) {
      throw new InvalidInputException(
          "url",
          "url host is "
              + name.length()
              + " characters long, over the "
              + MAX_NAME_LENGTH
              + " that DNS allows");
    }
    for (String label : name.split("\\.")) {
      if (label.length() > MAX_LABEL_LENGTH) {
        throw new InvalidInputException(
            "url",
            "url host has a label of "
                + label.length()
                + " characters, over the "
                + MAX_LABEL_LENGTH
                + " that DNS allows");
      }
    }
  }

  /**
   * Checks the host of a URL that {@link URI} parsed without a host. It does so for hosts such as
   * {@code 127.1} or {@code 0x7f.0.0.1}, whose last label is a number but which are not four-part
   * decimal IPv4. Resolvers still read them as addresses, so they get the same checks and messages
   * as the literals that {@link URI} accepts.
   */
  private static void checkUnparsedHost(URI uri, AddressFilter filter) {
    String authority = uri.getRawAuthority();
    if (authority == null) {
      return;
    }
    if (authority.indexOf('@') >= 0) {
      throw new InvalidInputException("url", USER_INFO_REJECTED);
    }
    int portStart = authority.lastIndexOf(':');
    String host =
        portStart > authority.lastIndexOf(']') ? authority.substring(0, portStart) : authority;
    checkLiteral(percentDecode(host), filter);
  }

  /**
   * Rejects an IP literal host that {@code filter} rejects in any reading, and an IPv4 literal in
   * any form other than dotted decimal, which receivers, proxies and resolvers read differently.
   */
  private static void checkLiteral(String host, AddressFilter filter) {
    if (host.indexOf(':') < 0) {
      checkIpv4Literal(host, filter);
      return;
    }
    Optional<InetAddress> ipv6 = AddressFilter.parseLiteral(host);
    if (ipv6.isPresent()) {
      rejectIfFiltered(host, ipv6.get(), filter);
    }
  }

  private static void checkIpv4Literal(String host, AddressFilter filter) {
    boolean dottedDecimal = AddressFilter.isDottedDecimal(host);
    List<InetAddress> readings = AddressFilter.ipv4Readings(host);
    for (InetAddress reading : readings) {
      String written = dottedDecimal ? host : host + " (read as " + reading.getHostAddress() + ")";
      rejectIfFiltered(written, reading, filter);
    }
    if (!dottedDecimal && !readings.isEmpty()) {
      throw new InvalidInputException(
          "url",
          "url host "
              + host
              + " (read as "
              + readings.get(0).getHostAddress()
              + ") is rejected: it is an IPv4 address in a form other than dotted decimal, and"
              + " receivers and proxies disagree on how to read such forms; write the address in"
              + " dotted-decimal form: four decimal numbers from 0 to 255 without leading zeros");
    }
    if (readings.isEmpty() && endsInNumber(host)) {
      throw new InvalidInputException(
          "url",
          "url host "
              + host
              + " is invalid: it ends in a number, so URL parsers take it for an IPv4 address,"
              + " but it is not one; write a host name or an IPv4 address in dotted-decimal form");
    }
  }

  private static void rejectIfFiltered(String written, InetAddress address, AddressFilter filter) {
    Optional<String> reason = filter.rejectionReason(address);
    if (reason.isPresent()) {
      throw new InvalidInputException(
          "url",
          "url host "
              + written
              + " is rejected: "
              + reason.get()
              + "; deliveries to private addresses are off by default");
    }
  }

  /**
   * Returns whether the last label of {@code host}, ignoring one trailing dot, is a number in
   * decimal or {@code 0x} hexadecimal. The WHATWG URL standard parses such a host as IPv4 and
   * rejects it when that fails, so it cannot be a name that every client reaches.
   */
  private static boolean endsInNumber(String host) {
    String body = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    String last = body.substring(body.lastIndexOf('.') + 1);
    return last.matches("[0-9]+|0[xX][0-9a-fA-F]*");
  }

  /**
   * Decodes {@code %XX} escapes as UTF-8, so that an escaped host is judged as it reads after
   * decoding. Returns {@code text} unchanged when an escape is malformed.
   */
  private static String percentDecode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return text;
    }
  }

  private static String quote(String url) {
    return url.length() <= 200 ? url : url.substring(0, 200) + "...";
  }
}
