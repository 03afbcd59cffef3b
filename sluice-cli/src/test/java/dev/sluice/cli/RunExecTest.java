package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.cli.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code sluice run --exec}, end to end: the real command as a child JVM, reading its stdin,
 * running shell-script children, writing its stdout.
 */
@Timeout(90)
@Tag("broker")
class RunExecTest {

  @TempDir
  Path dir;

  private Path script(String name, String body) throws IOException {
    return ShellScripts.write(dir, name, body);
  }

  private static String lines(List<String> lines) {
    return lines.stream().map(l -> l + "\n").collect(Collectors.joining());
  }

  private static List<String> numbers(int n) {
    return IntStream.rangeClosed(1, n).mapToObj(Integer::toString).toList();
  }

  /** Answers "N:worker" for N; every 7th message takes 50 ms, so results finish out of order. */
  private Path slowEverySeventh() throws IOException {
    return script("work.sh", """
        while IFS= read -r n; do
          if [ $((n % 7)) -eq 0 ]; then sleep 0.05; fi
          echo "done $n"
        done
        """);
  }

  @Test
  void orderedResultsComeOutLineForLineInInputOrder() throws IOException {
    Path work = slowEverySeventh();
    SluiceProcess run = SluiceProcess.run(dir, lines(numbers(200)), "run", "--exec",
        work.toString(), "--workers", "4", "--ordering", "ordered", "--quiet");

    assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();
    assertThat(run.out()).containsExactlyElementsOf(
        numbers(200).stream().map(n -> "done " + n).toList());
    assertThat(run.err()).isEmpty();
  }

  @Test
  void unorderedResultsAreEveryLineOnceInAnyOrder() throws IOException {
    Path work = slowEverySeventh();
    SluiceProcess run = SluiceProcess.run(dir, lines(numbers(200)), "run", "--exec",
        work.toString(), "--workers", "4", "--quiet");

    assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();
    assertThat(run.out()).containsExactlyInAnyOrderElementsOf(
        numbers(200).stream().map(n -> "done " + n).toList());
  }

  @Test
  void jsonFormatSendsPayloadKeyTopicAndAttemptAndKeyOrderingKeepsEachKeyInOrder()
      throws IOException {
    Path echo = script("echo.sh", """
        while IFS= read -r request; do
          printf '{"result":%s}\\n' "$request"
        done
        """);
    List<String> input = new ArrayList<>();
    for (int i = 1; i <= 60; i++) {
      input.add("{\"user\":\"u" + (i % 3) + "\",\"n\":" + i + "}");
    }
    SluiceProcess run = SluiceProcess.run(dir, lines(input), "run", "--exec", echo.toString(),
        "--exec-format", "json", "--workers", "3", "--ordering", "key=json:/user", "--quiet");

    assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();
    assertThat(run.out()).hasSize(60);
    Map<Object, List<Long>> byKey = new java.util.LinkedHashMap<>();
    for (String line : run.out()) {
      Map<?, ?> request = (Map<?, ?>) Json.parse(line);
      assertThat(request.get("attempt")).isEqualTo(1L);
      assertThat(request.get("topic")).isEqualTo("input");
      Map<?, ?> payload = (Map<?, ?>) Json.parse((String) request.get("payload"));
      assertThat(request.get("key")).isEqualTo(payload.get("user"));
      byKey.computeIfAbsent(request.get("key"), k -> new ArrayList<>())
          .add((Long) payload.get("n"));
    }
    assertThat(byKey).hasSize(3);
    byKey.values().forEach(ns -> assertThat(ns).isSorted().hasSize(20));
  }

  @Test
  void aChildThatDiesMidMessageIsRestartedAndTheMessageRetriedWithNothingLostOrDuplicated()
      throws IOException {
    Path marker = dir.resolve("died-once");
    Path work = script("die.sh", """
        while IFS= read -r n; do
          if [ "$n" = 13 ] && [ ! -e '%s' ]; then
            touch '%s'
            echo "dying on $n" >&2
            exit 7
          fi
          echo "done $n"
        done
        """.formatted(marker, marker));
    SluiceProcess run = SluiceProcess.run(dir, lines(numbers(50)), "run", "--exec",
        work.toString(), "--workers", "3", "--retries", "2", "--backoff", "10ms",
        "--ordering", "ordered");

    assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();
    assertThat(run.out()).containsExactlyElementsOf(
        numbers(50).stream().map(n -> "done " + n).toList());
    assertThat(run.err()).anyMatch(l -> l.matches("sluice-worker-\\d+: dying on 13"))
        .anyMatch(l -> l.contains("exited with code 7"));
  }

  @Test
  void aChildThatHangsIsKilledAtTheTimeoutAndTheMessageDeadLetteredAfterItsRetries()
      throws IOException {
    Path work = script("hang.sh", """
        while IFS= read -r line; do
          if [ "$line" = hang ]; then sleep 31.5; fi
          echo "done $line"
        done
        """);
    Path deadLetters = dir.resolve("dead.jsonl");
    // --exec-start-timeout 0: a fresh child's first answer is timed like any other (by
    // default it may also use up to 60 s of start-up allowance)
    SluiceProcess run = SluiceProcess.run(dir, "a\nhang\nb\nc\n", "run", "--exec",
        work.toString(), "--workers", "2", "--timeout", "300ms", "--exec-start-timeout", "0",
        "--retries", "1",
        "--backoff", "10ms", "--dead-letter", "file:" + deadLetters, "--fail-on-dead-letter",
        "--quiet");

    assertThat(run.exitCode()).as("stderr: %s", run.err()).isEqualTo(SluiceCommand.DEAD_LETTERS);
    assertThat(run.out()).containsExactlyInAnyOrder("done a", "done b", "done c");
    List<String> dead = Files.readAllLines(deadLetters);
    assertThat(dead).hasSize(1);
    Map<?, ?> letter = (Map<?, ?>) Json.parse(dead.get(0));
    assertThat(letter.get("payload")).isEqualTo("hang");
    assertThat(letter.get("attempts")).isEqualTo(2L);
    assertThat((String) letter.get("error")).contains("timeout");
    assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
        .filter(c -> c.contains("sleep 31.5"))).as("killed children's descendants").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"at rest", "with a message in flight"})
  void sigtermDrainsWhatWasReceivedAndExitsZero(String when) throws IOException {
    Path work = script("slow.sh", """
        while IFS= read -r line; do
          if [ "$line" = slow ]; then echo "started $line" >&2; sleep 1; fi
          echo "done $line"
        done
        """);
    try (SluiceProcess run = SluiceProcess.start(dir, "run", "--exec", work.toString(),
        "--workers", "2", "--ordering", "ordered")) {
      run.write("a\nb\n");
      await().atMost(Duration.ofSeconds(30)).until(() -> run.out().size() == 2);
      if (!when.equals("at rest")) {
        run.write("slow\n");
        await().atMost(Duration.ofSeconds(30))
            .until(() -> run.err().stream().anyMatch(l -> l.endsWith(": started slow")));
      }
      run.terminate();

      assertThat(run.awaitExit()).as("stderr: %s", run.err()).isZero();
      List<String> expected = new ArrayList<>(List.of("done a", "done b"));
      if (!when.equals("at rest")) {
        expected.add("done slow");
      }
      assertThat(run.out()).containsExactlyElementsOf(expected);
      assertThat(run.err()).anyMatch(l -> l.contains("SIGTERM: draining"));
    }
  }

  @Test
  void aSecondSigtermStopsAtOnceInsteadOfWaitingOutTheDrain() throws IOException {
    Path work = script("stuck.sh", """
        while IFS= read -r line; do
          echo "started $line" >&2
          sleep 34.5
          echo "done $line"
        done
        """);
    try (SluiceProcess run = SluiceProcess.start(dir, "run", "--exec", work.toString(),
        "--workers", "1", "--drain-timeout", "1m")) {
      run.write("a\n");
      await().atMost(Duration.ofSeconds(30))
          .until(() -> run.err().stream().anyMatch(l -> l.endsWith(": started a")));
      run.terminate();
      await().atMost(Duration.ofSeconds(30))
          .until(() -> run.err().stream().anyMatch(l -> l.contains("SIGTERM: draining")));
      run.terminate();

      assertThat(run.awaitExit()).as("stderr: %s", run.err()).isEqualTo(SluiceCommand.FAILED);
      assertThat(run.out()).isEmpty();
      assertThat(run.err()).anyMatch(l -> l.contains("SIGTERM again: stopping at once"))
          .anyMatch(l -> l.contains("stopped at once: 1 message(s) given up unprocessed"));
    }
  }

  @Test
  void aCommandThatCannotRunIsOneLineAndExit2BeforeAnythingStarts() {
    SluiceProcess run = SluiceProcess.run(dir, "a\n", "run", "--exec", "no-such-command-x1");

    assertThat(run.exitCode()).isEqualTo(SluiceCommand.USAGE);
    assertThat(run.err()).containsExactly("sluice run: --exec: command 'no-such-command-x1' "
        + "not found on PATH (give its full path, or install it). "
        + "Run 'sluice run --help' for usage.");
    assertThat(run.out()).isEmpty();
  }
}
