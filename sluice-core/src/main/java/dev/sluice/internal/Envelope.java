package dev.sluice.internal;

import dev.sluice.Message;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * One received message on its way through the pipeline: the message, its arrival sequence,
 * its key, its attempt count and, once processed, its result.
 *
 * <p><b>Ownership.</b> At any moment exactly one party owns an envelope: the source thread
 * while admitting it, the queue, the worker running it, the timer holding it for a retry, or
 * the emitter writing it. Plain fields are handed over through the queue, the emitter's ring
 * or a lock, each of which orders the writes before the next owner's reads.
 *
 * <p><b>Runs.</b> {@link #state} names the current run (a number unique to one worker's one
 * attempt) and its phase. A worker that finishes a run and the watchdog that times it out
 * race on one compare-and-set; the loser leaves the envelope alone. The watchdog interrupts
 * the worker between winning and {@link #release(long)}, and a worker that lost waits for the
 * release before clearing its interrupt, so a stray interrupt never hits the worker's next run.
 */
final class Envelope<T> {

  private static final long RUNNING = 1;
  private static final long CLAIMED = 2;
  private static final long RELEASED = 3;
  private static final AtomicLongFieldUpdater<Envelope> STATE =
      AtomicLongFieldUpdater.newUpdater(Envelope.class, "state");

  final Message<T> message;
  final long seq;
  final long receivedNanos;
  Object key;
  int attempts;
  Object result;
  Throwable failure;
  /** What became of it, once final. */
  Outcome outcome = Outcome.NONE;
  private volatile long state;

  Envelope(Message<T> message, long seq, long receivedNanos) {
    this.message = message;
    this.seq = seq;
    this.receivedNanos = receivedNanos;
  }

  /** Marks run {@code run} as started; called by the worker that took the envelope. */
  void startRun(long run) {
    state = (run << 2) | RUNNING;
  }

  /** The worker's claim at the end of its run; false if the watchdog or a stop took it. */
  boolean finishRun(long run) {
    return STATE.compareAndSet(this, (run << 2) | RUNNING, (run << 2) | RELEASED);
  }

  /** The watchdog's or a stop's claim on a run still going; false if it already ended. */
  boolean claimRun(long run) {
    return STATE.compareAndSet(this, (run << 2) | RUNNING, (run << 2) | CLAIMED);
  }

  /** Called by the claimer once it has interrupted the worker. */
  void release(long run) {
    state = (run << 2) | RELEASED;
  }

  /** Called by a worker that lost its run: waits (briefly) for the claimer's interrupt. */
  void awaitRelease(long run) {
    while (state == ((run << 2) | CLAIMED)) {
      Thread.onSpinWait();
    }
  }
}
