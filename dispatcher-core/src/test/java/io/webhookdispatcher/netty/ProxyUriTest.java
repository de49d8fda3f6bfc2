package io.webhookdispatcher.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parsing and masking of the proxy URI given to {@link NettyTransport.Builder#proxy}. */
class ProxyUriTest {

  private static final String SECRET = "hunter2-planted";

  @Test
  void host_and_port_parsed() {
    NettyTransport.Proxy proxy = NettyTransport.Proxy.parse(URI.create("http://proxy.test:3128"));

    assertThat(proxy.host()).isEqualTo("proxy.test");
    assertThat(proxy.port()).isEqualTo(3128);
    assertThat(proxy.hasCredentials()).isFalse();
    assertThat(proxy.username()).isNull();
    assertThat(proxy.password()).isNull();
    assertThat(proxy.authority()).isEqualTo("proxy.test:3128");
  }

  @Test
  void trailing_slash_and_upper_case_scheme_accepted() {
    NettyTransport.Proxy proxy = NettyTransport.Proxy.parse(URI.create("HTTP://proxy.test:3128/"));

    assertThat(proxy.authority()).isEqualTo("proxy.test:3128");
  }

  @Test
  void ipv6_literal_keeps_brackets_in_authority_only() {
    NettyTransport.Proxy proxy = NettyTransport.Proxy.parse(URI.create("http://[::1]:3128"));

    assertThat(proxy.host()).isEqualTo("::1");
    assertThat(proxy.authority()).isEqualTo("[::1]:3128");
    assertThat(proxy.toString()).isEqualTo("http://[::1]:3128");
  }

  @Test
  void credentials_percent_decoded() {
    NettyTransport.Proxy proxy =
        NettyTransport.Proxy.parse(URI.create("http://hook%20sender:a%3Ab+c%40d@proxy.test:3128"));

    assertThat(proxy.hasCredentials()).isTrue();
    assertThat(proxy.username()).isEqualTo("hook sender");
    assertThat(proxy.password()).isEqualTo("a:b+c@d");
  }

  @Test
  void empty_password_accepted() {
    NettyTransport.Proxy proxy = NettyTransport.Proxy.parse(URI.create("http://sender:@h:1"));

    assertThat(proxy.username()).isEqualTo("sender");
    assertThat(proxy.password()).isEmpty();
  }

  @Test
  void to_string_masks_password() {
    NettyTransport.Proxy proxy =
        NettyTransport.Proxy.parse(URI.create("http://sender:" + SECRET + "@proxy.test:3128"));

    assertThat(proxy.toString()).isEqualTo("http://sender:****@proxy.test:3128");
  }

  @Test
  void null_proxy_rejected() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> NettyTransport.builder().proxy(null));

    assertThat(error)
        .hasMessage("proxy must not be null; omit the call to connect to endpoints directly");
  }

  @ParameterizedTest(name = "{0} is rejected: {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "socks5://u:SECRET@proxy.test:1080 | socks5://u:****@proxy.test:1080"
            + " | the scheme must be http",
        "https://u:SECRET@proxy.test:3128 | https://u:****@proxy.test:3128"
            + " | the scheme must be http",
        "//u:SECRET@proxy.test:3128 | //u:****@proxy.test:3128 | the scheme must be http",
        "http://u:SECRET@proxy.test | http://u:****@proxy.test | it has no port",
        "http://u:SECRET@proxy.test:3128/path?q=1#f | http://u:****@proxy.test:3128/path?q=1#f"
            + " | it has a path",
        "http://u:SECRET@proxy.test:3128?q=1 | http://u:****@proxy.test:3128?q=1 | it has a query",
        "http://u:SECRET@proxy.test:3128#f | http://u:****@proxy.test:3128#f | it has a fragment",
        "http://u:SECRET@bad_host:3128 | http://u:****@bad_host:3128"
            + " | it has no host, or the host is malformed",
        "http:u:SECRET@proxy.test | http:**** | it has no host, or the host is malformed",
        "http://:SECRET@proxy.test:3128 | http://:****@proxy.test:3128 | its user name is empty",
        "http://a%3Ab:SECRET@proxy.test:3128 | http://a%3Ab:****@proxy.test:3128"
            + " | its user name contains a colon",
        "http://sender@proxy.test:3128 | http://****@proxy.test:3128"
            + " | its user-info has no password",
      })
  void invalid_proxy_rejected_with_password_masked(String uri, String masked, String problem) {
    URI proxy = URI.create(uri.replace("SECRET", SECRET));

    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> NettyTransport.builder().proxy(proxy));

    assertThat(error).hasMessageStartingWith("proxy '" + masked + "' is invalid: " + problem);
    assertThat(error)
        .hasMessageEndingWith("; write it as http://host:port or http://user:password@host:port");
    assertThat(error.getMessage()).doesNotContain(SECRET);
  }
}
