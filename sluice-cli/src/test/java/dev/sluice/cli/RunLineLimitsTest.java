package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Line sources under hostile input, through the real command: a line far larger than the heap,
 * and bytes that are not UTF-8. Each is dead-lettered with attempts 0 and the lines after it
 * are processed.
 */
@Tag("broker")
class RunLineLimitsTest {

  @TempDir
  Path dir;

  @Test
  void a50MbLineOnStdinUnderA64MbHeapIsDeadLetteredAndTheLinesAfterItAreAllProcessed()
      throws IOException {
    Path out = dir.resolve("out.txt");
    Path dead = dir.resolve("dead.jsonl");
    long huge = 50L << 20;
    int after = 1000;
    try (SluiceProcess run = SluiceProcess.start(dir, List.of("-Xmx64m"), "run",
        "--exec", "sed -u s/^/got-/", "--workers", "2", "--ordering", "ordered",
        "--sink", "file:" + out, "--dead-letter", "file:" + dead)) {
      OutputStream stdin = run.input();
      stdin.write("before\n".getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[64 * 1024];
      Arrays.fill(chunk, (byte) 'x');
      for (long written = 0; written < huge; written += chunk.length) {
        stdin.write(chunk);
      }
      StringBuilder rest = new StringBuilder("\n");
      for (int i = 1; i <= after; i++) {
        rest.append("line-").append(i).append('\n');
      }
      stdin.write(rest.toString().getBytes(StandardCharsets.US_ASCII));
      run.closeInput();

      assertThat(run.awaitExit()).as("stderr: %s", run.err()).isZero();
      assertThat(String.join("\n", run.err())).doesNotContain("OutOfMemoryError");
      List<String> results = Files.readAllLines(out);
      assertThat(results).hasSize(after + 1);
      assertThat(results.get(0)).isEqualTo("got-before");
      assertThat(results.get(after)).isEqualTo("got-line-" + after);
      List<String> letters = Files.readAllLines(dead);
      assertThat(letters).singleElement().satisfies(letter -> assertThat(letter)
          .contains("\"payload\":\"" + "x".repeat(256) + "\"")
          .contains("\"attempts\":0")
          .contains("\"error\":\"line 2 of " + huge + " bytes exceeds the maximum message "
              + "size of " + (1 << 20) + " bytes"));
    }
  }

  @Test
  void invalidUtf8IsDeadLetteredWithItsByteOffsetAndNotAltered() throws IOException {
    Path in = dir.resolve("in.txt");
    byte[] bad = {'o', 'k', (byte) 0xFF, '!'};
    try (OutputStream file = Files.newOutputStream(in)) {
      file.write("caf\u00e9\n".getBytes(StandardCharsets.UTF_8));
      file.write(bad);
      file.write("\nlast\n".getBytes(StandardCharsets.UTF_8));
    }
    Path out = dir.resolve("out.txt");
    Path dead = dir.resolve("dead.jsonl");
    try (SluiceProcess run = SluiceProcess.start(dir, "run", "--source", "file:" + in,
        "--exec", "sed -u s/^/got-/", "--workers", "1", "--sink", "file:" + out,
        "--dead-letter", "file:" + dead, "--fail-on-dead-letter")) {
      assertThat(run.awaitExit()).as("stderr: %s", run.err())
          .isEqualTo(SluiceCommand.DEAD_LETTERS);
      assertThat(Files.readAllLines(out, StandardCharsets.UTF_8))
          .containsExactly("got-caf\u00e9", "got-last");
      assertThat(Files.readAllLines(dead)).singleElement().satisfies(letter -> assertThat(letter)
          .contains("\"payload\":\"" + Base64.getEncoder().encodeToString(bad) + "\"")
          .contains("\"attempts\":0")
          .contains("\"error\":\"line 2 is not valid UTF-8: byte 0xFF at byte offset 2"));
    }
  }

  @Test
  void maxMessageSizeTakesUnitsAndABadOneIsOneLineAndExit2() throws IOException {
    Path in = Files.writeString(dir.resolve("in.txt"), "short\n" + "y".repeat(2000) + "\n");
    Path out = dir.resolve("out.txt");
    try (SluiceProcess run = SluiceProcess.start(dir, "run", "--source", "file:" + in,
        "--exec", "cat", "--workers", "1", "--sink", "file:" + out,
        "--max-message-size", "1KiB")) {
      assertThat(run.awaitExit()).as("stderr: %s", run.err()).isZero();
      assertThat(Files.readAllLines(out)).containsExactly("short");
      assertThat(String.join("\n", run.err())).contains("exceeds the maximum message size of "
          + "1024 bytes");
    }
    try (SluiceProcess run = SluiceProcess.start(dir, "run", "--exec", "cat",
        "--max-message-size", "lots")) {
      run.closeInput();
      assertThat(run.awaitExit()).isEqualTo(2);
      assertThat(run.err()).singleElement().asString().contains("--max-message-size")
          .contains("'lots' is not a size");
    }
  }
}
