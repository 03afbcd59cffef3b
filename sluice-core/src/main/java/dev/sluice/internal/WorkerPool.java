package dev.sluice.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiConsumer;

/**
 * The pipeline's worker threads and the {@link WorkQueue} they take from. A fixed pool keeps
 * its size; an adaptive one is resized by {@link PoolResizer} between {@code min} and
 * {@code max}: {@link #grow} starts workers in free slots, {@link #shrink} asks the highest
 * ones to retire after their current attempt (their per-worker processor closes as they go).
 * A worker stuck in a task that ignores interruption is a worker lost until that task
 * returns, and is reported as stuck when the pipeline ends.
 *
 * <p><b>Threads.</b> {@link #grow} and {@link #shrink} run on the timer, as does
 * {@link #claimRunsPastDeadline}; {@link #claimAllRuns} runs on whoever stops the pipeline;
 * both claim a run through its envelope before interrupting the worker, so a worker is only
 * ever interrupted during the run that was claimed. The slots are an atomic array: every
 * reader sees a slot's worker fully made.
 */
final class WorkerPool<T> implements PoolResizer.Pool {

  final WorkQueue<Envelope<T>> queue;
  private final java.util.function.Consumer<Worker> body;
  private final String name;
  private final int initial;
  private final AtomicReferenceArray<Worker> slots;
  private final TaskQueue.Parker[] parkers;
  private volatile int size;

  WorkerPool(java.util.function.Consumer<Worker> body, int initial, int max, int maxInFlight,
      String name) {
    this.queue = WorkQueue.create(maxInFlight);
    this.body = body;
    this.name = name;
    this.initial = initial;
    this.slots = new AtomicReferenceArray<>(max);
    this.parkers = new TaskQueue.Parker[max];
    for (int i = 0; i < max; i++) {
      parkers[i] = new TaskQueue.Parker(null);
    }
    queue.setParkers(parkers);
  }

  /** Starts the first {@code initial} workers. */
  void start() {
    grow(initial);
  }

  /** Workers taking messages now (retiring ones not counted). */
  @Override
  public int size() {
    return size;
  }

  /** The most workers this pool may have. */
  int max() {
    return slots.length();
  }

  /**
   * Starts up to {@code count} workers in free slots (never used, or whose worker has ended);
   * returns how many it started. Timer thread only.
   */
  @Override
  public int grow(int count) {
    int started = 0;
    for (int i = 0; i < slots.length() && started < count; i++) {
      Worker old = slots.get(i);
      if (old != null && (old.thread.isAlive() || !old.parker.retiring)) {
        continue;           // working, or retiring but not gone yet
      }
      Worker worker = new Worker(body, i, slots.length(), name + "-worker-" + (i + 1),
          parkers[i], old == null ? 0 : old.runs());
      slots.set(i, worker);
      size++;
      worker.thread.start();
      started++;
    }
    return started;
  }

  /**
   * Asks up to {@code count} of the highest-numbered working workers to retire after their
   * current attempt; returns how many it asked. Timer thread only.
   */
  @Override
  public int shrink(int count) {
    int asked = 0;
    for (int i = slots.length() - 1; i >= 0 && asked < count; i--) {
      Worker worker = slots.get(i);
      if (worker != null && !worker.parker.retiring && worker.thread.isAlive()) {
        queue.retire(worker.parker);
        size--;
        asked++;
      }
    }
    return asked;
  }

  int busy() {
    int busy = 0;
    for (int i = 0; i < slots.length(); i++) {
      Worker worker = slots.get(i);
      if (worker != null && worker.current != null) {
        busy++;
      }
    }
    return busy;
  }

  /**
   * Claims every run older than {@code limitNanos} at {@code now}, interrupts its worker, and
   * hands the envelope and the worker's name to {@code timedOut}.
   */
  void claimRunsPastDeadline(long now, long limitNanos, BiConsumer<Envelope<T>, String> timedOut) {
    for (Worker worker : workers()) {
      claim(worker, now, limitNanos, timedOut);
    }
  }

  /** Claims and interrupts every run in progress (the pipeline is stopping). */
  void claimAllRuns(BiConsumer<Envelope<T>, String> abandoned) {
    for (Worker worker : workers()) {
      claim(worker, 0, -1, abandoned);
    }
  }

  /**
   * Claims the worker's current run if it has lasted {@code limitNanos} (any run if negative).
   * The run number and start are read after {@code current}: they belong to that envelope's
   * run or to a later one, and a claim naming a later run of another envelope fails.
   */
  private void claim(Worker worker, long now, long limitNanos,
      BiConsumer<Envelope<T>, String> then) {
    @SuppressWarnings("unchecked")
    Envelope<T> envelope = (Envelope<T>) worker.current;
    if (envelope == null) {
      return;
    }
    long run = worker.run;
    long start = worker.startNanos;
    if ((limitNanos < 0 || now - start >= limitNanos) && envelope.claimRun(run)) {
      worker.thread.interrupt();
      envelope.release(run);
      then.accept(envelope, worker.thread.getName());
    }
  }

  /**
   * Closes the queue so idle workers end, then waits for them until {@code deadline}, in short
   * slices over all of them, so that one worker stuck in a task cannot use up the wait of the
   * idle ones.
   */
  void shutdown(long deadline) {
    queue.close();
    boolean waiting = true;
    while (waiting) {
      waiting = false;
      for (Worker worker : workers()) {
        if (worker.thread == Thread.currentThread() || !worker.thread.isAlive()) {
          continue;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        try {
          TimeUnit.NANOSECONDS.timedJoin(worker.thread,
              Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        waiting |= worker.thread.isAlive();
      }
    }
  }

  /** The workers in their slots now, retiring ones included. */
  private List<Worker> workers() {
    List<Worker> all = new ArrayList<>(slots.length());
    for (int i = 0; i < slots.length(); i++) {
      Worker worker = slots.get(i);
      if (worker != null) {
        all.add(worker);
      }
    }
    return all;
  }

  /** Names of workers still alive: stuck in a task that ignored interruption. */
  List<String> stuck() {
    List<String> stuck = new ArrayList<>();
    for (Worker worker : workers()) {
      if (worker.thread.isAlive()) {
        stuck.add(worker.thread.getName());
      }
    }
    return stuck;
  }
}
