package dev.sluice.websocket.internal;

import dev.sluice.websocket.MalformedMessageException;
import dev.sluice.websocket.MessageTooLargeException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Reassembles one connection's fragmented messages and enforces the size limit: fragments
 * accumulate until one arrives with {@code last} set. Past the limit the parts are no longer
 * kept (only the first {@value #PREVIEW} characters or bytes, for the dead letter), but still
 * counted, so memory per connection stays within {@code maxMessageSize}.
 *
 * <p>Not thread-safe: the JDK calls a listener's methods one at a time, and each connection
 * has its own assembler.
 */
public final class Assembler {

  /** How much of an oversize message the dead letter keeps. */
  static final int PREVIEW = 256;

  /** A complete message: a payload to deliver, or a preview to dead-letter with its cause. */
  public record Complete(String payload, boolean binary, Exception failure) { }

  private final int maxMessageSize;
  private final boolean base64;
  private final StringBuilder text = new StringBuilder();
  private byte[] bytes = new byte[256];
  private int byteCount;
  private long size;

  public Assembler(int maxMessageSize, boolean base64) {
    this.maxMessageSize = maxMessageSize;
    this.base64 = base64;
  }

  /** Adds a text fragment; returns the complete message when {@code last}, else null. */
  public Complete text(CharSequence data, boolean last) {
    size += utf8Length(data);
    if (size <= maxMessageSize) {
      text.append(data);
    } else if (text.length() < PREVIEW) {
      text.append(data, 0, Math.min(data.length(), PREVIEW - text.length()));
    }
    if (!last) {
      return null;
    }
    Complete done = size <= maxMessageSize ? new Complete(text.toString(), false, null)
        : new Complete(preview(text.toString()), false, tooLarge());
    text.setLength(0);
    size = 0;
    return done;
  }

  /** Adds a binary fragment; returns the complete message when {@code last}, else null. */
  public Complete binary(ByteBuffer data, boolean last) {
    int n = data.remaining();
    size += n;
    int keep = size <= maxMessageSize ? n : Math.max(0, Math.min(n, PREVIEW - byteCount));
    if (keep > 0) {
      if (byteCount + keep > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(byteCount + keep, 2 * bytes.length));
      }
      data.get(bytes, byteCount, keep);
      byteCount += keep;
    }
    if (!last) {
      return null;
    }
    byte[] message = Arrays.copyOf(bytes, byteCount);
    long total = size;
    byteCount = 0;
    size = 0;
    if (bytes.length > 4096) {
      bytes = new byte[256];      // do not pin one big message's buffer for the connection's life
    }
    if (total > maxMessageSize) {
      return new Complete(Base64.getEncoder().encodeToString(message), true,
          new MessageTooLargeException(total, maxMessageSize));
    }
    if (base64) {
      return new Complete(Base64.getEncoder().encodeToString(message), true, null);
    }
    try {
      return new Complete(StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(message)).toString(), true, null);
    } catch (CharacterCodingException e) {
      return new Complete(Base64.getEncoder().encodeToString(Arrays.copyOf(message,
          Math.min(message.length, PREVIEW))), true,
          new MalformedMessageException("binary message of " + total
              + " bytes is not valid UTF-8 (" + e + "); the dead letter's payload is its "
              + "first bytes in Base64", e));
    }
  }

  private Exception tooLarge() {
    return new MessageTooLargeException(size, maxMessageSize);
  }

  private static String preview(String s) {
    return s.length() <= PREVIEW ? s : s.substring(0, PREVIEW);
  }

  /** UTF-8 length of {@code s}: a surrogate pair is two chars and four bytes. */
  static long utf8Length(CharSequence s) {
    long n = 0;
    for (int i = 0, len = s.length(); i < len; i++) {
      char c = s.charAt(i);
      n += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
    }
    return n;
  }
}
