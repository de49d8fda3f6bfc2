package io.webhookdispatcher.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Planted credentials and payload text never reach a log line, with DEBUG on for the dispatcher,
 * while the configuration, lifecycle and delivery ids are still logged.
 */
class LogSecrecyTest {
  private static final String DB_PASSWORD = "planted-db-password-7731";
  private static final String CONFIG_SECRET = "planted-config-secret-2208";
  private static final String PAYLOAD = "planted-payload-4412";

  @TempDir Path dataDir;

  @Test
  void secrets_and_payload_stay_out_of_logs() throws IOException {
    String secret;
    String messageId;
    String text;
    List<ILoggingEvent> events;
    try (LogCapture logs = LogCapture.start(Level.DEBUG);
        Receiver receiver = Receiver.start()) {
      DispatcherServer server =
          TestServers.start(
              dataDir,
              "webhooks.jdbc.password",
              DB_PASSWORD,
              "webhooks.signing.secret",
              CONFIG_SECRET);
      try {
        ApiClient api = new ApiClient(server.port());
        JsonNode endpoint = api.createEndpoint(receiver.url("/hooks"));
        secret = endpoint.get("secret").asText();
        messageId =
            api.post(
                    "/webhook/messages",
                    "{\"event_type\": \"payment.created\","
                        + " \"object_id\": \"0b6f2c1e-4d7a-4e8b-9c3d-2f1a0e9b8c7d\","
                        + " \"object_type\": \"Payment\","
                        + " \"object\": {\"card_holder\": \""
                        + PAYLOAD
                        + "\", \"amount\": 12.30}}")
                .json()
                .get("id")
                .asText();
        String attemptsPath = "/webhook/messages/" + messageId + "/attempts";
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> api.get(attemptsPath).json().get("data").size() == 1);
        api.get("/webhook/endpoints/" + endpoint.get("id").asText());
      } finally {
        server.close();
      }
      text = logs.text();
      events = logs.events();
    }

    assertThat(text).doesNotContain(DB_PASSWORD);
    assertThat(text).doesNotContain(CONFIG_SECRET);
    assertThat(text).doesNotContain(PAYLOAD);
    assertThat(text).doesNotContain(secret);
    assertThat(text).doesNotContain(secret.substring("whsec_".length()));
    assertThat(text).contains("webhooks.jdbc.password=****");
    assertThat(text).contains(messageId);
    assertThat(infoMessages(events))
        .anyMatch(line -> line.startsWith("Listening on http://127.0.0.1:"));
  }

  @Test
  void unknown_key_is_warned_by_name() {
    List<ILoggingEvent> events;
    try (LogCapture logs = LogCapture.start(Level.INFO)) {
      TestServers.start(dataDir, "webhooks.htpp.port", "9000").close();
      events = logs.events();
    }

    List<String> warnings =
        events.stream()
            .filter(event -> event.getLevel() == Level.WARN)
            .map(ILoggingEvent::getFormattedMessage)
            .collect(Collectors.toList());
    assertThat(warnings)
        .containsExactly(
            "Ignoring unknown configuration key webhooks.htpp.port: check its spelling against"
                + " --help");
  }

  @Test
  void effective_configuration_is_logged_once() {
    List<String> infos;
    try (LogCapture logs = LogCapture.start(Level.INFO)) {
      TestServers.start(dataDir).close();
      infos = infoMessages(logs.events());
    }

    List<String> configurationLines =
        infos.stream()
            .filter(line -> line.contains("webhooks.http.port=0"))
            .collect(Collectors.toList());
    assertThat(configurationLines).hasSize(1);
    assertThat(configurationLines.get(0)).contains("webhooks.delivery.poll-interval=50ms");
  }

  private static List<String> infoMessages(List<ILoggingEvent> events) {
    return events.stream()
        .filter(event -> event.getLevel() == Level.INFO)
        .map(ILoggingEvent::getFormattedMessage)
        .collect(Collectors.toList());
  }
}
