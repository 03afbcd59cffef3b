package dev.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.Ordering;
import dev.sluice.Pipeline;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Cooperative rebalances inside one JVM, and keyed concurrency beyond the partition count. */
@Tag("broker")
class KafkaRebalanceTest {

  @BeforeAll
  static void broker() {
    TestKafka.broker();
  }

  /**
   * A second member joins mid-run and takes half the partitions, then the first leaves and the
   * second takes the rest: the work keeps flowing through both changes, and since every
   * revoked partition's in-flight records finish before its commit, nothing is processed twice
   * (unless a revocation ran out of time, which the sources count as abandoned).
   */
  @Test
  void membersJoiningAndLeavingMidRunNeitherStallNorDuplicate() throws Exception {
    String topic = "rebalance";
    String group = "rebalance-group";
    int count = 20_000;
    TestKafka.broker().createTopic(topic, 4);
    TestKafka.produce(topic, count, i -> "k" + (i % 97), i -> "k" + (i % 97) + ":" + (i / 97));
    Queue<String> done = new ConcurrentLinkedQueue<>();
    AtomicInteger byFirst = new AtomicInteger();
    AtomicInteger bySecond = new AtomicInteger();

    KafkaSource first = source(topic, group, "first");
    Pipeline p1 = pipeline(first, "first", done, byFirst);
    await().atMost(Duration.ofMinutes(2)).until(() -> byFirst.get() >= 2_000);

    KafkaSource second = source(topic, group, "second");
    Pipeline p2 = pipeline(second, "second", done, bySecond);
    await().atMost(Duration.ofMinutes(2)).until(() -> bySecond.get() >= 500);

    p1.close();
    first.close();
    int secondAtLeave = bySecond.get();
    Map<TopicPartition, Long> end = TestKafka.endOffsets(topic, 4);
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
        .until(() -> allCommitted(group, end));
    p2.close();
    second.close();

    Map<String, Integer> lastSeq = new HashMap<>();
    java.util.Set<String> unique = new java.util.HashSet<>();
    for (String line : done) {
      String[] f = line.split("\\|");
      String key = f[1].substring(0, f[1].indexOf(':'));
      int seq = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1));
      unique.add(f[1]);
      Integer last = lastSeq.put(f[0] + "/" + key, seq);
      assertThat(last == null ? -1 : last).as("key %s in %s", key, f[0]).isLessThan(seq);
    }
    long duplicates = done.size() - unique.size();
    long abandoned = first.stats().abandoned() + second.stats().abandoned();
    System.out.printf("rebalance test: first %d, second %d, duplicates %d, abandoned %d, "
        + "rebalances %d/%d%n", byFirst.get(), bySecond.get(), duplicates, abandoned,
        first.stats().rebalances(), second.stats().rebalances());
    assertThat(unique).hasSize(count);
    assertThat(duplicates).isLessThanOrEqualTo(abandoned);
    if (secondAtLeave + byFirst.get() < count) {
      assertThat(bySecond.get()).as("the second took over what the first left")
          .isGreaterThan(secondAtLeave);
    }
  }

  /**
   * BY_KEY on the record key: eight workers on a one-partition topic all run at once, because
   * the engine's keyed lanes, not the partition, bound the concurrency.
   */
  @Test
  void eightWorkersOnOnePartitionAllRunAtOnceByKey() throws Exception {
    String topic = "one-partition";
    int workers = 8;
    TestKafka.broker().createTopic(topic, 1);
    TestKafka.produce(topic, 400, i -> "k" + (i % 40), i -> Integer.toString(i));
    KafkaSource source = KafkaSource.builder().bootstrapServers(TestKafka.bootstrap())
        .topics(topic).group("one-partition-group").stopAfter(400).build();
    CyclicBarrier allBusy = new CyclicBarrier(workers);
    AtomicInteger tripped = new AtomicInteger();
    Pipeline pipeline = Sluice.from(source).workers(workers).ordering(Ordering.BY_KEY)
        .process(payload -> {
          int i = Integer.parseInt(TestKafka.text(payload));
          if (i < workers) {            // the first eight records, eight different keys
            try {
              allBusy.await(60, TimeUnit.SECONDS);
              tripped.incrementAndGet();
            } catch (BrokenBarrierException | TimeoutException e) {
              throw new IllegalStateException("not all " + workers + " workers ran at once", e);
            }
          }
          return payload;
        })
        .to(Sinks.discard()).start();
    var stats = pipeline.awaitCompletion();
    source.close();
    assertThat(tripped.get()).isEqualTo(workers);
    assertThat(stats.completed()).isEqualTo(400);
    assertThat(stats.deadLettered()).isZero();
  }

  private static KafkaSource source(String topic, String group, String name) {
    return KafkaSource.builder().bootstrapServers(TestKafka.bootstrap()).topics(topic)
        .group(group).clientId(name).commitInterval(Duration.ofMillis(200)).build();
  }

  private static Pipeline pipeline(KafkaSource source, String name, Queue<String> done,
      AtomicInteger count) {
    return Sluice.from(source).workers(4).ordering(Ordering.BY_KEY)
        .process(payload -> {
          Thread.sleep(1);                 // the work
          return name + "|" + TestKafka.text(payload);
        })
        .to(Sinks.callback(line -> {
          done.add(line);
          count.incrementAndGet();
        })).start();
  }

  private static boolean allCommitted(String group, Map<TopicPartition, Long> end)
      throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = TestKafka.committed(group);
    return end.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
        && committed.get(e.getKey()).offset() >= e.getValue());
  }
}
