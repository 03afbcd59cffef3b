package dev.sluice.kafka;

import dev.sluice.Message;
import dev.sluice.spi.contract.SourceContract;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * The source contract against {@link KafkaSource} on the in-process KRaft broker. "Messages
 * ready" are records produced to a fresh one-partition topic before the source joins its group;
 * the source completes after them ({@code stopAfter}). A nacked or undelivered record is not
 * committed past, so a new member of the same group reads it again. The source pauses its
 * partitions rather than overflow, and hands on every record as it is: the overflow and
 * malformed-message cases do not apply.
 */
@Tag("broker")
class KafkaSourceContractTest extends SourceContract<byte[]> {

  private static final AtomicInteger TOPICS = new AtomicInteger();

  /** Started here, so that the first test's 60 s do not include the broker's start. */
  @BeforeAll
  static void broker() {
    TestKafka.broker();
  }

  @Override
  protected String text(byte[] payload) {
    return new String(payload, StandardCharsets.UTF_8);
  }

  @Override
  protected Fixture<byte[]> withMessages(int n) {
    String topic = "contract-" + TOPICS.incrementAndGet();
    TestKafka.broker().createTopic(topic, 1);
    TestKafka.produce(topic, n, i -> "k", i -> "m-" + i);
    return new Fixture<>() {
      private final List<KafkaSource> opened = new ArrayList<>();
      private KafkaSource current = open(n);

      private KafkaSource open(long stopAfter) {
        KafkaSource source = KafkaSource.builder().bootstrapServers(TestKafka.bootstrap())
            .topics(topic).group(topic + "-group").stopAfter(stopAfter)
            // the probes leave records unsettled on purpose: close waits this long for them
            .closeTimeout(Duration.ofSeconds(5)).build();
        opened.add(source);
        return source;
      }

      @Override public Flow.Publisher<Message<byte[]>> source() { return current; }

      @Override public boolean completes() { return true; }

      @Override public Flow.Publisher<Message<byte[]>> reopen() {
        current.close();                 // commits the watermark and leaves the group
        current = open(Long.MAX_VALUE);
        return current;
      }

      @Override public void close() {
        opened.forEach(KafkaSource::close);
      }
    };
  }

  @Override
  protected Fixture<byte[]> withMalformedFirst(int good) {
    return null;
  }
}
