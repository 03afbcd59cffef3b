package dev.sluice.internal;

/**
 * One worker thread of a pipeline: runs its body ({@link Attempts}: take envelopes from the
 * queue and run them) until the queue closes or the adaptive pool retires it.
 *
 * <p><b>Threads.</b> {@link #current}, {@link #run} and {@link #startNanos} are written only
 * by this worker's thread ({@code run} and {@code startNanos} before the volatile
 * {@code current}) and read by the watchdog and the stop path, which claim a run through the
 * envelope's state before acting on it. {@link #excludeAttempt} is written and read only by
 * this worker's thread.
 */
final class Worker implements Runnable {

  /** The thread a worker runs on, so that code on it can find its worker. */
  static final class Carrier extends Thread {
    final Worker worker;

    Carrier(Worker worker, String name) {
      super(worker, name);
      this.worker = worker;
    }
  }

  final int index;
  final Thread thread;
  final TaskQueue.Parker parker;
  private final java.util.function.Consumer<Worker> body;
  private final int stride;
  private long runs;
  long run;
  long startNanos;
  volatile Envelope<?> current;
  /** The processor said this attempt's time is not work (see ServiceTime). */
  boolean excludeAttempt;

  /**
   * A worker in slot {@code index} of {@code stride}, parking at {@code parker} (the slot's),
   * numbering its runs on from {@code runsBefore} (its slot's previous worker's count).
   */
  Worker(java.util.function.Consumer<Worker> body, int index, int stride, String name,
      TaskQueue.Parker parker, long runsBefore) {
    this.body = body;
    this.index = index;
    this.stride = stride;
    this.runs = runsBefore;
    this.thread = new Carrier(this, name);
    this.thread.setDaemon(true);
    this.parker = parker;
    parker.retiring = false;
    parker.thread = thread;
  }

  /** The worker whose thread calls this, or null. */
  static Worker current() {
    return Thread.currentThread() instanceof Carrier carrier ? carrier.worker : null;
  }

  /** A run number no other worker will use: this slot's count, interleaved by index. */
  long nextRun() {
    return ++runs * stride + index;
  }

  /** Runs numbered so far in this slot: the next worker in the slot numbers on from here. */
  long runs() {
    return runs;
  }

  void begin(Envelope<?> envelope, long runNumber, long start) {
    run = runNumber;
    startNanos = start;
    excludeAttempt = false;
    current = envelope;
  }

  void end() {
    current = null;
  }

  @Override
  public void run() {
    body.accept(this);
  }

  @Override
  public String toString() {
    return thread.getName();
  }
}
