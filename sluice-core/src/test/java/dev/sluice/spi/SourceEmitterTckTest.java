package dev.sluice.spi;

import dev.sluice.Message;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;

/**
 * The Reactive Streams TCK against the two kinds of source the {@link SourceEmitter} serves:
 * one that reads on demand (emitting from inside {@code onRequest}, re-entrantly) and one that
 * is pushed to from a thread of its own.
 */
public class SourceEmitterTckTest extends FlowPublisherVerification<Message<Long>> {

  public SourceEmitterTckTest() {
    super(new TestEnvironment(500));
  }

  @Override
  public Flow.Publisher<Message<Long>> createFlowPublisher(long elements) {
    return subscriber -> {
      long[] next = {0};
      @SuppressWarnings("unchecked")
      SourceEmitter<Long>[] self = new SourceEmitter[1];
      self[0] = SourceEmitter.builder(subscriber).capacity(16)
          .onRequest(n -> {
            SourceEmitter<Long> e = self[0];
            if (e == null) {
              return false;
            }
            for (long i = 0; i < n && next[0] < elements; i++) {
              e.tryEmit(Message.of(next[0]++));
            }
            if (next[0] == elements) {
              e.complete();
            }
            return true;
          }).start();
      self[0].upstreamReady();
    };
  }

  @Override
  public Flow.Publisher<Message<Long>> createFailedFlowPublisher() {
    return subscriber -> SourceEmitter.<Long>builder(subscriber).start()
        .fail(new RuntimeException("failed on purpose"));
  }

  @Override
  public long maxElementsFromPublisher() {
    return Integer.MAX_VALUE;
  }
}
