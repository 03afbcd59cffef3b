package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.spi.MalformedMessageException;
import dev.sluice.spi.MessageTooLargeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineSourceTest {

  @TempDir
  Path dir;

  private final List<String> out = new CopyOnWriteArrayList<>();
  private final List<DeadLetter<String>> dead = new CopyOnWriteArrayList<>();

  private Stats run(java.util.concurrent.Flow.Publisher<Message<String>> source)
      throws Exception {
    return Sluice.from(source).workers(2).ordering(Ordering.ORDERED).process(s -> s)
        .to(Sinks.collection(out)).deadLetters(Sinks.collection(dead)).start()
        .awaitCompletion();
  }

  private static InputStream bytes(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code n} bytes of 'x', made as they are read: nothing holds them all. */
  private static InputStream xs(long n) {
    return new InputStream() {
      private long left = n;

      @Override
      public int read() {
        return left-- > 0 ? 'x' : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left <= 0) {
          return -1;
        }
        int k = (int) Math.min(len, left);
        java.util.Arrays.fill(b, off, off + k, (byte) 'x');
        left -= k;
        return k;
      }
    };
  }

  @Test
  void linesSplitAtEachTerminatorAsReadLineDoes() throws Exception {
    run(Sources.lines(bytes("a\nb\r\nc\rd\n\ne")));
    assertThat(out).containsExactly("a", "b", "c", "d", "", "e");
    assertThat(dead).isEmpty();
  }

  @Test
  void anOversizeLineIsDeadLetteredWithItsSizeAndAPrefixAndTheRestFlows() throws Exception {
    long size = 5_000_000;
    InputStream in = new SequenceInputStream(Collections.enumeration(List.of(
        bytes("first\n"), xs(size), bytes("\nsecond\nthird ✓\n"))));
    Stats stats = run(Sources.lines(in, 1000));
    assertThat(out).containsExactly("first", "second", "third ✓");
    assertThat(stats.deadLettered()).isEqualTo(1);
    assertThat(dead).singleElement().satisfies(letter -> {
      assertThat(letter.attempts()).isZero();
      assertThat(letter.message().sequence()).isEqualTo(2);
      assertThat(letter.message().topic()).isEqualTo("input");
      assertThat(letter.message().payload()).isEqualTo("x".repeat(256));
      assertThat(letter.cause()).isInstanceOf(MessageTooLargeException.class)
          .hasMessageStartingWith("line 2 of 5000000 bytes exceeds the maximum message size "
              + "of 1000 bytes");
      assertThat(((MessageTooLargeException) letter.cause()).size()).isEqualTo(size);
    });
  }

  @Test
  void aLineOfExactlyTheLimitIsTakenAndOneByteMoreIsNot() throws Exception {
    run(Sources.lines(bytes("é".repeat(5) + "\n" + "é".repeat(5) + "x\n"), 10));
    assertThat(out).containsExactly("é".repeat(5));
    assertThat(dead).singleElement().extracting(DeadLetter::cause)
        .isInstanceOf(MessageTooLargeException.class);
  }

  @Test
  void invalidUtf8IsDeadLetteredUnalteredWithTheByteOffsetAndTheRestFlows() throws Exception {
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    input.writeBytes("good\n".getBytes(StandardCharsets.UTF_8));
    byte[] bad = {'a', 'b', (byte) 0xC3, '(', 'z'};
    input.writeBytes(bad);
    input.writeBytes("\nalso good ✓\n".getBytes(StandardCharsets.UTF_8));
    Stats stats = run(Sources.lines(new ByteArrayInputStream(input.toByteArray())));
    assertThat(out).containsExactly("good", "also good ✓");
    assertThat(out).noneMatch(s -> s.contains("\uFFFD"));
    assertThat(stats.deadLettered()).isEqualTo(1);
    assertThat(dead).singleElement().satisfies(letter -> {
      assertThat(letter.attempts()).isZero();
      assertThat(letter.cause()).isInstanceOf(MalformedMessageException.class)
          .hasMessageStartingWith("line 2 is not valid UTF-8: byte 0xC3 at byte offset 2");
      assertThat(Base64.getDecoder().decode(letter.message().payload())).isEqualTo(bad);
    });
  }

  @Test
  void aFileSourceHasTheSameLimitAndItsPathAsTopic() throws Exception {
    Path file = dir.resolve("in.txt");
    Files.writeString(file, "ok\n" + "y".repeat(50) + "\nok2");
    run(Sources.lines(file, 20));
    assertThat(out).containsExactly("ok", "ok2");
    assertThat(dead).singleElement().satisfies(letter -> {
      assertThat(letter.message().topic()).isEqualTo(file.toString());
      assertThat(letter.message().payload()).isEqualTo("y".repeat(50));
    });
  }
}
