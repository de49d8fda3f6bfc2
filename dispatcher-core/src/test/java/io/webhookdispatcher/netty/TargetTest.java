package io.webhookdispatcher.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import org.junit.jupiter.api.Test;

class TargetTest {

  @Test
  void default_port_omitted_from_host_header() {
    Target target = Target.of(URI.create("https://Example.COM/hooks?a=1&b=%20"));

    assertThat(target.host()).isEqualTo("example.com");
    assertThat(target.port()).isEqualTo(443);
    assertThat(target.hostHeader()).isEqualTo("example.com");
    assertThat(target.pathAndQuery()).isEqualTo("/hooks?a=1&b=%20");
  }

  @Test
  void explicit_port_is_in_host_header() {
    Target target = Target.of(URI.create("http://example.com:8080"));

    assertThat(target.hostHeader()).isEqualTo("example.com:8080");
    assertThat(target.pathAndQuery()).isEqualTo("/");
  }

  @Test
  void ipv6_literal_keeps_brackets_in_header() {
    Target target = Target.of(URI.create("http://[::1]:8080/in"));

    assertThat(target.host()).isEqualTo("::1");
    assertThat(target.hostHeader()).isEqualTo("[::1]:8080");
    assertThat(target.authority()).isEqualTo("[::1]:8080");
  }

  @Test
  void url_without_host_is_rejected() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> Target.of(URI.create("http:/path")));

    assertThat(error).hasMessageContaining("no host");
  }

  @Test
  void error_never_quotes_path_or_query() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> Target.of(URI.create("gopher://example.com/secret?token=abc")));

    assertThat(error).hasMessageNotContaining("token");
    assertThat(error).hasMessageNotContaining("secret");
  }
}
