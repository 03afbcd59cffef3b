package dev.sluice;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A running pipeline: a source feeding a bounded pool of workers feeding a sink. Started by
 * {@link PipelineBuilder#start()}.
 *
 * <p><b>Lifecycle.</b> {@code RUNNING → DRAINING → COMPLETED | FAILED}. It drains when the
 * source completes, fails, or {@link #drain(Duration)} is called: no new message is taken,
 * everything already received is finished and written, the sink is flushed and closed, and
 * the worker threads end. A drain that runs out of time passes through {@code STOPPING}:
 * queued messages are nacked and running ones interrupted.
 *
 * <p><b>Thread-safety.</b> Every method is safe from any thread. The completion future's
 * dependents run on the thread that finishes the pipeline, after every worker has stopped;
 * everything the workers and the sink did happens-before it completes.
 */
public interface Pipeline extends AutoCloseable {

  /** The pipeline's lifecycle states. */
  enum State {
    /** Taking messages from the source. */
    RUNNING,
    /** Taking no new messages; finishing those received. */
    DRAINING,
    /** The drain ran out of time: nacking what is left and interrupting workers. */
    STOPPING,
    /** Ended; every received message was settled. */
    COMPLETED,
    /** Ended because the source or sink failed; {@link #completion()} holds the cause. */
    FAILED
  }

  State state();

  /** A snapshot of the statistics now. Cheap enough to call every second. */
  Stats stats();

  /**
   * Completes with the final statistics when the pipeline ends, or exceptionally with a
   * {@link PipelineException} when its source or sink failed.
   */
  CompletableFuture<Stats> completion();

  /**
   * Blocks until the pipeline ends (normally because its source completed) and returns the
   * final statistics.
   *
   * @throws PipelineException if the source or sink failed
   */
  Stats awaitCompletion() throws InterruptedException;

  /**
   * Stops taking new messages, finishes those received, and waits up to {@code timeout}.
   * If time runs out, queued messages are nacked, running ones are interrupted, and the
   * call waits a little longer for the workers before reporting what it abandoned. Calling
   * it again, or after the pipeline ended, reports the outcome again.
   */
  DrainResult drain(Duration timeout) throws InterruptedException;

  /**
   * Drains with the pipeline's drain timeout (see {@link PipelineBuilder#drainTimeout}),
   * then interrupts what is left. Returns once no worker runs, or once it has given up on
   * workers that ignore interruption; the outcome is logged and {@link #drain} reports it.
   */
  @Override
  void close();
}
