package dev.sluice.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The pipeline's fixed set of {@link Worker} threads and the {@link TaskQueue} they take from.
 * The pool never grows: a worker stuck in a task that ignores interruption is a worker lost
 * until that task returns, and is reported as stuck when the pipeline ends.
 *
 * <p><b>Threads.</b> {@link #claimRunsPastDeadline} runs on the timer, {@link #claimAllRuns}
 * on whoever stops the pipeline; both claim a run through its envelope before interrupting the
 * worker, so a worker is only ever interrupted during the run that was claimed.
 */
final class WorkerPool<T> {

  final TaskQueue<Envelope<T>> queue;
  private final Worker[] workers;

  WorkerPool(java.util.function.Consumer<Worker> body, int size, int maxInFlight, String name) {
    this.queue = new TaskQueue<>(maxInFlight);
    this.workers = new Worker[size];
    TaskQueue.Parker[] parkers = new TaskQueue.Parker[size];
    for (int i = 0; i < size; i++) {
      workers[i] = new Worker(body, i, size, name + "-worker-" + (i + 1));
      parkers[i] = workers[i].parker;
    }
    queue.setParkers(parkers);
  }

  void start() {
    for (Worker worker : workers) {
      worker.thread.start();
    }
  }

  int size() {
    return workers.length;
  }

  int busy() {
    int busy = 0;
    for (Worker worker : workers) {
      if (worker.current != null) {
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
    for (Worker worker : workers) {
      claim(worker, now, limitNanos, timedOut);
    }
  }

  /** Claims and interrupts every run in progress (the pipeline is stopping). */
  void claimAllRuns(BiConsumer<Envelope<T>, String> abandoned) {
    for (Worker worker : workers) {
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
      for (Worker worker : workers) {
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

  /** Names of workers still alive: stuck in a task that ignored interruption. */
  List<String> stuck() {
    List<String> stuck = new ArrayList<>();
    for (Worker worker : workers) {
      if (worker.thread.isAlive()) {
        stuck.add(worker.thread.getName());
      }
    }
    return stuck;
  }
}
