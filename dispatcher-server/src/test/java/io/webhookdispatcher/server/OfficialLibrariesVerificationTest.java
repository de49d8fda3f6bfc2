package io.webhookdispatcher.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks delivered webhooks with the official Svix and Standard Webhooks libraries for Node.js,
 * installed into {@code tools/svix-verify} by the build.
 */
class OfficialLibrariesVerificationTest {
  private static final Path VERIFIER = Path.of("..", "tools", "svix-verify");

  @TempDir Path dataDir;

  @Test
  void official_libraries_accept_every_delivery() throws Exception {
    assertThat(VERIFIER.resolve("node_modules").resolve("svix"))
        .as("the build installs the official libraries with npm ci in tools/svix-verify")
        .isDirectory();
    try (Receiver receiver = Receiver.start();
        DispatcherServer server = TestServers.start(dataDir)) {
      ApiClient api = new ApiClient(server.port());
      String secret =
          api.post("/webhook/endpoints", "{\"url\":\"" + receiver.url("/hooks") + "\"}")
              .json()
              .get("secret")
              .asText();
      for (String message : ReferenceMessages.ALL) {
        assertThat(api.post("/webhook/messages", message).status()).isEqualTo(202);
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> receiver.received().size() == ReferenceMessages.ALL.size());

      JsonNode verdicts = verifyWithNode(secret, receiver.received());

      assertThat(verdicts).hasSize(ReferenceMessages.ALL.size());
      for (JsonNode verdict : verdicts) {
        assertThat(verdict.get("svix").asText()).isEqualTo("ok");
        assertThat(verdict.get("standard").asText()).isEqualTo("ok");
      }
    }
  }

  @Test
  void official_libraries_reject_changed_body() throws Exception {
    try (Receiver receiver = Receiver.start();
        DispatcherServer server = TestServers.start(dataDir)) {
      ApiClient api = new ApiClient(server.port());
      String secret =
          api.post("/webhook/endpoints", "{\"url\":\"" + receiver.url("/hooks") + "\"}")
              .json()
              .get("secret")
              .asText();
      api.post("/webhook/messages", ReferenceMessages.ALL.get(0));
      await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 1);
      Receiver.Received original = receiver.received().get(0);
      byte[] changed = original.bodyText().replace("1999.90", "1.00").getBytes(StandardCharsets.UTF_8);

      JsonNode verdicts =
          verifyWithNode(secret, List.of(new Receiver.Received(original.headers(), changed)));

      assertThat(verdicts.get(0).get("svix").asText()).isNotEqualTo("ok");
      assertThat(verdicts.get(0).get("standard").asText()).isNotEqualTo("ok");
    }
  }

  private static JsonNode verifyWithNode(String secret, List<Receiver.Received> requests)
      throws IOException, InterruptedException {
    ArrayNode input = ApiClient.MAPPER.createArrayNode();
    for (Receiver.Received request : requests) {
      ObjectNode entry = input.addObject();
      entry.put("secret", secret);
      ObjectNode headers = entry.putObject("headers");
      request.headers().forEach(headers::put);
      entry.put("body_base64", Base64.getEncoder().encodeToString(request.body()));
    }
    Process node =
        new ProcessBuilder("node", "verify.mjs")
            .directory(VERIFIER.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try (OutputStream stdin = node.getOutputStream()) {
      stdin.write(ApiClient.MAPPER.writeValueAsBytes(input));
    }
    byte[] output = node.getInputStream().readAllBytes();
    assertThat(node.waitFor(30, TimeUnit.SECONDS)).as("node finished").isTrue();
    assertThat(node.exitValue()).as("node exit code").isZero();
    return ApiClient.MAPPER.readTree(output);
  }
}
