package dev.sluice.spi;

import java.io.IOException;

/**
 * The failure of a message larger than its source's limit (a line past
 * {@code Sources.lines(…, maxBytes)}, a WebSocket message past {@code maxMessageSize}): the
 * source emits it {@linkplain dev.sluice.Message#failed already failed} with this cause, its
 * payload a short preview, and the pipeline dead-letters it with attempts 0. The source never
 * held the whole message: it counted the rest and threw it away.
 */
public class MessageTooLargeException extends IOException {

  private final long size;
  private final long limit;

  /**
   * @param message what was too large, and what the dead letter's payload holds instead
   * @param size    the message's full size in bytes
   * @param limit   the limit it exceeded, in bytes
   */
  public MessageTooLargeException(String message, long size, long limit) {
    super(message);
    this.size = size;
    this.limit = limit;
  }

  /** The message's full size in bytes (UTF-8 bytes for text). */
  public long size() {
    return size;
  }

  /** The limit it exceeded, in bytes. */
  public long limit() {
    return limit;
  }
}
