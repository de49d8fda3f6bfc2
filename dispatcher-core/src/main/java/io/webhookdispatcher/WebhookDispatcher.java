package io.webhookdispatcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.webhookdispatcher.internal.DeliveryLoop;
import io.webhookdispatcher.internal.EndpointHealth;
import io.webhookdispatcher.internal.EndpointUrls;
import io.webhookdispatcher.internal.MessageCodec;
import io.webhookdispatcher.internal.StoreGauges;
import io.webhookdispatcher.internal.Uuids;
import io.webhookdispatcher.netty.AddressFilter;
import io.webhookdispatcher.netty.NettyTransport;
import io.webhookdispatcher.netty.NettyTransportProvider;
import io.webhookdispatcher.internal.TransportProviders;
import io.webhookdispatcher.spi.EndpointStore;
import io.webhookdispatcher.spi.HandOffTransport;
import io.webhookdispatcher.spi.OutboxMessage;
import io.webhookdispatcher.spi.OutboxStore;
import io.webhookdispatcher.spi.PositionedAttempt;
import io.webhookdispatcher.spi.ReplayOutcome;
import io.webhookdispatcher.spi.Transport;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point: manages endpoints, publishes messages into the outbox and delivers them.
 *
 * <p>Build one per application with {@link #builder()}, call {@link #start()} to begin delivering
 * and {@link #close()} on shutdown. Publishing works without {@code start()}, so a host can publish
 * from nodes that do not deliver. All methods are thread-safe.
 */
public final class WebhookDispatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);

  /** Maximum length of an endpoint description, in characters. */
  public static final int MAX_DESCRIPTION_LENGTH = 1024;

  /** Maximum number of retention batches in one run, so that a run never holds up delivery long. */
  private static final int MAX_PURGE_BATCHES_PER_RUN = 20;

  /** Endpoints read per page when they are copied to a delivery service. */
  private static final int COPY_PAGE_SIZE = 500;

  /** Highest rate limit of an endpoint, in requests per second; Svix takes up to 65535. */
  public static final int MAX_RATE_LIMIT = 10_000;

  /** Maximum length of an idempotency key, in characters. */
  public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;

  /** Maximum number of distinct event types that one endpoint subscribes to: 256. */
  public static final int MAX_EVENT_TYPES_PER_ENDPOINT = 256;

  /** How long a rotated-out secret keeps signing unless the caller sets another period: 1 day. */
  public static final Duration DEFAULT_SECRET_GRACE_PERIOD = Duration.ofDays(1);

  /** Maximum time that a rotated-out secret keeps signing: 7 days, as in the Svix API 1.1.1. */
  public static final Duration MAX_SECRET_GRACE_PERIOD = Duration.ofDays(7);

  /** Endpoints per page of {@link #listEndpoints} unless the caller sets another limit: 50. */
  public static final int DEFAULT_PAGE_SIZE = 50;

  /** Maximum number of endpoints per page of {@link #listEndpoints}: 250. */
  public static final int MAX_PAGE_SIZE = 250;

  /** Reason stored with an endpoint that {@link #updateEndpoint} disabled. */
  public static final String OPERATOR_DISABLED_REASON = "disabled by an operator";

  /**
   * Id of the hand-off target: the endpoint row that the deliveries of a {@link HandOffTransport}
   * point at. Attempts to hand a message over carry it as their endpoint id.
   */
  public static final UUID HAND_OFF_TARGET_ID =
      UUID.fromString("00000000-0000-0000-0000-000000000001");

  private final DispatcherSettings settings;
  private final OutboxStore outbox;
  private final EndpointStore endpoints;
  private final Transport transport;
  private final HandOffTransport handOff;
  private final boolean ownsTransport;
  private final MessageCodec codec;
  private final AddressFilter addressFilter;
  private final DeliveryLoop loop;
  private final Clock clock;
  private final Object lifecycle = new Object();
  private Thread worker;
  private volatile boolean running;
  private volatile boolean endpointsCopied;

  private WebhookDispatcher(Builder builder) {
    this.settings = builder.settings();
    this.outbox = builder.outbox;
    this.endpoints = builder.endpoints;
    this.ownsTransport = builder.transport == null;
    if (builder.transport != null) {
      this.transport = builder.transport;
    } else if (builder.transportConfig != null) {
      this.transport = TransportProviders.create(builder.transportConfig, settings);
    } else {
      this.transport = NettyTransportProvider.fromSettings(settings);
    }
    this.handOff = transport instanceof HandOffTransport h ? h : null;
    if (handOff != null) {
      saveHandOffTarget();
    }
    this.codec = new MessageCodec(builder.objectMapper);
    this.clock = builder.clock;
    this.addressFilter =
        AddressFilter.of(settings.allowPrivateAddresses(), settings.allowedRanges());
    this.loop =
        new DeliveryLoop(
            outbox,
            transport,
            settings.retrySchedule(),
            builder.listener,
            builder.clock,
            settings.nodeId(),
            settings.batchSize(),
            settings.maxInFlight(),
            handOff != null ? settings.maxInFlight() : settings.maxInFlightPerEndpoint(),
            settings.lease(),
            handOff != null ? EndpointHealth.OFF : new EndpointHealth(settings.disableAfter()),
            handOff != null ? null : HAND_OFF_TARGET_ID,
            builder.meterRegistry);
    StoreGauges.register(builder.meterRegistry, outbox, endpoints, clock);
  }

  /** Returns a builder with every default set; an outbox and an endpoint store are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Creates an endpoint with a newly generated secret. It receives every message published after
   * this call returns.
   *
   * @param url absolute http or https URL without user-info, at most 2048 characters
   * @param description free text for operators, or {@code null}
   * @throws InvalidInputException naming the field that is invalid; nothing is stored
   */
  public Endpoint createEndpoint(String url, String description) {
    return createEndpoint(url, description, null);
  }

  /**
   * Creates an endpoint like {@link #createEndpoint(String, String)}, with a rate limit.
   *
   * @param rateLimit the most requests per second that the endpoint receives from each node, from
   *     1 to {@value #MAX_RATE_LIMIT}, or {@code null} for no limit
   * @throws InvalidInputException naming the field that is invalid; nothing is stored
   */
  public Endpoint createEndpoint(String url, String description, Integer rateLimit) {
    return createEndpoint(url, description, rateLimit, null);
  }

  /**
   * Creates an endpoint like {@link #createEndpoint(String, String, Integer)} that receives only
   * messages of the given event types.
   *
   * @param eventTypes event types that each match {@link Message#EVENT_TYPE_PATTERN}, at most
   *     {@value #MAX_EVENT_TYPES_PER_ENDPOINT} distinct ones; duplicates are collapsed. {@code
   *     null} receives every event type, and an empty list is rejected.
   * @throws InvalidInputException naming the field that is invalid; nothing is stored
   */
  public Endpoint createEndpoint(
      String url, String description, Integer rateLimit, List<String> eventTypes) {
    URI uri = checkUrl(url);
    checkRateLimit(rateLimit);
    checkDescription(description);
    List<String> checkedEventTypes =
        EndpointEventTypes.check(eventTypes, MAX_EVENT_TYPES_PER_ENDPOINT);
    UUID id = UUID.randomUUID();
    String secret = WebhookSecret.generate();
    Endpoint endpoint =
        handOff == null
            ? endpoints.create(id, uri, description, secret, rateLimit, checkedEventTypes)
            : createAtServiceAndStore(id, uri, description, secret, rateLimit, checkedEventTypes);
    LOG.info("Created endpoint {} for {}", endpoint.id(), originOf(uri));
    return endpoint;
  }

  private URI checkUrl(String url) {
    URI uri = EndpointUrls.validate(url, addressFilter);
    if (settings.httpsOnly() && !"https".equalsIgnoreCase(uri.getScheme())) {
      throw new InvalidInputException(
          "url",
          "url '"
              + originOf(uri)
              + "' is rejected: this dispatcher sends webhooks over https only; use an https URL");
    }
    return uri;
  }

  private static void checkRateLimit(Integer rateLimit) {
    if (rateLimit != null && (rateLimit < 1 || rateLimit > MAX_RATE_LIMIT)) {
      throw new InvalidInputException(
          "rate_limit",
          "rate_limit "
              + rateLimit
              + " is invalid: use 1 to "
              + MAX_RATE_LIMIT
              + " requests per second, or leave it out for no limit");
    }
  }

  private static void checkDescription(String description) {
    if (description != null && description.length() > MAX_DESCRIPTION_LENGTH) {
      throw new InvalidInputException(
          "description",
          "description is "
              + description.length()
              + " characters long, over the maximum of "
              + MAX_DESCRIPTION_LENGTH);
    }
  }

  /**
   * Creates the endpoint at the delivery service first, so that a rejection there stores nothing,
   * and removes it there again when the store fails.
   */
  private Endpoint createAtServiceAndStore(
      UUID id,
      URI uri,
      String description,
      String secret,
      Integer rateLimit,
      List<String> eventTypes) {
    try {
      handOff.createEndpoint(
          new Endpoint(
              id, uri, description, secret, clock.instant(), null, null, rateLimit, eventTypes));
    } catch (DeliveryServiceException e) {
      // A timeout or a server error may come after the service created the endpoint: remove it,
      // or it would receive every message under a secret that no receiver was given.
      undoCreationAtService(id, e);
      throw e;
    }
    try {
      return endpoints.create(id, uri, description, secret, rateLimit, eventTypes);
    } catch (RuntimeException e) {
      undoCreationAtService(id, e);
      throw e;
    }
  }

  private void undoCreationAtService(UUID id, RuntimeException failure) {
    try {
      handOff.deleteEndpoint(id);
    } catch (RuntimeException undo) {
      failure.addSuppressed(undo);
      LOG.warn(
          "Endpoint {} may exist at the delivery service although its creation failed, and could"
              + " not be deleted there; delete it there, or call deleteEndpoint with this id",
          id);
    }
  }

  /**
   * Returns the endpoint, secret included, or empty when it does not exist or was deleted. With a
   * {@link HandOffTransport}, the URL, description and secret are read from the delivery service,
   * and an endpoint that the service no longer has is reported as absent.
   */
  public Optional<Endpoint> endpoint(UUID id) {
    Optional<Endpoint> stored = endpoints.find(Objects.requireNonNull(id, "id"));
    if (handOff == null || stored.isEmpty()) {
      return stored;
    }
    Optional<Endpoint> remote = handOff.findEndpoint(stored.get());
    if (remote.isEmpty()) {
      LOG.warn(
          "Endpoint {} is stored here but the delivery service does not have it, so it receives"
              + " nothing; delete it and create it again",
          id);
    }
    return remote;
  }

  /**
   * Deletes an endpoint and cancels its pending deliveries. An attempt already in flight finishes,
   * but its result is discarded.
   *
   * @return {@code false} when no such endpoint exists
   */
  public boolean deleteEndpoint(UUID id) {
    Objects.requireNonNull(id, "id");
    boolean deletedAtService = handOff != null && handOff.deleteEndpoint(id);
    boolean deleted = endpoints.delete(id) || deletedAtService;
    if (deleted) {
      LOG.info("Deleted endpoint {} and cancelled its pending deliveries", id);
    }
    return deleted;
  }

  /**
   * Changes an endpoint: the fields that {@code update} sets, checked like those of a new endpoint.
   * Disabling stores {@value #OPERATOR_DISABLED_REASON} as the reason and fails the endpoint's
   * pending deliveries; enabling a disabled endpoint clears its disabled time, reason and failure
   * clock, so it receives later messages again. With a {@link HandOffTransport}, the change is
   * made at the delivery service first, so that a rejection there changes nothing.
   *
   * @return the endpoint as stored afterwards, or empty when it does not exist or was deleted
   * @throws InvalidInputException naming the field that is invalid; nothing is changed
   */
  public Optional<Endpoint> updateEndpoint(UUID id, EndpointUpdate update) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(update, "update");
    EndpointUpdate checked = checkUpdate(update);
    if (handOff != null) {
      if (endpoints.find(id).isEmpty()) {
        return Optional.empty();
      }
      handOff.updateEndpoint(id, checked);
    }
    Optional<Endpoint> updated = endpoints.update(id, checked, clock.instant());
    if (updated.isPresent()) {
      LOG.info("Updated endpoint {}: {}", id, checked);
    }
    return updated;
  }

  private EndpointUpdate checkUpdate(EndpointUpdate update) {
    EndpointUpdate.Builder checked = update.toBuilder();
    if (update.setsUrl()) {
      checked.url(checkUrl(update.url()).toString());
    }
    if (update.setsDescription()) {
      checkDescription(update.description());
    }
    if (update.setsRateLimit()) {
      checkRateLimit(update.rateLimit());
    }
    if (update.setsEventTypes()) {
      checked.eventTypes(
          EndpointEventTypes.check(update.eventTypes(), MAX_EVENT_TYPES_PER_ENDPOINT));
    }
    return checked.build();
  }

  /**
   * Gives an endpoint a new generated secret and returns the endpoint with it. For {@code
   * gracePeriod} after the call, by the dispatcher's clock, every request carries two signatures
   * in {@code webhook-signature} and {@code svix-signature}, the new one first, so that receivers
   * can switch secrets at their own pace; afterwards only the new one. With a {@link
   * HandOffTransport}, the secret is rotated at the delivery service first.
   *
   * @param gracePeriod from zero, which stops the old secret at once, to {@link
   *     #MAX_SECRET_GRACE_PERIOD}
   * @return the endpoint with its new secret, or empty when it does not exist or was deleted
   * @throws InvalidInputException naming {@code grace_period_seconds} when the period is out of
   *     range; nothing is changed
   */
  public Optional<Endpoint> rotateSecret(UUID id, Duration gracePeriod) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(gracePeriod, "gracePeriod");
    if (gracePeriod.isNegative() || gracePeriod.compareTo(MAX_SECRET_GRACE_PERIOD) > 0) {
      throw new InvalidInputException(
          "grace_period_seconds",
          "grace_period_seconds "
              + gracePeriod.toSeconds()
              + " is invalid: use 0 to "
              + MAX_SECRET_GRACE_PERIOD.toSeconds()
              + " seconds (7 days)");
    }
    String secret = WebhookSecret.generate();
    if (handOff != null) {
      if (endpoints.find(id).isEmpty()) {
        return Optional.empty();
      }
      handOff.rotateSecret(id, secret, gracePeriod);
    }
    Instant expiresAt = gracePeriod.isZero() ? null : clock.instant().plus(gracePeriod);
    Optional<Endpoint> rotated = endpoints.rotateSecret(id, secret, expiresAt);
    if (rotated.isPresent()) {
      LOG.info(
          "Rotated the secret of endpoint {}; the previous secret signs for {} more",
          id,
          gracePeriod);
    }
    return rotated;
  }

  /**
   * Returns up to {@code limit} endpoints in id order whose ids come after {@code after}, and the
   * id after which the next page starts. With a {@link HandOffTransport}, the endpoints are read
   * from the store, not from the delivery service.
   *
   * @param after the {@link EndpointPage#nextAfter()} of the previous page, or {@code null} for the
   *     first page
   * @param limit from 1 to {@value #MAX_PAGE_SIZE}
   * @throws InvalidInputException naming {@code limit} when it is out of range
   */
  public EndpointPage listEndpoints(UUID after, int limit) {
    if (limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new InvalidInputException(
          "limit", "limit " + limit + " is invalid: use 1 to " + MAX_PAGE_SIZE);
    }
    List<Endpoint> found = endpoints.list(after, limit + 1);
    if (found.size() <= limit) {
      return new EndpointPage(found, null);
    }
    List<Endpoint> page = found.subList(0, limit);
    return new EndpointPage(page, page.get(limit - 1).id());
  }

  /** Publishes a message in a transaction of the dispatcher's own. */
  public PublishedMessage publish(Message message) {
    return publish(message, null, null);
  }

  /**
   * Publishes a message inside the host's transaction: the webhook exists if and only if that
   * transaction commits. The connection is neither committed nor closed.
   */
  public PublishedMessage publish(Message message, Connection connection) {
    return publish(message, null, Objects.requireNonNull(connection, "connection"));
  }

  /**
   * Publishes a message unless one with the same idempotency key was published before, in which
   * case nothing is stored and the first message is returned with {@link
   * PublishedMessage#replayed()} set.
   *
   * @param idempotencyKey at most {@link #MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters,
   *     or {@code null} for none
   * @param connection the host's connection, or {@code null} for a transaction of the dispatcher's
   *     own
   * @throws InvalidInputException naming the invalid field, or {@code idempotency_key} when the
   *     key was used before for a message with a different body; nothing is stored
   * @throws StoreUnavailableException when the store cannot be reached; nothing is stored
   */
  public PublishedMessage publish(Message message, String idempotencyKey, Connection connection) {
    Objects.requireNonNull(message, "message");
    checkIdempotencyKey(idempotencyKey);
    byte[] body = codec.serialize(message);
    if (body.length > settings.maxMessageBytes()) {
      throw new MessageTooLargeException(body.length, settings.maxMessageBytes());
    }
    OutboxMessage entry =
        new OutboxMessage(
            Uuids.timeOrdered(clock), message.eventType(), body, idempotencyKey, handOff != null);
    PublishedMessage published =
        connection == null ? outbox.publish(entry) : outbox.publish(entry, connection);
    if (published.replayed() && !Arrays.equals(published.body(), body)) {
      throw new InvalidInputException(
          "idempotency_key",
          "idempotency key '"
              + idempotencyKey
              + "' was already used for message "
              + published.id()
              + " with a different body; use a new key for a different message");
    }
    loop.wakeUp();
    return published;
  }

  /**
   * Returns every attempt of a message, oldest first, or empty when the message is unknown. With a
   * {@link HandOffTransport}, these are the attempts to hand the message over, whose endpoint id is
   * {@link #HAND_OFF_TARGET_ID}, and the delivery service's attempts to each endpoint; when the
   * service cannot be read, only the hand-off attempts, with a WARN in the log.
   */
  public Optional<List<Attempt>> attempts(UUID messageId) {
    Optional<List<Attempt>> stored = outbox.attempts(Objects.requireNonNull(messageId, "messageId"));
    if (handOff == null || stored.isEmpty()) {
      return stored;
    }
    List<Attempt> all = new ArrayList<>(stored.get());
    try {
      all.addAll(handOff.attempts(messageId));
    } catch (DeliveryServiceException e) {
      LOG.warn(
          "Attempts of message {} could not be read from the delivery service, so only the"
              + " hand-off attempts are returned: {}",
          messageId,
          e.getMessage());
    }
    all.sort(Comparator.comparing(Attempt::timestamp));
    return Optional.of(List.copyOf(all));
  }

  /**
   * Copies to the delivery service of a {@link HandOffTransport} every endpoint that it lacks, with
   * the same id and secret, so that endpoints created while another transport ran keep receiving
   * messages. Delivery runs it before the first hand-off; it does nothing with other transports.
   *
   * @return how many endpoints were copied; an endpoint that the service rejects is logged at
   *     ERROR and skipped
   * @throws DeliveryServiceException when the service fails; no message is handed over until a
   *     copy succeeds, so call it again
   */
  public int copyEndpointsToDeliveryService() {
    if (handOff == null) {
      return 0;
    }
    Set<UUID> idsAtService = handOff.endpointIds();
    int copied = 0;
    int rejected = 0;
    UUID after = null;
    List<Endpoint> page;
    do {
      page = endpoints.list(after, COPY_PAGE_SIZE);
      for (Endpoint endpoint : page) {
        if (idsAtService.contains(endpoint.id())) {
          continue;
        }
        try {
          handOff.createEndpoint(endpoint);
          copied++;
        } catch (InvalidInputException e) {
          rejected++;
          LOG.error(
              "Endpoint {} could not be copied to the delivery service, so it receives nothing"
                  + " until it is fixed there or created again: {}",
              endpoint.id(),
              e.getMessage());
        }
      }
      after = page.isEmpty() ? after : page.get(page.size() - 1).id();
    } while (page.size() == COPY_PAGE_SIZE);
    endpointsCopied = true;
    LOG.info(
        "Copied {} endpoints to the delivery service, which held {} of ours already and rejected {}",
        copied,
        idsAtService.size(),
        rejected);
    return copied;
  }

  /** Returns the number of deliveries waiting for a successful or final attempt. */
  public long pendingDeliveries() {
    return outbox.pendingCount();
  }

  /** Returns the effective settings. */
  public DispatcherSettings settings() {
    return settings;
  }

  /** Starts delivering on a background thread. Calling it again does nothing. */
  public void start() {
    synchronized (lifecycle) {
      if (running) {
        return;
      }
      running = true;
      worker = new Thread(this::deliverUntilClosed, "webhook-dispatcher-" + settings.nodeId());
      worker.setDaemon(true);
      worker.start();
    }
    LOG.info("Started webhook delivery on node {} with {}", settings.nodeId(), settings);
  }

  /**
   * Runs one poll cycle on the caller's thread: claims one batch of due deliveries, sends them,
   * waits for their outcomes and records them. For tests and one-shot jobs; do not call it while
   * {@link #start()} is delivering.
   *
   * @return the number of attempts recorded
   */
  public int runOnce() {
    if (handOff != null && !endpointsCopied) {
      copyEndpointsToDeliveryService();
    }
    return loop.runOnceAndWait(settings.requestTimeout().multipliedBy(2).plusSeconds(5));
  }

  /**
   * Stops delivering: claims nothing more, waits up to the request timeout for the attempts in
   * flight and records their outcomes, then closes a transport that the dispatcher created.
   */
  @Override
  public void close() {
    Thread stopping;
    synchronized (lifecycle) {
      running = false;
      stopping = worker;
      worker = null;
    }
    if (stopping != null) {
      loop.wakeUp();
      try {
        stopping.join(settings.requestTimeout().multipliedBy(2).toMillis() + 5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (ownsTransport) {
      transport.close();
    }
    LOG.info("Stopped webhook delivery on node {}", settings.nodeId());
  }

  /**
   * Deletes finished messages older than the retention period, batch by batch, and returns how many
   * were deleted. Started nodes run it every {@link DispatcherSettings#PURGE_INTERVAL}.
   */
  public int purgeExpired() {
    int deleted = 0;
    for (int batch = 0; batch < MAX_PURGE_BATCHES_PER_RUN; batch++) {
      int purged = outbox.purgeFinished(settings.retention(), DispatcherSettings.PURGE_BATCH_SIZE);
      deleted += purged;
      if (purged < DispatcherSettings.PURGE_BATCH_SIZE) {
        break;
      }
    }
    if (deleted > 0) {
      LOG.info("Deleted {} messages finished more than {} ago", deleted, settings.retention());
    }
    return deleted;
  }

  /**
   * Sends a message to an endpoint once more: stores a new delivery, pending and due now, which is
   * signed, retried and recorded like any other. Its first attempt is recorded as {@link
   * Attempt.Trigger#MANUAL}, and it starts with a fresh attempt budget. The earlier delivery keeps
   * its state and attempts, so a message that was delivered can be sent again.
   *
   * @throws ReplayRejectedException when the endpoint is unknown, deleted or disabled, or the
   *     message is unknown. It is also thrown when the message was never sent to the endpoint, or
   *     its latest delivery there is still pending. Nothing is stored then.
   */
  public void replay(UUID messageId, UUID endpointId) {
    Objects.requireNonNull(messageId, "messageId");
    requireReplayableEndpoint(endpointId, messageId);
    ReplayOutcome outcome = outbox.replay(messageId, endpointId);
    if (outcome != ReplayOutcome.QUEUED) {
      throw replayRejected(outcome, messageId, endpointId);
    }
    loop.wakeUp();
    LOG.info("Queued a replay of message {} to endpoint {}", messageId, endpointId);
  }

  /**
   * Sends to an endpoint once more every message published at or after {@code since} whose latest
   * delivery there failed, as {@link #replay} does for one message. Messages whose replay is
   * pending or delivered are skipped, so calling it twice queues each message once.
   *
   * @param since the earliest publish time, such as when the endpoint began to fail; not in the
   *     future
   * @return how many deliveries were queued
   * @throws InvalidInputException naming {@code since} when it is missing or in the future
   * @throws ReplayRejectedException when the endpoint is unknown, deleted or disabled; nothing is
   *     stored
   */
  public int recover(UUID endpointId, Instant since) {
    if (since == null) {
      throw new InvalidInputException(
          "since", "since is missing: pass the time from which to resend failed deliveries");
    }
    if (since.isAfter(clock.instant())) {
      throw new InvalidInputException(
          "since",
          "since "
              + since
              + " is in the future: pass a past time, such as when the endpoint began to fail");
    }
    requireReplayableEndpoint(endpointId, null);
    int queued = outbox.recover(endpointId, since);
    if (queued > 0) {
      loop.wakeUp();
    }
    LOG.info(
        "Queued {} failed deliveries to endpoint {} published since {} for another attempt",
        queued,
        endpointId,
        since);
    return queued;
  }

  /**
   * Returns one page of the attempts to an endpoint, newest first, or empty when the endpoint is
   * unknown or deleted. With a {@link HandOffTransport}, the delivery service keeps these attempts,
   * so the page is empty.
   */
  public Optional<AttemptPage> attempts(UUID endpointId, AttemptQuery query) {
    Objects.requireNonNull(endpointId, "endpointId");
    Objects.requireNonNull(query, "query");
    if (endpoints.find(endpointId).isEmpty()) {
      return Optional.empty();
    }
    Boolean succeeded =
        query.outcome().map(outcome -> outcome == AttemptQuery.Outcome.SUCCEEDED).orElse(null);
    List<PositionedAttempt> rows =
        outbox.attemptsOfEndpoint(
            endpointId, query.after().orElse(null), succeeded, query.limit() + 1);
    boolean more = rows.size() > query.limit();
    List<PositionedAttempt> page = more ? rows.subList(0, query.limit()) : rows;
    String nextCursor =
        more ? AttemptQuery.encodeCursor(page.get(page.size() - 1).position()) : null;
    return Optional.of(
        new AttemptPage(page.stream().map(PositionedAttempt::attempt).toList(), nextCursor));
  }

  private void requireReplayableEndpoint(UUID endpointId, UUID messageId) {
    Objects.requireNonNull(endpointId, "endpointId");
    if (handOff != null) {
      throw new ReplayRejectedException(
          ReplayRejectedException.Reason.HAND_OFF_TRANSPORT,
          messageId,
          endpointId,
          "this dispatcher hands messages to a delivery service, which sends and retries them:"
              + " replay or recover them there");
    }
    Endpoint endpoint =
        endpoints
            .find(endpointId)
            .orElseThrow(
                () ->
                    new ReplayRejectedException(
                        ReplayRejectedException.Reason.ENDPOINT_NOT_FOUND,
                        messageId,
                        endpointId,
                        "endpoint " + endpointId + " not found: it never existed or was deleted"));
    if (endpoint.disabled()) {
      throw new ReplayRejectedException(
          ReplayRejectedException.Reason.ENDPOINT_DISABLED,
          messageId,
          endpointId,
          "endpoint "
              + endpointId
              + " is disabled ("
              + endpoint.disabledReason().orElse("no reason stored")
              + "): enable it again first, then replay or recover its messages");
    }
  }

  private static ReplayRejectedException notSent(UUID messageId, UUID endpointId, String because) {
    return new ReplayRejectedException(
        ReplayRejectedException.Reason.NOT_SENT_TO_ENDPOINT,
        messageId,
        endpointId,
        "message "
            + messageId
            + " was never sent to endpoint "
            + endpointId
            + ", because "
            + because);
  }

  private static ReplayRejectedException replayRejected(
      ReplayOutcome outcome, UUID messageId, UUID endpointId) {
    return switch (outcome) {
      case MESSAGE_NOT_FOUND -> new ReplayRejectedException(
          ReplayRejectedException.Reason.MESSAGE_NOT_FOUND,
          messageId,
          endpointId,
          "message "
              + messageId
              + " not found: it never existed or the retention job deleted it");
      case NOT_SENT_TO_ENDPOINT -> notSent(
          messageId,
          endpointId,
          "it was published before the endpoint was created: publish it again to reach this"
              + " endpoint");
      case FILTERED_OUT -> notSent(
          messageId,
          endpointId,
          "the endpoint's event-type filter left out the message's event type when it was"
              + " published: add the event type to the filter, then publish the message again to"
              + " reach this endpoint");
      case STILL_PENDING -> new ReplayRejectedException(
          ReplayRejectedException.Reason.STILL_PENDING,
          messageId,
          endpointId,
          "message "
              + messageId
              + " is still pending for endpoint "
              + endpointId
              + ": wait until it is delivered or fails, then replay it");
      case QUEUED -> throw new IllegalArgumentException(
          "outcome QUEUED is invalid here: a queued replay is not rejected");
    };
  }

  private void saveHandOffTarget() {
    try {
      endpoints.saveHandOffTarget(HAND_OFF_TARGET_ID, handOff.handOffUrl());
    } catch (RuntimeException e) {
      if (ownsTransport) {
        transport.close();
      }
      throw e;
    }
  }

  private void deliverUntilClosed() {
    Duration backoff = settings.pollInterval();
    boolean outage = false;
    long nextPurge = System.nanoTime();
    while (running) {
      try {
        if (handOff != null && !endpointsCopied) {
          copyEndpointsToDeliveryService();
          if (outage) {
            LOG.info("Delivery service is reachable again; endpoints copied, delivery starts");
            outage = false;
            backoff = settings.pollInterval();
          }
        }
        if (System.nanoTime() - nextPurge >= 0) {
          nextPurge = System.nanoTime() + DispatcherSettings.PURGE_INTERVAL.toNanos();
          purgeExpired();
        }
        boolean worked = loop.runCycle();
        if (outage) {
          LOG.info("Webhook store is reachable again; delivery resumed");
          outage = false;
          backoff = settings.pollInterval();
        }
        if (!worked) {
          loop.awaitWork(settings.pollInterval());
        }
      } catch (DeliveryServiceException e) {
        if (!outage) {
          LOG.warn(
              "Endpoints could not be copied to the delivery service, so no message is handed"
                  + " over yet; retrying with backoff: {}",
              e.getMessage());
          outage = true;
        }
        backoff = sleepBackoff(backoff);
      } catch (StoreUnavailableException e) {
        if (!outage) {
          LOG.warn("Webhook store is unreachable; retrying with backoff until it returns", e);
          outage = true;
        }
        backoff = sleepBackoff(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.error("Delivery cycle failed unexpectedly; retrying after backoff", e);
        backoff = sleepBackoff(backoff);
      }
    }
    finishInFlight();
  }

  /** Records the attempts still in flight as they end, within the request timeout. */
  private void finishInFlight() {
    try {
      int unfinished = loop.finish(settings.requestTimeout());
      if (unfinished > 0) {
        LOG.warn(
            "Stopped with {} deliveries in flight; another node sends them again once their"
                + " leases expire",
            unfinished);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("Results of the deliveries in flight could not be recorded on stop", e);
    }
  }

  private Duration sleepBackoff(Duration backoff) {
    try {
      loop.awaitWork(backoff);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
    Duration doubled = backoff.multipliedBy(2);
    return doubled.compareTo(DispatcherSettings.MAX_OUTAGE_BACKOFF) > 0
        ? DispatcherSettings.MAX_OUTAGE_BACKOFF
        : doubled;
  }

  private static void checkIdempotencyKey(String key) {
    if (key == null) {
      return;
    }
    if (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new InvalidInputException(
          "idempotency_key",
          "idempotency key must be 1 to "
              + MAX_IDEMPOTENCY_KEY_LENGTH
              + " characters, got "
              + key.length());
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new InvalidInputException(
            "idempotency_key",
            "idempotency key '"
                + Texts.abbreviate(key)
                + "' is invalid: use printable ASCII without spaces");
      }
    }
  }

  /** Returns scheme, host and port only, because paths and queries often carry access tokens. */
  private static String originOf(URI uri) {
    return uri.getScheme() + "://" + uri.getRawAuthority();
  }

  static String defaultNodeId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown-host";
    }
    return host + "-" + ProcessHandle.current().pid();
  }

  /** Builder of {@link WebhookDispatcher}; each setter rejects a bad value at once. */
  public static final class Builder {
    private OutboxStore outbox;
    private EndpointStore endpoints;
    private Transport transport;
    private Map<String, String> transportConfig;
    private DeliveryListener listener = (attempt, state) -> {};
    private Clock clock = Clock.systemUTC();
    private MeterRegistry meterRegistry = new CompositeMeterRegistry();
    private ObjectMapper objectMapper = new ObjectMapper();
    private final DispatcherSettings.Builder settings = DispatcherSettings.builder();

    private Builder() {}

    /** Sets one store that is both the outbox and the endpoint store, such as the JDBC store. */
    public <S extends OutboxStore & EndpointStore> Builder store(S store) {
      this.outbox = Objects.requireNonNull(store, "store");
      this.endpoints = store;
      return this;
    }

    /** Sets the outbox store. Required unless {@link #store} is used. */
    public Builder outboxStore(OutboxStore outbox) {
      this.outbox = Objects.requireNonNull(outbox, "outbox");
      return this;
    }

    /** Sets the endpoint store. Required unless {@link #store} is used. */
    public Builder endpointStore(EndpointStore endpoints) {
      this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
      return this;
    }

    /**
     * Sets the transport. Default: a {@link NettyTransport} built from {@link #requestTimeout},
     * {@link #allowPrivateAddresses}, {@link #allowedRanges}, {@link #httpsOnly} and {@link
     * #proxy}, closed with the dispatcher. A transport given here is not closed by the dispatcher.
     */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /**
     * Chooses the transport by configuration: {@code webhooks.transport} names it ({@code netty},
     * the default, or {@code svix} with {@code dispatcher-svix-adapter} on the class path), and
     * the transport reads its own keys, such as {@code webhooks.svix.token}. Keys that do not start
     * with {@code webhooks.} are ignored, so a host can pass its whole configuration. The
     * transport is created by {@link #build()} and closed with the dispatcher.
     *
     * @param config keys and values, such as {@link java.util.Properties}; each value a string
     */
    public Builder transportConfig(Map<?, ?> config) {
      Objects.requireNonNull(config, "config");
      this.transportConfig = TransportProviders.webhookKeys(config);
      return this;
    }

    /** Sets the listener notified of every recorded attempt. Default: none. */
    public Builder listener(DeliveryListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Sets the clock for signature timestamps and attempt times. Default: the system UTC clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Sets the registry for the {@code webhooks.*} meters. Default: a registry that keeps nothing. */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /** Sets the mapper that serializes message objects. Default: a plain {@link ObjectMapper}. */
    public Builder objectMapper(ObjectMapper objectMapper) {
      this.objectMapper = Objects.requireNonNull(objectMapper, "objectMapper");
      return this;
    }

    /** Sets the delays between attempts. Default: {@link RetrySchedule#defaults()}. */
    public Builder retrySchedule(RetrySchedule retrySchedule) {
      settings.retrySchedule(retrySchedule);
      return this;
    }

    /** Sets the maximum total time of one attempt. Default: 15 seconds. */
    public Builder requestTimeout(Duration requestTimeout) {
      settings.requestTimeout(requestTimeout);
      return this;
    }

    /**
     * Sets how long a claimed delivery stays leased to this node. It must exceed the request
     * timeout; when this node dies, another claims the delivery once the lease expires. Default:
     * three times the request timeout, at least 60 seconds.
     */
    public Builder lease(Duration lease) {
      settings.lease(lease);
      return this;
    }

    /** Sets how often an idle node looks for due deliveries. Default: 500 milliseconds. */
    public Builder pollInterval(Duration pollInterval) {
      settings.pollInterval(pollInterval);
      return this;
    }

    /** Sets the maximum number of deliveries claimed at once. Default: 50. */
    public Builder batchSize(int batchSize) {
      settings.batchSize(batchSize);
      return this;
    }

    /** Sets the maximum number of deliveries in flight on this node. Default: 256. */
    public Builder maxInFlight(int maxInFlight) {
      settings.maxInFlight(maxInFlight);
      return this;
    }

    /**
     * Sets the maximum number of deliveries in flight to one endpoint, counted across every node
     * on the same store. A slow or failing endpoint then takes up at most this many attempts, and the
     * others keep their share. Default: 16.
     */
    public Builder maxInFlightPerEndpoint(int maxInFlightPerEndpoint) {
      settings.maxInFlightPerEndpoint(maxInFlightPerEndpoint);
      return this;
    }

    /**
     * Sets how long finished messages (every delivery delivered, failed or cancelled) and their
     * attempts are kept before a retention job deletes them, in small batches every 10 minutes on
     * each started node. Default: 30 days.
     */
    public Builder retention(Duration retention) {
      settings.retention(retention);
      return this;
    }

    /**
     * Sets how long every attempt to an endpoint must have failed before the endpoint is disabled,
     * as an endpoint that responds 410 Gone is at once. A disabled endpoint keeps getting messages,
     * as failed deliveries to replay once it is fixed. {@link Duration#ZERO} never disables for
     * failing. Default: 5 days.
     */
    public Builder disableAfter(Duration disableAfter) {
      settings.disableAfter(disableAfter);
      return this;
    }

    /** Sets the maximum serialized message size, in bytes. Default: 262144 (256 KiB). */
    public Builder maxMessageBytes(int maxMessageBytes) {
      settings.maxMessageBytes(maxMessageBytes);
      return this;
    }

    /**
     * Allows endpoints on loopback, private and link-local addresses, for development. Default:
     * {@code false}: such addresses are rejected, checked on every resolved address.
     */
    public Builder allowPrivateAddresses(boolean allowPrivateAddresses) {
      settings.allowPrivateAddresses(allowPrivateAddresses);
      return this;
    }

    /**
     * Sets CIDR ranges, such as {@code 10.20.0.0/16}, whose addresses endpoints may use although
     * they are private, for receivers on an internal network. Default: none.
     *
     * @throws IllegalArgumentException naming an entry that is not a valid CIDR range
     */
    public Builder allowedRanges(List<String> allowedRanges) {
      settings.allowedRanges(Objects.requireNonNull(allowedRanges, "allowedRanges"));
      return this;
    }

    /**
     * Requires https: endpoint creation rejects http URLs, and the default transport refuses to
     * send to one stored earlier. Default: {@code false}.
     */
    public Builder httpsOnly(boolean httpsOnly) {
      settings.httpsOnly(httpsOnly);
      return this;
    }

    /**
     * Sends every webhook through an HTTP CONNECT proxy, {@code http://host:port}, with {@code
     * user:password@} for Basic authentication. The proxy then resolves endpoint host names, so it
     * must apply its own address rules; only literal IP hosts are still checked here. Default:
     * none.
     *
     * @throws IllegalArgumentException naming the value, password masked, when it is not such a URL
     */
    public Builder proxy(URI proxy) {
      settings.proxy(Objects.requireNonNull(proxy, "proxy"));
      return this;
    }

    /** Sets the name this node writes into its leases. Default: host name and process id. */
    public Builder nodeId(String nodeId) {
      settings.nodeId(nodeId);
      return this;
    }

    DispatcherSettings settings() {
      return settings.build();
    }

    /**
     * Builds the dispatcher without starting it.
     *
     * @throws IllegalStateException when a store is missing or the settings do not fit together
     */
    public WebhookDispatcher build() {
      if (outbox == null) {
        throw new IllegalStateException("outboxStore is required: call store(...) or outboxStore(...)");
      }
      if (endpoints == null) {
        throw new IllegalStateException(
            "endpointStore is required: call store(...) or endpointStore(...)");
      }
      if (transport != null && transportConfig != null) {
        throw new IllegalStateException(
            "transport and transportConfig were both set: call only one of them");
      }
      return new WebhookDispatcher(this);
    }
  }
}
