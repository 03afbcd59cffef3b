package dev.sluice;

/**
 * Thrown by a processor to say "this attempt says nothing about the message: hand it back to
 * the source for redelivery". The pipeline neither retries it nor dead-letters it: the message
 * is nacked ({@link Message#nack(Throwable)} with this exception as the cause) and counted in
 * {@link Stats#nacked()}. Where the source redelivers (an MQTT session, a Kafka offset not
 * committed, an SQS visibility timeout), the message comes back later, to this process or to
 * another member of the group; where it cannot (stdin, a file), the message is given up, as it
 * is when a stopped pipeline gives up what it has not run.
 *
 * <p>Use it for failures that are the process's, not the message's: the worker's external
 * process was killed by a signal sent to the whole process group while the pipeline drains,
 * a resource the processor needs was withdrawn because the process is stopping. A processor
 * that throws it for a message that cannot be processed makes that message loop between
 * source and pipeline for ever: such a message should fail normally, so that the retry policy
 * and the dead-letter sink see it.
 *
 * <p>Immutable and thread-safe; carries no stack trace (it is an outcome, not a bug).
 */
public final class RedeliverException extends RuntimeException {

  /** {@code reason} says why the message goes back, e.g. "the child was stopped by SIGTERM". */
  public RedeliverException(String reason) {
    super(reason, null, false, false);
  }

  /** As {@link #RedeliverException(String)}, keeping what went wrong as the cause. */
  public RedeliverException(String reason, Throwable cause) {
    super(reason, cause, false, false);
  }
}
