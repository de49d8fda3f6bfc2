package io.webhookdispatcher.svix;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
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
import java.util.regex.Pattern;

/**
 * The request bodies of the Svix API that the adapter sends, as JSON Schemas written from Svix's
 * OpenAPI description, and a check of every body that a stub received against them.
 */
final class SvixRequestSchemas {
  private static final Pattern APPLICATIONS = Pattern.compile("^/api/v1/app$");
  private static final Pattern ENDPOINTS = Pattern.compile("^/api/v1/app/[^/]+/endpoint$");
  private static final Pattern MESSAGES = Pattern.compile("^/api/v1/app/[^/]+/msg$");
  private static final Pattern ENDPOINT = Pattern.compile("^/api/v1/app/[^/]+/endpoint/[^/]+$");
  private static final Pattern SECRET_ROTATIONS =
      Pattern.compile("^/api/v1/app/[^/]+/endpoint/[^/]+/secret/rotate$");

  final Schema applicationIn = load("ApplicationIn");
  final Schema endpointIn = load("EndpointIn");
  final Schema messageIn = load("MessageIn");
  final Schema endpointPatch = load("EndpointPatch");
  final Schema endpointSecretRotateIn = load("EndpointSecretRotateIn");

  /** Returns the problems of one body, as {@code location: message}; empty when it is valid. */
  static List<String> problems(Schema schema, String json) {
    List<String> problems = new ArrayList<>();
    for (Error error : schema.validate(json, InputFormat.JSON)) {
      problems.add(error.getInstanceLocation() + ": " + error.getMessage());
    }
    return problems;
  }

  /**
   * Checks the body of every POST that the stub received to create an application, an endpoint or
   * a message, or to rotate a secret, and of every PATCH of an endpoint.
   *
   * @return how many bodies were checked, and every problem found
   */
  Report check(WireMockServer server) {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (ServeEvent event : server.getAllServeEvents()) {
      String method = event.getRequest().getMethod().getName();
      String path = event.getRequest().getUrl().replaceFirst("\\?.*$", "");
      Schema schema = schemaFor(method, path);
      if (schema == null) {
        continue;
      }
      checked++;
      for (String problem : problems(schema, event.getRequest().getBodyAsString())) {
        problems.add(method + " " + path + " " + problem);
      }
    }
    return new Report(checked, problems);
  }

  private Schema schemaFor(String method, String path) {
    if ("PATCH".equals(method) && ENDPOINT.matcher(path).matches()) {
      return endpointPatch;
    }
    if (!"POST".equals(method)) {
      return null;
    }
    if (SECRET_ROTATIONS.matcher(path).matches()) {
      return endpointSecretRotateIn;
    }
    if (APPLICATIONS.matcher(path).matches()) {
      return applicationIn;
    }
    if (ENDPOINTS.matcher(path).matches()) {
      return endpointIn;
    }
    if (MESSAGES.matcher(path).matches()) {
      return messageIn;
    }
    return null;
  }

  private static Schema load(String name) {
    SchemaRegistry registry =
        SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            builder ->
                builder.schemaRegistryConfig(
                    SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    try (InputStream in =
        SvixRequestSchemas.class.getResourceAsStream("/svix-schemas/" + name + ".json")) {
      if (in == null) {
        throw new IllegalStateException("schema " + name + " is missing from the test resources");
      }
      return registry.getSchema(in, InputFormat.JSON);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The result of {@link #check}. */
  record Report(int checked, List<String> problems) {}
}
