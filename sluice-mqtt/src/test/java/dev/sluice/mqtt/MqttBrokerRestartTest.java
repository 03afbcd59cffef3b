package dev.sluice.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.Pipeline;
import dev.sluice.Sluice;
import dev.sluice.spi.ConnectionState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Mosquitto restarted under a running pipeline (needs Mosquitto: the embedded broker cannot restart). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Tag("broker")
class MqttBrokerRestartTest {

  @Test
  void aBrokerRestartedMidStreamIsReconnectedToResubscribedAndNothingIsLost() throws Exception {
    assumeTrue(TestBroker.mosquittoInstalled(), "needs Mosquitto");
    int half = 1000;
    try (TestBroker broker = TestBroker.start(getClass().getSimpleName());
        RawClient out = RawClient.connectPersistent(broker, "r4-collector").subscribe("r4/out")) {
      Set<String> processed = ConcurrentHashMap.newKeySet();
      MqttSource source = MqttSource.builder().uri(broker.uri()).topics("r4/in").clientId("r4")
          .receiveMaximum(broker.receiveMaximum(32))
          .endpoint(e -> e.reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)))
          .build();
      MqttSink<Object> sink = MqttSink.builder().uri(broker.uri()).topic("r4/out")
          .clientId("r4-out")
          .endpoint(e -> e.reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)))
          .connect();
      Pipeline pipeline = Sluice.from(source).workers(4).maxInFlight(32)
          .process(bytes -> {
            Thread.sleep(2);
            String s = new String(bytes, StandardCharsets.UTF_8);
            processed.add(s);
            return s;
          }).to(sink).start();
      source.subscribed().get(10, TimeUnit.SECONDS);
      try (RawClient in = RawClient.connect(broker)) {
        in.publish("r4/in", half, 1, i -> "m-" + i);
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> processed.size() >= half / 3);
      broker.restart();
      try (RawClient in = RawClient.connect(broker)) {
        in.publish("r4/in", half, 1, i -> "m-" + (half + i));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> processed.size() == 2 * half);
      await().atMost(Duration.ofSeconds(30)).until(() -> out.distinct() == 2 * half);
      assertThat(source.stats().reconnects()).isGreaterThanOrEqualTo(1);
      assertThat(source.stats().state()).isEqualTo(ConnectionState.CONNECTED);
      pipeline.close();
      source.close();
      assertThat(pipeline.stats().nacked()).isZero();
    }
  }
}
