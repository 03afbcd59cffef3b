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
import java.util.HashMap;
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

  private static final Pattern ADDRESS =
      Pattern.compile("sluice run: metrics on (http://127\\.0\\.0\\.1:\\d+)/metrics");
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path dir;

  private SluiceProcess start(int workers) throws IOException {
    return start(workers, """
        #!/bin/sh
        while IFS= read -r line; do
          sleep 0.35
          echo "done $line"
        done
        """);
  }

  private SluiceProcess start(int workers, String script) throws IOException {
    Path work = dir.resolve("work.sh");
    Files.writeString(work, script);
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    return SluiceProcess.start(dir, "run", "--source", "generate:?count=100000&interval=100ms",
        "--exec", work.toString(), "--workers", Integer.toString(workers),
        "--metrics-port", "0", "--drain-timeout", "100ms", "--quiet");
  }

  private String address(SluiceProcess run) {
    await().atMost(Duration.ofSeconds(30))
        .until(() -> run.err().stream().anyMatch(l -> ADDRESS.matcher(l).matches()));
    Matcher m = run.err().stream().map(ADDRESS::matcher).filter(Matcher::matches)
        .findFirst().orElseThrow();
    return m.group(1) + "/metrics";
  }

  private Map<String, Double> scrape(String url) throws IOException, InterruptedException {
    String body = http.send(HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    Map<String, Double> samples = new HashMap<>();
    for (String line : body.split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        String[] parts = line.split(" ");
        String name = parts[0].replaceAll("\\{.*\\}$", "");     // without its labels
        samples.put(name, Double.parseDouble(parts[parts.length - 1]));
      }
    }
    return samples;
  }

  @Test
  void twoWorkersAreFallingBehindAndNeedFive() throws Exception {
    try (SluiceProcess run = start(2)) {
      String metrics = address(run);

      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> scrape(metrics).getOrDefault("sluice_falling_behind", 0.0) == 1.0);
      Map<String, Double> scraped = scrape(metrics);
      assertThat(scraped.get("sluice_workers_needed")).isBetween(4.0, 6.0);
      // the generator reports the events that are due, so this is the load, not a lower bound
      assertThat(scraped.get("sluice_workers_needed_lower_bound")).isZero();
      assertThat(scraped.get("sluice_utilisation")).isLessThanOrEqualTo(1.0);
    }
  }

  @Test
  void eightWorkersKeepUpAndStillSayFiveWouldDo() throws Exception {
    try (SluiceProcess run = start(8)) {
      String metrics = address(run);

      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> scrape(metrics).getOrDefault("sluice_messages_completed_total", 0.0)
              >= 30);
      await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7))
          .pollInterval(Duration.ofMillis(250)).until(() -> {
            Map<String, Double> scraped = scrape(metrics);
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
        #!/bin/sh
        sleep 3
        while IFS= read -r line; do
          echo "done $line"
        done
        """)) {
      String metrics = address(run);

      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> scrape(metrics).getOrDefault("sluice_messages_completed_total", 0.0)
              >= 20);
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(250)).until(() -> {
            Map<String, Double> scraped = scrape(metrics);
            return scraped.get("sluice_workers_needed") == 1.0
                && scraped.get("sluice_falling_behind") == 0.0;
          });
    }
  }
}
