package io.webhookdispatcher.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.webhookdispatcher.InvalidInputException;
import io.webhookdispatcher.MessageTooLargeException;
import io.webhookdispatcher.StoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Maps handler outcomes to responses. */
class ApiHandlerTest {
  private static final ResponseJson RESPONSES = new ResponseJson(RequestJson.newMapper());

  @Test
  void unexpected_exception_returns_500() {
    Router router =
        new Router()
            .add(
                HttpMethod.POST,
                "/boom",
                request -> {
                  throw new IllegalStateException("internal detail planted-internal-5150");
                });

    FullHttpResponse response = send(router, HttpMethod.POST, "/boom?token=planted-query-9", "{}");

    assertThat(response.status().code()).isEqualTo(500);
    assertThat(body(response)).doesNotContain("planted-internal-5150");
    assertThat(body(response)).contains("\"error\"");
    response.release();
  }

  @Test
  void unexpected_exception_logs_method_and_path() {
    Router router =
        new Router()
            .add(
                HttpMethod.POST,
                "/boom",
                request -> {
                  throw new IllegalStateException("boom");
                });

    List<ILoggingEvent> errors;
    try (LogCapture logs = LogCapture.start(Level.INFO)) {
      send(router, HttpMethod.POST, "/boom?token=planted-query-9", "{\"card\":\"planted-body-77\"}")
          .release();
      errors =
          logs.events().stream()
              .filter(event -> event.getLevel() == Level.ERROR)
              .collect(Collectors.toList());
    }

    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).getFormattedMessage()).isEqualTo("POST /boom failed unexpectedly");
    assertThat(errors.get(0).getThrowableProxy().getMessage()).isEqualTo("boom");
  }

  @Test
  void store_unavailable_returns_503() {
    Router router =
        new Router()
            .add(
                HttpMethod.GET,
                "/down",
                request -> {
                  throw new StoreUnavailableException("pool closed", new SQLException("closed"));
                });

    FullHttpResponse response = send(router, HttpMethod.GET, "/down", "");

    assertThat(response.status().code()).isEqualTo(503);
    assertThat(body(response))
        .isEqualTo("{\"error\":\"the database is unavailable: retry later\"}");
    response.release();
  }

  @Test
  void invalid_input_returns_400_with_message() {
    Router router =
        new Router()
            .add(
                HttpMethod.GET,
                "/invalid",
                request -> {
                  throw new InvalidInputException("url", "url is missing");
                });

    FullHttpResponse response = send(router, HttpMethod.GET, "/invalid", "");

    assertThat(response.status().code()).isEqualTo(400);
    assertThat(body(response)).isEqualTo("{\"error\":\"url is missing\"}");
    response.release();
  }

  @Test
  void message_too_large_returns_413() {
    Router router =
        new Router()
            .add(
                HttpMethod.GET,
                "/large",
                request -> {
                  throw new MessageTooLargeException(2048, 1024);
                });

    FullHttpResponse response = send(router, HttpMethod.GET, "/large", "");

    assertThat(response.status().code()).isEqualTo(413);
    assertThat(body(response)).contains("2048 bytes");
    response.release();
  }

  private static FullHttpResponse send(Router router, HttpMethod method, String uri, String body) {
    ApiHandler api = new ApiHandler(router, RESPONSES);
    ApiResponse response =
        api.handle(method, uri, new DefaultHttpHeaders(), body.getBytes(StandardCharsets.UTF_8));
    return api.toHttp(HttpVersion.HTTP_1_1, response);
  }

  private static String body(FullHttpResponse response) {
    return response.content().toString(StandardCharsets.UTF_8);
  }
}
