package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How {@code sluice run --exec} stops: a signal to the whole process group (Ctrl-C, systemd,
 * {@code timeout}) drains the work in flight instead of killing it, and {@code kill -9} of sluice
 * leaves no child behind. The real command, started as the leader of its own process group.
 */
@Timeout(120)
@Tag("broker")
class RunExecStopTest {

  private static final Pattern SUMMARY =
      Pattern.compile("sluice run: received (\\d+), done (\\d+), failed (\\d+), dead (\\d+),");

  @TempDir
  Path dir;

  private Path script(String name, String body) throws IOException {
    return ShellScripts.write(dir, name, body);
  }

  /** A child that records its pid, then takes a second over each message (in a grandchild). */
  private Path slowChild(Path pids) throws IOException {
    return script("slow.sh", """
        echo $$ >> '%s'
        while IFS= read -r n; do
          echo "started $n" >&2
          sleep 1
          echo "done $n"
        done
        """.formatted(pids));
  }

  /** received, done, failed and dead from the run's summary (its last status line). */
  private static long[] summary(SluiceProcess run) {
    long[] last = null;
    for (String line : run.err()) {
      Matcher m = SUMMARY.matcher(line);
      if (m.find()) {
        last = new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
            Long.parseLong(m.group(3)), Long.parseLong(m.group(4))};
      }
    }
    assertThat(last).as("a summary line in %s", run.err()).isNotNull();
    return last;
  }

  @ParameterizedTest(name = "SIG{0}")
  @ValueSource(strings = {"TERM", "INT"})
  void aSignalToTheWholeProcessGroupDrainsTheWorkInFlightAndExitsZero(String signal)
      throws IOException {
    Path pids = dir.resolve("pids");
    Path child = slowChild(pids);
    try (SluiceProcess run = SluiceProcess.startInOwnGroup(dir, "run", "--exec",
        child.toString(), "--workers", "2")) {
      long group = run.pid();
      await().atMost(Duration.ofSeconds(30)).until(() -> ChildProcesses.groupOf(group) == group);
      run.write(ShellScripts.numberLines(6));
      await().atMost(Duration.ofSeconds(30)).until(() -> run.err().stream()
          .filter(l -> l.matches("sluice-worker-\\d+: started \\d+")).count() == 2);
      List<Long> children = ChildProcesses.pidsIn(pids);
      assertThat(children).hasSize(2).allSatisfy(pid ->
          assertThat(ChildProcesses.groupOf(pid)).as("a child leads its own group").isEqualTo(pid));

      ChildProcesses.signalGroup(signal, group);

      assertThat(run.awaitExit()).as("stderr: %s", run.err()).isZero();
      long[] counts = summary(run);
      assertThat(counts[0]).as("received").isGreaterThanOrEqualTo(2);
      assertThat(run.out()).as("a result for every message received").hasSize((int) counts[0])
          .allMatch(l -> l.matches("done \\d+"));
      assertThat(counts[1]).as("done").isEqualTo(counts[0]);
      assertThat(counts[3]).as("dead").isZero();
      assertThat(run.err()).anyMatch(l -> l.contains("SIG" + signal + ": draining"))
          .noneMatch(l -> l.contains("dead letter"));
      List<Long> groups = new ArrayList<>(children);
      groups.add(group);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(ChildProcesses.runningIn(groups)).as("processes left behind").isEmpty());
    }
  }

  @Test
  void aChildStoppedAnywayDuringTheDrainHasItsMessageHandedBackNotDeadLettered()
      throws IOException {
    Path pids = dir.resolve("pids");
    Path child = slowChild(pids);
    try (SluiceProcess run = SluiceProcess.startInOwnGroup(dir, "run", "--exec",
        child.toString(), "--workers", "2", "--retries", "3", "--backoff", "10ms")) {
      long group = run.pid();
      run.write(ShellScripts.numberLines(2));
      await().atMost(Duration.ofSeconds(30)).until(() -> run.err().stream()
          .filter(l -> l.matches("sluice-worker-\\d+: started \\d+")).count() == 2);
      List<Long> children = ChildProcesses.pidsIn(pids);

      // systemd's default stop: SIGTERM to every process of the control group, whatever its
      // process group or session
      ChildProcesses.signalGroup("TERM", group);
      for (long pid : children) {
        ChildProcesses.signalGroup("TERM", pid);
      }

      assertThat(run.awaitExit()).as("stderr: %s", run.err()).isZero();
      long[] counts = summary(run);
      assertThat(counts[0]).as("received").isEqualTo(2);
      assertThat(counts[3]).as("dead").isZero();
      assertThat(run.out()).hasSize((int) counts[1]);
      assertThat(run.err()).noneMatch(l -> l.contains("dead letter"))
          .anyMatch(l -> l.matches("sluice run: " + (2 - counts[1])
              + " message\\(s\\) handed back to the source for redelivery.*"));
      assertThat(counts[1]).as("done").isLessThan(2);
    }
  }

  @Test
  void killMinus9OfSluiceLeavesNoChildRunning() throws IOException {
    Path pids = dir.resolve("pids");
    Path child = script("stuck.sh", """
        echo $$ >> '%s'
        while IFS= read -r n; do sleep 4242; echo "done $n"; done
        """.formatted(pids));
    try (SluiceProcess run = SluiceProcess.start(dir, "run", "--exec", child.toString(),
        "--workers", "3")) {
      run.write(ShellScripts.numberLines(3));
      await().atMost(Duration.ofSeconds(30)).until(() -> ChildProcesses.pidsIn(pids).size() == 3);
      List<Long> children = ChildProcesses.pidsIn(pids);
      await().atMost(Duration.ofSeconds(30)).until(() ->
          ChildProcesses.runningIn(children).size() == 6);    // each child and its sleep

      ChildProcesses.signal("KILL", run.pid());

      run.awaitExit();
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(ChildProcesses.runningIn(children)).as("children left running").isEmpty());
    }
  }
}
