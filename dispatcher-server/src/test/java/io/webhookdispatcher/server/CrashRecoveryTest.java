package io.webhookdispatcher.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a server process with SIGKILL while deliveries are pending and in flight, restarts it on
 * the same database, and checks that every published message reaches the receiver.
 */
class CrashRecoveryTest {
  private static final Pattern LISTENING = Pattern.compile("Listening on http://[^:]+:(\\d+)");
  private static final int MESSAGES = 40;

  @TempDir Path dataDirectory;

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient client = HttpClient.newHttpClient();
  private final List<Process> processes = new ArrayList<>();
  private final Set<String> acknowledgedIds = ConcurrentHashMap.newKeySet();
  private final AtomicInteger requestsSeen = new AtomicInteger();
  private final CountDownLatch receiverReleased = new CountDownLatch(1);
  private HttpServer receiver;
  private ExecutorService receiverThreads;

  @BeforeEach
  void startReceiver() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiverThreads = Executors.newFixedThreadPool(64);
    receiver.setExecutor(receiverThreads);
    receiver.createContext(
        "/hooks",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          requestsSeen.incrementAndGet();
          try {
            // Holds every request until the first server process is dead, so that some
            // deliveries are in flight when it is killed.
            receiverReleased.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          String id = exchange.getRequestHeaders().getFirst("webhook-id");
          try {
            exchange.sendResponseHeaders(200, -1);
            acknowledgedIds.add(id);
          } catch (IOException e) {
            // The sender died before the response; this attempt does not count as delivered.
          } finally {
            exchange.close();
          }
        });
    receiver.start();
  }

  @AfterEach
  void stopEverything() {
    receiverReleased.countDown();
    for (Process process : processes) {
      process.destroyForcibly();
    }
    receiver.stop(0);
    receiverThreads.shutdownNow();
  }

  @Test
  void killed_server_delivers_everything_after_restart() throws Exception {
    ServerProcess first = startServer();
    String endpointUrl = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks";
    post(first.port, "/webhook/endpoints", "{\"url\":\"" + endpointUrl + "\"}");
    Set<String> published = new HashSet<>();
    for (int i = 0; i < MESSAGES; i++) {
      published.add(publish(first.port, i));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> requestsSeen.get() > 0);

    first.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    receiverReleased.countDown();
    ServerProcess second = startServer();

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> acknowledgedIds.containsAll(published));
    assertThat(acknowledgedIds).containsAll(published);
    for (String id : published) {
      JsonNode attempts = get(second.port, "/webhook/messages/" + id + "/attempts").get("data");
      assertThat(attempts).isNotEmpty();
    }
  }

  private String publish(int port, int sequence) throws Exception {
    String body =
        "{\"event_type\":\"payment.created\",\"object_id\":\""
            + UUID.randomUUID()
            + "\",\"object_type\":\"Payment\",\"object\":{\"sequence\":"
            + sequence
            + ",\"amount\":\"10.00\"}}";
    return post(port, "/webhook/messages", body).get("id").asText();
  }

  private JsonNode post(int port, String path, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
    return json.readTree(response.body());
  }

  private JsonNode get(int port, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json.readTree(response.body());
  }

  private record ServerProcess(Process process, int port) {}

  private ServerProcess startServer() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        List.of(
            java.toString(),
            "-cp",
            System.getProperty("java.class.path"),
            "-Dwebhooks.http.port=0",
            "-Dwebhooks.jdbc.url=jdbc:h2:file:" + dataDirectory.resolve("webhooks"),
            "-Dwebhooks.delivery.allow-private-addresses=true",
            "-Dwebhooks.delivery.timeout=2s",
            "-Dwebhooks.delivery.lease=4s",
            "-Dwebhooks.delivery.retry-schedule=500ms,500ms,1s,1s,2s,2s,5s,5s",
            "io.webhookdispatcher.server.DispatcherServer");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    processes.add(process);

    BufferedReader output =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CountDownLatch started = new CountDownLatch(1);
    AtomicInteger port = new AtomicInteger();
    Thread reader =
        new Thread(
            () -> {
              try {
                for (String line = output.readLine(); line != null; line = output.readLine()) {
                  Matcher matcher = LISTENING.matcher(line);
                  if (matcher.find()) {
                    port.set(Integer.parseInt(matcher.group(1)));
                    started.countDown();
                  }
                }
              } catch (IOException e) {
                // The process ended; its output is closed.
              }
            });
    reader.setDaemon(true);
    reader.start();

    assertThat(started.await(30, TimeUnit.SECONDS)).as("server printed its port").isTrue();
    return new ServerProcess(process, port.get());
  }
}
