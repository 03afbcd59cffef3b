package dev.sluice;

import java.util.Objects;

/**
 * A message the pipeline gave up on: its processor kept failing (or timed out) until the
 * retry policy ran out, with the last cause and how many attempts were made. Written to the
 * dead-letter sink; the source message is acknowledged once that write completes.
 *
 * @param message  the message as the source delivered it
 * @param cause    why the last attempt failed
 * @param attempts how many attempts were made (at least 1)
 * @param <T>      the payload type
 */
public record DeadLetter<T>(Message<T> message, Throwable cause, int attempts) {
  public DeadLetter {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(cause, "cause");
  }

  /** One line for logs: the message, the attempt count and the cause. */
  @Override
  public String toString() {
    return "DeadLetter[" + message + " after " + attempts + " attempt"
        + (attempts == 1 ? "" : "s") + ": " + cause + "]";
  }
}
