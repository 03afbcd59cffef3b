package dev.sluice.cli.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Message;
import dev.sluice.Pipeline;
import dev.sluice.Sluice;
import dev.sluice.Sources;
import dev.sluice.Tap;
import dev.sluice.cli.json.Json;
import dev.sluice.spi.ConnectionState;
import dev.sluice.spi.SourceBacklog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Flow;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code docs/grafana/sluice-dashboard.json} imports as a Grafana dashboard and every query in
 * it uses only metric names that a live {@code /metrics} serves.
 */
@Timeout(60)
class GrafanaDashboardTest {

  private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "sluice-dashboard.json");
  private static final Pattern METRIC = Pattern.compile("\\bsluice_[a-z0-9_]+\\b");

  @SuppressWarnings("unchecked")
  private static void queries(Object node, String key, List<String> out) {
    if (node instanceof Map<?, ?> map) {
      map.forEach((k, v) -> {
        if (v instanceof String s && (k.equals("expr") || k.equals("definition")
            || (k.equals("query") && !"templating".equals(key)))) {
          out.add(s);
        }
        queries(v, (String) k, out);
      });
    } else if (node instanceof List<?> list) {
      list.forEach(item -> queries(item, key, out));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyQueryUsesOnlyMetricNamesThatMetricsServes() throws Exception {
    Map<String, Object> dashboard = (Map<String, Object>) Json.parse(Files.readString(DASHBOARD));
    assertThat(dashboard).containsKeys("title", "panels", "uid", "templating");
    List<Map<String, Object>> panels = (List<Map<String, Object>>) dashboard.get("panels");
    assertThat(panels.stream().map(p -> p.get("id")).collect(Collectors.toSet()))
        .as("panel ids are unique").hasSize(panels.size());
    assertThat(panels.stream().map(p -> (String) p.get("type")))
        .contains("heatmap", "timeseries", "stat");
    for (Map<String, Object> panel : panels) {
      assertThat((List<Object>) panel.get("targets")).as("%s has queries", panel.get("title"))
          .isNotEmpty();
    }
    List<String> queries = new ArrayList<>();
    queries(dashboard, "", queries);
    assertThat(queries).hasSizeGreaterThan(15);
    Set<String> used = new TreeSet<>();
    for (String q : queries) {
      assertThat(q.chars().filter(c -> c == '(').count())
          .as("parentheses balance in %s", q).isEqualTo(q.chars().filter(c -> c == ')').count());
      Matcher m = METRIC.matcher(q);
      while (m.find()) {
        used.add(m.group());
      }
    }
    assertThat(used).contains("sluice_attempt_duration_seconds_bucket",
        "sluice_end_to_end_duration_seconds_bucket", "sluice_workers_needed",
        "sluice_source_backlog", "sluice_source_state");

    Set<String> served = liveScrapeNames();
    assertThat(served).as("metric names a live /metrics serves").containsAll(used);
  }

  /**
   * Runs a small pipeline with a metrics server and returns the sample names it serves: its
   * source (a generator) reports its backlog, and a connection state is shown for it, so the
   * source's metrics are served as a connector's would be.
   */
  private static Set<String> liveScrapeNames() throws Exception {
    HealthMonitor health = new HealthMonitor(Duration.ofMinutes(1), System::nanoTime);
    Flow.Publisher<Message<Long>> generator = Sources.generate(3, Duration.ZERO, i -> i);
    SourceView source = new SourceView(() -> true, () -> ConnectionState.CONNECTED,
        () -> SourceBacklog.of(generator));
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, "dash", health, source)) {
      Tap<Long> tap = Tap.of(server.listeners());
      Pipeline pipeline = Sluice.from(tap.source(generator))
          .workers(2).processMessages(tap.processor((Long i) -> i)).start();
      server.serve(pipeline::stats);
      pipeline.awaitCompletion();
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      Scrape scrape = Scrape.parse(response.body(), false);
      assertThat(scrape.value("sluice_attempt_duration_seconds_count")).isEqualTo(3);
      Set<String> names = new HashSet<>();
      scrape.samples.forEach(s -> names.add(s.name()));
      return names;
    }
  }
}
