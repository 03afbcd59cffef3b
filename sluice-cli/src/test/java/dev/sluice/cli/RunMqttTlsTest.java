package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.Message;
import dev.sluice.Pipeline;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.mqtt.Credentials;
import dev.sluice.mqtt.MqttSink;
import dev.sluice.mqtt.MqttSource;
import dev.sluice.mqtt.TlsConfig;
import dev.sluice.mqtt.broker.Mosquitto;
import dev.sluice.mqtt.broker.TestCertificates;
import dev.sluice.mqtt.broker.TlsTestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code sluice run} against a real Mosquitto TLS listener (certificates made by
 * openssl, a password file, no anonymous clients): {@code mqtts://} with a PEM CA file as
 * {@code --trust-store}, users named in source and sink URIs with {@code --password-file} or
 * {@code $SLUICE_MQTT_PASSWORD}, mutual TLS with {@code --key-store} in PEM and PKCS12, and
 * every way connecting can fail reported as one line on stderr with exit 1.
 */
@Timeout(180)
@Tag("broker")
class RunMqttTlsTest {

  private static final String USER = "scorer";
  private static final String PASSWORD = "cli-Pa55-word";

  @TempDir
  static Path dir;

  private static TlsTestBroker broker;
  private static TestCertificates certs;
  private static Path passwordFile;

  @BeforeAll
  static void startBroker() throws Exception {
    passwordFile = Files.writeString(dir.resolve("mqtt-password"), PASSWORD + "\n");
    broker = TlsTestBroker.startWhereInstalled(Files.createDirectories(dir.resolve("broker")),
        USER, PASSWORD);
    certs = broker == null ? null : broker.certificates();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private static void needsBroker() {
    assumeTrue(broker != null, "needs Mosquitto at " + Mosquitto.BINARY);
  }

  private static String uri(int port, String rest) {
    return "mqtts://" + USER + "@127.0.0.1:" + port + "/" + rest;
  }

  @Test
  void aRunConsumesAndPublishesOverMqttsTrustingAPemCaWithThePasswordFromAFile()
      throws Exception {
    needsBroker();
    roundTrip(Map.of(), "--password-file", passwordFile.toString());
  }

  @Test
  void theSameUserInSourceAndSinkUrisTakesThePasswordFromTheEnvironment() throws Exception {
    needsBroker();
    roundTrip(Map.of("SLUICE_MQTT_PASSWORD", PASSWORD));
  }

  /** Jobs in on jobs/DEVICE, results out on results/DEVICE through a sink template. */
  private static void roundTrip(Map<String, String> env, String... extra) throws Exception {
    String tag = env.isEmpty() ? "file" : "env";
    TlsConfig tls = TlsConfig.builder().trustStore(certs.caP12(),
        TestCertificates.STORE_PASSWORD.toCharArray()).build();
    Credentials credentials = Credentials.fromFile(USER, passwordFile);
    List<String> results = Collections.synchronizedList(new ArrayList<>());
    MqttSource collector = MqttSource.builder()
        .uri(uri(broker.port(), "results-" + tag + "/%23?qos=1&client-id=collector-" + tag))
        .endpoint(e -> e.tls(tls).credentials(credentials)).build();
    Pipeline collecting = Sluice.from(collector).workers(1)
        .process(bytes -> new String(bytes, StandardCharsets.UTF_8))
        .to(Sinks.collection(results)).start();
    List<String> args = new ArrayList<>(List.of("run",
        "--source", uri(broker.port(), "jobs-" + tag + "/#?qos=1&client-id=runner-" + tag),
        "--exec", "sed -u s/^/done-/", "--workers", "2",
        "--sink", uri(broker.port(), "results-" + tag + "/{topic.1}?qos=1&client-id=runner-out-"
            + tag),
        "--trust-store", certs.caCert().toString()));
    args.addAll(List.of(extra));
    try (SluiceProcess runner = SluiceProcess.start(dir, env, args.toArray(new String[0]))) {
      collector.subscribed().get(30, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(60)).until(() -> !runner.isAlive()
          || runner.err().stream().anyMatch(l -> l.startsWith("sluice run: subscribed to")));
      assertThat(runner.isAlive()).as("stderr: %s", runner.err()).isTrue();
      MqttSink<Object> publisher = MqttSink.builder().uri(uri(broker.port(), "jobs-" + tag
          + "/{key}?qos=1")).endpoint(e -> e.tls(tls).credentials(credentials)).connect();
      for (String device : List.of("kitchen", "garage", "attic")) {
        publisher.write(device, Message.builder(device).key(device).build())
            .toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      publisher.close();
      await().atMost(Duration.ofSeconds(60)).until(() -> results.size() >= 3);
      assertThat(results).containsExactlyInAnyOrder("done-kitchen", "done-garage", "done-attic");
      runner.terminate();
      assertThat(runner.awaitExit()).as("stderr: %s", runner.err()).isZero();
      assertThat(String.join("\n", runner.err())).doesNotContain(PASSWORD)
          .doesNotContain("WARN").doesNotContain("ERROR");
    } finally {
      collecting.close();
      collector.close();
    }
  }

  @Test
  void aClientCertificateInPemWithAPkcs8KeyOpensTheMutualTlsListener() {
    needsBroker();
    assertPublishes(broker.mutualPort(), "--key-store", certs.clientPem().toString());
  }

  @Test
  void aClientCertificateWithAnRsaPrivateKeyBlockOpensTheMutualTlsListener() throws Exception {
    needsBroker();
    Path pem = Files.writeString(dir.resolve("client-rsa.pem"),
        Files.readString(certs.clientCert()) + Files.readString(certs.clientRsaKey()));
    assertThat(Files.readString(pem)).contains("BEGIN RSA PRIVATE KEY");
    assertPublishes(broker.mutualPort(), "--key-store", pem.toString());
  }

  @Test
  void aPkcs12ClientStoreWithItsPasswordFromAFileOpensTheMutualTlsListener() throws Exception {
    needsBroker();
    Path storePassword = Files.writeString(dir.resolve("client-store-password"),
        TestCertificates.STORE_PASSWORD + "\n");
    assertPublishes(broker.mutualPort(), "--key-store", certs.clientP12().toString(),
        "--key-store-password-file", storePassword.toString());
  }

  @Test
  void aPkcs12OrJksTrustStoreWithItsPasswordFromTheEnvironmentIsTrustedToo() {
    needsBroker();
    for (Path store : List.of(certs.caP12(), certs.caJks())) {
      SluiceProcess run = SluiceProcess.start(dir,
          Map.of("SLUICE_TRUST_STORE_PASSWORD", TestCertificates.STORE_PASSWORD),
          sinkOnly(broker.port(), "--trust-store", store.toString()));
      run.closeInput();
      assertThat(run.awaitExit()).as("%s: stderr: %s", store, run.err()).isZero();
    }
  }

  private static void assertPublishes(int port, String... extra) {
    SluiceProcess run = SluiceProcess.run(dir, "", sinkOnly(port, extra));
    assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();
  }

  /** A run that publishes two generated numbers to {@code port} and ends. */
  private static String[] sinkOnly(int port, String... extra) {
    List<String> args = new ArrayList<>(List.of("run", "--quiet",
        "--source", "generate:?count=2", "--exec", "cat",
        "--sink", uri(port, "numbers?qos=1"), "--password-file", passwordFile.toString()));
    if (!List.of(extra).contains("--trust-store")) {
      args.addAll(List.of("--trust-store", certs.caCert().toString()));
    }
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  // ---- failures: one line on stderr, exit 1, no Java in sight ----

  @Test
  void aBrokerWhoseCaIsNotGivenIsNotTrusted() {
    needsBroker();
    SluiceProcess run = SluiceProcess.run(dir, "", "run", "--quiet", "--source",
        "generate:?count=1", "--exec", "cat", "--sink", uri(broker.port(), "x"),
        "--password-file", passwordFile.toString());
    assertFailed(run).contains("is not trusted: give its CA with --trust-store");
  }

  @Test
  void aTrustStoreWithAnotherCaDoesNotTrustTheBroker() {
    needsBroker();
    assertFailed(SluiceProcess.run(dir, "", sinkOnly(broker.port(),
        "--trust-store", certs.otherCaCert().toString())))
        .contains("is not trusted: give its CA with --trust-store");
  }

  @Test
  void anExpiredBrokerCertificateIsOneLine() {
    needsBroker();
    assertFailed(SluiceProcess.run(dir, "", sinkOnly(broker.expiredPort())))
        .contains("has expired");
  }

  @Test
  void aBrokerCertificateForAnotherHostIsOneLine() {
    needsBroker();
    assertFailed(SluiceProcess.run(dir, "", sinkOnly(broker.wrongHostPort())))
        .contains("is for another host name");
  }

  @Test
  void aWrongPasswordIsOneLineThatNamesWhereThePasswordComesFrom() throws Exception {
    needsBroker();
    Path wrong = Files.writeString(dir.resolve("wrong-password"), "not-the-password\n");
    SluiceProcess run = SluiceProcess.run(dir, "", "run", "--quiet", "--source",
        "generate:?count=1", "--exec", "cat", "--sink", uri(broker.port(), "x"),
        "--password-file", wrong.toString(), "--trust-store", certs.caCert().toString());
    assertFailed(run).contains("refused the user name or password")
        .contains("--password-file").doesNotContain("not-the-password");
  }

  @Test
  void theMutualTlsListenerWithoutAClientCertificateIsOneLineAskingForOne() {
    needsBroker();
    assertFailed(SluiceProcess.run(dir, "", sinkOnly(broker.mutualPort())))
        .contains("client certificate").contains("--key-store");
  }

  @Test
  void anUnreachableSinkBrokerIsOneLine() {
    int closed = Mosquitto.freePort();
    SluiceProcess run = SluiceProcess.run(dir, "", "run", "--source", "generate:?count=1",
        "--exec", "cat", "--sink", "mqtt://127.0.0.1:" + closed + "/x?qos=1");
    assertFailed(run).contains("nothing listens at mqtt://127.0.0.1:" + closed);
  }

  @Test
  void anUnreachableSourceBrokerIsOneLineEvenWithoutQuiet() {
    int closed = Mosquitto.freePort();
    // --log-every 1h: a status line is not due however slowly this machine runs the test
    SluiceProcess run = SluiceProcess.run(dir, "", "run", "--exec", "cat", "--log-every", "1h",
        "--source", "mqtt://127.0.0.1:" + closed + "/in?qos=1&client-id=nobody");
    assertFailed(run).contains("nothing listens at mqtt://127.0.0.1:" + closed);
  }

  @Test
  void anUntrustedSourceBrokerIsOneLine() {
    needsBroker();
    SluiceProcess run = SluiceProcess.run(dir, "", "run", "--exec", "cat", "--log-every", "1h",
        "--source", uri(broker.port(), "in?qos=1&client-id=untrusting"),
        "--password-file", passwordFile.toString());
    assertFailed(run).contains("is not trusted: give its CA with --trust-store");
  }

  private static org.assertj.core.api.AbstractStringAssert<?> assertFailed(SluiceProcess run) {
    assertThat(run.exitCode()).as("stderr: %s", run.err()).isEqualTo(1);
    return assertOneLine(run);
  }

  private static org.assertj.core.api.AbstractStringAssert<?> assertOneLine(SluiceProcess run) {
    List<String> err = run.err();
    assertThat(err).as("stderr").hasSize(1);
    return assertThat(err.get(0)).startsWith("sluice run: ")
        .doesNotContain("java.").doesNotContain("Exception").doesNotContain("hivemq")
        .doesNotContain("Credentials.");
  }
}
