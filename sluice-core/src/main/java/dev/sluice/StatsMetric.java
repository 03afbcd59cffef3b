package dev.sluice;

import java.time.Duration;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The figures of a {@link Stats} snapshot as metrics: one name, kind, help text and value for
 * each, so every exporter (the command's Prometheus endpoint, the Micrometer binding) serves
 * the same names. Durations are in seconds. Immutable and thread-safe.
 */
public enum StatsMetric {
  MESSAGES_RECEIVED(Kind.COUNTER, "Messages taken from the source.", Stats::received),
  MESSAGES_COMPLETED(Kind.COUNTER, "Messages processed, their result written and acknowledged.",
      Stats::completed),
  ATTEMPTS_FAILED(Kind.COUNTER, "Attempts that threw or timed out.", Stats::failed),
  ATTEMPTS_RETRIED(Kind.COUNTER, "Attempts scheduled again after a failure.", Stats::retried),
  ATTEMPTS_TIMED_OUT(Kind.COUNTER, "Attempts interrupted at the timeout.", Stats::timedOut),
  MESSAGES_DEAD_LETTERED(Kind.COUNTER, "Messages given up on and written to the dead-letter sink.",
      Stats::deadLettered),
  MESSAGES_NACKED(Kind.COUNTER, "Messages given up unprocessed (pipeline stopped, sink failed).",
      Stats::nacked),
  MESSAGES_SKIPPED(Kind.COUNTER,
      "Messages of other instances' partitions, acknowledged unprocessed.", Stats::skipped),
  ATTEMPT_SECONDS(Kind.COUNTER, "Processing time of all attempts, summed.",
      s -> seconds(s.totalService())),
  MESSAGES_IN_FLIGHT(Kind.GAUGE, "Messages received and not yet settled.", Stats::inFlight),
  MESSAGES_QUEUED(Kind.GAUGE, "Messages received and not running.", Stats::queued),
  WORKERS_BUSY(Kind.GAUGE, "Workers running a message now.", Stats::busyWorkers),
  WORKERS(Kind.GAUGE, "The worker pool's size now.", Stats::workers),
  POOL_RESIZES(Kind.COUNTER, "Times the adaptive worker pool changed size.",
      Stats::poolResizes),
  WORKERS_NEEDED(Kind.GAUGE,
      "Workers needed to keep the offered load at or under 80% of the pool.",
      Stats::workersNeeded),
  WORKERS_NEEDED_LOWER_BOUND(Kind.GAUGE,
      "1 when workers needed is a lower bound (saturated; the source reports no backlog).",
      s -> s.capacity().lowerBound() ? 1 : 0),
  OFFERED_LOAD(Kind.GAUGE,
      "Offered rate times mean attempt time: the workers the load keeps busy.",
      s -> s.capacity().offeredLoad()),
  ARRIVAL_RATE(Kind.GAUGE, "Messages received per second, recently.", Stats::arrivalRate),
  COMPLETION_RATE(Kind.GAUGE, "Messages settled per second, recently.", Stats::completionRate),
  UTILISATION(Kind.GAUGE,
      "Fraction of the workers' time spent on attempts, recently (at most 1).",
      Stats::utilisation),
  FALLING_BEHIND(Kind.GAUGE,
      "1 when the capacity verdict is falling behind (held a few seconds), else 0.",
      s -> s.fallingBehind() ? 1 : 0),
  ATTEMPT_SECONDS_MEAN(Kind.GAUGE, "Mean processing time of one attempt, recently.",
      s -> seconds(s.meanService())),
  ATTEMPT_SECONDS_P50(Kind.GAUGE,
      "Median processing time of one attempt (a latency histogram aggregates better).",
      s -> seconds(s.serviceP50())),
  ATTEMPT_SECONDS_P99(Kind.GAUGE,
      "99th percentile processing time of one attempt (a latency histogram aggregates better).",
      s -> seconds(s.serviceP99())),
  END_TO_END_SECONDS_P50(Kind.GAUGE,
      "Median time from receipt to settlement (a latency histogram aggregates better).",
      s -> seconds(s.endToEndP50())),
  END_TO_END_SECONDS_P99(Kind.GAUGE,
      "99th percentile time from receipt to settlement (a latency histogram aggregates better).",
      s -> seconds(s.endToEndP99())),
  UPTIME_SECONDS(Kind.GAUGE, "Time since the pipeline started.", s -> seconds(s.uptime()));

  /** Whether a metric only grows (a total since start) or goes up and down. */
  public enum Kind {
    /** A total since the pipeline started; never decreases. */
    COUNTER,
    /** A value now. */
    GAUGE
  }

  private final Kind kind;
  private final String help;
  private final ToDoubleFunction<Stats> value;

  StatsMetric(Kind kind, String help, ToDoubleFunction<Stats> value) {
    this.kind = kind;
    this.help = help;
    this.value = value;
  }

  public Kind kind() {
    return kind;
  }

  /** One sentence saying what it measures. */
  public String help() {
    return help;
  }

  /** Its name in dotted form, as Micrometer writes names: {@code sluice.messages.received}. */
  public String dottedName() {
    return "sluice." + name().toLowerCase(Locale.ROOT).replace('_', '.');
  }

  /**
   * Its name as Prometheus writes names, without a counter's {@code _total} suffix:
   * {@code sluice_messages_received}.
   */
  public String prometheusName() {
    return "sluice_" + name().toLowerCase(Locale.ROOT);
  }

  /** Its value in {@code stats}. */
  public double valueIn(Stats stats) {
    return value.applyAsDouble(stats);
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}
