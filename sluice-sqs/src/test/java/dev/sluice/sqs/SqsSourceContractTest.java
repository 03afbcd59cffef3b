package dev.sluice.sqs;

import dev.sluice.Message;
import dev.sluice.spi.contract.SourceContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Tag;

/**
 * The source contract against {@link SqsSource} on ElasticMQ. "Messages ready" are messages
 * sent to a fresh standard queue (which promises no order: the suite checks each came once);
 * the source completes after them ({@code stopAfter}). Acknowledged means deleted; a nacked or
 * undelivered message is released, so a new source on the queue receives it again. The source
 * reads on demand and hands on every message as it is: the overflow and malformed-message
 * cases do not apply.
 */
@Tag("broker")
class SqsSourceContractTest extends SourceContract<String> {

  @Override
  protected Fixture<String> withMessages(int n) {
    String url = TestSqs.createQueue("contract", Map.of());
    TestSqs.send(url, names(n), null);
    return new Fixture<>() {
      private final List<SqsSource> opened = new ArrayList<>();
      private volatile SqsSource current = open(n);

      private SqsSource open(long stopAfter) {
        SqsSource source = SqsSource.builder().endpoint(TestSqs.endpoint()).queue(url)
            .waitTime(Duration.ofSeconds(1)).stopAfter(stopAfter).build();
        opened.add(source);
        return source;
      }

      @Override public Flow.Publisher<Message<String>> source() { return current; }

      @Override public boolean completes() { return true; }

      @Override public boolean ordered() { return false; }

      @Override public long acknowledged() { return current.stats().deleted(); }

      @Override public Flow.Publisher<Message<String>> reopen() {
        current.close();                 // deletes what was acked, releases the rest
        current = open(Long.MAX_VALUE);
        return current;
      }

      @Override public void close() {
        opened.forEach(SqsSource::close);
      }
    };
  }

  @Override
  protected Fixture<String> withMalformedFirst(int good) {
    return null;
  }
}
