package dev.sluice.cli.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Stats;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

public class MetricsTest {

  public static Stats stats(long completed, long inFlight) {
    return new Stats(Duration.ofSeconds(10), 100, completed, 3, 2, 1, 0, 1, inFlight, 4, 2, 4,
        12.5, 11.0, Duration.ofMillis(250), Duration.ofSeconds(20), Duration.ofMillis(200),
        Duration.ofMillis(900), Duration.ofMillis(300), Duration.ofSeconds(1), 0.78, 4, false,
        new dev.sluice.Capacity(dev.sluice.Capacity.Verdict.KEEPING_UP, 12.5, 0.25, 3.125, 0.78,
            4, 4, false));
  }

  /** Parses the text format into name → value, checking every line is a comment or a sample. */
  static Map<String, Double> parse(String text) {
    Map<String, Double> samples = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
        continue;
      }
      assertThat(line).matches("[a-z_0-9]+ -?[0-9.eE+-]+");
      String[] parts = line.split(" ");
      assertThat(samples.put(parts[0], Double.parseDouble(parts[1]))).as(parts[0]).isNull();
    }
    return samples;
  }

  @Test
  void rendersCountersAndGaugesInPrometheusTextFormat() {
    String text = PrometheusText.render(stats(90, 7), true);
    Map<String, Double> samples = parse(text);

    assertThat(text).contains("# TYPE sluice_messages_received_total counter\n",
        "# TYPE sluice_messages_in_flight gauge\n");
    assertThat(samples).containsEntry("sluice_messages_received_total", 100.0)
        .containsEntry("sluice_messages_completed_total", 90.0)
        .containsEntry("sluice_attempts_failed_total", 3.0)
        .containsEntry("sluice_messages_dead_lettered_total", 1.0)
        .containsEntry("sluice_messages_in_flight", 7.0)
        .containsEntry("sluice_workers", 4.0)
        .containsEntry("sluice_arrival_rate", 12.5)
        .containsEntry("sluice_utilisation", 0.78)
        .containsEntry("sluice_attempt_seconds_p99", 0.9)
        .containsEntry("sluice_healthy", 1.0);
    assertThat(text).endsWith("\n");
  }

  @Test
  void healthFailsOnlyWhenWorkIsInFlightAndNothingSettlesForTooLong() {
    AtomicLong now = new AtomicLong();
    HealthMonitor health = new HealthMonitor(Duration.ofSeconds(5), now::get);

    health.observe(stats(10, 3));
    now.addAndGet(Duration.ofSeconds(4).toNanos());
    health.observe(stats(10, 3));
    assertThat(health.check().healthy()).isTrue();

    now.addAndGet(Duration.ofSeconds(2).toNanos());
    health.observe(stats(10, 3));
    assertThat(health.check().healthy()).isFalse();
    assertThat(health.check().reason()).startsWith("stalled: 3 message(s) in flight");

    health.observe(stats(11, 3));
    assertThat(health.check().healthy()).isTrue();
  }

  @Test
  void healthFailsWhenTheSourceStaysDisconnectedPastTheLimit() {
    AtomicLong now = new AtomicLong();
    java.util.concurrent.atomic.AtomicBoolean connected =
        new java.util.concurrent.atomic.AtomicBoolean(false);
    HealthMonitor health = new HealthMonitor(Duration.ofSeconds(5), now::get, connected::get);

    health.observe(stats(10, 0));
    now.addAndGet(Duration.ofSeconds(3).toNanos());
    health.observe(stats(10, 0));
    assertThat(health.check().healthy()).isTrue();
    now.addAndGet(Duration.ofSeconds(3).toNanos());
    assertThat(health.check()).isEqualTo(new HealthMonitor.Health(false,
        "source disconnected for 6 s"));

    connected.set(true);
    health.observe(stats(10, 0));
    assertThat(health.check().healthy()).isTrue();
  }

  @Test
  void anIdlePipelineIsHealthyHoweverLongItWaits() {
    AtomicLong now = new AtomicLong();
    HealthMonitor health = new HealthMonitor(Duration.ofSeconds(1), now::get);

    health.observe(stats(10, 0));
    now.addAndGet(Duration.ofHours(1).toNanos());
    health.observe(stats(10, 0));

    assertThat(health.check().healthy()).isTrue();
  }
}
