package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Children that misbehave without it being any message's fault: an extra answer, a slow
 * start-up, silence. The real command, end to end.
 */
@Timeout(90)
@Tag("broker")
class RunExecChildFaultsTest {


  @TempDir
  Path dir;

  private Path script(String name, String body) throws IOException {
    return ShellScripts.write(dir, name, body);
  }

  @Test
  void aChildThatAnswersMessage3TwiceIsReplacedAndMessage4IsNotDeadLettered()
      throws IOException {
    // printf writes both lines at once, as a program that prints twice in a row usually does
    Path child = script("twice.sh", """
        while IFS= read -r n; do
          if [ "$n" = 3 ]; then printf 'done %s\\nagain %s\\n' "$n" "$n"; else echo "done $n"; fi
        done
        """);
    SluiceProcess run = SluiceProcess.run(dir, ShellScripts.numberLines(6), "run", "--exec", child.toString(),
        "--workers", "1", "--fail-on-dead-letter", "--quiet");

    assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();
    assertThat(run.out()).containsExactlyElementsOf(
        IntStream.rangeClosed(1, 6).mapToObj(n -> "done " + n).toList());
    assertThat(run.err()).singleElement().asString().matches("sluice-worker-1: the child "
        + "\\(pid \\d+\\) wrote a line nobody asked for: again 3; a new child takes message #4 "
        + "without using one of its attempts");
  }

  @Test
  void aChildThatTakesLongerToStartThanTheTimeoutStillProcessesEveryMessage()
      throws IOException {
    Path child = script("slow-start.sh", """
        sleep 3
        while IFS= read -r n; do echo "done $n"; done
        """);
    SluiceProcess run = SluiceProcess.run(dir, ShellScripts.numberLines(20), "run", "--exec", child.toString(),
        "--workers", "2", "--timeout", "1s", "--fail-on-dead-letter");

    assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();
    assertThat(run.out()).hasSize(20);
    assertThat(run.err()).anyMatch(l -> l.matches("sluice run: child start-up p50 \\d+\\.\\d s, "
        + "max \\d+\\.\\d s \\(\\d+ child(ren)?\\), not counted as --timeout"))
        .noneMatch(l -> l.contains("dead letter"));
  }

  @Test
  void aChildThatNeverAnswersIsNamedInTheStatusLineAndInHealth() throws Exception {
    Path child = script("silent.sh", """
        while IFS= read -r n; do :; done
        """);
    try (SluiceProcess run = SluiceProcess.start(dir, "run", "--exec", child.toString(),
        "--workers", "2", "--log-every", "1s", "--metrics-port", "0")) {
      String base = RunMetrics.base(run);

      run.write("a\n");

      String waiting = "sluice-worker-\\d waiting \\d+ s on message #1 \\(its child has not "
          + "answered anything yet: does it flush stdout after each line\\? try stdbuf -oL\\)";
      await().atMost(Duration.ofSeconds(40)).until(() -> run.err().stream()
          .anyMatch(l -> l.matches("sluice run: received 1, .*busy 1/2.* · " + waiting)));
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/health"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(health.body().strip()).matches("ok; " + waiting);
    }
  }
}
