package io.webhookdispatcher.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A webhook receiver on 127.0.0.1 that responds to every request with 200 at once. It counts the
 * requests and the distinct deliveries, a delivery being one {@code webhook-id} on one path.
 */
final class LoadReceiver implements AutoCloseable {
  private static final int HANDLER_THREADS = 8;
  private static final int BACKLOG = 1024;

  private final HttpServer server;
  private final ExecutorService handlers = Executors.newFixedThreadPool(HANDLER_THREADS);
  private final AtomicLong requests = new AtomicLong();
  private final Set<String> deliveries = ConcurrentHashMap.newKeySet();

  private LoadReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG);
    server.setExecutor(handlers);
    server.createContext("/", this::handle);
    server.start();
  }

  static LoadReceiver start() throws IOException {
    return new LoadReceiver();
  }

  /** Returns the URL of a path on this receiver. */
  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** Returns the number of requests that got a response, duplicates included. */
  long requests() {
    return requests.get();
  }

  /** Returns the number of distinct deliveries that got a response. */
  long distinctDeliveries() {
    return deliveries.size();
  }

  /** Forgets every count, before the next run. */
  void reset() {
    deliveries.clear();
    requests.set(0);
  }

  private void handle(HttpExchange exchange) {
    try (exchange;
        InputStream body = exchange.getRequestBody()) {
      body.readAllBytes();
      String id = exchange.getRequestHeaders().getFirst("webhook-id");
      exchange.sendResponseHeaders(200, -1);
      requests.incrementAndGet();
      deliveries.add(exchange.getRequestURI().getPath() + " " + id);
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
