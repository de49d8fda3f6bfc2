package io.webhookdispatcher.netty;

import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides which IP addresses webhooks may be sent to, so that an endpoint URL cannot reach the
 * sender's own network (server-side request forgery).
 *
 * <p>{@link #denyPrivate()} rejects every address that is not globally reachable: loopback, "this
 * network", private (RFC 1918), carrier-grade NAT, link-local, unique-local, multicast, broadcast,
 * reserved, documentation and benchmarking ranges, and IPv6 addresses outside the global unicast
 * range {@code 2000::/3}. IPv6 forms that embed an IPv4 address (IPv4-mapped, IPv4-compatible, 6to4
 * and NAT64 {@code 64:ff9b::/96}) are judged by the embedded IPv4 address. Instances are immutable
 * and thread-safe.
 */
public final class AddressFilter {

  private static final AddressFilter ALLOW_ALL = new AddressFilter(false);
  private static final AddressFilter DENY_PRIVATE = new AddressFilter(true);

  private static final List<Range> IPV4_RANGES =
      List.of(
          Range.ipv4("0.0.0.0", 8, "a \"this network\" address"),
          Range.ipv4("10.0.0.0", 8, "a private address"),
          Range.ipv4("100.64.0.0", 10, "a carrier-grade NAT address"),
          Range.ipv4("127.0.0.0", 8, "a loopback address"),
          Range.ipv4("169.254.0.0", 16, "a link-local address"),
          Range.ipv4("172.16.0.0", 12, "a private address"),
          Range.ipv4("192.0.0.0", 24, "an IETF protocol assignment address"),
          Range.ipv4("192.0.2.0", 24, "a documentation address"),
          Range.ipv4("192.168.0.0", 16, "a private address"),
          Range.ipv4("198.18.0.0", 15, "a benchmarking address"),
          Range.ipv4("198.51.100.0", 24, "a documentation address"),
          Range.ipv4("203.0.113.0", 24, "a documentation address"),
          Range.ipv4("224.0.0.0", 4, "a multicast address"),
          Range.ipv4("255.255.255.255", 32, "the broadcast address"),
          Range.ipv4("240.0.0.0", 4, "a reserved address"));

  private static final List<Range> IPV6_RANGES =
      List.of(
          Range.ipv6("::", 128, "the unspecified address"),
          Range.ipv6("::1", 128, "a loopback address"),
          Range.ipv6("64:ff9b:1::", 48, "a local-use NAT64 address"),
          Range.ipv6("100::", 64, "a discard-only address"),
          Range.ipv6("2001::", 23, "an IETF protocol assignment address"),
          Range.ipv6("2001:db8::", 32, "a documentation address"),
          Range.ipv6("3fff::", 20, "a documentation address"),
          Range.ipv6("fc00::", 7, "a unique-local address"),
          Range.ipv6("fe80::", 10, "a link-local address"),
          Range.ipv6("fec0::", 10, "a site-local address"),
          Range.ipv6("ff00::", 8, "a multicast address"));

  private static final Range IPV4_MAPPED = Range.ipv6("::ffff:0:0", 96, "an IPv4-mapped address");
  private static final Range IPV4_COMPATIBLE = Range.ipv6("::", 96, "an IPv4-compatible address");
  private static final Range NAT64 = Range.ipv6("64:ff9b::", 96, "a NAT64 address");
  private static final Range SIX_TO_FOUR = Range.ipv6("2002::", 16, "a 6to4 address");
  private static final Range GLOBAL_UNICAST = Range.ipv6("2000::", 3, "global unicast");

  private final boolean rejectNonPublic;

  private AddressFilter(boolean rejectNonPublic) {
    this.rejectNonPublic = rejectNonPublic;
  }

  /** Returns the filter that rejects every address that is not globally reachable. */
  public static AddressFilter denyPrivate() {
    return DENY_PRIVATE;
  }

  /** Returns the filter that allows every address, for tests and trusted internal networks. */
  public static AddressFilter allowAll() {
    return ALLOW_ALL;
  }

  /** Returns whether webhooks may be sent to {@code address}. */
  public boolean isAllowed(InetAddress address) {
    return rejectionReason(address).isEmpty();
  }

  /**
   * Returns why webhooks may not be sent to {@code address}, as a noun phrase that names the range,
   * for example {@code "a private address (10.0.0.0/8)"}. Returns empty when the address is
   * allowed.
   */
  public Optional<String> rejectionReason(InetAddress address) {
    Objects.requireNonNull(address, "address");
    if (!rejectNonPublic) {
      return Optional.empty();
    }
    byte[] bytes = address.getAddress();
    return bytes.length == 4 ? ipv4Reason(bytes) : ipv6Reason(bytes);
  }

  /**
   * Parses {@code host} as an IP literal without any DNS lookup: IPv4 in dotted-quad form, or IPv6
   * with or without brackets and with an optional zone id ({@code fe80::1%eth0}).
   *
   * @return the address, or empty when {@code host} is a name or malformed
   */
  public static Optional<InetAddress> parseLiteral(String host) {
    if (host == null || host.isEmpty()) {
      return Optional.empty();
    }
    String literal = host;
    if (literal.startsWith("[") && literal.endsWith("]")) {
      literal = literal.substring(1, literal.length() - 1);
    }
    int zone = literal.indexOf('%');
    if (zone >= 0 && literal.indexOf(':') >= 0) {
      literal = literal.substring(0, zone);
    }
    try {
      if (NetUtil.isValidIpV4Address(literal)) {
        // getByAddress never performs a lookup.
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(literal);
        return Optional.of(InetAddress.getByAddress(bytes));
      }
      if (NetUtil.isValidIpV6Address(literal)) {
        // Inside brackets the JDK parses the text as an IPv6 literal or throws, without a lookup.
        // Netty's parser is not used for the bytes because it turns ::a.b.c.d into ::ffff:a.b.c.d.
        return Optional.of(InetAddress.getByName("[" + literal + "]"));
      }
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static Optional<String> ipv4Reason(byte[] bytes) {
    for (Range range : IPV4_RANGES) {
      if (range.contains(bytes)) {
        return Optional.of(range.describe());
      }
    }
    return Optional.empty();
  }

  private static Optional<String> ipv6Reason(byte[] bytes) {
    for (Range range : IPV6_RANGES) {
      if (range.contains(bytes)) {
        return Optional.of(range.describe());
      }
    }
    if (IPV4_MAPPED.contains(bytes)) {
      return embeddedReason(IPV4_MAPPED, bytes, 12);
    }
    if (IPV4_COMPATIBLE.contains(bytes)) {
      return embeddedReason(IPV4_COMPATIBLE, bytes, 12);
    }
    if (NAT64.contains(bytes)) {
      return embeddedReason(NAT64, bytes, 12);
    }
    if (SIX_TO_FOUR.contains(bytes)) {
      return embeddedReason(SIX_TO_FOUR, bytes, 2);
    }
    if (!GLOBAL_UNICAST.contains(bytes)) {
      return Optional.of("an address outside the global unicast range (2000::/3)");
    }
    return Optional.empty();
  }

  /** Judges an IPv6 address by the IPv4 address stored at {@code offset} inside it. */
  private static Optional<String> embeddedReason(Range range, byte[] bytes, int offset) {
    byte[] ipv4 = new byte[4];
    System.arraycopy(bytes, offset, ipv4, 0, 4);
    return ipv4Reason(ipv4)
        .map(
            reason ->
                range.describe()
                    + " embedding "
                    + NetUtil.bytesToIpAddress(ipv4)
                    + ", which is "
                    + reason);
  }

  @Override
  public String toString() {
    return rejectNonPublic ? "AddressFilter[denyPrivate]" : "AddressFilter[allowAll]";
  }

  /** A CIDR block with the phrase that names it in rejection reasons. */
  private record Range(byte[] network, int prefixLength, String cidr, String phrase) {

    static Range ipv4(String network, int prefixLength, String phrase) {
      return of(network, prefixLength, phrase, Inet4Address.class);
    }

    static Range ipv6(String network, int prefixLength, String phrase) {
      return of(network, prefixLength, phrase, Inet6Address.class);
    }

    private static Range of(
        String network, int prefixLength, String phrase, Class<? extends InetAddress> family) {
      byte[] bytes = NetUtil.createByteArrayFromIpAddressString(network);
      if (bytes == null || bytes.length != (family == Inet4Address.class ? 4 : 16)) {
        throw new IllegalArgumentException("invalid network address in range table: " + network);
      }
      return new Range(bytes, prefixLength, network + "/" + prefixLength, phrase);
    }

    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int fullBytes = prefixLength / 8;
      for (int i = 0; i < fullBytes; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int remainingBits = prefixLength % 8;
      if (remainingBits == 0) {
        return true;
      }
      int mask = (0xff << (8 - remainingBits)) & 0xff;
      return (address[fullBytes] & mask) == (network[fullBytes] & mask);
    }

    String describe() {
      return phrase + " (" + cidr + ")";
    }
  }
}
