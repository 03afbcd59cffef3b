package dev.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.Pipeline;
import dev.sluice.PipelineException;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SASL and TLS against the embedded broker's real listeners. */
@Tag("broker")
class KafkaSecurityTest {

  @BeforeAll
  static void broker() {
    TestKafka.broker();
  }

  @ParameterizedTest
  @ValueSource(strings = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"})
  void aUserWritesAndReadsOverSasl(String mechanism, @TempDir Path dir) throws Exception {
    Path secret = dir.resolve("password");
    Files.writeString(secret, TestKafka.PASSWORD + "\n");
    KafkaSecurity security = KafkaSecurity.builder()
        .sasl(mechanism, TestKafka.USER, KafkaSecurity.secretFromFile(secret)).build();
    roundTrip("sasl-" + mechanism.toLowerCase(), TestKafka.broker().saslBootstrapServers(),
        security);
  }

  @Test
  void tlsWithTheBrokersCertificateTrusted() throws Exception {
    KafkaSecurity security = KafkaSecurity.builder().tls(TestKafka.certificate()).build();
    assertThat(security.properties()).containsEntry("security.protocol", "SSL");
    roundTrip("tls", TestKafka.broker().sslBootstrapServers(), security);
  }

  /**
   * SASL PLAIN over TLS through a recording proxy in front of the SASL_SSL listener: the
   * client's first connection (the bootstrap, where it authenticates) is TLS from its first
   * byte, and neither the password nor the user appears in clear on the wire.
   */
  @Test
  void saslPlainOverTlsCarriesNoSecretInClear() throws Exception {
    String[] broker = TestKafka.broker().saslSslBootstrapServers().split(":");
    java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
    try (java.net.ServerSocket proxy = new java.net.ServerSocket(0, 50,
        java.net.InetAddress.getLoopbackAddress())) {
      Thread relay = new Thread(() -> relay(proxy, broker[0], Integer.parseInt(broker[1]), wire),
          "wire-proxy");
      relay.setDaemon(true);
      relay.start();
      KafkaSecurity security = KafkaSecurity.builder()
          .sasl("PLAIN", TestKafka.USER, TestKafka.PASSWORD).tls(TestKafka.certificate()).build();
      assertThat(security.properties()).containsEntry("security.protocol", "SASL_SSL");
      roundTrip("sasl-ssl-wire", "127.0.0.1:" + proxy.getLocalPort(), security);
    }
    byte[] bytes;
    synchronized (wire) {
      bytes = wire.toByteArray();
    }
    assertThat(bytes).as("bytes the client sent through the proxy").isNotEmpty();
    assertThat(bytes[0]).as("TLS record type handshake").isEqualTo((byte) 0x16);
    String clear = new String(bytes, StandardCharsets.ISO_8859_1);
    assertThat(clear).doesNotContain(TestKafka.PASSWORD).doesNotContain(TestKafka.USER);
  }

  /** Accepts connections and relays them to the broker, recording what clients send. */
  private static void relay(java.net.ServerSocket proxy, String host, int port,
      java.io.ByteArrayOutputStream wire) {
    while (!proxy.isClosed()) {
      try {
        java.net.Socket client = proxy.accept();
        java.net.Socket upstream = new java.net.Socket(host, port);
        pump(client.getInputStream(), upstream.getOutputStream(), wire);
        pump(upstream.getInputStream(), client.getOutputStream(), null);
      } catch (java.io.IOException closed) {
        return;
      }
    }
  }

  private static void pump(java.io.InputStream in, java.io.OutputStream out,
      java.io.ByteArrayOutputStream record) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[8192];
      try (in; out) {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          if (record != null) {
            synchronized (record) {
              record.write(buffer, 0, n);
            }
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (java.io.IOException ended) {
        // either side closed
      }
    }, "wire-pump");
    t.setDaemon(true);
    t.start();
  }

  @Test
  void aWrongPasswordFailsThePipelineWithTheBrokersReason() throws Exception {
    KafkaSecurity security = KafkaSecurity.builder()
        .sasl("SCRAM-SHA-256", TestKafka.USER, "not-the-password").build();
    KafkaSource source = KafkaSource.builder()
        .bootstrapServers(TestKafka.broker().saslBootstrapServers())
        .topics("never-read").group("wrong-password").security(security).build();
    Pipeline pipeline = Sluice.from(source).process(p -> p).to(Sinks.discard()).start();
    assertThatThrownBy(() -> pipeline.completion().get(60, TimeUnit.SECONDS))
        .hasCauseInstanceOf(PipelineException.class)
        .hasMessageContaining("Authentication failed");
    source.close();
  }

  @Test
  void secretsNeverShowInToString() {
    KafkaSecurity security = KafkaSecurity.builder()
        .sasl("PLAIN", "bob", "s3cret-value").tls().build();
    assertThat(security.toString()).doesNotContain("s3cret-value")
        .isEqualTo("KafkaSecurity[SASL_SSL PLAIN as bob]");
    assertThat(String.valueOf(security.properties().get("sasl.jaas.config")))
        .contains("username=\"bob\"").contains("password=\"s3cret-value\"");
    assertThatThrownBy(() -> KafkaSecurity.builder().sasl("GSSAPI", "bob", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SASL mechanism must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 but was GSSAPI");
    assertThatThrownBy(() -> KafkaSecurity.secretFromEnv("SLUICE_KAFKA_TEST_UNSET_VARIABLE"))
        .hasMessage("environment variable SLUICE_KAFKA_TEST_UNSET_VARIABLE is unset or empty");
  }

  private static void roundTrip(String topic, String bootstrap, KafkaSecurity security)
      throws Exception {
    int count = 100;
    KafkaSink<byte[]> sink = KafkaSink.builder().bootstrapServers(bootstrap).topic(topic)
        .security(security).build();
    try {
      for (int i = 0; i < count; i++) {
        sink.write(("m" + i).getBytes(StandardCharsets.UTF_8), dev.sluice.Message.of(new byte[0]))
            .toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    } finally {
      sink.close();
    }
    KafkaSource source = KafkaSource.builder().bootstrapServers(bootstrap).topics(topic)
        .group(topic + "-group").security(security).stopAfter(count).build();
    List<String> got = new CopyOnWriteArrayList<>();
    Sluice.from(source).process(p -> new String(p, StandardCharsets.UTF_8))
        .to(Sinks.collection(got)).start().awaitCompletion();
    source.close();
    assertThat(got).hasSize(count).contains("m0", "m99");
  }
}
