package io.webhookdispatcher.svix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.webhookdispatcher.DispatcherSettings;
import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.WebhookDispatcher;
import io.webhookdispatcher.internal.TransportProviders;
import io.webhookdispatcher.jdbc.JdbcWebhookStore;
import io.webhookdispatcher.netty.NettyTransport;
import io.webhookdispatcher.spi.Transport;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Choosing and configuring the transport from configuration keys, and the Svix region rule. */
class SvixTransportProviderTest {
  private static final DispatcherSettings settings = defaultSettings();

  /** Returns a dispatcher's default settings, as a provider receives them. */
  private static DispatcherSettings defaultSettings() {
    try (JdbcWebhookStore store =
            JdbcWebhookStore.builder()
                .jdbcUrl("jdbc:h2:mem:settings-" + UUID.randomUUID())
                .build();
        WebhookDispatcher dispatcher = WebhookDispatcher.builder().store(store).build()) {
      return dispatcher.settings();
    }
  }

  @Test
  void svix_key_selects_svix_transport() {
    Map<String, String> config =
        Map.of(
            "webhooks.transport", "svix",
            "webhooks.svix.token", "testsk_abc.eu",
            "webhooks.svix.app-uid", "payments");

    try (Transport transport = TransportProviders.create(config, settings)) {
      assertThat(transport).isInstanceOf(SvixTransport.class);
      assertThat(((SvixTransport) transport).handOffUrl())
          .isEqualTo(URI.create("https://api.eu.svix.com/api/v1/app/payments/msg"));
      assertThat(transport.toString()).doesNotContain("testsk_abc");
    }
  }

  @Test
  void absent_transport_key_selects_netty() {
    try (Transport transport = TransportProviders.create(Map.of(), settings)) {
      assertThat(transport).isInstanceOf(NettyTransport.class);
    }
  }

  @Test
  void missing_token_names_the_key() {
    InvalidInputException error =
        assertThrows(
            InvalidInputException.class,
            () -> TransportProviders.create(Map.of("webhooks.transport", "svix"), settings));

    assertThat(error.field()).isEqualTo("webhooks.svix.token");
    assertThat(error.getMessage()).contains("webhooks.svix.token is required");
  }

  @Test
  void misspelt_svix_key_is_rejected() {
    Map<String, String> config =
        Map.of(
            "webhooks.transport", "svix",
            "webhooks.svix.token", "sk_abc",
            "webhooks.svix.app_uid", "payments");

    InvalidInputException error =
        assertThrows(InvalidInputException.class, () -> TransportProviders.create(config, settings));

    assertThat(error.field()).isEqualTo("webhooks.svix.app_uid");
    assertThat(error.getMessage()).contains("webhooks.svix.app-uid");
  }

  @Test
  void unknown_transport_lists_available_ones() {
    InvalidInputException error =
        assertThrows(
            InvalidInputException.class,
            () -> TransportProviders.create(Map.of("webhooks.transport", "sqs"), settings));

    assertThat(error.field()).isEqualTo("webhooks.transport");
    assertThat(error.getMessage()).contains("'sqs'").contains("netty, svix");
  }

  @Test
  void invalid_app_uid_names_the_key() {
    Map<String, String> config =
        Map.of(
            "webhooks.transport", "svix",
            "webhooks.svix.token", "sk_abc",
            "webhooks.svix.app-uid", "payments app");

    InvalidInputException error =
        assertThrows(InvalidInputException.class, () -> TransportProviders.create(config, settings));

    assertThat(error.field()).isEqualTo("webhooks.svix.app-uid");
    assertThat(error.getMessage()).contains("'payments app'");
  }

  @Test
  void server_url_with_query_is_rejected() {
    Map<String, String> config =
        Map.of(
            "webhooks.transport", "svix",
            "webhooks.svix.token", "sk_abc",
            "webhooks.svix.server-url", "https://svix.internal/?x=1");

    InvalidInputException error =
        assertThrows(InvalidInputException.class, () -> TransportProviders.create(config, settings));

    assertThat(error.field()).isEqualTo("webhooks.svix.server-url");
  }

  @Test
  void server_url_password_not_echoed() {
    Map<String, String> config =
        Map.of(
            "webhooks.transport", "svix",
            "webhooks.svix.token", "sk_abc",
            "webhooks.svix.server-url", "https://svix:hunter2@svix.internal/");

    InvalidInputException error =
        assertThrows(InvalidInputException.class, () -> TransportProviders.create(config, settings));

    assertThat(error.getMessage()).contains("https://****@svix.internal/");
    assertThat(error.getMessage()).doesNotContain("hunter2");
  }

  @Test
  void unparsable_server_url_with_password_is_not_echoed() {
    Map<String, String> config =
        Map.of(
            "webhooks.transport", "svix",
            "webhooks.svix.token", "sk_abc",
            "webhooks.svix.server-url", "https://svix:hunter2@svix internal/");

    InvalidInputException error =
        assertThrows(InvalidInputException.class, () -> TransportProviders.create(config, settings));

    assertThat(error.getMessage()).doesNotContain("hunter2");
  }

  @Test
  void server_url_keeps_its_path_prefix() {
    SvixTransport transport =
        SvixTransport.builder()
            .token("sk_abc")
            .serverUrl(URI.create("https://gateway.internal/svix/"))
            .build();

    try (transport) {
      assertThat(transport.handOffUrl())
          .isEqualTo(URI.create("https://gateway.internal/svix/api/v1/app/webhook-dispatcher/msg"));
    }
  }

  @Test
  void token_region_picks_the_server() {
    assertThat(SvixTransport.serverUrlForToken("testsk_abc.us"))
        .isEqualTo(URI.create("https://api.us.svix.com"));
    assertThat(SvixTransport.serverUrlForToken("sk_abc.eu"))
        .isEqualTo(URI.create("https://api.eu.svix.com"));
    assertThat(SvixTransport.serverUrlForToken("sk_abc.in"))
        .isEqualTo(URI.create("https://api.in.svix.com"));
    assertThat(SvixTransport.serverUrlForToken("sk_abc.ca"))
        .isEqualTo(URI.create("https://api.ca.svix.com"));
    assertThat(SvixTransport.serverUrlForToken("sk_abc.au"))
        .isEqualTo(URI.create("https://api.au.svix.com"));
  }

  @Test
  void token_without_known_region_uses_main_api() {
    assertThat(SvixTransport.serverUrlForToken("sk_abc")).isEqualTo(SvixTransport.DEFAULT_SERVER_URL);
    assertThat(SvixTransport.serverUrlForToken("sk_abc.zz")).isEqualTo(SvixTransport.DEFAULT_SERVER_URL);
  }

  @Test
  void token_line_break_not_echoed() {
    InvalidInputException error =
        assertThrows(
            InvalidInputException.class, () -> SvixTransport.builder().token("sk_abc\r\nX: y"));

    assertThat(error.field()).isEqualTo("webhooks.svix.token");
    assertThat(error.getMessage()).doesNotContain("sk_abc");
  }
}
