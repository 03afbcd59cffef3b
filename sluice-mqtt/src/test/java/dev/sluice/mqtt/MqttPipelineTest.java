package dev.sluice.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.sluice.DeadLetter;
import dev.sluice.Pipeline;
import dev.sluice.Sluice;
import dev.sluice.Stats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The MQTT source and sink in pipelines against a real broker. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Tag("broker")
class MqttPipelineTest {

  private TestBroker broker;

  @BeforeAll
  void startBroker() {
    broker = TestBroker.start(getClass().getSimpleName());
  }

  @AfterAll
  void stopBroker() throws Exception {
    broker.close();
  }

  private MqttSource.Builder source(String filter, String clientId, int maxInFlight) {
    return MqttSource.builder().uri(broker.uri()).topics(filter).qos(1).clientId(clientId)
        .receiveMaximum(broker.receiveMaximum(maxInFlight));
  }

  private MqttSink<Object> sink(String topic) {
    return MqttSink.builder().uri(broker.uri()).topic(topic).qos(1).connect();
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void tenThousandQos1MessagesThroughFourWorkersArePublishedAndAckedOnce() throws Exception {
    int n = 10_000;
    try (RawClient out = RawClient.connect(broker).subscribe("t1/out/#");
        RawClient in = RawClient.connect(broker)) {
      MqttSource source = source("t1/in", "t1-consumer", 64).build();
      Pipeline pipeline = Sluice.from(source).workers(4).maxInFlight(64)
          .process(MqttPipelineTest::text)
          .to(sink("t1/out/{topic.1}")).start();
      source.subscribed().get(10, TimeUnit.SECONDS);
      in.publish("t1/in", n, 1, i -> "m-" + i);
      await().atMost(Duration.ofSeconds(60)).until(() -> out.distinct() == n);
      await().atMost(Duration.ofSeconds(5)).until(() -> source.stats().acked() == n);
      pipeline.close();
      source.close();
      Stats stats = pipeline.completion().get(10, TimeUnit.SECONDS);
      assertThat(stats.completed()).isEqualTo(n);
      assertThat(source.stats().acked()).isEqualTo(n);
      assertThat(source.stats().unacked()).isZero();
      assertThat(out.total.get()).isEqualTo(n);
      assertThat(out.received).allMatch(p -> p.getTopic().toString().equals("t1/out/in"));
    }
    assertThat(redeliveredTo("t1/in", "t1-consumer")).as("redelivered after restart").isEmpty();
  }

  /** Connects as {@code clientId} again and returns whatever the broker still had for it. */
  private List<String> redeliveredTo(String filter, String clientId) throws Exception {
    List<String> seen = new ArrayList<>();
    MqttSource again = source(filter, clientId, 64).build();
    Pipeline p = Sluice.from(again).workers(1)
        .process(bytes -> { synchronized (seen) { seen.add(text(bytes)); } return bytes; })
        .start();
    again.subscribed().get(10, TimeUnit.SECONDS);
    Thread.sleep(1000);
    p.close();
    again.close();
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  @Test
  void closeFinishesAndAcksInFlightWorkAndNothingIsRedeliveredAfterARestart() throws Exception {
    int n = 300;
    Set<String> firstRun = ConcurrentHashMap.newKeySet();
    try (RawClient in = RawClient.connect(broker)) {
      MqttSource source = source("t3/in", "t3-consumer", 16).build();
      Pipeline pipeline = Sluice.from(source).workers(4).maxInFlight(16)
          .process(bytes -> {
            Thread.sleep(10);
            firstRun.add(text(bytes));
            return bytes;
          }).start();
      source.subscribed().get(10, TimeUnit.SECONDS);
      in.publish("t3/in", n, 1, i -> "m-" + i);
      await().atMost(Duration.ofSeconds(30)).until(() -> firstRun.size() >= 50);
      pipeline.close();
      source.close();
      Stats stats = pipeline.completion().get(10, TimeUnit.SECONDS);
      assertThat(stats.nacked()).isZero();
      assertThat(stats.completed()).isEqualTo(firstRun.size());
      assertThat(source.stats().acked()).isEqualTo(firstRun.size());
      assertThat(firstRun.size()).isLessThan(n);
    }
    List<String> secondRun = redeliveredTo("t3/in", "t3-consumer");
    assertThat(secondRun).as("processed in the first run, redelivered")
        .doesNotContainAnyElementsOf(firstRun);
    Set<String> all = new java.util.HashSet<>(firstRun);
    all.addAll(secondRun);
    assertThat(all).hasSize(n);
  }

  @Test
  void poisonMessagesAreDeadLetteredWithTheirCauseAndTheRestFlows() throws Exception {
    try (RawClient dead = RawClient.connect(broker).subscribe("t7/dead/#");
        RawClient out = RawClient.connect(broker).subscribe("t7/out");
        RawClient in = RawClient.connect(broker)) {
      MqttSource source = source("t7/in", "t7-consumer", 16).maxPayloadBytes(1000).build();
      Pipeline pipeline = Sluice.from(source).workers(2).maxInFlight(16)
          .timeout(Duration.ofMillis(300))
          .process(bytes -> {
            String s = text(bytes);
            if (s.startsWith("throw")) {
              throw new IllegalArgumentException("cannot digest " + s);
            }
            if (s.startsWith("hang")) {
              Thread.sleep(60_000);
            }
            return s;
          })
          .to(sink("t7/out"))
          .deadLetters(MqttSink.builder().uri(broker.uri()).topic("t7/dead/failed")
              .<byte[]>deadLetters())
          .start();
      source.subscribed().get(10, TimeUnit.SECONDS);
      in.publish("t7/in", 20, 1, i -> "ok-" + i);
      in.publish("t7/in", 1, 1, i -> "throw-1");
      in.publish("t7/in", 1, 1, i -> "hang-1");
      in.publish("t7/in", new byte[5000], 1);
      in.publish("t7/in", 20, 1, i -> "ok-" + (20 + i));
      await().atMost(Duration.ofSeconds(30)).until(() -> out.distinct() == 40 && dead.total.get() == 3);
      pipeline.close();
      source.close();
      Map<String, Mqtt5Publish> letters = new HashMap<>();
      for (Mqtt5Publish p : dead.received) {
        letters.put(p.getTopic() + ":" + props(p).get(MqttSink.ATTEMPTS_PROPERTY) + ":"
            + text(p.getPayloadAsBytes()).replaceAll("\0+", "zeros"), p);
      }
      assertThat(letters).containsOnlyKeys("t7/dead/failed:1:throw-1", "t7/dead/failed:1:hang-1",
          "t7/dead/failed:0:");
      assertThat(props(letters.get("t7/dead/failed:1:throw-1")).get(MqttSink.CAUSE_PROPERTY))
          .contains("IllegalArgumentException").contains("cannot digest throw-1");
      assertThat(props(letters.get("t7/dead/failed:1:hang-1")).get(MqttSink.CAUSE_PROPERTY))
          .contains("TimeoutException");
      assertThat(props(letters.get("t7/dead/failed:0:")))
          .containsEntry(MqttSink.SOURCE_TOPIC_PROPERTY, "t7/in")
          .hasEntrySatisfying(MqttSink.CAUSE_PROPERTY, c -> assertThat(c)
              .contains("PayloadTooLargeException").contains("5000 bytes"));
      assertThat(source.stats().rejected()).isEqualTo(1);
      assertThat(source.stats().acked()).isEqualTo(42);
    }
  }

  private static Map<String, String> props(Mqtt5Publish p) {
    return p.getUserProperties().asList().stream().collect(Collectors.toMap(
        u -> u.getName().toString(), u -> u.getValue().toString(), (a, b) -> a));
  }

  @Test
  void threeInstancesOnOneSharedSubscriptionTogetherSeeEveryMessage() throws Exception {
    int n = 3000;
    try (RawClient out = RawClient.connect(broker).subscribe("t5/out");
        RawClient in = RawClient.connect(broker)) {
      List<MqttSource> sources = new ArrayList<>();
      List<Pipeline> pipelines = new ArrayList<>();
      List<AtomicInteger> perInstance = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        AtomicInteger count = new AtomicInteger();
        MqttSource s = MqttSource.builder()
            .uri(broker.uri() + "/t5/in?qos=1&share=t5group&client-id=t5-member-" + i
                + "&session-expiry=10m&receive-maximum=" + broker.receiveMaximum(32))
            .build();
        assertThat(s.filters()).containsExactly("$share/t5group/t5/in");
        pipelines.add(Sluice.from(s).workers(2).maxInFlight(32)
            .process(b -> { count.incrementAndGet(); return text(b); })
            .to(sink("t5/out")).start());
        sources.add(s);
        perInstance.add(count);
      }
      for (MqttSource s : sources) {
        s.subscribed().get(10, TimeUnit.SECONDS);
      }
      in.publish("t5/in", n, 1, i -> "m-" + i);
      await().atMost(Duration.ofSeconds(60)).until(() -> out.distinct() == n);
      for (int i = 0; i < 3; i++) {
        pipelines.get(i).close();
        sources.get(i).close();
      }
      if (broker.isMosquitto()) {
        // Mosquitto deals a share group's messages round-robin; HiveMQ CE may give one member
        // everything while it keeps up, which MQTT allows.
        assertThat(perInstance).allSatisfy(c -> assertThat(c.get()).isPositive());
      }
      assertThat(perInstance.stream().mapToInt(AtomicInteger::get).sum()).isGreaterThanOrEqualTo(n);
    }
  }

  @Test
  void closingLeavesNoClientThreadBehind() throws Exception {
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    MqttSource source = source("t8/in", "t8-consumer", 8).build();
    MqttSink<Object> sink = sink("t8/out");
    Pipeline pipeline = Sluice.from(source).workers(1).process(b -> b).to(sink).start();
    source.subscribed().get(10, TimeUnit.SECONDS);
    assertThat(threadNames()).anyMatch(name -> name.startsWith("sluice-mqtt-t8-consumer-io"));
    pipeline.close();
    source.close();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(threadNames())
        .noneMatch(name -> name.startsWith("sluice-mqtt-")));
    // The HiveMQ client's default Netty threads are not daemons; ours are, and none is left.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(Thread::isAlive)
            .filteredOn(t -> !t.isDaemon() && !before.contains(t))
            .filteredOn(t -> !t.getName().startsWith("awaitility")).isEmpty());
  }

  private static List<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .map(Thread::getName).collect(Collectors.toList());
  }
}
