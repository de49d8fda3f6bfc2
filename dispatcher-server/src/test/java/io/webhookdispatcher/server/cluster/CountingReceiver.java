package io.webhookdispatcher.server.cluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * A webhook receiver on 127.0.0.1 that responds to every request with 200 at once. It counts the
 * requests that got that response and their distinct {@code webhook-id} values.
 */
final class CountingReceiver implements AutoCloseable {
  private static final int HANDLER_THREADS = 16;
  private static final int BACKLOG = 1024;

  private final HttpServer server;
  private final ExecutorService handlers = Executors.newFixedThreadPool(HANDLER_THREADS);
  private final AtomicLong responded = new AtomicLong();
  private final Set<String> distinctIds = ConcurrentHashMap.newKeySet();

  private CountingReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG);
    server.setExecutor(handlers);
    server.createContext("/", this::handle);
    server.start();
  }

  static CountingReceiver start() throws IOException {
    return new CountingReceiver();
  }

  /** Returns the URL of a path on this receiver. */
  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** Returns the number of requests that got a 200 response, duplicates included. */
  long requests() {
    return responded.get();
  }

  /** Returns the number of distinct webhook ids that got a 200 response. */
  int distinctIds() {
    return distinctIds.size();
  }

  /** Returns the number of requests beyond the first for each webhook id. */
  long duplicates() {
    return responded.get() - distinctIds.size();
  }

  /** Returns whether every id got a 200 response at least once. */
  boolean receivedAll(Collection<String> ids) {
    return distinctIds.containsAll(ids);
  }

  /** Returns the ids among {@code ids} that never got a 200 response. */
  Set<String> missing(Collection<String> ids) {
    return ids.stream().filter(id -> !distinctIds.contains(id)).collect(Collectors.toSet());
  }

  private void handle(HttpExchange exchange) {
    try (exchange;
        InputStream body = exchange.getRequestBody()) {
      body.readAllBytes();
      String id = exchange.getRequestHeaders().getFirst("webhook-id");
      exchange.sendResponseHeaders(200, -1);
      responded.incrementAndGet();
      distinctIds.add(id);
    } catch (IOException e) {
      // The sender closed the connection before the response, so this request is not counted.
    }
  }

  @Override
  public void close() {
    server.stop(0);
    handlers.shutdownNow();
  }
}
