package dev.sluice.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.Message;
import dev.sluice.Pipeline;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.mqtt.broker.Mosquitto;
import dev.sluice.mqtt.broker.TestCertificates;
import dev.sluice.mqtt.broker.TlsTestBroker;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mqtts://} is TLS: the first byte on the wire is a TLS handshake record, and the source
 * and sink work against a real Mosquitto TLS listener with a password file and no anonymous
 * access, with and without a client certificate; a certificate that is not trusted, expired
 * or for another host is refused.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Tag("broker")
class MqttTlsTest {

  private static final String USER = "scorer";
  private static final String PASSWORD = "s3cret-Pa55";

  @TempDir
  static Path dir;

  private static TlsTestBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = TlsTestBroker.startWhereInstalled(dir, USER, PASSWORD);
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

  private static Credentials credentials() throws Exception {
    Path file = dir.resolve("password");
    Files.writeString(file, PASSWORD + "\n");
    return Credentials.fromFile(USER, file);
  }

  private static TlsConfig trusting(Path store) {
    return TlsConfig.builder().trustStore(store,
        TestCertificates.STORE_PASSWORD.toCharArray()).build();
  }

  @Test
  void theFirstByteAnMqttsClientSendsIsATlsHandshakeRecordAndThePasswordNeverCrossesInClear()
      throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<byte[]> firstBytes = CompletableFuture.supplyAsync(() -> {
        try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
          s.setSoTimeout(5000);
          ByteArrayOutputStream seen = new ByteArrayOutputStream();
          byte[] buffer = new byte[4096];
          int n = in.read(buffer);             // the ClientHello, in one record
          seen.write(buffer, 0, Math.max(n, 0));
          return seen.toByteArray();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      Path file = dir.resolve("wire-password");
      Files.writeString(file, PASSWORD);
      MqttSink.Builder sink = MqttSink.builder()
          .uri("mqtts://" + USER + "@127.0.0.1:" + server.getLocalPort() + "/out")
          .endpoint(e -> e.credentials(Credentials.fromFile(USER, file))
              .connectTimeout(Duration.ofSeconds(3)));
      assertThatThrownBy(sink::connect).isInstanceOf(IllegalStateException.class);
      byte[] bytes = firstBytes.get(10, TimeUnit.SECONDS);
      assertThat(bytes).isNotEmpty();
      assertThat(bytes[0]).as("TLS record type handshake").isEqualTo((byte) 0x16);
      assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).doesNotContain(PASSWORD)
          .doesNotContain("MQTT");
    }
  }

  @Test
  void aSourceAndASinkOverTlsWithAPasswordCarryMessagesThroughMosquitto() throws Exception {
    needsBroker();
    roundTrip(broker.port(), trusting(broker.certificates().caP12()), "tls");
  }

  @Test
  void aClientCertificateOpensTheMutualTlsListener() throws Exception {
    needsBroker();
    TlsConfig mutual = TlsConfig.builder()
        .trustStore(broker.certificates().caJks(), TestCertificates.STORE_PASSWORD.toCharArray())
        .keyStore(broker.certificates().clientP12(),
            TestCertificates.STORE_PASSWORD.toCharArray())
        .build();
    roundTrip(broker.mutualPort(), mutual, "mtls");
  }

  @Test
  void withoutAClientCertificateTheMutualTlsListenerRefusesTheConnection() throws Exception {
    needsBroker();
    assertThatThrownBy(() -> connectSink(broker.mutualPort(),
        trusting(broker.certificates().caP12()), credentials()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aBrokerCertificateFromAnUntrustedCaIsRefused() throws Exception {
    needsBroker();
    // the JDK's default trust: the test CA is not in it
    assertThatThrownBy(() -> connectSink(broker.port(), TlsConfig.defaults(), credentials()))
        .satisfies(e -> assertThat(causes(e)).hasAtLeastOneElementOfType(SSLHandshakeException.class)
            .hasAtLeastOneElementOfType(java.security.cert.CertPathBuilderException.class));
  }

  @Test
  void anExpiredBrokerCertificateIsRefused() throws Exception {
    needsBroker();
    assertThatThrownBy(() -> connectSink(broker.expiredPort(),
        trusting(broker.certificates().caP12()), credentials()))
        .satisfies(e -> assertThat(causes(e))
            .hasAtLeastOneElementOfType(java.security.cert.CertificateExpiredException.class));
  }

  @Test
  void aBrokerCertificateForAnotherHostIsRefused() throws Exception {
    needsBroker();
    assertThatThrownBy(() -> connectSink(broker.wrongHostPort(),
        trusting(broker.certificates().caP12()), credentials()))
        .satisfies(e -> assertThat(causes(e)).hasAtLeastOneElementOfType(SSLHandshakeException.class))
        .satisfies(e -> assertThat(causes(e).toString()).contains("127.0.0.1"));
  }

  @Test
  void aWrongPasswordIsRefusedByTheBroker() throws Exception {
    needsBroker();
    Path file = dir.resolve("wrong-password");
    Files.writeString(file, "not-it");
    assertThatThrownBy(() -> connectSink(broker.port(), trusting(broker.certificates().caP12()),
        Credentials.fromFile(USER, file)))
        .isInstanceOf(IllegalStateException.class)
        .satisfies(e -> assertThat(causes(e).toString()).contains("NOT_AUTHORIZED"));
  }

  private static List<Throwable> causes(Throwable e) {
    List<Throwable> all = new ArrayList<>();
    for (Throwable t = e; t != null && !all.contains(t); t = t.getCause()) {
      all.add(t);
    }
    return all;
  }

  private static MqttSink<Object> connectSink(int port, TlsConfig tls, Credentials credentials) {
    return connectSink(port, tls, credentials, "tls/out");
  }

  private static MqttSink<Object> connectSink(int port, TlsConfig tls, Credentials credentials,
      String topic) {
    return MqttSink.builder().uri("mqtts://" + USER + "@127.0.0.1:" + port + "/" + topic)
        .endpoint(e -> e.tls(tls).credentials(credentials).connectTimeout(Duration.ofSeconds(5)))
        .connect();
  }

  private static void roundTrip(int port, TlsConfig tls, String topic) throws Exception {
    Credentials credentials = credentials();
    List<String> received = Collections.synchronizedList(new ArrayList<>());
    MqttSource source = MqttSource.builder()
        .uri("mqtts://" + USER + "@127.0.0.1:" + port + "/" + topic + "?qos=1&client-id=tls-in-"
            + topic)
        .endpoint(e -> e.tls(tls).credentials(credentials))
        .stopAfter(3)
        .build();
    Pipeline pipeline = Sluice.from(source).workers(1)
        .process(bytes -> new String(bytes, StandardCharsets.UTF_8))
        .to(Sinks.collection(received)).start();
    try {
      source.subscribed().get(30, TimeUnit.SECONDS);
      assertThat(source.endpoint().toString()).startsWith("mqtts://");
      MqttSink<Object> sink = connectSink(port, tls, credentials, topic);
      for (int i = 1; i <= 3; i++) {
        sink.write("m-" + i, Message.of("m-" + i)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      sink.close();
      pipeline.awaitCompletion();
      assertThat(received).containsExactlyInAnyOrder("m-1", "m-2", "m-3");
    } finally {
      pipeline.close();
      source.close();
    }
  }
}
