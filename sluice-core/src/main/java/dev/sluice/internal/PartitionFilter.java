package dev.sluice.internal;

import dev.sluice.Message;
import dev.sluice.Partition;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands between a source and the engine and lets through only the messages whose key this
 * instance's {@link Partition} owns. Each other message is acknowledged at once, counted as
 * skipped, and replaced by a request for one more, so the engine's demand (its in-flight
 * bound) is spent only on messages it processes.
 *
 * <p><b>Concurrency.</b> {@code onNext} runs on the source's thread (serially, as the Flow
 * rules require), and so do the key function and the acknowledgement of a skipped message.
 * Requests come from the engine's threads and from {@code onNext}; they all go through one
 * {@link SourceDemand}, which keeps the calls to the source's subscription serial (rule 2.7).
 * {@link #skipped()} may be read from any thread.
 *
 * @param <T> the payload type
 */
public final class PartitionFilter<T> implements Flow.Publisher<Message<T>> {

  private static final Logger LOG = LoggerFactory.getLogger(PartitionFilter.class);

  private final Flow.Publisher<Message<T>> source;
  private final Partition partition;
  private final Function<? super Message<T>, String> keyFunction;
  private final LongAdder skipped = new LongAdder();

  public PartitionFilter(Flow.Publisher<Message<T>> source, Partition partition,
      Function<? super Message<T>, String> keyFunction) {
    this.source = Objects.requireNonNull(source, "source");
    this.partition = Objects.requireNonNull(partition, "partition");
    this.keyFunction = Objects.requireNonNull(keyFunction, "keyFunction");
  }

  /** Messages acknowledged unprocessed because another instance owns them. */
  public long skipped() {
    return skipped.sum();
  }

  @Override
  public void subscribe(Flow.Subscriber<? super Message<T>> downstream) {
    Objects.requireNonNull(downstream, "subscriber");
    source.subscribe(new Filtering(downstream));
  }

  private final class Filtering implements Flow.Subscriber<Message<T>> {
    private final Flow.Subscriber<? super Message<T>> downstream;
    private final SourceDemand demand = new SourceDemand(0);

    Filtering(Flow.Subscriber<? super Message<T>> downstream) {
      this.downstream = downstream;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      if (!demand.subscribed(subscription)) {
        return;
      }
      downstream.onSubscribe(new Flow.Subscription() {
        @Override
        public void request(long n) {
          demand.request(n);
        }

        @Override
        public void cancel() {
          demand.cancel();
        }
      });
    }

    @Override
    public void onNext(Message<T> message) {
      if (partition.owns(keyOf(message))) {
        downstream.onNext(message);
        return;
      }
      skipped.increment();
      message.ack();
      demand.request(1);
    }

    private String keyOf(Message<T> message) {
      try {
        return keyFunction.apply(message);
      } catch (RuntimeException e) {
        // one owner for it all the same: the instance that owns the empty key
        LOG.debug("partition key of {} failed; using the empty key", message, e);
        return null;
      }
    }

    @Override
    public void onError(Throwable failure) {
      downstream.onError(failure);
    }

    @Override
    public void onComplete() {
      downstream.onComplete();
    }
  }
}
