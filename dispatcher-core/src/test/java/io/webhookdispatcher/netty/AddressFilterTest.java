package io.webhookdispatcher.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
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
  })
  void literal_is_parsed(String host, String expected) {
    assertThat(AddressFilter.parseLiteral(host).map(InetAddress::getHostAddress))
        .contains(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "example.com",
        "localhost",
        "internal.test",
        "999.1.1.1",
        "127.1",
        "2130706433",
        "[example.com]",
        "1.2.3.4.5",
        "",
      })
  void name_or_malformed_is_not_literal(String host) {
    assertThat(AddressFilter.parseLiteral(host)).isEmpty();
  }

  @Test
  void null_host_is_not_literal() {
    assertThat(AddressFilter.parseLiteral(null)).isEmpty();
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
