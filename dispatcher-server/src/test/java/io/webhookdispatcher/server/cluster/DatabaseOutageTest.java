package io.webhookdispatcher.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two server processes reach PostgreSQL through a TCP proxy that the test cuts for 15 seconds while
 * clients keep publishing. Publishes during the outage must fail with a 503 that names the database
 * within 10 seconds, each node must warn once, and every acknowledged message must arrive once the
 * database is back, without restarting anything. The nodes keep the server's default connection
 * timeout, so the test also checks that the default fails a publish in time.
 */
class DatabaseOutageTest {
  private static final int NODES = 2;
  private static final int PUBLISHER_THREADS = 4;
  private static final Duration PUBLISH_PAUSE = Duration.ofMillis(20);
  private static final Duration OUTAGE = Duration.ofSeconds(15);
  private static final Duration MAX_FAILURE_TIME = Duration.ofSeconds(10);
  private static final String UNREACHABLE_WARNING = "Webhook store is unreachable";
  private static final String RESUMED_INFO = "Webhook store is reachable again";
  private static final String KEY_PREFIX = "database-outage";

  /** One publish request: when it started, how long it took and how it ended. */
  private record Outcome(
      int sequence,
      Instant startedAt,
      Duration elapsed,
      int status,
      String messageId,
      String error) {
    Instant endedAt() {
      return startedAt.plus(elapsed);
    }

    @Override
    public String toString() {
      return String.format(
          "publish %d after %d ms: %d %s", sequence, elapsed.toMillis(), status, error);
    }
  }

  private final PublishingClient client = new PublishingClient(Duration.ofSeconds(45));
  private final List<ServerNode> nodes = new ArrayList<>();
  private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean publishing = new AtomicBoolean(true);
  private TestPostgres postgres;
  private TcpProxy proxy;
  private CountingReceiver receiver;
  private ExecutorService publishers;

  @BeforeEach
  void startNodesBehindProxy() throws Exception {
    postgres = TestPostgres.create();
    if (!InetAddress.getByName(postgres.host()).isLoopbackAddress()) {
      throw new IllegalStateException(
          "The outage test proxies only to a PostgreSQL server on loopback, but "
              + TestPostgres.URL_VARIABLE
              + " names host "
              + postgres.host()
              + ": unset it or point it at 127.0.0.1");
    }
    proxy = TcpProxy.start(postgres.port());
    receiver = CountingReceiver.start();
    String jdbcUrl = postgres.jdbcUrlAt("127.0.0.1", proxy.port());
    for (int i = 1; i <= NODES; i++) {
      String name = "outage-node-" + i;
      nodes.add(ServerNode.launch(name, ServerNode.settings(name, jdbcUrl, postgres.user())));
    }
    for (ServerNode node : nodes) {
      node.awaitListening(Duration.ofSeconds(60));
    }
  }

  @AfterEach
  void stopEverything() throws Exception {
    publishing.set(false);
    if (publishers != null) {
      publishers.shutdownNow();
      publishers.awaitTermination(60, TimeUnit.SECONDS);
    }
    for (ServerNode node : nodes) {
      node.close();
    }
    if (receiver != null) {
      receiver.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void outage_fails_publishes_fast_and_heals() throws Exception {
    client.createEndpoint(nodes.get(0).port(), receiver.url("/hooks"));
    List<Future<?>> running = publishInBackground();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> acknowledgedIds().size() >= 100 && receiver.distinctIds() >= 50);

    Instant cutAt = Instant.now();
    proxy.cut();
    // Holds the outage for its whole length; nothing is awaited here.
    Thread.sleep(OUTAGE.toMillis());
    proxy.restore();
    Instant restoredAt = Instant.now();
    await().atMost(Duration.ofSeconds(60)).until(() -> acknowledgedAfter(restoredAt) >= 100);
    publishing.set(false);
    for (Future<?> task : running) {
      task.get(60, TimeUnit.SECONDS);
    }
    Set<String> acknowledged = acknowledgedIds();
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> receiver.receivedAll(acknowledged));

    List<Outcome> afterCut = startedAfter(cutAt);
    List<Outcome> failedInOutage =
        afterCut.stream().filter(o -> o.endedAt().isBefore(restoredAt)).toList();
    printSummary(afterCut, failedInOutage, acknowledged);
    assertThat(receiver.missing(acknowledged)).as("acknowledged messages never received").isEmpty();
    assertThat(failedInOutage).as("publishes that ended during the outage").hasSizeGreaterThan(4);
    assertThat(failedInOutage.stream().filter(o -> o.status() != 503))
        .as("publishes that ended during the outage with a status other than 503")
        .isEmpty();
    assertThat(failedInOutage.stream().filter(o -> !o.error().contains("database")))
        .as("503 errors that do not name the database")
        .isEmpty();
    assertThat(afterCut.stream().filter(o -> o.status() != 202 && o.status() != 503))
        .as("publishes after the cut that ended other than with 202 or 503")
        .isEmpty();
    assertThat(afterCut.stream().filter(o -> o.elapsed().compareTo(MAX_FAILURE_TIME) >= 0))
        .as("publishes after the cut that took %s or longer", MAX_FAILURE_TIME)
        .isEmpty();
    for (ServerNode node : nodes) {
      assertThat(node.countLines(UNREACHABLE_WARNING))
          .as("'%s' warnings of %s", UNREACHABLE_WARNING, node.name())
          .isEqualTo(1);
      assertThat(node.countLines(RESUMED_INFO))
          .as("'%s' lines of %s", RESUMED_INFO, node.name())
          .isEqualTo(1);
    }
  }

  /** Publishes from several threads to the nodes in turn, with a pause between requests. */
  private List<Future<?>> publishInBackground() {
    publishers = Executors.newFixedThreadPool(PUBLISHER_THREADS);
    AtomicInteger next = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < PUBLISHER_THREADS; t++) {
      futures.add(
          publishers.submit(
              () -> {
                while (publishing.get()) {
                  int sequence = next.getAndIncrement();
                  outcomes.add(publish(nodes.get(sequence % NODES), sequence));
                  // Paces the load; nothing is awaited here.
                  Thread.sleep(PUBLISH_PAUSE.toMillis());
                }
                return null;
              }));
    }
    return futures;
  }

  private Outcome publish(ServerNode node, int sequence) throws InterruptedException {
    Instant startedAt = Instant.now();
    try {
      PublishingClient.Reply reply = client.publish(node.port(), KEY_PREFIX, sequence);
      return new Outcome(
          sequence, startedAt, reply.elapsed(), reply.status(), reply.messageId(), reply.error());
    } catch (IOException e) {
      Duration elapsed = Duration.between(startedAt, Instant.now());
      return new Outcome(sequence, startedAt, elapsed, -1, null, e.toString());
    }
  }

  private Set<String> acknowledgedIds() {
    return outcomes.stream()
        .filter(o -> o.status() == 202)
        .map(Outcome::messageId)
        .collect(Collectors.toSet());
  }

  private long acknowledgedAfter(Instant instant) {
    return outcomes.stream()
        .filter(o -> o.status() == 202 && o.startedAt().isAfter(instant))
        .count();
  }

  private List<Outcome> startedAfter(Instant instant) {
    return outcomes.stream().filter(o -> !o.startedAt().isBefore(instant)).toList();
  }

  private void printSummary(
      List<Outcome> afterCut, List<Outcome> failedInOutage, Set<String> acknowledged) {
    long slowest = failedInOutage.stream().mapToLong(o -> o.elapsed().toMillis()).max().orElse(0);
    System.out.printf(
        "DatabaseOutageTest: %d publishes, %d acknowledged, %d received, %d duplicates;"
            + " %d ended during the outage, slowest %d ms; %d started after the cut%n",
        outcomes.size(),
        acknowledged.size(),
        receiver.distinctIds(),
        receiver.duplicates(),
        failedInOutage.size(),
        slowest,
        afterCut.size());
    for (ServerNode node : nodes) {
      System.out.printf(
          "DatabaseOutageTest: %s logged %d '%s' warnings, %d '%s' lines and %d WARN lines%n",
          node.name(),
          node.countLines(UNREACHABLE_WARNING),
          UNREACHABLE_WARNING,
          node.countLines(RESUMED_INFO),
          RESUMED_INFO,
          node.countLines(" WARN "));
    }
  }
}
