package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.cli.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ws://} and {@code wss://} in and out: the real command reads a feed from a Jetty
 * WebSocket server (sending {@code --source-subscribe} and {@code --source-header}) and sends
 * each result to another path on the same server (with {@code --sink-subscribe} and
 * {@code --sink-header}).
 */
@Timeout(90)
@Tag("broker")
class RunWebSocketTest {

  private static final int MESSAGES = 20;
  /** One byte over the source's default maxMessageSize (1 MiB). */
  private static final int OVERSIZE = (1 << 20) + 1;
  private static final Pattern METRICS =
      Pattern.compile("sluice run: metrics on (http://127\\.0\\.0\\.1:\\d+)/metrics");

  @TempDir
  Path dir;

  private final Map<String, String> feedHeaders = new ConcurrentHashMap<>();
  private final List<String> feedReceived = new CopyOnWriteArrayList<>();
  private final Map<String, String> sinkHeaders = new ConcurrentHashMap<>();
  private final List<String> results = new CopyOnWriteArrayList<>();
  private Server server;

  /**
   * /feed: once the client sends "subscribe", sends m1..m20. /big: once subscribed, a text one
   * byte over 1 MiB, then "after". /results: keeps what arrives. With {@code keyStore}, TLS.
   */
  private int startServer(Path keyStore, String keyStorePassword) throws Exception {
    server = new Server();
    ServerConnector connector;
    if (keyStore != null) {
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setKeyStorePath(keyStore.toString());
      ssl.setKeyStorePassword(keyStorePassword);
      ssl.setKeyStoreType("PKCS12");
      connector = new ServerConnector(server, ssl);
    } else {
      connector = new ServerConnector(server);
    }
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    server.setHandler(WebSocketUpgradeHandler.from(server, container -> {
      container.setMaxTextMessageSize(4 << 20);
      container.addMapping("/*", (request, response, callback) -> {
        String path = request.getHttpURI().getPath();
        if (path.equals("/results")) {
          request.getHeaders().forEach(f -> sinkHeaders.put(f.getLowerCaseName(), f.getValue()));
          return new Collector(results);
        }
        request.getHeaders().forEach(f -> feedHeaders.put(f.getLowerCaseName(), f.getValue()));
        return new Feed(feedReceived, path.equals("/big")
            ? Stream.of("x".repeat(OVERSIZE), "after").toList()
            : IntStream.rangeClosed(1, MESSAGES).mapToObj(i -> "m" + i).toList());
      });
    }));
    server.start();
    return connector.getLocalPort();
  }

  /** Jetty calls listeners reflectively: they must be public classes. */
  public static final class Feed implements Session.Listener.AutoDemanding {
    private final List<String> received;
    private final List<String> toSend;
    private volatile Session session;

    Feed(List<String> received, List<String> toSend) {
      this.received = received;
      this.toSend = toSend;
    }

    @Override
    public void onWebSocketOpen(Session opened) {
      session = opened;
    }

    @Override
    public void onWebSocketText(String text) {
      received.add(text);
      if (text.equals("subscribe")) {
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

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.stop();
    }
  }

  private static void awaitOrExplain(SluiceProcess run, Callable<Boolean> condition,
      Supplier<String> context) {
    try {
      await().atMost(Duration.ofSeconds(60))
          .failFast("the command ended", () -> !run.isAlive())
          .until(condition);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(context.get() + ", stderr " + run.err(), e);
    }
  }

  private static List<String> expectedResults() {
    return IntStream.rangeClosed(1, MESSAGES).mapToObj(i -> "got-m" + i).toList();
  }

  @Test
  void aWebSocketSinkNobodyListensAtFailsTheRunInOneLineWithoutJavaNames() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    SluiceProcess run = SluiceProcess.run(dir, "hello\n", "run", "--exec", "cat", "--quiet",
        "--sink", "ws://127.0.0.1:" + closedPort + "/scores");

    assertThat(run.exitCode()).isEqualTo(1);
    List<String> failures = run.err().stream().filter(l -> l.contains("failed")).toList();
    assertThat(failures).singleElement().asString()
        .startsWith("sluice run: the run failed: sink failed: ws://127.0.0.1:" + closedPort)
        .contains("nothing listens there (connection refused)")
        .doesNotContain("java.", "Exception");
  }

  @Test
  void subscribeMessagesAndHeadersReachTheServerForSourceAndSinkAndSecretsAreNeverPrinted()
      throws Exception {
    int port = startServer(null, null);
    Path token = Files.writeString(dir.resolve("token"), "Bearer s3cr3t-from-file\n");
    try (SluiceProcess run = SluiceProcess.start(dir, "run",
        "--source", "ws://127.0.0.1:" + port + "/feed?token=s3cr3t-query",
        "--source-subscribe", "subscribe", "--source-header", "Authorization=@file:" + token,
        "--source-header", "X-Feed=plain",
        "--exec", "sed -u s/^/got-/", "--workers", "3", "--ordering", "ordered",
        "--sink", "ws://127.0.0.1:" + port + "/results",
        "--sink-subscribe", "hello from the sink", "--sink-header", "X-Sink-Key=s3cr3t-sink")) {
      awaitOrExplain(run, () -> results.size() >= MESSAGES + 1,
          () -> "results " + results + ", feed got " + feedReceived);

      assertThat(results.get(0)).isEqualTo("hello from the sink");
      assertThat(results.subList(1, results.size())).containsExactlyElementsOf(expectedResults());
      assertThat(feedReceived).containsExactly("subscribe");
      assertThat(feedHeaders).containsEntry("authorization", "Bearer s3cr3t-from-file")
          .containsEntry("x-feed", "plain").doesNotContainKey("x-sink-key");
      assertThat(sinkHeaders).containsEntry("x-sink-key", "s3cr3t-sink")
          .doesNotContainKey("authorization").doesNotContainKey("x-feed");

      run.terminate();
      assertThat(run.awaitExit()).as("stderr: %s", run.err()).isZero();
      assertThat(String.join("\n", run.err())).doesNotContain("s3cr3t")
          .contains("token=***");
      assertThat(String.join("\n", run.out())).doesNotContain("s3cr3t");
    }
  }

  @Test
  void theMetricsEndpointShowsTheFeedsConnectionStateAsItChanges() throws Exception {
    int port = startServer(null, null);
    try (SluiceProcess run = SluiceProcess.start(dir, "run",
        "--source", "ws://127.0.0.1:" + port + "/feed", "--source-subscribe", "subscribe",
        "--exec", "cat", "--metrics-port", "0")) {
      awaitOrExplain(run, () -> run.out().size() >= MESSAGES, () -> "out " + run.out());
      String base = run.err().stream().map(METRICS::matcher).filter(Matcher::matches)
          .findFirst().orElseThrow().group(1);
      assertThat(stats(base)).containsEntry("sourceState", "connected")
          .containsEntry("source", "connected")
          // every message delivered: nothing waits in the feed's receive buffer
          .containsEntry("sourceBacklog", 0L);
      assertThat(fetch(base + "/metrics")).containsPattern(
          "sluice_source_state\\{pipeline=\"sluice\",state=\"connected\"} 1(\\.0)?\n");

      server.stop();     // the feed is lost: the source backs off and tries again
      await().atMost(Duration.ofSeconds(30)).until(() -> !"connected".equals(
          stats(base).get("sourceState")));
      assertThat(stats(base).get("sourceState")).isIn("backing_off", "connecting");
      assertThat(fetch(base + "/metrics")).containsPattern(
          "sluice_source_state\\{pipeline=\"sluice\",state=\"connected\"} 0(\\.0)?\n");
      run.terminate();
    }
  }

  private static String fetch(String url) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url).isEqualTo(200);
    return response.body();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> stats(String base) throws Exception {
    return (Map<String, Object>) Json.parse(fetch(base + "/stats.json"));
  }

  @Test
  void anOversizeMessageIsDeadLetteredWithItsCauseTheFeedGoesOnAndFailOnDeadLetterCountsIt()
      throws Exception {
    int port = startServer(null, null);
    Path deadLetters = dir.resolve("dead.jsonl");
    Path out = dir.resolve("out.txt");
    try (SluiceProcess run = SluiceProcess.start(dir, "run",
        "--source", "ws://127.0.0.1:" + port + "/big", "--source-subscribe", "subscribe",
        "--exec", "sed -u s/^/got-/", "--workers", "2",
        "--sink", "file:" + out, "--dead-letter", "file:" + deadLetters,
        "--fail-on-dead-letter")) {
      awaitOrExplain(run, () -> Files.exists(out) && Files.readAllLines(out).contains("got-after")
          && Files.exists(deadLetters) && !Files.readAllLines(deadLetters).isEmpty(),
          () -> "feed got " + feedReceived);

      run.terminate();
      assertThat(run.awaitExit()).as("stderr: %s", run.err())
          .isEqualTo(SluiceCommand.DEAD_LETTERS);
      assertThat(run.err()).contains("sluice run: 1 message(s) dead-lettered");
      assertThat(run.err()).anySatisfy(line -> assertThat(line).contains("dead 1,"));
      List<String> letters = Files.readAllLines(deadLetters);
      assertThat(letters).hasSize(1);
      assertThat(letters.get(0))
          .contains("\"topic\":\"ws://127.0.0.1:" + port + "/big\"")
          .contains("\"attempts\":0")
          .contains("\"error\":\"message of " + OVERSIZE + " bytes exceeds maxMessageSize "
              + (1 << 20) + "\"");
      assertThat(Files.readAllLines(out)).containsExactly("got-after");
    }
  }

  @Test
  void wssSourceAndSinkTrustASelfSignedServerThroughTheTrustStore() throws Exception {
    Path keyStore = dir.resolve("server.p12");
    Path certificate = dir.resolve("server.cer");
    Path trustStore = dir.resolve("trust.p12");
    keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
        "-keystore", keyStore.toString(), "-storetype", "PKCS12",
        "-storepass", "server-pass", "-keypass", "server-pass");
    keytool("-exportcert", "-alias", "server", "-keystore", keyStore.toString(),
        "-storepass", "server-pass", "-file", certificate.toString());
    keytool("-importcert", "-noprompt", "-alias", "server", "-file", certificate.toString(),
        "-keystore", trustStore.toString(), "-storetype", "PKCS12", "-storepass", "trust-pass");
    Path password = Files.writeString(dir.resolve("trust-password"), "trust-pass\n");
    int port = startServer(keyStore, "server-pass");

    try (SluiceProcess run = SluiceProcess.start(dir, "run",
        "--source", "wss://127.0.0.1:" + port + "/feed", "--source-subscribe", "subscribe",
        "--trust-store", trustStore.toString(), "--trust-store-password-file",
        password.toString(),
        "--exec", "sed -u s/^/got-/", "--workers", "2", "--ordering", "ordered",
        "--sink", "wss://127.0.0.1:" + port + "/results")) {
      awaitOrExplain(run, () -> results.size() >= MESSAGES, () -> "results " + results);

      assertThat(results).containsExactlyElementsOf(expectedResults());
      run.terminate();
      assertThat(run.awaitExit()).as("stderr: %s", run.err()).isZero();
      assertThat(String.join("\n", run.err())).doesNotContain("trust-pass");
    }
  }

  private static void keytool(String... args) throws Exception {
    String[] argv = new String[args.length + 1];
    argv[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    System.arraycopy(args, 0, argv, 1, args.length);
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as("keytool %s: %s", args[0], output).isZero();
  }
}
