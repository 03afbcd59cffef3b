package dev.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.testing.ChildJvm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A consumer group of real processes: three members share six partitions; one is killed with
 * SIGKILL mid-run and restarted, another joins later. Nothing is lost, each key's results stay
 * in order within each member, and the duplicates stay within what the killed member had
 * finished but not yet committed.
 */
@Tag("broker")
class KafkaGroupTest {

  private static final int RECORDS = 20_000;
  private static final int PARTITIONS = 6;
  private static final int KEYS = 200;

  @Test
  void membersKilledAndJoiningMidRunLoseNothingAndKeepEachKeyInOrder() throws Exception {
    String topic = "group-in";
    String results = "group-out";
    String group = "group-members";
    TestKafka.broker().createTopic(topic, PARTITIONS);
    TestKafka.broker().createTopic(results, 4);
    String bootstrap = TestKafka.bootstrap();
    List<ChildJvm> members = new ArrayList<>();
    try {
      ChildJvm a = start(members, bootstrap, topic, group, "A", results);
      ChildJvm b = start(members, bootstrap, topic, group, "B", results);
      a.awaitReady();
      b.awaitReady();
      TestKafka.produce(topic, RECORDS, i -> "k" + (i % KEYS), i -> "k" + (i % KEYS) + ":" + (i / KEYS));

      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
          .until(() -> written(results) >= RECORDS / 4);
      a.kill();
      Map<TopicPartition, OffsetAndMetadata> committedAtKill = TestKafka.committed(group);

      ChildJvm a2 = start(members, bootstrap, topic, group, "A2", results);
      ChildJvm c = start(members, bootstrap, topic, group, "C", results);
      a2.awaitReady();
      c.awaitReady();

      Map<TopicPartition, Long> end = TestKafka.endOffsets(topic, PARTITIONS);
      await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(250))
          .until(() -> allCommitted(group, end));
      for (ChildJvm member : List.of(b, a2, c)) {
        assertThat(member.stop()).as(member.output()).isZero();
      }

      long total = written(results);
      List<ConsumerRecord<byte[], byte[]>> out = TestKafka.readAll(results, (int) total);
      assertThat(out).hasSize((int) total);
      Set<String> unique = new HashSet<>();
      Map<String, Integer> lastSeq = new HashMap<>();       // "member/key" -> last seq
      long window = 0;
      for (ConsumerRecord<byte[], byte[]> r : out) {
        String[] f = TestKafka.text(r.value()).split("\\|");
        String member = f[0];
        String payload = f[1];
        String key = payload.substring(0, payload.indexOf(':'));
        int seq = Integer.parseInt(payload.substring(payload.indexOf(':') + 1));
        unique.add(payload);
        Integer last = lastSeq.put(member + "/" + key, seq);
        assertThat(last == null ? -1 : last).as("key %s in member %s", key, member)
            .isLessThan(seq);
        if (member.equals("A")) {
          OffsetAndMetadata c0 = committedAtKill.get(new TopicPartition(topic,
              Integer.parseInt(f[2])));
          if (c0 == null || Long.parseLong(f[3]) >= c0.offset()) {
            window++;
          }
        }
      }
      long duplicates = total - unique.size();
      long skipped = skipped(b) + skipped(a2) + skipped(c);
      System.out.printf("group test: %d records, %d results, %d duplicates; killed member's "
          + "finished-but-uncommitted window %d; %d skipped thanks to commit metadata%n",
          RECORDS, total, duplicates, window, skipped);
      assertThat(unique).as("nothing lost").hasSize(RECORDS);
      assertThat(duplicates).as("duplicates within the uncommitted window")
          .isLessThanOrEqualTo(window);
    } finally {
      for (ChildJvm member : members) {
        member.close();
      }
    }
  }

  private static ChildJvm start(List<ChildJvm> members, String... args) throws Exception {
    ChildJvm member = ChildJvm.start(GroupMember.class, "256m", Duration.ofSeconds(120), args);
    members.add(member);
    return member;
  }

  private static long written(String topic) throws Exception {
    return TestKafka.endOffsets(topic, 4).values().stream().mapToLong(Long::longValue).sum();
  }

  private static boolean allCommitted(String group, Map<TopicPartition, Long> end)
      throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = TestKafka.committed(group);
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      OffsetAndMetadata c = committed.get(e.getKey());
      if (c == null || c.offset() < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static long skipped(ChildJvm member) {
    Matcher m = Pattern.compile("STATS skipped=(\\d+)").matcher(member.output());
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }
}
