package dev.sluice.internal;

import dev.sluice.Message;
import dev.sluice.spi.MalformedMessageException;
import dev.sluice.spi.MessageTooLargeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The lines of a byte stream as UTF-8 text, with a size limit enforced while reading: a line
 * is split at {@code \n}, {@code \r\n} or {@code \r} (as {@code BufferedReader.readLine}
 * does), and never held past {@code maxBytes}.
 *
 * <p><b>What a line becomes.</b> A line of at most {@code maxBytes} bytes of valid UTF-8 is a
 * message whose payload is its text. A longer line is read to its end but only its first
 * {@value #PREVIEW} bytes are kept: it becomes a {@linkplain Message#failed failed} message
 * (payload those bytes as text; cause a {@link MessageTooLargeException} with its size), so
 * memory stays within {@code maxBytes} plus the read buffer whatever the input. A line that is
 * not valid UTF-8 is not altered (no U+FFFD replacement): it becomes a failed message whose
 * payload is its bytes in Base64 and whose cause, a {@link MalformedMessageException}, names
 * the line, the bad byte and its offset. The pipeline dead-letters both with attempts 0; the
 * lines after them flow on.
 *
 * <p>Not thread-safe: one pull thread calls {@link #next()}.
 */
public final class LinePull implements PullPublisher.Pull<String> {

  /** How many bytes of an oversize line its dead letter keeps. */
  static final int PREVIEW = 256;
  private static final int CHUNK = 64 * 1024;
  private static final int KEEP_BUFFER = 64 * 1024;

  private final InputStream in;
  private final String topic;
  private final int maxBytes;
  private final byte[] chunk = new byte[CHUNK];
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  private int pos;
  private int limit;
  private byte[] line = new byte[256];
  private int length;           // bytes of the line kept in {@code line}
  private long size;            // bytes of the line read so far, kept or not
  private boolean skipLineFeed; // the last line ended with \r: a \n next belongs to it
  private boolean ended;
  private long lineNumber;

  private LinePull(InputStream in, String topic, int maxBytes) {
    this.in = in;
    this.topic = topic;
    this.maxBytes = maxBytes;
  }

  /** The lines of {@code in}, {@code topic} on each, none held past {@code maxBytes}. */
  public static LinePull of(InputStream in, String topic, int maxBytes) {
    return new LinePull(in, topic, maxBytes);
  }

  @Override
  public Message<String> next() throws IOException {
    if (ended) {
      return null;
    }
    length = 0;
    size = 0;
    boolean started = false;
    for (;;) {
      if (pos == limit) {
        int n = in.read(chunk);
        if (n < 0) {
          ended = true;
          return started ? finish() : null;
        }
        pos = 0;
        limit = n;
        continue;
      }
      if (skipLineFeed) {
        skipLineFeed = false;
        if (chunk[pos] == '\n') {
          pos++;
          continue;
        }
      }
      started = true;
      int start = pos;
      while (pos < limit && chunk[pos] != '\n' && chunk[pos] != '\r') {
        pos++;
      }
      append(start, pos - start);
      if (pos < limit) {
        skipLineFeed = chunk[pos++] == '\r';
        return finish();
      }
    }
  }

  /** Keeps the bytes while the line is within the limit, and only a preview past it. */
  private void append(int from, int n) {
    size += n;
    int keep = size <= maxBytes ? n : Math.max(0, Math.min(n, PREVIEW - length));
    if (keep > 0) {
      if (length + keep > line.length) {
        line = Arrays.copyOf(line, (int) Math.min(Math.max(maxBytes, PREVIEW),
            Math.max(length + keep, 2L * line.length)));
      }
      System.arraycopy(chunk, from, line, length, keep);
      length += keep;
    }
  }

  private Message<String> finish() {
    long number = ++lineNumber;
    Message.Builder<String> message;
    if (size > maxBytes) {
      message = Message.builder(new String(line, 0, Math.min(length, PREVIEW),
          StandardCharsets.UTF_8)).failure(new MessageTooLargeException("line " + number
              + " of " + size + " bytes exceeds the maximum message size of " + maxBytes
              + " bytes; the dead letter's payload is its first " + PREVIEW + " bytes",
              size, maxBytes));
    } else {
      message = decode(number);
    }
    if (line.length > KEEP_BUFFER) {
      line = new byte[256];       // do not pin one long line's buffer for the stream's life
    }
    return message.topic(topic).sequence(number).build();
  }

  private Message.Builder<String> decode(long number) {
    boolean ascii = true;
    for (int i = 0; i < length && ascii; i++) {
      ascii = line[i] >= 0;
    }
    if (ascii) {
      return Message.builder(new String(line, 0, length, StandardCharsets.ISO_8859_1));
    }
    ByteBuffer bytes = ByteBuffer.wrap(line, 0, length);
    CharBuffer chars = CharBuffer.allocate(length);
    decoder.reset();
    CoderResult result = decoder.decode(bytes, chars, true);
    if (!result.isError()) {
      result = decoder.flush(chars);
    }
    if (result.isError()) {
      int offset = bytes.position();
      return Message.builder(Base64.getEncoder().encodeToString(Arrays.copyOf(line, length)))
          .failure(new MalformedMessageException(String.format(
              "line %d is not valid UTF-8: byte 0x%02X at byte offset %d; the dead letter's "
                  + "payload is the line's bytes in Base64", number, line[offset] & 0xFF,
              offset), null));
    }
    return Message.builder(chars.flip().toString());
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
