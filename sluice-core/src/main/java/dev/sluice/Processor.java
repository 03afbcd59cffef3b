package dev.sluice;

/**
 * The per-event work: plain blocking code, run on one of the pipeline's worker threads.
 *
 * <p>Return the result to hand to the sink, or {@code null} for "nothing to write" (the
 * message is still acknowledged). Throw to fail the attempt: the pipeline's
 * {@link RetryPolicy} decides whether it runs again, and a message out of attempts goes to
 * the dead-letter sink. A processor that runs past the pipeline's timeout is interrupted;
 * blocking calls should let {@link InterruptedException} propagate.
 *
 * <p><b>Threads.</b> Called from several worker threads at once (except for messages of one
 * key under {@link Ordering#BY_KEY}), so an implementation that keeps state must be
 * thread-safe.
 *
 * @param <T> the payload type
 * @param <R> the result type
 */
@FunctionalInterface
public interface Processor<T, R> {
  R process(T payload) throws Exception;
}
