package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
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

  private static final Pattern ADDRESS =
      Pattern.compile("sluice run: metrics on (http://127\\.0\\.0\\.1:\\d+)/metrics");
  private static final Pattern CHANGE =
      Pattern.compile("sluice run: workers (\\d+) -> (\\d+) \\(.*\\)");

  @TempDir
  Path dir;

  @Test
  void theIssuesLoadGrowsThePoolToWhatItNeedsAndLosesNothing() throws Exception {
    Path work = dir.resolve("work.sh");
    Files.writeString(work, """
        #!/bin/sh
        while IFS= read -r line; do
          sleep 0.35
          echo "done $line"
        done
        """);
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    AtomicInteger largest = new AtomicInteger();
    AtomicInteger resizes = new AtomicInteger();
    try (SluiceProcess run = SluiceProcess.start(dir, "run",
        "--source", "generate:?count=120&interval=100ms", "--exec", work.toString(),
        "--workers", "auto=1..16", "--ordering", "ordered", "--metrics-port", "0")) {
      String metrics = address(run);
      HttpClient http = HttpClient.newHttpClient();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
        String body;
        try {
          body = http.send(HttpRequest.newBuilder(URI.create(metrics)).build(),
              HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException ended) {
          return true;               // the run ended: its stderr tells the rest
        }
        largest.accumulateAndGet((int) value(body, "sluice_workers"), Math::max);
        resizes.accumulateAndGet((int) value(body, "sluice_pool_resizes_total"), Math::max);
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
        new String[] {"many", "'many' is not a worker count: write a number of workers"})) {
      SluiceProcess run = SluiceProcess.run(dir, "", "run", "--source", "-", "--exec", "cat",
          "--workers", bad[0]);
      assertThat(run.exitCode()).as(bad[0]).isEqualTo(2);
      assertThat(run.err()).as(bad[0]).hasSize(1);
      assertThat(run.err().get(0)).as(bad[0]).contains(bad[1]).doesNotContain("Exception");
    }
  }

  private static String address(SluiceProcess run) {
    await().atMost(Duration.ofSeconds(30))
        .until(() -> run.err().stream().anyMatch(l -> ADDRESS.matcher(l).matches()));
    Matcher m = run.err().stream().map(ADDRESS::matcher).filter(Matcher::matches)
        .findFirst().orElseThrow();
    return m.group(1) + "/metrics";
  }

  /** A sample's value in a Prometheus text exposition (0 when absent). */
  private static double value(String exposition, String name) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        String[] parts = line.split(" ");
        return Double.parseDouble(parts[parts.length - 1]);
      }
    }
    return 0;
  }
}
