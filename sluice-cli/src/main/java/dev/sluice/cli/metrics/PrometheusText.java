package dev.sluice.cli.metrics;

import dev.sluice.Stats;
import java.time.Duration;

/**
 * Renders a {@link Stats} snapshot in the Prometheus text exposition format (version 0.0.4):
 * counters end in {@code _total}, durations are in seconds. Stateless and thread-safe.
 */
public final class PrometheusText {

  /** The content type the format is served with. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private PrometheusText() {
  }

  /** The whole exposition for {@code stats}, with {@code healthy} as {@code sluice_healthy}. */
  public static String render(Stats stats, boolean healthy) {
    StringBuilder out = new StringBuilder(2048);
    counter(out, "sluice_messages_received_total", "Messages taken from the source.",
        stats.received());
    counter(out, "sluice_messages_completed_total",
        "Messages processed, their result written and acknowledged.", stats.completed());
    counter(out, "sluice_attempts_failed_total", "Attempts that threw or timed out.",
        stats.failed());
    counter(out, "sluice_attempts_retried_total", "Attempts scheduled again after a failure.",
        stats.retried());
    counter(out, "sluice_attempts_timed_out_total", "Attempts interrupted at the timeout.",
        stats.timedOut());
    counter(out, "sluice_messages_dead_lettered_total",
        "Messages given up on and written to the dead-letter sink.", stats.deadLettered());
    counter(out, "sluice_messages_nacked_total",
        "Messages given up unprocessed (pipeline stopped, sink failed).", stats.nacked());
    counter(out, "sluice_messages_skipped_total",
        "Messages of other --partition instances, acknowledged unprocessed.", stats.skipped());
    gauge(out, "sluice_messages_in_flight", "Messages received and not yet settled.",
        stats.inFlight());
    gauge(out, "sluice_messages_queued", "Messages received and not running.", stats.queued());
    gauge(out, "sluice_workers_busy", "Workers running a message now.", stats.busyWorkers());
    gauge(out, "sluice_workers", "The worker pool's size.", stats.workers());
    gauge(out, "sluice_workers_needed",
        "Workers needed to keep utilisation at or under 80% at the recent arrival rate.",
        stats.workersNeeded());
    gauge(out, "sluice_arrival_rate", "Messages received per second, recently.",
        stats.arrivalRate());
    gauge(out, "sluice_completion_rate", "Messages settled per second, recently.",
        stats.completionRate());
    gauge(out, "sluice_utilisation", "Arrival rate times mean service time over workers.",
        stats.utilisation());
    gauge(out, "sluice_falling_behind", "1 when the backlog is growing, else 0.",
        stats.fallingBehind() ? 1 : 0);
    gauge(out, "sluice_attempt_seconds_mean", "Mean processing time of one attempt, recently.",
        seconds(stats.meanService()));
    gauge(out, "sluice_attempt_seconds_p50", "Median processing time of one attempt.",
        seconds(stats.serviceP50()));
    gauge(out, "sluice_attempt_seconds_p99", "99th percentile processing time of one attempt.",
        seconds(stats.serviceP99()));
    gauge(out, "sluice_end_to_end_seconds_p50", "Median time from receipt to settlement.",
        seconds(stats.endToEndP50()));
    gauge(out, "sluice_end_to_end_seconds_p99",
        "99th percentile time from receipt to settlement.", seconds(stats.endToEndP99()));
    counter(out, "sluice_attempt_seconds_total", "Processing time of all attempts, summed.",
        seconds(stats.totalService()));
    gauge(out, "sluice_uptime_seconds", "Time since the pipeline started.",
        seconds(stats.uptime()));
    gauge(out, "sluice_healthy", "1 when /health answers 200, else 0.", healthy ? 1 : 0);
    return out.toString();
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static void counter(StringBuilder out, String name, String help, double value) {
    metric(out, name, help, "counter", value);
  }

  private static void gauge(StringBuilder out, String name, String help, double value) {
    metric(out, name, help, "gauge", value);
  }

  private static void metric(StringBuilder out, String name, String help, String type,
      double value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    out.append(name).append(' ').append(number(value)).append('\n');
  }

  private static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }
}
