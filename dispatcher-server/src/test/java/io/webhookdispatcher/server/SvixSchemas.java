package io.webhookdispatcher.server;

import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JSON Schemas of the Svix request bodies that the server sends in Svix mode ({@code
 * ApplicationIn}, {@code EndpointIn} and {@code MessageIn}, from the Svix API 1.1.1 OpenAPI
 * description, in {@code src/test/resources/svix-schemas}), and a check of every such body that a
 * WireMock server received.
 */
final class SvixSchemas {
  private static final String APPLICATIONS = "/api/v1/app";

  private final Schema applicationIn = load("ApplicationIn");
  private final Schema endpointIn = load("EndpointIn");
  private final Schema messageIn = load("MessageIn");

  /**
   * The outcome of {@link #check}.
   *
   * @param checked how many request bodies were validated
   * @param problems one line per schema violation: method, path, JSON location and message
   */
  record Report(int checked, List<String> problems) {}

  /**
   * Validates the body of every POST that {@code svix} received to create an application, an
   * endpoint or a message. Other requests are skipped.
   */
  Report check(WireMockServer svix) {
    int checked = 0;
    List<String> problems = new ArrayList<>();
    for (LoggedRequest request : svix.findAll(postRequestedFor(anyUrl()))) {
      String path = request.getUrl().replaceFirst("\\?.*$", "");
      Optional<Schema> schema = schemaFor(path);
      if (schema.isEmpty()) {
        continue;
      }
      checked++;
      for (Error error : schema.get().validate(request.getBodyAsString(), InputFormat.JSON)) {
        problems.add(
            "POST " + path + " " + error.getInstanceLocation() + ": " + error.getMessage());
      }
    }
    return new Report(checked, problems);
  }

  private Optional<Schema> schemaFor(String path) {
    if (path.equals(APPLICATIONS)) {
      return Optional.of(applicationIn);
    }
    if (path.matches("/api/v1/app/[^/]+/endpoint")) {
      return Optional.of(endpointIn);
    }
    if (path.matches("/api/v1/app/[^/]+/msg")) {
      return Optional.of(messageIn);
    }
    return Optional.empty();
  }

  /** Loads a schema with format assertions on, so that {@code "format": "uri"} is enforced. */
  private static Schema load(String name) {
    SchemaRegistry registry =
        SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            builder ->
                builder.schemaRegistryConfig(
                    SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    String resource = "/svix-schemas/" + name + ".json";
    try (InputStream in = SvixSchemas.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the test resources");
      }
      return registry.getSchema(in, InputFormat.JSON);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + resource + " failed", e);
    }
  }
}
