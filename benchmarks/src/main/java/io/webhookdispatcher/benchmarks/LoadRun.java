package io.webhookdispatcher.benchmarks;

import io.webhookdispatcher.Message;
import io.webhookdispatcher.WebhookDispatcher;
import io.webhookdispatcher.jdbc.JdbcWebhookStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures end-to-end delivery throughput: publishes messages into an empty outbox, starts the
 * dispatcher nodes and times them until the outbox drains into a local receiver. It runs H2 with
 * one node, and PostgreSQL with one and with three nodes, and prints a table.
 *
 * <p>Nodes are {@link WebhookDispatcher} instances in this JVM, each on its own {@link
 * JdbcWebhookStore} with its own connection pool, with the library's default delivery settings. Run
 * it with {@code java -jar benchmarks/target/load-run.jar --help}.
 */
public final class LoadRun {
  static final int DEFAULT_MESSAGES = 20_000;
  static final int DEFAULT_ENDPOINTS = 4;
  static final int DEFAULT_PUBLISH_THREADS = 4;

  /** Messages of the unreported warm-up run on H2 that lets the JIT compile the hot paths. */
  static final int WARM_UP_MESSAGES = 2_000;

  /** Maximum wait for one run to drain; a run that takes longer is reported as timed out. */
  static final Duration MAX_DRAIN_TIME = Duration.ofMinutes(10);

  private static final Duration DRAIN_POLL_INTERVAL = Duration.ofMillis(20);

  private static final String USAGE =
      """
      Usage: java -jar benchmarks/target/load-run.jar [options]

      Publishes messages into an empty outbox, starts the dispatcher nodes and measures
      deliveries per second until the outbox drains, for H2 (1 node) and PostgreSQL
      (1 and 3 nodes). Nodes are in-process dispatchers, each with its own pool.

      Options:
        --messages N        Messages per run; each goes to every endpoint. Default: 20000.
        --endpoints N       Endpoints on the local receiver. Default: 4.
        --publish-threads N Threads that publish before the nodes start. Default: 4.
        --postgres-url URL  PostgreSQL server on which the run creates and drops its own
                            databases, such as jdbc:postgresql://127.0.0.1:5432/test?user=postgres.
                            Default: an embedded PostgreSQL server.
        --help              Prints this help and exits.
      """;

  private LoadRun() {}

  /** The command-line options. */
  record Options(int messages, int endpoints, int publishThreads, String postgresUrl) {
    static Options parse(String[] args) {
      int messages = DEFAULT_MESSAGES;
      int endpoints = DEFAULT_ENDPOINTS;
      int publishThreads = DEFAULT_PUBLISH_THREADS;
      String postgresUrl = null;
      for (int i = 0; i < args.length; i++) {
        String option = args[i];
        if (option.equals("--help")) {
          return null;
        }
        if (i + 1 == args.length) {
          throw new IllegalArgumentException(option + " needs a value: run with --help");
        }
        String value = args[++i];
        switch (option) {
          case "--messages" -> messages = positive(option, value);
          case "--endpoints" -> endpoints = positive(option, value);
          case "--publish-threads" -> publishThreads = positive(option, value);
          case "--postgres-url" -> postgresUrl = value;
          default ->
              throw new IllegalArgumentException(
                  "Unknown option '" + option + "': run with --help to list the options");
        }
      }
      return new Options(messages, endpoints, publishThreads, postgresUrl);
    }

    private static int positive(String option, String value) {
      try {
        int number = Integer.parseInt(value);
        if (number > 0) {
          return number;
        }
      } catch (NumberFormatException e) {
        // Reported below with the value.
      }
      throw new IllegalArgumentException(
          "Invalid value '" + value + "' for " + option + ": expected a whole number above 0");
    }
  }

  /** The measurements of one run, or the reason why it did not run. */
  record Result(
      String database,
      int nodes,
      int messages,
      long deliveries,
      double publishSeconds,
      double drainSeconds,
      long duplicates,
      String note) {
    static Result notApplicable(String database, int nodes, String reason) {
      return new Result(database, nodes, 0, 0, 0, 0, 0, reason);
    }

    String row() {
      if (deliveries == 0) {
        return String.format(
            "| %s | %d | n/a | n/a | n/a | n/a | n/a | n/a | %s |", database, nodes, note);
      }
      return String.format(
          "| %s | %d | %d | %d | %.0f | %.1f | %.0f | %d | %s |",
          database,
          nodes,
          messages,
          deliveries,
          messages / publishSeconds,
          drainSeconds,
          deliveries / drainSeconds,
          duplicates,
          note);
    }
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (options == null) {
      System.out.print(USAGE);
      return;
    }
    try (LoadReceiver receiver = LoadReceiver.start();
        ScratchDatabases databases = new ScratchDatabases(options.postgresUrl())) {
      printSetup(options, databases);
      List<Result> results = runAll(options, receiver, databases);
      printTable(results);
    }
  }

  private static List<Result> runAll(
      Options options, LoadReceiver receiver, ScratchDatabases databases) throws Exception {
    Options warmUp = new Options(WARM_UP_MESSAGES, options.endpoints(), 2, null);
    try (ScratchDatabases.ScratchDatabase h2 = databases.newH2()) {
      run("H2 warm-up", 1, h2, warmUp, receiver);
    }
    List<Result> results = new ArrayList<>();
    try (ScratchDatabases.ScratchDatabase h2 = databases.newH2()) {
      results.add(run("H2 file", 1, h2, options, receiver));
    }
    results.add(Result.notApplicable("H2 file", 3, "one process per H2 file, so one node only"));
    for (int nodes : new int[] {1, 3}) {
      try (ScratchDatabases.ScratchDatabase postgres = databases.newPostgres()) {
        results.add(run("PostgreSQL", nodes, postgres, options, receiver));
      }
    }
    return results;
  }

  private static Result run(
      String database,
      int nodeCount,
      ScratchDatabases.ScratchDatabase scratch,
      Options options,
      LoadReceiver receiver)
      throws Exception {
    receiver.reset();
    List<Node> nodes = new ArrayList<>();
    try {
      for (int i = 1; i <= nodeCount; i++) {
        nodes.add(Node.open(scratch.jdbcUrl(), "load-run-node-" + i));
      }
      WebhookDispatcher publisher = nodes.get(0).dispatcher();
      for (int i = 1; i <= options.endpoints(); i++) {
        publisher.createEndpoint(receiver.url("/endpoint-" + i), "load run endpoint " + i);
      }
      double publishSeconds = publishAll(publisher, options);
      long expected = (long) options.messages() * options.endpoints();

      long started = System.nanoTime();
      nodes.forEach(node -> node.dispatcher().start());
      boolean drained = awaitDrained(receiver, nodes.get(0).store(), expected);
      double drainSeconds = (System.nanoTime() - started) / 1e9;
      String note = drained ? "" : "timed out after " + MAX_DRAIN_TIME.toMinutes() + " min";
      Result result =
          new Result(
              database,
              nodeCount,
              options.messages(),
              receiver.distinctDeliveries(),
              publishSeconds,
              drainSeconds,
              receiver.requests() - receiver.distinctDeliveries(),
              note);
      System.out.println("done: " + result.row());
      return result;
    } finally {
      nodes.forEach(Node::close);
    }
  }

  /** Publishes the messages from several threads and returns the seconds it took. */
  private static double publishAll(WebhookDispatcher publisher, Options options) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(options.publishThreads());
    AtomicInteger next = new AtomicInteger();
    long started = System.nanoTime();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < options.publishThreads(); t++) {
        futures.add(
            threads.submit(
                () -> {
                  for (int i = next.getAndIncrement();
                      i < options.messages();
                      i = next.getAndIncrement()) {
                    publisher.publish(paymentCreated(i));
                  }
                  return null;
                }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } finally {
      threads.shutdownNow();
    }
    return (System.nanoTime() - started) / 1e9;
  }

  private static Message paymentCreated(int sequence) {
    Map<String, Object> payment =
        Map.of("sequence", sequence, "amount", "10.00", "currency", "EUR", "status", "captured");
    return Message.of("payment.created", UUID.randomUUID(), "Payment", payment);
  }

  /**
   * Waits until the receiver has every delivery and the store has no pending one. Returns {@code
   * false} when {@link #MAX_DRAIN_TIME} passes first.
   */
  private static boolean awaitDrained(LoadReceiver receiver, JdbcWebhookStore store, long expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + MAX_DRAIN_TIME.toNanos();
    while (System.nanoTime() < deadline) {
      if (receiver.distinctDeliveries() >= expected && store.pendingCount() == 0) {
        return true;
      }
      Thread.sleep(DRAIN_POLL_INTERVAL.toMillis());
    }
    return false;
  }

  private static void printSetup(Options options, ScratchDatabases databases) {
    Runtime runtime = Runtime.getRuntime();
    System.out.printf(
        "Load run: %d messages x %d endpoints per run, published by %d threads before the nodes"
            + " start%n",
        options.messages(), options.endpoints(), options.publishThreads());
    System.out.printf(
        "Machine: %d processors, Java %s, max heap %d MiB; PostgreSQL: %s%n",
        runtime.availableProcessors(),
        System.getProperty("java.version"),
        runtime.maxMemory() / (1024 * 1024),
        databases.describePostgres());
    System.out.println(
        "Nodes: in-process WebhookDispatcher instances, each with its own JdbcWebhookStore and"
            + " pool, default delivery settings; receiver: JDK HttpServer on 127.0.0.1");
  }

  private static void printTable(List<Result> results) {
    System.out.println();
    System.out.println(
        "| database | nodes | messages | deliveries | published msg/s | drain s | deliveries/s"
            + " | duplicates | note |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    results.forEach(result -> System.out.println(result.row()));
  }

  /** One dispatcher node: a store with its own pool and a dispatcher on it. */
  private record Node(JdbcWebhookStore store, WebhookDispatcher dispatcher) {
    static Node open(String jdbcUrl, String nodeId) {
      JdbcWebhookStore store = JdbcWebhookStore.builder().jdbcUrl(jdbcUrl).build();
      WebhookDispatcher dispatcher =
          WebhookDispatcher.builder()
              .store(store)
              .allowPrivateAddresses(true)
              .nodeId(nodeId)
              .build();
      return new Node(store, dispatcher);
    }

    void close() {
      dispatcher.close();
      store.close();
    }
  }
}
