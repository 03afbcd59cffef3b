package dev.sluice.spi;

/**
 * Implemented by a source (the {@code Flow.Publisher} handed to the pipeline) that knows how
 * many messages it has ready but not yet emitted: a timed generator's events that are due, a
 * Kafka consumer's lag, an SQS queue's approximate depth, a connector's receive buffer. The
 * capacity model then measures the offered load exactly (intake plus the backlog's growth)
 * instead of a lower bound once the pipeline is saturated.
 *
 * <p><b>Threads.</b> Called by the pipeline's timer thread a few times a second, concurrently
 * with the source's own threads: implementations must be thread-safe, cheap and non-blocking
 * (return a cached figure that the source's own thread refreshes).
 */
@FunctionalInterface
public interface SourceBacklog {

  /** Messages ready at the source and not yet emitted, or -1 when not known right now. */
  long backlog();

  /**
   * {@code source}'s backlog when it reports one, else -1: for a wrapper around a source (a
   * decoder, a tap, a filter) to pass the figure on by implementing this interface too.
   */
  static long of(Object source) {
    return source instanceof SourceBacklog ? ((SourceBacklog) source).backlog() : -1;
  }
}
