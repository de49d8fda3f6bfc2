package io.webhookdispatcher.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressFilterTest {

  private final AddressFilter filter = AddressFilter.denyPrivate();

  @ParameterizedTest(name = "{0} is rejected as {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "127.0.0.1        | a loopback address (127.0.0.0/8)",
        "127.255.255.254  | a loopback address (127.0.0.0/8)",
        "::1              | a loopback address (::1/128)",
        "0.0.0.0          | a \"this network\" address (0.0.0.0/8)",
        "0.1.2.3          | a \"this network\" address (0.0.0.0/8)",
        "::               | the unspecified address (::/128)",
        "10.0.0.5         | a private address (10.0.0.0/8)",
        "172.16.0.1       | a private address (172.16.0.0/12)",
        "172.31.255.255   | a private address (172.16.0.0/12)",
        "192.168.1.1      | a private address (192.168.0.0/16)",
        "100.64.0.1       | a carrier-grade NAT address (100.64.0.0/10)",
        "100.127.255.255  | a carrier-grade NAT address (100.64.0.0/10)",
        "169.254.169.254  | a link-local address (169.254.0.0/16)",
        "fe80::1          | a link-local address (fe80::/10)",
        "febf::1          | a link-local address (fe80::/10)",
        "fc00::1          | a unique-local address (fc00::/7)",
        "fd12:3456::1     | a unique-local address (fc00::/7)",
        "224.0.0.1        | a multicast address (224.0.0.0/4)",
        "239.255.255.250  | a multicast address (224.0.0.0/4)",
        "ff02::1          | a multicast address (ff00::/8)",
        "255.255.255.255  | the broadcast address (255.255.255.255/32)",
        "240.0.0.1        | a reserved address (240.0.0.0/4)",
        "192.0.2.10       | a documentation address (192.0.2.0/24)",
        "198.18.0.1       | a benchmarking address (198.18.0.0/15)",
        "2001:db8::1      | a documentation address (2001:db8::/32)",
        "::ffff:127.0.0.1 | an IPv4-mapped address (::ffff:0:0/96) embedding 127.0.0.1,"
            + " which is a loopback address (127.0.0.0/8)",
        "::ffff:10.0.0.1  | an IPv4-mapped address (::ffff:0:0/96) embedding 10.0.0.1,"
            + " which is a private address (10.0.0.0/8)",
        "::10.0.0.1       | an IPv4-compatible address (::/96) embedding 10.0.0.1,"
            + " which is a private address (10.0.0.0/8)",
        "::127.0.0.1      | an IPv4-compatible address (::/96) embedding 127.0.0.1,"
            + " which is a loopback address (127.0.0.0/8)",
        "2002:0a00:0001:: | a 6to4 address (2002::/16) embedding 10.0.0.1,"
            + " which is a private address (10.0.0.0/8)",
        "2002:a9fe:a9fe:: | a 6to4 address (2002::/16) embedding 169.254.169.254,"
            + " which is a link-local address (169.254.0.0/16)",
        "64:ff9b::7f00:1  | a NAT64 address (64:ff9b::/96) embedding 127.0.0.1,"
            + " which is a loopback address (127.0.0.0/8)",
        "64:ff9b::a00:1   | a NAT64 address (64:ff9b::/96) embedding 10.0.0.1,"
            + " which is a private address (10.0.0.0/8)",
        "64:ff9b:1::1     | a local-use NAT64 address (64:ff9b:1::/48)",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2 | an IETF protocol assignment address (2001::/23)",
        "1234::1          | an address outside the global unicast range (2000::/3)",
      })
  void rejected_address_names_its_range(String literal, String reason) {
    InetAddress address = ipv6Preserving(literal);

    assertThat(filter.rejectionReason(address)).contains(reason);
    assertThat(filter.isAllowed(address)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "8.8.8.8",
        "1.1.1.1",
        "93.184.216.34",
        "172.32.0.1",
        "100.128.0.1",
        "2606:4700:4700::1111",
        "2a00:1450:4001:81b::200e",
        "::ffff:8.8.8.8",
        "2002:0808:0808::",
        "64:ff9b::808:808",
      })
  void public_address_is_allowed(String literal) {
    InetAddress address = ipv6Preserving(literal);

    assertThat(filter.rejectionReason(address)).isEmpty();
    assertThat(filter.isAllowed(address)).isTrue();
  }

  @Test
  void mapped_address_from_jdk_is_rejected() throws UnknownHostException {
    InetAddress address = InetAddress.getByName("::ffff:127.0.0.1");

    assertThat(filter.isAllowed(address)).isFalse();
  }

  @Test
  void allow_all_accepts_loopback() {
    InetAddress loopback = InetAddress.getLoopbackAddress();

    assertThat(AddressFilter.allowAll().isAllowed(loopback)).isTrue();
    assertThat(AddressFilter.allowAll().rejectionReason(loopback)).isEmpty();
  }

  @ParameterizedTest(name = "{0} parses as {1}")
  @CsvSource({
    "127.0.0.1, 127.0.0.1",
    "10.1.2.3, 10.1.2.3",
    "::1, 0:0:0:0:0:0:0:1",
    "[::1], 0:0:0:0:0:0:0:1",
    "[2606:4700:4700::1111], 2606:4700:4700:0:0:0:0:1111",
    "fe80::1%eth0, fe80:0:0:0:0:0:0:1",
    "::10.0.0.1, 0:0:0:0:0:0:a00:1",
    "::ffff:10.0.0.1, 10.0.0.1",
    "[fe80::1%25eth0], fe80:0:0:0:0:0:0:1",
    "64:ff9b::127.0.0.1, 64:ff9b:0:0:0:0:7f00:1",
    "1:2:3:4:5:6:10.0.0.1, 1:2:3:4:5:6:a00:1",
    "[::ffff:127.0.0.1%eth0], 127.0.0.1",
  })
  void literal_is_parsed(String host, String expected) {
    assertThat(AddressFilter.parseLiteral(host).map(InetAddress::getHostAddress))
        .contains(expected);
  }

  @ParameterizedTest(name = "{0} parses as {1}")
  @CsvSource({
    "2130706433, 127.0.0.1",
    "0x7f000001, 127.0.0.1",
    "0X7F000001, 127.0.0.1",
    "017700000001, 127.0.0.1",
    "127.1, 127.0.0.1",
    "127.0.1, 127.0.0.1",
    "0177.0.0.1, 127.0.0.1",
    "0x7f.0.0.1, 127.0.0.1",
    "0x7f.1, 127.0.0.1",
    "0177.0x1, 127.0.0.1",
    "127.0.0.1., 127.0.0.1",
    "127.1., 127.0.0.1",
    "012.0.0.1, 10.0.0.1",
    "010.0.0.1, 8.0.0.1",
    "1.2.3.04, 1.2.3.4",
    "0, 0.0.0.0",
    "0x, 0.0.0.0",
    "0x0.0x.0.1, 0.0.0.1",
    "4294967295, 255.255.255.255",
    "0xffffffff, 255.255.255.255",
    "037777777777, 255.255.255.255",
    "10.16777215, 10.255.255.255",
    "192.168.65535, 192.168.255.255",
    "0x00000000000000000000007f.1, 127.0.0.1",
  })
  void ipv4_in_resolver_forms_is_parsed(String host, String expected) {
    assertThat(AddressFilter.parseLiteral(host).map(InetAddress::getHostAddress))
        .contains(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "0.0.0.0", "8.8.8.8", "255.255.255.255", "10.20.30.40"})
  void dotted_decimal_is_recognised(String host) {
    assertThat(AddressFilter.isDottedDecimal(host)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2130706433",
        "127.1",
        "127.0.1",
        "0177.0.0.1",
        "127.00.0.1",
        "010.0.0.1",
        "0x7f.0.0.1",
        "127.0.0.1.",
        "::1",
        "[127.0.0.1]",
        "example.com",
        "999.1.1.1",
        "",
      })
  void other_forms_are_not_dotted_decimal(String host) {
    assertThat(AddressFilter.isDottedDecimal(host)).isFalse();
  }

  @Test
  void null_is_not_dotted_decimal() {
    assertThat(AddressFilter.isDottedDecimal(null)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "example.com",
        "localhost",
        "internal.test",
        "999.1.1.1",
        "256.0.0.1",
        "1.2.3.256",
        "1.16777216",
        "1.2.65536",
        "4294967296",
        "0x100000000",
        "99999999999999999999999",
        "08.0.0.1",
        "0x1g",
        "1..2",
        ".1.2.3",
        "1.2.3.4..",
        "+1.2.3.4",
        "-1",
        "1e3",
        "\u0661\u0662\u0667.0.0.1",
        "\uff11\uff12\uff17.0.0.1",
        "[example.com]",
        "1.2.3.4.5",
        "a:b",
        "example.com.",
        "",
      })
  void name_or_malformed_is_not_literal(String host) {
    assertThat(AddressFilter.parseLiteral(host)).isEmpty();
  }

  @Test
  void null_host_is_not_literal() {
    assertThat(AddressFilter.parseLiteral(null)).isEmpty();
  }

  @Test
  void allowed_range_allows_its_addresses() {
    AddressFilter filter = AddressFilter.denyPrivateExcept(List.of("10.20.0.0/16"));

    assertThat(filter.isAllowed(ipv6Preserving("10.20.0.0"))).isTrue();
    assertThat(filter.isAllowed(ipv6Preserving("10.20.3.4"))).isTrue();
    assertThat(filter.isAllowed(ipv6Preserving("10.20.255.255"))).isTrue();
  }

  @Test
  void allowed_range_keeps_others_rejected() {
    AddressFilter filter = AddressFilter.denyPrivateExcept(List.of("10.20.0.0/16"));

    assertThat(filter.rejectionReason(ipv6Preserving("10.21.0.1")))
        .contains("a private address (10.0.0.0/8)");
    assertThat(filter.rejectionReason(ipv6Preserving("10.19.255.255")))
        .contains("a private address (10.0.0.0/8)");
    assertThat(filter.rejectionReason(ipv6Preserving("127.0.0.1")))
        .contains("a loopback address (127.0.0.0/8)");
    assertThat(filter.rejectionReason(ipv6Preserving("::1")))
        .contains("a loopback address (::1/128)");
  }

  @Test
  void allowed_ipv4_range_allows_mapped_form_only() {
    AddressFilter filter = AddressFilter.denyPrivateExcept(List.of("10.20.0.0/16"));

    assertThat(filter.isAllowed(ipv6Preserving("::ffff:10.20.0.5"))).isTrue();
    assertThat(filter.isAllowed(ipv6Preserving("64:ff9b::a14:5"))).isFalse();
    assertThat(filter.isAllowed(ipv6Preserving("::10.20.0.5"))).isFalse();
    assertThat(filter.isAllowed(ipv6Preserving("2002:a14:5::"))).isFalse();
  }

  @Test
  void allowed_ipv6_range_allows_its_addresses() {
    AddressFilter filter =
        AddressFilter.denyPrivateExcept(List.of("fd00:1234::/32", "fe80::1/128"));

    assertThat(filter.isAllowed(ipv6Preserving("fd00:1234::1"))).isTrue();
    assertThat(filter.isAllowed(ipv6Preserving("fd00:1234:ffff::1"))).isTrue();
    assertThat(filter.isAllowed(ipv6Preserving("fe80::1"))).isTrue();
    assertThat(filter.isAllowed(ipv6Preserving("fd00:1235::1"))).isFalse();
    assertThat(filter.isAllowed(ipv6Preserving("fe80::2"))).isFalse();
    assertThat(filter.isAllowed(ipv6Preserving("10.0.0.1"))).isFalse();
  }

  @Test
  void allowed_host_range_allows_one_address() {
    AddressFilter filter = AddressFilter.denyPrivateExcept(List.of("127.0.0.1/32"));

    assertThat(filter.isAllowed(ipv6Preserving("127.0.0.1"))).isTrue();
    assertThat(filter.isAllowed(ipv6Preserving("127.0.0.2"))).isFalse();
  }

  @Test
  void public_addresses_stay_allowed_with_ranges() {
    AddressFilter filter = AddressFilter.denyPrivateExcept(List.of("10.20.0.0/16"));

    assertThat(filter.isAllowed(ipv6Preserving("8.8.8.8"))).isTrue();
    assertThat(filter.isAllowed(ipv6Preserving("2606:4700::1111"))).isTrue();
  }

  @ParameterizedTest(name = "''{0}'' is rejected")
  @ValueSource(
      strings = {
        "10.20.0.0",
        "10.20.0.0/",
        "10.20.0.0/33",
        "10.20.0.0/-1",
        "10.20.0.0/1000",
        "10.20.0.0/16/8",
        "10.20.0.0/x",
        "10.20/16",
        "0x0a.20.0.0/16",
        "010.20.0.0/16",
        "10.20.0.0.0/16",
        " 10.20.0.0/16",
        "10.20.0.0/16 ",
        "fd00::/129",
        "fe80::%eth0/64",
        "[fd00::]/8",
        "::ffff:10.0.0.0/104",
        "example.com/8",
        "/8",
        "",
      })
  void malformed_range_is_rejected(String cidr) {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> AddressFilter.denyPrivateExcept(List.of(cidr)));

    assertThat(error).hasMessageStartingWith("allowed range '" + cidr + "' is invalid: ");
  }

  @Test
  void range_with_host_bits_names_network() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> AddressFilter.denyPrivateExcept(List.of("10.20.1.0/16")));

    assertThat(error)
        .hasMessage(
            "allowed range '10.20.1.0/16' is invalid: its address has bits set after the /16"
                + " prefix; write 10.20.0.0/16");
  }

  @Test
  void ipv6_range_with_host_bits_names_network() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> AddressFilter.denyPrivateExcept(List.of("fd00:1234::1/32")));

    assertThat(error).hasMessageEndingWith("write fd00:1234::/32");
  }

  @Test
  void null_range_list_is_rejected() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> AddressFilter.denyPrivateExcept(null));

    assertThat(error).hasMessageContaining("allowed ranges must not be null");
  }

  @Test
  void null_range_is_rejected() {
    List<String> cidrs = Arrays.asList("10.20.0.0/16", null);

    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> AddressFilter.denyPrivateExcept(cidrs));

    assertThat(error).hasMessage("allowed range must not be null");
  }

  @Test
  void factory_allows_all_when_private_allowed() {
    AddressFilter filter = AddressFilter.of(true, List.of("10.20.0.0/16"));

    assertThat(filter).isSameAs(AddressFilter.allowAll());
  }

  @Test
  void factory_denies_private_without_ranges() {
    AddressFilter filter = AddressFilter.of(false, List.of());

    assertThat(filter).isSameAs(AddressFilter.denyPrivate());
  }

  @Test
  void factory_honours_ranges_when_private_denied() {
    AddressFilter filter = AddressFilter.of(false, List.of("10.20.0.0/16"));

    assertThat(filter.isAllowed(ipv6Preserving("10.20.0.1"))).isTrue();
    assertThat(filter.isAllowed(ipv6Preserving("10.21.0.1"))).isFalse();
    assertThat(filter).hasToString("AddressFilter[denyPrivate, allowedRanges=[10.20.0.0/16]]");
  }

  @Test
  void factory_validates_ranges_when_private_allowed() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> AddressFilter.of(true, List.of("10.20.0.0")));

    assertThat(error).hasMessageContaining("'10.20.0.0'");
  }

  /** Parses a literal, keeping an IPv4-mapped IPv6 address as IPv6 where the JDK would not. */
  private static InetAddress ipv6Preserving(String literal) {
    InetAddress parsed = AddressFilter.parseLiteral(literal).orElseThrow();
    if (!literal.contains(":") || parsed instanceof Inet6Address) {
      return parsed;
    }
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(parsed.getAddress(), 0, mapped, 12, 4);
    try {
      return Inet6Address.getByAddress(null, mapped, -1);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }
}
