package io.webhookdispatcher.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: help, and exit status 2 with a plain message for bad configuration. */
class DispatcherServerMainTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void help_lists_every_key_with_default() {
    int status = run(new Properties(), "--help");

    assertThat(status).isZero();
    for (Setting setting : Setting.values()) {
      assertThat(stdout()).containsPattern("(?m)^  " + setting.key().replace(".", "\\.") + " +\\S");
    }
    assertThat(stdout()).contains("5s,5m,30m,2h,5h,10h,10h");
    assertThat(stdout()).contains("--config FILE");
  }

  @Test
  void missing_config_file_exits_2() {
    Path missing = dir.resolve("missing.properties");

    int status = run(new Properties(), "--config", missing.toString());

    assertThat(status).isEqualTo(2);
    assertThat(stderr()).contains(missing.toAbsolutePath().toString());
    assertThat(stderr()).contains("--config");
  }

  @Test
  void bad_duration_in_file_exits_2() throws IOException {
    Path file = dir.resolve("server.properties");
    Files.writeString(file, "webhooks.delivery.timeout=fifteen\n", StandardCharsets.UTF_8);

    int status = run(new Properties(), "--config=" + file);

    assertThat(status).isEqualTo(2);
    assertThat(stderr()).contains("webhooks.delivery.timeout");
    assertThat(stderr()).contains("'fifteen'");
    assertThat(stderr()).doesNotContain("\tat ");
  }

  @Test
  void bad_transport_property_exits_2() {
    Properties systemProperties = new Properties();
    systemProperties.setProperty("webhooks.transport", "jdk");

    int status = run(systemProperties);

    assertThat(status).isEqualTo(2);
    assertThat(stderr()).contains("webhooks.transport");
    assertThat(stderr()).contains("allowed values are netty");
  }

  @Test
  void unsupported_jdbc_url_exits_2() {
    Properties systemProperties = new Properties();
    systemProperties.setProperty("webhooks.jdbc.url", "jdbc:oracle:thin:@db:1521/app");

    int status = run(systemProperties);

    assertThat(status).isEqualTo(2);
    assertThat(stderr()).contains("webhooks.jdbc.url");
  }

  @Test
  void unknown_argument_exits_2() {
    int status = run(new Properties(), "--port", "9000");

    assertThat(status).isEqualTo(2);
    assertThat(stderr()).contains("Unknown argument '--port'");
  }

  @Test
  void config_without_file_exits_2() {
    int status = run(new Properties(), "--config");

    assertThat(status).isEqualTo(2);
    assertThat(stderr()).contains("--config needs a file");
  }

  @Test
  void port_in_use_exits_1() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Properties systemProperties =
          TestServers.properties(dir, "webhooks.http.port", Integer.toString(taken.getLocalPort()));

      int status = run(systemProperties);

      assertThat(status).isEqualTo(1);
      assertThat(stderr()).contains("webhooks.http.port");
    }
  }

  private int run(Properties systemProperties, String... args) {
    return DispatcherServer.run(
        args,
        systemProperties,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }
}
