package dev.sluice.websocket;

/**
 * The failure the pipeline dead-letters for a binary message that is not valid UTF-8 under
 * {@link BinaryMode#UTF8}. (A text message with invalid UTF-8 is a protocol error: the JDK
 * client closes that connection with 1007, and the source reconnects.)
 */
public final class MalformedMessageException extends dev.sluice.spi.MalformedMessageException {

  /** @param message what was wrong; @param cause the decoder's exception */
  public MalformedMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
