package io.webhookdispatcher.netty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy on 127.0.0.1 that serves {@code CONNECT} only. It records the request line and the
 * {@code Proxy-Authorization} header of each request, then acts as it was started: it responds
 * with 200 and relays bytes, responds with an error status, or never responds.
 *
 * <p>A tunnelling proxy connects only to 127.0.0.1, for the targets {@code localhost} and {@code
 * 127.0.0.1}, and responds with 502 for any other host, so that no test traffic leaves the machine.
 */
final class TestConnectProxy implements AutoCloseable {

  /** One {@code CONNECT} request as the proxy received it. */
  record ConnectRequest(String requestLine, String proxyAuthorization) {}

  private enum Mode {
    TUNNEL,
    REJECT,
    SILENT
  }

  private static final Set<String> RELAYED_HOSTS = Set.of("localhost", "127.0.0.1");
  private static final int MAX_HEAD_BYTES = 8192;

  private final Mode mode;
  private final String rejection;
  private final ServerSocket serverSocket;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<ConnectRequest> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger acceptedConnections = new AtomicInteger();

  private TestConnectProxy(Mode mode, String rejection) throws IOException {
    this.mode = mode;
    this.rejection = rejection;
    this.serverSocket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    threads.execute(this::acceptLoop);
  }

  /** Starts a proxy that responds with 200 and relays bytes to 127.0.0.1. */
  static TestConnectProxy tunnelling() throws IOException {
    return new TestConnectProxy(Mode.TUNNEL, null);
  }

  /**
   * Starts a proxy that responds to every {@code CONNECT} with {@code status} and an empty body,
   * and with a {@code Proxy-Authenticate} challenge for 407.
   */
  static TestConnectProxy rejecting(int status, String reasonPhrase) throws IOException {
    return new TestConnectProxy(Mode.REJECT, errorResponse(status, reasonPhrase));
  }

  /** Starts a proxy that reads each {@code CONNECT} and never responds to it. */
  static TestConnectProxy silent() throws IOException {
    return new TestConnectProxy(Mode.SILENT, null);
  }

  int port() {
    return serverSocket.getLocalPort();
  }

  /** Returns the proxy's URI, {@code http://127.0.0.1:port}. */
  String uri() {
    return "http://127.0.0.1:" + port();
  }

  List<ConnectRequest> requests() {
    return requests;
  }

  int acceptedConnections() {
    return acceptedConnections.get();
  }

  @Override
  public void close() throws IOException {
    serverSocket.close();
    for (Socket socket : sockets) {
      socket.close();
    }
    threads.shutdownNow();
    try {
      threads.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    while (!serverSocket.isClosed()) {
      Socket socket;
      try {
        socket = serverSocket.accept();
      } catch (IOException e) {
        return;
      }
      acceptedConnections.incrementAndGet();
      sockets.add(socket);
      threads.execute(() -> serve(socket));
    }
  }

  private void serve(Socket client) {
    try (client) {
      List<String> head = readHead(client.getInputStream());
      String requestLine = head.get(0);
      requests.add(new ConnectRequest(requestLine, header(head, "proxy-authorization")));
      switch (mode) {
        case TUNNEL -> tunnel(client, requestLine);
        case REJECT -> respondAndWait(client, rejection);
        case SILENT -> RawServer.awaitClientClose(client);
      }
    } catch (IOException e) {
      // The client closed or reset the connection, or the proxy is closing.
    }
  }

  private void tunnel(Socket client, String requestLine) throws IOException {
    String[] parts = requestLine.split(" ");
    int colon = parts.length == 3 ? parts[1].lastIndexOf(':') : -1;
    String host = colon > 0 ? parts[1].substring(0, colon) : "";
    if (!parts[0].equals("CONNECT") || !RELAYED_HOSTS.contains(host)) {
      respondAndWait(client, errorResponse(502, "Bad Gateway"));
      return;
    }
    int port = Integer.parseInt(parts[1].substring(colon + 1));
    Socket upstream = new Socket(InetAddress.getByName("127.0.0.1"), port);
    sockets.add(upstream);
    client
        .getOutputStream()
        .write(
            "HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    threads.execute(() -> copy(upstream, client));
    copy(client, upstream);
  }

  /** Copies bytes until either side ends, then closes both sockets. */
  private static void copy(Socket from, Socket to) {
    try {
      from.getInputStream().transferTo(to.getOutputStream());
    } catch (IOException e) {
      // One side closed; the finally block ends the other.
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void respondAndWait(Socket client, String response) throws IOException {
    OutputStream out = client.getOutputStream();
    out.write(response.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    RawServer.awaitClientClose(client);
  }

  private static String errorResponse(int status, String reasonPhrase) {
    String challenge = status == 407 ? "Proxy-Authenticate: Basic realm=\"test\"\r\n" : "";
    return "HTTP/1.1 "
        + status
        + " "
        + reasonPhrase
        + "\r\n"
        + challenge
        + "Content-Length: 0\r\n\r\n";
  }

  /** Reads the request head up to the blank line and returns its lines. */
  private static List<String> readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("client closed the connection inside the request head");
      }
      if (head.size() >= MAX_HEAD_BYTES) {
        throw new IOException("request head is longer than " + MAX_HEAD_BYTES + " bytes");
      }
      head.write(b);
    }
    return List.of(head.toString(StandardCharsets.ISO_8859_1).split("\r\n"));
  }

  private static String header(List<String> head, String name) {
    for (String line : head.subList(1, head.size())) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Already closed.
    }
  }
}
