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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice run --metrics-port}: the real command, scraped over HTTP while it runs. */
@Timeout(90)
@Tag("broker")
class RunMetricsTest {

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path dir;

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, Double> samples(String text) {
    Map<String, Double> samples = new HashMap<>();
    for (String line : text.split("\n")) {
      if (!line.startsWith("#")) {
        // every series carries the pipeline label; histogram buckets also an le label
        assertThat(line).matches("[a-z_0-9]+\\{pipeline=\"sluice\"(,le=\"[^\"]+\")?} "
            + "-?[0-9.eE+-]+");
        if (!line.contains(",le=")) {
          String[] parts = line.split("[{ ]");
          samples.put(parts[0], Double.parseDouble(parts[parts.length - 1]));
        }
      }
    }
    return samples;
  }

  @Test
  void metricsAreScrapedWhileRunningAndHealthFlipsWhenWorkStalls() throws Exception {
    Path work = dir.resolve("stall.sh");
    Files.writeString(work, """
        #!/bin/sh
        while IFS= read -r line; do
          if [ "$line" = stall ]; then sleep 32.5; fi
          echo "done $line"
        done
        """);
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (SluiceProcess run = SluiceProcess.start(dir, "run", "--exec", work.toString(),
        "--workers", "2", "--metrics-port", "0", "--stall-after", "1s",
        "--drain-timeout", "200ms")) {
      String base = RunMetrics.base(run);

      run.write("a\nb\nc\n");
      await().atMost(Duration.ofSeconds(30)).until(() -> run.out().size() == 3);
      HttpResponse<String> metrics = get(base + "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(
          t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
      Map<String, Double> scraped = samples(metrics.body());
      assertThat(scraped).containsEntry("sluice_messages_received_total", 3.0)
          .containsEntry("sluice_messages_completed_total", 3.0)
          .containsEntry("sluice_workers", 2.0)
          .containsEntry("sluice_healthy", 1.0);
      assertThat(get(base + "/health").statusCode()).isEqualTo(200);

      run.write("stall\n");
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> get(base + "/health").statusCode() == 503);
      assertThat(get(base + "/health").body()).startsWith("stalled: 1 message(s) in flight");
      assertThat(samples(get(base + "/metrics").body()))
          .containsEntry("sluice_messages_in_flight", 1.0)
          .containsEntry("sluice_healthy", 0.0);

      run.terminate();
      assertThat(run.awaitExit()).as("stderr: %s", run.err()).isZero();
    }
  }
}
