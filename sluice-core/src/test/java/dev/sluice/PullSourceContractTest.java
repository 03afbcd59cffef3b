package dev.sluice;

import dev.sluice.spi.contract.SourceContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source contract against the pull sources ({@code Sources.lines} on a file, built on the
 * core's pull publisher): they read on demand, so they have no overflow, and a file does not
 * redeliver. A line over the limit is the malformed message.
 */
class PullSourceContractTest extends SourceContract<String> {

  private static final int MAX_LINE_BYTES = 64;

  @TempDir
  Path dir;

  @Override
  protected Fixture<String> withMessages(int n) throws Exception {
    return fixture(String.join("\n", names(n)) + "\n");
  }

  @Override
  protected Fixture<String> withMalformedFirst(int good) throws Exception {
    return fixture("x".repeat(MAX_LINE_BYTES * 4) + "\n" + String.join("\n", names(good)) + "\n");
  }

  private Fixture<String> fixture(String text) throws Exception {
    Path file = Files.createTempFile(dir, "lines", ".txt");
    Files.write(file, List.of(text.split("\n", -1)).subList(0, text.split("\n", -1).length - 1),
        StandardCharsets.UTF_8);
    Flow.Publisher<Message<String>> source = Sources.lines(file, MAX_LINE_BYTES);
    return new Fixture<>() {
      @Override public Flow.Publisher<Message<String>> source() { return source; }
      @Override public boolean completes() { return true; }
      @Override public void close() { }
    };
  }
}
