package dev.sluice.internal;

/**
 * The contract between whoever admits an envelope and the workers that run it: a bounded
 * queue whose {@link #offer} never blocks (in-flight accounting keeps it from filling) and
 * whose {@link #take} parks an idle worker until there is work, the queue closes, or the
 * worker is retired.
 *
 * <p>{@link TaskQueue} (lock-free) is the one the engine uses. {@link LockingTaskQueue}
 * (ArrayBlockingQueue's design: one lock, one condition) is there only so that
 * {@code sluice-bench} can compare the two through the whole engine: the system property
 * {@value #IMPLEMENTATION_PROPERTY}{@code =locking} selects it for pipelines started after it
 * is set. It is a benchmark seam, not a setting.
 *
 * <p><b>Threads.</b> {@link #offer}, {@link #poll} and {@link #close} from any thread;
 * {@link #take} only from the worker that owns the given parker; {@link #retire} from the
 * pool's resizer (the timer thread). Each element's offer happens-before its take.
 */
interface WorkQueue<E> {

  /** The benchmark seam's system property: {@code lockfree} (the default) or {@code locking}. */
  String IMPLEMENTATION_PROPERTY = "sluice.internal.workQueue";

  /** A queue holding at least {@code minCapacity} elements, of the kind the property names. */
  static <E> WorkQueue<E> create(int minCapacity) {
    return "locking".equals(System.getProperty(IMPLEMENTATION_PROPERTY))
        ? new LockingTaskQueue<>(minCapacity) : new TaskQueue<>(minCapacity);
  }

  /** Registers the workers that may park; called once before any of them runs. */
  void setParkers(TaskQueue.Parker[] parkers);

  /** Adds an element and wakes an idle worker if there is one; throws if the queue is full. */
  void offer(E element);

  /** Removes the oldest element, or returns null when empty. */
  E poll();

  /** Elements waiting now (approximate under concurrent use). */
  int size();

  /**
   * The next element, waiting for one if need be; null once {@link #close()} was called, or
   * once {@link #retire} asked this parker's worker to leave. Never returns with the calling
   * thread's interrupt status set by a stray interrupt that landed while it waited.
   */
  E take(TaskQueue.Parker me);

  /**
   * Asks the worker at {@code parker} to leave: its {@link #take} returns null from now on; a
   * wake-up meant for an element that it received is passed on to another worker.
   */
  void retire(TaskQueue.Parker parker);

  /** Makes every {@link #take} return null from now on, waking every sleeper. */
  void close();
}
