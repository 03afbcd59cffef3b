package dev.sluice.internal;

import dev.sluice.Message;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A {@link Flow.Publisher} over a blocking pull function, for sources that are read rather
 * than pushed: iterables, timed generators, lines of a file or stream.
 *
 * <p><b>Concurrency.</b> Each subscription gets its own daemon thread ({@code NAME-N}) that
 * pulls and emits while there is demand and parks when there is none; {@code request} and
 * {@code cancel} may be called from any thread and only update atomics and unpark it. All
 * signals to the subscriber come from that one thread, so they are serial.
 *
 * <p><b>Shutdown.</b> The thread ends after onComplete/onError, or soon after cancel: a
 * cancel interrupts it so that a pull sleeping between timed events wakes at once. A pull
 * blocked in an uninterruptible read (stdin) ends at the next line or end of input.
 */
public final class PullPublisher<T> implements Flow.Publisher<Message<T>> {

  /** One subscription's pull function: returns the next message, or null at the end. */
  public interface Pull<T> extends AutoCloseable {
    Message<T> next() throws Exception;

    @Override
    default void close() throws Exception {
    }
  }

  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final int SPINS = 64;
  private static final int YIELDS = 8;

  private final Supplier<? extends Pull<T>> opener;
  private final boolean reusable;
  private final String threadName;
  private final AtomicBoolean subscribed = new AtomicBoolean();

  /**
   * @param opener     opens a fresh pull for each subscription (called on the emitter thread)
   * @param reusable   whether more than one subscription may be made (a stream can't rewind)
   * @param threadName prefix of the emitter threads' names
   */
  public PullPublisher(Supplier<? extends Pull<T>> opener, boolean reusable, String threadName) {
    this.opener = Objects.requireNonNull(opener, "opener");
    this.reusable = reusable;
    this.threadName = Objects.requireNonNull(threadName, "threadName");
  }

  @Override
  public void subscribe(Flow.Subscriber<? super Message<T>> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    Emission<T> emission = new Emission<>(subscriber, opener,
        !reusable && subscribed.getAndSet(true));
    Thread thread = new Thread(emission, threadName + "-" + THREADS.incrementAndGet());
    thread.setDaemon(true);
    emission.thread = thread;
    thread.start();
  }

  private static final class Emission<T> implements Flow.Subscription, Runnable {
    private final Flow.Subscriber<? super Message<T>> subscriber;
    private final Supplier<? extends Pull<T>> opener;
    private final boolean refused;
    private final AtomicLong demand = new AtomicLong();
    private volatile boolean cancelled;
    private volatile boolean badRequest;
    private volatile long badRequestValue;
    private volatile Thread thread;
    /** True while the emitter is parked (or about to park) waiting for demand. */
    private volatile boolean parked;

    Emission(Flow.Subscriber<? super Message<T>> subscriber, Supplier<? extends Pull<T>> opener,
        boolean refused) {
      this.subscriber = subscriber;
      this.opener = opener;
      this.refused = refused;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        badRequestValue = n;      // rule 3.9: signalled as onError by the emitter thread
        badRequest = true;
      } else {
        demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
      }
      if (parked) {                // set before the emitter re-checks demand and parks
        LockSupport.unpark(thread);
      }
    }

    @Override
    public void cancel() {
      if (!cancelled) {
        cancelled = true;
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
          t.interrupt();
        }
      }
    }

    /**
     * Waits for a request: a short spin and a few yields first, since a fast subscriber asks
     * again within microseconds and waking a parked thread costs more than that; then parks.
     */
    private void awaitDemand() {
      for (int i = 0; i < SPINS + YIELDS; i++) {
        if (demand.get() != 0 || cancelled || badRequest) {
          return;
        }
        if (i < SPINS) {
          Thread.onSpinWait();
        } else {
          Thread.yield();
        }
      }
      parked = true;
      if (demand.get() == 0 && !cancelled && !badRequest) {
        LockSupport.park(this);
      }
      parked = false;
      Thread.interrupted();   // a stray interrupt from cancel: the loop checks the flag
    }

    @Override
    public void run() {
      subscriber.onSubscribe(this);
      if (refused) {
        if (!cancelled) {
          subscriber.onError(new IllegalStateException(
              "this source reads a stream that cannot be rewound: it can be subscribed once"));
        }
        return;
      }
      try (Pull<T> pull = opener.get()) {
        emitLoop(pull);
      } catch (Throwable t) {
        if (!cancelled) {
          cancelled = true;
          subscriber.onError(t);
        }
      }
    }

    private void emitLoop(Pull<T> pull) throws Exception {
      long emitted = 0;
      while (!cancelled) {
        long requested = demand.get();
        if (badRequest) {
          cancelled = true;
          subscriber.onError(new IllegalArgumentException(
              "rule 3.9: request must be positive but was " + badRequestValue));
          return;
        }
        if (emitted == requested) {
          if (requested != Long.MAX_VALUE) {
            requested = demand.addAndGet(-emitted);
            emitted = 0;
          }
          if (requested == 0) {
            awaitDemand();
          }
          continue;
        }
        Message<T> next;
        try {
          next = pull.next();
        } catch (InterruptedException e) {
          if (cancelled) {
            return;
          }
          throw e;
        }
        if (cancelled) {
          return;
        }
        if (next == null) {
          cancelled = true;
          subscriber.onComplete();
          return;
        }
        subscriber.onNext(next);
        emitted++;
      }
    }
  }
}
