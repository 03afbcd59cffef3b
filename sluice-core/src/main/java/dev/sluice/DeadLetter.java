package dev.sluice;

import java.util.Objects;

/**
 * A message the pipeline gave up on: its processor kept failing (or timed out) until the
 * retry policy ran out, or it could not be processed at all (its key could not be read, a
 * connector found it oversize or malformed), with the cause and how many attempts were made.
 * Written to the dead-letter sink; the source message is acknowledged once that write
 * completes.
 *
 * @param message  the message as the source delivered it
 * @param cause    why the last attempt failed
 * @param attempts how many attempts were made; 0 when it never reached a worker
 * @param <T>      the payload type
 */
public record DeadLetter<T>(Message<T> message, Throwable cause, int attempts) {
  public DeadLetter {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(cause, "cause");
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts must be >= 0 but was " + attempts);
    }
  }

  /** One line for logs: the message, the attempt count and the cause. */
  @Override
  public String toString() {
    return "DeadLetter[" + message + " after " + attempts + " attempt"
        + (attempts == 1 ? "" : "s") + ": " + cause + "]";
  }
}
