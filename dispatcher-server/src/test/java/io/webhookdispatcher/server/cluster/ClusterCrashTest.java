package io.webhookdispatcher.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.webhookdispatcher.Message;
import io.webhookdispatcher.WebhookDispatcher;
import io.webhookdispatcher.jdbc.JdbcWebhookStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three server processes deliver from one PostgreSQL database while the test publishes into it from
 * several threads, faster than they deliver, so a backlog builds. Midway, the process with the most
 * deliveries in flight is killed with SIGKILL. Every message must still arrive, and the receiver
 * may see a message twice only when the killed process had leased it.
 */
class ClusterCrashTest {
  private static final int NODES = 3;
  private static final int MESSAGES = 20_000;
  private static final int KILL_AFTER_RECEIVED = 5_000;
  private static final int PUBLISHER_THREADS = 4;

  private static final String IN_FLIGHT_ON_NODE =
      "SELECT COUNT(*) FROM webhook_delivery"
          + " WHERE state = 'PENDING' AND lease_owner = ? AND lease_until > now()";

  private static final String LEASES_BY_NODE =
      "SELECT lease_owner FROM webhook_delivery"
          + " WHERE state = 'PENDING' AND lease_until > now()"
          + " GROUP BY lease_owner ORDER BY COUNT(*) DESC LIMIT 1";

  private final PublishingClient client = new PublishingClient(Duration.ofSeconds(10));
  private final List<ServerNode> nodes = new ArrayList<>();
  private final Set<String> published = ConcurrentHashMap.newKeySet();
  private TestPostgres postgres;
  private JdbcWebhookStore publisherStore;
  private WebhookDispatcher publisher;
  private CountingReceiver receiver;
  private ExecutorService publishers;

  @BeforeEach
  void startCluster() throws Exception {
    postgres = TestPostgres.create();
    receiver = CountingReceiver.start();
    for (int i = 1; i <= NODES; i++) {
      String name = "cluster-node-" + i;
      Map<String, String> settings = ServerNode.settings(name, postgres.jdbcUrl(), postgres.user());
      // Above the default of 16 for the whole cluster, so that each node has deliveries in flight
      // when one is killed.
      settings.put("webhooks.delivery.max-in-flight-per-endpoint", "64");
      nodes.add(ServerNode.launch(name, settings));
    }
    for (ServerNode node : nodes) {
      node.awaitListening(Duration.ofSeconds(60));
    }
    publisherStore = JdbcWebhookStore.builder().jdbcUrl(postgres.jdbcUrl()).build();
    publisher = WebhookDispatcher.builder().store(publisherStore).build();
  }

  @AfterEach
  void stopCluster() throws Exception {
    if (publishers != null) {
      publishers.shutdownNow();
      publishers.awaitTermination(15, TimeUnit.SECONDS);
    }
    if (publisher != null) {
      publisher.close();
      publisherStore.close();
    }
    for (ServerNode node : nodes) {
      node.close();
    }
    if (receiver != null) {
      receiver.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void killed_node_loses_no_message() throws Exception {
    client.createEndpoint(nodes.get(0).port(), receiver.url("/hooks"));
    List<Future<?>> publishing = publishInBackground();

    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> receiver.distinctIds() >= KILL_AFTER_RECEIVED);
    ServerNode victim = busiestNode();
    long inFlight = killAndCountInFlight(victim);
    for (Future<?> task : publishing) {
      task.get(90, TimeUnit.SECONDS);
    }
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> receiver.receivedAll(published) && pendingDeliveries() == 0);
    long duplicates = receiver.duplicates();
    String counts =
        String.format(
            "requests %d, distinct ids %d, duplicates %d, in flight on %s (node id %s) when"
                + " killed: %d",
            receiver.requests(),
            receiver.distinctIds(),
            duplicates,
            victim.name(),
            victim.nodeId(),
            inFlight);
    System.out.println("ClusterCrashTest: " + counts);

    assertThat(published).as("published messages").hasSize(MESSAGES);
    assertThat(receiver.missing(published)).as("messages never received").isEmpty();
    assertThat(duplicates).as("duplicates; " + counts).isLessThanOrEqualTo(inFlight);
    assertThat(inFlight).as("deliveries in flight on the killed node; " + counts).isPositive();
    assertThat(messagesStored()).as("messages stored").isEqualTo(MESSAGES);
    assertThat(deliveriesNotDelivered()).as("deliveries not in state DELIVERED").isZero();
  }

  /**
   * Publishes every message from several threads through a dispatcher in the test JVM that never
   * delivers.
   */
  private List<Future<?>> publishInBackground() {
    publishers = Executors.newFixedThreadPool(PUBLISHER_THREADS);
    AtomicInteger next = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < PUBLISHER_THREADS; t++) {
      futures.add(
          publishers.submit(
              () -> {
                for (int i = next.getAndIncrement(); i < MESSAGES; i = next.getAndIncrement()) {
                  Message message =
                      Message.of(
                          "payment.created", UUID.randomUUID(), "Payment", Map.of("sequence", i));
                  published.add(publisher.publish(message).id().toString());
                }
                return null;
              }));
    }
    return futures;
  }

  /**
   * Returns the node with the most live leases, so that the kill loses as many deliveries in flight
   * as it can. Returns the first node when no node has a live lease.
   */
  private ServerNode busiestNode() throws SQLException {
    try (Connection connection = postgres.connect();
        PreparedStatement query = connection.prepareStatement(LEASES_BY_NODE);
        ResultSet result = query.executeQuery()) {
      String busiest = result.next() ? result.getString(1) : null;
      return nodes.stream()
          .filter(node -> node.nodeId().equals(busiest))
          .findFirst()
          .orElse(nodes.get(0));
    }
  }

  /**
   * Kills the node and counts, at once, the deliveries that it still had under a live lease. Only
   * these may have reached the receiver without their result being recorded.
   */
  private long killAndCountInFlight(ServerNode victim) throws Exception {
    try (Connection connection = postgres.connect();
        PreparedStatement query = connection.prepareStatement(IN_FLIGHT_ON_NODE)) {
      query.setString(1, victim.nodeId());
      victim.kill();
      try (ResultSet result = query.executeQuery()) {
        result.next();
        return result.getLong(1);
      }
    }
  }

  private long pendingDeliveries() throws SQLException {
    return postgres.queryLong("SELECT COUNT(*) FROM webhook_delivery WHERE state = 'PENDING'");
  }

  private long messagesStored() throws SQLException {
    return postgres.queryLong("SELECT COUNT(*) FROM webhook_message");
  }

  private long deliveriesNotDelivered() throws SQLException {
    return postgres.queryLong("SELECT COUNT(*) FROM webhook_delivery WHERE state <> 'DELIVERED'");
  }
}
