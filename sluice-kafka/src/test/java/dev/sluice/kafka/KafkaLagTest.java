package dev.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.Pipeline;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import dev.sluice.spi.SourceBacklog;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The consumer lag against a real broker: it grows while records are produced faster than the
 * pipeline takes them (its partitions paused, so the consumer's own fetch-based lag would stand
 * still), is reported per partition and in total, reaches the pipeline as the source's backlog,
 * and falls to 0 once the pipeline has caught up.
 */
@Tag("broker")
class KafkaLagTest {

  @Test
  void lagGrowsWhileTheWorkersAreBlockedAndFallsToZeroWhenCaughtUp() throws Exception {
    String topic = "lag";
    TestKafka.broker().createTopic(topic, 2);
    KafkaSource source = KafkaSource.builder().bootstrapServers(TestKafka.bootstrap())
        .topics(topic).group("lag-group").bufferSize(8).build();
    assertThat(source.backlog()).as("before subscribe").isEqualTo(-1);
    CountDownLatch release = new CountDownLatch(1);
    Pipeline pipeline = Sluice.from(source).workers(1).maxInFlight(2)
        .process(payload -> {
          release.await(2, TimeUnit.MINUTES);
          return payload;
        })
        .to(Sinks.discard()).start();
    try {
      source.assigned().get(2, TimeUnit.MINUTES);
      await().atMost(Duration.ofMinutes(1)).until(() -> source.stats().lag() == 0);
      assertThat(source.backlog()).isZero();

      TestKafka.produce(topic, 500, i -> "k" + i, i -> "v" + i);
      // Blocked workers: what the pipeline has not received is the lag plus the hand-over
      // buffer, and nothing moves, so the two add up to what was produced.
      await().atMost(Duration.ofMinutes(1)).untilAsserted(() ->
          assertThat(source.backlog() + pipeline.stats().received()).isEqualTo(500));
      long before = source.stats().lag();
      assertThat(before).isGreaterThanOrEqualTo(500 - 8 - 2);

      TestKafka.produce(topic, 500, i -> "k" + i, i -> "w" + i);
      await().atMost(Duration.ofMinutes(1)).untilAsserted(() ->
          assertThat(source.backlog() + pipeline.stats().received()).isEqualTo(1000));
      KafkaSourceStats grown = source.stats();
      assertThat(grown.lag()).isEqualTo(before + 500);
      assertThat(grown.partitionLag()).containsOnlyKeys(new TopicPartition(topic, 0),
          new TopicPartition(topic, 1));
      assertThat(grown.partitionLag().values().stream().mapToLong(Long::longValue).sum())
          .isEqualTo(grown.lag());
      assertThat(SourceBacklog.of(source)).as("what the capacity model reads")
          .isEqualTo(source.backlog());

      release.countDown();
      await().atMost(Duration.ofMinutes(1)).until(() -> pipeline.stats().completed() == 1000);
      await().atMost(Duration.ofMinutes(1)).until(() -> source.stats().lag() == 0);
      assertThat(source.stats().partitionLag()).allSatisfy((tp, lag) -> assertThat(lag).isZero());
    } finally {
      release.countDown();
      pipeline.close();
      source.close();
    }
  }
}
