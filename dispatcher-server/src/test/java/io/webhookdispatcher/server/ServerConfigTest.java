package io.webhookdispatcher.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
  @TempDir Path dir;

  @Test
  void empty_properties_give_documented_defaults() {
    ServerConfig config = ServerConfig.fromProperties(new Properties());

    assertThat(config.httpHost()).isEqualTo("127.0.0.1");
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.jdbcUrl()).isEqualTo("jdbc:h2:file:./data/webhooks");
    assertThat(config.jdbcUsername()).isEqualTo("sa");
    assertThat(config.jdbcPassword()).isEmpty();
    assertThat(config.transport()).isEqualTo("netty");
    assertThat(config.deliveryTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(config.retrySchedule().delays())
        .containsExactly(
            Duration.ofSeconds(5),
            Duration.ofMinutes(5),
            Duration.ofMinutes(30),
            Duration.ofHours(2),
            Duration.ofHours(5),
            Duration.ofHours(10),
            Duration.ofHours(10));
    assertThat(config.allowPrivateAddresses()).isFalse();
    assertThat(config.lease()).isEmpty();
    assertThat(config.pollInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.maxMessageBytes()).isEqualTo(262144);
  }

  @Test
  void help_defaults_parse_to_builder_defaults() {
    Properties written = new Properties();
    for (Setting setting : Setting.values()) {
      written.setProperty(setting.key(), setting.defaultValue());
    }

    ServerConfig fromHelp = ServerConfig.fromProperties(written);

    assertThat(fromHelp.toString()).isEqualTo(ServerConfig.builder().build().toString());
  }

  @Test
  void every_key_is_read() {
    Properties properties = new Properties();
    properties.setProperty("webhooks.http.host", "0.0.0.0");
    properties.setProperty("webhooks.http.port", "0");
    properties.setProperty("webhooks.jdbc.url", "jdbc:h2:mem:test");
    properties.setProperty("webhooks.jdbc.username", "app");
    properties.setProperty("webhooks.jdbc.password", " spaced ");
    properties.setProperty("webhooks.transport", "netty");
    properties.setProperty("webhooks.delivery.timeout", "2s");
    properties.setProperty("webhooks.delivery.retry-schedule", "200ms, 1m");
    properties.setProperty("webhooks.delivery.allow-private-addresses", "TRUE");
    properties.setProperty("webhooks.delivery.lease", "90s");
    properties.setProperty("webhooks.delivery.poll-interval", "50ms");
    properties.setProperty("webhooks.message.max-bytes", "1024");

    ServerConfig config = ServerConfig.fromProperties(properties);

    assertThat(config.httpHost()).isEqualTo("0.0.0.0");
    assertThat(config.httpPort()).isZero();
    assertThat(config.jdbcUrl()).isEqualTo("jdbc:h2:mem:test");
    assertThat(config.jdbcUsername()).isEqualTo("app");
    assertThat(config.jdbcPassword()).isEqualTo(" spaced ");
    assertThat(config.deliveryTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.retrySchedule().delays())
        .containsExactly(Duration.ofMillis(200), Duration.ofMinutes(1));
    assertThat(config.allowPrivateAddresses()).isTrue();
    assertThat(config.lease()).contains(Duration.ofSeconds(90));
    assertThat(config.pollInterval()).isEqualTo(Duration.ofMillis(50));
    assertThat(config.maxMessageBytes()).isEqualTo(1024);
    assertThat(config.unknownKeys()).isEmpty();
  }

  @Test
  void system_property_overrides_file_value() throws IOException {
    Path file =
        write(
            "webhooks.http.port=9001\n"
                + "webhooks.delivery.timeout=3s\n"
                + "webhooks.jdbc.username=from-file\n");
    Properties overrides = new Properties();
    overrides.setProperty("webhooks.delivery.timeout", "4s");
    overrides.setProperty("java.home", "/ignored");

    ServerConfig config = ServerConfig.load(file, overrides);

    assertThat(config.deliveryTimeout()).isEqualTo(Duration.ofSeconds(4));
    assertThat(config.httpPort()).isEqualTo(9001);
    assertThat(config.jdbcUsername()).isEqualTo("from-file");
    assertThat(config.httpHost()).isEqualTo("127.0.0.1");
  }

  @Test
  void file_is_read_as_utf8() throws IOException {
    Path file = write("webhooks.jdbc.username=caf\u00e9\n");

    ServerConfig config = ServerConfig.load(file, new Properties());

    assertThat(config.jdbcUsername()).isEqualTo("caf\u00e9");
  }

  @Test
  void missing_file_is_rejected() {
    Path missing = dir.resolve("absent.properties");

    ConfigException error =
        assertThrows(ConfigException.class, () -> ServerConfig.load(missing, new Properties()));

    assertThat(error.key()).isEqualTo("--config");
    assertThat(error.getMessage()).contains(missing.toAbsolutePath().toString());
  }

  @Test
  void bad_duration_names_key_and_value() {
    ConfigException error =
        assertThrows(ConfigException.class, () -> parse("webhooks.delivery.timeout", "15 secs"));

    assertThat(error.key()).isEqualTo("webhooks.delivery.timeout");
    assertThat(error.getMessage()).contains("webhooks.delivery.timeout");
    assertThat(error.getMessage()).contains("'15 secs'");
    assertThat(error.getMessage()).contains("500ms");
  }

  @Test
  void bad_retry_schedule_names_key() {
    ConfigException error =
        assertThrows(
            ConfigException.class, () -> parse("webhooks.delivery.retry-schedule", "5s;5m"));

    assertThat(error.key()).isEqualTo("webhooks.delivery.retry-schedule");
    assertThat(error.getMessage()).contains("'5s;5m'");
  }

  @Test
  void zero_poll_interval_is_rejected() {
    ConfigException error =
        assertThrows(ConfigException.class, () -> parse("webhooks.delivery.poll-interval", "0ms"));

    assertThat(error.key()).isEqualTo("webhooks.delivery.poll-interval");
    assertThat(error.getMessage()).contains("positive");
  }

  @Test
  void port_out_of_range_is_rejected() {
    ConfigException error =
        assertThrows(ConfigException.class, () -> parse("webhooks.http.port", "70000"));

    assertThat(error.key()).isEqualTo("webhooks.http.port");
    assertThat(error.getMessage()).contains("70000");
  }

  @Test
  void port_that_is_not_a_number_is_rejected() {
    ConfigException error =
        assertThrows(ConfigException.class, () -> parse("webhooks.http.port", "eighty"));

    assertThat(error.getMessage()).contains("'eighty'");
  }

  @Test
  void bad_boolean_is_rejected() {
    ConfigException error =
        assertThrows(
            ConfigException.class, () -> parse("webhooks.delivery.allow-private-addresses", "yes"));

    assertThat(error.key()).isEqualTo("webhooks.delivery.allow-private-addresses");
    assertThat(error.getMessage()).contains("true or false");
  }

  @Test
  void unknown_transport_lists_allowed_values() {
    ConfigException error =
        assertThrows(ConfigException.class, () -> parse("webhooks.transport", "okhttp"));

    assertThat(error.key()).isEqualTo("webhooks.transport");
    assertThat(error.getMessage()).contains("'okhttp'");
    assertThat(error.getMessage()).contains("allowed values are netty, svix");
  }

  @Test
  void allowed_ranges_are_split_on_commas() {
    ServerConfig config = parse("webhooks.delivery.allowed-ranges", " 10.20.0.0/16, fd00::/8 ,");

    assertThat(config.allowedRanges()).containsExactly("10.20.0.0/16", "fd00::/8");
  }

  @Test
  void invalid_allowed_range_names_key_and_entry() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> parse("webhooks.delivery.allowed-ranges", "10.20.0.0/16,10.0.0.0/33"));

    assertThat(error.key()).isEqualTo("webhooks.delivery.allowed-ranges");
    assertThat(error.getMessage()).contains("10.0.0.0/33");
  }

  @Test
  void proxy_password_is_masked() {
    ServerConfig config =
        parse("webhooks.delivery.proxy", "http://webhooks:planted-proxy-pw@proxy.internal:3128");

    assertThat(config.proxy()).isPresent();
    assertThat(config.toString())
        .contains("webhooks.delivery.proxy=http://****@proxy.internal:3128")
        .doesNotContain("planted-proxy-pw");
  }

  @Test
  void https_proxy_is_rejected_without_its_password() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> parse("webhooks.delivery.proxy", "https://u:planted-proxy-pw@proxy.internal:3128"));

    assertThat(error.key()).isEqualTo("webhooks.delivery.proxy");
    assertThat(error.getMessage()).doesNotContain("planted-proxy-pw");
  }

  @Test
  void proxy_without_scheme_is_rejected_without_its_password() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> parse("webhooks.delivery.proxy", "user:planted-proxy-pw@127.0.0.1:3128"));

    assertThat(error.getMessage()).doesNotContain("planted-proxy-pw");
  }

  @Test
  void encoded_colon_proxy_password_masked() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> parse("webhooks.delivery.proxy", "http://user%3Aplanted-proxy-pw@127.0.0.1:3128"));

    assertThat(error.getMessage()).doesNotContain("planted-proxy-pw");
  }

  @Test
  void proxy_port_out_of_range_is_rejected() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> parse("webhooks.delivery.proxy", "http://127.0.0.1:99999"));

    assertThat(error.getMessage()).contains("99999 is not from 1 to 65535");
  }

  @Test
  void https_only_is_parsed() {
    assertThat(parse("webhooks.delivery.https-only", "true").httpsOnly()).isTrue();
    assertThat(ServerConfig.builder().build().httpsOnly()).isFalse();
  }

  @Test
  void disable_after_zero_means_never() {
    assertThat(parse("webhooks.delivery.disable-after", "0").disableAfter()).isZero();
    assertThat(parse("webhooks.delivery.disable-after", "36h").disableAfter())
        .isEqualTo(java.time.Duration.ofHours(36));
  }

  @Test
  void svix_keys_reach_transport_config() {
    Properties properties = new Properties();
    properties.setProperty("webhooks.transport", "svix");
    properties.setProperty("webhooks.svix.token", " testsk_config-token ");
    properties.setProperty("webhooks.svix.server-url", "http://127.0.0.1:8071");
    properties.setProperty("webhooks.svix.app-uid", "merchant-webhooks");

    ServerConfig config = ServerConfig.fromProperties(properties);

    assertThat(config.transport()).isEqualTo("svix");
    assertThat(config.transportConfig())
        .containsExactly(
            entry("webhooks.transport", "svix"),
            entry("webhooks.svix.token", "testsk_config-token"),
            entry("webhooks.svix.server-url", "http://127.0.0.1:8071"),
            entry("webhooks.svix.app-uid", "merchant-webhooks"));
    assertThat(config.unknownKeys()).isEmpty();
  }

  @Test
  void svix_defaults_leave_out_server_url() {
    Properties properties = new Properties();
    properties.setProperty("webhooks.transport", "svix");
    properties.setProperty("webhooks.svix.token", "testsk_config-token");

    ServerConfig config = ServerConfig.fromProperties(properties);

    assertThat(config.transportConfig())
        .containsExactly(
            entry("webhooks.transport", "svix"),
            entry("webhooks.svix.token", "testsk_config-token"),
            entry("webhooks.svix.app-uid", "webhook-dispatcher"));
  }

  @Test
  void netty_config_has_no_svix_keys() {
    Properties properties = new Properties();
    properties.setProperty("webhooks.svix.token", "testsk_config-token");

    ServerConfig config = ServerConfig.fromProperties(properties);

    assertThat(config.transportConfig()).containsExactly(entry("webhooks.transport", "netty"));
  }

  @Test
  void svix_without_token_is_rejected() {
    for (String token : List.of("", "   ")) {
      Properties properties = new Properties();
      properties.setProperty("webhooks.transport", "svix");
      properties.setProperty("webhooks.svix.token", token);

      ConfigException error =
          assertThrows(ConfigException.class, () -> ServerConfig.fromProperties(properties));

      assertThat(error.key()).as("token '%s'", token).isEqualTo("webhooks.svix.token");
      assertThat(error.getMessage()).contains("webhooks.svix.token is required");
    }
  }

  @Test
  void misspelt_svix_key_is_rejected() {
    ConfigException error =
        assertThrows(
            ConfigException.class, () -> parse("webhooks.svix.tokn", "testsk_config-token"));

    assertThat(error.key()).isEqualTo("webhooks.svix.tokn");
    assertThat(error.getMessage()).contains("webhooks.svix.token").doesNotContain("testsk_");
  }

  @Test
  void unknown_key_with_netty_is_only_listed() {
    ServerConfig config = parse("webhooks.delivery.timout", "5s");

    assertThat(config.unknownKeys()).containsExactly("webhooks.delivery.timout");
  }

  @Test
  void to_string_masks_svix_token() {
    Properties properties = new Properties();
    properties.setProperty("webhooks.transport", "svix");
    properties.setProperty("webhooks.svix.token", "testsk_planted-svix-token-5519");

    String text = ServerConfig.fromProperties(properties).toString();

    assertThat(text).doesNotContain("planted-svix-token-5519");
    assertThat(text).contains("webhooks.svix.token=****");
  }

  @Test
  void to_string_masks_svix_url_password() {
    ServerConfig config =
        parse("webhooks.svix.server-url", "https://svix:planted-url-password-6@svix.example");

    String text = config.toString();

    assertThat(text).doesNotContain("planted-url-password-6");
    assertThat(text).contains("webhooks.svix.server-url=https://****@svix.example");
  }

  @Test
  void max_bytes_below_one_is_rejected() {
    ConfigException error =
        assertThrows(ConfigException.class, () -> parse("webhooks.message.max-bytes", "0"));

    assertThat(error.key()).isEqualTo("webhooks.message.max-bytes");
  }

  @Test
  void jdbc_url_without_jdbc_prefix_is_rejected() {
    ConfigException error =
        assertThrows(
            ConfigException.class, () -> parse("webhooks.jdbc.url", "h2:file:./data/webhooks"));

    assertThat(error.key()).isEqualTo("webhooks.jdbc.url");
  }

  @Test
  void lease_not_longer_than_timeout_is_rejected() {
    Properties properties = new Properties();
    properties.setProperty("webhooks.delivery.timeout", "30s");
    properties.setProperty("webhooks.delivery.lease", "30s");

    ConfigException error =
        assertThrows(ConfigException.class, () -> ServerConfig.fromProperties(properties));

    assertThat(error.key()).isEqualTo("webhooks.delivery.lease");
    assertThat(error.getMessage()).contains("webhooks.delivery.timeout");
  }

  @Test
  void empty_lease_means_default() {
    ServerConfig config = parse("webhooks.delivery.lease", "");

    assertThat(config.lease()).isEmpty();
  }

  @Test
  void unknown_webhooks_keys_are_listed() {
    Properties properties = new Properties();
    properties.setProperty("webhooks.htpp.port", "9000");
    properties.setProperty("webhooks.delivery.timeuot", "1s");
    properties.setProperty("other.setting", "x");

    ServerConfig config = ServerConfig.fromProperties(properties);

    assertThat(config.unknownKeys())
        .containsExactly("webhooks.delivery.timeuot", "webhooks.htpp.port");
  }

  @Test
  void to_string_masks_password() {
    ServerConfig config = parse("webhooks.jdbc.password", "planted-db-password-7731");

    String text = config.toString();

    assertThat(text).doesNotContain("planted-db-password-7731");
    assertThat(text).contains("webhooks.jdbc.password=****");
  }

  @Test
  void to_string_masks_password_in_jdbc_url() {
    ServerConfig config =
        parse("webhooks.jdbc.url", "jdbc:h2:file:./x;USER=sa;PASSWORD=planted-url-password-1;X=1");

    String text = config.toString();

    assertThat(text).doesNotContain("planted-url-password-1");
    assertThat(text).contains("webhooks.jdbc.url=jdbc:h2:file:./x;USER=sa;PASSWORD=****;X=1");
  }

  @Test
  void jdbc_url_masking_covers_common_forms() {
    List<String> urls =
        List.of(
            "jdbc:postgresql://db/app?user=app&password=planted-2&ssl=true",
            "jdbc:mysql://app:planted-3@db:3306/app",
            "jdbc:sqlserver://db;user=app;pwd=planted-4",
            "jdbc:postgresql://db/app?sslpassword=planted-5");

    for (String url : urls) {
      assertThat(ServerConfig.maskJdbcUrl(url)).doesNotContain("planted");
    }
  }

  @Test
  void to_string_lists_every_key() {
    String text = ServerConfig.builder().build().toString();

    for (Setting setting : Setting.values()) {
      assertThat(text).contains(setting.key() + "=");
    }
  }

  @Test
  void sensitive_key_names_are_recognised() {
    assertThat(Setting.isSensitive("webhooks.jdbc.password")).isTrue();
    assertThat(Setting.isSensitive("webhooks.signing.SECRET")).isTrue();
    assertThat(Setting.isSensitive("webhooks.api.token")).isTrue();
    assertThat(Setting.isSensitive("webhooks.jdbc.username")).isFalse();
  }

  @Test
  void durations_format_in_largest_unit() {
    assertThat(ServerConfig.formatDuration(Duration.ofMillis(500))).isEqualTo("500ms");
    assertThat(ServerConfig.formatDuration(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(ServerConfig.formatDuration(Duration.ofSeconds(15))).isEqualTo("15s");
    assertThat(ServerConfig.formatDuration(Duration.ofMinutes(30))).isEqualTo("30m");
    assertThat(ServerConfig.formatDuration(Duration.ofHours(10))).isEqualTo("10h");
    assertThat(ServerConfig.formatDuration(Duration.ofDays(1))).isEqualTo("1d");
  }

  private static ServerConfig parse(String key, String value) {
    Properties properties = new Properties();
    properties.setProperty(key, value);
    return ServerConfig.fromProperties(properties);
  }

  private Path write(String content) throws IOException {
    Path file = dir.resolve("server.properties");
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }
}
