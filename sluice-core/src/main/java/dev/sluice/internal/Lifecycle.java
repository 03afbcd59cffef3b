package dev.sluice.internal;

import dev.sluice.Pipeline.State;
import dev.sluice.PipelineException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The pipeline's one lifecycle state machine, forward only:
 *
 * <pre>
 * RUNNING ──drain / source ended / failure──▶ DRAINING ──drain timed out──▶ STOPPING
 *                                                │                            │
 *                                                └──── all settled ───▶ COMPLETED | FAILED
 * </pre>
 *
 * <p>Requests that find the machine already at or past their state ({@link #beginDrain()},
 * {@link #beginStop()}) answer false: they are idempotent, since a drain, a source's end and a
 * failure may race. A move that would go backwards, skip draining, or end twice throws
 * {@link IllegalStateException}: that is a bug, and it fails loudly.
 *
 * <p>Besides the state it keeps the first failure (which makes the end FAILED) and the
 * once-only latch that lets exactly one thread run the end.
 *
 * <p><b>Threads.</b> Thread-safe: one atomic state word, read by the source thread on every
 * message, by workers and by settlers.
 */
final class Lifecycle {

  private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
  private final AtomicReference<PipelineException> failure = new AtomicReference<>();
  private final AtomicBoolean ending = new AtomicBoolean();

  State state() {
    return state.get();
  }

  /** True while new messages are taken. */
  boolean isRunning() {
    return state.get() == State.RUNNING;
  }

  /** True once no new message is taken: draining, stopping or ended. */
  boolean isDraining() {
    return state.get() != State.RUNNING;
  }

  /** True once a drain ran out of time: what is not yet running is abandoned. */
  boolean isStopping() {
    State s = state.get();
    return s == State.STOPPING || s == State.COMPLETED || s == State.FAILED;
  }

  /** RUNNING → DRAINING; false if it was already draining, stopping or ended. */
  boolean beginDrain() {
    return state.compareAndSet(State.RUNNING, State.DRAINING);
  }

  /**
   * DRAINING → STOPPING; false if it was already stopping or ended.
   *
   * @throws IllegalStateException if it is still RUNNING: a stop comes after a drain
   */
  boolean beginStop() {
    State witness = state.compareAndExchange(State.DRAINING, State.STOPPING);
    if (witness == State.RUNNING) {
      throw new IllegalStateException("cannot stop a pipeline that is not draining");
    }
    return witness == State.DRAINING;
  }

  /** Records the first failure; true if it was the first. Call {@link #beginDrain()} too. */
  boolean failed(PipelineException cause) {
    return failure.compareAndSet(null, cause);
  }

  /** The first failure, or null. */
  PipelineException failure() {
    return failure.get();
  }

  /** True for the one caller that may run the end; false for every later one. */
  boolean claimEnd() {
    return ending.compareAndSet(false, true);
  }

  /**
   * DRAINING | STOPPING → COMPLETED (or FAILED if {@code failed}).
   *
   * @throws IllegalStateException if it is RUNNING or already ended
   */
  void end(boolean failed) {
    State target = failed ? State.FAILED : State.COMPLETED;
    for (;;) {
      State s = state.get();
      if (s != State.DRAINING && s != State.STOPPING) {
        throw new IllegalStateException("cannot end a pipeline that is " + s);
      }
      if (state.compareAndSet(s, target)) {
        return;
      }
    }
  }
}
