package io.webhookdispatcher.svix;

import com.fasterxml.jackson.databind.JsonNode;
import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.DeliveryServiceException;
import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.EndpointUpdate;
import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.netty.NettyTransport;
import io.webhookdispatcher.spi.DeliveryOutcome;
import io.webhookdispatcher.spi.DeliveryRequest;
import io.webhookdispatcher.spi.HandOffTransport;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each outbox message to Svix, hosted or self-hosted, through its REST API, and keeps our
 * endpoints in one Svix application under the same ids and secrets.
 *
 * <p>A message becomes {@code POST /api/v1/app/{app}/msg} with our message as the payload and our
 * message id as both the {@code eventId} and the idempotency key, so a repeated hand-off is applied
 * once; Svix's 409 for a known event id counts as delivered. A 429, a 5xx or an I/O error is tried
 * again within the attempt (resilience4j), then left to the outbox's retry schedule. A 401 or 403
 * (a wrong or revoked token) and a 404 (a deleted application) are left to the schedule too, so
 * that nothing is lost if an operator fixes them before the schedule runs out. Any other 4xx fails
 * the delivery at once and keeps Svix's error body with the attempt.
 *
 * <p>The token never appears in a log line, an exception or {@link #toString()}.
 */
public final class SvixTransport implements HandOffTransport {
  private static final Logger LOG = LoggerFactory.getLogger(SvixTransport.class);

  /** The Svix API used when the token names no region. */
  public static final URI DEFAULT_SERVER_URL = URI.create("https://api.svix.com");

  /** The uid of the Svix application that contains our endpoints, unless set. */
  public static final String DEFAULT_APP_UID = "webhook-dispatcher";

  /** Maximum time of one request to Svix: 15 seconds. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = NettyTransport.DEFAULT_REQUEST_TIMEOUT;

  /** Maximum time to open a connection to Svix: 10 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = NettyTransport.DEFAULT_CONNECT_TIMEOUT;

  /** Requests per call when Svix responds with 429 or 5xx, or not at all: 3, the first included. */
  public static final int DEFAULT_MAX_TRIES = 3;

  /** Wait before the first retry within a call, doubled for each later one: 500 milliseconds. */
  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(500);

  /**
   * Longest {@code Retry-After} waited for within a call: 5 seconds. A longer one ends the attempt,
   * and the outbox tries again after the delay that Svix asked for.
   */
  public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(5);

  /** Items read per page from a Svix list, the most that Svix returns. */
  static final int PAGE_SIZE = 250;

  /** Pages of endpoints read when listing them: at most 1,000,000 endpoints. */
  static final int MAX_ENDPOINT_PAGES = 4000;

  /** Pages of attempts read for one message, so a message with a huge history stays bounded. */
  static final int MAX_ATTEMPT_PAGES = 20;

  private static final Map<String, URI> REGIONS =
      Map.of(
          "us", URI.create("https://api.us.svix.com"),
          "eu", URI.create("https://api.eu.svix.com"),
          "in", URI.create("https://api.in.svix.com"),
          "ca", URI.create("https://api.ca.svix.com"),
          "au", URI.create("https://api.au.svix.com"));

  private static final Pattern USER_INFO = Pattern.compile("//[^/?#]*@");

  private static final Pattern UID = Pattern.compile("^[a-zA-Z0-9\\-_.]{1,256}$");

  /** Our names of the Svix endpoint fields whose names differ, for error messages. */
  private static final Map<String, String> SVIX_FIELDS =
      Map.of(
          "eventTypes", "event_types",
          "throttleRate", "rate_limit",
          "gracePeriodSeconds", "grace_period_seconds");

  private final SvixClient client;
  private final SvixJson json = new SvixJson();
  private final String appUid;
  private final String appName;
  private final String appPath;
  private final AtomicReference<CompletableFuture<Void>> application = new AtomicReference<>();
  private final Map<String, Optional<UUID>> endpointUids = new ConcurrentHashMap<>();
  private final AtomicBoolean tokenRejected = new AtomicBoolean();
  private final AtomicBoolean unreachable = new AtomicBoolean();

  private SvixTransport(Builder builder) {
    URI serverUrl =
        builder.serverUrl != null ? builder.serverUrl : serverUrlForToken(builder.token);
    this.client = new SvixClient(builder, serverUrl);
    this.appUid = builder.appUid;
    this.appName = builder.appName != null ? builder.appName : builder.appUid;
    this.appPath = "/api/v1/app/" + appUid;
    LOG.info("Svix transport hands messages to application '{}' at {}", appUid, serverUrl);
  }

  /** Returns a builder; the token is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the Svix API for a token as the official Svix libraries choose it: the region after the
   * first dot of the token ({@code us}, {@code eu}, {@code in}, {@code ca} or {@code au}), else
   * {@link #DEFAULT_SERVER_URL}.
   */
  public static URI serverUrlForToken(String token) {
    String[] parts = token.split("\\.");
    return parts.length > 1 && REGIONS.containsKey(parts[1])
        ? REGIONS.get(parts[1])
        : DEFAULT_SERVER_URL;
  }

  @Override
  public URI handOffUrl() {
    return URI.create(client.serverUrl() + appPath + "/msg");
  }

  @Override
  public CompletionStage<DeliveryOutcome> send(DeliveryRequest request) {
    long started = System.nanoTime();
    byte[] body = json.messageIn(request.messageId(), request.eventType(), request.body());
    return ensureApplication()
        .thenCompose(
            ready ->
                client.send(
                    "POST",
                    appPath + "/msg?with_content=false",
                    request.messageId().toString(),
                    body))
        .handle(
            (response, failure) -> {
              Duration duration = Duration.ofNanos(System.nanoTime() - started);
              if (failure != null) {
                noteUnreachable(describe(failure));
                return DeliveryOutcome.failure(describe(failure), duration);
              }
              return outcomeOf(request, response, duration);
            });
  }

  /** Logs one WARN when hand-offs start to fail without a response, and INFO when they recover. */
  private void noteUnreachable(String reason) {
    if (unreachable.compareAndSet(false, true)) {
      LOG.warn(
          "Svix cannot be reached, so messages wait in the outbox and are retried: {}", reason);
    }
  }

  private DeliveryOutcome outcomeOf(
      DeliveryRequest request, SvixResponse response, Duration duration) {
    int status = response.statusCode();
    if (status < 500 && unreachable.compareAndSet(true, false)) {
      LOG.info("Svix answers again; hand-offs resume");
    }
    if (response.successful()) {
      tokenRejected.set(false);
      return DeliveryOutcome.response(status, duration, response.body(), null);
    }
    if (status == 409) {
      LOG.debug("Svix already had message {}; counted as delivered", request.messageId());
      return DeliveryOutcome.delivered(status, duration, response.body());
    }
    if (status == 401 || status == 403) {
      noteRejectedToken(response);
    } else if (status == 404) {
      forgetApplication(request.messageId().toString());
    } else if (status >= 500) {
      noteUnreachable("HTTP " + status + " " + json.describeError(response.body()));
    } else if (status >= 400 && status < 500 && status != 429) {
      LOG.warn(
          "Svix rejected message {}: HTTP {} {}",
          request.messageId(),
          status,
          json.describeError(response.body()));
      return DeliveryOutcome.rejected(status, duration, response.body());
    }
    return DeliveryOutcome.response(
        status, duration, response.body(), response.retryAfter());
  }

  @Override
  public Set<UUID> endpointIds() {
    awaitApplication();
    Set<UUID> ids = new HashSet<>();
    String iterator = null;
    for (int page = 0; page < MAX_ENDPOINT_PAGES; page++) {
      String path =
          appPath
              + "/endpoint?limit="
              + PAGE_SIZE
              + (iterator == null ? "" : "&iterator=" + iterator);
      SvixResponse response = call("list endpoints", "GET", path, null, null);
      if (response.statusCode() == 404 && page == 0) {
        forgetApplication("list endpoints");
        awaitApplication();
        response = call("list endpoints", "GET", path, null, null);
      }
      requireSuccess("list endpoints", response);
      JsonNode list = readJson("list endpoints", response);
      for (JsonNode endpoint : list.path("data")) {
        parseUuid(endpoint.path("uid").asText()).ifPresent(ids::add);
      }
      iterator = list.path("iterator").asText(null);
      if (list.path("done").asBoolean(true) || iterator == null || !UID.matcher(iterator).matches()) {
        return ids;
      }
    }
    throw new DeliveryServiceException(
        0,
        "Svix listed more than "
            + MAX_ENDPOINT_PAGES * PAGE_SIZE
            + " endpoints in application '"
            + appUid
            + "'; copy the missing endpoints yourself",
        null);
  }

  /**
   * Forgets that the application exists after Svix responded 404 for it, so that the next call
   * creates it again. Logs one WARN each time the application goes missing.
   */
  private void forgetApplication(String during) {
    CompletableFuture<Void> known = application.get();
    if (known != null && application.compareAndSet(known, null)) {
      LOG.warn(
          "Svix answered 404 for application '{}' during {}; it is created again before the next"
              + " call",
          appUid,
          during);
    }
  }

  /** Logs one ERROR per run of rejected requests, so that a bad token is seen but not repeated. */
  private void noteRejectedToken(SvixResponse response) {
    if (tokenRejected.compareAndSet(false, true)) {
      LOG.error(
          "Svix rejected the token with HTTP {} ({}); messages wait in the outbox until the"
              + " token is fixed",
          response.statusCode(),
          json.describeError(response.body()));
    }
  }

  @Override
  public void createEndpoint(Endpoint endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    String action = "create endpoint " + endpoint.id();
    // One key per call, the same on its retries: Svix replays a key's first response for hours, so
    // a fixed key would replay a creation that a later deletion undid.
    String key = "endpoint-" + endpoint.id() + "-" + UUID.randomUUID();
    byte[] body = json.endpointIn(endpoint);
    awaitApplication();
    SvixResponse response = call(action, "POST", appPath + "/endpoint", key, body);
    if (response.statusCode() == 404) {
      forgetApplication(action);
      awaitApplication();
      response = call(action, "POST", appPath + "/endpoint", key, body);
    }
    if (response.successful() || response.statusCode() == 409) {
      return;
    }
    if (response.statusCode() == 422) {
      throw invalidInput(endpoint, response);
    }
    throw failed(action, response);
  }

  @Override
  public Optional<Endpoint> findEndpoint(Endpoint stored) {
    Objects.requireNonNull(stored, "stored");
    String path = appPath + "/endpoint/" + stored.id();
    String action = "read endpoint " + stored.id();
    SvixResponse endpoint = call(action, "GET", path, null, null);
    if (endpoint.statusCode() == 404) {
      return Optional.empty();
    }
    requireSuccess(action, endpoint);
    SvixResponse secret = call(action, "GET", path + "/secret", null, null);
    if (secret.statusCode() == 404) {
      return Optional.empty();
    }
    requireSuccess(action, secret);
    JsonNode endpointOut = readJson(action, endpoint);
    JsonNode secretOut = readJson(action, secret);
    String description = endpointOut.path("description").asText("");
    try {
      return Optional.of(
          new Endpoint(
              stored.id(),
              new URI(endpointOut.path("url").asText()),
              description.isEmpty() ? null : description,
              secretOut.path("key").asText(),
              stored.createdAt(),
              stored.disabledAt().orElse(null),
              stored.disabledReason().orElse(null),
              endpointOut.hasNonNull("throttleRate") && endpointOut.path("throttleRate").asInt() > 0
                  ? endpointOut.path("throttleRate").asInt()
                  : null,
              eventTypesOf(endpointOut)));
    } catch (URISyntaxException | IllegalArgumentException | NullPointerException e) {
      throw new DeliveryServiceException(
          endpoint.statusCode(), "Svix returned an endpoint that cannot be read: " + action, e);
    }
  }

  /** Returns the sorted event types of an {@code EndpointOut}, or null when it lists none. */
  private static List<String> eventTypesOf(JsonNode endpointOut) {
    JsonNode listed = endpointOut.path("eventTypes");
    if (!listed.isArray() || listed.isEmpty()) {
      return null;
    }
    TreeSet<String> eventTypes = new TreeSet<>();
    listed.forEach(eventType -> eventTypes.add(eventType.asText()));
    return List.copyOf(eventTypes);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Sends {@code PATCH /api/v1/app/{app}/endpoint/{id}} with the fields that the update sets.
   *
   * <p>NOTE: Svix may reject event types that its event type catalog lacks; only stubbed responses
   * were tested, so create such event types in Svix first if it does.
   *
   * @throws InvalidInputException when Svix rejects a value (422), naming our field
   * @throws DeliveryServiceException when Svix fails, or does not have the endpoint (404)
   */
  @Override
  public void updateEndpoint(UUID id, EndpointUpdate update) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(update, "update");
    String action = "update endpoint " + id;
    SvixResponse response =
        call(action, "PATCH", appPath + "/endpoint/" + id, null, json.endpointPatch(update));
    if (response.statusCode() == 422) {
      throw invalidInput(id, response);
    }
    requireSuccess(action, response);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Sends {@code POST /api/v1/app/{app}/endpoint/{id}/secret/rotate} with our new secret as the
   * key, so that both places keep the same secret.
   */
  @Override
  public void rotateSecret(UUID id, String secret, Duration gracePeriod) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(gracePeriod, "gracePeriod");
    String action = "rotate the secret of endpoint " + id;
    String key = "rotate-" + id + "-" + UUID.randomUUID();
    SvixResponse response =
        call(
            action,
            "POST",
            appPath + "/endpoint/" + id + "/secret/rotate",
            key,
            json.endpointSecretRotateIn(secret, gracePeriod));
    if (response.statusCode() == 422) {
      throw invalidInput(id, response);
    }
    requireSuccess(action, response);
  }

  @Override
  public boolean deleteEndpoint(UUID id) {
    Objects.requireNonNull(id, "id");
    String action = "delete endpoint " + id;
    SvixResponse response = call(action, "DELETE", appPath + "/endpoint/" + id, null, null);
    if (response.statusCode() == 404) {
      return false;
    }
    requireSuccess(action, response);
    endpointUids.values().removeIf(uid -> uid.isPresent() && uid.get().equals(id));
    return true;
  }

  @Override
  public List<Attempt> attempts(UUID messageId) {
    Objects.requireNonNull(messageId, "messageId");
    String action = "list the attempts of message " + messageId;
    List<JsonNode> newestFirst = new ArrayList<>();
    String iterator = null;
    for (int page = 0; page < MAX_ATTEMPT_PAGES; page++) {
      String path =
          appPath
              + "/attempt/msg/"
              + messageId
              + "?limit="
              + PAGE_SIZE
              + (iterator == null ? "" : "&iterator=" + iterator);
      SvixResponse response = call(action, "GET", path, null, null);
      if (response.statusCode() == 404) {
        return List.of();
      }
      requireSuccess(action, response);
      JsonNode list = readJson(action, response);
      list.path("data").forEach(newestFirst::add);
      iterator = list.path("iterator").asText(null);
      if (list.path("done").asBoolean(true) || iterator == null || !UID.matcher(iterator).matches()) {
        break;
      }
    }
    return toAttempts(messageId, newestFirst);
  }

  private List<Attempt> toAttempts(UUID messageId, List<JsonNode> newestFirst) {
    List<Attempt> attempts = new ArrayList<>(newestFirst.size());
    Map<String, Integer> numbers = new HashMap<>();
    for (int i = newestFirst.size() - 1; i >= 0; i--) {
      JsonNode item = newestFirst.get(i);
      String svixEndpoint = item.path("endpointId").asText();
      int number = numbers.merge(svixEndpoint, 1, Integer::sum);
      int status = item.path("responseStatusCode").asInt(0);
      attempts.add(
          new Attempt(
              messageId,
              endpointUid(svixEndpoint).orElse(null),
              number,
              timestampOf(item),
              status == 0 ? null : status,
              status == 0 ? "no response; Svix status " + item.path("statusText").asText() : null,
              item.path("responseDurationMs").asLong(0),
              abbreviate(item.path("response").asText(""))));
    }
    return attempts;
  }

  private static Instant timestampOf(JsonNode attempt) {
    try {
      return OffsetDateTime.parse(attempt.path("timestamp").asText()).toInstant();
    } catch (DateTimeParseException e) {
      throw new DeliveryServiceException(
          200,
          "Svix listed an attempt whose timestamp '"
              + attempt.path("timestamp").asText()
              + "' is not an ISO 8601 date-time",
          e);
    }
  }

  /** Returns the text cut to the bytes that an attempt keeps of a response. */
  private static String abbreviate(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= Attempt.MAX_RESPONSE_BYTES) {
      return text;
    }
    return new String(bytes, 0, Attempt.MAX_RESPONSE_BYTES, StandardCharsets.UTF_8);
  }

  /** Returns our id of a Svix endpoint: its uid, when that is one of our UUIDs. */
  private Optional<UUID> endpointUid(String svixEndpointId) {
    if (svixEndpointId.isEmpty() || !UID.matcher(svixEndpointId).matches()) {
      return Optional.empty();
    }
    Optional<UUID> known = endpointUids.get(svixEndpointId);
    if (known != null) {
      return known;
    }
    String action = "read endpoint " + svixEndpointId;
    SvixResponse response = call(action, "GET", appPath + "/endpoint/" + svixEndpointId, null, null);
    Optional<UUID> uid = Optional.empty();
    if (response.successful()) {
      uid = parseUuid(readJson(action, response).path("uid").asText());
    }
    if (response.successful() || response.statusCode() == 404) {
      endpointUids.put(svixEndpointId, uid);
    }
    return uid;
  }

  private static Optional<UUID> parseUuid(String text) {
    try {
      return Optional.of(UUID.fromString(text));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Creates the application unless it exists, once; a failure is tried again on the next call. */
  private CompletionStage<Void> ensureApplication() {
    CompletableFuture<Void> existing = application.get();
    if (existing != null && !existing.isCompletedExceptionally()) {
      return existing;
    }
    CompletableFuture<Void> created = new CompletableFuture<>();
    if (!application.compareAndSet(existing, created)) {
      return ensureApplication();
    }
    client
        .send(
            "POST",
            "/api/v1/app?get_if_exists=true",
            "app-" + appUid + "-" + UUID.randomUUID(),
            json.applicationIn(appUid, appName))
        .whenComplete(
            (response, failure) -> {
              if (failure != null) {
                created.completeExceptionally(failure);
              } else if (response.successful()) {
                LOG.info("Svix application '{}' is ready", appUid);
                created.complete(null);
              } else {
                if (response.statusCode() == 401 || response.statusCode() == 403) {
                  noteRejectedToken(response);
                }
                created.completeExceptionally(failed("create application '" + appUid + "'", response));
              }
            });
    return created;
  }

  private void awaitApplication() {
    try {
      ensureApplication().toCompletableFuture().get();
    } catch (ExecutionException e) {
      Throwable cause = SvixClient.unwrap(e);
      if (cause instanceof DeliveryServiceException serviceError) {
        throw serviceError;
      }
      throw new DeliveryServiceException(0, describe(cause), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeliveryServiceException(0, "interrupted while waiting for Svix", e);
    }
  }

  private SvixResponse call(String action, String method, String path, String key, byte[] body) {
    try {
      return client.sendAndWait(method, path, key, body);
    } catch (IOException e) {
      throw new DeliveryServiceException(0, "Svix could not " + action + ": " + describe(e), e);
    }
  }

  private void requireSuccess(String action, SvixResponse response) {
    if (!response.successful()) {
      throw failed(action, response);
    }
  }

  private JsonNode readJson(String action, SvixResponse response) {
    try {
      return json.read(response.body());
    } catch (IOException e) {
      throw new DeliveryServiceException(
          response.statusCode(), "Svix answered " + action + " with a body that is not JSON", e);
    }
  }

  private DeliveryServiceException failed(String action, SvixResponse response) {
    return new DeliveryServiceException(
        response.statusCode(),
        "Svix answered HTTP "
            + response.statusCode()
            + " to "
            + action
            + ": "
            + json.describeError(response.body()),
        null);
  }

  private InvalidInputException invalidInput(Endpoint endpoint, SvixResponse response) {
    return invalidInput(endpoint.id(), response);
  }

  /** Names our field for the first field that Svix rejected, such as event_types for eventTypes. */
  private InvalidInputException invalidInput(UUID endpointId, SvixResponse response) {
    List<SvixJson.ValidationProblem> problems = List.of();
    try {
      problems = json.validationProblems(json.read(response.body()));
    } catch (IOException e) {
      // Described below from the raw body.
    }
    String field = problems.isEmpty() ? "url" : problems.get(0).field();
    return new InvalidInputException(
        SVIX_FIELDS.getOrDefault(field, field),
        "Svix rejected endpoint " + endpointId + ": " + json.describeError(response.body()));
  }

  /** Describes a failure without a response, for attempt records and exception messages. */
  private String describe(Throwable failure) {
    Throwable cause = SvixClient.unwrap(failure);
    if (cause instanceof DeliveryServiceException) {
      return cause.getMessage();
    }
    if (cause instanceof HttpTimeoutException) {
      return "Svix did not answer in time (" + cause.getMessage() + ")";
    }
    if (cause instanceof ConnectException) {
      return "could not connect to Svix at " + client.serverUrl().getAuthority() + ": " + cause;
    }
    if (cause instanceof IOException) {
      return "I/O error talking to Svix at " + client.serverUrl().getAuthority() + ": " + cause;
    }
    return "Svix hand-off failed: " + cause;
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "SvixTransport[app=" + appUid + ", server=" + client.serverUrl() + ", token=****]";
  }

  /** Returns the URL with any user-info replaced by {@code ****}, since it may carry a password. */
  static String withoutUserInfo(String url) {
    return USER_INFO.matcher(url).replaceFirst("//****@");
  }

  /** Builder of {@link SvixTransport}; each setter rejects a bad value at once. */
  public static final class Builder {
    String token;
    URI serverUrl;
    String appUid = DEFAULT_APP_UID;
    String appName;
    Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    int maxTries = DEFAULT_MAX_TRIES;
    Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
    Duration maxRetryAfter = DEFAULT_MAX_RETRY_AFTER;
    String userAgent = NettyTransport.DEFAULT_USER_AGENT;
    Clock clock = Clock.systemUTC();

    private Builder() {}

    /** Sets the Svix API token, sent as a bearer token. Required. */
    public Builder token(String token) {
      if (token == null || token.isBlank()) {
        throw new InvalidInputException(
            SvixTransportProvider.TOKEN, SvixTransportProvider.TOKEN + " is required and empty");
      }
      for (int i = 0; i < token.length(); i++) {
        char c = token.charAt(i);
        if (c <= 0x20 || c >= 0x7f) {
          throw new InvalidInputException(
              SvixTransportProvider.TOKEN,
              SvixTransportProvider.TOKEN
                  + " holds a space or a character outside printable ASCII at position "
                  + i
                  + "; copy the token again");
        }
      }
      this.token = token;
      return this;
    }

    /**
     * Sets the Svix API, such as {@code https://api.eu.svix.com} or a self-hosted svix-server.
     * Default: chosen from the token's region, else {@link #DEFAULT_SERVER_URL}.
     */
    public Builder serverUrl(URI serverUrl) {
      Objects.requireNonNull(serverUrl, "serverUrl");
      String scheme = serverUrl.getScheme();
      if (!serverUrl.isAbsolute()
          || !("http".equals(scheme) || "https".equals(scheme))
          || serverUrl.getHost() == null
          || serverUrl.getRawQuery() != null
          || serverUrl.getRawUserInfo() != null) {
        throw new InvalidInputException(
            SvixTransportProvider.SERVER_URL,
            SvixTransportProvider.SERVER_URL
                + " '"
                + withoutUserInfo(serverUrl.toString())
                + "' is not valid: use an http or https URL with a host and no query or user-info");
      }
      String path = serverUrl.getRawPath() == null ? "" : serverUrl.getRawPath();
      this.serverUrl = URI.create(scheme + "://" + serverUrl.getRawAuthority() + stripSlash(path));
      return this;
    }

    /**
     * Sets the uid of the Svix application that contains our endpoints; it is created with this uid
     * when missing. Default: {@value #DEFAULT_APP_UID}.
     */
    public Builder appUid(String appUid) {
      if (appUid == null || !UID.matcher(appUid).matches()) {
        throw new InvalidInputException(
            SvixTransportProvider.APP_UID,
            SvixTransportProvider.APP_UID
                + " '"
                + appUid
                + "' is not valid: use 1 to 256 letters, digits, '-', '_' or '.'");
      }
      this.appUid = appUid;
      return this;
    }

    /** Sets the name of the application when it is created. Default: the application uid. */
    public Builder appName(String appName) {
      if (appName == null || appName.isBlank()) {
        throw new InvalidInputException("appName", "application name must not be empty");
      }
      this.appName = appName;
      return this;
    }

    /** Sets the maximum time of one request to Svix. Default: 15 seconds. */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = positive("requestTimeout", requestTimeout);
      return this;
    }

    /** Sets the maximum time to open a connection to Svix. Default: 10 seconds. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive("connectTimeout", connectTimeout);
      return this;
    }

    /**
     * Sets how many requests one call makes at most when Svix responds with 429 or 5xx, or not at
     * all, the first included; 1 turns retries within a call off. Default: {@value
     * #DEFAULT_MAX_TRIES}.
     */
    public Builder maxTries(int maxTries) {
      if (maxTries < 1 || maxTries > 10) {
        throw new InvalidInputException(
            "maxTries", "maxTries must be between 1 and 10, got " + maxTries);
      }
      this.maxTries = maxTries;
      return this;
    }

    /** Sets the wait before the first retry within a call, doubled for each later one. Default: 500 ms. */
    public Builder retryBackoff(Duration retryBackoff) {
      this.retryBackoff = positive("retryBackoff", retryBackoff);
      return this;
    }

    /**
     * Sets the longest {@code Retry-After} waited for within a call; a longer one ends the attempt
     * and the outbox waits instead. Default: 5 seconds.
     */
    public Builder maxRetryAfter(Duration maxRetryAfter) {
      Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
      if (maxRetryAfter.isNegative()) {
        throw new InvalidInputException(
            "maxRetryAfter", "maxRetryAfter must not be negative, got " + maxRetryAfter);
      }
      this.maxRetryAfter = maxRetryAfter;
      return this;
    }

    /** Sets the clock that dated {@code Retry-After} values are compared with. Default: UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the transport. It makes no request yet: the application is created, when missing, on
     * the first call.
     *
     * @throws IllegalStateException when the token is missing
     */
    public SvixTransport build() {
      if (token == null) {
        throw new IllegalStateException(
            "token is required: set " + SvixTransportProvider.TOKEN + " or call token(...)");
      }
      return new SvixTransport(this);
    }

    private static Duration positive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new InvalidInputException(name, name + " must be positive, got " + value);
      }
      return value;
    }

    private static String stripSlash(String path) {
      return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
  }
}
