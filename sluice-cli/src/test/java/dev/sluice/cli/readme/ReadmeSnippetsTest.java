package dev.sluice.cli.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.sluice.Partition;
import dev.sluice.mqtt.broker.Mosquitto;
import dev.sluice.mqtt.broker.TestCertificates;
import dev.sluice.mqtt.broker.TlsTestBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code sh} and {@code java} block of README.md runs as written, against local servers,
 * and does what the README says it does.
 *
 * <p><b>Coverage.</b> {@link #SCENARIOS} maps a fingerprint (a piece of text only that block
 * holds) of every such block to the test method that runs it.
 * {@link #everyShellAndJavaBlockOfTheReadmeIsRunByAScenario} fails for a block no fingerprint
 * matches, so a new snippet cannot go untested. {@code text} and untyped blocks (usage
 * synopses, sample output, configuration) are not run; the demo's sample output and the
 * Mosquitto settings are checked by the scenarios that use them.
 *
 * <p><b>How a block runs.</b> A shell block runs with bash in a fresh sandbox directory
 * ({@link Sandbox}: {@code ./sluice} runs the command from the test classpath) holding the
 * fixtures the snippet assumes (an executable {@code ./score}, {@code input.txt}, secrets, a
 * CA). A complete Java class is compiled with the JDK's compiler and run in a child JVM; a
 * fragment is compiled inside {@link JavaFragment#program}, a class with the usual imports,
 * stand-ins for the README's "your code" methods, and an ending that waits for the test to
 * close stdin.
 * Long-running snippets are fed (MQTT messages, WebSocket messages), their results checked,
 * then stopped with SIGTERM, and must exit 0.
 *
 * <p><b>Substitutions</b> only point a snippet at the test's servers: {@link Readme.Block#replace}
 * fails when its text is no longer in the block, so a README edit cannot silently make a
 * scenario run something else. Each scenario lists its own.
 *
 * <p><b>Adding a block.</b> Add {@code SCENARIOS.put("distinctive text", "methodName")} and a
 * {@code @Test} method of that name that takes the block with {@code README.block("distinctive
 * text")}, applies its substitutions, runs it in a {@link Sandbox} and asserts what the README
 * promises. A block the test cannot run yet: still add a method, failing with the reason.
 *
 * <p>The snippets that take long as written, mostly asleep (the quick start's demo, the Squares
 * example, the two timelines of the article's run: 15 s each; the live page's run: 60 s),
 * start in {@link #startTheSlowSnippets} and run while the other scenarios do.
 *
 * <p>Commands that cannot run inside this test run (the quick start's {@code ./mvnw -B
 * verify}, the command that makes the README's pictures) are checked against what they name:
 * {@code .ci/run}, the test classes and methods and the property that enables them.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)   // the slow ones, started first, last
@Tag("broker")
class ReadmeSnippetsTest {

  static final Readme README = Readme.load();

  /** Fingerprint of each {@code sh}/{@code java} block → the test method that runs it. */
  static final Map<String, String> SCENARIOS = new LinkedHashMap<>();

  static {
    SCENARIOS.put("./mvnw -B verify", "quickStartRunsTheDemoAndItsTestCommandIsWhatCiRuns");
    SCENARIOS.put("./sluice demo --via mqtt", "demoViaMqttRunsThroughAnEmbeddedBroker");
    SCENARIOS.put("public class Squares", "squaresPrintsTheSquaresInArrivalOrder");
    SCENARIOS.put("WebSocketSource.builder(", "webSocketLibrarySnippetScoresAFeedIntoAWebSocket");
    SCENARIOS.put("--exec 'python3 score.py'", "runnerExample1ScoresStdinWithPythonInOrder");
    SCENARIOS.put("mqtt://scorer@broker", "runnerExample2ScoresMqttIntoMqttWithAShareGroup");
    SCENARIOS.put("--key-store client.pem",
        "runnerExample2OverTlsTrustsAPemCaAndPresentsAClientCertificate");
    SCENARIOS.put("--source wss://feed.example.com",
        "runnerExample3ScoresAWssFeedIntoAWebSocketWithSecretsFromFilesAndEnv");
    SCENARIOS.put("public class Upper", "runnerExample4RunsAJavaProcessorFromAJar");
    SCENARIOS.put("javac -cp sluice-cli/target/sluice.jar",
        "runnerExample4RunsAJavaProcessorFromAJar");
    SCENARIOS.put("MqttSource.builder()", "mqttLibrarySnippetWorksJobsIntoResultsAndDeadLetters");
    SCENARIOS.put("stdbuf -oL tr 0-9 a-j", "stdbufMakesABufferingChildAnswerEachLine");
    SCENARIOS.put("--partition \"$i/3\"",
        "threePartitionedCopiesEachScoreTheSymbolsThatHashToThem");
    SCENARIOS.put("cat > scorer.yaml", "mqttScaleOutPipelineFileChecksThenScoresIntoMqtt");
    SCENARIOS.put("./sluice demo --timeline run.html", "demoTimelineIsASelfContainedPage");
    SCENARIOS.put("public class Pictured", "libraryTimelineDrawsTheArticlesRun");
    SCENARIOS.put("generate:?count=600&interval=100ms",
        "livePageAndMetricsAreServedWhileTheRunRuns");
    SCENARIOS.put("public class Metered", "micrometerExampleRegistersTheCountersAndTimers");
    SCENARIOS.put("-Dsluice.docs.images=", "readmeImagesCommandNamesTestsThatMakeThem");
    SCENARIOS.put("./sluice plan --rate 1/s --service 5s", "planPrintsTheReadmesSampleExactly");
    SCENARIOS.put("--workers auto --ordering ordered", "workersAutoGrowsThePoolAndKeepsOrder");
    // SQS and competing consumers (scenarios at the end of the class)
    SCENARIOS.put("sqs://jobs?region=eu-west-1&visibility=30s",
        "sqsRunnerScoresJobsFromAQueueIntoAQueue");
    SCENARIOS.put("orders.fifo", "sqsFifoRunnerKeepsEachGroupInOrder");
    SCENARIOS.put("SqsSource.builder().endpoint(aws)",
        "sqsLibrarySnippetWorksJobsIntoResultsAndDeadLetters");
    SCENARIOS.put("./sluice demo --via sqs --consumers 5",
        "sqsDemoRunsTheArticlesTwoOptionsSideBySide");
  }

  private static final Duration RUN_LIMIT = Duration.ofSeconds(90);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  static Path classDir;
  private static TestCa testCa;
  private static final Map<String, Child> STARTED_EARLY = new ConcurrentHashMap<>();
  private static final Map<String, Throwable> START_FAILURES = new ConcurrentHashMap<>();
  private static final Map<String, Sandbox> EARLY_SANDBOXES = new ConcurrentHashMap<>();
  /** What the live page's scenario scraped while its run ran: path → body. */
  private static final CompletableFuture<Map<String, String>> LIVE_SCRAPE =
      new CompletableFuture<>();
  private static volatile int livePort;

  @TempDir
  Path dir;

  // ---------------------------------------------------------------- coverage

  @Test
  void everyShellAndJavaBlockOfTheReadmeIsRunByAScenario() {
    assertThat(coverageProblems(README)).as("README.md's blocks: %s", README.file()).isEmpty();
  }

  @Test
  void aNewShellBlockNoScenarioKnowsFailsTheCoverageCheckWithItsLine() throws IOException {
    Path copy = dir.resolve("README.md");
    Files.writeString(copy, Files.readString(README.file())
        + "\nNew section.\n\n```sh\n./sluice something-new\n```\n\n```text\nnot run\n```\n");
    Readme changed = Readme.parse(copy);
    int line = changed.blocks().get(changed.blocks().size() - 2).line();

    assertThat(coverageProblems(changed)).containsExactly("README block at line " + line
        + " (```sh) is not covered by ReadmeSnippetsTest: add a scenario (see its javadoc)");
  }

  /** What is wrong with the mapping of {@code readme}'s blocks to scenarios; empty if nothing. */
  private static List<String> coverageProblems(Readme readme) {
    List<String> problems = new ArrayList<>();
    for (Readme.Block block : readme.blocks()) {
      if (!block.runnable()) {
        continue;
      }
      List<String> covering = SCENARIOS.keySet().stream().filter(block.text()::contains).toList();
      if (covering.isEmpty()) {
        problems.add("README block at line " + block.line() + " (```" + block.info()
            + ") is not covered by ReadmeSnippetsTest: add a scenario (see its javadoc)");
      } else if (covering.size() > 1) {
        problems.add("README block at line " + block.line() + " matches several fingerprints "
            + covering + ": make them distinctive");
      }
    }
    for (Map.Entry<String, String> scenario : SCENARIOS.entrySet()) {
      List<Readme.Block> blocks = readme.matching(scenario.getKey());
      if (blocks.size() != 1 || !blocks.get(0).runnable()) {
        problems.add("fingerprint \"" + scenario.getKey() + "\" should match one sh or java "
            + "block but matches " + blocks.stream().map(b -> "line " + b.line() + " (```"
                + b.info() + ")").toList());
      }
      boolean isTest = java.util.Arrays.stream(ReadmeSnippetsTest.class.getDeclaredMethods())
          .anyMatch(m -> m.getName().equals(scenario.getValue())
              && m.isAnnotationPresent(Test.class));
      if (!isTest) {
        problems.add("scenario " + scenario.getValue() + " is not a @Test method of "
            + "ReadmeSnippetsTest");
      }
    }
    return problems;
  }

  // ---------------------------------------------------------------- the slow ones, started early

  /** What each started-early snippet needs to start, given its own sandbox. */
  private interface Starter {
    Child start(Sandbox sandbox) throws Exception;
  }

  /**
   * Starts the snippets that take long as written, mostly asleep, so that they run while the
   * other scenarios do; their tests, ordered last, only wait for them. To add one: a
   * {@code startEarly(fingerprint, sandbox -> ...)} line here, {@code startedEarly(fingerprint)}
   * in its test, which gets {@code @Order(Integer.MAX_VALUE)}.
   */
  @BeforeAll
  static void startTheSlowSnippets() {
    startEarly("./mvnw -B verify", ReadmeSnippetsTest::startQuickStartDemo);
    startEarly("public class Squares", sandbox -> {
      Readme.Block block = README.block("public class Squares");
      sandbox.file("Squares.java", block.text());
      sandbox.compile("Squares.java");
      return sandbox.java("README block at line " + block.line() + " (java)", Map.of(),
          List.of(), "Squares");
    });
    startEarly("./sluice demo --timeline run.html", sandbox ->
        sandbox.sh(README.block("./sluice demo --timeline run.html"), Map.of()));
    startEarly("public class Pictured", sandbox -> {
      Readme.Block block = README.block("public class Pictured");
      sandbox.file("Pictured.java", block.text());
      sandbox.compile("Pictured.java");
      return sandbox.java("README block at line " + block.line() + " (java)", Map.of(),
          List.of(), "Pictured");
    });
    startEarly("generate:?count=600&interval=100ms", ReadmeSnippetsTest::startLivePageRun);
  }

  /**
   * The live page's run (60 s as written) on a free port, and a thread that scrapes {@code /},
   * {@code /stats.json} and {@code /metrics} once messages are flowing, while it runs.
   */
  private static Child startLivePageRun(Sandbox sandbox) throws IOException {
    livePort = freePort();
    Child run = sandbox.sh(README.block("generate:?count=600&interval=100ms")
        .replace("--metrics-port 9400", "--metrics-port " + livePort), Map.of());
    CompletableFuture.runAsync(() -> {
      try {
        run.awaitUntil(RUN_LIMIT, "messages received in /metrics", () ->
            metrics(livePort).lines().anyMatch(l -> l.matches(
                "sluice_messages_received_total(\\{[^}]*\\})? [1-9].*")));
        Map<String, String> scraped = new LinkedHashMap<>();
        for (String path : List.of("/", "/stats.json", "/metrics")) {
          scraped.put(path, get(livePort, path));
        }
        LIVE_SCRAPE.complete(scraped);
      } catch (Throwable e) {
        LIVE_SCRAPE.completeExceptionally(e);
      }
    });
    return run;
  }

  private static void startEarly(String fingerprint, Starter starter) {
    try {
      Path sandbox = Files.createTempDirectory(classDir, "early-");
      Sandbox started = new Sandbox(sandbox);
      EARLY_SANDBOXES.put(fingerprint, started);
      STARTED_EARLY.put(fingerprint, starter.start(started));
    } catch (Throwable e) {
      START_FAILURES.put(fingerprint, e);
    }
  }

  /** The snippet {@link #startEarly} started, or its test fails with why it did not start. */
  private static Child startedEarly(String fingerprint) {
    Child child = STARTED_EARLY.get(fingerprint);
    if (child == null) {
      throw new AssertionError("the snippet \"" + fingerprint + "\" did not start",
          START_FAILURES.get(fingerprint));
    }
    return child;
  }

  @AfterAll
  static void stopTheSlowSnippets() {
    STARTED_EARLY.values().forEach(Child::close);
  }

  /**
   * The quick start: {@code ./sluice demo} runs; {@code ./mvnw -B verify} cannot run inside its
   * own test run, so that line is removed and checked against {@code .ci/run} instead.
   */
  private static Child startQuickStartDemo(Sandbox sandbox) {
    return sandbox.sh(README.block("./mvnw -B verify").replace(testCommandLine() + "\n", ""),
        Map.of());
  }

  /** The quick start's {@code ./mvnw} line, comment included. */
  private static String testCommandLine() {
    return README.block("./mvnw -B verify").text().lines()
        .filter(l -> l.startsWith("./mvnw")).findFirst().orElseThrow();
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void quickStartRunsTheDemoAndItsTestCommandIsWhatCiRuns() throws IOException {
    String testCommand = testCommandLine().replaceFirst("\\s*#.*$", "");
    assertThat(Files.readAllLines(README.root().resolve(".ci/run")))
        .as("the README's test command is the one .ci/run runs").contains(testCommand);

    Child run = startedEarly("./mvnw -B verify");
    assertThat(run.awaitExit(RUN_LIMIT)).as("%s", run).isZero();
    List<String> out = run.out();
    for (int i = 1; i <= 10; i++) {
      assertThat(out).as("%s", run).contains("main: Submitted Event[index=" + i + "]");
      String index = "Event[index=" + i + "]";
      assertThat(out).as("%s", run)
          .filteredOn(l -> l.matches("sluice-worker-\\d+: Starting processing \\Q" + index + "\\E"))
          .hasSize(1);
      assertThat(out).as("%s", run)
          .filteredOn(l -> l.matches("sluice-worker-\\d+: Finished processing \\Q" + index + "\\E"))
          .hasSize(1);
    }
    assertThat(out).as("%s", run).anyMatch(l -> l.startsWith("10 events in "));
    assertTheOutputHasTheShapeOfTheReadmeSample(out);
  }

  /**
   * Each line of the README's sample output (but "...") has the shape of a line of the real
   * output: the same words, any numbers. The utilisation line's verdict is left out: at exactly
   * 100% it tips between "keeping up" and "falling behind" by a millisecond of work; and its
   * first word: a sleep that overshoots by a few milliseconds on a busy machine makes the load
   * 101%, which the demo calls "load", not "utilisation".
   */
  private static void assertTheOutputHasTheShapeOfTheReadmeSample(List<String> out) {
    Readme.Block sample = README.block("main: Submitted Event[index=1]");
    Pattern number = Pattern.compile("\\d+(?:\\.\\d+)?(?:us|ms|s|m)?");
    for (String line : sample.text().lines().toList()) {
      if (line.equals("...")) {
        continue;
      }
      String expected = line.replaceFirst("(to keep it at or under 80%).*", "$1");
      StringBuilder regex = new StringBuilder();
      if (expected.startsWith("utilisation ")) {
        regex.append("(?:utilisation|load) ");
        expected = expected.substring("utilisation ".length());
      }
      Matcher m = number.matcher(expected);
      int at = 0;
      while (m.find()) {
        regex.append(Pattern.quote(expected.substring(at, m.start())))
            .append("\\d+(?:\\.\\d+)?(?:us|ms|s|m)?");
        at = m.end();
      }
      regex.append(Pattern.quote(expected.substring(at))).append(".*");
      assertThat(out).as("a line shaped like the README's sample line \"%s\" (README line %d)",
          line, sample.line()).anyMatch(l -> l.matches(regex.toString()));
    }
  }

  /** Not started early with the others: the embedded broker must start within 30 s. */
  @Test
  void demoViaMqttRunsThroughAnEmbeddedBroker() {
    try (Child run = new Sandbox(dir).sh(README.block("./sluice demo --via mqtt"), Map.of())) {
      assertThat(run.awaitExit(RUN_LIMIT)).as("%s", run).isZero();
      List<String> out = run.out();
      for (int i = 1; i <= 5; i++) {
        assertThat(out).as("%s", run).contains("main: Submitted Event[index=" + i + "]");
      }
      assertThat(out).as("%s", run).anyMatch(l -> l.startsWith("5 events in "))
          .anyMatch(l -> l.matches("via MQTT: embedded HiveMQ CE broker on "
              + "mqtt://127\\.0\\.0\\.1:\\d+, topic demo/events, QoS 1: 5 published and "
              + "confirmed, 5 received, 5 acked after processing, 0 left unacked.*"));
    }
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void squaresPrintsTheSquaresInArrivalOrder() {
    Child run = startedEarly("public class Squares");
    assertThat(run.awaitExit(RUN_LIMIT)).as("%s", run).isZero();
    assertThat(run.out()).as("%s", run).filteredOn(l -> l.startsWith("square "))
        .containsExactlyElementsOf(IntStream.rangeClosed(1, 10)
            .mapToObj(i -> "square " + (long) i * i).toList());
    assertThat(run.out().get(run.out().size() - 1)).as("%s", run)
        .startsWith("received 10, done 10, failed 0, dead 0");
  }

  // ---------------------------------------------------------------- the runner's examples

  @Test
  void runnerExample1ScoresStdinWithPythonInOrder() {
    assumeTrue(onPath("python3"), "python3 is not installed (.ci/run installs it): README "
        + "example 1 needs it");
    Sandbox sandbox = new Sandbox(dir);
    try (Child run = sandbox.sh(README.block("--exec 'python3 score.py'"), Map.of())) {
      assertThat(run.awaitExit(RUN_LIMIT)).as("%s", run).isZero();
    }
    assertThat(sandbox.lines("scores.txt")).containsExactlyElementsOf(IntStream
        .rangeClosed(1, 1000).mapToObj(i -> Integer.toString(Integer.toString(i).length() * 2))
        .toList());
    assertThat(sandbox.lines("failed.jsonl")).isEmpty();
  }

  @Test
  void runnerExample2ScoresMqttIntoMqttWithAShareGroup() throws Exception {
    Sandbox sandbox = new Sandbox(dir);
    sandbox.scorer();
    String password = "scorer-s3cr3t";
    int metricsPort = freePort();
    try (ReadmeBroker broker = ReadmeBroker.start(README,
        Files.createDirectory(dir.resolve("broker")), "scorer", password)) {
      Readme.Block block = README.block("mqtt://scorer@broker")
          .replace("SLUICE_MQTT_PASSWORD=…", "SLUICE_MQTT_PASSWORD='" + password + "'")
          .replace("@broker:1883/", "@127.0.0.1:" + broker.authPort() + "/")
          .replace("--metrics-port 9400", "--metrics-port " + metricsPort);
      scoresEachDevicesReadingsInOrder(sandbox, block, password,
          id -> broker.clientBuilder(id, "scorer", password),
          run -> run.awaitUntil(Duration.ofSeconds(30), "6 completed in /metrics", () ->
              metrics(metricsPort).lines().anyMatch(l -> l.matches(
                  "sluice_messages_completed_total(\\{[^}]*\\})? 6(\\.0)?"))));
    }
  }

  @Test
  void runnerExample2OverTlsTrustsAPemCaAndPresentsAClientCertificate() throws Exception {
    if (!Mosquitto.installed()) {
      assertThat(Mosquitto.requiredButMissing()).as("Mosquitto is missing where CI runs").isFalse();
      assumeTrue(false, "Mosquitto is not installed: the README's mqtts:// example needs its "
          + "TLS listener (the embedded broker has none)");
    }
    Sandbox sandbox = new Sandbox(dir);
    sandbox.scorer();
    String password = "scorer-s3cr3t";
    try (TlsTestBroker broker = TlsTestBroker.start(Files.createDirectory(dir.resolve("broker")),
        "scorer", password)) {
      TestCertificates certificates = broker.certificates();
      for (Path file : List.of(certificates.caCert(), certificates.clientCert(),
          certificates.clientKey())) {
        Files.copy(file, dir.resolve(file.getFileName().toString()));
      }
      sandbox.file("mqtt.pass", password + "\n");
      // the snippet on the listener that wants a client certificate; the test's own clients
      // on one that does not, of the same broker
      Readme.Block block = README.block("--key-store client.pem")
          .replace("@broker:8883/", "@127.0.0.1:" + broker.mutualPort() + "/");
      KeyStore caStore = KeyStore.getInstance("PKCS12");
      try (var in = Files.newInputStream(certificates.caP12())) {
        caStore.load(in, TestCertificates.STORE_PASSWORD.toCharArray());
      }
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(caStore);
      scoresEachDevicesReadingsInOrder(sandbox, block, password,
          id -> Mqtt5Client.builder().identifier(id)
              .serverHost("127.0.0.1").serverPort(broker.port())
              .sslConfig().trustManagerFactory(trust).applySslConfig()
              .simpleAuth().username("scorer")
              .password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth(),
          run -> { });
    }
  }

  /**
   * Example 2's promise, plain or over TLS: readings of two devices published to
   * {@code sensors/DEVICE/temp} come back scored on {@code scores/DEVICE}, each device's in
   * order; then SIGTERM drains and the command exits 0, the password never printed.
   * {@code client} configures the test's MQTT clients by client id; {@code whileRunning} checks
   * more once the results are in.
   */
  private static void scoresEachDevicesReadingsInOrder(Sandbox sandbox, Readme.Block block,
      String password, Function<String, Mqtt5ClientBuilder> client,
      Consumer<Child> whileRunning) throws Exception {
    // The devices publish before the snippet starts: its session (client-id scorer-1,
    // persistent, in share group "scorers") exists already and keeps them, as the README says
    // it does for a restarted copy. That also leaves no race with the snippet's subscribe.
    Mqtt5BlockingClient session = client.apply("scorer-1").buildBlocking();
    session.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
    session.subscribeWith().topicFilter("$share/scorers/sensors/#")
        .qos(MqttQos.AT_LEAST_ONCE).send();
    session.disconnect();

    List<String> results = new CopyOnWriteArrayList<>();
    Mqtt5BlockingClient resultReader = client.apply("readme-results").buildBlocking();
    resultReader.connect();
    resultReader.toAsync().subscribeWith().topicFilter("scores/#").qos(MqttQos.AT_LEAST_ONCE)
        .callback(p -> results.add(p.getTopic() + " " + text(p)))
        .send().get(10, TimeUnit.SECONDS);
    Mqtt5BlockingClient device = client.apply("readme-device").buildBlocking();
    device.connect();
    for (int i = 1; i <= 3; i++) {
      for (String room : List.of("kitchen", "hall")) {
        device.publishWith().topic("sensors/" + room + "/temp").qos(MqttQos.AT_LEAST_ONCE)
            .payload((room + i).getBytes(StandardCharsets.UTF_8)).send();
      }
    }

    try (Child run = sandbox.sh(block, Map.of())) {
      run.awaitUntil(RUN_LIMIT, "6 results on scores/#", () -> results.size() >= 6);
      assertThat(results).filteredOn(r -> r.startsWith("scores/kitchen "))
          .containsExactly("scores/kitchen scored kitchen1", "scores/kitchen scored kitchen2",
              "scores/kitchen scored kitchen3");
      assertThat(results).filteredOn(r -> r.startsWith("scores/hall "))
          .containsExactly("scores/hall scored hall1", "scores/hall scored hall2",
              "scores/hall scored hall3");
      whileRunning.accept(run);

      run.terminateSluice();
      assertThat(run.awaitExit(Duration.ofSeconds(60))).as("%s", run).isZero();
      assertThat(run.toString()).doesNotContain(password);
    } finally {
      device.disconnect();
      resultReader.disconnect();
    }
  }

  @Test
  void runnerExample3ScoresAWssFeedIntoAWebSocketWithSecretsFromFilesAndEnv() throws Exception {
    Sandbox sandbox = new Sandbox(dir);
    sandbox.scorer();
    sandbox.file("ca.pass", "ca-s3cr3t\n");
    testCa().writeTrustStore(dir.resolve("ca.p12"), "ca-s3cr3t");
    Path token = sandbox.file("run/secrets/feed-token", "Bearer feed-s3cr3t\n");
    String subscribe = "{\"op\":\"subscribe\",\"channel\":\"trades\"}";
    String oversize = ReadmeWebSocketServer.oversize();
    try (ReadmeWebSocketServer server = new ReadmeWebSocketServer(testCa(), subscribe,
        List.of("t1", "t2", "t3", oversize, "t4"))) {
      Readme.Block block = README.block("--source wss://feed.example.com")
          .replace("wss://feed.example.com/v1", "wss://127.0.0.1:" + server.tlsPort() + "/v1")
          .replace("/run/secrets/feed-token", token.toString())
          .replace("ws://127.0.0.1:8080/scores",
              "ws://127.0.0.1:" + server.plainPort() + "/scores");
      try (Child run = sandbox.sh(block, Map.of("SCORES_KEY", "scores-s3cr3t"))) {
        run.awaitUntil(RUN_LIMIT, "4 scores and a rejected line", () ->
            server.scores.size() >= 4 && sandbox.lines("rejected.jsonl").size() >= 1);
        assertThat(server.scores).containsExactly("scored t1", "scored t2", "scored t3",
            "scored t4");
        assertThat(server.feedReceived).containsExactly(subscribe);
        assertThat(server.feedHeaders).containsEntry("authorization", "Bearer feed-s3cr3t");
        assertThat(server.scoresHeaders).containsEntry("x-api-key", "scores-s3cr3t");
        assertThat(sandbox.lines("rejected.jsonl")).singleElement().asString()
            .contains("\"attempts\":0")
            .contains("exceeds maxMessageSize " + (1 << 20));

        run.terminateSluice();
        assertThat(run.awaitExit(Duration.ofSeconds(60))).as("%s", run).isZero();
        assertThat(run.toString()).doesNotContain("s3cr3t");
      }
    }
  }

  @Test
  void runnerExample4RunsAJavaProcessorFromAJar() {
    Sandbox sandbox = new Sandbox(dir);
    sandbox.file("demo/Upper.java", README.block("public class Upper").text());
    sandbox.fakeSluiceJar();
    sandbox.file("input.txt", "hello\nsluice readme\n");
    // javac and jar come with the JDK; a reader has them on PATH
    String path = Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH");
    try (Child run = sandbox.sh(README.block("javac -cp sluice-cli/target/sluice.jar"),
        Map.of("PATH", path))) {
      assertThat(run.awaitExit(RUN_LIMIT)).as("%s", run).isZero();
    }
    assertThat(sandbox.lines("out.txt")).containsExactly("HELLO", "SLUICE README");
  }

  // ---------------------------------------------------------------- the library's fragments

  @Test
  void webSocketLibrarySnippetScoresAFeedIntoAWebSocket() throws Exception {
    Sandbox sandbox = new Sandbox(dir);
    Path trustStore = dir.resolve("trust.p12");
    testCa().writeTrustStore(trustStore, "trust-pass");
    String subscribe = "{\"op\":\"subscribe\",\"channel\":\"trades\"}";
    try (ReadmeWebSocketServer server = new ReadmeWebSocketServer(testCa(), subscribe,
        List.of("t1", "t2", "t3", ReadmeWebSocketServer.oversize(), "t4"))) {
      Readme.Block block = README.block("WebSocketSource.builder(")
          .replace("wss://feed.example.com/v1", "wss://127.0.0.1:" + server.tlsPort() + "/v1")
          .replace("ws://127.0.0.1:8080/scores",
              "ws://127.0.0.1:" + server.plainPort() + "/scores");
      sandbox.file("Snippet.java", JavaFragment.program(block, ""));
      sandbox.compile("Snippet.java");
      // feed.example.com's certificate would be signed by a CA the JVM trusts by default; the
      // test CA stands in as the JVM's default trust store
      try (Child run = sandbox.java("README block at line " + block.line() + " (java)",
          Map.of("FEED_TOKEN", "Bearer feed-s3cr3t"),
          List.of("-Djavax.net.ssl.trustStore=" + trustStore,
              "-Djavax.net.ssl.trustStoreType=PKCS12",
              "-Djavax.net.ssl.trustStorePassword=trust-pass"), "Snippet")) {
        run.awaitUntil(RUN_LIMIT, "4 scores and a rejected line", () ->
            server.scores.size() >= 4 && sandbox.lines("rejected.txt").size() >= 1);
        assertThat(server.scores).containsExactlyInAnyOrder("scored t1", "scored t2",
            "scored t3", "scored t4");
        assertThat(server.feedReceived).containsExactly(subscribe);
        assertThat(server.feedHeaders).containsEntry("authorization", "Bearer feed-s3cr3t");
        assertThat(sandbox.lines("rejected.txt")).singleElement().asString()
            .contains("exceeds maxMessageSize " + (1 << 20));

        run.closeInput();
        assertThat(run.awaitExit(Duration.ofSeconds(60))).as("%s", run).isZero();
        assertThat(run.toString()).doesNotContain("s3cr3t");
      }
    }
  }

  @Test
  void mqttLibrarySnippetWorksJobsIntoResultsAndDeadLetters() throws Exception {
    Sandbox sandbox = new Sandbox(dir);
    try (ReadmeBroker broker = ReadmeBroker.start(README,
        Files.createDirectory(dir.resolve("broker")), "unused", "unused")) {
      Readme.Block block = README.block("MqttSource.builder()")
          .replace("127.0.0.1:1883/", "127.0.0.1:" + broker.openPort() + "/");
      sandbox.file("Snippet.java", JavaFragment.program(block,
          "source.subscribed().get(30, java.util.concurrent.TimeUnit.SECONDS);"));
      sandbox.compile("Snippet.java");

      List<String> received = new CopyOnWriteArrayList<>();
      Mqtt5BlockingClient reader = broker.client("readme-reader", null, null);
      for (String filter : List.of("results/#", "dead/#")) {
        reader.toAsync().subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE)
            .callback(p -> received.add(p.getTopic() + " " + text(p) + p.getUserProperties()
                .asList().stream().filter(u -> u.getName().toString().equals("sluice-cause"))
                .map(u -> " cause=" + u.getValue()).findFirst().orElse("")))
            .send().get(10, TimeUnit.SECONDS);
      }
      Mqtt5BlockingClient producer = broker.client("readme-producer", null, null);
      try (Child run = sandbox.java("README block at line " + block.line() + " (java)",
          Map.of(), List.of(), "Snippet")) {
        run.awaitOutLine(RUN_LIMIT, JavaFragment.STARTED::equals);
        for (String[] job : new String[][] {{"a", "job-1"}, {"b", "job-2"}, {"c", "poison"}}) {
          producer.publishWith().topic("jobs/" + job[0]).qos(MqttQos.AT_LEAST_ONCE)
              .userProperties().add("key", job[0]).applyUserProperties()
              .payload(job[1].getBytes(StandardCharsets.UTF_8)).send();
        }
        run.awaitUntil(RUN_LIMIT, "2 results and a dead letter", () -> received.size() >= 3);
        assertThat(received).filteredOn(r -> r.startsWith("results/"))
            .containsExactlyInAnyOrder("results/a worked job-1", "results/b worked job-2");
        assertThat(received).filteredOn(r -> r.startsWith("dead/")).singleElement().asString()
            .startsWith("dead/jobs/c poison").contains("cannot work on poison");

        run.closeInput();
        assertThat(run.awaitExit(Duration.ofSeconds(60))).as("%s", run).isZero();
      } finally {
        producer.disconnect();
        reader.disconnect();
      }
    }
  }

  // ---------------------------------------------------------------- exec, partitions, files

  @Test
  void stdbufMakesABufferingChildAnswerEachLine() {
    try (Child run = new Sandbox(dir).sh(README.block("stdbuf -oL tr 0-9 a-j"), Map.of())) {
      assertThat(run.awaitExit(RUN_LIMIT)).as("%s", run).isZero();
      assertThat(run.out()).as("%s", run).containsExactly("b", "c", "d");
    }
  }

  /**
   * Three copies on one feed: every message is scored once, by the copy its symbol hashes to
   * ({@link Partition#ownerOf}), so each symbol's results are all in one {@code scores-I.txt};
   * SIGTERM to the script reaches its trap, which stops the copies and waits for them.
   * Substitutions: the fixed metrics ports 9400-9402 become free ones.
   */
  @Test
  void threePartitionedCopiesEachScoreTheSymbolsThatHashToThem() throws Exception {
    Sandbox sandbox = new Sandbox(dir);
    String subscribe = "{\"op\":\"subscribe\",\"channel\":\"trades\"}";
    List<String> feed = new ArrayList<>();
    for (int n = 1; n <= 4; n++) {
      for (int s = 0; s < 9; s++) {
        feed.add("{\"symbol\":\"S" + s + "\",\"n\":" + n + "}");
      }
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (int i = 0; i < 3; i++) {
      env.put("README_METRICS_PORT_" + i, Integer.toString(freePort()));
    }
    try (ReadmeWebSocketServer server = new ReadmeWebSocketServer(testCa(), subscribe, feed)) {
      env.put("FEED_URL", "ws://127.0.0.1:" + server.plainPort() + "/trades");
      Readme.Block block = README.block("--partition \"$i/3\"")
          .replace("--metrics-port \"940$i\"", "--metrics-port \"$(printenv README_METRICS_PORT_$i)\"");
      try (Child run = sandbox.sh(block, env)) {
        run.awaitUntil(RUN_LIMIT, "36 scores in scores-0/1/2.txt", () -> IntStream.range(0, 3)
            .map(i -> sandbox.lines("scores-" + i + ".txt").size()).sum() >= feed.size());
        assertThat(server.feedReceived).as("each copy subscribes").hasSize(3)
            .containsOnly(subscribe);
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          List<String> lines = sandbox.lines("scores-" + i + ".txt");
          all.addAll(lines);
          for (String line : lines) {
            String symbol = line.replaceFirst("^scored:\\{\"symbol\":\"(S\\d)\".*$", "$1");
            assertThat(Partition.ownerOf(symbol, 3)).as("copy of %s in scores-%d.txt", line, i)
                .isEqualTo(i);
          }
        }
        assertThat(all).containsExactlyInAnyOrderElementsOf(
            feed.stream().map(m -> "scored:" + m).toList());
        assertThat(IntStream.range(0, 3).filter(i -> !sandbox.lines("scores-" + i + ".txt")
            .isEmpty()).count()).as("the symbols spread over more than one copy")
            .isGreaterThan(1);

        List<ProcessHandle> copies = run.descendants();
        assertThat(copies).as("the three copies' JVMs").filteredOn(p -> p.info().command()
            .map(c -> c.endsWith("/java")).orElse(false)).hasSize(3);
        run.terminate();
        // bash's own wait, interrupted by the trapped signal, ends the script: 128 + SIGTERM
        assertThat(run.awaitExit(Duration.ofSeconds(60))).as("%s", run).isEqualTo(143);
        assertThat(copies).as("copies the trap left running").noneMatch(ProcessHandle::isAlive);
        assertThat(run.err()).as("each copy drains on the trap's kill: %s", run)
            .filteredOn(l -> l.startsWith("sluice run: SIGTERM: draining")).hasSize(3);
      }
    }
  }

  /**
   * The MQTT scale-out pipeline file: {@code sluice check} accepts it, then the copy
   * {@code scorer-2} scores each device's readings (their length, from score.py) onto
   * {@code scores/DEVICE} in order, and drains on SIGTERM. Substitutions: none in the commands;
   * {@code MQTT_HOST}/{@code MQTT_PORT} point the file at the test's broker and its fixed
   * {@code metrics-port: 9400} becomes a free port.
   */
  @Test
  void mqttScaleOutPipelineFileChecksThenScoresIntoMqtt() throws Exception {
    assumeTrue(onPath("python3"), "python3 is not installed (.ci/run installs it): README's "
        + "pipeline file example needs it");
    Sandbox sandbox = new Sandbox(dir);
    int metricsPort = freePort();
    try (ReadmeBroker broker = ReadmeBroker.start(README,
        Files.createDirectory(dir.resolve("broker")), "unused", "unused")) {
      Readme.Block block = README.block("cat > scorer.yaml")
          .replace("metrics-port: 9400", "metrics-port: " + metricsPort);
      // scorer-2's persistent session in the share group exists before it starts, as for a
      // restarted copy: the readings published now wait there for it
      Mqtt5BlockingClient session = broker.clientBuilder("scorer-2", null, null).buildBlocking();
      session.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
      session.subscribeWith().topicFilter("$share/scorers/sensors/#")
          .qos(MqttQos.AT_LEAST_ONCE).send();
      session.disconnect();
      List<String> results = new CopyOnWriteArrayList<>();
      Mqtt5BlockingClient reader = broker.client("readme-scores", null, null);
      reader.toAsync().subscribeWith().topicFilter("scores/#").qos(MqttQos.AT_LEAST_ONCE)
          .callback(p -> results.add(p.getTopic() + " " + text(p)))
          .send().get(10, TimeUnit.SECONDS);
      Mqtt5BlockingClient device = broker.client("readme-sensor", null, null);
      Map<String, List<String>> readings = Map.of(
          "kitchen", List.of("21.5", "21.75", "22"), "hall", List.of("19", "19.25", "18.5"));
      for (int i = 0; i < 3; i++) {
        for (String room : List.of("kitchen", "hall")) {
          device.publishWith().topic("sensors/" + room + "/temp").qos(MqttQos.AT_LEAST_ONCE)
              .payload(readings.get(room).get(i).getBytes(StandardCharsets.UTF_8)).send();
        }
      }
      try (Child run = sandbox.sh(block, Map.of("MQTT_HOST", "127.0.0.1",
          "MQTT_PORT", Integer.toString(broker.openPort())))) {
        run.awaitUntil(RUN_LIMIT, "6 results on scores/#", () -> results.size() >= 6);
        assertThat(results).filteredOn(r -> r.startsWith("scores/kitchen "))
            .containsExactly("scores/kitchen 4", "scores/kitchen 5", "scores/kitchen 2");
        assertThat(results).filteredOn(r -> r.startsWith("scores/hall "))
            .containsExactly("scores/hall 2", "scores/hall 5", "scores/hall 4");
        assertThat(run.out()).as("sluice check prints the resolved run: %s", run)
            .anyMatch(l -> l.contains("python3 score.py"));
        run.awaitUntil(Duration.ofSeconds(30), "6 completed in /metrics", () ->
            metrics(metricsPort).lines().anyMatch(l -> l.matches(
                "sluice_messages_completed_total(\\{[^}]*\\})? 6(\\.0)?")));

        run.terminateSluice();
        assertThat(run.awaitExit(Duration.ofSeconds(60))).as("%s", run).isZero();
      } finally {
        device.disconnect();
        reader.disconnect();
      }
    }
  }

  // ---------------------------------------------------------------- pictures

  @Test
  @Order(Integer.MAX_VALUE)
  void demoTimelineIsASelfContainedPage() throws IOException {
    Child run = startedEarly("./sluice demo --timeline run.html");
    assertThat(run.awaitExit(RUN_LIMIT)).as("%s", run).isZero();
    assertTheArticlesRunIsDrawn(
        EARLY_SANDBOXES.get("./sluice demo --timeline run.html").read("run.html"));
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void libraryTimelineDrawsTheArticlesRun() {
    Child run = startedEarly("public class Pictured");
    assertThat(run.awaitExit(RUN_LIMIT)).as("%s", run).isZero();
    String html = EARLY_SANDBOXES.get("public class Pictured").read("run.html");
    assertTheArticlesRunIsDrawn(html);
    assertThat(html).contains("\"title\":\"the article's run\"");
  }

  /**
   * A timeline page of the article's run: self-contained (nothing fetched: no URL but SVG's
   * namespace), 5 worker lanes, 10 bars, all done.
   */
  private static void assertTheArticlesRunIsDrawn(String html) {
    assertThat(Pattern.compile("https?://[^\"'\\s)]*").matcher(html).results()
        .map(MatchResult::group).distinct().toList())
        .as("URLs in the page").containsOnly("http://www.w3.org/2000/svg");
    assertThat(html).doesNotContainIgnoringCase("<link").doesNotContain("src=")
        .doesNotContain("@import");
    Matcher lanes = Pattern.compile("\"lanes\":\\[([^\\]]*)\\]").matcher(html);
    assertThat(lanes.find()).as("the lanes in the page's data").isTrue();
    assertThat(lanes.group(1).split(",")).hasSize(5);
    assertThat(Pattern.compile("\\{\"lane\":").matcher(html).results().count())
        .as("bars").isEqualTo(10);
    assertThat(Pattern.compile("\"outcome\":\"done\"").matcher(html).results().count())
        .as("bars done").isEqualTo(10);
  }

  /**
   * The live page's run: while it runs, {@code /} is the page, {@code /stats.json} and
   * {@code /metrics} answer; at its end all 600 messages came out and run.html holds them.
   * Substitution: {@code --metrics-port 9400} becomes a free port.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void livePageAndMetricsAreServedWhileTheRunRuns() throws Exception {
    Child run = startedEarly("generate:?count=600&interval=100ms");
    Map<String, String> scraped = LIVE_SCRAPE.get(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(scraped.get("/")).containsIgnoringCase("<html").contains("stats.json");
    assertThat(scraped.get("/stats.json")).startsWith("{");
    assertThat(scraped.get("/metrics")).contains("sluice_messages_received_total")
        .contains("sluice_workers_needed");
    assertThat(run.awaitExit(RUN_LIMIT)).as("%s", run).isZero();
    assertThat(run.out()).as("%s", run).containsExactlyInAnyOrderElementsOf(
        IntStream.rangeClosed(1, 600).mapToObj(Integer::toString).toList());
    String html = EARLY_SANDBOXES.get("generate:?count=600&interval=100ms").read("run.html");
    assertThat(Pattern.compile("\"outcome\":\"done\"").matcher(html).results().count())
        .isEqualTo(600);
  }

  @Test
  void micrometerExampleRegistersTheCountersAndTimers() {
    Sandbox sandbox = new Sandbox(dir);
    Readme.Block block = README.block("public class Metered");
    sandbox.file("Metered.java", block.text());
    sandbox.compile("Metered.java");
    try (Child run = sandbox.java("README block at line " + block.line() + " (java)", Map.of(),
        List.of(), "Metered")) {
      assertThat(run.awaitExit(RUN_LIMIT)).as("%s", run).isZero();
      String out = String.join("\n", run.out());
      assertThat(out).as("%s", run)
          .containsPattern("sluice\\.messages\\.received\\(\\w+\\)\\[pipeline='squares'\\]; "
              + "(count|value)=3\\.0")
          .containsPattern("sluice\\.attempt\\.duration\\(TIMER\\)\\[pipeline='squares'\\]; "
              + "count=3\\.0")
          .containsPattern("sluice\\.end\\.to\\.end\\.duration\\(TIMER\\)"
              + "\\[pipeline='squares'\\]; count=3\\.0");
    }
  }

  /**
   * The command that makes the README's pictures cannot run inside this test run; instead, each
   * test it names exists, in sluice-cli, and runs only given the property the command sets.
   */
  @Test
  void readmeImagesCommandNamesTestsThatMakeThem() throws Exception {
    String command = README.block("-Dsluice.docs.images=").text();
    assertThat(command).contains("-pl sluice-cli ");
    Matcher tests = Pattern.compile("-Dit\\.test='([^']+)'").matcher(command);
    assertThat(tests.find()).as("a -Dit.test='…' (failsafe runs them) in %s", command).isTrue();
    Matcher property = Pattern.compile("-D([\\w.]+)=\\$PWD/docs/img").matcher(command);
    assertThat(property.find()).as("a -DNAME=$PWD/docs/img in %s", command).isTrue();
    Path testSources = README.root().resolve("sluice-cli/src/test/java");
    List<String> named = List.of(tests.group(1).split(","));
    assertThat(named).hasSize(2);
    for (String test : named) {
      String[] classAndMethod = test.split("#");
      assertThat(classAndMethod).as(test).hasSize(2);
      List<Path> sources;
      try (var files = Files.walk(testSources)) {
        sources = files.filter(f -> f.getFileName().toString()
            .equals(classAndMethod[0] + ".java")).toList();
      }
      assertThat(sources).as("the source of %s", classAndMethod[0]).hasSize(1);
      String className = testSources.relativize(sources.get(0)).toString()
          .replaceFirst("\\.java$", "").replace('/', '.');
      java.lang.reflect.Method method =
          Class.forName(className).getDeclaredMethod(classAndMethod[1]);
      assertThat(method.isAnnotationPresent(Test.class)).as(test).isTrue();
      EnabledIfSystemProperty enabled = method.getAnnotation(EnabledIfSystemProperty.class);
      assertThat(enabled).as("%s runs only given -D%s", test, property.group(1)).isNotNull();
      assertThat(enabled.named()).isEqualTo(property.group(1));
    }
    assertThat(README.root().resolve("docs/img")).isDirectory();
  }

  /** {@code sluice plan}'s output is the {@code text} block that follows it, exactly. */
  @Test
  void planPrintsTheReadmesSampleExactly() {
    Readme.Block block = README.block("./sluice plan --rate 1/s --service 5s");
    Readme.Block sample = README.blocks().get(README.blocks().indexOf(block) + 1);
    assertThat(sample.info()).as("the block after line %d", block.line()).isEqualTo("text");
    try (Child run = new Sandbox(dir).sh(block, Map.of())) {
      assertThat(run.awaitExit(RUN_LIMIT)).as("%s", run).isZero();
      assertThat(String.join("\n", run.out()) + "\n").as("%s", run).isEqualTo(sample.text());
    }
  }

  /** {@code --workers auto} on the known load: every result, in order, and the pool grew. */
  @Test
  void workersAutoGrowsThePoolAndKeepsOrder() {
    Readme.Block block = README.block("--workers auto --ordering ordered");
    Sandbox sandbox = new Sandbox(dir);
    try (Child run = sandbox.sh(block, Map.of())) {
      assertThat(run.awaitExit(RUN_LIMIT)).as("%s", run).isZero();
      assertThat(run.err()).as("%s", run)
          .anySatisfy(line -> assertThat(line).matches("sluice run: workers 1 -> \\d+ \\(.*"));
    }
    assertThat(sandbox.lines("done.txt")).containsExactlyElementsOf(
        IntStream.rangeClosed(1, 120).mapToObj(i -> "done " + i).toList());
  }

  // ---------------------------------------------------------------- fixtures and helpers

  private static String text(Mqtt5Publish publish) {
    return new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8);
  }

  private static String metrics(int port) {
    return get(port, "/metrics");
  }

  /** The body of {@code http://127.0.0.1:PORT/PATH}; empty while nothing answers. */
  private static String get(int port, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + path)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** The test CA, made once for the class (both WebSocket scenarios use it). */
  private static synchronized TestCa testCa() throws IOException, InterruptedException {
    if (testCa == null) {
      testCa = TestCa.make(classDir.resolve("ca"));
    }
    return testCa;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static boolean onPath(String command) {
    return java.util.Arrays.stream(System.getenv("PATH").split(":"))
        .anyMatch(d -> Files.isExecutable(Path.of(d, command)));
  }

  // ================================================================ SQS and competing consumers
  // README.md's "SQS and competing consumers" section, against an embedded ElasticMQ on a free
  // 127.0.0.1 port. Substitutions: eu-west-1 and the AWS queue URL become that server (region
  // us-east-1 plus its endpoint); credentials are ElasticMQ's dummy ones, given as the README
  // says, through the AWS SDK's default chain (the environment, or the test JVM's aws.*
  // system properties for the test's own client).

  /** ElasticMQ's dummy credentials, for a snippet's environment. */
  private static final Map<String, String> SQS_CREDENTIALS =
      Map.of("AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test");

  /** An embedded ElasticMQ and a client of it, for one scenario. */
  private static final class ReadmeSqs implements AutoCloseable {
    final dev.sluice.sqs.server.EmbeddedSqsServer server =
        dev.sluice.sqs.server.EmbeddedSqsServer.start(0, Duration.ofSeconds(60));
    final software.amazon.awssdk.services.sqs.SqsClient client =
        software.amazon.awssdk.services.sqs.SqsClient.builder()
            .region(software.amazon.awssdk.regions.Region.US_EAST_1)
            .endpointOverride(server.endpoint()).build();

    /** Where a README URI's {@code region=eu-west-1} points instead. */
    String at() {
      return "region=us-east-1&endpoint=" + server.endpoint();
    }

    String create(String queue) {
      Map<software.amazon.awssdk.services.sqs.model.QueueAttributeName, String> attributes =
          queue.endsWith(".fifo")
              ? Map.of(software.amazon.awssdk.services.sqs.model.QueueAttributeName.FIFO_QUEUE,
                  "true")
              : Map.of();
      return client.createQueue(b -> b.queueName(queue).attributes(attributes)).queueUrl();
    }

    void send(String url, String body, String group) {
      client.sendMessage(b -> {
        b.queueUrl(url).messageBody(body);
        if (group != null) {
          b.messageGroupId(group).messageDeduplicationId(body);
        }
      });
    }

    /**
     * Receives and deletes what is there now into {@code into}: each body, with
     * {@code " cause=ERROR"} added where a dead letter's sluice-error attribute is, and
     * {@code "GROUP "} before it on a FIFO queue.
     */
    void drain(String url, List<String> into) {
      var got = client.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10)
          .waitTimeSeconds(1).messageAttributeNames("All")
          .messageSystemAttributeNamesWithStrings("MessageGroupId")).messages();
      for (var m : got) {
        String group = m.attributesAsStrings().get("MessageGroupId");
        var cause = m.messageAttributes().get(dev.sluice.sqs.SqsSink.ERROR_ATTRIBUTE);
        into.add((group == null ? "" : group + " ") + m.body()
            + (cause == null ? "" : " cause=" + cause.stringValue()));
        client.deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle()));
      }
    }

    /** Messages waiting plus received and not deleted. */
    long left(String url) {
      Map<String, String> a = client.getQueueAttributes(b -> b.queueUrl(url)
          .attributeNamesWithStrings("ApproximateNumberOfMessages",
              "ApproximateNumberOfMessagesNotVisible")).attributesAsStrings();
      return Long.parseLong(a.get("ApproximateNumberOfMessages"))
          + Long.parseLong(a.get("ApproximateNumberOfMessagesNotVisible"));
    }

    @Override
    public void close() {
      client.close();
      server.close();
    }
  }

  /**
   * The competing-consumer run: every job on {@code jobs} is scored into {@code scores} and
   * deleted; SIGTERM drains and exits 0. The README's AWS_PROFILE stays: the environment's keys
   * come first in the default chain.
   */
  @Test
  void sqsRunnerScoresJobsFromAQueueIntoAQueue() throws Exception {
    Sandbox sandbox = new Sandbox(dir);
    sandbox.scorer();
    try (ReadmeSqs sqs = new ReadmeSqs()) {
      String jobs = sqs.create("jobs");
      String scores = sqs.create("scores");
      String dead = sqs.create("jobs-dead");
      for (int i = 1; i <= 5; i++) {
        sqs.send(jobs, "job-" + i, null);
      }
      Readme.Block block = README.block("sqs://jobs?region=eu-west-1&visibility=30s")
          .replace("region=eu-west-1", sqs.at());
      List<String> results = new CopyOnWriteArrayList<>();
      try (Child run = sandbox.sh(block, SQS_CREDENTIALS)) {
        run.awaitUntil(RUN_LIMIT, "5 scores", () -> {
          sqs.drain(scores, results);
          return results.size() >= 5;
        });
        assertThat(results).containsExactlyInAnyOrder("scored job-1", "scored job-2",
            "scored job-3", "scored job-4", "scored job-5");
        run.awaitUntil(Duration.ofSeconds(30), "every job deleted", () -> sqs.left(jobs) == 0);

        run.terminateSluice();
        assertThat(run.awaitExit(Duration.ofSeconds(60))).as("%s", run).isZero();
      }
      assertThat(sqs.left(dead)).isZero();
    }
  }

  /**
   * The FIFO run: three groups' orders, scored into a FIFO queue under the same group ids,
   * each group in the order it was sent. The queue's AWS URL becomes ElasticMQ's (its host is
   * then the endpoint; the region comes from AWS_REGION).
   */
  @Test
  void sqsFifoRunnerKeepsEachGroupInOrder() throws Exception {
    Sandbox sandbox = new Sandbox(dir);
    sandbox.scorer();
    try (ReadmeSqs sqs = new ReadmeSqs()) {
      String orders = sqs.create("orders.fifo");
      String scores = sqs.create("scores.fifo");
      Map<String, List<String>> expected = new LinkedHashMap<>();
      for (int i = 1; i <= 4; i++) {
        for (String group : List.of("alice", "bob", "carol")) {
          sqs.send(orders, group + "-" + i, group);
          expected.computeIfAbsent(group, g -> new ArrayList<>())
              .add(group + " scored " + group + "-" + i);
        }
      }
      Readme.Block block = README.block("orders.fifo")
          .replace("https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo", orders)
          .replace("region=eu-west-1", sqs.at());
      Map<String, String> env = new LinkedHashMap<>(SQS_CREDENTIALS);
      env.put("AWS_REGION", "us-east-1");
      List<String> results = new CopyOnWriteArrayList<>();
      try (Child run = sandbox.sh(block, env)) {
        run.awaitUntil(RUN_LIMIT, "12 scores", () -> {
          sqs.drain(scores, results);
          return results.size() >= 12;
        });
        expected.forEach((group, inOrder) -> assertThat(results)
            .filteredOn(r -> r.startsWith(group + " ")).as("group %s", group)
            .containsExactlyElementsOf(inOrder));

        run.terminateSluice();
        assertThat(run.awaitExit(Duration.ofSeconds(60))).as("%s", run).isZero();
      }
    }
  }

  /** The library fragment: jobs worked into results, the poison one dead-lettered with cause. */
  @Test
  void sqsLibrarySnippetWorksJobsIntoResultsAndDeadLetters() throws Exception {
    Sandbox sandbox = new Sandbox(dir);
    try (ReadmeSqs sqs = new ReadmeSqs()) {
      String jobs = sqs.create("jobs");
      String results = sqs.create("results");
      String dead = sqs.create("jobs-dead");
      Readme.Block block = README.block("SqsSource.builder().endpoint(aws)")
          .replace(".region(\"eu-west-1\")", ".region(\"us-east-1\").endpointOverride("
              + "java.net.URI.create(\"" + sqs.server.endpoint() + "\"))");
      sandbox.file("Snippet.java", JavaFragment.program(block,
          "source.ready().get(30, java.util.concurrent.TimeUnit.SECONDS);"));
      sandbox.compile("Snippet.java");
      try (Child run = sandbox.java("README block at line " + block.line() + " (java)",
          SQS_CREDENTIALS, List.of(), "Snippet")) {
        run.awaitOutLine(RUN_LIMIT, JavaFragment.STARTED::equals);
        for (String job : List.of("job-1", "job-2", "poison")) {
          sqs.send(jobs, job, null);
        }
        List<String> worked = new CopyOnWriteArrayList<>();
        List<String> deadLetters = new CopyOnWriteArrayList<>();
        run.awaitUntil(RUN_LIMIT, "2 results and a dead letter", () -> {
          sqs.drain(results, worked);
          sqs.drain(dead, deadLetters);
          return worked.size() >= 2 && deadLetters.size() >= 1;
        });
        assertThat(worked).containsExactlyInAnyOrder("worked job-1", "worked job-2");
        assertThat(deadLetters).singleElement().asString()
            .startsWith("poison cause=").contains("cannot work on poison");
        run.awaitUntil(Duration.ofSeconds(30), "every job deleted", () -> sqs.left(jobs) == 0);

        run.closeInput();
        assertThat(run.awaitExit(Duration.ofSeconds(60))).as("%s", run).isZero();
      }
    }
  }

  /**
   * The two demos, as written (about 15 s each plus the start of six JVMs, then two; not
   * started early with the slow ones, as those JVMs' start would slow every other scenario):
   * both do every event once, with nothing left in the queue; five consumers share the events,
   * one consumer does them all. The sample output's summary lines have the real output's shape.
   */
  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)   // two runs of 15 s, eight JVMs starting
  void sqsDemoRunsTheArticlesTwoOptionsSideBySide() {
    List<String> out;
    String run;                                       // what it printed, for the messages
    try (Child demo = new Sandbox(dir).sh(README.block("./sluice demo --via sqs --consumers 5"),
        Map.of())) {
      assertThat(demo.awaitExit(Duration.ofSeconds(280))).as("%s", demo).isZero();
      out = demo.out();
      run = demo.toString();
    }
    assertThat(out).as("%s", run).filteredOn(l -> l.startsWith("duplicates: "))
        .containsExactly(
            "duplicates: 0 (10 results for 10 events); left in the queue: 0 waiting, 0 "
                + "received and not deleted",
            "duplicates: 0 (10 results for 10 events); left in the queue: 0 waiting, 0 "
                + "received and not deleted");
    List<String> consumers = out.stream().filter(l -> l.startsWith("consumers: ")).toList();
    assertThat(consumers).as("%s", run).hasSize(2);
    Matcher five = Pattern.compile("consumers: 5 processes × 1 worker: consumer-1 (\\d+) "
        + "events, consumer-2 (\\d+), consumer-3 (\\d+), consumer-4 (\\d+), consumer-5 (\\d+)")
        .matcher(consumers.get(0));
    assertThat(five.matches()).as(consumers.get(0)).isTrue();
    assertThat(IntStream.rangeClosed(1, 5).map(g -> Integer.parseInt(five.group(g))).sum())
        .isEqualTo(10);
    assertThat(consumers.get(1)).isEqualTo("consumers: 1 process × 5 workers: consumer-1 10 "
        + "events");
    Readme.Block sample = README.blocks().get(README.blocks().indexOf(
        README.block("./sluice demo --via sqs --consumers 5")) + 1);
    for (String prefix : List.of("main: Starting 5 consumer processes", "10 events in ",
        "wall time ", "workers busy ", "consumers: 5 processes × 1 worker: ",
        "duplicates: 0 (10 results for 10 events)", "via SQS: embedded ElasticMQ on ")) {
      assertThat(sample.text().lines()).as("README line %d's sample", sample.line())
          .anyMatch(l -> l.startsWith(prefix));
      assertThat(out).as("%s", run).anyMatch(l -> l.startsWith(prefix));
    }
  }

  // ============================================ Kafka (README.md "Kafka and scale-out")
  // Each scenario starts its own in-process KRaft broker (ReadmeKafka): the snippets share the
  // topic and group names, as a reader's would.

  static {
    SCENARIOS.put("KafkaSource.builder()", "kafkaLibrarySnippetScoresJobsAndDeadLettersThePoison");
    SCENARIOS.put("group=scorers&client-id=scorer-$i",
        "kafkaScaleOutThreeMembersShareThePartitionsKeepEachKeyInOrderAndCommitOnCtrlC");
    SCENARIOS.put("sasl=SCRAM-SHA-512&user=scorer",
        "kafkaOverSaslSslTakesThePasswordFromAFileAndTheEnvironment");
    SCENARIOS.put("./sluice demo --via kafka", "demoViaKafkaRunsThroughAnEmbeddedBroker");
  }

  /**
   * The library snippet: jobs on {@code jobs} come back worked on {@code scores}, keyed as
   * they came; the poison one goes to {@code jobs.dlq} with its cause in a header. Substitution:
   * the broker's address.
   */
  @Test
  void kafkaLibrarySnippetScoresJobsAndDeadLettersThePoison() throws Exception {
    Sandbox sandbox = new Sandbox(dir);
    try (ReadmeKafka kafka = ReadmeKafka.start()) {
      kafka.broker.createTopic("jobs", 2);
      kafka.broker.createTopic("scores", 1);
      kafka.broker.createTopic("jobs.dlq", 1);
      Readme.Block block = README.block("KafkaSource.builder()")
          .replace("127.0.0.1:9092", kafka.bootstrap());
      sandbox.file("Snippet.java", JavaFragment.program(block,
          "source.assigned().get(60, java.util.concurrent.TimeUnit.SECONDS);"));
      sandbox.compile("Snippet.java");
      try (Child run = sandbox.java("README block at line " + block.line() + " (java)",
          Map.of(), List.of(), "Snippet")) {
        run.awaitOutLine(RUN_LIMIT, JavaFragment.STARTED::equals);
        kafka.produce("jobs", List.of(new String[] {"a", "job-1"}, new String[] {"b", "job-2"},
            new String[] {"c", "poison"}));
        var scores = kafka.read("scores", 2, RUN_LIMIT);
        assertThat(scores).extracting(r -> r.key() + " " + r.value())
            .containsExactlyInAnyOrder("a worked job-1", "b worked job-2");
        var dead = kafka.read("jobs.dlq", 1, RUN_LIMIT);
        assertThat(dead).singleElement().satisfies(r -> {
          assertThat(r.key() + " " + r.value()).isEqualTo("c poison");
          assertThat(new String(r.headers().lastHeader("sluice.error").value(),
              StandardCharsets.UTF_8)).contains("cannot work on poison");
          assertThat(new String(r.headers().lastHeader("sluice.original.topic").value(),
              StandardCharsets.UTF_8)).isEqualTo("jobs");
        });
        run.closeInput();
        assertThat(run.awaitExit(Duration.ofSeconds(60))).as("%s", run).isZero();
      }
    }
  }

  /**
   * The scale-out example: three members join group {@code scorers} and each gets two of the
   * six partitions; every job is scored once onto {@code scores}, each key's results in order;
   * SIGTERM to the script reaches its trap, each member drains and commits, and every offset
   * is committed. Substitution: the broker's address.
   */
  @Test
  void kafkaScaleOutThreeMembersShareThePartitionsKeepEachKeyInOrderAndCommitOnCtrlC()
      throws Exception {
    Sandbox sandbox = new Sandbox(dir);
    sandbox.scorer();
    try (ReadmeKafka kafka = ReadmeKafka.start()) {
      kafka.broker.createTopic("jobs", 6);
      kafka.broker.createTopic("scores", 1);
      Readme.Block block = README.block("group=scorers&client-id=scorer-$i")
          .replace("127.0.0.1:9092", kafka.bootstrap());
      try (Child run = sandbox.sh(block, Map.of())) {
        run.awaitUntil(RUN_LIMIT, "three members with two partitions each", () ->
            kafka.members("scorers").equals(Map.of("scorer-1", 2, "scorer-2", 2,
                "scorer-3", 2)));
        List<String[]> jobs = new ArrayList<>();
        for (int n = 1; n <= 10; n++) {
          for (int k = 0; k < 12; k++) {
            jobs.add(new String[] {"k" + k, "k" + k + "-" + n});
          }
        }
        kafka.produce("jobs", jobs);
        var scores = kafka.read("scores", jobs.size(), RUN_LIMIT);
        assertThat(scores).extracting(r -> r.key() + " " + r.value())
            .containsExactlyInAnyOrderElementsOf(jobs.stream()
                .map(j -> j[0] + " scored " + j[1]).toList());
        for (int k = 0; k < 12; k++) {
          String key = "k" + k;
          assertThat(scores).filteredOn(r -> r.key().equals(key)).extracting(r -> r.value())
              .as("key %s in order", key).containsExactlyElementsOf(IntStream.rangeClosed(1, 10)
                  .mapToObj(n -> "scored " + key + "-" + n).toList());
        }
        assertThat(run.err()).as("%s", run).filteredOn(l -> l.matches(
            "sluice run: consuming jobs from 127\\.0\\.0\\.1:\\d+ as scorer-[123] in group "
                + "scorers")).hasSize(3);

        List<ProcessHandle> members = run.descendants();
        run.terminate();
        // bash's own wait, interrupted by the trapped signal, ends the script: 128 + SIGTERM
        assertThat(run.awaitExit(Duration.ofSeconds(60))).as("%s", run).isEqualTo(143);
        assertThat(members).as("members the trap left running").noneMatch(ProcessHandle::isAlive);
        assertThat(run.err()).as("each member drains on the trap's kill: %s", run)
            .filteredOn(l -> l.startsWith("sluice run: SIGTERM: draining")).hasSize(3);
        assertThat(kafka.committed("scorers")).as("every job committed").isEqualTo(jobs.size());
      }
    }
  }

  /**
   * The security example against a SASL_SSL listener whose certificate the test CA signed for
   * 127.0.0.1: the source reads the password from the file the first line writes, the sink
   * from the variable; jobs come back scored and the password is never printed.
   * Substitution: kafka.example.com:9093 becomes the broker's SASL_SSL listener.
   */
  @Test
  void kafkaOverSaslSslTakesThePasswordFromAFileAndTheEnvironment() throws Exception {
    Sandbox sandbox = new Sandbox(dir);
    sandbox.scorer();
    String password = "kafka-s3cr3t";
    Files.copy(testCa().caCertificate(), dir.resolve("ca.pem"));
    try (ReadmeKafka kafka = ReadmeKafka.startWithSaslSsl(testCa(),
        Files.createDirectory(dir.resolve("broker")), password)) {
      kafka.broker.createTopic("jobs", 2);
      kafka.broker.createTopic("scores", 1);
      Readme.Block block = README.block("sasl=SCRAM-SHA-512&user=scorer")
          .replace("kafka.example.com:9093", kafka.broker.saslSslBootstrapServers());
      try (Child run = sandbox.sh(block, Map.of("SCORER_KAFKA_PASSWORD", password))) {
        run.awaitUntil(RUN_LIMIT, "the member joined", () ->
            run.err().stream().anyMatch(l -> l.startsWith("sluice run: consuming jobs")));
        kafka.produce("jobs", List.of(new String[] {"a", "job-1"}, new String[] {"b", "job-2"},
            new String[] {"a", "job-3"}));
        var scores = kafka.read("scores", 3, RUN_LIMIT);
        assertThat(scores).extracting(r -> r.key() + " " + r.value())
            .containsExactlyInAnyOrder("a scored job-1", "b scored job-2", "a scored job-3");
        assertThat(sandbox.read("kafka.pass").strip()).isEqualTo(password);

        run.terminateSluice();
        assertThat(run.awaitExit(Duration.ofSeconds(60))).as("%s", run).isZero();
        assertThat(run.toString()).doesNotContain("s3cr3t");
      }
    }
  }

  /** The demo through Kafka: each event produced, processed once, and the broker's line. */
  @Test
  void demoViaKafkaRunsThroughAnEmbeddedBroker() {
    try (Child run = new Sandbox(dir).sh(README.block("./sluice demo --via kafka"), Map.of())) {
      assertThat(run.awaitExit(RUN_LIMIT)).as("%s", run).isZero();
      List<String> out = run.out();
      for (int i = 1; i <= 5; i++) {
        String event = "Event[index=" + i + "]";
        assertThat(out).as("%s", run).contains("main: Submitted " + event)
            .filteredOn(l -> l.matches("sluice-worker-\\d+: Finished processing \\Q" + event
                + "\\E")).hasSize(1);
      }
      assertThat(out).as("%s", run).anyMatch(l -> l.startsWith("5 events in "))
          .anyMatch(l -> l.startsWith("via Kafka: embedded KRaft broker on 127.0.0.1:")
              && l.contains("5 produced and acknowledged (acks=all), 5 received"));
    }
  }
}
