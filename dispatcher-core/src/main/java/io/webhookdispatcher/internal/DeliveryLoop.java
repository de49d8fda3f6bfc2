package io.webhookdispatcher.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.DeliveryEvent;
import io.webhookdispatcher.DeliveryListener;
import io.webhookdispatcher.RetrySchedule;
import io.webhookdispatcher.StoreUnavailableException;
import io.webhookdispatcher.WebhookSigner;
import io.webhookdispatcher.spi.ClaimedDelivery;
import io.webhookdispatcher.spi.DeliveryOutcome;
import io.webhookdispatcher.spi.DeliveryRequest;
import io.webhookdispatcher.spi.DeliveryResult;
import io.webhookdispatcher.spi.OutboxStore;
import io.webhookdispatcher.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims due deliveries, signs and sends them through the transport, and records the outcomes.
 *
 * <p>One thread runs {@link #runCycle()}; sends complete on transport threads, which only queue
 * their results. A delivery counts as in flight from its claim until its result is recorded, so the
 * number of unrecorded results, and the memory they take, stays under {@code maxInFlight}.
 */
public final class DeliveryLoop {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryLoop.class);

  private final OutboxStore outbox;
  private final Transport transport;
  private final RetrySchedule retrySchedule;
  private final DeliveryListener listener;
  private final Clock clock;
  private final String nodeId;
  private final int batchSize;
  private final int maxInFlight;
  private final int maxInFlightPerEndpoint;
  private final Duration lease;
  private final EndpointHealth health;

  /**
   * The hand-off target whose deliveries this loop fans out to the endpoints instead of sending,
   * because its transport sends webhooks itself; {@code null} with a hand-off transport.
   */
  private final UUID leftHandOffTarget;
  private final DeliveryMeters meters;

  /** Statuses that ask the sender to slow down, whose {@code Retry-After} is honoured. */
  private static final Set<Integer> SLOW_DOWN_STATUSES = Set.of(429, 502, 503, 504);

  /** The status that a receiver returns when the endpoint is gone for good. */
  private static final int GONE = 410;

  /** Endpoints whose rate limiters are kept; past it they are dropped and start afresh. */
  private static final int MAX_RATE_LIMITERS = 10_000;

  /** Secrets whose signers are kept; past it they are dropped and made again on use. */
  private static final int MAX_SIGNERS = 10_000;

  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<UUID, EndpointPace> paces = new HashMap<>();
  private final Map<String, WebhookSigner> signers = new HashMap<>();
  private final ConcurrentLinkedQueue<DeliveryResult> completed = new ConcurrentLinkedQueue<>();
  private final List<DeliveryResult> unrecorded = new ArrayList<>();
  private final Semaphore wakeUp = new Semaphore(0);

  public DeliveryLoop(
      OutboxStore outbox,
      Transport transport,
      RetrySchedule retrySchedule,
      DeliveryListener listener,
      Clock clock,
      String nodeId,
      int batchSize,
      int maxInFlight,
      int maxInFlightPerEndpoint,
      Duration lease,
      EndpointHealth health,
      UUID leftHandOffTarget,
      MeterRegistry meterRegistry) {
    this.outbox = outbox;
    this.transport = transport;
    this.retrySchedule = retrySchedule;
    this.listener = listener;
    this.clock = clock;
    this.nodeId = nodeId;
    this.batchSize = batchSize;
    this.maxInFlight = maxInFlight;
    this.maxInFlightPerEndpoint = maxInFlightPerEndpoint;
    this.lease = lease;
    this.health = health;
    this.leftHandOffTarget = leftHandOffTarget;
    this.meters = new DeliveryMeters(meterRegistry, inFlight::get);
  }

  /**
   * Records finished attempts and claims as many due deliveries as the in-flight limit allows, in
   * one store call, then sends them. Returns whether it did any work, so the caller can wait when
   * there was none.
   */
  public boolean runCycle() {
    for (DeliveryResult result = completed.poll(); result != null; result = completed.poll()) {
      unrecorded.add(result);
    }
    int capacity = Math.min(batchSize, maxInFlight - inFlight.get() + unrecorded.size());
    List<DeliveryResult> results = List.copyOf(unrecorded);
    List<ClaimedDelivery> batch =
        outbox.recordAndClaim(
            results, nodeId, Math.max(capacity, 0), maxInFlightPerEndpoint, lease);
    unrecorded.clear();
    afterRecording(results);
    start(batch);
    return !results.isEmpty() || !batch.isEmpty();
  }

  /**
   * Claims one batch, sends it, waits for every outcome and records them, all before returning:
   * a poll cycle on the caller's thread, for tests and one-shot jobs.
   *
   * @return the number of attempts recorded
   */
  public int runOnceAndWait(Duration timeout) {
    List<ClaimedDelivery> batch = outbox.claim(nodeId, batchSize, maxInFlightPerEndpoint, lease);
    List<CompletableFuture<Void>> sends = start(batch);
    try {
      CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0]))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("Attempts did not finish within " + timeout, e);
    }
    return recordCompleted();
  }

  /**
   * Claims nothing more and records the outcomes of the attempts in flight as they finish, for at
   * most {@code timeout}, so that a node that stops does not leave finished attempts unrecorded,
   * to be sent again once their leases expire.
   *
   * @return how many deliveries were still in flight when the time was up
   */
  public int finish(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    recordCompleted();
    while (inFlight.get() > 0 && System.nanoTime() - deadline < 0) {
      long remaining = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      awaitWork(Duration.ofMillis(Math.min(remaining, 100)));
      recordCompleted();
    }
    return inFlight.get();
  }

  /** Waits until an attempt finishes or {@link #wakeUp()} is called, at most {@code timeout}. */
  public void awaitWork(Duration timeout) throws InterruptedException {
    if (wakeUp.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      wakeUp.drainPermits();
    }
  }

  /** Ends a wait in {@link #awaitWork}, for example after a publish. */
  public void wakeUp() {
    wakeUp.release();
  }

  /** Returns the number of deliveries claimed and not yet recorded. */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Sends each claimed delivery that its endpoint's rate limit lets start now, hands the others
   * back for later, and fans out any hand-off that a hand-off transport left behind.
   *
   * @return the sends started
   */
  private List<CompletableFuture<Void>> start(List<ClaimedDelivery> batch) {
    List<CompletableFuture<Void>> sends = new ArrayList<>(batch.size());
    List<ClaimedDelivery> heldBack = new ArrayList<>();
    List<ClaimedDelivery> leftHandOffs = new ArrayList<>();
    for (ClaimedDelivery delivery : batch) {
      if (delivery.endpointId().equals(leftHandOffTarget)) {
        leftHandOffs.add(delivery);
      } else if (mayStartNow(delivery)) {
        sends.add(send(delivery));
      } else {
        heldBack.add(delivery);
      }
    }
    if (!heldBack.isEmpty()) {
      outbox.postpone(heldBack, EndpointPace.WAIT);
      LOG.debug("Held back {} deliveries by their endpoints' rate limits", heldBack.size());
    }
    if (!leftHandOffs.isEmpty()) {
      int redirected = outbox.redirectHandOffs(leftHandOffs);
      LOG.info(
          "Fanned out {} messages left pending for a delivery service to the endpoints, since"
              + " this node sends webhooks itself",
          redirected);
    }
    return sends;
  }

  /** Takes a permit of the endpoint's rate limit, if it has one; true when the send may start. */
  private boolean mayStartNow(ClaimedDelivery delivery) {
    Integer rateLimit = delivery.rateLimit();
    if (rateLimit == null) {
      return true;
    }
    EndpointPace pace = paces.get(delivery.endpointId());
    if (pace == null || pace.rateLimit() != rateLimit) {
      if (paces.size() >= MAX_RATE_LIMITERS) {
        paces.clear();
      }
      pace = new EndpointPace(rateLimit);
      paces.put(delivery.endpointId(), pace);
    }
    return pace.tryAcquire();
  }

  private CompletableFuture<Void> send(ClaimedDelivery delivery) {
    inFlight.incrementAndGet();
    Instant startedAt = clock.instant();
    DeliveryRequest request;
    try {
      request = sign(delivery, startedAt);
    } catch (RuntimeException e) {
      String error = "signing failed: " + e.getMessage();
      complete(delivery, startedAt, DeliveryOutcome.failure(error, Duration.ZERO));
      return CompletableFuture.completedFuture(null);
    }
    return transport
        .send(request)
        .toCompletableFuture()
        .handle(
            (outcome, failure) -> {
              DeliveryOutcome result =
                  failure == null
                      ? outcome
                      : DeliveryOutcome.failure(
                          "transport failed: " + failure, Duration.between(startedAt, clock.instant()));
              complete(delivery, startedAt, result);
              return null;
            });
  }

  /**
   * Returns the signer of a secret, made once per secret rather than per delivery, since decoding
   * the secret costs about as much as a tenth of a signature.
   */
  private WebhookSigner signerFor(String secret) {
    WebhookSigner signer = signers.get(secret);
    if (signer == null) {
      if (signers.size() >= MAX_SIGNERS) {
        signers.clear();
      }
      signer = WebhookSigner.forSecret(secret);
      signers.put(secret, signer);
    }
    return signer;
  }

  private DeliveryRequest sign(ClaimedDelivery delivery, Instant startedAt) {
    String id = delivery.messageId().toString();
    String timestamp = Long.toString(startedAt.getEpochSecond());
    String signature =
        signerFor(delivery.secret()).sign(id, startedAt.getEpochSecond(), delivery.body());
    String previousSecret = delivery.previousSecretAt(startedAt);
    if (previousSecret != null) {
      // The new signature comes first; a verifier accepts the request when any signature matches.
      signature +=
          " "
              + signerFor(previousSecret).sign(id, startedAt.getEpochSecond(), delivery.body());
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("webhook-id", id);
    headers.put("webhook-timestamp", timestamp);
    headers.put("webhook-signature", signature);
    headers.put("svix-id", id);
    headers.put("svix-timestamp", timestamp);
    headers.put("svix-signature", signature);
    return new DeliveryRequest(
        delivery.deliveryId(),
        delivery.messageId(),
        delivery.endpointId(),
        delivery.url(),
        delivery.eventType(),
        delivery.attempt(),
        headers,
        delivery.body());
  }

  private void complete(ClaimedDelivery delivery, Instant startedAt, DeliveryOutcome outcome) {
    completed.add(decide(delivery, startedAt, outcome));
    wakeUp.release();
  }

  private DeliveryResult decide(ClaimedDelivery delivery, Instant startedAt, DeliveryOutcome outcome) {
    if (outcome.successful()) {
      return new DeliveryResult(delivery, startedAt, outcome, DeliveryResult.State.DELIVERED, null);
    }
    if (outcome.verdict() == DeliveryOutcome.Verdict.GIVE_UP) {
      return new DeliveryResult(delivery, startedAt, outcome, DeliveryResult.State.FAILED, null);
    }
    Duration requested = SLOW_DOWN_STATUSES.contains(outcome.statusCode()) ? outcome.retryAfter() : null;
    return retrySchedule
        .delayAfter(delivery.attempt(), requested)
        .map(
            delay ->
                new DeliveryResult(delivery, startedAt, outcome, DeliveryResult.State.PENDING, delay))
        .orElseGet(
            () -> new DeliveryResult(delivery, startedAt, outcome, DeliveryResult.State.FAILED, null));
  }

  private int recordCompleted() {
    for (DeliveryResult result = completed.poll(); result != null; result = completed.poll()) {
      unrecorded.add(result);
    }
    if (unrecorded.isEmpty()) {
      return 0;
    }
    List<DeliveryResult> batch = List.copyOf(unrecorded);
    outbox.record(batch);
    unrecorded.clear();
    afterRecording(batch);
    return batch.size();
  }

  /** Frees the in-flight slots of recorded results, reports them and checks endpoint health. */
  private void afterRecording(List<DeliveryResult> recorded) {
    if (recorded.isEmpty()) {
      return;
    }
    inFlight.addAndGet(-recorded.size());
    for (DeliveryResult result : recorded) {
      report(result);
    }
    if (health.enabled()) {
      disableUnhealthy(recorded);
    }
  }

  /**
   * Disables each endpoint of the batch that responded 410 Gone, or whose failure clock started
   * {@link EndpointHealth#disableAfter()} ago or earlier. A failure here is logged and retried with
   * the endpoint's next failed attempt, since the results themselves are recorded.
   */
  private void disableUnhealthy(List<DeliveryResult> batch) {
    Map<UUID, String> reasons = new LinkedHashMap<>();
    Set<UUID> failing = new HashSet<>();
    for (DeliveryResult result : batch) {
      DeliveryOutcome outcome = result.outcome();
      UUID endpointId = result.delivery().endpointId();
      if (outcome.statusCode() == GONE) {
        reasons.put(endpointId, "responded 410 Gone");
      } else if (!outcome.successful()) {
        failing.add(endpointId);
      }
    }
    failing.removeAll(reasons.keySet());
    try {
      if (health.disablesFailing() && !failing.isEmpty()) {
        Instant cutoff = clock.instant().minus(health.disableAfter());
        outbox
            .failingSince(failing)
            .forEach(
                (endpointId, since) -> {
                  if (!since.isAfter(cutoff)) {
                    reasons.put(endpointId, "every attempt failed since " + since);
                  }
                });
      }
      reasons.forEach(this::disable);
    } catch (StoreUnavailableException e) {
      LOG.warn("Endpoint health could not be checked; it is checked again on the next failure", e);
    }
  }

  private void disable(UUID endpointId, String reason) {
    if (!outbox.disableEndpoint(endpointId, reason, clock.instant())) {
      return;
    }
    LOG.warn(
        "Disabled endpoint {}: {}; its pending and later messages are kept as failed deliveries,"
            + " to replay once it is fixed",
        endpointId,
        reason);
    try {
      listener.endpointDisabled(endpointId, reason);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (RuntimeException | Error e) {
      LOG.warn("Delivery listener failed on the disabling of endpoint {}", endpointId, e);
    }
  }

  private void report(DeliveryResult result) {
    ClaimedDelivery delivery = result.delivery();
    DeliveryOutcome outcome = result.outcome();
    meters.recordAttempt(outcome);
    if (result.nextState() == DeliveryResult.State.FAILED) {
      LOG.error(
          "Giving up delivery of message {} to endpoint {} after attempt {}: {}",
          delivery.messageId(),
          delivery.endpointId(),
          delivery.attempt(),
          describe(outcome));
    } else if (LOG.isDebugEnabled()) {
      LOG.debug(
          "Attempt {} of message {} to endpoint {}: {}, next {}",
          delivery.attempt(),
          delivery.messageId(),
          delivery.endpointId(),
          describe(outcome),
          result.nextState() == DeliveryResult.State.PENDING
              ? "in " + result.retryDelay()
              : result.nextState());
    }
    notifyListener(delivery, () -> listener.attemptRecorded(toAttempt(result), result.nextState()));
    DeliveryEvent event = toEvent(result);
    if (outcome.successful()) {
      meters.recordDelivered(delivery.messageCreatedAt(), clock.instant());
      notifyListener(delivery, () -> listener.deliverySucceeded(event));
      return;
    }
    notifyListener(delivery, () -> listener.attemptFailed(event));
    if (result.nextState() == DeliveryResult.State.FAILED) {
      notifyListener(delivery, () -> listener.deliveryGivenUp(event));
    }
  }

  /**
   * Runs one listener call and logs what it throws, so that no listener stops the loop. Only a
   * {@link VirtualMachineError}, such as running out of memory, is thrown on.
   */
  private static void notifyListener(ClaimedDelivery delivery, Runnable call) {
    try {
      call.run();
    } catch (VirtualMachineError e) {
      throw e;
    } catch (RuntimeException | Error e) {
      LOG.warn(
          "Delivery listener failed for message {} to endpoint {}",
          delivery.messageId(),
          delivery.endpointId(),
          e);
    }
  }

  private DeliveryEvent toEvent(DeliveryResult result) {
    ClaimedDelivery delivery = result.delivery();
    DeliveryOutcome outcome = result.outcome();
    Instant nextAttemptAt =
        result.nextState() == DeliveryResult.State.PENDING && result.retryDelay() != null
            ? clock.instant().plus(result.retryDelay())
            : null;
    return new DeliveryEvent(
        delivery.messageId(),
        delivery.endpointId(),
        delivery.eventType(),
        delivery.attempt(),
        triggerOf(delivery),
        result.attemptedAt(),
        outcome.duration(),
        outcome.statusCode() == 0 ? null : outcome.statusCode(),
        outcome.error(),
        nextAttemptAt);
  }

  private static Attempt.Trigger triggerOf(ClaimedDelivery delivery) {
    return delivery.manual() ? Attempt.Trigger.MANUAL : Attempt.Trigger.SCHEDULED;
  }

  private static String describe(DeliveryOutcome outcome) {
    return outcome.error() != null ? outcome.error() : "HTTP " + outcome.statusCode();
  }

  static Attempt toAttempt(DeliveryResult result) {
    ClaimedDelivery delivery = result.delivery();
    DeliveryOutcome outcome = result.outcome();
    byte[] snippet = outcome.responseSnippet();
    if (snippet.length > Attempt.MAX_RESPONSE_BYTES) {
      snippet = Arrays.copyOf(snippet, Attempt.MAX_RESPONSE_BYTES);
    }
    return new Attempt(
        delivery.messageId(),
        delivery.endpointId(),
        delivery.attempt(),
        result.attemptedAt(),
        outcome.statusCode() == 0 ? null : outcome.statusCode(),
        outcome.error(),
        outcome.duration().toMillis(),
        new String(snippet, StandardCharsets.UTF_8),
        triggerOf(delivery));
  }

  /** Returns the node id written into each lease. */
  public String nodeId() {
    return nodeId;
  }
}
