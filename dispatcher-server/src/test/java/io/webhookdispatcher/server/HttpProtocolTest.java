package io.webhookdispatcher.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routing, status codes, headers and connection handling of the HTTP API. */
class HttpProtocolTest {
  private static final int SOCKET_TIMEOUT_MILLIS = 5000;

  @TempDir static Path dataDir;

  private static DispatcherServer server;
  private static ApiClient api;

  @BeforeAll
  static void startServer() {
    server = TestServers.start(dataDir);
    api = new ApiClient(server.port());
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void health_returns_ok() {
    ApiClient.Reply reply = api.get("/health");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("{\"status\":\"ok\"}");
    assertThat(reply.header("content-type")).isEqualTo("application/json; charset=utf-8");
  }

  @Test
  void unknown_path_returns_404_json() {
    ApiClient.Reply reply = api.get("/webhook/unknown");

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.header("content-type")).isEqualTo("application/json; charset=utf-8");
    assertThat(reply.error()).isEqualTo("path /webhook/unknown not found");
  }

  @Test
  void trailing_slash_is_unknown_path() {
    ApiClient.Reply reply = api.get("/health/");

    assertThat(reply.status()).isEqualTo(404);
  }

  @Test
  void query_string_is_ignored() {
    ApiClient.Reply reply = api.get("/health?verbose=true");

    assertThat(reply.status()).isEqualTo(200);
  }

  @Test
  void wrong_method_returns_405_with_allow() {
    ApiClient.Reply reply = api.delete("/webhook/endpoints");

    assertThat(reply.status()).isEqualTo(405);
    assertThat(reply.header("allow")).isEqualTo("POST, GET");
    assertThat(reply.error()).contains("DELETE");
  }

  @Test
  void allow_lists_every_method_of_path() {
    ApiClient.Reply reply = api.send("PUT", "/webhook/endpoints/" + UUID.randomUUID());

    assertThat(reply.status()).isEqualTo(405);
    assertThat(reply.header("allow")).isEqualTo("GET, DELETE, PATCH");
  }

  @Test
  void post_on_attempts_returns_405() {
    ApiClient.Reply reply =
        api.send("POST", "/webhook/messages/" + UUID.randomUUID() + "/attempts");

    assertThat(reply.status()).isEqualTo(405);
    assertThat(reply.header("allow")).isEqualTo("GET");
  }

  @Test
  void keep_alive_serves_two_requests() throws IOException {
    try (Socket socket = connect()) {
      String first = exchange(socket, "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
      String second = exchange(socket, "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");

      assertThat(first).startsWith("HTTP/1.1 200 OK");
      assertThat(second).startsWith("HTTP/1.1 200 OK");
      assertThat(first.toLowerCase(Locale.ROOT)).doesNotContain("connection: close");
    }
  }

  @Test
  void pipelined_responses_keep_request_order() throws IOException {
    try (Socket socket = connect()) {
      String first =
          exchange(
              socket,
              "GET /webhook/nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n"
                  + "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
      String second = exchange(socket, "");

      assertThat(first).startsWith("HTTP/1.1 404");
      assertThat(second).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void connection_close_is_honoured() throws IOException {
    try (Socket socket = connect()) {
      String reply =
          exchange(socket, "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

      assertThat(reply.toLowerCase(Locale.ROOT)).contains("connection: close");
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void http_10_without_keep_alive_is_closed() throws IOException {
    try (Socket socket = connect()) {
      String reply = exchange(socket, "GET /health HTTP/1.0\r\n\r\n");

      assertThat(reply).startsWith("HTTP/1.0 200 OK");
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void malformed_request_line_returns_400_json() throws IOException {
    try (Socket socket = connect()) {
      String reply = exchange(socket, "GET /health HTTP/9.x\r\n\r\n");

      assertThat(reply).startsWith("HTTP/1.1 400 Bad Request");
      assertThat(reply).contains("{\"error\":\"request is not valid HTTP/1.1\"}");
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void overlong_request_line_returns_414() throws IOException {
    try (Socket socket = connect()) {
      String reply =
          exchange(socket, "GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");

      assertThat(reply).startsWith("HTTP/1.1 414");
      assertThat(reply).contains("\"error\"");
    }
  }

  @Test
  void bad_percent_encoding_returns_400() throws IOException {
    try (Socket socket = connect()) {
      String reply = exchange(socket, "GET /webhook/%zz HTTP/1.1\r\nHost: localhost\r\n\r\n");

      assertThat(reply).startsWith("HTTP/1.1 400");
      assertThat(reply).contains("request path is not valid");
    }
  }

  @Test
  void expect_continue_over_limit_returns_json_413() throws IOException {
    int tooLarge = ServerConfig.DEFAULT_MAX_MESSAGE_BYTES + 1;
    try (Socket socket = connect()) {
      String reply =
          exchange(
              socket,
              "POST /webhook/endpoints HTTP/1.1\r\nHost: localhost\r\n"
                  + "Content-Type: application/json\r\nExpect: 100-continue\r\n"
                  + "Content-Length: "
                  + tooLarge
                  + "\r\n\r\n");

      assertThat(reply).startsWith("HTTP/1.1 413");
      assertThat(reply).contains("application/json; charset=utf-8");
      assertThat(reply).contains("maximum of " + ServerConfig.DEFAULT_MAX_MESSAGE_BYTES);
    }
  }

  private static Socket connect() throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
    socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
    return socket;
  }

  /** Sends a raw request and reads one response: the head and a body of content-length bytes. */
  private static String exchange(Socket socket, String request) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int next = in.read();
      if (next < 0) {
        break;
      }
      head.write(next);
    }
    String headText = head.toString(StandardCharsets.US_ASCII);
    int length = contentLength(headText);
    byte[] body = in.readNBytes(length);
    return headText + new String(body, StandardCharsets.UTF_8);
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
        return Integer.parseInt(line.substring(colon + 1).trim());
      }
    }
    return 0;
  }
}
