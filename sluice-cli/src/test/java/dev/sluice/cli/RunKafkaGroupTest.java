package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.kafka.broker.EmbeddedKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's group test, with the real command: 100,000 records through a consumer group of
 * three {@code sluice run} processes (child JVMs) with {@code --ordering key=key}; one member is
 * killed with SIGKILL a quarter of the way and restarted at once with the same client id,
 * another joins at 60%. Every record's result arrives; each key's results are in offset order
 * within each member's output; a record is done twice only if the killed member had finished
 * it without committing it, and there are no more such duplicates than that window holds.
 * Each result is {@code MEMBER|KEY:SEQ|PARTITION|OFFSET} (processor {@code TagRecord}).
 */
@Timeout(600)
@Tag("broker")
class RunKafkaGroupTest {

  private static final int RECORDS = Integer.getInteger("sluice.test.kafkaGroupRecords", 100_000);
  private static final int PARTITIONS = 6;
  private static final int KEYS = 500;
  private static final Duration LONG = Duration.ofMinutes(4);

  @TempDir
  Path dir;

  @Test
  void aGroupOfRunnersWithOneKilledAndOneJoiningLosesNothingAndKeepsEachKeyInOrder()
      throws Exception {
    long start = System.nanoTime();
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().start();
        Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      broker.createTopic("orders", PARTITIONS);
      broker.createTopic("results", PARTITIONS);
      String kafka = "kafka://" + broker.bootstrapServers();
      List<SluiceProcess> members = new ArrayList<>();
      try {
        SluiceProcess a = member(members, kafka, "A", "a");
        SluiceProcess b = member(members, kafka, "B", "b");
        SluiceProcess c = member(members, kafka, "C", "c");
        long started = System.nanoTime();
        produce(broker.bootstrapServers());          // while the members start
        long produced = System.nanoTime();
        for (SluiceProcess m : List.of(a, b, c)) {
          awaitConsuming(m);
        }
        long joined = System.nanoTime();

        await().atMost(LONG).pollInterval(Duration.ofMillis(100))
            .until(() -> sum(endOffsets(admin, "results")) >= RECORDS / 4);
        long killed = System.nanoTime();
        b.kill();
        assertThat(b.awaitExit()).isEqualTo(137);
        Map<TopicPartition, OffsetAndMetadata> committedAtKill = committed(admin);
        SluiceProcess b2 = member(members, kafka, "B2", "b");
        await().atMost(LONG).pollInterval(Duration.ofMillis(100))
            .until(() -> sum(endOffsets(admin, "results")) >= RECORDS * 6L / 10);
        SluiceProcess d = member(members, kafka, "D", "d");
        awaitConsuming(b2);
        awaitConsuming(d);

        Map<TopicPartition, Long> end = endOffsets(admin, "orders");
        assertThat(sum(end)).isEqualTo(RECORDS);
        await().atMost(LONG).pollInterval(Duration.ofMillis(250))
            .until(() -> allCommitted(committed(admin), end));
        long processed = System.nanoTime();
        for (SluiceProcess m : List.of(a, c, b2, d)) {
          m.terminate();
        }
        for (SluiceProcess m : List.of(a, c, b2, d)) {
          assertThat(m.awaitExit()).as("stderr: %s", m.err()).isZero();
        }

        List<String> results = readAll(broker.bootstrapServers(), endOffsets(admin, "results"));
        System.out.printf("sluice run group: broker and topics %.1f s, %d records produced "
            + "%.1f s, three members consuming %.1f s, B killed %.1f s, all committed %.1f s, "
            + "members drained and read back %.1f s (from the start)%n", secs(start, started),
            RECORDS, secs(start, produced), secs(start, joined), secs(start, killed),
            secs(start, processed), secs(start, System.nanoTime()));
        check(results, committedAtKill);
      } finally {
        members.forEach(SluiceProcess::close);
      }
    }
  }

  private static double secs(long from, long to) {
    return (to - from) / 1e9;
  }

  private void check(List<String> results, Map<TopicPartition, OffsetAndMetadata> committedAtKill) {
    Map<String, Set<String>> doneBy = new HashMap<>();            // KEY:SEQ -> members
    Map<String, Long> lastOffset = new HashMap<>();              // MEMBER/KEY -> offset
    long window = 0;
    for (String result : results) {
      String[] f = result.split("\\|");
      String member = f[0];
      String payload = f[1];
      String key = payload.substring(0, payload.indexOf(':'));
      int partition = Integer.parseInt(f[2]);
      long offset = Long.parseLong(f[3]);
      doneBy.computeIfAbsent(payload, p -> new HashSet<>()).add(member);
      Long last = lastOffset.put(member + "/" + key, offset);
      assertThat(last == null ? -1 : last).as("key %s in member %s", key, member)
          .isLessThan(offset);
      if (member.equals("B")) {
        OffsetAndMetadata c = committedAtKill.get(new TopicPartition("orders", partition));
        if (c == null || offset >= c.offset()) {
          window++;                    // finished by B, not committed when it was killed
        }
      }
    }
    long duplicates = results.size() - doneBy.size();
    Set<String> twice = doneBy.entrySet().stream()
        .filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey).collect(Collectors.toSet());
    System.out.printf("sluice run group: %d records, %d results, %d lost, %d duplicates (the "
        + "killed member's finished-but-uncommitted window: %d)%n", RECORDS, results.size(),
        RECORDS - doneBy.size(), duplicates, window);
    Set<String> missing = IntStream.range(0, RECORDS).mapToObj(RunKafkaGroupTest::payload)
        .filter(p -> !doneBy.containsKey(p)).collect(Collectors.toSet());
    assertThat(missing).as("records lost").isEmpty();
    assertThat(doneBy).as("results of records never produced").hasSize(RECORDS);
    assertThat(twice).allSatisfy(p -> assertThat(doneBy.get(p)).as(p).contains("B"));
    assertThat(duplicates).as("duplicates within the uncommitted window")
        .isLessThanOrEqualTo(window);
  }

  private SluiceProcess member(List<SluiceProcess> members, String kafka, String name,
      String clientId) {
    SluiceProcess m = SluiceProcess.start(dir, Map.of("SLUICE_MEMBER", name), "run",
        "--source", kafka + "/orders?group=order-scorers&client-id=member-" + clientId
            + "&commit-interval=200ms&kafka.session.timeout.ms=10000"
            + "&kafka.heartbeat.interval.ms=1000",
        "--processor", "dev.sluice.cli.testing.TagRecord",
        "--workers", "4", "--ordering", "key=key",
        "--sink", kafka + "/results");
    members.add(m);
    return m;
  }

  private static void awaitConsuming(SluiceProcess m) {
    await().atMost(LONG).until(() -> !m.isAlive() || m.err().stream()
        .anyMatch(l -> l.startsWith("sluice run: consuming orders from")));
    assertThat(m.isAlive()).as("stderr: %s", m.err()).isTrue();
  }

  private static String payload(int i) {
    return "k" + (i % KEYS) + ":" + i / KEYS;
  }

  private static void produce(String bootstrap) throws Exception {
    Map<String, Object> p = Map.of("bootstrap.servers", bootstrap, "linger.ms", 5,
        "batch.size", 65536, "acks", "all", "enable.idempotence", false,
        "max.in.flight.requests.per.connection", 1, "request.timeout.ms", 120_000,
        "delivery.timeout.ms", 300_000);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      List<Future<?>> sent = new ArrayList<>(RECORDS);
      for (int i = 0; i < RECORDS; i++) {
        sent.add(producer.send(new ProducerRecord<>("orders", "k" + (i % KEYS), payload(i))));
      }
      producer.flush();
      for (Future<?> f : sent) {
        f.get(60, TimeUnit.SECONDS);
      }
    }
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic)
      throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (int i = 0; i < PARTITIONS; i++) {
      request.put(new TopicPartition(topic, i), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> out = new HashMap<>();
    admin.listOffsets(request).all().get(30, TimeUnit.SECONDS)
        .forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin) throws Exception {
    return admin.listConsumerGroupOffsets("order-scorers").partitionsToOffsetAndMetadata()
        .get(30, TimeUnit.SECONDS);
  }

  private static boolean allCommitted(Map<TopicPartition, OffsetAndMetadata> committed,
      Map<TopicPartition, Long> end) {
    return end.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
        && committed.get(e.getKey()).offset() >= e.getValue());
  }

  private static long sum(Map<TopicPartition, Long> offsets) {
    return offsets.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Every record of {@code end}'s partitions, each partition in order. */
  private static List<String> readAll(String bootstrap, Map<TopicPartition, Long> end) {
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
        Map.of("bootstrap.servers", bootstrap, "max.poll.records", 5000),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(end.keySet());
      consumer.seekToBeginning(end.keySet());
      long total = sum(end);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (out.size() < total && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200))
            .forEach(r -> out.add(new String(r.value(), StandardCharsets.UTF_8)));
      }
    }
    return out;
  }
}
