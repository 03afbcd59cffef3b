package dev.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.DeadLetter;
import dev.sluice.Ordering;
import dev.sluice.Pipeline;
import dev.sluice.Sluice;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The library example (the root README's Kafka section has it; sluice-cli's ReadmeSnippetsTest
 * runs that block as written) against the embedded broker.
 */
@Tag("broker")
class ReadmeExampleTest {

  @Test
  void theReadmeExampleRuns() throws Exception {
    String bootstrap = TestKafka.bootstrap();
    TestKafka.broker().createTopic("jobs", 2);
    TestKafka.produce("jobs", 100, i -> "k" + (i % 7), i -> i == 42 ? "bad" : "job-" + i);

    // --- the README's example, with the broker's address ---
    KafkaSource source = KafkaSource.builder()
        .bootstrapServers(bootstrap)
        .topics("jobs")
        .group("scorers")                                    // members of one group share partitions
        .build();
    KafkaSink<byte[]> scores = KafkaSink.builder()
        .bootstrapServers(bootstrap).topic("scores").build();
    KafkaSink<DeadLetter<byte[]>> dlq = KafkaSink.builder()
        .bootstrapServers(bootstrap).topic("{topic}.dlq").buildDeadLetters();
    Pipeline pipeline = Sluice.from(source).workers(8)
        .ordering(Ordering.BY_KEY)                           // per record key, 8 at once even on 1 partition
        .process(bytes -> score(bytes))
        .to(scores).deadLetters(dlq)
        .start();
    // ---

    org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(2))
        .until(() -> pipeline.stats().completed() + pipeline.stats().deadLettered() == 100);
    pipeline.close();
    source.close();
    assertThat(TestKafka.readAll("scores", 99)).hasSize(99);
    assertThat(TestKafka.readAll("jobs.dlq", 1)).hasSize(1);
    assertThat(TestKafka.committed("scorers").values().stream()
        .mapToLong(o -> o.offset()).sum()).isEqualTo(100);
  }

  private static byte[] score(byte[] bytes) {
    if (TestKafka.text(bytes).equals("bad")) {
      throw new IllegalArgumentException("cannot score 'bad'");
    }
    return bytes;
  }
}
