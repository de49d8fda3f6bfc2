package io.webhookdispatcher.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NettyTransportBuilderTest {

  @Test
  void zero_request_timeout_is_rejected() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> NettyTransport.builder().requestTimeout(Duration.ZERO));

    assertThat(error).hasMessageContaining("requestTimeout");
    assertThat(error).hasMessageContaining("PT0S");
  }

  @Test
  void huge_connect_timeout_is_rejected() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> NettyTransport.builder().connectTimeout(Duration.ofDays(2)));

    assertThat(error).hasMessageContaining("connectTimeout");
    assertThat(error).hasMessageContaining("PT48H");
  }

  @Test
  void null_timeout_is_rejected() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> NettyTransport.builder().requestTimeout(null));

    assertThat(error).hasMessageContaining("requestTimeout");
  }

  @Test
  void zero_connections_per_host_is_rejected() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> NettyTransport.builder().maxConnectionsPerHost(0));

    assertThat(error).hasMessage("maxConnectionsPerHost must be at least 1, but was 0");
  }

  @Test
  void negative_event_loop_threads_is_rejected() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> NettyTransport.builder().eventLoopThreads(-1));

    assertThat(error).hasMessageContaining("eventLoopThreads");
    assertThat(error).hasMessageContaining("-1");
  }

  @Test
  void user_agent_with_newline_is_rejected() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> NettyTransport.builder().userAgent("a\nb"));

    assertThat(error).hasMessageContaining("userAgent");
    assertThat(error).hasMessageContaining("a\\u000ab");
  }

  @Test
  void null_trust_manager_factory_is_rejected() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> NettyTransport.builder().trustManagerFactory(null));

    assertThat(error).hasMessageContaining("trustManagerFactory");
  }

  @Test
  void malformed_allowed_range_is_rejected() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> NettyTransport.builder().allowedRanges(List.of("10.20.0.0/16", "10.30.0.0/33")));

    assertThat(error)
        .hasMessage(
            "allowed range '10.30.0.0/33' is invalid: the prefix length must be from 0 to 32");
  }

  @Test
  void null_allowed_ranges_are_rejected() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> NettyTransport.builder().allowedRanges(null));

    assertThat(error).hasMessageContaining("allowed ranges must not be null");
  }

  @Test
  void zero_idle_pool_timeout_is_rejected() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> NettyTransport.builder().idlePoolTimeout(Duration.ZERO));

    assertThat(error).hasMessageContaining("idlePoolTimeout");
  }

  @Test
  void default_user_agent_names_version() {
    assertThat(NettyTransport.DEFAULT_USER_AGENT).startsWith("webhook-dispatcher/");
    assertThat(NettyTransport.VERSION).isNotBlank();
  }

  @Test
  void connect_timeout_capped_at_request_timeout() {
    try (NettyTransport transport =
        NettyTransport.builder()
            .eventLoopThreads(1)
            .requestTimeout(Duration.ofMillis(500))
            .connectTimeout(Duration.ofSeconds(10))
            .build()) {

      assertThat(transport.toString()).contains("connectTimeout=PT0.5S");
    }
  }
}
