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
