package io.webhookdispatcher.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A webhook receiver on 127.0.0.1 that records every request and responds with the planned statuses
 * in turn, then with its default status.
 */
final class Receiver implements AutoCloseable {

  /** One received request: lowercase header names to their first value, and the raw body. */
  record Received(Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Integer> plannedStatuses = new ConcurrentLinkedQueue<>();
  private final int defaultStatus;

  private Receiver(int defaultStatus) throws IOException {
    this.defaultStatus = defaultStatus;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts a receiver whose default status is 200. */
  static Receiver start() throws IOException {
    return new Receiver(200);
  }

  /** Starts a receiver whose default status is {@code status}. */
  static Receiver respondingWith(int status) throws IOException {
    return new Receiver(status);
  }

  /** Plans the statuses of the next requests, one each, before the default status returns. */
  Receiver thenRespondWith(int... statuses) {
    for (int status : statuses) {
      plannedStatuses.add(status);
    }
    return this;
  }

  /** Returns the URL of a path on this receiver. */
  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** Returns the requests received so far, oldest first. */
  List<Received> received() {
    return new ArrayList<>(received);
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    Map<String, String> headers = new TreeMap<>();
    exchange
        .getRequestHeaders()
        .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
    received.add(new Received(headers, body));
    Integer planned = plannedStatuses.poll();
    int status = planned != null ? planned : defaultStatus;
    byte[] reply = ("status " + status).getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, reply.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(reply);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
