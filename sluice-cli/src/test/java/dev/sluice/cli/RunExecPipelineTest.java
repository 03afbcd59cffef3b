package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice run --exec-pipeline N}, end to end, and its command-line checks. */
@Timeout(90)
@Tag("broker")
class RunExecPipelineTest {

  @TempDir
  Path dir;

  @Test
  void orderedResultsThroughSharedChildrenComeOutLineForLineInInputOrder() throws IOException {
    Path child = ShellScripts.write(dir, "square.sh", """
        while IFS= read -r n; do echo "$((n * n))"; done
        """);

    SluiceProcess run = SluiceProcess.run(dir, ShellScripts.numberLines(2000), "run",
        "--exec", child.toString(), "--workers", "2", "--ordering", "ordered",
        "--exec-pipeline", "8", "--fail-on-dead-letter", "--quiet");

    assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();
    assertThat(String.join("\n", run.out())).isEqualTo(IntStream.rangeClosed(1, 2000)
        .mapToObj(n -> Integer.toString(n * n)).collect(Collectors.joining("\n")));
    assertThat(run.err()).isEmpty();
  }

  @Test
  void aPipelineOutsideOneTo64IsABadCommandLine() {
    CommandRun run = CommandRun.of("run", "--exec", "cat", "--exec-pipeline", "0");

    assertThat(run.exitCode()).isEqualTo(SluiceCommand.USAGE);
    assertThat(run.errLines()).first().asString()
        .isEqualTo("sluice run: --exec-pipeline must be 1 to 64 but was 0. Run 'sluice run "
            + "--help' for usage.");
  }

  @Test
  void aPipelineWithoutExecIsABadCommandLine() {
    CommandRun run = CommandRun.of("run", "--processor", "x.Y", "--exec-pipeline", "4");

    assertThat(run.exitCode()).isEqualTo(SluiceCommand.USAGE);
    assertThat(run.errLines()).first().asString()
        .isEqualTo("sluice run: --exec-pipeline goes with --exec. Run 'sluice run --help' "
            + "for usage.");
  }
}
