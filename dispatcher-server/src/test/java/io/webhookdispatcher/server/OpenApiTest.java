package io.webhookdispatcher.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI description matches the routes that the server registers, in both directions, and
 * has the structure that OpenAPI 3.0 requires of the parts that it uses.
 */
class OpenApiTest {
  private static final Set<String> OPERATION_METHODS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}]+)}");

  private static final Pattern STATUS_CODE = Pattern.compile("[1-5][0-9][0-9]|default");

  @TempDir Path dataDir;

  private final JsonNode document =
      new RequestJson(RequestJson.newMapper()).parseResource(WebhookRoutes.OPENAPI_RESOURCE);

  @Test
  void operations_equal_registered_routes() {
    WebhookRoutes routes =
        new WebhookRoutes(
            null, new RequestJson(ApiClient.MAPPER), new ResponseJson(ApiClient.MAPPER), 1024, null);

    Set<String> registered = new HashSet<>(routes.router().describeRoutes());

    assertThat(documentedOperations()).containsExactlyInAnyOrderElementsOf(registered);
  }

  @Test
  void document_is_openapi_3() {
    assertThat(document.path("openapi").asText()).matches("3\\.0\\.\\d+");
    assertThat(document.path("info").path("title").isTextual()).isTrue();
    assertThat(document.path("info").path("version").isTextual()).isTrue();
    assertThat(document.path("paths").isObject()).isTrue();
  }

  @Test
  void every_operation_is_complete() {
    for (Map.Entry<String, JsonNode> operation : operations().entrySet()) {
      String name = operation.getKey();
      JsonNode responses = operation.getValue().path("responses");

      assertThat(responses.size()).as("responses of %s", name).isPositive();
      responses
          .fieldNames()
          .forEachRemaining(
              code -> assertThat(code).as("status of %s", name).matches(STATUS_CODE));
      responses.forEach(
          response ->
              assertThat(response.path("description").isTextual())
                  .as("response description of %s", name)
                  .isTrue());
    }
  }

  @Test
  void path_parameters_are_declared() {
    for (Map.Entry<String, JsonNode> operation : operations().entrySet()) {
      String path = operation.getKey().split(" ")[1];
      Set<String> declared = new HashSet<>();
      for (JsonNode parameter : operation.getValue().path("parameters")) {
        JsonNode resolved = resolve(parameter);
        if ("path".equals(resolved.path("in").asText())) {
          assertThat(resolved.path("required").asBoolean()).as(operation.getKey()).isTrue();
          declared.add(resolved.path("name").asText());
        }
      }
      Set<String> inTemplate = new HashSet<>();
      Matcher matcher = PATH_PARAMETER.matcher(path);
      while (matcher.find()) {
        inTemplate.add(matcher.group(1));
      }

      assertThat(declared).as(operation.getKey()).isEqualTo(inTemplate);
    }
  }

  @Test
  void every_reference_resolves() {
    List<String> references = new ArrayList<>();
    collectReferences(document, references);

    assertThat(references).isNotEmpty();
    for (String reference : references) {
      assertThat(document.at(reference.substring(1)).isMissingNode()).as(reference).isFalse();
    }
  }

  @Test
  void server_serves_document() {
    try (DispatcherServer server = TestServers.start(dataDir)) {
      ApiClient.Reply reply = new ApiClient(server.port()).get("/openapi.json");

      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.header("content-type")).isEqualTo("application/json; charset=utf-8");
      assertThat(reply.json()).isEqualTo(document);
    }
  }

  @Test
  void endpoint_responses_fit_their_schemas() {
    try (DispatcherServer server = TestServers.start(dataDir)) {
      ApiClient api = new ApiClient(server.port());
      JsonNode created = api.createEndpoint("https://example.com/hooks");

      JsonNode page = api.get("/webhook/endpoints").json();

      assertThat(fieldNames(created)).isEqualTo(requiredFields(schema("Endpoint")));
      assertThat(fieldNames(page)).isEqualTo(requiredFields(schema("EndpointPage")));
      JsonNode itemSchema = schema("EndpointPage").path("properties").path("data").path("items");
      assertThat(page.path("data")).isNotEmpty();
      for (JsonNode listed : page.path("data")) {
        assertThat(fieldNames(listed)).isEqualTo(requiredFields(itemSchema));
      }
    }
  }

  private JsonNode schema(String name) {
    return document.path("components").path("schemas").path(name);
  }

  /** Returns the required properties of a schema, following references and {@code allOf}. */
  private Set<String> requiredFields(JsonNode schema) {
    JsonNode resolved = resolve(schema);
    Set<String> required = new HashSet<>();
    resolved.path("required").forEach(field -> required.add(field.asText()));
    resolved.path("allOf").forEach(part -> required.addAll(requiredFields(part)));
    return required;
  }

  private static Set<String> fieldNames(JsonNode object) {
    Set<String> names = new HashSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private Set<String> documentedOperations() {
    return operations().keySet();
  }

  /** Returns each operation by {@code METHOD path}, such as {@code GET /health}. */
  private Map<String, JsonNode> operations() {
    Map<String, JsonNode> operations = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
    while (paths.hasNext()) {
      Map.Entry<String, JsonNode> path = paths.next();
      Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields();
      while (methods.hasNext()) {
        Map.Entry<String, JsonNode> method = methods.next();
        assertThat(OPERATION_METHODS).as("method in %s", path.getKey()).contains(method.getKey());
        operations.put(
            method.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(), method.getValue());
      }
    }
    return operations;
  }

  private JsonNode resolve(JsonNode node) {
    return node.has("$ref") ? document.at(node.get("$ref").asText().substring(1)) : node;
  }

  private static void collectReferences(JsonNode node, List<String> references) {
    if (node.has("$ref")) {
      references.add(node.get("$ref").asText());
    }
    node.forEach(child -> collectReferences(child, references));
  }
}
