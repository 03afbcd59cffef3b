package dev.sluice.micrometer;

import static dev.sluice.micrometer.SourceMetersTest.current;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.sluice.Pipeline;
import dev.sluice.Sluice;
import dev.sluice.mqtt.MqttSource;
import dev.sluice.mqtt.broker.EmbeddedBroker;
import dev.sluice.mqtt.broker.Mosquitto;
import dev.sluice.spi.ConnectionState;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An {@link MqttSource}'s meters against a real broker: Mosquitto on a free loopback port when
 * it is installed (then also through a broker restart), else the embedded HiveMQ CE broker.
 */
@Timeout(120)
@Tag("broker")
class MqttSourceMetersTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int MESSAGES = 10;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private double counter(String name) {
    return registry.get(name).tag("pipeline", "mqtt").functionCounter().count();
  }

  private double gauge(String name) {
    return registry.get(name).tag("pipeline", "mqtt").gauge().value();
  }

  @Test
  void receivedAckWindowBufferAndStateMoveWithTheSourceThroughARestart() throws Exception {
    Path dir = Files.createTempDirectory("sluice-micrometer-mosquitto-");
    boolean mosquitto = Mosquitto.installed();
    int port = mosquitto ? Mosquitto.freePort() : 0;
    try (Mosquitto real = mosquitto ? Mosquitto.start(dir, List.of(port), List.of(
            "listener " + port + " 127.0.0.1", "allow_anonymous true",
            "persistence true", "persistence_location " + dir + "/",
            "max_inflight_messages 32")) : null;
        EmbeddedBroker embedded = mosquitto ? null
            : EmbeddedBroker.start(0, Duration.ofSeconds(60))) {
      if (embedded != null) {
        port = embedded.port();
      }
      SluiceMeters meters = SluiceMeters.register(registry, Tags.of("pipeline", "mqtt"));
      MqttSource source = MqttSource.builder().uri("mqtt://127.0.0.1:" + port)
          .topics("meters/in").qos(1).clientId("sluice-meters-test")
          .receiveMaximum(mosquitto ? 65535 : 32).build();
      meters.bindSource(source);
      assertThat(current(registry)).isEqualTo(ConnectionState.IDLE);    // not yet subscribed
      assertThat(counter("sluice.source.messages.received")).isZero();

      CountDownLatch gate = new CountDownLatch(1);
      Pipeline pipeline = Sluice.from(source).workers(1).maxInFlight(2)
          .process((byte[] b) -> {
            gate.await();
            return b;
          }).start();
      source.subscribed().get(20, TimeUnit.SECONDS);
      assertThat(current(registry)).isEqualTo(ConnectionState.CONNECTED);

      Mqtt5BlockingClient publisher = MqttClient.builder().useMqttVersion5()
          .identifier("sluice-meters-publisher").serverHost("127.0.0.1").serverPort(port)
          .buildBlocking();
      publisher.connect();
      for (int i = 0; i < MESSAGES; i++) {
        publisher.publishWith().topic("meters/in").qos(MqttQos.AT_LEAST_ONCE)
            .payload(("m-" + i).getBytes(StandardCharsets.UTF_8)).send();
      }
      publisher.disconnect();

      await().atMost(WAIT).until(() -> counter("sluice.source.messages.received") == MESSAGES);
      assertThat(gauge("sluice.source.unacked")).as("held by the gate").isEqualTo(MESSAGES);
      assertThat(gauge("sluice.source.buffered")).as("not taken by a pipeline of 2")
          .isGreaterThanOrEqualTo(MESSAGES - 3);
      assertThat(registry.get("sluice.source.unacked.oldest").timeGauge()
          .value(TimeUnit.NANOSECONDS)).isPositive();
      assertThat(counter("sluice.source.messages.acked")).isZero();

      gate.countDown();
      await().atMost(WAIT).until(() -> counter("sluice.source.messages.acked") == MESSAGES);
      await().atMost(WAIT).until(() -> gauge("sluice.source.unacked") == 0);
      assertThat(gauge("sluice.source.buffered")).isZero();
      assertThat(counter("sluice.source.messages.dropped")).isZero();
      assertThat(counter("sluice.source.messages.rejected")).isZero();

      if (mosquitto) {
        real.stop();
        await().atMost(WAIT).until(() -> current(registry) == ConnectionState.BACKING_OFF);
        real.startAgain();
        await().atMost(WAIT).until(() -> current(registry) == ConnectionState.CONNECTED);
        assertThat(counter("sluice.source.reconnects")).isGreaterThanOrEqualTo(1);
      }
      pipeline.close();
      source.close();     // the pipeline's cancel may have begun closing it on another thread
      await().atMost(WAIT).until(() -> current(registry) == ConnectionState.CLOSED);
      assertThat(counter("sluice.source.messages.received")).isEqualTo(MESSAGES);
    }
  }
}
