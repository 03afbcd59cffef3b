package dev.sluice.spi;

/**
 * What became of one message handed to {@link SourceEmitter#tryEmit} or
 * {@link SourceEmitter#emit}: overflow is an answer, not an exception.
 *
 * <p>Ownership: after {@link #OK} the emitter owns the message; after {@link #DROPPED} and
 * {@link #OVERFLOWED} the emitter has nacked it; after {@link #FULL}, {@link #CANCELLED} and
 * {@link #TERMINATED} it was not taken and the caller still owns it (and may nack it, or leave
 * a protocol message unacknowledged for redelivery).
 */
public enum EmitResult {

  /** Taken: delivered to the subscriber already, or buffered until it asks. */
  OK,

  /** Discarded under {@link OverflowPolicy#DROP_NEWEST}: the buffer was full. */
  DROPPED,

  /**
   * Not taken under {@link OverflowPolicy#BLOCK}: the buffer is full. Only
   * {@link SourceEmitter#tryEmit} answers this; wait for demand or use
   * {@link SourceEmitter#emit}.
   */
  FULL,

  /**
   * Discarded under {@link OverflowPolicy#FAIL}: the buffer was full, so the stream now fails
   * with a {@link SourceOverflowException}. Later emits answer {@link #TERMINATED}.
   */
  OVERFLOWED,

  /** Not taken: the subscriber cancelled (or broke rule 3.9, which cancels). Stop reading. */
  CANCELLED,

  /** Not taken: the stream was already ended by {@code complete}, {@code fail} or an overflow. */
  TERMINATED;

  /** True for {@link #OK} only. */
  public boolean isSuccess() {
    return this == OK;
  }
}
