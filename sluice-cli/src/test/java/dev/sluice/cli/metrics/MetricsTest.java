package dev.sluice.cli.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Message;
import dev.sluice.Stats;
import dev.sluice.Tap;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

public class MetricsTest {

  public static Stats stats(long completed, long inFlight) {
    return new Stats(Duration.ofSeconds(10), 100, completed, 3, 2, 1, 0, 1, inFlight, 4, 2, 4,
        12.5, 11.0, Duration.ofMillis(250), Duration.ofSeconds(20), Duration.ofMillis(200),
        Duration.ofMillis(900), Duration.ofMillis(300), Duration.ofSeconds(1), 0.78, 4, false,
        new dev.sluice.Capacity(dev.sluice.Capacity.Verdict.KEEPING_UP, 12.5, 0.25, 3.125, 0.78,
            4, 4, false), 0, 0);
  }

  private static String text(PrometheusMetrics metrics, Stats stats, String accept) {
    return new String(metrics.scrape(stats, true, accept).body(), StandardCharsets.UTF_8);
  }

  /** Reports one attempt of {@code seconds} and one settlement {@code seconds} after arrival. */
  private static void observe(PrometheusMetrics metrics, double seconds) {
    long nanos = (long) (seconds * 1e9);
    Message<String> m = Message.of("x");
    metrics.attemptEnded(new Tap.Attempt(m, 1, "w", 0, nanos, null, false));
    metrics.settled(m, true, 0, nanos);
  }

  @Test
  void keepsTodaysNamesInTheTextFormatWithAPipelineLabel() {
    PrometheusMetrics metrics = new PrometheusMetrics("orders");
    PrometheusMetrics.Exposition exposition = metrics.scrape(stats(90, 7), true, "");
    String text = new String(exposition.body(), StandardCharsets.UTF_8);
    Scrape scrape = Scrape.parse(text, false);

    assertThat(exposition.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    assertThat(scrape.types).containsEntry("sluice_messages_received_total", "counter")
        .containsEntry("sluice_messages_in_flight", "gauge")
        .containsEntry("sluice_attempt_duration_seconds", "histogram")
        .containsEntry("sluice_end_to_end_duration_seconds", "histogram");
    assertThat(scrape.samples).allSatisfy(
        s -> assertThat(s.labels()).containsEntry("pipeline", "orders"));
    assertThat(scrape.values()).containsEntry("sluice_messages_received_total", 100.0)
        .containsEntry("sluice_messages_completed_total", 90.0)
        .containsEntry("sluice_attempts_failed_total", 3.0)
        .containsEntry("sluice_attempts_retried_total", 2.0)
        .containsEntry("sluice_attempts_timed_out_total", 1.0)
        .containsEntry("sluice_messages_dead_lettered_total", 1.0)
        .containsEntry("sluice_messages_nacked_total", 0.0)
        .containsEntry("sluice_attempt_seconds_total", 20.0)
        .containsEntry("sluice_messages_in_flight", 7.0)
        .containsEntry("sluice_messages_queued", 4.0)
        .containsEntry("sluice_workers_busy", 2.0)
        .containsEntry("sluice_workers", 4.0)
        .containsEntry("sluice_workers_needed", 4.0)
        .containsEntry("sluice_arrival_rate", 12.5)
        .containsEntry("sluice_completion_rate", 11.0)
        .containsEntry("sluice_utilisation", 0.78)
        .containsEntry("sluice_falling_behind", 0.0)
        .containsEntry("sluice_attempt_seconds_mean", 0.25)
        .containsEntry("sluice_attempt_seconds_p50", 0.2)
        .containsEntry("sluice_attempt_seconds_p99", 0.9)
        .containsEntry("sluice_end_to_end_seconds_p50", 0.3)
        .containsEntry("sluice_end_to_end_seconds_p99", 1.0)
        .containsEntry("sluice_uptime_seconds", 10.0)
        .containsEntry("sluice_healthy", 1.0);
  }

  @Test
  void histogramsCountEachAttemptAndEachSettlementInItsBucket() {
    PrometheusMetrics metrics = new PrometheusMetrics("p");
    observe(metrics, 0.003);
    observe(metrics, 0.2);
    observe(metrics, 4.0);

    Scrape scrape = Scrape.parse(text(metrics, stats(3, 0), ""), false);

    for (String family : new String[] {"sluice_attempt_duration_seconds",
        "sluice_end_to_end_duration_seconds"}) {
      assertThat(scrape.value(family + "_count")).isEqualTo(3.0);
      assertThat(scrape.value(family + "_sum")).isCloseTo(4.203, Offset.offset(1e-9));
      assertThat(bucket(scrape, family, "0.0025")).isEqualTo(0.0);
      assertThat(bucket(scrape, family, "0.005")).isEqualTo(1.0);
      assertThat(bucket(scrape, family, "0.25")).isEqualTo(2.0);
      assertThat(bucket(scrape, family, "2.5")).isEqualTo(2.0);
      assertThat(bucket(scrape, family, "5.0")).isEqualTo(3.0);
      assertThat(bucket(scrape, family, "+Inf")).isEqualTo(3.0);
    }
  }

  private static double bucket(Scrape scrape, String family, String le) {
    return scrape.samples.stream()
        .filter(s -> s.name().equals(family + "_bucket") && s.labels().get("le").equals(le))
        .findFirst().orElseThrow(() -> new AssertionError("no bucket le=" + le)).value();
  }

  @Test
  void servesOpenMetricsWhenTheScraperAsksForIt() {
    PrometheusMetrics metrics = new PrometheusMetrics("p");
    observe(metrics, 0.1);
    PrometheusMetrics.Exposition exposition = metrics.scrape(stats(1, 0), false,
        "application/openmetrics-text; version=1.0.0; charset=utf-8,text/plain;q=0.5");
    String text = new String(exposition.body(), StandardCharsets.UTF_8);

    assertThat(exposition.contentType()).startsWith("application/openmetrics-text");
    Scrape scrape = Scrape.parse(text, true);
    assertThat(scrape.values()).containsEntry("sluice_messages_received_total", 100.0)
        .containsEntry("sluice_healthy", 0.0)
        .containsEntry("sluice_attempt_duration_seconds_count", 1.0);
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
