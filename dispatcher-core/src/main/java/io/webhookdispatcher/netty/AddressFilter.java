package io.webhookdispatcher.netty;

import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
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
 * and NAT64 {@code 64:ff9b::/96}) are judged by the embedded IPv4 address. {@link
 * #denyPrivateExcept} also allows the addresses inside ranges that an operator names, for example
 * an internal receiver's network. Instances are immutable and thread-safe.
 */
public final class AddressFilter {

  private static final AddressFilter ALLOW_ALL = new AddressFilter(false, List.of());
  private static final AddressFilter DENY_PRIVATE = new AddressFilter(true, List.of());

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
  private final List<Range> allowedRanges;

  private AddressFilter(boolean rejectNonPublic, List<Range> allowedRanges) {
    this.rejectNonPublic = rejectNonPublic;
    this.allowedRanges = allowedRanges;
  }

  /** Returns the filter that rejects every address that is not globally reachable. */
  public static AddressFilter denyPrivate() {
    return DENY_PRIVATE;
  }

  /** Returns the filter that allows every address, for tests and trusted internal networks. */
  public static AddressFilter allowAll() {
    return ALLOW_ALL;
  }

  /**
   * Returns a filter that rejects what {@link #denyPrivate()} rejects, except the addresses inside
   * one of {@code cidrs}. Each entry is a network address and a prefix length, such as {@code
   * 10.20.0.0/16} or {@code fd00:1234::/32}, with no bits set after the prefix. An IPv4 range also
   * allows the IPv4-mapped IPv6 form ({@code ::ffff:10.20.0.5}) of its addresses, which connects to
   * the same host. Other IPv6 forms that embed an IPv4 address are not allowed by an IPv4 range.
   *
   * @throws IllegalArgumentException when the list or an entry is null or an entry is not a valid
   *     CIDR range; the message names the entry
   */
  public static AddressFilter denyPrivateExcept(List<String> cidrs) {
    List<Range> ranges = parseRanges(cidrs);
    return ranges.isEmpty() ? DENY_PRIVATE : new AddressFilter(true, ranges);
  }

  /**
   * Returns the filter for a dispatcher's settings: {@link #allowAll()} when {@code
   * allowPrivateAddresses} is set, and {@link #denyPrivateExcept} with {@code allowedRanges}
   * otherwise. The ranges are validated in both cases, so that a typo is reported at start.
   *
   * @throws IllegalArgumentException when {@code allowedRanges} is null or has an invalid entry
   */
  public static AddressFilter of(boolean allowPrivateAddresses, List<String> allowedRanges) {
    AddressFilter denyPrivate = denyPrivateExcept(allowedRanges);
    return allowPrivateAddresses ? ALLOW_ALL : denyPrivate;
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
    if (isInAllowedRange(bytes)) {
      return Optional.empty();
    }
    return bytes.length == 4 ? ipv4Reason(bytes) : ipv6Reason(bytes);
  }

  private boolean isInAllowedRange(byte[] bytes) {
    byte[] mappedIpv4 = IPV4_MAPPED.contains(bytes) ? Arrays.copyOfRange(bytes, 12, 16) : null;
    for (Range range : allowedRanges) {
      if (range.contains(bytes) || (mappedIpv4 != null && range.contains(mappedIpv4))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Parses {@code host} as an IP literal without any DNS lookup. IPv6 is accepted with or without
   * brackets and with an optional zone id ({@code fe80::1%eth0}), which is dropped. IPv4 is
   * accepted in every form that {@code inet_aton(3)} or the WHATWG URL standard reads as an
   * address, not only dotted decimal: one to four parts separated by dots, each part decimal, octal
   * with a leading {@code 0} or hexadecimal with {@code 0x}, the last part filling the remaining
   * bytes, and an optional trailing dot. So {@code 2130706433}, {@code 0x7f.1} and {@code
   * 0177.0.0.1} all parse as 127.0.0.1. Use {@link #isDottedDecimal} to tell the usual form apart.
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
      if (literal.indexOf(':') < 0) {
        byte[] ipv4 = parseIpv4(literal);
        return ipv4 == null ? Optional.empty() : Optional.of(ipv4Address(ipv4));
      }
      // Inside brackets the JDK parses the text as an IPv6 literal or throws, without a lookup.
      // Netty is not used: its parser turns ::a.b.c.d into ::ffff:a.b.c.d, and its validator
      // rejects other prefixes before a dotted IPv4 part, such as 64:ff9b::127.0.0.1.
      return Optional.of(InetAddress.getByName("[" + literal + "]"));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /**
   * Returns whether {@code host} is an IPv4 address in dotted-decimal form: four decimal numbers
   * from 0 to 255 without leading zeros, such as {@code 127.0.0.1}. Other forms that {@link
   * #parseLiteral} accepts, such as {@code 2130706433} or {@code 010.0.0.1}, are read differently
   * by different parsers: {@code inet_aton(3)} reads {@code 010} as octal 8, while the resolver of
   * JDK 17.0.15 and Netty 4.2.18's {@code NetUtil} read it as decimal 10.
   */
  public static boolean isDottedDecimal(String host) {
    byte[] ipv4 = host == null ? null : parseIpv4(host);
    return ipv4 != null && NetUtil.bytesToIpAddress(ipv4).equals(host);
  }

  /**
   * Returns every IPv4 address that common parsers read {@code host} as. {@code inet_aton(3)}, the
   * WHATWG URL standard and {@link #parseLiteral} read a part with a leading {@code 0} as octal,
   * while the resolver of JDK 17.0.15 reads it as decimal: {@code 0177.0.0.1} is 127.0.0.1 to the
   * first and 177.0.0.1 to the second, and {@code 0192.168.0.1} is an address to the second only.
   * Returns an empty list when no reading takes {@code host} as an IPv4 address.
   */
  public static List<InetAddress> ipv4Readings(String host) {
    if (host == null || host.indexOf(':') >= 0) {
      return List.of();
    }
    List<InetAddress> readings = new ArrayList<>(2);
    for (byte[] bytes : new byte[][] {parseIpv4(host), parseIpv4Decimal(host)}) {
      if (bytes != null) {
        InetAddress address = ipv4Address(bytes);
        if (!readings.contains(address)) {
          readings.add(address);
        }
      }
    }
    return List.copyOf(readings);
  }

  private static InetAddress ipv4Address(byte[] bytes) {
    try {
      // getByAddress never performs a lookup.
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 bytes are always a valid IPv4 address", e);
    }
  }

  /**
   * Parses the IPv4 forms described at {@link #parseLiteral}, returning null when {@code text} is
   * not one of them. Beyond {@code inet_aton(3)}, it accepts a trailing dot and a bare {@code 0x}
   * part (read as 0), as the WHATWG URL standard does.
   */
  private static byte[] parseIpv4(String text) {
    return Ipv4Parser.parse(text, true);
  }

  /** Parses IPv4 the way the JDK does: like {@link #parseIpv4}, but only in decimal. */
  private static byte[] parseIpv4Decimal(String text) {
    return Ipv4Parser.parse(text, false);
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

  /**
   * Parses CIDR ranges for {@link #denyPrivateExcept}.
   *
   * @throws IllegalArgumentException naming the first invalid entry
   */
  private static List<Range> parseRanges(List<String> cidrs) {
    if (cidrs == null) {
      throw new IllegalArgumentException(
          "allowed ranges must not be null; pass an empty list to allow no private range");
    }
    List<Range> ranges = new ArrayList<>();
    for (String cidr : cidrs) {
      ranges.add(Range.parseAllowed(cidr));
    }
    return List.copyOf(ranges);
  }

  @Override
  public String toString() {
    if (!rejectNonPublic) {
      return "AddressFilter[allowAll]";
    }
    if (allowedRanges.isEmpty()) {
      return "AddressFilter[denyPrivate]";
    }
    List<String> cidrs = allowedRanges.stream().map(Range::cidr).toList();
    return "AddressFilter[denyPrivate, allowedRanges=" + cidrs + "]";
  }

  /** A CIDR block with the phrase that names it in rejection reasons. */
  private record Range(byte[] network, int prefixLength, String cidr, String phrase) {

    static Range ipv4(String network, int prefixLength, String phrase) {
      return of(network, prefixLength, phrase, Inet4Address.class);
    }

    static Range ipv6(String network, int prefixLength, String phrase) {
      return of(network, prefixLength, phrase, Inet6Address.class);
    }

    /**
     * Parses an operator's CIDR range such as {@code 10.20.0.0/16}.
     *
     * @throws IllegalArgumentException naming {@code cidr} and what is wrong with it
     */
    static Range parseAllowed(String cidr) {
      if (cidr == null) {
        throw new IllegalArgumentException("allowed range must not be null");
      }

      int slash = cidr.indexOf('/');
      String network = slash < 0 ? cidr : cidr.substring(0, slash);
      String prefix = slash < 0 ? "" : cidr.substring(slash + 1);
      byte[] bytes = networkBytes(network);
      if (bytes == null || !prefix.matches("[0-9]{1,3}")) {
        throw invalidRange(
            cidr,
            "write it in CIDR notation: a dotted-decimal IPv4 or an IPv6 network address, '/'"
                + " and a prefix length, such as 10.20.0.0/16 or fd00:1234::/32");
      }
      if (bytes.length == 4 && network.indexOf(':') >= 0) {
        throw invalidRange(
            cidr,
            "write the IPv4 range instead of its IPv4-mapped IPv6 form, because an IPv4 range also"
                + " allows the mapped form of its addresses");
      }

      int prefixLength = Integer.parseInt(prefix);
      if (prefixLength > bytes.length * 8) {
        throw invalidRange(cidr, "the prefix length must be from 0 to " + bytes.length * 8);
      }

      Range range = new Range(bytes, prefixLength, cidr, "an allowed range");
      byte[] networkAddress = range.networkAddress();
      if (!Arrays.equals(networkAddress, bytes)) {
        throw invalidRange(
            cidr,
            "its address has bits set after the /"
                + prefixLength
                + " prefix; write "
                + NetUtil.bytesToIpAddress(networkAddress)
                + "/"
                + prefixLength);
      }
      return range;
    }

    /**
     * Returns the bytes of a dotted-decimal IPv4 or an IPv6 network address without zone id, or
     * null when {@code network} is neither. An IPv4-mapped IPv6 address gives 4 bytes, because the
     * JDK turns it into IPv4.
     */
    private static byte[] networkBytes(String network) {
      if (isDottedDecimal(network)) {
        return parseIpv4(network);
      }
      if (network.indexOf(':') >= 0 && network.indexOf('%') < 0 && network.indexOf('[') < 0) {
        return parseLiteral(network).map(InetAddress::getAddress).orElse(null);
      }
      return null;
    }

    private static IllegalArgumentException invalidRange(String cidr, String problem) {
      return new IllegalArgumentException("allowed range '" + cidr + "' is invalid: " + problem);
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

    /** Returns {@link #network} with every bit after the prefix cleared. */
    byte[] networkAddress() {
      byte[] masked = new byte[network.length];
      for (int i = 0; i < network.length; i++) {
        int bits = Math.max(0, Math.min(8, prefixLength - 8 * i));
        masked[i] = (byte) (network[i] & (0xff << (8 - bits)));
      }
      return masked;
    }

    String describe() {
      return phrase + " (" + cidr + ")";
    }
  }

  /** Parses IPv4 literals in the one- to four-part forms of {@code inet_aton(3)}. */
  private static final class Ipv4Parser {

    private Ipv4Parser() {}

    /**
     * Returns the 4 bytes of {@code text}, or null when it is not an IPv4 literal. With {@code
     * inetAton}, a part is hexadecimal after {@code 0x} and octal after a leading {@code 0};
     * without it, every part is decimal.
     */
    static byte[] parse(String text, boolean inetAton) {
      String body = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
      String[] parts = body.split("\\.", -1);
      if (body.isEmpty() || parts.length > 4) {
        return null;
      }
      long[] values = new long[parts.length];
      for (int i = 0; i < parts.length; i++) {
        values[i] = inetAton ? parsePart(parts[i]) : parseDigits(parts[i], 0, 10);
        boolean last = i == parts.length - 1;
        long max = last ? (1L << (8 * (5 - parts.length))) - 1 : 0xff;
        if (values[i] < 0 || values[i] > max) {
          return null;
        }
      }
      // The last part fills the bytes that the parts before it leave: 127.1 is 127.0.0.1.
      long address = values[parts.length - 1];
      for (int i = 0; i < parts.length - 1; i++) {
        address |= values[i] << (8 * (3 - i));
      }
      return new byte[] {
        (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address
      };
    }

    /**
     * Parses one part: {@code 0x} then hexadecimal digits (none means 0, as in the WHATWG URL
     * standard), {@code 0} then octal digits, or decimal digits. Returns -1 when the part is
     * malformed or above {@code 0xffffffff}.
     */
    private static long parsePart(String part) {
      if (part.length() >= 2 && part.charAt(0) == '0' && (part.charAt(1) | 0x20) == 'x') {
        return part.length() == 2 ? 0 : parseDigits(part, 2, 16);
      }
      if (part.length() >= 2 && part.charAt(0) == '0') {
        return parseDigits(part, 1, 8);
      }
      return parseDigits(part, 0, 10);
    }

    /** Parses ASCII digits from {@code start}; returns -1 when malformed or above 32 bits. */
    private static long parseDigits(String part, int start, int radix) {
      if (start >= part.length()) {
        return -1;
      }
      long value = 0;
      for (int i = start; i < part.length(); i++) {
        char c = part.charAt(i);
        // Character.digit also accepts non-ASCII digits, which no resolver does.
        int digit = c < 0x80 ? Character.digit(c, radix) : -1;
        if (digit < 0) {
          return -1;
        }
        value = value * radix + digit;
        if (value > 0xffffffffL) {
          return -1;
        }
      }
      return value;
    }
  }
}
