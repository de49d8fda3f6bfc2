package io.webhookdispatcher.benchmarks;

import io.webhookdispatcher.Message;
import io.webhookdispatcher.PublishedMessage;
import io.webhookdispatcher.WebhookDispatcher;
import io.webhookdispatcher.jdbc.JdbcWebhookStore;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Publish-to-receipt latency at a steady rate: publisher threads publish {@code rate} messages per
 * second, each in a transaction of its own, to {@code endpoints} endpoints on a local Netty
 * receiver, for {@value #RUN_SECONDS} seconds per iteration, while one started node delivers them.
 * A delivery's latency runs from the call to {@code publish} to the receipt of its request, so it
 * includes the publish's own commit. The secondary results {@code p50Millis}, {@code p99Millis},
 * {@code p999Millis} and {@code maxMillis} are the percentiles of one iteration, {@code
 * publishedPerSecond} is the rate the publishers reached, and {@code receivedPercent} is the share of
 * deliveries that arrived.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 2, time = 1)
@Fork(1)
public class LatencyBenchmark {
  static final int RUN_SECONDS = 20;
  private static final int PUBLISHERS = 8;
  private static final int DRAIN_SECONDS = 30;

  @Param({"postgresql"})
  public String database;

  @Param({"500", "2000"})
  public int rate;

  @Param({"1"})
  public int endpoints;

  private ScratchDatabases databases;
  private ScratchDatabases.ScratchDatabase scratch;
  private NettyReceiver receiver;
  private JdbcWebhookStore store;
  private WebhookDispatcher dispatcher;
  private final Map<String, Timing> timings = new ConcurrentHashMap<>();
  private final Recorder latencies = new Recorder(3);

  /** The latency percentiles of one iteration, in milliseconds. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Percentiles {
    public double p50Millis;
    public double p99Millis;
    public double p999Millis;
    public double maxMillis;
    public double publishedPerSecond;
    public double receivedPercent;
  }

  /** When a message was published, and the receipts of its requests that came before that. */
  private final class Timing {
    private long publishedNanos = -1;
    private final List<Long> earlyReceipts = new ArrayList<>(1);

    synchronized void published(long nanos) {
      publishedNanos = nanos;
      for (long received : earlyReceipts) {
        record(received);
      }
      earlyReceipts.clear();
    }

    synchronized void received(long nanos) {
      if (publishedNanos < 0) {
        earlyReceipts.add(nanos);
      } else {
        record(nanos);
      }
    }

    private void record(long receivedNanos) {
      latencies.recordValue(Math.max(0, (receivedNanos - publishedNanos) / 1_000));
    }
  }

  @Setup(Level.Trial)
  public void startNode() throws Exception {
    databases = new ScratchDatabases(System.getenv("WEBHOOKS_BENCH_POSTGRES_URL"));
    scratch = databases.create(database);
    receiver = NettyReceiver.start(1);
    receiver.listener(
        (webhookId, receivedNanos) ->
            timings.computeIfAbsent(webhookId, id -> new Timing()).received(receivedNanos));
    store = JdbcWebhookStore.builder().jdbcUrl(scratch.jdbcUrl()).build();
    dispatcher = WebhookDispatcher.builder().store(store).allowPrivateAddresses(true).build();
    for (int i = 1; i <= endpoints; i++) {
      dispatcher.createEndpoint(receiver.url("/merchant-" + i), "benchmark endpoint " + i);
    }
    dispatcher.start();
  }

  /** Publishes at the steady rate for the run time and reports the latencies of the run. */
  @Benchmark
  public void publishAtSteadyRate(Percentiles percentiles) throws Exception {
    latencies.reset();
    timings.clear();
    long total = (long) rate * RUN_SECONDS;
    long start = System.nanoTime() + 10_000_000L;

    publishOnSchedule(start, total);
    double publishSeconds = (System.nanoTime() - start) / 1e9;
    long expected = total * endpoints;
    long received = awaitReceipts(expected);

    Histogram histogram = latencies.getIntervalHistogram();
    percentiles.p50Millis = histogram.getValueAtPercentile(50) / 1000.0;
    percentiles.p99Millis = histogram.getValueAtPercentile(99) / 1000.0;
    percentiles.p999Millis = histogram.getValueAtPercentile(99.9) / 1000.0;
    percentiles.maxMillis = histogram.getMaxValue() / 1000.0;
    percentiles.publishedPerSecond = total / publishSeconds;
    percentiles.receivedPercent = 100.0 * received / expected;
  }

  /**
   * Publishes {@code total} messages, message {@code i} at {@code start + i / rate}, or at once
   * when the publishers are behind, and notes when each publish began.
   */
  private void publishOnSchedule(long start, long total) throws Exception {
    long intervalNanos = 1_000_000_000L / rate;
    AtomicLong next = new AtomicLong();
    ExecutorService publishers = Executors.newFixedThreadPool(PUBLISHERS);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int p = 0; p < PUBLISHERS; p++) {
        running.add(
            publishers.submit(
                () -> {
                  for (long i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                    long wait = start + i * intervalNanos - System.nanoTime();
                    if (wait > 0) {
                      LockSupport.parkNanos(wait);
                    }
                    long publishedNanos = System.nanoTime();
                    PublishedMessage published = dispatcher.publish(payment());
                    timings
                        .computeIfAbsent(published.id().toString(), id -> new Timing())
                        .published(publishedNanos);
                  }
                  return null;
                }));
      }
      for (Future<?> publisher : running) {
        publisher.get(RUN_SECONDS * 5L, TimeUnit.SECONDS);
      }
    } finally {
      publishers.shutdownNow();
    }
  }

  /**
   * Waits until every delivery has arrived, for at most {@value #DRAIN_SECONDS} seconds after the
   * last publish, and returns how many arrived. The percentiles then cover only those, so a node
   * that falls behind the rate shows in {@code receivedPercent}.
   */
  private long awaitReceipts(long expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
    while (receiver.requests() < expected && System.nanoTime() - deadline < 0) {
      TimeUnit.MILLISECONDS.sleep(5);
    }
    long received = Math.min(receiver.requests(), expected);
    receiver.reset();
    return received;
  }

  private static Message payment() {
    Map<String, Object> payment = new LinkedHashMap<>();
    payment.put("amount", new BigDecimal("1999.90"));
    payment.put("currency", "INR");
    payment.put("status", "captured");
    payment.put("note", "x".repeat(800));
    return Message.of("payment.created", UUID.randomUUID(), "payment", payment);
  }

  @TearDown(Level.Trial)
  public void stopNode() throws Exception {
    dispatcher.close();
    store.close();
    receiver.close();
    scratch.close();
    databases.close();
  }
}
