package dev.sluice.kafka.internal;

import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The subscription of the one subscriber of a Kafka source: a buffer of at most
 * {@code capacity} items the poll thread offers with {@link #tryEmit}, handed to the subscriber
 * only as it requests.
 *
 * <p><b>Concurrency.</b> One producer (the poll thread) calls {@link #tryEmit},
 * {@link #complete}, {@link #fail} and {@link #awaitRoom}. The subscriber calls
 * {@link #request} and {@link #cancel} from any thread. Signals to the subscriber are made by
 * whichever thread wins the work-in-progress counter of the drain loop (the poll thread after
 * an emit, or the requesting thread): they never overlap and each happens-before the next.
 *
 * <p><b>Backpressure.</b> {@link #tryEmit} refuses an item when the buffer is full; the poll
 * thread keeps it, pauses its partitions and parks in {@link #awaitRoom} until the drain loop
 * takes something out, which unparks it.
 *
 * @param <T> the item type
 */
public final class Emitter<T> implements Flow.Subscription {

  private final Flow.Subscriber<? super T> subscriber;
  private final ArrayBlockingQueue<T> buffer;
  private final Runnable onCancel;
  private final AtomicLong requested = new AtomicLong();
  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicLong delivered = new AtomicLong();
  private volatile boolean cancelled;
  private volatile boolean done;
  private volatile Throwable error;
  private volatile Thread roomWaiter;
  private boolean terminated;                     // drain loop only

  /** An emitter of at most {@code capacity} buffered items; {@code onCancel} runs once. */
  public Emitter(Flow.Subscriber<? super T> subscriber, int capacity, Runnable onCancel) {
    this.subscriber = Objects.requireNonNull(subscriber, "subscriber");
    this.buffer = new ArrayBlockingQueue<>(capacity);
    this.onCancel = Objects.requireNonNull(onCancel, "onCancel");
  }

  /** Signals {@code onSubscribe}; call once, before any emit. */
  public void start() {
    subscriber.onSubscribe(this);
  }

  /** Buffers {@code item} for the subscriber; false if the buffer is full or cancelled. */
  public boolean tryEmit(T item) {
    if (cancelled || done) {
      return false;
    }
    if (!buffer.offer(item)) {
      return false;
    }
    drain();
    return true;
  }

  /** True if {@link #tryEmit} would accept an item now. */
  public boolean hasRoom() {
    return !cancelled && buffer.remainingCapacity() > 0;
  }

  /** Parks the calling (poll) thread until there is room or {@code timeout} passes. */
  public void awaitRoom(long timeout, TimeUnit unit) {
    roomWaiter = Thread.currentThread();
    try {
      if (!hasRoom() && !cancelled) {
        LockSupport.parkNanos(this, unit.toNanos(timeout));
      }
    } finally {
      roomWaiter = null;
    }
  }

  /** Completes the stream once the buffered items are delivered. */
  public void complete() {
    done = true;
    drain();
  }

  /** Fails the stream at once; buffered items are dropped. */
  public void fail(Throwable cause) {
    error = Objects.requireNonNull(cause, "cause");
    buffer.clear();
    done = true;
    drain();
  }

  /** How many items were handed to the subscriber's {@code onNext} so far. */
  public long delivered() {
    return delivered.get();
  }

  /** True once the subscriber cancelled. */
  public boolean isCancelled() {
    return cancelled;
  }

  @Override
  public void request(long n) {
    if (n <= 0) {
      fail(new IllegalArgumentException("§3.9: request must be positive but was " + n));
      return;
    }
    long r;
    long next;
    do {
      r = requested.get();
      next = r + n < 0 ? Long.MAX_VALUE : r + n;
    } while (!requested.compareAndSet(r, next));
    drain();
  }

  @Override
  public void cancel() {
    if (!cancelled) {
      cancelled = true;
      buffer.clear();
      Thread waiter = roomWaiter;
      if (waiter != null) {
        LockSupport.unpark(waiter);
      }
      onCancel.run();
    }
  }

  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      if (terminated) {
        return;
      }
      long r = requested.get();
      long emitted = 0;
      while (emitted != r && !cancelled) {
        T item = buffer.poll();
        if (item == null) {
          break;
        }
        Thread waiter = roomWaiter;
        if (waiter != null) {
          LockSupport.unpark(waiter);
        }
        delivered.incrementAndGet();
        subscriber.onNext(item);
        emitted++;
      }
      if (emitted != 0 && r != Long.MAX_VALUE) {
        requested.addAndGet(-emitted);
      }
      if (cancelled) {
        buffer.clear();
      } else if (done && (error != null || buffer.isEmpty())) {
        terminated = true;
        Throwable e = error;
        if (e != null) {
          subscriber.onError(e);
        } else {
          subscriber.onComplete();
        }
        return;
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }
}
