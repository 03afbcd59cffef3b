package dev.sluice.spi;

import java.io.IOException;

/**
 * Why a {@link SourceEmitter} discarded a message (the cause given to its
 * {@link dev.sluice.Message#nack nack}) or failed its stream under
 * {@link OverflowPolicy#FAIL}: the source sent faster than the pipeline took and the buffer of
 * {@link #capacity()} messages was full.
 */
public class SourceOverflowException extends IOException {

  private final int capacity;

  /** @param message what overflowed and what to do; @param capacity the buffer's capacity */
  public SourceOverflowException(String message, int capacity) {
    super(message);
    this.capacity = capacity;
  }

  /** The capacity of the buffer that overflowed, in messages. */
  public int capacity() {
    return capacity;
  }
}
