package dev.sluice.bench;

import dev.sluice.Message;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A minimal {@link Flow.Publisher} over an array, to tell the engine's cost from the built-in
 * source's: it emits {@code Message.of(payload)} for each element, like
 * {@code Sources.fromIterable}, from a daemon thread of its own, but with no pull function or
 * iterator in between and with an unpark only when the emitter is actually parked.
 *
 * <p><b>Concurrency.</b> One emitter thread per subscription makes every signal, so they are
 * serial. {@code request} and {@code cancel} may be called from any thread (including from
 * within {@code onNext}); they add to a cumulative demand counter and unpark the emitter only
 * when it has announced that it is parking. The emitter announces ({@code parked = true}), then
 * re-reads demand before parking; the requester adds demand, then reads {@code parked}. Both are
 * volatile, so at least one of them sees the other's write and no wake-up is lost.
 *
 * <p>When it runs out of demand it spins briefly before parking: on two cores a longer spin
 * would steal time from the very workers whose completions it waits for.
 *
 * <p>Not a full Reactive Streams implementation: a non-positive request is ignored rather than
 * signalled, and it accepts any number of subscribers, each reading from the start.
 */
final class ArrayPublisher<T> implements Flow.Publisher<Message<T>> {

  private static final int SPINS = 64;

  private final T[] items;

  ArrayPublisher(T[] items) {
    this.items = Objects.requireNonNull(items, "items");
  }

  @Override
  public void subscribe(Flow.Subscriber<? super Message<T>> subscriber) {
    Emission<T> emission = new Emission<>(items, Objects.requireNonNull(subscriber));
    Thread thread = new Thread(emission, "bench-source");
    thread.setDaemon(true);
    emission.thread = thread;
    thread.start();
  }

  private static final class Emission<T> implements Flow.Subscription, Runnable {
    private final T[] items;
    private final Flow.Subscriber<? super Message<T>> subscriber;
    /** Total requested since subscription, saturating at Long.MAX_VALUE. */
    private final AtomicLong requested = new AtomicLong();
    private volatile boolean parked;
    private volatile boolean cancelled;
    private volatile Thread thread;

    Emission(T[] items, Flow.Subscriber<? super Message<T>> subscriber) {
      this.items = items;
      this.subscriber = subscriber;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        return;
      }
      long current;
      long next;
      do {
        current = requested.get();
        next = current + n < 0 ? Long.MAX_VALUE : current + n;
      } while (!requested.compareAndSet(current, next));
      if (parked) {
        LockSupport.unpark(thread);
      }
    }

    @Override
    public void cancel() {
      cancelled = true;
      if (parked) {
        LockSupport.unpark(thread);
      }
    }

    @Override
    public void run() {
      subscriber.onSubscribe(this);
      long emitted = 0;
      int length = items.length;
      while (emitted < length) {
        long limit = requested.get();
        if (emitted == limit) {
          limit = awaitDemand(emitted);
          if (limit < 0) {
            return;
          }
        }
        long end = Math.min(limit, length);
        while (emitted < end) {
          subscriber.onNext(Message.of(items[(int) emitted]));
          emitted++;
        }
        if (cancelled) {
          return;
        }
      }
      subscriber.onComplete();
    }

    /** Waits until demand exceeds {@code emitted}; returns it, or -1 once cancelled. */
    private long awaitDemand(long emitted) {
      for (int i = 0; i < SPINS; i++) {
        Thread.onSpinWait();
        long limit = requested.get();
        if (limit != emitted) {
          return limit;
        }
      }
      while (true) {
        parked = true;
        long limit = requested.get();
        if (limit == emitted && !cancelled) {
          LockSupport.park(this);
          limit = requested.get();
        }
        parked = false;
        if (cancelled) {
          return -1;
        }
        if (limit != emitted) {
          return limit;
        }
      }
    }
  }
}
