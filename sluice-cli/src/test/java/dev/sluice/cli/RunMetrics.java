package dev.sluice.cli;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code /metrics} of a real {@code sluice run --metrics-port 0}: where, and what it says. */
final class RunMetrics {

  private static final Pattern ADDRESS =
      Pattern.compile("sluice run: metrics on (http://127\\.0\\.0\\.1:\\d+)/metrics");
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private RunMetrics() {
  }

  /** The URL the run printed for its metrics, once it has (within 30 s). */
  static String url(SluiceProcess run) {
    return base(run) + "/metrics";
  }

  /** Where the run's HTTP endpoints are, {@code http://127.0.0.1:PORT}, once it said so. */
  static String base(SluiceProcess run) {
    await().atMost(Duration.ofSeconds(30))
        .until(() -> run.err().stream().anyMatch(l -> ADDRESS.matcher(l).matches()));
    Matcher m = run.err().stream().map(ADDRESS::matcher).filter(Matcher::matches)
        .findFirst().orElseThrow();
    return m.group(1);
  }

  /** Each sample's value by its name without labels (the last of a name wins). */
  static Map<String, Double> scrape(String url) throws IOException, InterruptedException {
    String body = HTTP.send(HttpRequest.newBuilder(URI.create(url))
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
}
