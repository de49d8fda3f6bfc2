package io.webhookdispatcher.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.internal.EndpointUrls;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Feeds one address from every range that {@link AddressFilter#denyPrivate()} rejects, in every
 * textual form that a resolver or URL parser reads as that address, through endpoint creation and
 * through name resolution. None of these tests opens a connection.
 */
class RejectedAddressFormsTest {

  /** An address that must be rejected and the range that the rejection message must name. */
  record Sample(String address, String range) {}

  private static final List<Sample> IPV4_SAMPLES =
      List.of(
          new Sample("0.0.0.0", "0.0.0.0/8"),
          new Sample("0.1.2.3", "0.0.0.0/8"),
          new Sample("10.0.0.1", "10.0.0.0/8"),
          new Sample("10.255.1.2", "10.0.0.0/8"),
          new Sample("100.64.0.1", "100.64.0.0/10"),
          new Sample("100.127.255.254", "100.64.0.0/10"),
          new Sample("127.0.0.1", "127.0.0.0/8"),
          new Sample("127.255.0.9", "127.0.0.0/8"),
          new Sample("169.254.169.254", "169.254.0.0/16"),
          new Sample("172.16.0.1", "172.16.0.0/12"),
          new Sample("172.31.255.254", "172.16.0.0/12"),
          new Sample("192.0.0.9", "192.0.0.0/24"),
          new Sample("192.0.2.10", "192.0.2.0/24"),
          new Sample("192.168.1.1", "192.168.0.0/16"),
          new Sample("198.18.0.1", "198.18.0.0/15"),
          new Sample("198.19.255.254", "198.18.0.0/15"),
          new Sample("198.51.100.7", "198.51.100.0/24"),
          new Sample("203.0.113.5", "203.0.113.0/24"),
          new Sample("224.0.0.251", "224.0.0.0/4"),
          new Sample("239.255.255.250", "224.0.0.0/4"),
          new Sample("240.0.0.1", "240.0.0.0/4"),
          new Sample("255.255.255.254", "240.0.0.0/4"),
          new Sample("255.255.255.255", "255.255.255.255/32"));

  private static final List<Sample> IPV6_SAMPLES =
      List.of(
          new Sample("::", "::/128"),
          new Sample("::1", "::1/128"),
          new Sample("64:ff9b:1::a00:1", "64:ff9b:1::/48"),
          new Sample("100::1", "100::/64"),
          new Sample("2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001::/23"),
          new Sample("2001:db8::1", "2001:db8::/32"),
          new Sample("3fff::1", "3fff::/20"),
          new Sample("fc00::1", "fc00::/7"),
          new Sample("fd12:3456::1", "fc00::/7"),
          new Sample("fe80::1", "fe80::/10"),
          new Sample("febf::1", "fe80::/10"),
          new Sample("fec0::1", "fec0::/10"),
          new Sample("ff02::1", "ff00::/8"),
          new Sample("1234::1", "2000::/3"),
          new Sample("4000::1", "2000::/3"),
          new Sample("e000::1", "2000::/3"));

  private static final List<String> PUBLIC_ADDRESSES =
      List.of("8.8.8.8", "1.1.1.1", "2606:4700::1111");

  private final ExecutorService lookups = Executors.newSingleThreadExecutor();

  @AfterEach
  void stopLookups() {
    lookups.shutdownNow();
  }

  @ParameterizedTest(name = "http://{0}/ is rejected naming {1}")
  @MethodSource("literalHosts")
  void literal_rejected_at_creation(String host, String range) {
    String url = "http://" + host + "/hook";

    InvalidInputException error =
        assertThrows(
            InvalidInputException.class,
            () -> EndpointUrls.validate(url, AddressFilter.denyPrivate()));

    assertThat(error.field()).isEqualTo("url");
    assertThat(error).hasMessageContaining(range);
    assertThat(error).hasMessageContaining("is rejected");
  }

  @ParameterizedTest(name = "http://{0}:8443/ is rejected naming {1}")
  @MethodSource("literalHosts")
  void literal_with_port_rejected_at_creation(String host, String range) {
    String url = "https://" + host + ":8443/hook";

    InvalidInputException error =
        assertThrows(
            InvalidInputException.class,
            () -> EndpointUrls.validate(url, AddressFilter.denyPrivate()));

    assertThat(error).hasMessageContaining(range);
  }

  @ParameterizedTest(name = "literal {0} is rejected naming {1}")
  @MethodSource("literalHosts")
  void literal_rejected_by_resolver(String host, String range) {
    FilteringResolverGroup group = denyPrivate(name -> addresses("8.8.8.8"));
    String withoutBrackets = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;

    AddressRejectedException error =
        assertThrows(AddressRejectedException.class, () -> group.resolveChecked(withoutBrackets));

    assertThat(error).hasMessageContaining(range);
  }

  @ParameterizedTest(name = "name resolving to {0} is rejected naming {1}")
  @MethodSource("resolvedAddresses")
  void name_resolving_to_range_rejected(InetAddress address, String range) {
    FilteringResolverGroup group = denyPrivate(name -> new InetAddress[] {address});

    AddressRejectedException error =
        assertThrows(AddressRejectedException.class, () -> group.resolveChecked("ssrf.test"));

    assertThat(error).hasMessageStartingWith("host ssrf.test resolves to ");
    assertThat(error).hasMessageContaining(range);
  }

  @ParameterizedTest(name = "public answer before {0} is rejected naming {1}")
  @MethodSource("resolvedAddresses")
  void public_answers_first_still_rejected(InetAddress address, String range) {
    InetAddress[] answer = {address("8.8.8.8"), address("2606:4700::1111"), address};
    FilteringResolverGroup group = denyPrivate(name -> answer);

    AddressRejectedException error =
        assertThrows(AddressRejectedException.class, () -> group.resolveChecked("mixed.test"));

    assertThat(error).hasMessageContaining(range);
  }

  @ParameterizedTest(name = "public answer after {0} is rejected naming {1}")
  @MethodSource("resolvedAddresses")
  void public_answers_last_still_rejected(InetAddress address, String range) {
    InetAddress[] answer = {address, address("1.1.1.1")};
    FilteringResolverGroup group = denyPrivate(name -> answer);

    AddressRejectedException error =
        assertThrows(AddressRejectedException.class, () -> group.resolveChecked("mixed.test"));

    assertThat(error).hasMessageContaining(range);
  }

  @ParameterizedTest
  @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "[2606:4700::1111]", "example.com"})
  void public_host_passes_endpoint_creation(String host) {
    URI uri = EndpointUrls.validate("https://" + host + "/hook", AddressFilter.denyPrivate());

    assertThat(uri.getHost()).isEqualTo(host);
  }

  @ParameterizedTest
  @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "2606:4700::1111"})
  void public_literal_passes_resolver(String host) throws UnknownHostException {
    FilteringResolverGroup group = denyPrivate(name -> addresses("10.0.0.1"));

    List<InetAddress> resolved = group.resolveChecked(host);

    assertThat(resolved).containsExactly(address(host));
  }

  @Test
  void name_with_public_addresses_passes() throws UnknownHostException {
    String[] literals = PUBLIC_ADDRESSES.toArray(new String[0]);
    FilteringResolverGroup group = denyPrivate(name -> addresses(literals));

    List<InetAddress> resolved = group.resolveChecked("public.test");

    assertThat(resolved).containsExactly(addresses(literals));
  }

  @Test
  void sample_lies_in_named_range() {
    for (Sample sample : IPV4_SAMPLES) {
      assertThat(AddressFilter.denyPrivate().rejectionReason(address(sample.address())))
          .as(sample.address())
          .hasValueSatisfying(reason -> assertThat(reason).endsWith("(" + sample.range() + ")"));
    }
    for (Sample sample : IPV6_SAMPLES) {
      assertThat(AddressFilter.denyPrivate().rejectionReason(address(sample.address())))
          .as(sample.address())
          .hasValueSatisfying(reason -> assertThat(reason).endsWith("(" + sample.range() + ")"));
    }
  }

  /** Returns every host form of every sample, as written in a URL, and the range it must name. */
  static Stream<Arguments> literalHosts() {
    List<Arguments> cases = new ArrayList<>();
    for (Sample sample : IPV4_SAMPLES) {
      for (String form : ipv4Forms(sample.address())) {
        cases.add(Arguments.of(form, sample.range()));
      }
      for (String form : embeddedIpv4Forms(sample.address())) {
        cases.add(Arguments.of("[" + form + "]", sample.range()));
        cases.add(Arguments.of("[" + form + "%25eth0]", sample.range()));
      }
    }
    for (Sample sample : IPV6_SAMPLES) {
      for (String form : ipv6Forms(sample.address())) {
        cases.add(Arguments.of("[" + form + "]", sample.range()));
        cases.add(Arguments.of("[" + form + "%25eth0]", sample.range()));
        cases.add(Arguments.of("[" + form + "%eth0]", sample.range()));
      }
    }
    return cases.stream();
  }

  /**
   * Every sample as a resolver may return it: IPv4 samples also as IPv4-mapped, IPv4-compatible,
   * NAT64 and 6to4 IPv6 addresses, and IPv6 samples also with a scope id.
   */
  static Stream<Arguments> resolvedAddresses() throws UnknownHostException {
    List<Arguments> cases = new ArrayList<>();
    for (Sample sample : IPV4_SAMPLES) {
      byte[] ipv4 = address(sample.address()).getAddress();
      String hex = HexFormat.of().formatHex(ipv4);
      cases.add(Arguments.of(InetAddress.getByAddress(ipv4), sample.range()));
      cases.add(Arguments.of(ipv6("00000000000000000000ffff" + hex), sample.range()));
      cases.add(Arguments.of(ipv6("0064ff9b0000000000000000" + hex), sample.range()));
      cases.add(Arguments.of(ipv6("2002" + hex + "00000000000000000001"), sample.range()));
      if (toLong(ipv4) > 1) {
        // ::0.0.0.0 and ::0.0.0.1 are the unspecified and the loopback address.
        cases.add(Arguments.of(ipv6("000000000000000000000000" + hex), sample.range()));
      }
    }
    for (Sample sample : IPV6_SAMPLES) {
      InetAddress address = address(sample.address());
      cases.add(Arguments.of(address, sample.range()));
      cases.add(
          Arguments.of(Inet6Address.getByAddress(null, address.getAddress(), 1), sample.range()));
    }
    return cases.stream();
  }

  /**
   * Returns the forms of an IPv4 address that {@code inet_aton(3)} or the WHATWG URL standard
   * accept: dotted decimal, one number in decimal, hexadecimal or octal, two or three parts whose
   * last part fills the remaining bytes, every part in octal or hexadecimal, a mix of bases, and a
   * trailing dot.
   */
  static List<String> ipv4Forms(String dotted) {
    byte[] bytes = address(dotted).getAddress();
    int[] part = new int[4];
    for (int i = 0; i < 4; i++) {
      part[i] = bytes[i] & 0xff;
    }
    long value = toLong(bytes);
    return List.of(
        dotted,
        dotted + ".",
        Long.toString(value),
        "0x" + Long.toHexString(value),
        "0X" + Long.toHexString(value).toUpperCase(Locale.ROOT),
        String.format("0x%08x", value),
        "0" + Long.toOctalString(value),
        "00" + Long.toOctalString(value),
        part[0] + "." + (value & 0xffffff),
        part[0] + "." + part[1] + "." + (value & 0xffff),
        part[0] + "." + part[1] + "." + (value & 0xffff) + ".",
        "0" + Integer.toOctalString(part[0]) + "." + part[1] + "." + part[2] + "." + part[3],
        octal(part[0]) + "." + octal(part[1]) + "." + octal(part[2]) + "." + octal(part[3]),
        hex(part[0]) + "." + hex(part[1]) + "." + hex(part[2]) + "." + hex(part[3]),
        hex(part[0]) + "." + octal(part[1]) + "." + (value & 0xffff),
        octal(part[0]) + "." + "0x" + Long.toHexString(value & 0xffffff));
  }

  /** Returns the IPv6 forms that embed an IPv4 address and are judged by it. */
  static List<String> embeddedIpv4Forms(String dotted) {
    byte[] bytes = address(dotted).getAddress();
    String high = Integer.toHexString(((bytes[0] & 0xff) << 8) | (bytes[1] & 0xff));
    String low = Integer.toHexString(((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff));
    List<String> forms = new ArrayList<>();
    forms.add("::ffff:" + dotted);
    forms.add("::ffff:" + high + ":" + low);
    forms.add("0:0:0:0:0:ffff:" + dotted);
    forms.add("64:ff9b::" + dotted);
    forms.add("64:ff9b::" + high + ":" + low);
    forms.add("2002:" + high + ":" + low + "::");
    forms.add("2002:" + high + ":" + low + ":1::1");
    if (toLong(bytes) > 1) {
      // ::0.0.0.0 and ::0.0.0.1 are the unspecified and the loopback address.
      forms.add("::" + dotted);
    }
    return forms;
  }

  /** Returns an IPv6 address compressed, in full with leading zeros, and in upper case. */
  static List<String> ipv6Forms(String compressed) {
    byte[] bytes = address(compressed).getAddress();
    StringBuilder full = new StringBuilder();
    for (int i = 0; i < 16; i += 2) {
      full.append(i == 0 ? "" : ":").append(String.format("%02x%02x", bytes[i], bytes[i + 1]));
    }
    return List.of(compressed, full.toString(), compressed.toUpperCase(Locale.ROOT));
  }

  private static String octal(int part) {
    return "0" + Integer.toOctalString(part);
  }

  private static String hex(int part) {
    return "0x" + Integer.toHexString(part);
  }

  private static long toLong(byte[] ipv4) {
    long value = 0;
    for (byte b : ipv4) {
      value = (value << 8) | (b & 0xff);
    }
    return value;
  }

  /** Builds an IPv6 address from 32 hex digits, keeping IPv4-mapped ones as IPv6. */
  private static InetAddress ipv6(String hexDigits) throws UnknownHostException {
    return Inet6Address.getByAddress(null, HexFormat.of().parseHex(hexDigits), -1);
  }

  private FilteringResolverGroup denyPrivate(Function<String, InetAddress[]> hostResolver) {
    return new FilteringResolverGroup(hostResolver, AddressFilter.denyPrivate(), lookups);
  }

  private static InetAddress address(String literal) {
    return AddressFilter.parseLiteral(literal).orElseThrow();
  }

  private static InetAddress[] addresses(String... literals) {
    InetAddress[] addresses = new InetAddress[literals.length];
    for (int i = 0; i < literals.length; i++) {
      addresses[i] = address(literals[i]);
    }
    return addresses;
  }
}
