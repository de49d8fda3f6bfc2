package io.webhookdispatcher.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.EndpointUpdate;
import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.PublishedMessage;
import io.webhookdispatcher.StoreUnavailableException;
import io.webhookdispatcher.WebhookSecret;
import io.webhookdispatcher.spi.AttemptPosition;
import io.webhookdispatcher.spi.Backlog;
import io.webhookdispatcher.spi.ClaimedDelivery;
import io.webhookdispatcher.spi.DeliveryResult;
import io.webhookdispatcher.spi.EndpointStore;
import io.webhookdispatcher.spi.OutboxMessage;
import io.webhookdispatcher.spi.OutboxStore;
import io.webhookdispatcher.spi.PositionedAttempt;
import io.webhookdispatcher.spi.ReplayOutcome;
import java.net.URI;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox and endpoint store on a relational database, through JDBC with Jdbi.
 *
 * <p>Supported databases are H2 2.x, in file mode for an embedded dispatcher, PostgreSQL 12 and
 * later, MySQL 8 and later, and MariaDB 10.6 and later. Several dispatcher nodes may share one
 * PostgreSQL, MySQL or MariaDB database: claims skip rows that another node has locked, and schema
 * migrations take a lock. The host puts the JDBC driver on the classpath: {@code
 * org.postgresql:postgresql}, {@code org.mariadb.jdbc:mariadb-java-client} or {@code
 * com.mysql:mysql-connector-j}. Build a store either from a JDBC URL, in which case it creates and
 * owns a HikariCP pool, or from a {@link DataSource} that the host owns:
 *
 * <pre>{@code
 * try (JdbcWebhookStore store =
 *     JdbcWebhookStore.builder().jdbcUrl("jdbc:h2:file:./data/webhooks").build()) {
 *   store.publish(message);
 * }
 * }</pre>
 *
 * <p>By default {@link Builder#build()} brings the schema up to date (see {@link
 * Builder#migrate(boolean)}). Due times and lease expiry come from the database's clock, never from
 * the JVM's, so nodes with skewed clocks agree. Every method turns a database failure into a {@link
 * StoreUnavailableException} whose message names the operation and contains no secret or message
 * body. Times are stored to the microsecond. Instances are thread-safe.
 */
public final class JdbcWebhookStore implements OutboxStore, EndpointStore, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcWebhookStore.class);

  /** Default maximum number of connections in a pool that the store creates: 10. */
  public static final int DEFAULT_MAX_POOL_SIZE = 10;

  /**
   * Default wait for a free connection from a pool that the store creates: 5 seconds, shorter than
   * HikariCP's 30, so that a publish fails fast while the database is unreachable.
   */
  public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);

  /** Shortest connection timeout that HikariCP accepts: 250 milliseconds. */
  public static final Duration MIN_CONNECTION_TIMEOUT = Duration.ofMillis(250);

  /** Name of a pool that the store creates, as it appears in HikariCP's logs and metrics. */
  public static final String POOL_NAME = "webhook-store";

  static final int MAX_URL_LENGTH = 2048;
  static final int MAX_DESCRIPTION_LENGTH = 1024;
  static final int MAX_SECRET_LENGTH = 128;
  static final int MAX_EVENT_TYPE_LENGTH = 256;
  static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;
  static final int MAX_NODE_ID_LENGTH = 255;

  /** Lock that runs the claims of every H2 store in this process one at a time. */
  private static final Object SERIAL_CLAIMS = new Object();

  private final Dialect dialect;
  private final Jdbi jdbi;

  /**
   * Runs statements on the host's connection of the current publish. It is made once, because
   * making and configuring a Jdbi for every publish cost more than the publish itself.
   */
  private final Jdbi hostJdbi;
  private final StoreOperations operations;
  private final HikariDataSource ownedPool;
  private final String location;
  private final AtomicBoolean closed = new AtomicBoolean();

  private JdbcWebhookStore(
      Dialect dialect, DataSource dataSource, HikariDataSource ownedPool, String location) {
    this.dialect = dialect;
    this.jdbi = configure(Jdbi.create(dataSource), dialect);
    this.hostJdbi = configure(Jdbi.create(new BorrowedConnection()), dialect);
    this.operations = new StoreOperations(dialect);
    this.ownedPool = ownedPool;
    this.location = location;
  }

  /** Creates a builder. Set either {@link Builder#jdbcUrl} or {@link Builder#dataSource}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * {@inheritDoc}
   *
   * <p>With an idempotency key that is already stored, this stores nothing and returns the first
   * message with {@code replayed = true}, also when a concurrent publish with the same key commits
   * first.
   *
   * @throws InvalidInputException when a field exceeds its column or the message id already exists
   */
  @Override
  public PublishedMessage publish(OutboxMessage message) {
    validate(message);
    try {
      return jdbi.inTransaction(
          handle ->
              operations
                  .findByIdempotencyKey(handle, message.idempotencyKey())
                  .orElseGet(() -> operations.insertMessage(handle, message)));
    } catch (JdbiException e) {
      if (isUniqueViolation(e)) {
        return replayAfterConflict(message, e);
      }
      throw unavailable("publish message " + message.id(), e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The connection must reach the same database as the store. The statements run inside a
   * savepoint, so a failure leaves the host's transaction as it was before the call.
   *
   * @throws IllegalArgumentException when the connection is in auto-commit mode, because then no
   *     host transaction exists to join
   */
  @Override
  public PublishedMessage publish(OutboxMessage message, Connection connection) {
    validate(message);
    Objects.requireNonNull(connection, "connection");
    requireHostTransaction(connection, message);
    String operation = "publish message " + message.id() + " through the host's connection";
    BorrowedConnection.CURRENT.set(connection);
    try (Handle handle = hostJdbi.open()) {
      Optional<PublishedMessage> existing =
          operations.findByIdempotencyKey(handle, message.idempotencyKey());
      if (existing.isPresent()) {
        return existing.get();
      }
      return insertAtSavepoint(handle, message, operation);
    } catch (JdbiException e) {
      throw unavailable(operation, e);
    } finally {
      BorrowedConnection.CURRENT.remove();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Leases are rounded up to whole milliseconds. A {@code limit} of 0 returns an empty list
   * without a query.
   */
  @Override
  public List<ClaimedDelivery> claim(
      String nodeId, int limit, int maxPerEndpoint, Duration lease) {
    validateClaim(nodeId, limit, maxPerEndpoint, lease);
    if (limit == 0) {
      return List.of();
    }
    if (!dialect.serializesClaims()) {
      return leaseDueDeliveries(nodeId, limit, maxPerEndpoint, lease);
    }
    synchronized (SERIAL_CLAIMS) {
      return leaseDueDeliveries(nodeId, limit, maxPerEndpoint, lease);
    }
  }

  /** Records the results and leases due deliveries in one transaction, so with one commit. */
  @Override
  public List<ClaimedDelivery> recordAndClaim(
      List<DeliveryResult> results, String nodeId, int limit, int maxPerEndpoint, Duration lease) {
    Objects.requireNonNull(results, "results");
    if (results.isEmpty()) {
      return claim(nodeId, limit, maxPerEndpoint, lease);
    }
    validateClaim(nodeId, limit, maxPerEndpoint, lease);
    if (limit == 0) {
      record(results);
      return List.of();
    }
    results.forEach(JdbcWebhookStore::validate);
    if (!dialect.serializesClaims()) {
      return recordThenLease(results, nodeId, limit, maxPerEndpoint, lease);
    }
    synchronized (SERIAL_CLAIMS) {
      return recordThenLease(results, nodeId, limit, maxPerEndpoint, lease);
    }
  }

  private List<ClaimedDelivery> recordThenLease(
      List<DeliveryResult> results, String nodeId, int limit, int maxPerEndpoint, Duration lease) {
    return inTransaction(
        "record " + results.size() + " delivery results and claim deliveries for node " + nodeId,
        handle -> {
          operations.record(handle, results);
          return operations.leaseDueDeliveries(handle, nodeId, limit, maxPerEndpoint, lease);
        });
  }

  private static void validateClaim(String nodeId, int limit, int maxPerEndpoint, Duration lease) {
    Objects.requireNonNull(nodeId, "nodeId");
    if (nodeId.isEmpty() || nodeId.length() > MAX_NODE_ID_LENGTH) {
      throw new IllegalArgumentException(
          "nodeId is "
              + nodeId.length()
              + " characters long but must be 1 to "
              + MAX_NODE_ID_LENGTH
              + ": pass a short name of this dispatcher node");
    }
    if (nodeId.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "nodeId contains the NUL character U+0000, which PostgreSQL cannot store: remove it");
    }
    if (limit < 0) {
      throw new IllegalArgumentException(
          "limit is " + limit + " but must be 0 or more: pass the number of deliveries to lease");
    }
    if (maxPerEndpoint < 1) {
      throw new IllegalArgumentException(
          "maxPerEndpoint is "
              + maxPerEndpoint
              + " but must be at least 1: pass the number of deliveries one endpoint may have in"
              + " flight");
    }
    Objects.requireNonNull(lease, "lease");
    if (lease.isNegative() || lease.isZero()) {
      throw new IllegalArgumentException(
          "lease is " + lease + " but must be positive: pass a lease duration such as PT30S");
    }
  }

  private List<ClaimedDelivery> leaseDueDeliveries(
      String nodeId, int limit, int maxPerEndpoint, Duration lease) {
    return inTransaction(
        "claim deliveries for node " + nodeId,
        handle -> operations.leaseDueDeliveries(handle, nodeId, limit, maxPerEndpoint, lease));
  }

  /**
   * {@inheritDoc}
   *
   * <p>A pending result's {@link DeliveryResult#retryDelay()} is added to the database's current
   * time. A missing or negative delay makes the delivery due at once.
   */
  @Override
  public int record(List<DeliveryResult> results) {
    Objects.requireNonNull(results, "results");
    if (results.isEmpty()) {
      return 0;
    }
    results.forEach(JdbcWebhookStore::validate);
    return inTransaction(
        "record " + results.size() + " delivery results",
        handle -> operations.record(handle, results));
  }

  @Override
  public Map<UUID, Instant> failingSince(Set<UUID> endpointIds) {
    Objects.requireNonNull(endpointIds, "endpointIds");
    if (endpointIds.isEmpty()) {
      return Map.of();
    }
    return inTransaction(
        "read the failure clocks of " + endpointIds.size() + " endpoints",
        handle -> operations.failingSince(handle, endpointIds));
  }

  @Override
  public boolean disableEndpoint(UUID endpointId, String reason, Instant at) {
    Objects.requireNonNull(endpointId, "endpointId");
    Objects.requireNonNull(at, "at");
    requireText("reason", reason, StoreOperations.MAX_ERROR_LENGTH);
    return inTransaction(
        "disable endpoint " + endpointId,
        handle -> operations.disableEndpoint(handle, endpointId, reason, at));
  }

  @Override
  public int postpone(List<ClaimedDelivery> deliveries, Duration delay) {
    Objects.requireNonNull(deliveries, "deliveries");
    Objects.requireNonNull(delay, "delay");
    if (deliveries.isEmpty()) {
      return 0;
    }
    return inTransaction(
        "postpone " + deliveries.size() + " deliveries",
        handle -> operations.postpone(handle, deliveries, delay));
  }

  @Override
  public int redirectHandOffs(List<ClaimedDelivery> handOffs) {
    Objects.requireNonNull(handOffs, "handOffs");
    if (handOffs.isEmpty()) {
      return 0;
    }
    return inTransaction(
        "fan out " + handOffs.size() + " hand-offs",
        handle -> operations.redirectHandOffs(handle, handOffs));
  }

  @Override
  public Optional<List<Attempt>> attempts(UUID messageId) {
    Objects.requireNonNull(messageId, "messageId");
    return inTransaction(
        "read the attempts of message " + messageId,
        handle -> operations.attempts(handle, messageId));
  }

  @Override
  public int purgeFinished(Duration age, int batchSize) {
    Objects.requireNonNull(age, "age");
    if (age.isNegative()) {
      throw new IllegalArgumentException("age is " + age + " but must not be negative");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize is " + batchSize + " but must be at least 1");
    }
    return inTransaction(
        "purge finished messages", handle -> operations.purgeFinished(handle, age, batchSize));
  }

  @Override
  public long pendingCount() {
    return inTransaction("count pending deliveries", operations::pendingCount);
  }

  @Override
  public ReplayOutcome replay(UUID messageId, UUID endpointId) {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(endpointId, "endpointId");
    return inTransaction(
        "replay message " + messageId + " to endpoint " + endpointId,
        handle -> operations.replay(handle, messageId, endpointId));
  }

  @Override
  public int recover(UUID endpointId, Instant since) {
    Objects.requireNonNull(endpointId, "endpointId");
    Objects.requireNonNull(since, "since");
    return inTransaction(
        "recover the failed deliveries of endpoint " + endpointId + " since " + since,
        handle -> operations.recover(handle, endpointId, since));
  }

  @Override
  public List<PositionedAttempt> attemptsOfEndpoint(
      UUID endpointId, AttemptPosition after, Boolean succeeded, int limit) {
    Objects.requireNonNull(endpointId, "endpointId");
    if (limit < 1) {
      throw new IllegalArgumentException("limit is " + limit + " but must be at least 1");
    }
    return inTransaction(
        "read the attempts of endpoint " + endpointId,
        handle -> operations.attemptsOfEndpoint(handle, endpointId, after, succeeded, limit));
  }

  @Override
  public Backlog backlog() {
    return inTransaction("read the delivery backlog", operations::backlog);
  }

  @Override
  public long countDisabled() {
    return inTransaction("count disabled endpoints", operations::countDisabledEndpoints);
  }

  /**
   * {@inheritDoc}
   *
   * @throws InvalidInputException when a field exceeds its column or the id already exists
   */
  @Override
  public Endpoint create(
      UUID id, URI url, String description, String secret, Integer rateLimit) {
    return create(id, url, description, secret, rateLimit, null);
  }

  /**
   * {@inheritDoc}
   *
   * @throws InvalidInputException when a field exceeds its column or the id already exists
   */
  @Override
  public Endpoint create(
      UUID id,
      URI url,
      String description,
      String secret,
      Integer rateLimit,
      List<String> eventTypes) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(url, "url");
    requireLength("url", url.toString(), MAX_URL_LENGTH);
    if (description != null) {
      requireLength("description", description, MAX_DESCRIPTION_LENGTH);
    }
    requireText("secret", secret, MAX_SECRET_LENGTH);
    requireEventTypes(eventTypes);
    try {
      return jdbi.inTransaction(
          handle ->
              operations.insertEndpoint(
                  handle, id, url, description, secret, rateLimit, eventTypes));
    } catch (JdbiException e) {
      if (isUniqueViolation(e)) {
        throw new InvalidInputException(
            "id", "Endpoint id " + id + " already exists: create the endpoint with a new id");
      }
      throw unavailable("create endpoint " + id, e);
    }
  }

  @Override
  public Optional<Endpoint> find(UUID id) {
    Objects.requireNonNull(id, "id");
    return inTransaction("find endpoint " + id, handle -> operations.findEndpoint(handle, id));
  }

  @Override
  public List<Endpoint> list(UUID after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    return inTransaction(
        "list endpoints after " + after, handle -> operations.listEndpoints(handle, after, limit));
  }

  @Override
  public boolean delete(UUID id) {
    Objects.requireNonNull(id, "id");
    return inTransaction("delete endpoint " + id, handle -> operations.deleteEndpoint(handle, id));
  }

  @Override
  public void saveHandOffTarget(UUID id, URI url) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(url, "url");
    requireLength("url", url.toString(), MAX_URL_LENGTH);
    String secret = WebhookSecret.generate();
    try {
      jdbi.useTransaction(handle -> operations.saveHandOffTarget(handle, id, url, secret));
    } catch (JdbiException e) {
      if (!isUniqueViolation(e)) {
        throw unavailable("save hand-off target " + id, e);
      }
      // Another node inserted the row between the check and the insert; mark it instead.
      inTransaction(
          "save hand-off target " + id,
          handle -> {
            operations.saveHandOffTarget(handle, id, url, secret);
            return null;
          });
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws InvalidInputException when a field exceeds its column
   */
  @Override
  public Optional<Endpoint> update(UUID id, EndpointUpdate update, Instant at) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(update, "update");
    Objects.requireNonNull(at, "at");
    if (update.setsUrl()) {
      requireText("url", update.url(), MAX_URL_LENGTH);
    }
    if (update.setsDescription() && update.description() != null) {
      requireLength("description", update.description(), MAX_DESCRIPTION_LENGTH);
    }
    if (update.setsEventTypes()) {
      requireEventTypes(update.eventTypes());
    }
    return inTransaction(
        "update endpoint " + id, handle -> operations.updateEndpoint(handle, id, update, at));
  }

  @Override
  public Optional<Endpoint> rotateSecret(UUID id, String secret, Instant previousSecretExpiresAt) {
    Objects.requireNonNull(id, "id");
    requireText("secret", secret, MAX_SECRET_LENGTH);
    return inTransaction(
        "rotate the secret of endpoint " + id,
        handle -> operations.rotateSecret(handle, id, secret, previousSecretExpiresAt));
  }

  /** Closes the connection pool if the store created it. A host's {@link DataSource} stays open. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (ownedPool != null) {
      ownedPool.close();
      LOG.info("Webhook store on {} stopped and closed its connection pool", location);
    } else {
      LOG.info("Webhook store on {} stopped, leaving the host's DataSource open", location);
    }
  }

  @Override
  public String toString() {
    return "JdbcWebhookStore[" + dialect.name() + " at " + location + "]";
  }

  /** Applies the schema migrations that the database lacks and returns the scripts applied. */
  List<String> migrate() {
    try {
      return new SchemaMigrator(dialect).migrate(jdbi);
    } catch (JdbiException | SQLException e) {
      throw unavailable("migrate the schema", e);
    }
  }

  private PublishedMessage insertAtSavepoint(
      Handle handle, OutboxMessage message, String operation) {
    String savepoint = "webhook_publish";
    handle.savepoint(savepoint);
    try {
      PublishedMessage published = operations.insertMessage(handle, message);
      handle.releaseSavepoint(savepoint);
      return published;
    } catch (JdbiException e) {
      rollbackToSavepoint(handle, savepoint, e);
      if (!isUniqueViolation(e)) {
        throw unavailable(operation, e);
      }
      return operations
          .findCommittedByIdempotencyKey(handle, message.idempotencyKey())
          .orElseThrow(() -> messageIdTaken(message, e));
    }
  }

  private static void rollbackToSavepoint(Handle handle, String savepoint, JdbiException failure) {
    try {
      handle.rollbackToSavepoint(savepoint);
    } catch (JdbiException rollbackFailure) {
      failure.addSuppressed(rollbackFailure);
    }
  }

  private PublishedMessage replayAfterConflict(OutboxMessage message, JdbiException conflict) {
    if (message.idempotencyKey() == null) {
      throw messageIdTaken(message, conflict);
    }
    return inTransaction(
            "publish message " + message.id(),
            handle -> operations.findCommittedByIdempotencyKey(handle, message.idempotencyKey()))
        .orElseThrow(() -> messageIdTaken(message, conflict));
  }

  private static InvalidInputException messageIdTaken(OutboxMessage message, Exception cause) {
    InvalidInputException exception =
        new InvalidInputException(
            "id",
            "Message id "
                + message.id()
                + " is already stored: publish each message with a new id");
    exception.initCause(cause);
    return exception;
  }

  private <T> T inTransaction(String operation, HandleCallback<T, RuntimeException> callback) {
    try {
      return jdbi.inTransaction(callback);
    } catch (JdbiException e) {
      throw unavailable(operation, e);
    }
  }

  private boolean isUniqueViolation(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException && dialect.isUniqueViolation((SQLException) cause)) {
        return true;
      }
    }
    return false;
  }

  /** Wraps a database failure in a message that names the operation, its ids and the masked URL. */
  private StoreUnavailableException unavailable(String operation, Exception cause) {
    return new StoreUnavailableException(
        "Webhook store failed to "
            + operation
            + " on "
            + dialect.name()
            + " at "
            + location
            + ": check that the database is reachable and see the cause",
        cause);
  }

  private void requireHostTransaction(Connection connection, OutboxMessage message) {
    boolean autoCommit;
    try {
      autoCommit = connection.getAutoCommit();
    } catch (SQLException e) {
      throw unavailable("publish message " + message.id() + " through the host's connection", e);
    }
    if (autoCommit) {
      throw new IllegalArgumentException(
          "The host's connection is in auto-commit mode, so message "
              + message.id()
              + " cannot join a host transaction: call setAutoCommit(false) before publishing, or"
              + " use publish(message) for a transaction of the store's own");
    }
  }

  /**
   * Configures a Jdbi instance for the store's statements: the dialect's column types, and
   * exception messages without bound values, which include secrets and message bodies.
   */
  static Jdbi configure(Jdbi jdbi, Dialect dialect) {
    jdbi.getConfig(StatementExceptions.class)
        .setMessageRendering(StatementExceptions.MessageRendering.NONE);
    jdbi.installPlugin(dialect.columnTypes());
    return jdbi;
  }

  private static void validate(OutboxMessage message) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(message.id(), "message.id");
    Objects.requireNonNull(message.body(), "message.body");
    requireText("event_type", message.eventType(), MAX_EVENT_TYPE_LENGTH);
    if (message.idempotencyKey() != null) {
      requireLength("idempotency_key", message.idempotencyKey(), MAX_IDEMPOTENCY_KEY_LENGTH);
    }
  }

  private static void validate(DeliveryResult result) {
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(result.delivery(), "result.delivery");
    Objects.requireNonNull(result.delivery().leaseToken(), "result.delivery.leaseToken");
    Objects.requireNonNull(result.attemptedAt(), "result.attemptedAt");
    Objects.requireNonNull(result.outcome(), "result.outcome");
    Objects.requireNonNull(result.nextState(), "result.nextState");
  }

  private static void requireEventTypes(List<String> eventTypes) {
    if (eventTypes == null) {
      return;
    }
    if (eventTypes.isEmpty()) {
      throw new InvalidInputException(
          "event_types", "event_types is empty: pass null for every event type");
    }
    for (String eventType : eventTypes) {
      requireText("event_types", eventType, MAX_EVENT_TYPE_LENGTH);
    }
    if (Set.copyOf(eventTypes).size() != eventTypes.size()) {
      throw new InvalidInputException(
          "event_types", "event_types lists an event type twice: pass each one once");
    }
  }

  private static void requireText(String field, String value, int maxLength) {
    if (value == null || value.isEmpty()) {
      throw new InvalidInputException(field, field + " is missing or empty");
    }
    requireLength(field, value, maxLength);
  }

  private static void requireLength(String field, String value, int maxLength) {
    if (value.length() > maxLength) {
      throw new InvalidInputException(
          field,
          field
              + " is "
              + value.length()
              + " characters long, but the store keeps at most "
              + maxLength
              + ": shorten it");
    }
    if (value.indexOf('\0') >= 0) {
      throw new InvalidInputException(
          field,
          field
              + " contains the NUL character U+0000, which PostgreSQL cannot store in text: remove"
              + " it");
    }
  }

  /**
   * Hands out the host's connection and leaves it open when Jdbi closes the handle, so the host
   * keeps control of its transaction and its connection.
   */
  private static final class BorrowedConnection implements ConnectionFactory {
    /** The host's connection for the publish running on this thread. */
    static final ThreadLocal<Connection> CURRENT = new ThreadLocal<>();

    @Override
    public Connection openConnection() {
      Connection connection = CURRENT.get();
      if (connection == null) {
        throw new IllegalStateException("no host connection is set for this thread");
      }
      return connection;
    }

    @Override
    public void closeConnection(Connection toClose) {
      // The host closes its own connection.
    }
  }

  /**
   * Builder of {@link JdbcWebhookStore}. Set exactly one of {@link #jdbcUrl} and {@link
   * #dataSource}.
   */
  public static final class Builder {
    private String jdbcUrl;
    private String username;
    private String password;
    private Integer maxPoolSize;
    private Duration connectionTimeout;
    private DataSource dataSource;
    private boolean migrate = true;

    private Builder() {}

    /**
     * Sets the JDBC URL of the database, for which the store creates and owns a HikariCP pool. The
     * URL chooses the SQL dialect: {@code jdbc:h2:}, {@code jdbc:postgresql:}, {@code jdbc:mysql:}
     * or {@code jdbc:mariadb:}, such as {@code jdbc:postgresql://db.internal:5432/app}. For an
     * in-memory H2 database, add {@code ;DB_CLOSE_DELAY=-1} so that the data outlives a moment
     * without open connections.
     *
     * @throws IllegalArgumentException when the URL is blank or names an unsupported database, with
     *     any password in the URL masked in the message
     */
    public Builder jdbcUrl(String jdbcUrl) {
      Objects.requireNonNull(jdbcUrl, "jdbcUrl");
      if (jdbcUrl.isBlank()) {
        throw new IllegalArgumentException(
            "jdbcUrl is blank: pass a JDBC URL such as jdbc:h2:file:./data/webhooks");
      }
      Dialect.forJdbcUrl(jdbcUrl);
      this.jdbcUrl = jdbcUrl;
      return this;
    }

    /**
     * Sets the database user for {@link #jdbcUrl}. Default: none, which H2 accepts; a user in the
     * URL also works.
     */
    public Builder username(String username) {
      this.username = username;
      return this;
    }

    /** Sets the database password for {@link #jdbcUrl}. Default: none. It is never logged. */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /**
     * Sets the maximum number of connections of the pool that the store creates for {@link
     * #jdbcUrl}. Default: 10 ({@link #DEFAULT_MAX_POOL_SIZE}).
     *
     * @throws IllegalArgumentException when the size is less than 1
     */
    public Builder maxPoolSize(int maxPoolSize) {
      if (maxPoolSize < 1) {
        throw new IllegalArgumentException(
            "maxPoolSize is " + maxPoolSize + " but must be at least 1");
      }
      this.maxPoolSize = maxPoolSize;
      return this;
    }

    /**
     * Sets how long an operation waits for a free connection of the pool that the store creates
     * before it fails with {@link StoreUnavailableException}. Default: 30 seconds. Minimum: 250
     * milliseconds.
     *
     * @throws IllegalArgumentException when the timeout is shorter than {@link
     *     #MIN_CONNECTION_TIMEOUT}
     */
    public Builder connectionTimeout(Duration connectionTimeout) {
      Objects.requireNonNull(connectionTimeout, "connectionTimeout");
      if (connectionTimeout.compareTo(MIN_CONNECTION_TIMEOUT) < 0) {
        throw new IllegalArgumentException(
            "connectionTimeout is "
                + connectionTimeout
                + " but must be at least "
                + MIN_CONNECTION_TIMEOUT
                + ", the minimum of HikariCP");
      }
      this.connectionTimeout = connectionTimeout;
      return this;
    }

    /**
     * Sets a connection pool that the host owns and the store never closes. The store reads the
     * database product from its metadata at {@link #build()}, so the database must be reachable
     * then.
     */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /**
     * Sets whether {@link #build()} applies the schema migrations that the database lacks. Default:
     * {@code true}. Turn it off when the schema is managed elsewhere.
     */
    public Builder migrate(boolean migrate) {
      this.migrate = migrate;
      return this;
    }

    /**
     * Creates the store, creating its pool and applying migrations as configured.
     *
     * @throws IllegalStateException when neither or both of {@code jdbcUrl} and {@code dataSource}
     *     are set, or when a pool option is set together with {@code dataSource}
     * @throws IllegalArgumentException when the database behind {@code dataSource} is not supported
     * @throws StoreUnavailableException when the database cannot be reached for the metadata or the
     *     migrations
     */
    public JdbcWebhookStore build() {
      checkCombination();
      JdbcWebhookStore store = dataSource != null ? onHostDataSource() : onOwnedPool();
      try {
        String schema = migrate ? describeMigration(store.migrate()) : "not migrated by the store";
        LOG.info(
            "Webhook store started on {} at {}: pool {}, schema {}",
            store.dialect.name(),
            store.location,
            describePool(),
            schema);
      } catch (RuntimeException e) {
        store.close();
        throw e;
      }
      return store;
    }

    private void checkCombination() {
      if (jdbcUrl == null && dataSource == null) {
        throw new IllegalStateException(
            "No database is configured: set jdbcUrl(...) or dataSource(...)");
      }
      if (jdbcUrl != null && dataSource != null) {
        throw new IllegalStateException(
            "Both jdbcUrl and dataSource are set: set only one of them");
      }
      boolean poolOptionSet =
          username != null || password != null || maxPoolSize != null || connectionTimeout != null;
      if (dataSource != null && poolOptionSet) {
        throw new IllegalStateException(
            "username, password, maxPoolSize and connectionTimeout apply only to the pool that the"
                + " store creates for jdbcUrl: configure them on your DataSource instead");
      }
    }

    private JdbcWebhookStore onOwnedPool() {
      HikariConfig config = new HikariConfig();
      config.setPoolName(POOL_NAME);
      config.setJdbcUrl(JdbcUrls.withDurableCommits(jdbcUrl));
      config.setUsername(username);
      config.setPassword(password);
      config.setMaximumPoolSize(maxPoolSize != null ? maxPoolSize : DEFAULT_MAX_POOL_SIZE);
      Duration timeout = connectionTimeout != null ? connectionTimeout : DEFAULT_CONNECTION_TIMEOUT;
      config.setConnectionTimeout(timeout.toMillis());
      // Lets the store start while the database is down. Operations fail until it is back.
      config.setInitializationFailTimeout(-1);
      HikariDataSource pool = new HikariDataSource(config);
      return new JdbcWebhookStore(
          Dialect.forJdbcUrl(jdbcUrl), pool, pool, JdbcUrls.maskPassword(jdbcUrl));
    }

    private JdbcWebhookStore onHostDataSource() {
      String productName;
      String url;
      try (Connection connection = dataSource.getConnection()) {
        DatabaseMetaData metaData = connection.getMetaData();
        productName = metaData.getDatabaseProductName();
        url = metaData.getURL();
      } catch (SQLException e) {
        throw new StoreUnavailableException(
            "Webhook store failed to read the database product from the host's DataSource: check"
                + " that the database is reachable and see the cause",
            e);
      }
      Dialect dialect = Dialect.forProductName(productName, url);
      return new JdbcWebhookStore(dialect, dataSource, null, JdbcUrls.maskPassword(url));
    }

    private static String describeMigration(List<String> applied) {
      String appliedNow = applied.isEmpty() ? "none" : String.join(", ", applied);
      return "version " + SchemaMigrator.latestVersion() + " (applied now: " + appliedNow + ")";
    }

    private String describePool() {
      if (dataSource != null) {
        return "owned by the host";
      }
      int size = maxPoolSize != null ? maxPoolSize : DEFAULT_MAX_POOL_SIZE;
      Duration timeout = connectionTimeout != null ? connectionTimeout : DEFAULT_CONNECTION_TIMEOUT;
      return POOL_NAME + " with at most " + size + " connections, connection timeout " + timeout;
    }
  }
}
