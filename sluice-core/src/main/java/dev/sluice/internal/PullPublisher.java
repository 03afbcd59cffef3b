package dev.sluice.internal;

import dev.sluice.Message;
import dev.sluice.spi.EmitResult;
import dev.sluice.spi.SourceEmitter;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A {@link Flow.Publisher} over a blocking pull function, for sources that are read rather
 * than pushed: iterables, timed generators, lines of a file or stream. A source that reads on
 * demand on the {@link SourceEmitter}: the emitter asks for as many messages as the subscriber
 * wants, and the pull thread pulls exactly that many, so nothing is pulled before it is asked
 * for (a timed event the subscriber has no room for waits until it asks).
 *
 * <p><b>Concurrency.</b> Each subscription gets its own daemon thread ({@code NAME-N}) that
 * signals {@code onSubscribe}, then pulls and emits while it has permits and parks when it has
 * none. The emitter's {@code onRequest} (from whichever thread requests) only adds permits and
 * unparks it; a cancel interrupts it.
 *
 * <p><b>Shutdown.</b> The thread ends after the pull returns null (complete) or throws (fail),
 * or soon after a cancel: the interrupt wakes a pull sleeping between timed events at once. A
 * pull blocked in an uninterruptible read (stdin) ends at the next line or end of input.
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
  /** Read-ahead bound: the most messages asked of the pull and not yet delivered. */
  private static final int CAPACITY = 1024;

  private final Supplier<? extends Pull<T>> opener;
  private final boolean reusable;
  private final String threadName;
  private final AtomicBoolean subscribed = new AtomicBoolean();

  /**
   * @param opener     opens a fresh pull for each subscription (called on the pull thread)
   * @param reusable   whether more than one subscription may be made (a stream can't rewind)
   * @param threadName prefix of the pull threads' names
   */
  public PullPublisher(Supplier<? extends Pull<T>> opener, boolean reusable, String threadName) {
    this.opener = Objects.requireNonNull(opener, "opener");
    this.reusable = reusable;
    this.threadName = Objects.requireNonNull(threadName, "threadName");
  }

  @Override
  public void subscribe(Flow.Subscriber<? super Message<T>> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    Puller<T> puller = new Puller<>(subscriber, opener, !reusable && subscribed.getAndSet(true));
    Thread thread = new Thread(puller, threadName + "-" + THREADS.incrementAndGet());
    thread.setDaemon(true);
    puller.thread = thread;
    thread.start();
  }

  private static final class Puller<T> implements Runnable {
    private final Flow.Subscriber<? super Message<T>> subscriber;
    private final Supplier<? extends Pull<T>> opener;
    private final boolean refused;
    private final AtomicLong permits = new AtomicLong();
    private volatile Thread thread;
    private volatile boolean cancelled;
    /** True while the pull thread is parked (or about to park) waiting for permits. */
    private volatile boolean parked;

    Puller(Flow.Subscriber<? super Message<T>> subscriber, Supplier<? extends Pull<T>> opener,
        boolean refused) {
      this.subscriber = subscriber;
      this.opener = opener;
      this.refused = refused;
    }

    /** The emitter asks for {@code n} more: any thread. */
    private boolean permit(long n) {
      permits.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
      if (parked) {                // set before the puller re-checks permits and parks
        LockSupport.unpark(thread);
      }
      return true;
    }

    /** The stream ended at the subscriber's side: the thread that cancelled. */
    private void cancelled(Throwable cause) {
      cancelled = true;
      Thread t = thread;
      if (t != null && t != Thread.currentThread()) {
        t.interrupt();
      }
    }

    @Override
    public void run() {
      if (refused) {
        SourceEmitter.refuse(subscriber, new IllegalStateException(
            "this source reads a stream that cannot be rewound: it can be subscribed once"));
        return;
      }
      SourceEmitter<T> emitter = SourceEmitter.builder(subscriber)
          .capacity(CAPACITY)
          .onRequest(this::permit)
          .onCancel(this::cancelled)
          .start();
      try (Pull<T> pull = opener.get()) {
        pullLoop(pull, emitter);
      } catch (Throwable t) {
        if (!cancelled) {
          emitter.fail(t);
        }
      }
      Thread.interrupted();   // a late interrupt from cancel must not outlive the thread's work
    }

    private void pullLoop(Pull<T> pull, SourceEmitter<T> emitter) throws Exception {
      long budget = 0;
      while (!cancelled) {
        if (budget == 0) {
          budget = awaitPermits();
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
          if (next != null) {
            notHandedOn(next);
          }
          return;
        }
        if (next == null) {
          emitter.complete();
          return;
        }
        EmitResult result = emitter.tryEmit(next);
        if (result == EmitResult.FULL) {
          result = emitter.emit(next);    // the permits leave room: this does not wait
        }
        if (result != EmitResult.OK) {
          notHandedOn(next);       // cancelled meanwhile
          return;
        }
        budget--;
      }
    }

    /**
     * A message pulled but never handed on (the subscriber cancelled first) is nacked, so that
     * every message the pull produced ends in an ack or a nack; a second nack of one the emitter
     * already discarded does nothing.
     */
    private void notHandedOn(Message<T> message) {
      message.nack(new CancellationException(
          "the subscriber cancelled before this message was handed on"));
    }

    /**
     * Takes the permits granted so far, waiting for some: a short spin and a few yields first,
     * since a fast subscriber asks again within microseconds and waking a parked thread costs
     * more than that; then parks. Returns 0 only when cancelled.
     */
    private long awaitPermits() {
      for (int i = 0; ; i++) {
        long n = permits.getAndSet(0);
        if (n != 0 || cancelled) {
          return n;
        }
        if (i < SPINS) {
          Thread.onSpinWait();
        } else if (i < SPINS + YIELDS) {
          Thread.yield();
        } else {
          parked = true;
          if (permits.get() == 0 && !cancelled) {
            LockSupport.park(this);
          }
          parked = false;
          Thread.interrupted();   // a stray interrupt from cancel: the loop checks the flag
        }
      }
    }
  }
}
