package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ws://} in and out: the real command reads a feed from a Jetty WebSocket server
 * (after sending the subscribe message, with a secret header) and sends each result back to
 * another path on the same server.
 */
@Timeout(90)
class RunWebSocketTest {

  private static final int MESSAGES = 20;

  @TempDir
  Path dir;

  private final Map<String, String> feedHeaders = new ConcurrentHashMap<>();
  private final List<String> feedReceived = new CopyOnWriteArrayList<>();
  private final List<String> results = new CopyOnWriteArrayList<>();
  private Server server;

  /** /feed: once the client sends "subscribe", sends m1..m20. /results: keeps what arrives. */
  private int startServer() throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    server.setHandler(WebSocketUpgradeHandler.from(server, container -> {
      container.addMapping("/*", (request, response, callback) -> {
        if (request.getHttpURI().getPath().equals("/results")) {
          return new Collector(results);
        }
        request.getHeaders().forEach(f -> feedHeaders.put(f.getLowerCaseName(), f.getValue()));
        return new Feed(feedReceived);
      });
    }));
    server.start();
    return connector.getLocalPort();
  }

  /** Jetty calls listeners reflectively: they must be public classes. */
  public static final class Feed implements Session.Listener.AutoDemanding {
    private final List<String> received;
    private volatile Session session;

    Feed(List<String> received) {
      this.received = received;
    }

    @Override
    public void onWebSocketOpen(Session opened) {
      session = opened;
    }

    @Override
    public void onWebSocketText(String text) {
      received.add(text);
      if (text.equals("subscribe")) {
        for (int i = 1; i <= MESSAGES; i++) {
          session.sendText("m" + i, Callback.NOOP);
        }
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

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void aFeedIsSubscribedToProcessedInOrderAndSentBackWithTheSecretHeaderNeverPrinted()
      throws Exception {
    int port = startServer();
    try (SluiceProcess run = SluiceProcess.start(dir, "run",
        "--source", "ws://127.0.0.1:" + port + "/feed?token=s3cr3t-query",
        "--ws-subscribe", "subscribe", "--ws-header", "Authorization=Bearer s3cr3t-header",
        "--exec", "sed -u s/^/got-/", "--workers", "3", "--ordering", "ordered",
        "--sink", "ws://127.0.0.1:" + port + "/results")) {
      try {
        await().atMost(Duration.ofSeconds(60))
            .failFast("the command ended", () -> !run.isAlive())
            .until(() -> results.size() >= MESSAGES);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError("results " + results + ", feed got " + feedReceived
            + ", stderr " + run.err(), e);
      }

      assertThat(results).containsExactlyElementsOf(
          IntStream.rangeClosed(1, MESSAGES).mapToObj(i -> "got-m" + i).toList());
      assertThat(feedReceived).containsExactly("subscribe");
      assertThat(feedHeaders).containsEntry("authorization", "Bearer s3cr3t-header");

      run.terminate();
      assertThat(run.awaitExit()).as("stderr: %s", run.err()).isZero();
      assertThat(String.join("\n", run.err())).doesNotContain("s3cr3t")
          .contains("token=***");
    }
  }
}
