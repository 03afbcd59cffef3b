package dev.sluice.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.Pipeline;
import dev.sluice.PipelineException;
import dev.sluice.Sluice;
import dev.sluice.spi.OverflowPolicy;
import dev.sluice.spi.SourceOverflowException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** QoS 0 overflow policies and MQTT 3.1.1, against a real broker. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@Tag("broker")
class MqttQosAndVersionTest {

  private TestBroker broker;

  @BeforeAll
  void startBroker() {
    broker = TestBroker.start(getClass().getSimpleName());
  }

  @AfterAll
  void stopBroker() throws Exception {
    broker.close();
  }

  @Test
  void qos0OverflowBeyondTheBufferIsDroppedAndCountedWhileTheRestFlows() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Set<String> seen = ConcurrentHashMap.newKeySet();
    MqttSource source = MqttSource.builder().uri(broker.uri()).topics("q0/in").qos(0)
        .clientId("q0-consumer").qos0Overflow(10, OverflowPolicy.DROP_OLDEST).build();
    Pipeline pipeline = Sluice.from(source).workers(1).maxInFlight(4)
        .process(b -> {
          release.await();
          seen.add(new String(b, StandardCharsets.UTF_8));
          return b;
        }).start();
    source.subscribed().get(10, TimeUnit.SECONDS);
    try (RawClient in = RawClient.connect(broker)) {
      in.publish("q0/in", 500, 0, i -> "m-" + i);
      await().atMost(Duration.ofSeconds(10)).until(() -> source.stats().received() == 500);
    }
    MqttSourceStats stats = source.stats();
    assertThat(stats.qos0Dropped()).isEqualTo(500 - 4 - 10);
    assertThat(stats.buffered()).isEqualTo(10);
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 14);
    assertThat(seen).contains("m-499", "m-490").doesNotContain("m-100");
    pipeline.close();
    source.close();
  }

  @Test
  void qos0OverflowUnderFailFailsThePipeline() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    MqttSource source = MqttSource.builder().uri(broker.uri()).topics("q0f/in").qos(0)
        .clientId("q0f-consumer").qos0Overflow(5, OverflowPolicy.FAIL).build();
    Pipeline pipeline = Sluice.from(source).workers(1).maxInFlight(2)
        .drainTimeout(Duration.ofSeconds(1))
        .process(b -> {
          release.await(2, TimeUnit.SECONDS);
          return b;
        }).start();
    source.subscribed().get(10, TimeUnit.SECONDS);
    try (RawClient in = RawClient.connect(broker)) {
      in.publish("q0f/in", 50, 0, i -> "m-" + i);
    }
    release.countDown();
    ExecutionException failure = org.assertj.core.api.Assertions.catchThrowableOfType(
        () -> pipeline.completion().get(20, TimeUnit.SECONDS), ExecutionException.class);
    assertThat(failure.getCause()).isInstanceOf(PipelineException.class);
    assertThat(failure.getCause()).hasRootCauseInstanceOf(SourceOverflowException.class);
    source.close();
  }

  @Test
  void stopAfterCompletesThePipelineAndLeavesTheRestForTheNextRun() throws Exception {
    Set<String> seen = ConcurrentHashMap.newKeySet();
    MqttSource first = MqttSource.builder().uri(broker.uri()).topics("sa/in").clientId("sa")
        .stopAfter(20).build();
    Pipeline pipeline = Sluice.from(first).workers(2).maxInFlight(8)
        .process(b -> seen.add(new String(b, StandardCharsets.UTF_8))).start();
    first.subscribed().get(10, TimeUnit.SECONDS);
    try (RawClient in = RawClient.connect(broker)) {
      in.publish("sa/in", 30, 1, i -> "m-" + i);
    }
    assertThat(pipeline.completion().get(20, TimeUnit.SECONDS).completed()).isEqualTo(20);
    first.close();
    MqttSource second = MqttSource.builder().uri(broker.uri()).topics("sa/in").clientId("sa")
        .stopAfter(10).build();
    Pipeline rest = Sluice.from(second).workers(2).maxInFlight(8)
        .process(b -> seen.add(new String(b, StandardCharsets.UTF_8))).start();
    assertThat(rest.completion().get(20, TimeUnit.SECONDS).completed()).isEqualTo(10);
    second.close();
    assertThat(seen).hasSize(30);
  }

  @Test
  void mqtt311IsSpokenOnRequest() throws Exception {
    Set<String> seen = ConcurrentHashMap.newKeySet();
    MqttSource source = MqttSource.builder()
        .uri(broker.uri() + "/v3/in?qos=1&client-id=v3-consumer&version=3.1.1").build();
    MqttSink<Object> sink = MqttSink.builder().uri(broker.uri() + "/v3/out?version=3.1.1")
        .connect();
    try (RawClient out = RawClient.connect(broker).subscribe("v3/out");
        RawClient in = RawClient.connect(broker)) {
      Pipeline pipeline = Sluice.from(source).workers(2).maxInFlight(16)
          .process(b -> new String(b, StandardCharsets.UTF_8)).to(sink).start();
      source.subscribed().get(10, TimeUnit.SECONDS);
      in.publish("v3/in", 200, 1, i -> "m-" + i);
      await().atMost(Duration.ofSeconds(20)).until(() -> out.distinct() == 200);
      pipeline.close();
      source.close();
      assertThat(source.stats().acked()).isEqualTo(200);
    }
  }
}
