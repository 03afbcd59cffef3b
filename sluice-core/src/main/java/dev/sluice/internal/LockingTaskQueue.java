package dev.sluice.internal;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link WorkQueue} the simple way, for the benchmark seam only (see {@link WorkQueue}):
 * {@link java.util.concurrent.ArrayBlockingQueue}'s algorithm (an array ring guarded by one
 * {@link ReentrantLock}, idle takers waiting on one {@code notEmpty} condition) with the two
 * things an {@code ArrayBlockingQueue} cannot do without interrupting its takers (which would
 * collide with the timeout watchdog's interrupts): {@link #close} and {@link #retire}, both a
 * flag set and a {@code signalAll} under the lock.
 *
 * <p><b>Threads.</b> As {@link WorkQueue}; every method takes the lock.
 */
final class LockingTaskQueue<E> implements WorkQueue<E> {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Object[] items;
  private int takeIndex;
  private int putIndex;
  private int count;
  private boolean closed;

  LockingTaskQueue(int minCapacity) {
    items = new Object[Math.max(2, minCapacity)];
  }

  @Override
  public void setParkers(TaskQueue.Parker[] parkers) {
    // takers wait on the condition: nothing to register
  }

  @Override
  public void offer(E element) {
    lock.lock();
    try {
      if (count == items.length) {
        throw new IllegalStateException("task queue full: in-flight accounting is broken");
      }
      items[putIndex] = element;
      putIndex = putIndex + 1 == items.length ? 0 : putIndex + 1;
      count++;
      notEmpty.signal();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public E poll() {
    lock.lock();
    try {
      return count == 0 ? null : dequeue();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int size() {
    lock.lock();
    try {
      return count;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public E take(TaskQueue.Parker me) {
    lock.lock();
    try {
      for (;;) {
        if (closed) {
          return null;
        }
        if (me.retiring) {
          if (count > 0) {
            notEmpty.signal();      // the signal we may have taken was for an element: pass it on
          }
          return null;
        }
        if (count > 0) {
          return dequeue();
        }
        notEmpty.awaitUninterruptibly();
        Thread.interrupted();       // only a stray timeout interrupt can land here
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void retire(TaskQueue.Parker parker) {
    lock.lock();
    try {
      parker.retiring = true;
      notEmpty.signalAll();         // one condition for all: the others wait again
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @SuppressWarnings("unchecked")
  private E dequeue() {
    E element = (E) items[takeIndex];
    items[takeIndex] = null;
    takeIndex = takeIndex + 1 == items.length ? 0 : takeIndex + 1;
    count--;
    return element;
  }
}
