package dev.sluice.internal;

/**
 * One worker thread of a pipeline: runs its body ({@link Attempts}: take envelopes from the
 * queue and run them) until the queue closes.
 *
 * <p><b>Threads.</b> {@link #current}, {@link #run} and {@link #startNanos} are written only
 * by this worker's thread ({@code run} and {@code startNanos} before the volatile
 * {@code current}) and read by the watchdog and the stop path, which claim a run through the
 * envelope's state before acting on it.
 */
final class Worker implements Runnable {

  final int index;
  final Thread thread;
  final TaskQueue.Parker parker;
  private final java.util.function.Consumer<Worker> body;
  private final int stride;
  private long runs;
  long run;
  long startNanos;
  volatile Envelope<?> current;

  Worker(java.util.function.Consumer<Worker> body, int index, int stride, String name) {
    this.body = body;
    this.index = index;
    this.stride = stride;
    this.thread = new Thread(this, name);
    this.thread.setDaemon(true);
    this.parker = new TaskQueue.Parker(thread);
  }

  /** A run number no other worker will use: this worker's count, interleaved by index. */
  long nextRun() {
    return ++runs * stride + index;
  }

  void begin(Envelope<?> envelope, long runNumber, long start) {
    run = runNumber;
    startNanos = start;
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
