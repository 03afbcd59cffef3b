package dev.sluice.websocket;

import java.net.URI;
import java.time.Duration;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A real WebSocket server (Jetty 12) on 127.0.0.1 for the tests. Each connection runs the
 * test's {@link Script} on a thread of its own, so a script may block; sends are windowed
 * (at most 64 pending), so a flooding script is held back by TCP like a real server that
 * waits for its writes, and the server's own heap stays small.
 */
public final class TestServer implements AutoCloseable {

  /** What the server does with one connection, after it opens. */
  interface Script {
    void run(Conn conn) throws Exception;
  }

  private final Server server;
  private final int port;
  private final boolean tls;
  final List<Conn> connections = new CopyOnWriteArrayList<>();

  private TestServer(Script script, int port, Path keyStore, String password) throws Exception {
    this.tls = keyStore != null;
    server = new Server();
    ServerConnector connector;
    if (tls) {
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setKeyStorePath(keyStore.toString());
      ssl.setKeyStorePassword(password);
      ssl.setKeyStoreType("PKCS12");
      connector = new ServerConnector(server, ssl);
    } else {
      connector = new ServerConnector(server);
    }
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(WebSocketUpgradeHandler.from(server, container -> {
      container.setMaxTextMessageSize(16 << 20);
      container.setMaxBinaryMessageSize(16 << 20);
      container.addMapping("/*", (request, response, callback) -> {
        Map<String, String> headers = request.getHeaders().stream()
            .collect(Collectors.toMap(f -> f.getName().toLowerCase(), f -> f.getValue(),
                (a, b) -> a + "," + b));
        return new Conn(script, headers, request.getHttpURI().getPath());
      });
    }));
    server.start();
    this.port = connector.getLocalPort();
  }

  static TestServer start(Script script) throws Exception {
    return new TestServer(script, 0, null, null);
  }

  /** A new server on the port a stopped one had: a restart. */
  static TestServer startOn(int port, Script script) throws Exception {
    return new TestServer(script, port, null, null);
  }

  static TestServer startTls(Script script, Path keyStore, String password) throws Exception {
    return new TestServer(script, 0, keyStore, password);
  }

  int port() {
    return port;
  }

  URI uri(String path) {
    return URI.create((tls ? "wss" : "ws") + "://127.0.0.1:" + port + path);
  }

  /** Waits for the {@code n}-th connection (1-based). */
  Conn connection(int n) throws InterruptedException {
    Awaitility.await("connection " + n).atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(5)).until(() -> connections.size() >= n);
    return connections.get(n - 1);
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the test server: " + e, e);
    }
  }

  /** One server-side connection. */
  public final class Conn implements Session.Listener.AutoDemanding {
    private final Script script;
    final Map<String, String> headers;
    final String path;
    final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    /** Every text the client sent, in order, never consumed. */
    final List<String> log = new CopyOnWriteArrayList<>();
    final AtomicInteger pongs = new AtomicInteger();
    final AtomicLong sent = new AtomicLong();
    final CountDownLatch closed = new CountDownLatch(1);
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Semaphore window = new Semaphore(64);
    private volatile Session session;

    Conn(Script script, Map<String, String> headers, String path) {
      this.script = script;
      this.headers = headers;
      this.path = path;
    }

    @Override
    public void onWebSocketOpen(Session session) {
      this.session = session;
      connections.add(this);
      Thread thread = new Thread(() -> {
        try {
          script.run(this);
        } catch (Throwable t) {
          failure.set(t);
        }
      }, "test-server-script");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void onWebSocketText(String message) {
      log.add(message);
      texts.add(message);
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
      pongs.incrementAndGet();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
      closed.countDown();
      callback.succeed();
    }

    /** The next text the client sent, waiting up to 10 s. */
    String awaitText() throws InterruptedException {
      String text = texts.poll(10, TimeUnit.SECONDS);
      if (text == null) {
        throw new AssertionError("the client sent no text within 10 s");
      }
      return text;
    }

    void send(String text) throws InterruptedException {
      window.acquire();
      session.sendText(text, callback());
    }

    void sendPartial(String fragment, boolean last) throws InterruptedException {
      window.acquire();
      session.sendPartialText(fragment, last, callback());
    }

    void sendBinary(byte[] bytes) throws InterruptedException {
      window.acquire();
      session.sendBinary(ByteBuffer.wrap(bytes), callback());
    }

    void sendPartialBinary(byte[] bytes, boolean last) throws InterruptedException {
      window.acquire();
      session.sendPartialBinary(ByteBuffer.wrap(bytes), last, callback());
    }

    void ping(byte[] payload) throws InterruptedException {
      window.acquire();
      session.sendPing(ByteBuffer.wrap(payload), callback());
    }

    /** Waits until every send so far has been written to the socket. */
    void flush() throws InterruptedException {
      window.acquire(64);
      window.release(64);
    }

    void close(int code, String reason) throws InterruptedException {
      flush();
      session.close(code, reason, Callback.NOOP);
    }

    private Callback callback() {
      return Callback.from(() -> {
        sent.incrementAndGet();
        window.release();
      }, t -> {
        failure.compareAndSet(null, t);
        window.release();
      });
    }
  }
}
