package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --workers auto} on the real command with the issue's load: 120 events at 10/s, each
 * taking a child 0.35 s, where two fixed workers fall behind (3.5 are busy, 5 keep it at or
 * under 80%). The pool must grow to what the load needs, stay within its bounds, say each
 * change once, count it in {@code /metrics}, and lose nothing. How long it takes is measured in
 * BENCHMARKS.md, not here.
 */
@Timeout(120)
@Tag("broker")
class RunWorkersAutoTest {

  private static final Pattern CHANGE =
      Pattern.compile("sluice run: workers (\\d+) -> (\\d+) \\(.*\\)");

  @TempDir
  Path dir;

  @Test
  void theIssuesLoadGrowsThePoolToWhatItNeedsAndLosesNothing() throws Exception {
    Path work = ShellScripts.write(dir, "work.sh", """
        while IFS= read -r line; do
          sleep 0.35
          echo "done $line"
        done
        """);
    AtomicInteger largest = new AtomicInteger();
    AtomicInteger resizes = new AtomicInteger();
    try (SluiceProcess run = SluiceProcess.start(dir, "run",
        "--source", "generate:?count=120&interval=100ms", "--exec", work.toString(),
        "--workers", "auto=1..16", "--ordering", "ordered", "--metrics-port", "0")) {
      String metrics = RunMetrics.url(run);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
        Map<String, Double> scraped;
        try {
          scraped = RunMetrics.scrape(metrics);
        } catch (IOException ended) {
          return true;               // the run ended: its stderr tells the rest
        }
        largest.accumulateAndGet(scraped.getOrDefault("sluice_workers", 0.0).intValue(),
            Math::max);
        resizes.accumulateAndGet(
            scraped.getOrDefault("sluice_pool_resizes_total", 0.0).intValue(), Math::max);
        return largest.get() >= 4 && resizes.get() >= 1;
      });
      assertThat(run.awaitExit()).isZero();

      assertThat(run.out()).hasSize(120)
          .isEqualTo(java.util.stream.IntStream.rangeClosed(1, 120)
              .mapToObj(i -> "done " + i).toList());
      List<int[]> changes = run.err().stream().map(CHANGE::matcher).filter(Matcher::matches)
          .map(m -> new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))})
          .toList();
      assertThat(changes).isNotEmpty();
      assertThat(changes.get(0)[0]).isEqualTo(1);
      assertThat(changes).allSatisfy(c -> assertThat(c[1]).isBetween(1, 16));
      assertThat(changes.stream().mapToInt(c -> c[1]).max().orElse(0)).isBetween(4, 16);
      assertThat(largest.get()).isBetween(4, 16);
      assertThat(resizes.get()).isPositive();
    }
  }

  @Test
  void badPoolBoundsExitTwoWithOneLine() throws Exception {
    for (String[] bad : List.of(new String[] {"auto=0..4", "'auto=0..4' needs 1 <= MIN"},
        new String[] {"auto=8..2", "'auto=8..2' needs 1 <= MIN <= MAX"},
        new String[] {"many", "'many' is not an int or auto: write a number of workers"})) {
      SluiceProcess run = SluiceProcess.run(dir, "", "run", "--source", "-", "--exec", "cat",
          "--workers", bad[0]);
      assertThat(run.exitCode()).as(bad[0]).isEqualTo(2);
      assertThat(run.err()).as(bad[0]).hasSize(1);
      assertThat(run.err().get(0)).as(bad[0]).contains(bad[1]).doesNotContain("Exception");
    }
  }

  @Test
  void aLoadThatStepsUpAndDownGrowsThePoolThenShrinksIt() throws Exception {
    Path work = ShellScripts.write(dir, "work.sh", """
        while IFS= read -r line; do sleep 0.1; echo "done $line"; done
        """);
    AtomicInteger largest = new AtomicInteger();
    AtomicInteger written = new AtomicInteger();
    try (SluiceProcess run = SluiceProcess.start(dir, "run", "--source", "-",
        "--exec", work.toString(), "--workers", "auto=1..8", "--metrics-port", "0")) {
      String metrics = RunMetrics.url(run);
      // the load generator: 40 lines a second (4 workers busy, 5 needed), then one a second
      // (1 needed) until the pool has shrunk; its pacing makes the load, it waits for nothing
      Thread feeder = new Thread(() -> {
        try {
          for (int i = 1; i <= 200; i++) {
            run.write(i + "\n");
            written.incrementAndGet();
            Thread.sleep(25);
          }
          for (int i = 201; !Thread.currentThread().isInterrupted(); i++) {
            run.write(i + "\n");
            written.incrementAndGet();
            Thread.sleep(1000);
          }
        } catch (InterruptedException | RuntimeException stopped) {
          // the test is done with the load
        }
      }, "feeder");
      feeder.start();
      try {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> largest.accumulateAndGet(
                RunMetrics.scrape(metrics).get("sluice_workers").intValue(), Math::max) >= 3);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
            .until(() -> {
              Map<String, Double> scraped = RunMetrics.scrape(metrics);
              return scraped.get("sluice_workers") <= 2
                  && scraped.get("sluice_falling_behind") == 0.0;
            });
      } finally {
        feeder.interrupt();
        feeder.join();
      }
      run.closeInput();
      assertThat(run.awaitExit()).isZero();

      assertThat(largest.get()).isBetween(3, 8);
      long results = run.out().stream().filter(l -> l.startsWith("done ")).count();
      assertThat(run.out()).doesNotHaveDuplicates().hasSize((int) results);
      assertThat(results).isEqualTo(written.get()).isGreaterThanOrEqualTo(200);
      assertThat(run.err()).anySatisfy(l -> assertThat(l)
          .matches("sluice-worker-\\d+: retired with the worker, its child \\(pid \\d+\\) "
              + "is told to end"));
    }
  }
}
