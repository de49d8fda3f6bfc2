package io.webhookdispatcher.benchmarks;

import io.webhookdispatcher.WebhookDispatcher;
import io.webhookdispatcher.jdbc.JdbcWebhookStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * End-to-end delivery throughput: each iteration starts from an outbox holding {@value
 * #DELIVERIES} due deliveries ({@value #MESSAGES} messages to {@value #ENDPOINTS} endpoints on a
 * local Netty receiver) and times one dispatcher node, with the library's default settings, until
 * the receiver has every delivery and the outbox has recorded them all. The score is time per
 * delivery; deliveries per second is its inverse.
 *
 * <p>PostgreSQL is the server that {@code WEBHOOKS_BENCH_POSTGRES_URL} names, with its own
 * durability settings, else an embedded one with fsync and synchronous_commit off.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class DispatchBenchmark {
  static final int ENDPOINTS = 16;
  static final int MESSAGES = 6_250;
  static final int DELIVERIES = MESSAGES * ENDPOINTS;

  @Param({"h2", "postgresql"})
  public String database;

  /** Deliveries one claim may lease; the library's default unless a run sets it. */
  @Param({"0"})
  public int batchSize;

  private ScratchDatabases databases;
  private NettyReceiver receiver;
  private Drain drain;

  @Setup(Level.Trial)
  public void startReceiver() throws InterruptedException {
    databases = new ScratchDatabases(System.getenv("WEBHOOKS_BENCH_POSTGRES_URL"));
    receiver = NettyReceiver.start(1);
  }

  @Setup(Level.Iteration)
  public void fillOutbox() throws Exception {
    drain = Drain.prepare(databases, database, receiver, MESSAGES, ENDPOINTS, batchSize);
  }

  /** Starts a node on the filled outbox and returns once it has delivered and recorded all. */
  @Benchmark
  @OperationsPerInvocation(DELIVERIES)
  public long drainBacklog() throws Exception {
    return drain.run(Duration.ofMinutes(10));
  }

  @TearDown(Level.Iteration)
  public void dropDatabase() {
    drain.close();
  }

  @TearDown(Level.Trial)
  public void stopReceiver() throws Exception {
    receiver.close();
    databases.close();
  }

  /** One node draining a prefilled outbox into the receiver. */
  static final class Drain implements AutoCloseable {
    private final ScratchDatabases.ScratchDatabase scratch;
    private final JdbcWebhookStore store;
    private final WebhookDispatcher dispatcher;
    private final NettyReceiver receiver;
    private final long expected;

    private Drain(
        ScratchDatabases.ScratchDatabase scratch,
        JdbcWebhookStore store,
        WebhookDispatcher dispatcher,
        NettyReceiver receiver,
        long expected) {
      this.scratch = scratch;
      this.store = store;
      this.dispatcher = dispatcher;
      this.receiver = receiver;
      this.expected = expected;
    }

    static Drain prepare(
        ScratchDatabases databases,
        String database,
        NettyReceiver receiver,
        int messages,
        int endpoints,
        int batchSize)
        throws Exception {
      ScratchDatabases.ScratchDatabase scratch =
          databases.create(database);
      JdbcWebhookStore store = JdbcWebhookStore.builder().jdbcUrl(scratch.jdbcUrl()).build();
      WebhookDispatcher.Builder builder =
          WebhookDispatcher.builder().store(store).allowPrivateAddresses(true);
      if (batchSize > 0) {
        builder.batchSize(batchSize);
      }
      WebhookDispatcher dispatcher = builder.build();
      for (int i = 1; i <= endpoints; i++) {
        dispatcher.createEndpoint(receiver.url("/merchant-" + i), "benchmark endpoint " + i);
      }
      try (Connection connection = DriverManager.getConnection(scratch.jdbcUrl())) {
        Backlog.fill(connection, messages);
      }
      receiver.reset();
      return new Drain(scratch, store, dispatcher, receiver, (long) messages * endpoints);
    }

    /** Returns the number of requests the receiver got, duplicates included. */
    long run(Duration timeout) throws Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      dispatcher.start();
      while (receiver.requests() < expected) {
        checkDeadline(deadline);
        TimeUnit.MICROSECONDS.sleep(200);
      }
      while (dispatcher.pendingDeliveries() > 0) {
        checkDeadline(deadline);
        TimeUnit.MILLISECONDS.sleep(5);
      }
      return receiver.requests();
    }

    private void checkDeadline(long deadline) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            "The outbox did not drain in time: "
                + receiver.requests()
                + " of "
                + expected
                + " deliveries received");
      }
    }

    @Override
    public void close() {
      dispatcher.close();
      store.close();
      scratch.close();
    }
  }
}
