package io.webhookdispatcher.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.webhookdispatcher.Message;
import io.webhookdispatcher.PublishedMessage;
import io.webhookdispatcher.WebhookDispatcher;
import io.webhookdispatcher.jdbc.JdbcWebhookStore;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
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
 * Publishes per second into the outbox, with four endpoints, on an H2 file and on PostgreSQL: one
 * message per transaction of the dispatcher's own, and fifty messages in one host transaction.
 * Nothing is delivered. PostgreSQL is the server that {@code WEBHOOKS_BENCH_POSTGRES_URL} names
 * (with its own durability settings), else an embedded one with fsync and synchronous_commit off.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class PublishBenchmark {
  private static final int ENDPOINTS = 4;
  private static final int BATCH = 50;

  @Param({"h2", "postgresql"})
  public String database;

  private ScratchDatabases databases;
  private ScratchDatabases.ScratchDatabase scratch;
  private HikariDataSource hostPool;
  private JdbcWebhookStore store;
  private WebhookDispatcher dispatcher;
  private Message message;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    databases = new ScratchDatabases(System.getenv("WEBHOOKS_BENCH_POSTGRES_URL"));
    scratch = databases.create(database);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(scratch.jdbcUrl());
    config.setMaximumPoolSize(8);
    hostPool = new HikariDataSource(config);
    store = JdbcWebhookStore.builder().dataSource(hostPool).build();
    dispatcher = WebhookDispatcher.builder().store(store).build();
    for (int i = 0; i < ENDPOINTS; i++) {
      dispatcher.createEndpoint("https://merchant-" + i + ".example/webhooks", null);
    }
    Map<String, Object> payment = new LinkedHashMap<>();
    payment.put("amount", new BigDecimal("1999.90"));
    payment.put("currency", "INR");
    payment.put("status", "captured");
    payment.put("note", "x".repeat(800));
    message = Message.of("payment.created", UUID.randomUUID(), "payment", payment);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    dispatcher.close();
    store.close();
    hostPool.close();
    scratch.close();
    databases.close();
  }

  /** Publishes one message in a transaction of the dispatcher's own. */
  @Benchmark
  public PublishedMessage publishOne() {
    return dispatcher.publish(message);
  }

  /** Publishes fifty messages in one host transaction; the score counts messages. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int publishBatchInHostTransaction() throws SQLException {
    try (Connection connection = hostPool.getConnection()) {
      connection.setAutoCommit(false);
      for (int i = 0; i < BATCH; i++) {
        dispatcher.publish(message, connection);
      }
      connection.commit();
      return BATCH;
    }
  }
}
