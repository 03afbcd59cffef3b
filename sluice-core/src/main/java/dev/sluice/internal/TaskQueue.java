package dev.sluice.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The bounded queue between the source and the workers: a lock-free multi-producer,
 * multi-consumer array queue (Vyukov's design) plus a way for idle workers to sleep.
 *
 * <p><b>Bound.</b> Its capacity is at least the pipeline's in-flight cap, and every element
 * holds one in-flight permit, so {@link #offer} cannot fail; it throws if it ever would.
 *
 * <p><b>Waiting.</b> A worker that finds the queue empty spins briefly, yields, then parks
 * after registering as idle and checking the queue once more; a producer that offers checks
 * the idle count after its (volatile) publish and unparks one idle worker. The two volatile
 * steps on each side mean a worker cannot sleep through an element (Dekker's argument).
 * Nothing spins for long: parked workers cost no CPU.
 *
 * <p><b>One spinner.</b> Only one idle worker at a time spins (the others park at once), and
 * an offer wakes nobody while one spins: it will take the element. So idle workers do not take
 * turns on the cores the source and the busy workers need (on 2 cores, five spinning workers
 * held the demo's source to a fraction of a core), and a fast stream does not pay an unpark per
 * element. A spinner, or a worker woken, that takes an element wakes an idle worker if more
 * are waiting, so elements offered while it spun are not left to it alone. The spinner leaves the spin phase
 * (a volatile write) before registering as idle and polling again, so an offer that saw it
 * spinning is still seen by that poll.
 *
 * <p><b>Threads.</b> {@code offer} from any thread; {@code take} only from the worker that owns
 * the given {@link Parker}.
 *
 * <p><b>Checked by</b> jcstress ({@code TaskQueueStress} in {@code sluice-jcstress}): no element
 * lost or duplicated, no offer slept through, close wakes every taker, retire wakes the retired
 * one only and a retiring taker passes on its wake-up. It stays because it beat an
 * ArrayBlockingQueue-style queue ({@link LockingTaskQueue}) through the engine (BENCHMARKS.md).
 */
final class TaskQueue<E> implements WorkQueue<E> {

  private static final int SPINS = 64;
  private static final int YIELDS = 8;

  /**
   * One worker slot's parking spot. An adaptive pool reuses a slot for a new worker thread
   * after the last one retired: {@code thread} is set before the new thread starts, and
   * {@code retiring} asks the thread there to leave {@link #take} (see {@link #retire}).
   */
  static final class Parker {
    volatile Thread thread;
    volatile boolean retiring;
    final AtomicInteger parked = new AtomicInteger();

    Parker(Thread thread) {
      this.thread = thread;
    }
  }

  private final AtomicReferenceArray<E> buffer;
  private final AtomicLongArray sequences;
  private final int mask;
  private final AtomicLong head = new AtomicLong();
  private final AtomicLong tail = new AtomicLong();
  private final AtomicInteger idle = new AtomicInteger();
  /** Workers in their spin-and-yield phase: at most one at a time (see {@link #take}). */
  private final AtomicInteger spinning = new AtomicInteger();
  private volatile Parker[] parkers = new Parker[0];
  private volatile boolean closed;

  TaskQueue(int minCapacity) {
    int capacity = Integer.highestOneBit(Math.max(2, minCapacity - 1)) << 1;
    buffer = new AtomicReferenceArray<>(capacity);
    sequences = new AtomicLongArray(capacity);
    for (int i = 0; i < capacity; i++) {
      sequences.set(i, i);
    }
    mask = capacity - 1;
  }

  /** Registers the workers that may park; called once before any of them runs. */
  @Override
  public void setParkers(Parker[] parkers) {
    this.parkers = parkers.clone();
  }

  /** Adds an element and wakes an idle worker if there is one. */
  @Override
  public void offer(E element) {
    long pos = tail.get();
    int index;
    for (;;) {
      index = (int) (pos & mask);
      long diff = sequences.getAcquire(index) - pos;
      if (diff == 0) {
        if (tail.compareAndSet(pos, pos + 1)) {
          break;
        }
        pos = tail.get();
      } else if (diff < 0) {
        // The slot's previous element was taken (head has passed it) but its taker has not yet
        // marked the slot free: a window of a few instructions, unless that thread was
        // descheduled. In-flight accounting guarantees the queue itself is not full.
        if (tail.get() - head.get() > mask) {
          throw new IllegalStateException("task queue full: in-flight accounting is broken");
        }
        Thread.yield();
        pos = tail.get();
      } else {
        pos = tail.get();
      }
    }
    buffer.lazySet(index, element);
    sequences.set(index, pos + 1);      // volatile: ordered before the checks below
    if (spinning.get() == 0 && idle.get() > 0) {
      wakeOne();
    }
  }

  /** Removes the oldest element, or returns null when empty. Any thread. */
  @Override
  public E poll() {
    long pos = head.get();
    int index;
    for (;;) {
      index = (int) (pos & mask);
      long diff = sequences.getAcquire(index) - (pos + 1);
      if (diff == 0) {
        if (head.compareAndSet(pos, pos + 1)) {
          break;
        }
        pos = head.get();
      } else if (diff < 0) {
        return null;
      } else {
        pos = head.get();
      }
    }
    E element = buffer.get(index);
    buffer.lazySet(index, null);
    sequences.setRelease(index, pos + mask + 1);
    return element;
  }

  /** Elements waiting now (approximate under concurrent use). */
  @Override
  public int size() {
    long size = tail.get() - head.get();
    return (int) Math.max(0, Math.min(size, mask + 1));
  }

  /**
   * The next element, waiting for one if need be; null once {@link #close()} was called, or
   * once {@link #retire} asked this parker's worker to leave: the caller should stop. Clears
   * the calling thread's interrupt status before it sleeps.
   */
  @Override
  public E take(Parker me) {
    if (me.retiring) {
      return leave(me);
    }
    E element = poll();
    if (element != null) {
      return element;
    }
    if (spinning.get() == 0 && spinning.compareAndSet(0, 1)) {
      try {
        for (int i = 0; i < SPINS + YIELDS; i++) {
          if (closed) {
            return null;
          }
          if (me.retiring) {
            return leave(me);
          }
          if (i < SPINS) {
            Thread.onSpinWait();
          } else {
            Thread.yield();
          }
          element = poll();
          if (element != null) {
            break;
          }
        }
      } finally {
        spinning.set(0);
      }
      if (element != null) {
        passOn();     // offers made while this worker spun woke nobody (see offer)
        return element;
      }
    }
    for (;;) {
      if (closed) {
        return null;
      }
      if (me.retiring) {
        return leave(me);
      }
      Thread.interrupted();
      me.parked.set(1);
      idle.incrementAndGet();
      element = poll();
      if (element != null || closed) {
        if (me.parked.compareAndSet(1, 0)) {
          idle.decrementAndGet();
        }
        if (element != null) {
          return element;
        }
        return null;
      }
      while (me.parked.get() == 1 && !closed && !me.retiring) {
        LockSupport.park(this);
        Thread.interrupted();    // only a stray timeout interrupt can land here
      }
      if (me.parked.compareAndSet(1, 0)) {
        idle.decrementAndGet();
      }
      element = poll();
      if (element != null) {
        passOn();
        return element;
      }
    }
  }

  /** A worker that was woken or spun for its element wakes another if more are waiting. */
  private void passOn() {
    if (size() > 0 && idle.get() > 0) {
      wakeOne();
    }
  }

  /**
   * Asks the worker at {@code parker} to leave: its {@link #take} returns null from now on
   * (after the run it may be in). Timer thread only (the adaptive pool's resizer).
   */
  @Override
  public void retire(Parker parker) {
    parker.retiring = true;
    LockSupport.unpark(parker.thread);
  }

  /**
   * A retiring worker leaves {@link #take}. A producer may have chosen it to wake for an
   * element just before: it passes that wake-up on, so no element waits while others sleep.
   */
  private E leave(Parker me) {
    if (me.parked.compareAndSet(1, 0)) {
      idle.decrementAndGet();
    }
    if (size() > 0 && idle.get() > 0) {
      wakeOne();
    }
    return null;
  }

  /** Makes every {@link #take} return null from now on, waking sleepers. */
  @Override
  public void close() {
    closed = true;
    for (Parker parker : parkers) {
      LockSupport.unpark(parker.thread);
    }
  }

  private void wakeOne() {
    for (Parker parker : parkers) {
      if (parker.parked.get() == 1 && parker.parked.compareAndSet(1, 0)) {
        idle.decrementAndGet();
        LockSupport.unpark(parker.thread);
        return;
      }
    }
  }
}
