package dev.sluice.websocket;

/**
 * The failure the pipeline dead-letters for a message longer than the source's
 * {@code maxMessageSize}. The connection is kept: the rest of the message is read and thrown
 * away without being held.
 */
public final class MessageTooLargeException extends dev.sluice.spi.MessageTooLargeException {

  /** @param size the message's full size in bytes; @param maxMessageSize the limit */
  public MessageTooLargeException(long size, int maxMessageSize) {
    super("message of " + size + " bytes exceeds maxMessageSize " + maxMessageSize, size,
        maxMessageSize);
  }

  /** The limit it exceeded. */
  public int maxMessageSize() { return (int) limit(); }
}
