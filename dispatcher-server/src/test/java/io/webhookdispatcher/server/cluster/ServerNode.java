package io.webhookdispatcher.server.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A dispatcher server in a child JVM started from the test classpath, so it logs through the test's
 * logback configuration. Its output is kept line by line for the test to read.
 */
final class ServerNode implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("Listening on http://[^:]+:(\\d+)");

  /** Folder of one log file per node, kept after the test for reading a failure. */
  private static final Path LOG_DIRECTORY = Path.of("target", "cluster-logs");

  private static final Pattern NODE_ID = Pattern.compile("Started webhook delivery on node (\\S+)");

  private final String name;
  private final Process process;
  private final Path logFile;
  private final List<String> output = new ArrayList<>();
  private final CountDownLatch listening = new CountDownLatch(1);
  private volatile int port;
  private volatile String nodeId;

  private ServerNode(String name, Process process, Path logFile) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
    Thread reader = new Thread(this::readOutput, "output-of-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Returns the settings that every cluster test shares, which the caller may change. They set an
   * ephemeral port, the database, the node id and loopback endpoints. A 2 s delivery timeout with a
   * 5 s lease lets a dead node's leases expire soon, and retry delays and polls are short.
   */
  static Map<String, String> settings(String name, String jdbcUrl, String user) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("webhooks.http.port", "0");
    settings.put("webhooks.jdbc.url", jdbcUrl);
    settings.put("webhooks.jdbc.username", user);
    settings.put("webhooks.node-id", name);
    settings.put("webhooks.delivery.allow-private-addresses", "true");
    settings.put("webhooks.delivery.timeout", "2s");
    settings.put("webhooks.delivery.lease", "5s");
    settings.put("webhooks.delivery.retry-schedule", "500ms,500ms,1s,1s,2s,2s,5s,5s");
    settings.put("webhooks.delivery.poll-interval", "100ms");
    return settings;
  }

  /**
   * Starts {@code DispatcherServer} in a new JVM with each setting as a system property, and
   * returns at once; call {@link #awaitListening} before using it.
   */
  static ServerNode launch(String name, Map<String, String> settings) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.add("-Xmx256m");
    command.add("-XX:+UseSerialGC");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.add("io.webhookdispatcher.server.DispatcherServer");
    try {
      Files.createDirectories(LOG_DIRECTORY);
      Path logFile = LOG_DIRECTORY.resolve(name + ".log");
      Files.deleteIfExists(logFile);
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      return new ServerNode(name, process, logFile);
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to start server process " + name, e);
    }
  }

  /**
   * Waits until the server logs its port.
   *
   * @throws AssertionError with the process output when it exits or stays silent until the timeout
   */
  ServerNode awaitListening(Duration timeout) throws InterruptedException {
    if (!listening.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(
          name + " did not log its port within " + timeout + "; output:\n" + outputText());
    }
    return this;
  }

  private void readOutput() {
    try (BufferedReader lines =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Writer log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8)) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        synchronized (output) {
          output.add(line);
        }
        log.write(line);
        log.write(System.lineSeparator());
        log.flush();
        Matcher id = NODE_ID.matcher(line);
        if (id.find()) {
          nodeId = id.group(1);
        }
        Matcher address = LISTENING.matcher(line);
        if (address.find()) {
          port = Integer.parseInt(address.group(1));
          listening.countDown();
        }
      }
    } catch (IOException e) {
      // The process ended and closed its output.
    }
  }

  /** Returns the name that the test gave this node. */
  String name() {
    return name;
  }

  /** Returns the port of the HTTP API. */
  int port() {
    return port;
  }

  /** Returns the node id that the dispatcher logged at start, which it writes into its leases. */
  String nodeId() {
    return nodeId;
  }

  /** Returns the process id. */
  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Returns how many output lines contain the text. */
  long countLines(String text) {
    synchronized (output) {
      return output.stream().filter(line -> line.contains(text)).count();
    }
  }

  /** Returns the output so far, one line per line. */
  String outputText() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  /** Kills the process with SIGKILL, as a crash would, and waits until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new AssertionError(name + " (pid " + pid() + ") still runs 10 s after SIGKILL");
    }
  }

  /** Kills the process if it still runs. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
