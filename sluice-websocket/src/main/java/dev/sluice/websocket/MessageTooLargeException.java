package dev.sluice.websocket;

import java.io.IOException;

/**
 * The failure the pipeline dead-letters for a message longer than the source's
 * {@code maxMessageSize}. The connection is kept: the rest of the message is read and thrown
 * away without being held.
 */
public final class MessageTooLargeException extends IOException {

  private final long size;
  private final int maxMessageSize;

  /** @param size the message's full size in bytes; @param maxMessageSize the limit */
  public MessageTooLargeException(long size, int maxMessageSize) {
    super("message of " + size + " bytes exceeds maxMessageSize " + maxMessageSize);
    this.size = size;
    this.maxMessageSize = maxMessageSize;
  }

  /** The message's full size in bytes (UTF-8 bytes for a text message). */
  public long size() { return size; }

  /** The limit it exceeded. */
  public int maxMessageSize() { return maxMessageSize; }
}
