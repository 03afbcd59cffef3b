package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice run --timeline}: the page is written when the run ends (TimelineBrowserTest
 * draws one in a browser).
 */
@Timeout(60)
class RunTimelineTest {

  @TempDir
  Path dir;

  @Test
  void writesTheRunsTimelineWhenTheSourceEnds() throws Exception {
    Path page = dir.resolve("run.html");
    CommandRun run = CommandRun.of("run", "--source", "generate:?count=6&interval=0",
        "--exec", "cat", "--workers", "2", "--timeline", page.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.outLines()).containsExactlyInAnyOrder("1", "2", "3", "4", "5", "6");
    assertThat(run.errLines()).contains("sluice run: timeline written to " + page);
    String html = Files.readString(page);
    assertThat(Pattern.compile("\"outcome\":\"done\"").matcher(html).results().count())
        .isEqualTo(6);
    assertThat(html)
        .contains("\"title\":\"sluice run: generate:?count=6\\u0026interval=0 → cat\"");
  }

  @Test
  void aTimelineInAMissingDirectoryIsABadCommandLine() {
    Path page = dir.resolve("no-such-dir").resolve("run.html");
    CommandRun run = CommandRun.of("run", "--source", "generate:?count=1&interval=0",
        "--exec", "cat", "--timeline", page.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).containsExactly("sluice run: --timeline " + page
        + ": the directory " + page.getParent() + " does not exist. Run 'sluice run --help' "
        + "for usage.");
  }

  @Test
  void demoRefusesATimelineInAMissingDirectoryToo() {
    Path page = dir.resolve("no-such-dir").resolve("run.html");
    CommandRun run = CommandRun.of("demo", "--events", "1", "--interval", "0", "--work", "0",
        "--timeline", page.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).containsExactly("sluice demo: --timeline " + page
        + ": the directory " + page.getParent() + " does not exist. Run 'sluice demo --help' "
        + "for usage.");
  }
}
