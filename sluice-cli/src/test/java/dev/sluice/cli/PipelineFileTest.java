package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code sluice run -c pipeline.yaml} and {@code sluice check -c pipeline.yaml}: a file and the
 * same flags run the same, flags win over the file, secrets never sit in the file or the
 * output, and every mistake is one line with its file, line and column (exit 2).
 */
@Timeout(120)
@Tag("broker")
class PipelineFileTest {

  @TempDir
  Path dir;

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void aPipelineFileAndTheSameFlagsWriteByteIdenticalOutputForTheSameInput() throws Exception {
    String input = IntStream.range(0, 300).mapToObj(i -> "line " + i + " ünïcode")
        .collect(Collectors.joining("\n", "", "\n"));
    Path viaFlags = dir.resolve("flags.out");
    Path viaFile = dir.resolve("file.out");
    SluiceProcess flags = SluiceProcess.run(dir, input, "run",
        "--exec", "sed -u s/^/got-/", "--workers", "3", "--ordering", "ordered",
        "--partition", "0/2", "--partition-key", "line", "--retries", "1", "--backoff", "10ms",
        "--exec-env", "MODE=a", "--exec-env", "LEVEL=2", "--quiet",
        "--sink", "file:" + viaFlags);
    Path pipeline = write("pipeline.yaml", """
        # the same run as a file
        exec: sed -u s/^/got-/
        workers: 3
        ordering: ordered
        partition: 0/2
        partition-key: line
        retries: 1
        backoff: 10ms
        exec-env:
          MODE: a
          LEVEL: 2
        quiet: true
        sink: file:elsewhere.out   # the flag below wins
        """);
    SluiceProcess file = SluiceProcess.run(dir, input, "run", "-c", pipeline.toString(),
        "--sink", "file:" + viaFile);

    assertThat(flags.exitCode()).as("stderr %s", flags.err()).isZero();
    assertThat(file.exitCode()).as("stderr %s", file.err()).isZero();
    byte[] expected = Files.readAllBytes(viaFlags);
    assertThat(new String(expected, java.nio.charset.StandardCharsets.UTF_8))
        .startsWith("got-line ").contains("ünïcode");
    assertThat(Files.readAllBytes(viaFile)).isEqualTo(expected);
    assertThat(dir.resolve("elsewhere.out")).doesNotExist();
  }

  @Test
  void flagsWinOverTheFileAndReplaceItsListsAndCheckShowsWhereEachValueCameFrom()
      throws Exception {
    Path pipeline = write("p.yaml", """
        exec: cat
        workers: 1
        exec-env: [A=1, B=2]
        timeout: 5s
        """);
    CommandRun check = CommandRun.of("check", "-c", pipeline.toString(), "--workers", "4",
        "--exec-env", "C=3");

    assertThat(check.exitCode()).as(check.err()).isZero();
    assertThat(check.outLines()).contains("exec: cat", "workers: 4  # flag",
        "exec-env:  # flag", "  - C=3", "timeout: 5s", "retries: 0  # default");
    assertThat(check.out()).doesNotContain("A=1").doesNotContain("B=2");
  }

  @Test
  void checkPrintsTheResolvedPipelineWithSecretsHiddenAndConnectsToNothing() throws Exception {
    Path token = write("token", "Bearer s3cr3t-token\n");
    Path pipeline = write("p.yaml", """
        source: ws://127.0.0.1:1/feed
        source-subscribe: subscribe
        source-header:
          Authorization: '@file:%s'
          X-Plain: visible
        exec: cat
        sink: ws://127.0.0.1:1/results
        """.formatted(token));
    CommandRun check = CommandRun.of("check", "-c", pipeline.toString(),
        "--sink-header", "X-Api-Key=s3cr3t-key", "--dead-letter", "ws://user:s3cr3t-pw@h/dl");

    assertThat(check.exitCode()).as(check.err()).isZero();
    assertThat(check.outLines()).contains("source: ws://127.0.0.1:1/feed",
        "  - 'Authorization=@file:" + token + "'", "  - X-Plain=visible",
        "  - 'X-Api-Key=***'", "dead-letter: 'ws://user:***@h/dl'  # flag");
    assertThat(check.out() + check.err()).doesNotContain("s3cr3t");
  }

  @Test
  void aSecretFromAnEnvironmentReferenceReachesTheRunButNotItsOutput() throws Exception {
    String variable = System.getenv().containsKey("HOME") ? "HOME" : "PATH";
    Path pipeline = write("p.yaml", """
        exec: sh -c 'while read -r l; do echo "$API_TOKEN"; done'
        exec-env:
          API_TOKEN: '@env:%s'
        """.formatted(variable));
    SluiceProcess run = SluiceProcess.run(dir, "x\n", "run", "-c", pipeline.toString());

    assertThat(run.exitCode()).as("stderr %s", run.err()).isZero();
    assertThat(run.out()).containsExactly(System.getenv(variable));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      a key with dashes     | '--workers: 4'                      | p.yaml:2:1: '--workers': write the key without dashes, 'workers:'
      an unknown option     | 'wrkers: 4'                         | p.yaml:2:1: unknown key 'wrkers': did you mean 'workers'?
      a wrong type          | 'workers: eight'                    | p.yaml:2:10: workers: Invalid value for option '--workers': 'eight' is not an int or auto: write a number of workers (e.g. 4), auto, or auto=MIN..MAX (e.g. auto=2..32). Write 'workers: N|auto'
      a bad duration        | 'timeout: soon'                     | p.yaml:2:10: timeout: Invalid value for option '--timeout': 'soon' is not a duration
      a list for one value  | 'workers: [1, 2]'                   | p.yaml:2:10: workers takes one value, not a list. Write 'workers: N|auto'
      a flag not a boolean  | 'quiet: often'                      | p.yaml:2:8: quiet is a flag: write 'quiet: true' or 'quiet: false'
      no value              | 'retries:'                          | p.yaml:2:9: retries has no value. Write 'retries: N', or leave the key out
      an inline header secret | 'source-header: {Authorization: Bearer abc}' | p.yaml:2:32: source-header Authorization is a secret: never write its value in the file. Write "Authorization: '@env:VAR'"
      an inline env secret  | 'exec-env: [DB_PASSWORD=abc]'       | p.yaml:2:12: exec-env DB_PASSWORD is a secret: never write its value in the file
      a password in a URI   | 'source: mqtt://me:abc@127.0.0.1/t' | p.yaml:2:9: source: the URI carries a password or token: never write it in the file. Write "source: '@env:VAR'"
      a token in a URI      | 'source: ws://h/feed?token=abc'     | p.yaml:2:9: source: the URI carries a password or token
      an unset variable     | 'retries: ${SLUICE_TEST_UNSET_VARIABLE}' | p.yaml:2:10: retries: environment variable SLUICE_TEST_UNSET_VARIABLE is not set; set it, or write ${SLUICE_TEST_UNSET_VARIABLE:-default}
      a key given twice     | 'exec: cat'                         | p.yaml:2:1: 'exec' is given twice (first on line 1). Keep one
      not YAML              | 'workers: [1'                       | p.yaml:3:1: not valid YAML:
      """)
  void everyMistakeInTheFileIsOneLineWithItsPositionAndExitTwo(String mistake, String line,
      String expected) throws Exception {
    Path pipeline = write("p.yaml", "exec: cat\n" + line + "\n");
    for (String command : List.of("run", "check")) {
      CommandRun run = CommandRun.of(command, "-c", pipeline.toString());
      assertThat(run.exitCode()).as("%s: %s", mistake, run.err()).isEqualTo(2);
      assertThat(run.errLines()).as(mistake).hasSize(1);
      assertThat(run.errLines().get(0)).as(mistake)
          .startsWith("sluice " + command + ": " + pipeline + ":")
          .contains(pipeline.getParent() + "/" + expected)
          .doesNotContain("abc").doesNotContain("Exception");
      assertThat(run.out()).isEmpty();
    }
  }

  @Test
  void aFileThatIsNotAMappingOrMissingIsOneLineAndExitTwo() throws Exception {
    Path list = write("list.yaml", "- workers\n- 4\n");
    assertThat(CommandRun.of("run", "-c", list.toString()).errLines()).singleElement()
        .asString().contains(list + ":1:1: the file must be a mapping of sluice run's options");
    CommandRun missing = CommandRun.of("check", "-c", dir.resolve("nope.yaml").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.errLines()).singleElement().asString()
        .contains(dir.resolve("nope.yaml") + ": no such file");
  }
}
