package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capacity verdict on a load whose answer is known, read from {@code /metrics} of the real
 * command: 10 events a second from {@code generate:}, each taking a child 0.35 s, so the load
 * keeps 3.5 workers busy and ⌈3.5 / 0.8⌉ = 5 keep it at or under 80%.
 */
@Timeout(120)
@Tag("broker")
class RunCapacityTest {


  @TempDir
  Path dir;

  private SluiceProcess start(int workers) throws IOException {
    return start(workers, """
        while IFS= read -r line; do
          sleep 0.35
          echo "done $line"
        done
        """);
  }

  private SluiceProcess start(int workers, String script) throws IOException {
    Path work = ShellScripts.write(dir, "work.sh", script);
    return SluiceProcess.start(dir, "run", "--source", "generate:?count=100000&interval=100ms",
        "--exec", work.toString(), "--workers", Integer.toString(workers),
        "--metrics-port", "0", "--drain-timeout", "100ms", "--quiet");
  }

  @Test
  void twoWorkersAreFallingBehindAndNeedFive() throws Exception {
    try (SluiceProcess run = start(2)) {
      String metrics = RunMetrics.url(run);

      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> RunMetrics.scrape(metrics).getOrDefault("sluice_falling_behind", 0.0) == 1.0);
      Map<String, Double> scraped = RunMetrics.scrape(metrics);
      assertThat(scraped.get("sluice_workers_needed")).isBetween(4.0, 6.0);
      // the generator reports the events that are due, so this is the load, not a lower bound
      assertThat(scraped.get("sluice_workers_needed_lower_bound")).isZero();
      assertThat(scraped.get("sluice_utilisation")).isLessThanOrEqualTo(1.0);
      // falling behind, the events due and not yet taken pile up at the source
      double backlog = scraped.get("sluice_source_backlog");
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
          .until(() -> RunMetrics.scrape(metrics).get("sluice_source_backlog") > backlog);
    }
  }

  @Test
  void eightWorkersKeepUpAndStillSayFiveWouldDo() throws Exception {
    try (SluiceProcess run = start(8)) {
      String metrics = RunMetrics.url(run);

      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> RunMetrics.scrape(metrics).getOrDefault("sluice_messages_completed_total", 0.0)
              >= 30);
      await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7))
          .pollInterval(Duration.ofMillis(250)).until(() -> {
            Map<String, Double> scraped = RunMetrics.scrape(metrics);
            double needed = scraped.get("sluice_workers_needed");
            return scraped.get("sluice_falling_behind") == 0.0 && needed >= 4 && needed <= 6;
          });
    }
  }

  @Test
  void aSlowStartingChildWithTrivialWorkNeedsOneWorker() throws Exception {
    // three seconds to start, then an instant answer: the start-up is not work, so the four
    // children's first answers (12 s of waiting in all) must not count as service time
    try (SluiceProcess run = start(4, """
        sleep 3
        while IFS= read -r line; do
          echo "done $line"
        done
        """)) {
      String metrics = RunMetrics.url(run);

      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> RunMetrics.scrape(metrics).getOrDefault("sluice_messages_completed_total", 0.0)
              >= 20);
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(250)).until(() -> {
            Map<String, Double> scraped = RunMetrics.scrape(metrics);
            return scraped.get("sluice_workers_needed") == 1.0
                && scraped.get("sluice_falling_behind") == 0.0;
          });
    }
  }

  @Test
  void planFromLiveSizesThePoolForTheLoadTheRunMeasured() throws Exception {
    Path work = ShellScripts.write(dir, "work.sh", """
        while IFS= read -r line; do sleep 0.35; echo "done $line"; done
        """);
    try (SluiceProcess run = SluiceProcess.start(dir, "run",
        "--source", "generate:?count=60&interval=100ms", "--exec", work.toString(),
        "--workers", "8", "--plan-from-live", "--quiet")) {
      assertThat(run.awaitExit()).isZero();
      List<String> err = run.err();
      int start = err.indexOf("sluice run: plan from the live load:");
      assertThat(start).as("%s", err).isNotNegative();
      List<String> plan = err.subList(start + 1, err.size());
      // 10 a second for 6 s, each at least 0.35 s: the run's own arrival rate is a little
      // lower (its uptime includes the last attempt and the drain); the figures must agree
      Matcher load = Pattern.compile("load: ([0-9.]+) events/s × ([0-9.]+) ms = ([0-9.]+) "
          + "workers kept busy").matcher(plan.get(0));
      assertThat(load.matches()).as("%s", plan).isTrue();
      double rate = Double.parseDouble(load.group(1));
      double service = Double.parseDouble(load.group(2)) / 1000;
      double busy = Double.parseDouble(load.group(3));
      assertThat(rate).isBetween(7.0, 10.5);
      assertThat(service).isGreaterThanOrEqualTo(0.34);
      assertThat(busy).isCloseTo(rate * service, org.assertj.core.data.Offset.offset(0.05));
      assertThat(plan.get(1)).startsWith("measured by this run: 60 arrivals in ");
      assertThat(plan.get(2)).startsWith("workers needed: " + (int) Math.ceil(busy)
          + " to keep up (");
      assertThat(plan).contains("workers  utilisation  P(wait)  mean wait   p99 wait");
    }
  }
}
