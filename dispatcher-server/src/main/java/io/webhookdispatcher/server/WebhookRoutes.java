package io.webhookdispatcher.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.webhookdispatcher.Attempt;
import io.webhookdispatcher.AttemptPage;
import io.webhookdispatcher.AttemptQuery;
import io.webhookdispatcher.Endpoint;
import io.webhookdispatcher.EndpointPage;
import io.webhookdispatcher.EndpointUpdate;
import io.webhookdispatcher.Message;
import io.webhookdispatcher.PublishedMessage;
import io.webhookdispatcher.ReplayRejectedException;
import io.webhookdispatcher.WebhookDispatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The handlers of the HTTP API, each a thin translation to a {@link WebhookDispatcher} call. */
final class WebhookRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookRoutes.class);

  /** Request header whose value makes a repeated publish return the first message. */
  static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

  /** Response header set to {@code true} when a publish returned an earlier message. */
  static final String IDEMPOTENT_REPLAYED_HEADER = "Idempotent-Replayed";

  private static final Set<String> ENDPOINT_FIELDS =
      orderedSet("url", "description", "rate_limit", "event_types");
  private static final Set<String> ENDPOINT_UPDATE_FIELDS =
      orderedSet("url", "description", "event_types", "rate_limit", "disabled");
  private static final Set<String> ROTATION_FIELDS = orderedSet("grace_period_seconds");
  private static final Set<String> LIST_PARAMETERS = orderedSet("limit", "after");

  /** Classpath resource with the OpenAPI 3 description of this API. */
  static final String OPENAPI_RESOURCE = "/io/webhookdispatcher/server/openapi.json";
  private static final Set<String> MESSAGE_FIELDS =
      orderedSet("event_type", "object_id", "object_type", "object");
  private static final Set<String> RECOVER_FIELDS = orderedSet("since");
  private static final Set<String> ATTEMPT_PAGE_PARAMETERS = orderedSet("limit", "cursor", "outcome");

  /** Content type of the Prometheus text format, version 0.0.4, that {@code /metrics} returns. */
  static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final WebhookDispatcher dispatcher;
  private final RequestJson requests;
  private final ResponseJson responses;
  private final int maxMessageBytes;
  private final PrometheusMeterRegistry metrics;
  private final AtomicBoolean healthy = new AtomicBoolean(true);
  private final JsonNode openApi;

  /**
   * Creates the routes.
   *
   * @param metrics the registry of the dispatcher's meters, which {@code GET /metrics} serves
   */
  WebhookRoutes(
      WebhookDispatcher dispatcher,
      RequestJson requests,
      ResponseJson responses,
      int maxMessageBytes,
      PrometheusMeterRegistry metrics) {
    this.dispatcher = dispatcher;
    this.requests = requests;
    this.responses = responses;
    this.maxMessageBytes = maxMessageBytes;
    this.openApi = requests.parseResource(OPENAPI_RESOURCE);
    this.metrics = metrics;
  }

  /** Returns a router with every route of the API. */
  Router router() {
    return new Router()
        .add(HttpMethod.POST, "/webhook/endpoints", this::createEndpoint)
        .add(HttpMethod.GET, "/webhook/endpoints/{id}", this::getEndpoint)
        .add(HttpMethod.DELETE, "/webhook/endpoints/{id}", this::deleteEndpoint)
        .add(HttpMethod.POST, "/webhook/messages", this::publishMessage)
        .add(HttpMethod.GET, "/webhook/messages/{id}/attempts", this::listAttempts)
        .add(HttpMethod.GET, "/health", this::health)
        .add(HttpMethod.GET, "/webhook/endpoints", this::listEndpoints)
        .add(HttpMethod.PATCH, "/webhook/endpoints/{id}", this::updateEndpoint)
        .add(HttpMethod.POST, "/webhook/endpoints/{id}/secret/rotate", this::rotateSecret)
        .add(HttpMethod.GET, "/openapi.json", this::openApi)
        .add(
            HttpMethod.POST,
            "/webhook/messages/{id}/endpoints/{endpoint_id}/replay",
            this::replayMessage)
        .add(HttpMethod.POST, "/webhook/endpoints/{id}/recover", this::recoverEndpoint)
        .add(HttpMethod.GET, "/webhook/endpoints/{id}/attempts", this::listEndpointAttempts)
        .add(HttpMethod.GET, "/metrics", this::metrics);
  }

  ApiResponse createEndpoint(ApiRequest request) {
    ObjectNode body = requests.parseObject(request.body());
    RequestJson.rejectUnknownFields(body, ENDPOINT_FIELDS);
    String url = RequestJson.requiredString(body, "url");
    String description = RequestJson.optionalString(body, "description");
    Integer rateLimit = RequestJson.optionalInt(body, "rate_limit");
    List<String> eventTypes = RequestJson.optionalStringList(body, "event_types");

    Endpoint endpoint = dispatcher.createEndpoint(url, description, rateLimit, eventTypes);

    return ApiResponse.json(HttpResponseStatus.CREATED, responses.endpoint(endpoint));
  }

  ApiResponse getEndpoint(ApiRequest request) {
    UUID id = RequestJson.pathUuid("id", request.pathParameter("id"));
    Endpoint endpoint = dispatcher.endpoint(id).orElseThrow(() -> endpointNotFound(id));
    return ApiResponse.json(HttpResponseStatus.OK, responses.endpoint(endpoint));
  }

  ApiResponse deleteEndpoint(ApiRequest request) {
    UUID id = RequestJson.pathUuid("id", request.pathParameter("id"));
    if (!dispatcher.deleteEndpoint(id)) {
      throw endpointNotFound(id);
    }
    return ApiResponse.noContent();
  }

  ApiResponse publishMessage(ApiRequest request) {
    if (request.body().length > maxMessageBytes) {
      throw ApiException.tooLarge(
          "request body is "
              + request.body().length
              + " bytes, over the maximum of "
              + maxMessageBytes
              + " bytes set by "
              + Setting.MESSAGE_MAX_BYTES.key()
              + ": send a smaller object");
    }
    Message message = parseMessage(requests.parseObject(request.body()));
    String idempotencyKey = request.headers().get(IDEMPOTENCY_KEY_HEADER);

    PublishedMessage published = dispatcher.publish(message, idempotencyKey, null);

    LOG.debug(
        "Published message {} with event type {} (replayed: {})",
        published.id(),
        published.eventType(),
        published.replayed());
    ApiResponse response =
        ApiResponse.json(HttpResponseStatus.ACCEPTED, responses.publishedMessage(published));
    return published.replayed()
        ? response.withHeader(IDEMPOTENT_REPLAYED_HEADER, "true")
        : response;
  }

  ApiResponse listAttempts(ApiRequest request) {
    UUID id = RequestJson.pathUuid("id", request.pathParameter("id"));
    List<Attempt> attempts =
        dispatcher
            .attempts(id)
            .orElseThrow(() -> ApiException.notFound("message " + id + " not found"));
    return ApiResponse.json(HttpResponseStatus.OK, responses.attempts(attempts));
  }

  /**
   * Reports whether the database responds, by counting pending deliveries. A failure is logged when
   * the state changes, not on every probe.
   */
  ApiResponse health(ApiRequest request) {
    try {
      dispatcher.pendingDeliveries();
    } catch (RuntimeException e) {
      if (healthy.getAndSet(false)) {
        LOG.warn("Health check failed: the database does not respond", e);
      }
      return ApiResponse.json(
          HttpResponseStatus.SERVICE_UNAVAILABLE, responses.status("unavailable"));
    }
    if (!healthy.getAndSet(true)) {
      LOG.info("Health check passed again: the database responds");
    }
    return ApiResponse.json(HttpResponseStatus.OK, responses.status("ok"));
  }

  /**
   * Changes the fields that the body contains. An absent field stays as it is, and {@code null}
   * removes a description, an event type filter or a rate limit.
   */
  ApiResponse updateEndpoint(ApiRequest request) {
    UUID id = RequestJson.pathUuid("id", request.pathParameter("id"));
    EndpointUpdate update = parseUpdate(requests.parseObject(request.body()));

    Endpoint endpoint =
        dispatcher.updateEndpoint(id, update).orElseThrow(() -> endpointNotFound(id));

    return ApiResponse.json(HttpResponseStatus.OK, responses.endpoint(endpoint));
  }

  /** Rotates the secret; the body, {@code {"grace_period_seconds": N}}, may be left out. */
  ApiResponse rotateSecret(ApiRequest request) {
    UUID id = RequestJson.pathUuid("id", request.pathParameter("id"));
    Duration gracePeriod = WebhookDispatcher.DEFAULT_SECRET_GRACE_PERIOD;
    if (request.body().length > 0) {
      ObjectNode body = requests.parseObject(request.body());
      RequestJson.rejectUnknownFields(body, ROTATION_FIELDS);
      Integer seconds = RequestJson.optionalInt(body, "grace_period_seconds");
      if (seconds != null) {
        gracePeriod = Duration.ofSeconds(seconds);
      }
    }

    Endpoint endpoint =
        dispatcher.rotateSecret(id, gracePeriod).orElseThrow(() -> endpointNotFound(id));

    return ApiResponse.json(HttpResponseStatus.OK, responses.endpoint(endpoint));
  }

  /** Lists endpoints in id order, without their secrets, {@code limit} per page. */
  ApiResponse listEndpoints(ApiRequest request) {
    for (String name : request.queryParameters().keySet()) {
      if (!LIST_PARAMETERS.contains(name)) {
        throw ApiException.badRequest(
            "unknown query parameter '"
                + RequestJson.quote(name)
                + "': the allowed parameters are "
                + String.join(", ", LIST_PARAMETERS));
      }
    }
    int limit = parseLimit(request.queryParameter("limit"));
    String cursor = request.queryParameter("after");
    UUID after = cursor == null ? null : EndpointCursor.decode(cursor);

    EndpointPage page = dispatcher.listEndpoints(after, limit);

    String nextCursor = page.next().map(EndpointCursor::encode).orElse(null);
    return ApiResponse.json(
        HttpResponseStatus.OK, responses.endpointPage(page.endpoints(), nextCursor));
  }

  /** Returns the OpenAPI 3 description of this API. */
  ApiResponse openApi(ApiRequest request) {
    return ApiResponse.json(HttpResponseStatus.OK, openApi);
  }

  private static EndpointUpdate parseUpdate(ObjectNode body) {
    RequestJson.rejectUnknownFields(body, ENDPOINT_UPDATE_FIELDS);
    EndpointUpdate.Builder update = EndpointUpdate.builder();
    if (body.has("url")) {
      update.url(RequestJson.requiredString(body, "url"));
    }
    if (body.has("description")) {
      update.description(RequestJson.optionalString(body, "description"));
    }
    if (body.has("event_types")) {
      update.eventTypes(RequestJson.optionalStringList(body, "event_types"));
    }
    if (body.has("rate_limit")) {
      update.rateLimit(RequestJson.optionalInt(body, "rate_limit"));
    }
    if (body.has("disabled")) {
      update.disabled(RequestJson.requiredBoolean(body, "disabled"));
    }
    return update.build();
  }

  private static int parseLimit(String text) {
    if (text == null) {
      return WebhookDispatcher.DEFAULT_PAGE_SIZE;
    }
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(
          "limit '"
              + RequestJson.quote(text)
              + "' is not a whole number: use 1 to "
              + WebhookDispatcher.MAX_PAGE_SIZE);
    }
  }

  /** Queues a replay; the body may be left out or be {@code {}}, since replay takes no fields. */
  ApiResponse replayMessage(ApiRequest request) {
    UUID messageId = RequestJson.pathUuid("id", request.pathParameter("id"));
    UUID endpointId = RequestJson.pathUuid("endpoint_id", request.pathParameter("endpoint_id"));
    if (request.body().length > 0) {
      ObjectNode body = requests.parseObject(request.body());
      if (!body.isEmpty()) {
        throw ApiException.badRequest(
            "unknown field '"
                + RequestJson.quote(body.fieldNames().next())
                + "': replay takes no fields, so send no body or {}");
      }
    }
    try {
      dispatcher.replay(messageId, endpointId);
    } catch (ReplayRejectedException e) {
      throw rejectedReplay(e);
    }
    return ApiResponse.json(
        HttpResponseStatus.ACCEPTED, responses.replayQueued(messageId, endpointId));
  }

  ApiResponse recoverEndpoint(ApiRequest request) {
    UUID endpointId = RequestJson.pathUuid("id", request.pathParameter("id"));
    ObjectNode body = requests.parseObject(request.body());
    RequestJson.rejectUnknownFields(body, RECOVER_FIELDS);
    Instant since = RequestJson.requiredInstant(body, "since");
    int queued;
    try {
      queued = dispatcher.recover(endpointId, since);
    } catch (ReplayRejectedException e) {
      throw rejectedReplay(e);
    }
    return ApiResponse.json(
        HttpResponseStatus.ACCEPTED, responses.recoveryQueued(endpointId, since, queued));
  }

  ApiResponse listEndpointAttempts(ApiRequest request) {
    UUID endpointId = RequestJson.pathUuid("id", request.pathParameter("id"));
    Map<String, String> query =
        RequestJson.singleQueryValues(request.queryParameters(), ATTEMPT_PAGE_PARAMETERS);
    AttemptQuery.Builder builder = AttemptQuery.builder().cursor(query.get("cursor"));
    if (query.containsKey("limit")) {
      builder.limit(RequestJson.queryInt("limit", query.get("limit")));
    }
    if (query.containsKey("outcome")) {
      builder.outcome(AttemptQuery.Outcome.parse(query.get("outcome")));
    }
    AttemptPage page =
        dispatcher.attempts(endpointId, builder.build()).orElseThrow(() -> endpointNotFound(endpointId));
    return ApiResponse.json(HttpResponseStatus.OK, responses.attemptPage(page));
  }

  /** Returns every {@code webhooks.*} meter in the Prometheus text format. */
  ApiResponse metrics(ApiRequest request) {
    return ApiResponse.text(HttpResponseStatus.OK, PROMETHEUS_CONTENT_TYPE, metrics.scrape());
  }

  /**
   * Maps a rejected replay or recovery to 404 when the endpoint, the message or its delivery to
   * the endpoint does not exist, and to 409 when the state of either prevents it.
   */
  private static ApiException rejectedReplay(ReplayRejectedException e) {
    return switch (e.reason()) {
      case ENDPOINT_NOT_FOUND, MESSAGE_NOT_FOUND, NOT_SENT_TO_ENDPOINT -> ApiException.notFound(
          e.getMessage());
      case STILL_PENDING, ENDPOINT_DISABLED, HAND_OFF_TRANSPORT -> ApiException.conflict(
          e.getMessage());
    };
  }

  private static Message parseMessage(ObjectNode body) {
    RequestJson.rejectUnknownFields(body, MESSAGE_FIELDS);
    String eventType = RequestJson.requiredString(body, "event_type");
    UUID objectId = RequestJson.requiredUuid(body, "object_id");
    String objectType = RequestJson.requiredString(body, "object_type");
    ObjectNode object = RequestJson.requiredObject(body, "object");
    return Message.of(eventType, objectId, objectType, object);
  }

  private static ApiException endpointNotFound(UUID id) {
    return ApiException.notFound("endpoint " + id + " not found");
  }

  private static Set<String> orderedSet(String... values) {
    return Collections.unmodifiableSet(new LinkedHashSet<>(List.of(values)));
  }
}
