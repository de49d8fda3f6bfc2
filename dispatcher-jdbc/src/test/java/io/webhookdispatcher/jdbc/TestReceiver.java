package io.webhookdispatcher.jdbc;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP receiver on 127.0.0.1 that records requests and responds with scripted statuses. */
final class TestReceiver implements AutoCloseable {

  /** A request as the receiver saw it. */
  record Received(Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** A scripted response, sent after {@code delayMillis}. */
  record Answer(int status, Map<String, String> headers, String body, long delayMillis) {
    Answer(int status, Map<String, String> headers, String body) {
      this(status, headers, body, 0);
    }

    static Answer status(int status) {
      return new Answer(status, Map.of(), "status " + status);
    }

    /** Returns this answer sent late, as a slow receiver sends it. */
    Answer after(Duration delay) {
      return new Answer(status, headers, body, delay.toMillis());
    }
  }

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final LinkedBlockingQueue<Answer> script = new LinkedBlockingQueue<>();
  private final AtomicInteger requests = new AtomicInteger();

  TestReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
  }

  /** Queues responses for the next requests. Once the queue is empty, every request gets 200. */
  TestReceiver answer(Answer... answers) {
    script.addAll(List.of(answers));
    return this;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
  }

  List<Received> received() {
    return new ArrayList<>(received);
  }

  private void handle(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    Map<String, String> headers = new TreeMap<>();
    exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
    byte[] body = exchange.getRequestBody().readAllBytes();
    received.add(new Received(headers, body));
    Answer answer = script.poll();
    if (answer == null) {
      answer = Answer.status(200);
    }
    if (answer.delayMillis() > 0) {
      try {
        Thread.sleep(answer.delayMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
    byte[] response = answer.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(answer.status(), response.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(response);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
