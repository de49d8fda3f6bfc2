package io.webhookdispatcher.benchmarks;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.webhookdispatcher.WebhookSigner;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * The alternatives a Java team would build instead, draining the same kind of backlog into the
 * same receiver on the same PostgreSQL server as {@link DispatchBenchmark}: {@value #DELIVERIES}
 * deliveries of a 1 KiB payment message to {@value #ENDPOINTS} endpoints, each signed with the
 * endpoint's secret and sent with the JDK {@link HttpClient}, on {@value #WORKERS} worker threads.
 *
 * <ul>
 *   <li>{@code db-scheduler}: one db-scheduler one-time task per delivery, polled in
 *       lock-and-fetch mode, each task signing and posting its message.
 *   <li>{@code plain-outbox}: a table of deliveries, each worker claiming one row per transaction
 *       with {@code FOR UPDATE SKIP LOCKED}, posting it and marking it sent before the commit.
 * </ul>
 *
 * <p>The score is time per delivery. PostgreSQL is the server that {@code
 * WEBHOOKS_BENCH_POSTGRES_URL} names, else an embedded one with fsync and synchronous_commit off.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class PeerBenchmark {
  static final int ENDPOINTS = DispatchBenchmark.ENDPOINTS;
  static final int MESSAGES = 1_250;
  static final int DELIVERIES = MESSAGES * ENDPOINTS;
  static final int WORKERS = 16;

  private static final Duration MAX_DRAIN_TIME = Duration.ofMinutes(10);
  private static final String TASK_NAME = "send-webhook";

  @Param({"db-scheduler", "plain-outbox"})
  public String peer;

  private ScratchDatabases databases;
  private NettyReceiver receiver;
  private ScratchDatabases.ScratchDatabase scratch;
  private HikariDataSource pool;
  private HttpClient http;
  private List<Delivery> deliveries;

  /** One webhook to send: what the peer stores per delivery. */
  record Delivery(String url, String secret, String messageId, String body)
      implements Serializable {}

  @Setup(Level.Trial)
  public void startReceiver() throws InterruptedException {
    databases = new ScratchDatabases(System.getenv("WEBHOOKS_BENCH_POSTGRES_URL"));
    receiver = NettyReceiver.start(1);
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String body = new String(Backlog.paymentMessageBody(UUID.randomUUID()), StandardCharsets.UTF_8);
    deliveries = new ArrayList<>(DELIVERIES);
    List<String> secrets = new ArrayList<>();
    for (int i = 0; i < ENDPOINTS; i++) {
      secrets.add("whsec_" + java.util.Base64.getEncoder().encodeToString(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8)));
    }
    for (int m = 0; m < MESSAGES; m++) {
      String messageId = "msg_" + UUID.randomUUID();
      for (int e = 0; e < ENDPOINTS; e++) {
        deliveries.add(new Delivery(receiver.url("/merchant-" + (e + 1)), secrets.get(e), messageId, body));
      }
    }
  }

  @Setup(Level.Iteration)
  public void fillBacklog() throws SQLException {
    scratch = databases.newPostgres();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(scratch.jdbcUrl());
    config.setMaximumPoolSize(WORKERS + 4);
    pool = new HikariDataSource(config);
    if (peer.equals("db-scheduler")) {
      createSchedulerTable();
      SchedulerClient client = SchedulerClient.Builder.create(pool, sendTask()).build();
      List<TaskInstance<?>> instances = new ArrayList<>(DELIVERIES);
      for (int i = 0; i < DELIVERIES; i++) {
        instances.add(sendTask().instance(Integer.toString(i), deliveries.get(i)));
      }
      client.scheduleBatch(instances, Instant.now());
    } else {
      fillPlainOutbox();
    }
    receiver.reset();
  }

  @Benchmark
  @OperationsPerInvocation(DELIVERIES)
  public long drainBacklog() throws Exception {
    if (peer.equals("db-scheduler")) {
      return drainWithDbScheduler();
    }
    return drainPlainOutbox();
  }

  @TearDown(Level.Iteration)
  public void dropDatabase() {
    pool.close();
    scratch.close();
  }

  @TearDown(Level.Trial)
  public void stopReceiver() throws IOException {
    receiver.close();
    databases.close();
  }

  private OneTimeTask<Delivery> sendTask() {
    return Tasks.oneTime(TASK_NAME, Delivery.class).execute((instance, context) -> post(instance.getData()));
  }

  private long drainWithDbScheduler() throws Exception {
    Scheduler scheduler =
        Scheduler.create(pool, sendTask())
            .threads(WORKERS)
            .pollingInterval(Duration.ofMillis(100))
            .pollUsingLockAndFetch(0.5, 1.0)
            .build();
    long deadline = System.nanoTime() + MAX_DRAIN_TIME.toNanos();
    scheduler.start();
    try {
      while (remainingTasks() > 0) {
        checkDeadline(deadline);
        TimeUnit.MILLISECONDS.sleep(5);
      }
    } finally {
      scheduler.stop();
    }
    return receiver.requests();
  }

  private long drainPlainOutbox() throws Exception {
    ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int i = 0; i < WORKERS; i++) {
        running.add(workers.submit(() -> {
          sendUntilEmpty();
          return null;
        }));
      }
      for (Future<?> worker : running) {
        worker.get(MAX_DRAIN_TIME.toMillis(), TimeUnit.MILLISECONDS);
      }
    } finally {
      workers.shutdownNow();
    }
    return receiver.requests();
  }

  /** Claims one row per transaction, posts it and marks it sent, until no row is left. */
  private void sendUntilEmpty() throws Exception {
    try (Connection connection = pool.getConnection();
        PreparedStatement claim =
            connection.prepareStatement(
                "SELECT id, url, secret, message_id, body FROM plain_outbox"
                    + " WHERE sent_at IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED");
        PreparedStatement markSent =
            connection.prepareStatement("UPDATE plain_outbox SET sent_at = now() WHERE id = ?")) {
      connection.setAutoCommit(false);
      while (true) {
        Delivery delivery;
        long id;
        try (ResultSet row = claim.executeQuery()) {
          if (!row.next()) {
            connection.commit();
            return;
          }
          id = row.getLong(1);
          delivery =
              new Delivery(row.getString(2), row.getString(3), row.getString(4), row.getString(5));
        }
        post(delivery);
        markSent.setLong(1, id);
        markSent.executeUpdate();
        connection.commit();
      }
    }
  }

  /** Signs and posts one webhook, failing unless the receiver responds 2xx. */
  private void post(Delivery delivery) {
    long timestamp = Instant.now().getEpochSecond();
    byte[] body = delivery.body().getBytes(StandardCharsets.UTF_8);
    String signature =
        WebhookSigner.forSecret(delivery.secret()).sign(delivery.messageId(), timestamp, body);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(delivery.url()))
            .timeout(Duration.ofSeconds(15))
            .header("content-type", "application/json")
            .header("webhook-id", delivery.messageId())
            .header("webhook-timestamp", Long.toString(timestamp))
            .header("webhook-signature", signature)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    try {
      HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException("receiver responded " + response.statusCode());
      }
    } catch (IOException e) {
      throw new IllegalStateException("post failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("post interrupted", e);
    }
  }

  private void createSchedulerTable() throws SQLException {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE scheduled_tasks ("
              + " task_name TEXT NOT NULL,"
              + " task_instance TEXT NOT NULL,"
              + " task_data BYTEA,"
              + " execution_time TIMESTAMPTZ NOT NULL,"
              + " picked BOOLEAN NOT NULL,"
              + " picked_by TEXT,"
              + " last_success TIMESTAMPTZ,"
              + " last_failure TIMESTAMPTZ,"
              + " consecutive_failures INT,"
              + " last_heartbeat TIMESTAMPTZ,"
              + " version BIGINT NOT NULL,"
              + " priority SMALLINT,"
              + " PRIMARY KEY (task_name, task_instance))");
      statement.execute("CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time)");
      statement.execute("CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat)");
      statement.execute(
          "CREATE INDEX priority_execution_time_idx"
              + " ON scheduled_tasks (priority DESC, execution_time ASC)");
    }
  }

  private void fillPlainOutbox() throws SQLException {
    try (Connection connection = pool.getConnection()) {
      try (Statement statement = connection.createStatement()) {
        statement.execute(
            "CREATE TABLE plain_outbox (id BIGSERIAL PRIMARY KEY, url TEXT NOT NULL,"
                + " secret TEXT NOT NULL, message_id TEXT NOT NULL, body TEXT NOT NULL,"
                + " sent_at TIMESTAMPTZ)");
        statement.execute(
            "CREATE INDEX plain_outbox_unsent_idx ON plain_outbox (id) WHERE sent_at IS NULL");
      }
      connection.setAutoCommit(false);
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO plain_outbox (url, secret, message_id, body) VALUES (?, ?, ?, ?)")) {
        for (Delivery delivery : deliveries) {
          insert.setString(1, delivery.url());
          insert.setString(2, delivery.secret());
          insert.setString(3, delivery.messageId());
          insert.setString(4, delivery.body());
          insert.addBatch();
        }
        insert.executeBatch();
      }
      connection.commit();
    }
  }

  private long remainingTasks() throws SQLException {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM scheduled_tasks")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private void checkDeadline(long deadline) {
    if (System.nanoTime() - deadline > 0) {
      throw new IllegalStateException(
          "The " + peer + " peer did not drain in time: " + receiver.requests() + " of "
              + DELIVERIES + " deliveries received");
    }
  }
}
