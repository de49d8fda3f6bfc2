package io.webhookdispatcher.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Drains a backlog of {@value #DELIVERIES} due deliveries in a JVM whose heap is capped at 512 MB,
 * to show that memory does not grow with the backlog. The score is deliveries per second over the
 * whole drain, and the secondary result {@code peakHeapMegabytes} is the highest heap use that the
 * JVM's memory pools saw, benchmark harness and receiver included.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class LargeBacklogBenchmark {
  static final int ENDPOINTS = DispatchBenchmark.ENDPOINTS;
  static final int MESSAGES = 62_500;
  static final int DELIVERIES = MESSAGES * ENDPOINTS;

  @Param({"postgresql"})
  public String database;

  private ScratchDatabases databases;
  private NettyReceiver receiver;
  private DispatchBenchmark.Drain drain;

  /** The peak heap use, in megabytes. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Heap {
    public double peakHeapMegabytes;
  }

  @Setup(Level.Iteration)
  public void fillOutbox() throws Exception {
    databases = new ScratchDatabases(System.getenv("WEBHOOKS_BENCH_POSTGRES_URL"));
    receiver = NettyReceiver.start(1);
    drain = DispatchBenchmark.Drain.prepare(databases, database, receiver, MESSAGES, ENDPOINTS, 0);
    System.gc();
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
  }

  /** Starts a node on the filled outbox and returns once it has delivered and recorded all. */
  @Benchmark
  @OperationsPerInvocation(DELIVERIES)
  public long drainMillion(Heap heap) throws Exception {
    long received = drain.run(Duration.ofMinutes(30));
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    heap.peakHeapMegabytes = peak / (1024.0 * 1024.0);
    return received;
  }

  @TearDown(Level.Iteration)
  public void dropDatabase() throws Exception {
    drain.close();
    receiver.close();
    databases.close();
  }
}
