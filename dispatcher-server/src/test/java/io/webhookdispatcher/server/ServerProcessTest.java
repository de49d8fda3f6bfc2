package io.webhookdispatcher.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server as a separate JVM, started through {@code main} and stopped with SIGTERM. */
class ServerProcessTest {
  private static final Pattern LISTENING =
      Pattern.compile("Listening on http://127\\.0\\.0\\.1:(\\d+)");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final String STOPPED = "Stopped webhook dispatcher server";

  @TempDir Path dataDir;

  private Process process;
  private final List<String> output = new CopyOnWriteArrayList<>();

  @AfterEach
  void killProcess() {
    if (process != null) {
      process.destroyForcibly();
    }
  }

  @Test
  void sigterm_closes_server() throws Exception {
    process = startServer();
    await().atMost(START_TIMEOUT).until(() -> port() > 0);
    int healthStatus = new ApiClient(port()).get("/health").status();

    // Signals through the handle, because Process.destroy() also closes the output pipe.
    boolean signalled = process.toHandle().destroy();

    assertThat(healthStatus).isEqualTo(200);
    assertThat(signalled).isTrue();
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> output.stream().anyMatch(line -> line.contains(STOPPED)));
  }

  private Process startServer() throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        List.of(
            java.toString(),
            "-cp",
            System.getProperty("java.class.path"),
            "-Dwebhooks.http.port=0",
            "-Dwebhooks.jdbc.url=jdbc:h2:file:" + dataDir.resolve("webhooks"),
            DispatcherServer.class.getName());
    Process started = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread reader = new Thread(() -> collect(started), "server-process-output");
    reader.setDaemon(true);
    reader.start();
    return started;
  }

  private void collect(Process started) {
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        output.add(line);
      }
    } catch (IOException e) {
      // The process ended and closed its output.
    }
  }

  private int port() {
    for (String line : output) {
      Matcher matcher = LISTENING.matcher(line);
      if (matcher.find()) {
        return Integer.parseInt(matcher.group(1));
      }
    }
    return 0;
  }
}
