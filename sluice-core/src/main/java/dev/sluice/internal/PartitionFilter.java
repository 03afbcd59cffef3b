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
 * A request of zero or less (rule 3.9) cancels the source and fails the subscriber from the
 * requesting thread; so that this error cannot overlap a signal from the source (rule 1.3),
 * every signal to the subscriber is made under this subscription's lock, which the source's
 * thread alone takes otherwise (uncontended). {@link #skipped()} may be read from any thread.
 *
 * @param <T> the payload type
 */
public final class PartitionFilter<T> implements Flow.Publisher<Message<T>>,
    dev.sluice.spi.SourceBacklog {

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

  /** This instance's share of what the source reports as waiting: its backlog over N. */
  @Override
  public long backlog() {
    long all = dev.sluice.spi.SourceBacklog.of(source);
    return all < 0 ? -1 : all / partition.count();
  }

  @Override
  public void subscribe(Flow.Subscriber<? super Message<T>> downstream) {
    Objects.requireNonNull(downstream, "subscriber");
    source.subscribe(new Filtering(downstream));
  }

  private final class Filtering implements Flow.Subscriber<Message<T>> {
    private final Flow.Subscriber<? super Message<T>> downstream;
    private final SourceDemand demand = new SourceDemand(0);
    private boolean done;       // guarded by this: a terminal signal went downstream

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
          if (n <= 0) {
            demand.cancel();
            fail(new IllegalArgumentException(
                "rule 3.9: request must be positive but was " + n));
            return;
          }
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
        synchronized (this) {
          if (!done) {
            downstream.onNext(message);
          }
        }
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
      fail(failure);
    }

    @Override
    public synchronized void onComplete() {
      if (!done) {
        done = true;
        downstream.onComplete();
      }
    }

    private synchronized void fail(Throwable failure) {
      if (!done) {
        done = true;
        downstream.onError(failure);
      }
    }
  }
}
