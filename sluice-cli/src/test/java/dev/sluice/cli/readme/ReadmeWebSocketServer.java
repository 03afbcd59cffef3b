package dev.sluice.cli.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The README's WebSocket endpoints, on loopback: a feed (any path but {@code /scores}) that
 * sends its messages once it receives the snippet's subscribe message, on a TLS port whose
 * certificate is signed by the test CA; and {@code /scores}, which keeps every text it
 * receives, on a plain port. Records the handshake headers each side got. Thread-safe: Jetty's
 * threads write the lists and maps, the test thread reads them.
 */
final class ReadmeWebSocketServer implements AutoCloseable {

  final List<String> feedReceived = new CopyOnWriteArrayList<>();
  final Map<String, String> feedHeaders = new ConcurrentHashMap<>();
  final List<String> scores = new CopyOnWriteArrayList<>();
  final Map<String, String> scoresHeaders = new ConcurrentHashMap<>();
  private final Server server = new Server();
  private final ServerConnector tls;
  private final ServerConnector plain;

  /** Starts it: the feed sends {@code feed} after receiving {@code subscribe}. */
  ReadmeWebSocketServer(TestCa ca, String subscribe, List<String> feed) throws Exception {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(ca.serverKeyStore("server-pass"));
    ssl.setKeyStorePassword("server-pass");
    tls = new ServerConnector(server, ssl);
    tls.setHost("127.0.0.1");
    plain = new ServerConnector(server);
    plain.setHost("127.0.0.1");
    server.addConnector(tls);
    server.addConnector(plain);
    server.setHandler(WebSocketUpgradeHandler.from(server, container -> {
      container.setMaxTextMessageSize(4 << 20);
      container.addMapping("/*", (request, response, callback) -> {
        boolean isScores = request.getHttpURI().getPath().equals("/scores");
        Map<String, String> headers = isScores ? scoresHeaders : feedHeaders;
        request.getHeaders().forEach(f -> headers.put(f.getLowerCaseName(), f.getValue()));
        return isScores ? new Collector(scores) : new Feed(feedReceived, subscribe, feed);
      });
    }));
    server.start();
  }

  /** The feed's TLS port. */
  int tlsPort() {
    return tls.getLocalPort();
  }

  /** The plain port, for {@code ws://…/scores}. */
  int plainPort() {
    return plain.getLocalPort();
  }

  /** A text one byte over the WebSocket source's default maximum message size (1 MiB). */
  static String oversize() {
    String text = "x".repeat((1 << 20) + 1);
    assertThat(text.getBytes(StandardCharsets.UTF_8)).hasSize((1 << 20) + 1);
    return text;
  }

  /** Jetty calls listeners reflectively: they must be public classes. */
  public static final class Feed implements Session.Listener.AutoDemanding {
    private final List<String> received;
    private final String subscribe;
    private final List<String> toSend;
    private volatile Session session;

    Feed(List<String> received, String subscribe, List<String> toSend) {
      this.received = received;
      this.subscribe = subscribe;
      this.toSend = toSend;
    }

    @Override
    public void onWebSocketOpen(Session opened) {
      session = opened;
    }

    @Override
    public void onWebSocketText(String text) {
      received.add(text);
      if (text.equals(subscribe)) {
        toSend.forEach(m -> session.sendText(m, Callback.NOOP));
      }
    }
  }

  /** Keeps every text that arrives. */
  public static final class Collector implements Session.Listener.AutoDemanding {
    private final List<String> texts;

    Collector(List<String> texts) {
      this.texts = texts;
    }

    @Override
    public void onWebSocketText(String text) {
      texts.add(text);
    }
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
