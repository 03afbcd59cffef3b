package dev.sluice;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where results go. A write is asynchronous: the source message is acknowledged only when the
 * returned stage completes normally; if it completes exceptionally (or {@code write} throws)
 * the message is nacked, and the pipeline fails with that cause after draining what it can.
 *
 * <p><b>Threads.</b> The pipeline never calls {@code write} concurrently: calls may come from
 * different worker threads, and each call happens-before the next, so an implementation needs
 * no locking of its own. The returned stage may complete on any thread. {@link #flush()} and
 * {@link #close()} are called once each, after the last write, when the pipeline ends.
 *
 * @param <R> the result type
 */
public interface Sink<R> {

  /** A completed stage for sinks that finish their write before returning. */
  CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

  /**
   * Writes one result. {@code source} is the message it came from, for its key or topic;
   * the sink must not acknowledge it.
   */
  CompletionStage<Void> write(R result, Message<?> source);

  /** Makes every write so far durable; called once when the pipeline drains. */
  default CompletionStage<Void> flush() {
    return DONE;
  }

  /** Releases the sink's resources; called once, after {@link #flush()}. */
  default void close() throws Exception {
  }
}
