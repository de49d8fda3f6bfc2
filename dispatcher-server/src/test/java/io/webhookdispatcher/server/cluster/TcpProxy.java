package io.webhookdispatcher.server.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on 127.0.0.1 in front of a database server, which a test cuts to take the database
 * away and restores on the same port. While cut, connections are refused and every connection that
 * was open is closed, as when the database server stops.
 */
final class TcpProxy implements AutoCloseable {
  private final InetSocketAddress upstream;
  private final int port;
  private final Set<Socket> openSockets = ConcurrentHashMap.newKeySet();
  private ServerSocket listener;
  private boolean cut;

  private TcpProxy(InetSocketAddress upstream) {
    this.upstream = upstream;
    this.listener = listen(0);
    this.port = listener.getLocalPort();
    acceptInBackground(listener);
  }

  /** Starts a proxy on an ephemeral loopback port that forwards to a server on loopback. */
  static TcpProxy start(int upstreamPort) {
    return new TcpProxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort));
  }

  /** Returns the port that clients connect to. */
  int port() {
    return port;
  }

  /** Stops accepting connections and closes every open one, in both directions. */
  synchronized void cut() {
    cut = true;
    closeQuietly(listener);
    listener = null;
    for (Socket socket : openSockets) {
      closeQuietly(socket);
    }
    openSockets.clear();
  }

  /** Accepts connections on the same port again. */
  synchronized void restore() {
    if (listener == null) {
      cut = false;
      listener = listen(port);
      acceptInBackground(listener);
    }
  }

  @Override
  public void close() {
    cut();
  }

  private static ServerSocket listen(int port) {
    try {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to listen on 127.0.0.1:" + port, e);
    }
  }

  private void acceptInBackground(ServerSocket socket) {
    Thread acceptor = new Thread(() -> acceptUntilClosed(socket), "proxy-accept-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void acceptUntilClosed(ServerSocket socket) {
    while (!socket.isClosed()) {
      try {
        connect(socket.accept());
      } catch (IOException e) {
        // The listener was closed by cut() or close(), or one upstream connection failed.
      }
    }
  }

  private void connect(Socket client) throws IOException {
    Socket server = new Socket();
    try {
      server.connect(upstream, 5000);
    } catch (IOException e) {
      closeQuietly(client);
      throw e;
    }
    synchronized (this) {
      if (cut) {
        closeQuietly(client);
        closeQuietly(server);
        return;
      }
      openSockets.add(client);
      openSockets.add(server);
    }
    pump(client, server);
    pump(server, client);
  }

  /** Copies bytes from one socket to the other until either closes, then closes both. */
  private void pump(Socket from, Socket to) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                  out.write(buffer, 0, read);
                  out.flush();
                }
              } catch (IOException e) {
                // One side closed or the proxy was cut.
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                openSockets.remove(from);
                openSockets.remove(to);
              }
            },
            "proxy-pump-" + port);
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      // Already closed.
    }
  }
}
