package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanCommandTest {

  @Test
  void theFoundingArticlesLoadNeedsFiveWorkersToKeepUpAndSevenForHeadroom() {
    CommandRun run = CommandRun.of("plan", "--rate", "1/s", "--service", "5s");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains(
        "load: 1.00 events/s × 5.00 s = 5.00 workers kept busy",
        "workers needed: 5 to keep up (100% busy), 7 to stay at or under 80%",
        "no headroom");
    // one row per pool size from 5 to 8, with 5 unbounded and the waits falling after it
    assertThat(run.out()).containsPattern("(?m)^\\s+5\\s+100%\\s+1\\s+unbounded\\s+unbounded$");
    assertThat(run.out()).containsPattern("(?m)^\\s+6\\s+83%\\s+0\\.\\d\\d\\s+\\S+ s\\s+\\S+ s$");
    assertThat(run.out()).containsPattern("(?m)^\\s+7\\s+71%");
    assertThat(run.out()).containsPattern("(?m)^\\s+8\\s+63%");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void aLatencyTargetAddsItsOwnAnswer() {
    CommandRun run = CommandRun.of("plan", "--rate", "600/min", "--service", "350ms",
        "--service-p99", "900ms", "--p99-wait", "100ms");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("load: 10.0 events/s × 350.0 ms = 3.50 workers kept busy",
        "workers needed: 4 to keep up", "5 to stay at or under 80%",
        "workers needed for a p99 wait of at most 100ms: ");
  }

  @Test
  void measuredTimesGiveTheMeanAndTheVariability(@TempDir Path dir) throws Exception {
    Path times = dir.resolve("times.txt");
    Files.writeString(times, "5\n5s\n5000ms\n\n5.0\n");

    CommandRun run = CommandRun.of("plan", "--rate", "1", "--service-file", times.toString(),
        "--arrivals", "regular");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("4 measured times, cv² 0.00")
        .containsPattern("(?m)^\\s+6\\s+83%\\s+0\\.00\\s+0\\s+0$");    // nobody waits
  }

  @Test
  void badInputIsOneLineAndExitTwo() {
    for (String[] args : new String[][] {
        {"plan", "--rate", "fast", "--service", "5s"},
        {"plan", "--rate", "1/day", "--service", "5s"},
        {"plan", "--rate", "0", "--service", "5s"},
        {"plan", "--rate", "1"},
        {"plan", "--rate", "1", "--service", "5s", "--utilisation", "1.5"},
        {"plan", "--rate", "1", "--service", "5s", "--service-p99", "1s"},
        {"plan", "--rate", "1", "--service", "5s", "--arrivals", "bursty"},
        {"plan", "--rate", "1", "--service-file", "/no/such/file"}}) {
      CommandRun run = CommandRun.of(args);
      assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(run.err().strip().lines()).as(run.err()).hasSize(1);
      assertThat(run.err()).startsWith("sluice plan: ").doesNotContain("Exception", "java.");
    }
  }
}
