package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SluiceCommandTest {

  static Stream<Arguments> badCommandLines() {
    return Stream.of(
        Arguments.of(new String[] {"demo", "--bogus"}, "Unknown option: '--bogus'"),
        Arguments.of(new String[] {"demo", "--evnts", "3"}, "Did you mean --events?"),
        Arguments.of(new String[] {"demo", "--events", "abc"}, "'abc' is not a long"),
        Arguments.of(new String[] {"demo", "--events", "-1"}, "--events must be >= 0 but was -1"),
        Arguments.of(new String[] {"demo", "--events"}, "--events"),
        Arguments.of(new String[] {"demo", "--interval", "5x"}, "'5x' is not a duration"),
        Arguments.of(new String[] {"demo", "--work", "5"}, "'5' has no unit"),
        Arguments.of(new String[] {"demo", "--work", "-1s"}, "'-1s' is negative"),
        Arguments.of(new String[] {"demo", "--workers", "0"}, "workers must be >= 1 but was 0"),
        Arguments.of(new String[] {"demo", "--workers", "x"}, "'x' is not an int"),
        Arguments.of(new String[] {"demo", "--ordering", "sideways"},
            "expected unordered, ordered or keyed but was 'sideways'"),
        Arguments.of(new String[] {"frobnicate"}, "'frobnicate'"),
        Arguments.of(new String[] {}, "missing command"));
  }

  @ParameterizedTest(name = "sluice {0}")
  @MethodSource("badCommandLines")
  void aBadCommandLineExitsWith2AndOneLineOnStderrWithoutATrace(String[] args, String problem) {
    CommandRun run = CommandRun.of(args);

    assertThat(run.exitCode()).isEqualTo(SluiceCommand.USAGE);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.err()).contains(problem)
        .doesNotContain("Exception")
        .doesNotContain("at dev.")
        .doesNotContain("at picocli.");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void aBadDemoFlagSaysHowToGetHelp() {
    assertThat(CommandRun.of("demo", "--bogus").err())
        .startsWith("sluice demo: ")
        .contains("Run 'sluice demo --help' for usage.");
  }

  @Test
  void orderingIsReadInAnyCase() {
    CommandRun run = CommandRun.of("demo", "--ordering", "KEYED", "--events", "0", "--quiet");

    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  @Test
  void demoHelpListsEveryFlagOnStdout() {
    CommandRun run = CommandRun.of("demo", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("--events", "--interval", "--work", "--workers",
        "--ordering", "unordered, ordered, keyed", "--cpu", "--quiet", "PT5S");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void topLevelHelpListsTheDemoCommand() {
    CommandRun run = CommandRun.of("--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("Usage: sluice", "demo", "run");
  }

  @Test
  void versionNamesSluiceAndItsVersion() {
    CommandRun run = CommandRun.of("--version");

    assertThat(run.exitCode()).isZero();
    assertThat(run.outLines().get(0)).matches("sluice \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
  }
}
