package dev.sluice.spi;

import java.io.IOException;

/**
 * The failure of a message its source could not read as it claims to be (text that is not
 * valid UTF-8): the source emits it {@linkplain dev.sluice.Message#failed already failed} with
 * this cause, which says where the problem is, rather than altering it silently (no U+FFFD
 * replacement), and the pipeline dead-letters it with attempts 0.
 */
public class MalformedMessageException extends IOException {

  /** @param message what was wrong and where; @param cause the decoder's exception, or null */
  public MalformedMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
