package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.kafka.broker.EmbeddedKafkaBroker;
import dev.sluice.cli.uri.SourceUris;
import dev.sluice.cli.uri.UriContext;
import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka in and out: two real {@code sluice run} processes in one consumer group share a
 * four-partition topic, run each record through a shell script with {@code --ordering key=key}
 * and write the results to another topic, against an in-process KRaft broker.
 */
@Timeout(300)
@Tag("broker")
class RunKafkaTest {

  private static final int RECORDS = 200;
  private static EmbeddedKafkaBroker broker;

  @TempDir
  Path dir;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafkaBroker.builder().start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void twoRunnersInAGroupProcessEveryRecordAndCommitItOnDrain() throws Exception {
    broker.createTopic("jobs", 4);
    broker.createTopic("results", 1);
    Path work = dir.resolve("tag.sh");
    Files.writeString(work, """
        #!/bin/sh
        while IFS= read -r line; do echo "$INSTANCE $line"; done
        """);
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    String kafka = "kafka://" + broker.bootstrapServers();
    List<SluiceProcess> runners = new ArrayList<>();
    try {
      for (String instance : List.of("one", "two")) {
        runners.add(SluiceProcess.start(dir, "run",
            "--source", kafka + "/jobs?group=scorers&client-id=runner-" + instance
                + "&commit-interval=200ms&kafka.session.timeout.ms=10000",
            "--exec", work.toString(), "--exec-env", "INSTANCE=" + instance,
            "--workers", "2", "--ordering", "key=key",
            "--sink", kafka + "/results"));
      }
      for (SluiceProcess runner : runners) {
        await().atMost(Duration.ofSeconds(120)).until(() -> runner.err().stream()
            .anyMatch(l -> l.startsWith("sluice run: consuming jobs from")));
      }
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(
          Map.of("bootstrap.servers", broker.bootstrapServers()), new StringSerializer(),
          new StringSerializer())) {
        for (int i = 1; i <= RECORDS; i++) {
          producer.send(new ProducerRecord<>("jobs", "k" + (i % 10), "job-" + i));
        }
      }

      List<String> results = readResults(RECORDS);
      List<String> jobs = results.stream().map(r -> r.substring(r.indexOf(' ') + 1)).toList();
      assertThat(jobs).containsExactlyInAnyOrderElementsOf(
          IntStream.rangeClosed(1, RECORDS).mapToObj(i -> "job-" + i).toList());

      for (SluiceProcess runner : runners) {
        runner.terminate();
        assertThat(runner.awaitExit()).as("stderr: %s", runner.err()).isZero();
      }
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        Map<TopicPartition, OffsetAndMetadata> committed = admin
            .listConsumerGroupOffsets("scorers").partitionsToOffsetAndMetadata()
            .get(30, TimeUnit.SECONDS);
        long total = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
        assertThat(total).as("every record committed").isEqualTo(RECORDS);
      }
    } finally {
      runners.forEach(SluiceProcess::close);
    }
  }

  @Test
  void badKafkaUrisAreOneLineNamingTheProblem() {
    UriContext context = new UriContext(new ByteArrayInputStream(new byte[0]),
        new PrintStream(new java.io.ByteArrayOutputStream()));
    assertThatThrownBy(() -> SourceUris.open("kafka://127.0.0.1:9092/jobs", context))
        .hasMessage("--source 'kafka://127.0.0.1:9092/jobs': group is required: members of "
            + "one group share the partitions");
    assertThatThrownBy(() -> SourceUris.open("kafka://127.0.0.1:9092/jobs?group=g&colour=red",
        context)).hasMessageStartingWith("--source 'kafka://127.0.0.1:9092/jobs?group=g&"
            + "colour=red' has an unknown parameter 'colour'");
    assertThatThrownBy(() -> SourceUris.open(
        "kafka://127.0.0.1:9092/jobs?group=g&kafka.sasl.jaas.config=x", context))
        .hasMessageContaining("secrets never go in a URI");
    assertThatThrownBy(() -> SourceUris.open("kafka://127.0.0.1:9092/jobs?group=g&sasl=PLAIN",
        context)).hasMessageEndingWith("sasl needs user=NAME");
  }

  private static List<String> readResults(int count) {
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", broker.bootstrapServers());
    p.put("auto.offset.reset", "earliest");
    p.put("group.id", "collector");
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<String, String> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      c.subscribe(List.of("results"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (out.size() < count && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
      }
    }
    return out;
  }
}
