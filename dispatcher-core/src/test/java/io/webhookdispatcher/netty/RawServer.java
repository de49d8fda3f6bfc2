package io.webhookdispatcher.netty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server on 127.0.0.1 that runs a script on each accepted socket, for misbehaving servers:
 * silent, dripping, resetting or streaming without end.
 */
final class RawServer implements AutoCloseable {

  /** What the server does with one accepted connection. */
  interface Script {
    void run(Socket socket) throws Exception;
  }

  private final ServerSocket serverSocket;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final AtomicInteger acceptedConnections = new AtomicInteger();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Script script;

  private RawServer(Script script) throws IOException {
    this.script = script;
    this.serverSocket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    threads.execute(this::acceptLoop);
  }

  static RawServer start(Script script) throws IOException {
    return new RawServer(script);
  }

  /** Returns a port on 127.0.0.1 that nothing listens on. */
  static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  /** Reads one request head and its Content-Length body from the socket. */
  static void readRequest(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("client closed the connection inside the request head");
      }
      head.write(b);
    }
    int contentLength = 0;
    for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        contentLength = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    in.readNBytes(contentLength);
  }

  /** Blocks until the client closes the connection. */
  static void awaitClientClose(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    while (in.read() >= 0) {
      // Discard anything else the client sends.
    }
  }

  int port() {
    return serverSocket.getLocalPort();
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
      threads.execute(() -> runScript(socket));
    }
  }

  private void runScript(Socket socket) {
    try (socket) {
      script.run(socket);
    } catch (Exception e) {
      // The client closed or reset the connection, which is what most scripts wait for.
    }
  }
}
