package dev.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.Message;
import dev.sluice.Ordering;
import dev.sluice.Pipeline;
import dev.sluice.RetryPolicy;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.Stats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("broker")
class KafkaSourceTest {

  @BeforeAll
  static void broker() {
    TestKafka.broker();
  }

  @Test
  void recordsFlowInKeyOrderAndEveryOffsetIsCommitted() throws Exception {
    String topic = "flow";
    int count = 20_000;
    TestKafka.broker().createTopic(topic, 4);
    TestKafka.produce(topic, count, i -> "k" + (i % 100), i -> "k" + (i % 100) + ":" + (i / 100));
    KafkaSource source = KafkaSource.builder().bootstrapServers(TestKafka.bootstrap())
        .topics(topic).group("flow-group").stopAfter(count).build();
    List<Message<byte[]>> seen = Collections.synchronizedList(new ArrayList<>());
    Pipeline pipeline = Sluice.from(source).workers(4).ordering(Ordering.BY_KEY)
        .processMessages((m, attempt) -> {
          seen.add(m);
          return m.payload();
        })
        .to(Sinks.discard()).start();
    Stats stats = pipeline.awaitCompletion();
    source.close();

    assertThat(stats.completed()).isEqualTo(count);
    Map<Object, Integer> lastSeqOfKey = new HashMap<>();
    for (Message<byte[]> m : seen) {
      String[] parts = TestKafka.text(m.payload()).split(":");
      assertThat(m.key()).isEqualTo(parts[0]);
      int seq = Integer.parseInt(parts[1]);
      Integer last = lastSeqOfKey.put(m.key(), seq);
      assertThat(last == null ? -1 : last).as("order of key %s", m.key()).isLessThan(seq);
    }
    assertThat(lastSeqOfKey).hasSize(100).allSatisfy((k, last) -> assertThat(last).isEqualTo(199));
    Message<byte[]> first = seen.get(0);
    assertThat(first.topic()).isEqualTo(topic);
    assertThat(first.headers()).containsKeys(KafkaSource.PARTITION_HEADER,
        KafkaSource.OFFSET_HEADER, KafkaSource.TIMESTAMP_HEADER);
    assertThat(first.headers().get(KafkaSource.OFFSET_HEADER))
        .isEqualTo(Long.toString(first.sequence()));

    Map<TopicPartition, OffsetAndMetadata> committed = TestKafka.committed("flow-group");
    Map<TopicPartition, Long> end = TestKafka.endOffsets(topic, 4);
    assertThat(committed).hasSize(4);
    end.forEach((tp, offset) -> assertThat(committed.get(tp).offset()).as("%s", tp)
        .isEqualTo(offset));
    assertThat(source.stats().received()).isEqualTo(count);
    assertThat(source.stats().abandoned()).isZero();
  }

  @Test
  void aPoisonRecordIsDeadLetteredWhileItsPartitionKeepsFlowing() throws Exception {
    String topic = "poison";
    int count = 1000;
    TestKafka.broker().createTopic(topic, 1);
    TestKafka.produce(topic, count, i -> "key" + i, i -> i == 500 ? "poison" : "ok-" + i);
    KafkaSource source = KafkaSource.builder().bootstrapServers(TestKafka.bootstrap())
        .topics(topic).group("poison-group").stopAfter(count).build();
    KafkaSink<dev.sluice.DeadLetter<byte[]>> dlq = KafkaSink.builder()
        .bootstrapServers(TestKafka.bootstrap()).topic("{topic}.dlq").buildDeadLetters();
    KafkaSink<byte[]> results = KafkaSink.builder().bootstrapServers(TestKafka.bootstrap())
        .topic("{topic}.results").build();
    Pipeline pipeline = Sluice.from(source).workers(4)
        .retry(RetryPolicy.builder().maxAttempts(2).backoff(Duration.ofMillis(1), Duration.ofMillis(1)).build())
        .process(payload -> {
          if (TestKafka.text(payload).equals("poison")) {
            throw new IllegalStateException("cannot digest poison");
          }
          return payload;
        })
        .to(results).deadLetters(dlq).start();
    Stats stats = pipeline.awaitCompletion();
    source.close();

    assertThat(stats.completed()).isEqualTo(count - 1);
    assertThat(stats.deadLettered()).isEqualTo(1);
    List<ConsumerRecord<byte[], byte[]>> written = TestKafka.readAll(topic + ".results", count - 1);
    assertThat(written).hasSize(count - 1);
    assertThat(written).allSatisfy(r -> assertThat(TestKafka.text(r.value())).startsWith("ok-"));
    List<ConsumerRecord<byte[], byte[]>> letters = TestKafka.readAll(topic + ".dlq", 1);
    assertThat(letters).hasSize(1);
    ConsumerRecord<byte[], byte[]> letter = letters.get(0);
    assertThat(TestKafka.text(letter.value())).isEqualTo("poison");
    assertThat(TestKafka.text(letter.key())).isEqualTo("key500");
    assertThat(header(letter, KafkaSink.ERROR_HEADER)).contains("cannot digest poison");
    assertThat(header(letter, KafkaSink.ATTEMPTS_HEADER)).isEqualTo("2");
    assertThat(header(letter, KafkaSink.ORIGINAL_TOPIC_HEADER)).isEqualTo(topic);
    assertThat(header(letter, KafkaSink.ORIGINAL_PARTITION_HEADER)).isEqualTo("0");
    assertThat(header(letter, KafkaSink.ORIGINAL_OFFSET_HEADER)).isEqualTo("500");
    assertThat(TestKafka.committed("poison-group").get(new TopicPartition(topic, 0)).offset())
        .isEqualTo(count);
  }

  @Test
  void aRecordSlowerThanMaxPollIntervalDoesNotCostTheMemberItsPartitions() throws Exception {
    String topic = "slow";
    int count = 200;
    long maxPollIntervalMs = 1000;
    TestKafka.broker().createTopic(topic, 2);
    TestKafka.produce(topic, count, i -> "k" + i, i -> Integer.toString(i));
    KafkaSource source = KafkaSource.builder().bootstrapServers(TestKafka.bootstrap())
        .topics(topic).group("slow-group").stopAfter(count).bufferSize(8)
        .revokeTimeout(Duration.ofMillis(500))
        .property("max.poll.interval.ms", Long.toString(maxPollIntervalMs))
        .property("max.poll.records", "10")
        .build();
    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    // ORDERED: the slow record holds back every result after it, the pipeline fills up and the
    // source pauses its partitions for three poll intervals.
    Pipeline pipeline = Sluice.from(source).workers(2).maxInFlight(8).ordering(Ordering.ORDERED)
        .process(payload -> {
          String text = TestKafka.text(payload);
          runs.computeIfAbsent(text, t -> new AtomicInteger()).incrementAndGet();
          if (text.equals("10")) {
            Thread.sleep(3 * maxPollIntervalMs);   // the slow work itself
          }
          return payload;
        })
        .to(Sinks.discard()).start();
    Stats stats = pipeline.awaitCompletion();
    source.close();

    assertThat(stats.completed()).isEqualTo(count);
    assertThat(runs).hasSize(count).allSatisfy((k, n) -> assertThat(n.get()).isEqualTo(1));
    assertThat(source.stats().rebalances()).as("only the first assignment").isEqualTo(1);
    assertThat(source.stats().abandoned()).isZero();
  }

  @Test
  void aStalledPipelineHoldsOnlyABoundedNumberOfFetchedRecords() throws Exception {
    String topic = "stalled";
    int count = 5_000;
    int window = 8;
    int buffer = 50;
    int pollRecords = 20;
    TestKafka.broker().createTopic(topic, 1);
    TestKafka.produce(topic, count, i -> "k" + i, i -> Integer.toString(i));
    KafkaSource source = KafkaSource.builder().bootstrapServers(TestKafka.bootstrap())
        .topics(topic).group("stalled-group").stopAfter(count).bufferSize(buffer)
        .property("max.poll.records", Integer.toString(pollRecords))
        .build();
    CountDownLatch go = new CountDownLatch(1);
    Pipeline pipeline = Sluice.from(source).workers(1).maxInFlight(window)
        .process(payload -> {
          go.await();
          return payload;
        })
        .to(Sinks.discard()).start();
    // held by the pipeline, by the emitter's buffer, in the loop up to the pause threshold,
    // and one poll's worth fetched as it crossed it: then the partitions are paused
    long bound = window + buffer + buffer + pollRecords;
    await().atMost(Duration.ofSeconds(30))
        .until(() -> source.stats().received() >= window + buffer);
    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
        .until(() -> source.stats().received() <= bound);
    go.countDown();
    Stats stats = pipeline.awaitCompletion();
    source.close();
    assertThat(stats.completed()).isEqualTo(count);
  }

  private static String header(ConsumerRecord<?, ?> r, String name) {
    return TestKafka.text(r.headers().lastHeader(name).value());
  }
}
